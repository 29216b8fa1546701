#!/bin/sh
# install-deps.sh [--tests] [--print]: installs what hutch needs on Debian or Ubuntu, the one
# list of packages README.md's commands and .ci/run use. Without --tests: what the build
# needs; with --tests: what the test suite (make check-all) needs too. --print prints the
# list and installs nothing. Packages already installed are not asked for again, so a second
# run needs neither the network nor root; otherwise apt-get runs as root, through sudo when
# the caller is not root (a root shell in a fresh container has no sudo).
set -eu

build="build-essential autoconf automake libtool pkg-config libcap-dev libseccomp-dev"
# make format-check; clang for the sanitizer builds and the fuzz targets (libFuzzer); the
# tests: setpriv, mount tools, ps, ip, the reference bwrap, 32-bit builds for the seccomp
# tests, strace, helper scripts, man page rendering and lint, capability tools, the shells
# whose completions are checked, apparmor_parser for the profile, pasta and slirp4netns for
# the user-mode network; tests/test-flatpak.sh: the
# real flatpak and flatpak-builder, offline.
tests="clang-format clang libclang-rt-14-dev
	util-linux procps iproute2 bubblewrap passt slirp4netns gcc-multilib strace python3 groff-base
	man-db mandoc
	libcap2-bin bash-completion zsh fish apparmor
	flatpak flatpak-builder"

want=$build
print=no
for a in "$@"; do
	case $a in
	--tests) want="$build $tests" ;;
	--print) print=yes ;;
	*)
		echo "usage: $0 [--tests] [--print]" >&2
		exit 2
		;;
	esac
done
# shellcheck disable=SC2086 # one word per package
set -- $want
if [ "$print" = yes ]; then
	echo "$@"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps.sh: no apt-get here; install these (or your system's names for them):" >&2
	echo "  $*" >&2
	exit 1
fi

missing=
for p in "$@"; do
	s=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || :)
	[ "$s" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all $# packages are installed"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps.sh: not root and no sudo: as root, apt-get install$missing" >&2
		exit 1
	fi
	sudo=sudo
fi
echo "install-deps.sh: installing$missing"
# (env: sudo would not pass DEBIAN_FRONTEND on)
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
# shellcheck disable=SC2086 # one word per package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	$missing </dev/null

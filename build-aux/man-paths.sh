#!/bin/sh
# man-paths.sh SRC PKGLIBEXECDIR BASHCOMPLETIONDIR ZSHCOMPLETIONDIR FISHCOMPLETIONDIR APPARMORDIR
# Writes the man page SRC to stdout with the paths this build installs to: the page names
# them through roff strings (".ds hutch-NAME /usr/local/..." near its top, used as
# \*[hutch-NAME]), whose values this replaces. An empty APPARMORDIR (no --with-apparmor)
# keeps the page's default. Run by `make` for every page; tests/test-man.sh runs it too.
set -eu
[ $# -eq 6 ] || { echo "usage: $0 SRC PKGLIBEXECDIR BASHDIR ZSHDIR FISHDIR APPARMORDIR" >&2; exit 2; }
src=$1
# A path as roff text: '-' as \- (an ASCII hyphen-minus when rendered), '\' doubled; and
# escaped for the replacement side of sed ('&', '|' and '\').
roff() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/-/\\-/g' -e 's/[&|\\]/\\&/g'; }
set_ds() {
	if [ -n "$2" ]; then
		printf 's|^\\.ds hutch-%s .*|.ds hutch-%s %s|\n' "$1" "$1" "$(roff "$2")"
	fi
}
{
	set_ds pkglibexecdir "$2"
	set_ds bashcompletiondir "$3"
	set_ds zshcompletiondir "$4"
	set_ds fishcompletiondir "$5"
	set_ds apparmordir "$6"
} >"${TMPDIR:-/tmp}/man-paths.$$"
trap 'rm -f "${TMPDIR:-/tmp}/man-paths.$$"' EXIT
sed -f "${TMPDIR:-/tmp}/man-paths.$$" "$src"

#!/bin/bash
# The real flatpak (Debian 12: 1.14) and flatpak-builder (1.2) driving the bwrap face through
# FLATPAK_BWRAP, offline: a tiny runtime made from the host's own binaries, exported to a local
# ostree repository, installed for the user, an app built into it with `flatpak build`,
# installed and run (`flatpak run` first regenerates the runtime's ld.so cache in a sandbox of
# its own; installing runs the triggers in another), and the same app built by flatpak-builder
# from a manifest. Every step must succeed with hutch as with the reference bubblewrap, the app
# must see the same things in both, and the user's home directory (0700, under a directory
# the build was given with --filesystem) must keep its mode.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

if ! command -v flatpak >/dev/null || ! command -v flatpak-builder >/dev/null; then
	echo "1..0 # SKIP flatpak and flatpak-builder are not installed (apt-get install flatpak flatpak-builder)"
	exit 0
fi
REF=${BWRAP_REF:-/usr/bin/bwrap}
if [ ! -x "$REF" ]; then
	echo "1..0 # SKIP no reference bubblewrap at $REF (install bubblewrap or set BWRAP_REF)"
	exit 0
fi
mkdir -m 0755 "$T/ref"
ln -s "$REF" "$T/ref/bwrap"

# shellcheck disable=SC2016 # eval'd at exit
at_cleanup 'kill_matching "$T/"'

# --- a runtime from the host's binaries: sh and the tools the builds use, their libraries -----

RT=$T/runtime
mkdir -p "$RT/files/bin" "$RT/files/lib" "$RT/files/lib64" "$RT/files/etc"
for _b in sh cat cp mkdir install env true ls id ldconfig; do
	_p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin type -P "$_b") || bail_out "no $_b on the host"
	cp -L "$_p" "$RT/files/bin/$_b"
	for _l in $(ldd "$_p" 2>/dev/null | grep -o '/[^ ]*'); do
		cp -Ln "$_l" "$RT/files/lib/" 2>/dev/null
	done
done
# The ELF interpreter path of the host's binaries, /lib64/ld-linux-x86-64.so.2, through the
# /lib64 -> usr/lib64 link flatpak makes.
for _l in $(ldd "$RT/files/bin/sh" | awk '$1 ~ /^\// { print $1 }'); do
	mkdir -p "$RT/files$(dirname "${_l#/usr}")"
	cp -L "$_l" "$RT/files${_l#/usr}"
done
printf '/usr/lib\n' >"$RT/files/etc/ld.so.conf"
printf '[Runtime]\nname=org.hutch.Platform\nruntime=org.hutch.Platform/x86_64/1\nsdk=org.hutch.Platform/x86_64/1\n' \
	>"$RT/metadata"
cp "$P" "$T/probe"
cat >"$T/org.hutch.Built.json" <<'EOF'
{
  "app-id": "org.hutch.Built",
  "runtime": "org.hutch.Platform",
  "runtime-version": "1",
  "sdk": "org.hutch.Platform",
  "command": "probe",
  "build-options": { "no-debuginfo": true, "strip": false },
  "modules": [ {
    "name": "probe",
    "buildsystem": "simple",
    "build-commands": [ "install -D probe /app/bin/probe", "echo built-by-builder" ],
    "sources": [ { "type": "file", "path": "probe" } ]
  } ]
}
EOF
chmod -R a+rX "$RT" "$T/probe" "$T/org.hutch.Built.json"
unset _b _p _l

# --- the whole flow, as the user, in a home of its own ----------------------------------------

# flow.sh BWRAP: every step; prints step:NAME=STATUS, then what `flatpak run` printed.
cat >"$T/flow.sh" <<'EOF'
set -u
W=$1
export FLATPAK_BWRAP=$2 HOME=$W/home XDG_DATA_HOME=$W/home/.local/share
export XDG_CONFIG_HOME=$W/home/.config XDG_CACHE_HOME=$W/home/.cache XDG_RUNTIME_DIR=$W/run
# No system bus here: this is flatpak's own switch for its tests (it skips the parental
# controls check, which asks the system bus, when installing an app).
export FLATPAK_SYSTEM_HELPER_ON_SESSION=1
mkdir -m 0700 "$W/home" "$W/run"
cd "$W" || exit 1
cp "$T_MANIFEST" "$T_PROBE" "$W/"
step() {
	local name=$1
	shift
	"$@" >"$W/$name.log" 2>&1
	echo "step:$name=$?"
}
step export-runtime flatpak build-export --runtime --files=files "$W/repo" "$T_RT" 1
step remote-add flatpak --user remote-add --no-gpg-verify local "file://$W/repo"
step install-runtime flatpak --user install -y --noninteractive local org.hutch.Platform
step build-init flatpak build-init "$W/app" org.hutch.App org.hutch.Platform org.hutch.Platform 1
step build flatpak build --filesystem="$W" "$W/app" sh -c \
	"mkdir -p /app/bin && cp $W/probe /app/bin/probe && echo built"
echo "home-mode=$(stat -c %a "$W/home")"
step build-finish flatpak build-finish "$W/app" --command=probe
step export-app flatpak build-export "$W/repo" "$W/app"
step install-app flatpak --user install -y --noninteractive local org.hutch.App
step run flatpak run org.hutch.App ids caps seccomp nonewprivs pid ppid cwd umask ifaces \
	hostname fds environ mountinfo uid_map gid_map errno-of=personality \
	errno-of=unshare-user errno-of=nested-proc stat=/.flatpak-info stat=/run/.userns \
	tree=/run/user tree=/app
cat "$W/run.log"
step builder flatpak-builder --user --disable-rofiles-fuse --disable-download \
	--disable-updates "$W/bdir" "$W/org.hutch.Built.json"
echo "built=$(ls "$W/bdir/files/bin" 2>/dev/null)"
EOF
chmod 0644 "$T/flow.sh"

# flow WHICH BWRAP: the flow in $T/WHICH (same path for both binaries, one after the other).
flow() {
	local w=$T/fp
	rm -rf "$w"
	mkdir -m 0755 "$w"
	own_dir "$w"
	run_as "$MODE" env -i PATH=/usr/bin:/bin:/usr/sbin T_RT="$RT" T_PROBE="$T/probe" \
		T_MANIFEST="$T/org.hutch.Built.json" "$BASH" "$T/flow.sh" "$w" "$2"
	printf '%s\n' "$OUT" >"$T/$1.out"
	FLOW_LOGS=$(for f in "$w"/*.log; do
		grep -q . "$f" && { echo "== ${f##*/}"; tail -n 5 "$f"; }
	done 2>/dev/null)
}

own_dir() {
	[ "$(id -u)" = 0 ] && chown "$(mode_uid "$MODE"):$(mode_gid "$MODE")" "$1"
	return 0
}

# The lines of `flatpak run`'s report that differ from run to run (instance ids, pids of
# the host, namespace ids), normalised.
norm() {
	sed -E 's/\.flatpak\/[0-9]+/.flatpak\/ID/g
		s/(user|mnt|pid|net|ipc|uts|cgroup):\[[0-9]+\]/\1:NS/g
		s/\/bindfile[A-Za-z0-9]{6}/\/bindfileXXXXXX/g
		# bubblewrap builds its root in a "newroot" dir of its tmpfs, hutch on the tmpfs itself
		s/^mount=\/ \/newroot tmpfs /mount=\/ \/ tmpfs /
		s/(pipe|socket):\[[0-9]+\]/\1:[N]/g
		s/(\/[0-9a-f]{64})/\/CHECKSUM/g
		# flatpak writes a random instance id of varying length into it
		s/^(stat:\/\.flatpak-info=file [0-7]+ [0-9]+ [0-9]+) [0-9]+ /\1 SIZE /
		/^environ:FLATPAK_BWRAP=/d' "$1"
}

case_flatpak() {
	local s logs
	flow ref "$T/ref/bwrap"
	REF_LOGS=$FLOW_LOGS
	flow ours "$B"
	OUT=$(cat "$T/ours.out")
	logs=$FLOW_LOGS
	for s in export-runtime remote-add install-runtime build-init build build-finish \
		export-app install-app run builder; do
		if [ "$(val "step:$s")" = 0 ]; then
			pass "$MODE: flatpak with the bwrap face: $s"
		else
			fail "$MODE: flatpak with the bwrap face: $s" "status: $(val "step:$s")" \
				"$logs"
			logs="(the logs are above)"
		fi
	done
	if [ "$(val step:build)" = 0 ]; then
		is "$(val home-mode)" 700 \
			"$MODE: flatpak build --filesystem=DIR leaves \$HOME under DIR at 0700 (--dir on an existing directory)"
	else
		fail "$MODE: flatpak build --filesystem=DIR leaves \$HOME under DIR at 0700 (--dir on an existing directory)" \
			"not known: the build failed before"
	fi
	is "$(val built)" probe "$MODE: flatpak-builder installed the module's file"
	OUT=$(cat "$T/ref.out")
	if [ "$(val step:run)" != 0 ]; then
		fail "$MODE: flatpak run sees the same with both" "the reference failed: $REF_LOGS"
	elif cmp -s <(norm "$T/ref.out") <(norm "$T/ours.out"); then
		pass "$MODE: flatpak run: the app sees the same with both"
	else
		fail "$MODE: flatpak run: the app sees the same with both" \
			"$(diff -u --label bubblewrap --label hutch <(norm "$T/ref.out") \
				<(norm "$T/ours.out") | head -n 60)"
	fi
}

for_each_mode case_flatpak
done_testing

#!/bin/bash
# Issue 9: the sandbox attacked from inside. The command (tests/probe attack) walks every
# process it can see, pid 1 first among them, and everything each one holds: descriptors,
# cwd, root, exe, mem, ptrace, pidfd_getfd, and writes into their pipes; any object that is
# not on one of the sandbox's own mounts, any pipe or socket that is not its own stdio, is a
# way out (probe.c, "attack", says exactly what counts). Run as root and as uid 65534, in
# both faces, on the three build paths, with and without a PID namespace and with every
# option that keeps a process behind the command (--sync-fd, --lock-file, the status fds,
# --die-with-parent), and always with a directory of the caller's outside the sandbox passed
# in as fd 7: the hutch face closes it, the bwrap face hands it to the command (bubblewrap
# does) but nothing else in the sandbox may hold it. Then the same from the host: what the
# sandbox's pid 1 holds. Then the issue's reproducers, verbatim in spirit.
#
# A command that keeps CAP_SYS_ADMIN in the host's user namespace is not sandboxed by
# anything: the bwrap face run by real root keeps root's capabilities (bubblewrap's rule), so
# those runs drop them (--cap-drop ALL), as a caller who means to confine root does.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$srcdir/tests/lib-attack.sh"

# A ptrace-stopped pid 1 that wedges the sandbox must fail fast, not after a minute per run.
TEST_TIMEOUT=${HUTCH_TEST_TIMEOUT:-20}

VARIANTS="plain pid all as-pid-1 die lock lock-nopid sync sync-nopid status status-nopid
die-sync-nopid"

# variant_args VARIANT: the options of VARIANT (fd 5: --sync-fd, 6 and 8: the status fds).
variant_args() {
	case $1 in
	plain) ;;
	pid) echo --unshare-pid ;;
	all) echo --unshare-all --dev /dev ;;
	as-pid-1) echo --unshare-pid --as-pid-1 ;;
	die) echo --unshare-pid --die-with-parent ;;
	lock) echo --unshare-pid --lock-file "$P" ;;
	lock-nopid) echo --lock-file "$P" ;;
	sync) echo --unshare-pid --sync-fd 5 ;;
	sync-nopid) echo --sync-fd 5 ;;
	status) echo --unshare-pid --info-fd 6 --json-status-fd 8 ;;
	status-nopid) echo --info-fd 6 --json-status-fd 8 ;;
	die-sync-nopid) echo --die-with-parent --sync-fd 5 ;;
	esac
}

# face_args FACE: what every run of FACE adds (see the top for bwrap as root).
face_args() {
	if [ "$1:$MODE" = bwrap:root ]; then
		echo --cap-drop ALL
	fi
}

# allowed FACE VARIANT: the probe's allow: options. The hutch face closes every fd above 2;
# the bwrap face passes the caller's fds to the command, except those an option consumes.
allowed() {
	local a='' fd
	[ "$1" = bwrap ] || return 0
	for fd in 5 6 7 8; do
		case $fd:$2 in
		5:sync | 5:sync-nopid | 5:die-sync-nopid | 6:status* | 8:status*) ;;
		*) a="${a}allow:$fd," ;;
		esac
	done
	echo "$a"
}

case_attack() {
	local face path v name extra
	for path in $BUILD_PATHS; do
		for face in hutch bwrap; do
			for v in $VARIANTS; do
				name="$MODE: $face face, $path path, $v"
				# shellcheck disable=SC2207 # split on purpose
				extra=($(variant_args "$v") $(face_args "$face"))
				run_path "$MODE" "$face" "$path" "${MINROOT[@]}" "${extra[@]}" \
					"$P" "attack=$(allowed "$face" "$v")canary:$OUTSIDE_ID" \
					7<"$OUTSIDE" 5>"$T/fd5" 6>"$T/fd6" 8>"$T/fd8"
				attack_verdict "$name: no way out from inside"
				is "$RC" 0 "$name: the exit status is the command's own"
				if [ "$v" = plain ] && [ "$face" = bwrap ]; then
					like "$OUT" '^attack:obj=self:fd:7 passed' \
						"$name: the caller's fd 7 reaches the command (bubblewrap does)"
				fi
			done
		done
	done
}

# The attack's own control: with --as-pid-1 the probe is pid 1 and holds what the command
# holds (the caller's directory, a pipe); a child attacking it must find all of that. If the
# probe stops seeing, this fails, and so every "no way out" above would mean nothing.
case_control() {
	local face classes
	for face in hutch bwrap; do
		# shellcheck disable=SC2046 # split on purpose
		run_path "$MODE" "$face" default "${MINROOT[@]}" --unshare-pid --as-pid-1 \
			$(face_args "$face") --pass-fd 7 "$P" "attack-child=canary:$OUTSIDE_ID" \
			7<"$OUTSIDE"
		if [ "$face" = bwrap ] && [ "$RC" != 0 ]; then
			# bubblewrap has no --pass-fd: it passes fd 7 anyway.
			# shellcheck disable=SC2046
			run_path "$MODE" "$face" default "${MINROOT[@]}" --unshare-pid --as-pid-1 \
				$(face_args "$face") "$P" "attack-child=canary:$OUTSIDE_ID" 7<"$OUTSIDE"
		fi
		classes=$(finding_classes)
		is "$RC:$(val attack:done | grep -c '^[1-9]')" 0:1 \
			"$MODE: control, $face face: the attack reports findings against a pid 1 that holds things"
		for c in dir-outside host-write pipe pipe-write mem ptrace-seize ptrace-attach getfd; do
			like ",$classes," ",$c," "$MODE: control, $face face: the attack finds $c"
		done
		like "$OUT" '^finding=[a-z-]+ self:fd:7 ' \
			"$MODE: control, $face face: the attack flags its own fd 7, which it was not told about"
		is "$(val attack-child:forged)" 77 \
			"$MODE: control, $face face: the forged word reached pid 1's pipe"
		outside_clean
		OUT=
	done
}

# --- from the host: what the sandbox's pid 1 holds ----------------------------------------------

# The probe waits for its marker file here (bound into the sandbox).
STOPS=$T/stops
mkdir -m 0755 "$STOPS"

# same_file A B: A and B name the same inode.
same_file() {
	[ "$(stat -L -c '%d:%i' "$1" 2>/dev/null)" = "$(stat -L -c '%d:%i' "$2" 2>/dev/null)" ]
}

# pid1_bad_fds PID: the fds of PID (seen from the host) that pid 1 has no business holding:
# directories, anything on procfs, the caller's directory.
pid1_bad_fds() {
	local f t bad=
	for f in /proc/"$1"/fd/*; do
		[ -e "$f" ] || continue
		t=$(readlink "$f")
		if [ -d "$f" ] || [ "$(stat -L -f -c %T "$f" 2>/dev/null)" = proc ] ||
			same_file "$f" "$OUTSIDE"; then
			bad="$bad ${f##*/}->$t"
		fi
	done
	echo "${bad# }"
}

# probe_running MARKER: the probe of the run marked MARKER is up (the setup is over).
probe_running() {
	local p
	for p in $(marker_pids "$1"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$P" ] && return 0
	done
	return 1
}

# reaper_of MARKER BIN: REAPER, the process that stays behind the probe of the run marked
# MARKER: its parent, when that runs BIN (hutch). Outside a PID namespace without a status fd
# that is the very hutch the caller started (it unshares and stays in place).
reaper_of() {
	local p pp
	REAPER=
	for p in $(marker_pids "$1"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$P" ] || continue
		pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ "$(readlink "/proc/$pp/exe" 2>/dev/null)" = "$(readlink -f "$2")" ] && REAPER=$pp
	done
}

case_pid1_holds() {
	local face v bin marker bad bg
	LAST_CMD=
	if [ "$(id -u)" != 0 ]; then
		skip "$MODE: pid 1 seen from the host (needs root to look at a non-dumpable process)"
		return
	fi
	for face in hutch bwrap; do
		bin=$(path_bin "$face" default)
		for v in pid die lock lock-nopid sync sync-nopid status die-sync-nopid; do
			marker=$STOPS/$MODE.$face.$v
			# shellcheck disable=SC2046 # split on purpose
			(as_mode "$MODE" timeout -k 5 "$TEST_TIMEOUT" "$bin" "${MINROOT[@]}" \
				--ro-bind "$STOPS" "$STOPS" \
				$(variant_args "$v") $(face_args "$face") "$P" wait-file="$marker" \
				7<"$OUTSIDE" 5>"$T/fd5" 6>"$T/fd6" 8>"$T/fd8" >/dev/null 2>&1) &
			bg=$!
			wait_until 10 probe_running "$marker"
			reaper_of "$marker" "$bin"
			if [ -z "$REAPER" ]; then
				touch "$marker"
				wait "$bg"
				fail "$MODE: $face face, $v: pid 1 seen from the host" \
					"no process running $bin is the probe's parent"
				continue
			fi
			bad=$(pid1_bad_fds "$REAPER")
			touch "$marker"
			wait "$bg"
			is "$bad" "" "$MODE: $face face, $v: the process behind the command holds no directory, no /proc, not the caller's fd"
		done
	done
}

# --- the reproducers of issue 9 -----------------------------------------------------------------

# shellcheck disable=SC2016 # expanded by the sandbox's sh
REPRO='
r=no
if ls /proc/1/fd/3/.. >/dev/null 2>&1; then r=$(ls /proc/1/fd/3/.. | wc -l); fi
echo "repro:hostproc=$r"
r=
for f in /proc/1/fd/*; do
	for s in kernel/hostname sys/kernel/hostname; do
		[ -e "$f/$s" ] && r="$r ${f##*/}"
	done
done
echo "repro:procsys=${r:-no}"
r=
for f in /proc/1/fd/*; do
	[ -d "$f" ] && touch "$f/escaped-repro" 2>/dev/null && r="$r ${f##*/}"
done
echo "repro:dirwrite=${r:-no}"
for f in /proc/1/fd/*; do
	case $(readlink "$f") in
	pipe:*) printf "M\000\000\000" 2>/dev/null >"$f" && echo "repro:forged=${f##*/}" ;;
	esac
done
exit 0
'

case_repro() {
	local face name
	for face in hutch bwrap; do
		name="$MODE: $face face, issue 9 reproducer"
		# shellcheck disable=SC2046 # split on purpose
		run_as "$MODE" "$(path_bin "$face" default)" --unshare-all --ro-bind / / --proc /proc \
			--dev /dev $(face_args "$face") sh -c "$REPRO" 7<"$OUTSIDE"
		is "$(val repro:hostproc)" no "$name: ls /proc/1/fd/3/.. lists no host processes"
		is "$(val repro:procsys)" no "$name: no host /proc/sys through /proc/1/fd"
		is "$(val repro:dirwrite)" no "$name: no directory of pid 1 can be written into"
		outside_clean
		is "$OUTSIDE_LEFT" "" "$name: the caller's directory on the host is unchanged"
		is "$RC:$(val repro:forged)" 0: "$name: the exit status cannot be forged through pid 1's pipes"
	done
}

for_each_mode case_control
for_each_mode case_repro
for_each_mode case_pid1_holds
for_each_mode case_attack
done_testing

#!/bin/bash
# Stress: many launches at once must all work and report the right status; SIGKILL of hutch,
# of its setup child and of the sandbox's pid 1 at random points must leave nothing on the
# host: no process, no mount, no file. Other sandboxes run on this machine at the same time,
# so everything counted is scoped to this test's own markers (a unique sleep argument on the
# command line, mounts under this test's temp dir).
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$srcdir/tests/lib-attack.sh"

LAUNCHES=${HUTCH_TEST_STRESS_LAUNCHES:-1000}
PARALLEL=${HUTCH_TEST_STRESS_PARALLEL:-8}
KILL_ROUNDS=${HUTCH_TEST_KILL_ROUNDS:-25}
TEST_TIMEOUT=${HUTCH_TEST_TIMEOUT:-30}

# Where hutch would leave a temporary file, if it ever made one.
export TMPDIR=$T/tmp
mkdir -m 1777 "$TMPDIR"

# mounts_under DIR: mount points at or below DIR in the host's mount table.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# --- many launches at once ----------------------------------------------------------------------

# launch I: one launch of shape I % 4, whose command exits with I % 7: prints "I EXPECTED GOT".
# Runs under xargs, so everything it needs comes in through the environment.
# shellcheck disable=SC2016 # expanded by the launch's own bash
LAUNCH='
i=$1 want=$(($1 % 7))
case $(($1 % 4)) in
0) set -- "$SH" --ro-bind / / ;;
1) set -- "$SH" --unshare-pid --ro-bind / / ;;
2) set -- "$SB" --ro-bind / / ;;
3) set -- "$SB" --unshare-all --ro-bind / / ;;
esac
timeout -k 5 "$STIMEOUT" "$@" "$SP" exit=$want >/dev/null 2>"$SERR.$i"
got=$?
[ "$got" = "$want" ] && rm -f "$SERR.$i"
echo "$i $want $got"
'

case_parallel() {
	local t0 t1 bad n
	[ -d "$T/lerr" ] || mkdir -m 0777 "$T/lerr"
	export SH=$H SB=$B SP=$P SERR=$T/lerr/launch STIMEOUT=$TEST_TIMEOUT
	t0=$(date +%s%N)
	seq "$LAUNCHES" | as_mode_xargs "$MODE" -P "$PARALLEL" -n 1 bash -c "$LAUNCH" launch \
		>"$T/launches"
	t1=$(date +%s%N)
	n=$(wc -l <"$T/launches")
	bad=$(awk '$2 != $3' "$T/launches" | head -n 5)
	diag "$MODE: $n launches, $PARALLEL at a time, in $(((t1 - t0) / 1000000)) ms"
	is "$n" "$LAUNCHES" "$MODE: $LAUNCHES launches at parallelism $PARALLEL all report"
	if [ -z "$bad" ]; then
		pass "$MODE: every launch ran and reported its command's status (four shapes, both faces)"
	else
		fail "$MODE: every launch ran and reported its command's status (four shapes, both faces)" \
			"launch, expected, got:" "$bad" "$(cat "$T"/lerr/* 2>/dev/null | head -n 5)"
	fi
	rm -f "$T"/lerr/*
	is "$(mounts_under "$T")" "$S_MOUNTS" "$MODE: no mount is left under the test's directory"
}

# as_mode_xargs MODE XARGS-ARGS...: xargs as MODE (a function cannot be exec'd by xargs).
as_mode_xargs() {
	local mode=$1
	shift
	(as_mode "$mode" xargs "$@")
}

# --- SIGKILL at random points -------------------------------------------------------------------

# A directory of this test's, where each sandbox mounts things (in its own namespace: the
# host must never see them). As root it is a shared mount, so a mount made before hutch cuts
# propagation would show up on the host.
S=$T/stage
mkdir -m 0777 "$S" "$S/t"
if [ "$(id -u)" = 0 ] && mount --bind "$S" "$S" 2>/dev/null; then
	mount --make-shared "$S"
	S_SHARED=yes
else
	S_SHARED=no
fi
# shellcheck disable=SC2016
at_cleanup 'umount -l "$S" 2>/dev/null'
S_MOUNTS=$(mounts_under "$S")

# rand_delay MAX_MS: sleep a random time below MAX_MS milliseconds.
rand_delay() {
	sleep "$(printf '0.%03d' $((RANDOM % $1)))"
}

# children_of PID: direct children of PID.
children_of() {
	local f
	for f in /proc/[0-9]*/status; do
		awk -v p="$1" '/^PPid:/ { if ($2 == p) { split(FILENAME, a, "/"); print a[3] }; exit }' "$f" 2>/dev/null
	done
}

SLEEP_EXE=$(readlink -f "$(command -v sleep)")

# kill_round N: start a sandbox whose command is a sleep with a unique argument, SIGKILL one
# of its processes after a random delay, and check what is left.
kill_round() {
	local n=$1 target marker bg victim what shape left mounts snap_before snap_after p
	marker="123.$$$n"
	case $((n % 3)) in 0) target=hutch ;; 1) target=child ;; 2) target=pid1 ;; esac
	case $((n % 2)) in
	0) shape=(--unshare-pid --die-with-parent) ;;
	1) shape=(--die-with-parent --sync-fd 5) ;;
	esac
	snap_before=$(snapshot "$S" "$TMPDIR")
	(as_mode "$MODE" "$H" "${shape[@]}" --ro-bind / / --bind "$S" "$S" --tmpfs "$S/t" \
		--dir "$S/t/a" --ro-bind "$T/bin" "$S/t/a" --bind-data 3 "$S/t/data" \
		sleep "$marker" 3</dev/null 5>/dev/null >/dev/null 2>&1) &
	bg=$!
	victim=
	case $target in
	hutch)
		rand_delay 30
		victim=$bg
		;;
	child)
		# The setup child, as soon as it exists (it becomes pid 1 or the command later).
		for _ in $(seq 200); do
			victim=$(children_of "$bg" | head -n 1)
			[ -n "$victim" ] && break
			sleep 0.001
		done
		rand_delay 10
		;;
	pid1)
		# Once the command runs, its parent is what stays behind it. The command is the
		# process of the marker running sleep (not setpriv, whose parent is this test,
		# before it execs hutch); its parent is never this shell.
		for _ in $(seq 300); do
			for p in $(marker_pids "$marker"); do
				if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$SLEEP_EXE" ]; then
					victim=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
				fi
			done
			case $victim in "$$" | "$BASHPID" | "$bg") victim= ;; esac
			[ -n "$victim" ] && break
			sleep 0.01
		done
		rand_delay 50
		;;
	esac
	what=$target
	if [ -z "$victim" ]; then
		what="hutch (no $target found in time)"
		victim=$bg
	fi
	kill -9 "$victim" 2>/dev/null
	# Everything of this sandbox goes within a few seconds (--die-with-parent; a PID
	# namespace dies with its pid 1).
	for _ in $(seq 100); do
		[ -z "$(marker_pids "$marker")" ] && break
		sleep 0.03
	done
	left=$(marker_pids "$marker" | tr '\n' ' ')
	[ -n "$left" ] && kill -9 $left 2>/dev/null
	wait "$bg" 2>/dev/null
	mounts=$(mounts_under "$S")
	snap_after=$(snapshot "$S" "$TMPDIR")
	if [ -n "$left" ] || [ "$mounts" != "$S_MOUNTS" ] || [ "$snap_before" != "$snap_after" ]; then
		KILL_BAD="$KILL_BAD
round $n (${shape[*]}, SIGKILL of $what): processes left: ${left:-none}; mounts: $(echo "$mounts" | tr '\n' ' '); files: $(diff <(echo "$snap_before") <(echo "$snap_after") | grep '^[<>]' | tr '\n' ' ')"
	fi
}

case_kill() {
	local n
	KILL_BAD=
	for n in $(seq "$KILL_ROUNDS"); do
		# (bash reports each SIGKILLed job on stderr: not news here)
		kill_round "$n" 2>/dev/null
	done
	is "$KILL_BAD" "" "$MODE: SIGKILL of hutch, its setup child or pid 1 at random points ($KILL_ROUNDS rounds) leaves no process, mount or file of the sandbox's on the host"
}

diag "mounts under the stage directory are shared with the host: $S_SHARED"
for_each_mode case_parallel
for_each_mode case_kill
done_testing

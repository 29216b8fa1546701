#!/bin/bash
# Resource limits and the sandbox's lifetime, through the real binary in both faces: the
# kernel's OOM kill at --memory, a fork bomb stopped at --pids, --timeout and its grace,
# --rlimit, the sandbox's cgroup gone at the end and after a SIGKILL of hutch, what the command
# leaves behind (killed in the hutch face, bubblewrap's lifetime in the bwrap face), --stats,
# the --json-status-fd documents, --limits-try and --unshare-cgroup.
#
# As root, the test delegates a directory named hutch-test-* in each cgroup hierarchy it needs
# (tests/lib-cgroup.sh, as an administrator would), removed at the end, and runs each case as
# root and as uid 65534 (moved below the delegated directories, as a delegated user's shell
# is). What it asserts comes from the kernel and the host: the processes left (found by unique
# argument lists), the cgroup directories, /proc/self/limits and /proc/self/cgroup inside, the
# exit status, the wall time; hutch's own lines and documents are checked too. A case skips
# only when the kernel lacks the controller it needs (or, run without root, when it needs a
# cgroup nobody delegated).
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$srcdir/tests/lib-cgroup.sh"

if [ "$(id -u)" = 0 ]; then
	cgroup_delegate
	CG_READY=yes
else
	# Nothing to delegate: the cases without a cgroup run as the caller, the others skip.
	CG_READY=
	run_in() {
		shift
		run_as user "$@"
	}
fi

# A sleep of our own: its path is unique to this run, so the processes the test looks for can
# be no one else's. The second argument of each run's sleeps is a unique marker (a fraction of
# a millisecond added to the sleep), so each case finds exactly its own.
SLP=$T/bin/lt-sleep
cp /usr/bin/sleep "$SLP" && chmod 0755 "$SLP" || bail_out "cannot copy /usr/bin/sleep"
at_cleanup 'kill_matching "$SLP"'
D=$(scratch)		# written from inside: the files a command leaves for the test
J=$T/json		# --json-status-fd 3 of the last run
BASE=("${MINROOT[@]}" --dev /dev)
_mk=100
TICKS=$(getconf CLK_TCK)

# mark: a new marker in M.
mark() {
	_mk=$((_mk + 1))
	M=0.000$_mk
}

# live MARKER: how many live processes run "$SLP N MARKER" (a zombie has no command line).
live() {
	pgrep -f -x "$SLP [0-9]+ $1" | wc -l
}

# live_is MARKER N: live says N (for wait_until).
live_is() { [ "$(live "$1")" = "$2" ]; }

# none_left MARKER NAME: passes when no process of MARKER lives; else lists them (pid, parent,
# session, group, state) and kills them.
none_left() {
	local pids
	pids=$(pgrep -d, -f -x "$SLP [0-9]+ $1")
	if [ -z "$pids" ]; then
		pass "$2"
	else
		fail "$2" "left running (pid ppid sid pgid state):" \
			"$(ps -o pid=,ppid=,sid=,pgid=,stat= -p "$pids")"
		kill_marked "$1"
	fi
}

# kill_marked MARKER: SIGKILL the processes live counts (the cases whose command outlives
# the sandbox on purpose).
kill_marked() {
	local p
	for p in $(pgrep -f -x "$SLP [0-9]+ $1"); do
		kill -9 "$p" 2>/dev/null
	done
}

# bin FACE: the binary of the face.
bin() { if [ "$1" = hutch ]; then echo "$H"; else echo "$B"; fi; }

# own_lines FACE: the lines of the last run's stderr written by hutch itself.
own_lines() { printf '%s\n' "$ERR" | grep "^$1: "; }

# jdoc N: the Nth document of the last run's --json-status-fd; jval KEY: the value of KEY in
# the first document that has it (strings without their quotes).
jdoc() { sed -n "${1}p" "$J"; }
jval() {
	grep -o "\"$1\": *\(\"[^\"]*\"\|[0-9-]*\)" "$J" | head -n 1 | sed 's/^"[^"]*": *//; s/^"//; s/"$//'
}

# cg_count: the sandbox cgroups (hutch.*) below the delegated directories, every hierarchy.
cg_count() {
	local d
	for d in "${DELEGATED[@]}"; do
		find "$d" -mindepth 1 -type d -name 'hutch.*'
	done | wc -l
}

# start_bg MODE CMD...: run_in in the background, stdout/stderr to files; BG is CMD's own pid
# (in-shell and setpriv exec). finish_bg: wait for it (at most 30 s), then RC, OUT, ERR.
start_bg() {
	local mode=$1
	shift
	LAST_CMD="[$mode] $*"
	if [ -n "$CG_READY" ]; then
		"$T/bin/in-shell" "$(mode_uid "$mode")" "$@" >"$T/.bgout" 2>"$T/.bgerr" 3>"$J" &
	else
		"$@" >"$T/.bgout" 2>"$T/.bgerr" 3>"$J" &
	fi
	BG=$!
}
bg_done() { [ ! -e "/proc/$BG/stat" ] || awk '{ exit $3 != "Z" }' "/proc/$BG/stat" 2>/dev/null; }
finish_bg() {
	wait_until 30 bg_done || { diag "still running after 30 s: $LAST_CMD"; kill -9 "$BG"; }
	wait "$BG" 2>/dev/null
	RC=$?
	OUT=$(cat "$T/.bgout")
	ERR=$(cat "$T/.bgerr")
}

# kill_bg: SIGKILL the background run (disowned first: the shell would report the kill), wait
# until it is gone, then OUT and ERR.
kill_bg() {
	disown "$BG"
	kill -9 "$BG"
	wait_until 10 test ! -e "/proc/$BG"
	OUT=$(cat "$T/.bgout")
	ERR=$(cat "$T/.bgerr")
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# limit NAME [FILE]: "SOFT HARD" of the /proc/PID/limits line starting with NAME, in the last
# run's output (or FILE).
limit() {
	local text=${OUT:-}
	[ -n "${2:-}" ] && text=$(cat "$2")
	printf '%s\n' "$text" |
		awk -v n="$1" 'index($0, n) == 1 { s = substr($0, 27); split(s, v, " +"); print v[1], v[2]; exit }'
}

# need NAME CTL...: whether a case needing a cgroup with CTL... can run; else a skip that
# says what is missing.
need() {
	local name=$1 c missing=
	shift
	for c in "$@"; do
		have "$c" || missing+=" $c"
	done
	if [ -n "$missing" ]; then
		skip "$name (the kernel lacks the controller:$missing)"
		return 1
	fi
	if [ -z "$CG_READY" ]; then
		skip "$name (no cgroup delegated to the caller: run the test as root)"
		return 1
	fi
}

# --- cases --------------------------------------------------------------------------------------

# --memory: the kernel kills the hog; hutch says so once, exits with 121 and tells "oom".
case_oom() {
	local f=$1 b
	b=$(bin "$f")
	need "$MODE $f: --memory" memory || return 0
	run_in "$MODE" "$b" "${BASE[@]}" --memory 32M --timeout 30 "${PARENTS[@]}" \
		--json-status-fd 3 dd if=/dev/zero of=/dev/null bs=256M count=1 3>"$J"
	is "$RC" 121 "$MODE $f: --memory 32M: a 256M buffer is OOM-killed: status 121"
	is "$ERR" "$f: the sandbox ran out of memory: the kernel killed a process at the --memory limit" \
		"$MODE $f: --memory 32M: one line says why (and dd never finished)"
	is "$(jdoc 2)" '{ "exit-code": 121 }' "$MODE $f: --memory 32M: the exit-code document"
	is "$(jval reason)" oom "$MODE $f: --memory 32M: the json reason is oom"
	like "$(jval oom-kills)" '^[1-9]' "$MODE $f: --memory 32M: the kernel counted an OOM kill"
	is "$(cg_count)" 0 "$MODE $f: --memory 32M: the sandbox's cgroups are gone"
	run_in "$MODE" "$b" "${BASE[@]}" --memory 512M --timeout 30 "${PARENTS[@]}" \
		dd if=/dev/zero of=/dev/null bs=256M count=1
	is "$RC" 0 "$MODE $f: --memory 512M: the same 256M buffer is fine"
}

# --pids: a shell forking sleeps is refused a process at the limit and fails: 122, "pids", no
# sleep left.
case_pids() {
	local f=$1 b n
	b=$(bin "$f")
	need "$MODE $f: --pids" pids || return 0
	mark
	run_in "$MODE" "$b" "${BASE[@]}" --bind "$D" "$D" --pids 12 --timeout 20 "${PARENTS[@]}" \
		--json-status-fd 3 sh -c "i=0; while [ \$i -lt 100 ]; do $SLP 30 $M &
			i=\$((i + 1)); echo \$i >$D/forked.$M; done; wait" 3>"$J"
	is "$RC" 122 "$MODE $f: --pids 12: the fork bomb fails at the limit: status 122"
	is "$(own_lines "$f")" \
		"$f: the sandbox reached its --pids limit: the kernel refused to create a process" \
		"$MODE $f: --pids 12: one line says why"
	is "$(jval reason)" pids "$MODE $f: --pids 12: the json reason is pids"
	like "$(jval pids-refused)" '^[1-9]' "$MODE $f: --pids 12: the kernel counted the refusal"
	n=$(cat "$D/forked.$M" 2>/dev/null)
	ok "$MODE $f: --pids 12: ${n:-no} sleeps forked, the shell included at most 12" \
		test "${n:-0}" -ge 6 -a "${n:-99}" -le 11
	none_left "$M" "$MODE $f: --pids 12: no sleep of the bomb is left"
	is "$(cg_count)" 0 "$MODE $f: --pids 12: the sandbox's cgroups are gone"
}

# --timeout: the command and what it started in another session, in another process group
# and as orphans all end; 124, the message, "timeout", nothing left. (The orphans come to the
# subreaper or pid 1 above the command: more to signal there, and more time for the command to
# die before its own children are looked for.)
case_timeout() {
	local f=$1 b seen ids
	shift
	b=$(bin "$f")
	mark
	start_bg "$MODE" "$b" "${BASE[@]}" "$@" --timeout 1 --json-status-fd 3 sh -c "
		setsid $SLP 60 $M &
		perl -e 'setpgrp(0, 0); exec @ARGV' $SLP 60 $M &
		for i in 1 2 3 4 5 6 7 8; do ($SLP 60 $M &); done
		exec $SLP 60 $M"
	wait_until 5 live_is "$M" 11
	seen=$(live "$M")
	ids=$(ps -o sid=,pgid= -p "$(pgrep -d, -f -x "$SLP [0-9]+ $M")" 2>/dev/null)
	finish_bg
	local what="$MODE $f${*:+ $*}: --timeout 1"
	is "$seen" 11 "$what: the command and its ten offspring ran"
	is "$(printf '%s\n' "$ids" | awk '{ print $1 }' | sort -u | wc -l):$(printf '%s\n' "$ids" |
		awk '{ print $2 }' | sort -u | wc -l)" 2:3 "$what: in 2 sessions and 3 process groups"
	is "$RC" 124 "$what: status 124"
	is "$(own_lines "$f")" "$f: the sandbox ran out of time after 1 s (--timeout): stopped" \
		"$what: one line says why"
	is "$(jval reason)" timeout "$what: the json reason is timeout"
	none_left "$M" "$what: none of them is left"
}

# The command cannot void --timeout by stopping or killing hutch through its parent's pid (the
# same user's): --timeout brings a PID namespace, where the parent is pid 1, which ignores
# both from inside.
case_stop_parent() {
	local f=$1 b t0 ms
	b=$(bin "$f")
	mark
	t0=$(now_ms)
	start_bg "$MODE" "$b" "${BASE[@]}" --timeout 1 sh -c "
		kill -STOP \$PPID; kill -KILL \$PPID
		exec $SLP 30 $M"
	finish_bg
	ms=$(($(now_ms) - t0))
	is "$RC" 124 "$MODE $f: SIGSTOP and SIGKILL to \$PPID do not stop --timeout 1"
	ok "$MODE $f: ... it ends the command in time (${ms} ms)" test "$ms" -lt 5000
	none_left "$M" "$MODE $f: ... and nothing of it is left"
	# SIGSTOP to its process group, which hutch shares (in a session of its own here, so
	# that the test is not stopped too): hutch is stopped, but pid 1, which no signal from
	# inside stops, ends the sandbox once the time and the grace are over (1 + 1 + 0.5 s).
	mark
	start_bg "$MODE" setsid "$b" "${BASE[@]}" --timeout 1:1 sh -c "
		kill -STOP 0
		exec $SLP 30 $M"
	wait_until 5 live_is "$M" 1
	sleep 3.5
	none_left "$M" "$MODE $f: SIGSTOP to its process group: the sandbox still ends in time"
	kill -CONT "$BG" 2>/dev/null
	finish_bg
	is "$RC" 124 "$MODE $f: ... and hutch, continued, says the time ran out"
}

# --timeout DURATION:GRACE: a command that survives SIGTERM gets SIGKILL after the grace,
# not before.
case_grace() {
	local f=$1 b t0 ms
	b=$(bin "$f")
	mark
	t0=$(now_ms)
	start_bg "$MODE" "$b" "${BASE[@]}" --bind "$D" "$D" --timeout 300ms:1200ms sh -c "
		trap 'echo term >>$D/term.$M' TERM
		while :; do $SLP 0.05; done"
	finish_bg
	ms=$(($(now_ms) - t0))
	is "$RC" 124 "$MODE $f: --timeout 300ms:1200ms: status 124"
	is "$(cat "$D/term.$M" 2>/dev/null)" term "$MODE $f: --timeout 300ms:1200ms: SIGTERM first"
	ok "$MODE $f: --timeout 300ms:1200ms: SIGKILL after the grace, not before (${ms} ms)" \
		test "$ms" -ge 1450 -a "$ms" -lt 6000
}

# --rlimit: what the command's /proc/self/limits says; cpu=1: SIGXCPU, 123, "cpu-time".
case_rlimit() {
	local f=$1 b nproc fsize
	b=$(bin "$f")
	# The hard limits the caller has (setpriv keeps them for uid 65534).
	nproc=$(limit 'Max processes' /proc/$$/limits | cut -d' ' -f2)
	fsize=$(limit 'Max file size' /proc/$$/limits | cut -d' ' -f2)
	run_in "$MODE" "$b" "${BASE[@]}" --rlimit nofile=64:128 --rlimit as=1G:2G \
		--rlimit core=0:0 --rlimit cpu=100:200 --rlimit nproc=500 --rlimit fsize=1M \
		cat /proc/self/limits
	is "$RC" 0 "$MODE $f: --rlimit: ran"
	is "$(limit 'Max open files')" "64 128" "$MODE $f: --rlimit nofile=64:128"
	is "$(limit 'Max address space')" "1073741824 2147483648" "$MODE $f: --rlimit as=1G:2G"
	is "$(limit 'Max core file size')" "0 0" "$MODE $f: --rlimit core=0:0"
	is "$(limit 'Max cpu time')" "100 200" "$MODE $f: --rlimit cpu=100:200"
	is "$(limit 'Max processes')" "500 $nproc" "$MODE $f: --rlimit nproc=500"
	is "$(limit 'Max file size')" "1048576 $fsize" \
		"$MODE $f: --rlimit fsize=1M: the soft limit, the hard one stays"
	run_in "$MODE" "$b" "${BASE[@]}" --rlimit cpu=1 --timeout 20 --json-status-fd 3 \
		sh -c 'while :; do :; done' 3>"$J"
	is "$RC" 123 "$MODE $f: --rlimit cpu=1: a busy loop ends: status 123"
	is "$(own_lines "$f")" \
		"$f: the command used up its CPU time (--rlimit cpu): killed by SIGXCPU" \
		"$MODE $f: --rlimit cpu=1: one line says why"
	is "$(jval reason)" cpu-time "$MODE $f: --rlimit cpu=1: the json reason is cpu-time"
	local u s cpu
	u=$(jval cpu-user-ms)
	s=$(jval cpu-system-ms)
	cpu=$((${u:-0} + ${s:-0}))
	# RLIMIT_CPU is checked against tick-sampled time, which charges a whole tick to whoever
	# runs when it fires; rusage is scaled to the precise run time. Alone this kernel reports
	# about 0.9 s for a process a 1 s RLIMIT_CPU ends; on a loaded machine (2 cores shared
	# with sanitizer builds) down to 0.7 s. What is checked: the usage is the command's CPU
	# time, not zero and not the wall time.
	ok "$MODE $f: --rlimit cpu=1: about a second of CPU time (${cpu} ms)" \
		test "$cpu" -ge 400 -a "$cpu" -lt 2000
}

# hutch killed with SIGKILL: the hutch face's sandbox dies with it, the bwrap face's does not.
# With a cgroup, hutch's cgroup stays; the next run in the same parent removes it.
case_killed() {
	local f=$1 b what
	shift
	b=$(bin "$f")
	mark
	what="$MODE $f${*:+ $*}: $f killed"
	start_bg "$MODE" "$b" "${BASE[@]}" "$@" "$SLP" 60 "$M"
	wait_until 5 live_is "$M" 1
	is "$(live "$M")" 1 "$what: the command ran"
	kill_bg
	if [ "$f" = hutch ]; then
		wait_until 3 live_is "$M" 0
		none_left "$M" "$what: the command died with it"
	else
		sleep 0.3
		is "$(live "$M")" 1 "$what: the command runs on (bubblewrap's lifetime)"
		kill_marked "$M"
	fi
}

case_stale() {
	local n
	need "$MODE: a stale cgroup" memory pids || return 0
	own_parents
	mark
	start_bg "$MODE" "$H" "${BASE[@]}" --memory 64M --pids 50 "${OWN_PARENTS[@]}" "$SLP" 60 "$M"
	wait_until 5 live_is "$M" 1
	n=$(cg_count)
	ok "$MODE: --memory --pids: $n sandbox cgroups while it runs" test "$n" -ge 2
	kill_bg
	wait_until 3 live_is "$M" 0
	none_left "$M" "$MODE: --memory --pids, hutch killed: the command died with it"
	is "$(cg_count)" "$n" "$MODE: --memory --pids, hutch killed: its cgroups stay"
	run_in "$MODE" "$H" "${BASE[@]}" --memory 64M --pids 50 "${OWN_PARENTS[@]}" true
	is "$RC" 0 "$MODE: the next run with a cgroup in the same parent"
	is "$(cg_count)" 0 "$MODE: the next run removed the stale cgroups, and its own"
	remove_own_parents
}

# What the command leaves in the background: killed in the hutch face when a process stays
# outside (a PID namespace, a status fd, a terminal shared), left with --keep-children and in
# the bwrap face.
case_leftovers() {
	local f=$1 expect=$2 b what
	shift 2
	b=$(bin "$f")
	mark
	what="$MODE $f${*:+ $*}: sh -c 'sleep &'"
	run_in "$MODE" "$b" "${BASE[@]}" "$@" sh -c "$SLP 60 $M & exit 0" 3>/dev/null
	is "$RC" 0 "$what: ran"
	if [ "$expect" = killed ]; then
		none_left "$M" "$what: nothing outlives the command"
	else
		sleep 0.3
		is "$(live "$M")" 1 "$what: the background sleep runs on"
		kill_marked "$M"
	fi
}

# A process hutch inherited across the exec that started it (`sleep & exec hutch ...`) was
# never in the sandbox: the end of the sandbox, and a timeout, leave it alone.
case_stranger() {
	local what
	mark
	what="$MODE hutch $*: a child hutch inherited from its caller's exec"
	run_in "$MODE" sh -c '"$1" 30 "$2" & shift 2; exec "$@"' sh "$SLP" "$M" "$H" \
		"${BASE[@]}" "$@" sh -c "$SLP 60 ${M}1 & exit 0" 3>/dev/null
	is "$RC" 0 "$what: ran"
	is "$(live "$M")" 1 "$what: is left alone"
	none_left "${M}1" "$what: ... while the sandbox's leftover is killed"
	kill_marked "$M"
}

# --keep-children with a PID namespace: what the command left runs to its end, whether hutch
# waits for it (as bubblewrap's pid 1 does) or returns before.
case_kept_pidns() {
	local what="$MODE hutch --keep-children --unshare-pid: sh -c '(sleep; echo) &'"
	mark
	run_in "$MODE" "$H" "${BASE[@]}" --bind "$D" "$D" --keep-children --unshare-pid sh -c \
		"($SLP 0.5; echo done >$D/kept.$M) & exit 0"
	is "$RC" 0 "$what: ran"
	wait_until 3 test -e "$D/kept.$M"
	is "$(cat "$D/kept.$M" 2>/dev/null)" 'done' "$what: the background job runs to its end"
}

# The same on a terminal (script(1) gives a pty): hutch stays to kill what is left.
case_pty() {
	local f=$1 expect=$2 cmd what
	shift 2
	mark
	what="$MODE $f${*:+ $*} on a pty: sh -c 'sleep &'"
	# The sleep ignores SIGHUP: the terminal's hangup must not be what ends it.
	cmd=$(printf '%q ' "$(bin "$f")" "${BASE[@]}" --bind "$D" "$D" "$@" sh -c \
		"[ -t 0 ] && echo yes >$D/tty.$M; trap '' HUP; $SLP 60 $M & exit 0")
	run_as "$MODE" script -qec "$cmd" /dev/null
	is "$(cat "$D/tty.$M" 2>/dev/null)" yes "$what: the command has a terminal"
	if [ "$expect" = killed ]; then
		none_left "$M" "$what: nothing outlives the command"
	else
		sleep 0.3
		is "$(live "$M")" 1 "$what: the background sleep runs on"
		kill_marked "$M"
	fi
}

# --stats: one line, wall/CPU/peak memory as the kernel counted them.
case_stats() {
	local f=$1 cg=${2:-} b t0 ms c0 c1 line wall cpu peak extra=()
	b=$(bin "$f")
	[ -n "$cg" ] && extra=(--memory 256M --pids 50 "${PARENTS[@]}")
	read -r -a c0 < <(cut -d' ' -f16,17 "/proc/$$/stat")
	t0=$(now_ms)
	run_in "$MODE" "$b" "${BASE[@]}" --stats "${extra[@]}" sh -c \
		"dd if=/dev/zero of=/dev/null bs=40M count=1 2>/dev/null
		 i=0; while [ \$i -lt 100000 ]; do i=\$((i + 1)); done; $SLP 0.2"
	ms=$(($(now_ms) - t0))
	read -r -a c1 < <(cut -d' ' -f16,17 "/proc/$$/stat")
	local what="$MODE $f --stats${cg:+ --memory 256M --pids 50}"
	is "$RC" 0 "$what: ran"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$what: one line"
	line=$(own_lines "$f")
	like "$line" "^$f: stats: exited after [0-9.]+ s wall, [0-9.]+ s user and [0-9.]+ s system CPU, peak memory [0-9.]+ MiB${cg:+, [0-9]+ processes at most}$" \
		"$what: says why, wall time, CPU times, peak memory${cg:+, processes}"
	read -r wall cpu peak < <(printf '%s\n' "$line" | awk '{
		for (i = 1; i <= NF; i++) { if ($(i + 1) == "s" && $(i + 2) == "wall,") w = $i
			if ($(i + 1) == "s" && ($(i + 2) == "user" || $(i + 2) == "system")) c += $i
			if ($i == "memory") p = $(i + 1) }
		printf "%d %d %d\n", w * 1000, c * 1000, p }')
	ok "$what: wall ${wall} ms: at least the 200 ms sleep, at most the ${ms} ms the test saw" \
		test "${wall:-0}" -ge 200 -a "${wall:-0}" -le "$ms"
	# What the kernel counted for everything this run reaped (clock ticks).
	local k=$(((c1[0] + c1[1] - c0[0] - c0[1]) * 1000 / TICKS))
	ok "$what: CPU ${cpu} ms, near the kernel's ${k} ms for the whole run" \
		test "${cpu:-0}" -ge $((k / 2 - 30)) -a "${cpu:-0}" -le $((k + 30))
	ok "$what: peak memory ${peak} MiB holds dd's 40M buffer" test "${peak:-0}" -ge 40
	[ -z "$cg" ] || is "$(cg_count)" 0 "$what: the sandbox's cgroups are gone"
}

# --json-status-fd: exit-code, then reason and usage (hutch face); bubblewrap's documents only
# in the bwrap face without a new option; the error document of a setup failure.
case_json() {
	run_in "$MODE" "$H" "${BASE[@]}" --json-status-fd 3 sh -c 'exit 3' 3>"$J"
	is "$RC" 3 "$MODE hutch --json-status-fd: the command's status"
	like "$(jdoc 1)" '^\{ "child-pid": [0-9]+' "$MODE hutch --json-status-fd: child-pid first"
	is "$(jdoc 2)" '{ "exit-code": 3 }' "$MODE hutch --json-status-fd: then exit-code"
	like "$(jdoc 3)" '^\{ "reason": "exited", "wall-time-ms": [0-9]+, "cpu-user-ms": [0-9]+, "cpu-system-ms": [0-9]+' \
		"$MODE hutch --json-status-fd: then the reason and the usage"
	is "$(wc -l <"$J")" 3 "$MODE hutch --json-status-fd: three documents"
	run_in "$MODE" "$B" "${BASE[@]}" --json-status-fd 3 sh -c 'exit 3' 3>"$J"
	is "$RC:$(jdoc 2)" '3:{ "exit-code": 3 }' "$MODE bwrap --json-status-fd: exit-code second"
	is "$(wc -l <"$J"):$(grep -c reason "$J")" 2:0 "$MODE bwrap --json-status-fd: bubblewrap's two documents alone"
	run_in "$MODE" "$H" "${BASE[@]}" --ro-bind "$T/missing" /x --json-status-fd 3 true 3>"$J"
	is "$RC" 125 "$MODE hutch --json-status-fd, setup failure: status 125"
	is "$(tail -n 1 "$J" | sed 's/^{ "error": "\(.*\)", "status": \([0-9]*\) }$/\2 \1/')" \
		"125 $(printf '%s\n' "$ERR" | head -n 1)" \
		"$MODE hutch --json-status-fd, setup failure: the error document has the message and status"
	is "$(grep -c exit-code "$J")" 0 "$MODE hutch --json-status-fd, setup failure: no exit-code"
	run_in "$MODE" "$B" "${BASE[@]}" --ro-bind "$T/missing" /x --json-status-fd 3 true 3>"$J"
	is "$RC:$(grep -c -e error -e exit-code "$J")" 1:0 \
		"$MODE bwrap --json-status-fd, setup failure: status 1, bubblewrap writes no error"
}

# No writable cgroup (uid 65534 in the session's own cgroups, nothing delegated there): the
# error and its hints, or with --limits-try, rlimits and one warning.
case_limits_try() {
	local f=$1 b st
	b=$(bin "$f")
	[ "$MODE" = user ] || return 0
	# Without root the test cannot tell whether the caller's cgroup was delegated.
	need "user $f: --limits-try" memory pids || return 0
	st=125
	[ "$f" = bwrap ] && st=1
	run_as user "$b" "${BASE[@]}" --memory 64M --pids 20 echo ran
	is "$RC:$OUT" "$st:" "user $f: no writable cgroup: fails with $st, the command never runs"
	like "$(printf '%s\n' "$ERR" | head -n 1)" "^$f: cannot create the sandbox's cgroup: .+" \
		"user $f: no writable cgroup: the message"
	like "$(printf '%s\n' "$ERR" | sed -n 2p)" "^hint: " "user $f: no writable cgroup: hint lines"
	is "$(printf '%s\n' "$ERR" | grep -vc '^hint: ')" 1 "user $f: no writable cgroup: the rest are hints"
	run_as user "$b" "${BASE[@]}" --memory 64M --pids 20 --limits-try cat /proc/self/limits
	is "$RC" 0 "user $f --limits-try: runs"
	like "$ERR" "^$f: --limits-try: no cgroup for the sandbox .*rlimits instead" \
		"user $f --limits-try: says so"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "user $f --limits-try: once"
	is "$(limit 'Max address space' | cut -d' ' -f1):$(limit 'Max processes' | cut -d' ' -f1)" \
		"$((64 << 20)):20" "user $f --limits-try: RLIMIT_AS 64M and RLIMIT_NPROC 20 instead"
}

# --unshare-cgroup: the sandbox's cgroup is the root of what it sees.
case_cgroupns() {
	local f=$1 b
	b=$(bin "$f")
	need "$MODE $f: --unshare-cgroup" memory || return 0
	if [ "${WHERE[memory]}" = v2 ]; then
		run_in "$MODE" "$b" "${BASE[@]}" --memory 64M "${PARENTS[@]}" cat /proc/self/cgroup
		like "$(printf '%s\n' "$OUT" | grep '^0::')" "/$CG_NAME/hutch\.[0-9]+\.[0-9]+\.[0-9]+$" \
			"$MODE $f --memory: in the sandbox's cgroup"
		run_in "$MODE" "$b" "${BASE[@]}" --unshare-cgroup --memory 64M "${PARENTS[@]}" \
			cat /proc/self/cgroup
		is "$(printf '%s\n' "$OUT" | grep '^0::')" "0::/" "$MODE $f --unshare-cgroup --memory: / for memory"
	else
		run_in "$MODE" "$b" "${BASE[@]}" --memory 64M "${PARENTS[@]}" cat /proc/self/cgroup
		like "$(printf '%s\n' "$OUT" | grep ':memory:')" \
			":memory:.*/$CG_NAME/hutch\.[0-9]+\.[0-9]+\.[0-9]+$" \
			"$MODE $f --memory: in the sandbox's memory cgroup"
		run_in "$MODE" "$b" "${BASE[@]}" --unshare-cgroup --memory 64M "${PARENTS[@]}" \
			cat /proc/self/cgroup
		like "$(printf '%s\n' "$OUT" | grep ':memory:')" '^[0-9]+:memory:/$' \
			"$MODE $f --unshare-cgroup --memory: / for memory"
	fi
	is "$(cg_count)" 0 "$MODE $f --unshare-cgroup: the sandbox's cgroups are gone"
}

case_all() {
	local f
	for f in hutch bwrap; do
		case_oom "$f"
		case_pids "$f"
		case_rlimit "$f"
		case_grace "$f"
		case_cgroupns "$f"
		case_limits_try "$f"
	done
	case_timeout hutch
	case_timeout hutch --unshare-pid
	case_stop_parent hutch
	case_stop_parent bwrap
	case_timeout bwrap
	case_killed hutch --unshare-pid
	case_killed hutch --timeout 60
	case_killed bwrap
	case_killed bwrap --unshare-pid
	case_stale
	case_leftovers hutch killed --unshare-pid
	case_leftovers hutch killed --info-fd 3
	case_leftovers hutch kept --keep-children --info-fd 3
	case_kept_pidns
	case_stranger --unshare-pid
	case_stranger --info-fd 3
	case_stranger --timeout 30
	case_leftovers bwrap kept
	case_leftovers bwrap kept --info-fd 3
	case_pty hutch killed
	case_pty hutch kept --keep-children
	case_stats hutch
	case_stats bwrap
	if need "$MODE: --stats with a cgroup" memory pids; then
		case_stats hutch cgroup
	fi
	case_json
	is "$(cg_count)" 0 "$MODE: no sandbox cgroup left behind"
}

for_each_mode case_all
done_testing

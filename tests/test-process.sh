#!/bin/bash
# The command's process: directory, environment, argv[0], session, lifetime tied to the
# parent, signals forwarded to it, pid 1, exit status.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

case_chdir() {
	local d
	run_as "$MODE" "$H" --ro-bind / / --chdir /usr "$P" cwd env=PWD
	is "$RC:$(val cwd)" 0:/usr "$MODE: --chdir /usr: the command starts in /usr"
	is "$(val env:PWD)" /usr "$MODE: --chdir /usr: PWD is /usr"
	run_as "$MODE" "$H" --ro-bind / / "$P" cwd env=PWD
	is "$RC:$(val cwd)" "0:$T" "$MODE: without --chdir: the caller's directory, which exists inside"
	is "$(val env:PWD)" "$T" "$MODE: without --chdir: PWD is the caller's directory"
	d=$(scratch)
	run_as "$MODE" env -C "$d" HOME=/usr "$H" "${MINROOT_NOPROC[@]}" "$P" cwd env=PWD
	is "$RC:$(val cwd)" 0:/usr "$MODE: caller's directory missing inside: \$HOME"
	is "$(val env:PWD)" /usr "$MODE: caller's directory missing inside: PWD is \$HOME"
	run_as "$MODE" "$H" --ro-bind / / --chdir /nonexistent-dir "$P" cwd
	isnt "$RC" 0 "$MODE: --chdir to a missing directory fails"
	is "$OUT" "" "$MODE: --chdir to a missing directory does not run the command"
}

case_env() {
	run_as "$MODE" env HUTCH_T1=one HUTCH_T2=two "$H" --ro-bind / / --setenv FOO 'bar baz' \
		--setenv HUTCH_T1 changed --unsetenv HUTCH_T2 "$P" env=FOO env=HUTCH_T1 env=HUTCH_T2 env=PATH
	is "$RC" 0 "$MODE: --setenv/--unsetenv run"
	is "$(val env:FOO)" 'bar baz' "$MODE: --setenv FOO 'bar baz'"
	is "$(val env:HUTCH_T1)" changed "$MODE: --setenv replaces an inherited variable"
	is "$(val env:HUTCH_T2)" '(unset)' "$MODE: --unsetenv removes an inherited variable"
	is "$(val env:PATH)" "$PATH" "$MODE: other variables are inherited"
	run_as "$MODE" env HUTCH_T1=one "$H" --ro-bind / / --clearenv "$P" envnames
	is "$RC:$(val envnames)" 0:PWD "$MODE: --clearenv leaves only PWD"
	run_as "$MODE" "$H" --ro-bind / / --clearenv --setenv A b "$P" envnames env=A
	is "$(val envnames):$(val env:A)" A,PWD:b "$MODE: --clearenv then --setenv A b"
	run_as "$MODE" "$H" --ro-bind / / --setenv A b --clearenv "$P" envnames
	is "$(val envnames)" PWD "$MODE: --setenv then --clearenv: the options apply in order"
}

case_argv0() {
	run_as "$MODE" "$H" --ro-bind / / --argv0 fancy-name "$P" argv0
	is "$RC:$(val argv0)" 0:fancy-name "$MODE: --argv0 sets argv[0]"
	run_as "$MODE" "$H" --ro-bind / / "$P" argv0
	is "$(val argv0)" "$P" "$MODE: without --argv0, argv[0] is the command as given"
}

case_new_session() {
	run_as "$MODE" "$H" --ro-bind / / --new-session "$P" pid session
	is "$RC" 0 "$MODE: --new-session runs"
	is "$(val sid)" "$(val pid)" "$MODE: --new-session: the command leads its own session"
	run_as "$MODE" "$H" --ro-bind / / "$P" pid session
	isnt "$(val sid)" "$(val pid)" "$MODE: without --new-session: the caller's session"
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / --new-session "$P" pid session
	# The session may be led by the command or by the reaper (bubblewrap calls setsid()
	# before it forks pid 1), but it is one inside the sandbox.
	like "$(val sid)" '^[12]$' "$MODE: --new-session with --unshare-pid: a session inside the sandbox"
	# Started as a process group leader (as a job-control shell starts it): setsid() is
	# refused to a group leader, so hutch must still end up with a new session.
	run_as "$MODE" perl -e 'setpgrp(0, 0); exec @ARGV or die' "$H" --ro-bind / / --new-session "$P" pid session
	is "$RC" 0 "$MODE: --new-session as a process group leader runs"
	is "$(val sid)" "$(val pid)" "$MODE: --new-session as a process group leader: own session"
}

# pid of the process whose command line is exactly the words given; empty when none.
pid_by_cmdline() {
	local f want
	want=$(printf '%s ' "$@")
	for f in /proc/[0-9]*/cmdline; do
		if [ "$(tr '\0' ' ' 2>/dev/null <"$f")" = "$want" ]; then
			f=${f#/proc/}
			echo "${f%/cmdline}"
			return
		fi
	done
}


alive() {
	[ -e "/proc/$1/stat" ] && ! awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null
}

case_die_with_parent() {
	local pidns tag shpid pid
	# --lock-file leaves a reaper behind the command without a PID namespace.
	for pidns in --share-net --unshare-pid "--lock-file /etc/hostname"; do
		tag=$((900000 + RANDOM))
		# sh starts hutch in the background and waits; then sh is killed with SIGKILL.
		# (--share-net only fills the slot: it is a no-op without --unshare-all.)
		# shellcheck disable=SC2016 # expanded by that sh
		(as_mode "$MODE" sh -c '"$0" --die-with-parent $1 --ro-bind / / sleep "$2" & wait' \
			"$H" "$pidns" "$tag") >/dev/null 2>&1 &
		shpid=$!
		pid=
		for _ in $(seq 100); do
			pid=$(pid_by_cmdline sleep "$tag")
			[ -n "$pid" ] && break
			sleep 0.1
		done
		if [ -z "$pid" ]; then
			fail "$MODE: --die-with-parent $pidns: the command started"
			kill -9 "$shpid" 2>/dev/null
			wait "$shpid" 2>/dev/null
			kill_matching "sleep $tag "
			continue
		fi
		kill -9 "$shpid"
		wait "$shpid" 2>/dev/null
		for _ in $(seq 50); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			fail "$MODE: --die-with-parent $pidns: the command dies when hutch's parent is killed" \
				"pid $pid (sleep $tag) still alive 5s after its grandparent was killed"
			kill_matching "sleep $tag "
		else
			pass "$MODE: --die-with-parent $pidns: the command dies when hutch's parent is killed"
		fi
	done
}

# signal_case SIG [OPTIONS...]: send SIG to hutch, the probe inside reports what it got.
signal_case() {
	local sig=$1 d hpid rc
	shift
	d=$(scratch)
	(as_mode "$MODE" env --default-signal "$H" "$@" --ro-bind / / --bind "$d" "$d" \
		"$P" wait-signal="$d/ready") >"$d/out" 2>"$d/err" &
	hpid=$!
	for _ in $(seq 100); do
		[ -e "$d/ready" ] && break
		sleep 0.1
	done
	if [ ! -e "$d/ready" ]; then
		fail "$MODE: SIG$sig to hutch $*: the probe got ready" "stderr: $(cat "$d/err")"
		kill -9 "$hpid" 2>/dev/null
		wait "$hpid" 2>/dev/null
		kill_matching "wait-signal=$d/ready"
		return
	fi
	kill "-$sig" "$hpid"
	for _ in $(seq 100); do
		alive "$hpid" || break
		sleep 0.1
	done
	alive "$hpid" && kill -9 "$hpid"
	wait "$hpid" 2>/dev/null
	rc=$?
	# Without forwarding, a killed hutch leaves the probe waiting.
	kill_matching "wait-signal=$d/ready"
	OUT=$(cat "$d/out")
	# What fail() shows for this run.
	# shellcheck disable=SC2034
	LAST_CMD='' RC=$rc ERR=$(cat "$d/err")
	is "$(val signal)" "$sig" "$MODE: SIG$sig sent to hutch ${*:-(no options)} reaches the command"
	is "$rc" 0 "$MODE: SIG$sig to hutch ${*:-(no options)}: hutch exits with the command's status"
}

case_signals() {
	local sig
	for sig in TERM INT USR1; do
		signal_case "$sig"
		signal_case "$sig" --unshare-pid
	done
	signal_case TERM --unshare-pid --as-pid-1
}

case_as_pid_1() {
	run_as "$MODE" "$H" --unshare-pid --as-pid-1 --ro-bind / / "$P" pid ppid
	is "$RC:$(val pid):$(val ppid)" 0:1:0 \
		"$MODE: --as-pid-1: the command is pid 1 with no parent inside"
	run_as "$MODE" "$H" --as-pid-1 --ro-bind / / "$P" pid
	isnt "$RC" 0 "$MODE: --as-pid-1 without --unshare-pid is refused"
	is "$OUT" "" "$MODE: --as-pid-1 without --unshare-pid does not run the command"
}

case_exit_codes() {
	local opts code
	for opts in "" "--unshare-pid" "--unshare-pid --as-pid-1" "--die-with-parent --new-session"; do
		for code in 0 3 254; do
			# shellcheck disable=SC2086 # opts is split on purpose
			run_as "$MODE" "$H" $opts --ro-bind / / "$P" exit="$code"
			is "$RC" "$code" "$MODE: exit $code passes through ${opts:-(no options)}"
		done
	done
	# Started with SIGCHLD ignored (inherited across exec): the exit status still arrives.
	run_as "$MODE" python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$H" --unshare-pid --ro-bind / / "$P" exit=6
	is "$RC" 6 "$MODE: exit status passes through when started with SIGCHLD ignored"
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / sh -c 'sleep 2 & exit 5'
	is "$RC" 5 "$MODE: --unshare-pid: the status is the command's even with a child left behind"
}

for_each_mode case_chdir
for_each_mode case_env
for_each_mode case_argv0
for_each_mode case_new_session
for_each_mode case_die_with_parent
for_each_mode case_signals
for_each_mode case_as_pid_1
for_each_mode case_exit_codes
done_testing

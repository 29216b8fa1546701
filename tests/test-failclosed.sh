#!/bin/bash
# Fail closed: the command never runs unless every step before it succeeded and the parent said
# go; fds named by options are checked before hutch opens its own; lock files and --file never
# block on what the sandbox planted; a setup killed by a signal is a setup failure; root's
# sandbox in the hutch face has a user namespace, and --host-uid puts it on another host uid.
# Every case checks what happened (a marker the command would write, the host), not only the
# status hutch returned.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# The command of every case: write a marker where the test can see it, then say RAN.
# ran_cmd DIR: sets RUN to the argv of a command that leaves DIR/ran.
ran_cmd() {
	RUN=(sh -c "touch '$1/ran'; echo RAN")
}

# no_run NAME DIR: the command did not run.
no_run() {
	if [ -e "$2/ran" ]; then
		fail "$1: the command did not run" "found $2/ran"
	else
		pass "$1: the command did not run"
	fi
}

# A named fd that is closed when hutch starts: fd 3 and 4 are the first numbers hutch would
# open for itself (a pipe, /proc), so a missing check hands them to the wrong code.
case_closed_named_fds() {
	local d opt face bin
	for face in hutch bwrap; do
		bin=$H
		[ "$face" = bwrap ] && bin=$B
		for opt in "--seccomp 3" "--add-seccomp-fd 3" "--info-fd 3" "--info-fd 4" \
			"--json-status-fd 4" "--userns 3" "--pidns 3" "--file 3 /f" "--bind-data 3 /f" \
			"--bind-fd 3 /x"; do
			d=$(scratch)
			ran_cmd "$d"
			# shellcheck disable=SC2086 # opt is two or three words
			run_as "$MODE" "$bin" --ro-bind / / --bind "$d" "$d" $opt "${RUN[@]}"
			if [ "$face" = hutch ]; then
				is "$RC" 64 "$MODE: $face $opt (fd closed): a usage error, at once"
				like "$ERR" "^hutch: cannot use fd [34] \(${opt%% *}\): Bad file descriptor$" \
					"$MODE: $face $opt: the message names the fd and the option"
			else
				is "$RC" 1 "$MODE: $face $opt (fd closed): bubblewrap's failure status"
				like "$ERR" "^bwrap: (Write to info_fd|Can't read seccomp data|Joining specified user namespace failed|Setting pidns failed|Can't write data to file /f|Can't find source path /proc/self/fd/3): (Bad file descriptor|No such file or directory)$" \
					"$MODE: $face $opt: bubblewrap's message"
			fi
			no_run "$MODE: $face $opt" "$d"
		done
		# bubblewrap goes on without a closed --sync-fd or --block-fd; so does its face.
		d=$(scratch)
		ran_cmd "$d"
		run_as "$MODE" "$bin" --ro-bind / / --bind "$d" "$d" --sync-fd 3 --block-fd 4 \
			"${RUN[@]}"
		if [ "$face" = hutch ]; then
			is "$RC" 64 "$MODE: hutch --sync-fd 3 (closed): a usage error"
			no_run "$MODE: hutch --sync-fd 3 (closed)" "$d"
		else
			is "$RC:$OUT" "0:RAN" "$MODE: bwrap --sync-fd/--block-fd (closed): ignored, as bubblewrap"
		fi
	done
	run_as "$MODE" "$H" --ro-bind / / --pass-fd 5 true
	is "$RC" 64 "$MODE: hutch --pass-fd 5 (closed): a usage error"
	like "$ERR" "cannot use fd 5 \(--pass-fd\)" "$MODE: ... naming the fd"
}

# The parent fails after clone (its write to --info-fd fails: /dev/full says ENOSPC): the
# child must not go on to run the command. Before the go byte, the child took the EOF of the
# release pipe as "go".
case_parent_fails() {
	local d face bin want
	for face in hutch bwrap; do
		bin=$H
		want=125
		[ "$face" = bwrap ] && bin=$B && want=1
		for fdopt in --info-fd --json-status-fd; do
			for pid in "" --unshare-pid; do
				d=$(scratch)
				ran_cmd "$d"
				run_as "$MODE" "$bin" --ro-bind / / --bind "$d" "$d" $pid "$fdopt" 4 \
					"${RUN[@]}" 4>/dev/full
				is "$RC" "$want" "$MODE: $face $fdopt on /dev/full $pid: setup failure"
				like "$ERR" "No space left on device" "$MODE: ... saying why"
				sleep 0.1
				no_run "$MODE: $face $fdopt on /dev/full $pid" "$d"
			done
		done
	done
}

# hutch killed while the sandbox is still being set up (held at --block-fd): the sandbox
# dies with it, and the command never runs even when the block is released afterwards.
case_parent_killed_during_setup() {
	local d pid face bin
	for face in hutch bwrap; do
		bin=$H
		[ "$face" = bwrap ] && bin=$B
		d=$(scratch)
		ran_cmd "$d"
		mkfifo "$d/block"
		chmod 0666 "$d/block"
		(as_mode "$MODE" "$bin" --ro-bind / / --bind "$d" "$d" --unshare-pid --block-fd 5 \
			sh -c "touch '$d/ran'; sleep 1000.$$" 5<"$d/block") &
		pid=$!
		exec 6>"$d/block" # the child is now blocked reading fd 5
		sleep 0.3
		local hutch_pid
		hutch_pid=$(pgrep -f -n -- "--block-fd 5 sh -c touch '$d/ran'" || :)
		[ -n "$hutch_pid" ] && kill -9 "$hutch_pid"
		sleep 0.2
		# Release the block: a surviving child would now run the command. (No reader left
		# is the good outcome: the subshell takes the SIGPIPE.)
		(echo x >&6) 2>/dev/null
		exec 6>&-
		wait "$pid" 2>/dev/null
		sleep 0.3
		no_run "$MODE: $face killed during the setup" "$d"
		if pgrep -f "sleep 1000.$$" >/dev/null; then
			fail "$MODE: $face killed during the setup: nothing of the sandbox remains"
			kill_matching "sleep 1000.$$"
		else
			pass "$MODE: $face killed during the setup: nothing of the sandbox remains"
		fi
	done
}

# A setup process killed by a signal (here SIGKILL when it calls pivot_root, by strace's fault
# injection) ends hutch with the setup status, not 128+9.
case_setup_killed() {
	command -v strace >/dev/null || {
		skip "$MODE: strace is not installed"
		return
	}
	local d face bin want pid
	for face in hutch bwrap; do
		bin=$H
		want=125
		[ "$face" = bwrap ] && bin=$B && want=1
		for pid in "" --unshare-pid; do
			d=$(scratch)
			ran_cmd "$d"
			run_as "$MODE" strace -f -qq -o /dev/null -e trace=pivot_root \
				-e inject=pivot_root:signal=SIGKILL "$bin" --ro-bind / / --bind "$d" "$d" \
				$pid --info-fd 2 "${RUN[@]}"
			is "$RC" "$want" "$MODE: $face setup killed by SIGKILL $pid: setup status $want"
			if [ "$face" = hutch ]; then
				like "$ERR" "setup process was killed by signal 9" "$MODE: ... saying so"
			fi
			no_run "$MODE: $face setup killed $pid" "$d"
		done
	done
}

# --lock-file on something the sandbox could have planted: a FIFO (would block pid 1), a link
# to one, a device node; and a missing file. The launch stops before the command exists.
case_lock_files() {
	local w face bin want
	for face in hutch bwrap; do
		bin=$H
		want=125
		[ "$face" = bwrap ] && bin=$B && want=1
		w=$(owned_dir "$MODE")
		mkfifo "$w/fifo"
		ln -s fifo "$w/link"
		: >"$w/ok"
		give_to "$MODE" "$w"/*
		for target in fifo link missing; do
			local d
			d=$(scratch)
			ran_cmd "$d"
			run_as "$MODE" "$bin" --ro-bind / / --bind "$w" "$w" --bind "$d" "$d" --unshare-pid \
				--lock-file "$w/$target" "${RUN[@]}"
			is "$RC" "$want" "$MODE: $face --lock-file on a $target: setup failure (no hang)"
			like "$ERR" "(lock file|Unable to open lock file) .*$target" \
				"$MODE: ... the lock file's message"
			no_run "$MODE: $face --lock-file on a $target" "$d"
		done
		run_as "$MODE" "$bin" --ro-bind / / --dev /dev --unshare-pid --lock-file /dev/null true
		is "$RC" "$want" "$MODE: $face --lock-file on a device node: refused"
		d=$(scratch)
		ran_cmd "$d"
		run_as "$MODE" "$bin" --ro-bind / / --bind "$w" "$w" --bind "$d" "$d" --unshare-pid \
			--lock-file "$w/ok" sh -c "touch '$d/ran'; cat /proc/locks"
		is "$RC" 0 "$MODE: $face --lock-file on a regular file: runs"
		like "$OUT" "POSIX +ADVISORY +READ" "$MODE: ... holding a read lock while it runs"
	done
}

# --file onto a FIFO planted at the destination: fails instead of blocking forever in open.
case_file_onto_fifo() {
	local w d face bin
	for face in hutch bwrap; do
		bin=$H
		[ "$face" = bwrap ] && bin=$B
		w=$(owned_dir "$MODE")
		mkfifo "$w/f"
		give_to "$MODE" "$w/f"
		d=$(scratch)
		ran_cmd "$d"
		run_as "$MODE" "$bin" --ro-bind / / --bind "$w" "$w" --bind "$d" "$d" --file 3 "$w/f" \
			"${RUN[@]}" 3</dev/null
		isnt "$RC" 0 "$MODE: $face --file onto a FIFO: fails (no hang)"
		like "$ERR" "$w/f" "$MODE: ... naming the file"
		[ "$RC" = 124 ] && fail "$MODE: $face --file onto a FIFO: timed out"
		no_run "$MODE: $face --file onto a FIFO" "$d"
		is "$(stat -c %F "$w/f")" "fifo" "$MODE: $face --file onto a FIFO: the FIFO is left alone"
	done
}

# --file's mode: 0666 less the umask in the hutch face, 0666 in the bwrap face (bubblewrap).
case_file_mode() {
	local w
	w=$(owned_dir "$MODE")
	run_as "$MODE" sh -c 'umask 027; exec "$@"' sh "$H" --ro-bind / / --bind "$w" "$w" \
		--file 3 "$w/h" true 3</dev/null
	is "$RC:$(stat -c %a "$w/h")" "0:640" "$MODE: hutch --file honours the umask (027: 0640)"
	run_as "$MODE" sh -c 'umask 027; exec "$@"' sh "$B" --ro-bind / / --bind "$w" "$w" \
		--file 3 "$w/b" true 3</dev/null
	is "$RC:$(stat -c %a "$w/b")" "0:666" "$MODE: bwrap --file is 0666 whatever the umask"
}

# Root in the hutch face: a user namespace; --host-uid maps it onto another host uid, which
# then owns what the command creates and cannot read root's private files.
case_root_userns() {
	if [ "$MODE" != root ]; then
		run_as user "$H" --ro-bind / / --host-uid 0 true
		is "$RC" 64 "user: --host-uid of another id: refused"
		like "$ERR" "only root may choose other host ids" "user: ... saying why"
		return
	fi
	local w
	w=$(scratch)
	run_as root "$H" --ro-bind / / "$P" ns=user uid_map caps
	isnt "$(val ns:user)" "$(readlink /proc/self/ns/user)" "root: hutch face: a user namespace"
	run_as root "$H" --ro-bind / / --dev /dev --bind "$w" "$w" --host-uid 65534 --host-gid 65534 \
		sh -c 'cat /proc/self/uid_map /proc/self/gid_map; grep ^Groups: /proc/self/status;
			id -u; touch '"$w"'/new; cat /etc/shadow >/dev/null 2>&1 && echo SHADOW-READ; :'
	is "$RC" 0 "root: --host-uid 65534: runs"
	like "$OUT" "^ +0 +65534 +1" "root: --host-uid 65534: uid 0 inside is 65534 on the host"
	unlike "$OUT" "SHADOW-READ" "root: --host-uid 65534: /etc/shadow is out of reach"
	like "$OUT" "^Groups:[[:space:]]*$" "root: --host-uid: no supplementary group of root's"
	is "$(stat -c %u:%g "$w/new")" "65534:65534" "root: --host-uid: what it creates is 65534's"
	run_as root "$H" --ro-bind / / --dev /dev --uid 1000 --host-uid 65534 --host-gid 65534 \
		sh -c 'id -u; cat /proc/self/uid_map'
	is "$RC:$(printf '%s\n' "$OUT" | head -n 1)" "0:1000" \
		"root: --host-uid with --uid and --dev (a nested namespace): uid 1000 inside"
	run_as root "$H" --userns 3 --host-uid 1 true 3</proc/self/ns/user
	isnt "$RC" 0 "root: --host-uid with --userns: refused"
}

# A pre-exec failure after the status documents are written: whichever of hutch's own steps
# fails (each call of each system call the setup makes, failed in turn by strace's fault
# injection), "exit-code" is written to --json-status-fd exactly when the command ran.
case_preexec_failures() {
	command -v strace >/dev/null || {
		skip "$MODE: strace is not installed"
		return
	}
	local face bin pid sc n d js calls bad=0 runs=0 fails=0
	for face in bwrap hutch; do
		bin=$B
		calls="prctl capset seccomp setresuid setresgid setgroups chdir execve sethostname"
		calls+=" close_range clone pipe2 pivot_root umount2 mount_setattr move_mount"
		# The faces share the code; the hutch face's own steps: its filter and pid 1's.
		# (Not read: its calls after the exec are the command's, or the parent's own
		# post-exec bookkeeping; case_parent_fails covers the go byte's EOF.)
		[ "$face" = hutch ] && bin=$H && calls="prctl capset seccomp close_range"
		for pid in "" --unshare-pid; do
			for sc in $calls; do
				for n in $(seq 1 60); do
					d=$(scratch)
					js=$d/json
					run_as "$MODE" strace -f -qq -o "$d/trace" -e trace="$sc" \
						-e inject="$sc":error=EPERM:when="$n" "$bin" --ro-bind / / \
						--bind "$d" "$d" --dev /dev $pid --unshare-uts --hostname h \
						--json-status-fd 3 sh -c "touch '$d/ran'; exit 7" 3>"$js"
					grep -q INJECTED "$d/trace" || break
					runs=$((runs + 1))
					local code
					code=$(sed -n 's/^{ "exit-code": \([0-9]*\) }$/\1/p' "$js")
					if [ -e "$d/ran" ]; then
						[ "$code:$RC" = 7:7 ] || {
							bad=$((bad + 1))
							diag "$face $pid $sc #$n: ran, status $RC, exit-code '$code'"
						}
					else
						fails=$((fails + 1))
						if [ -n "$code" ] || [ "$RC" = 0 ] || [ "$RC" = 7 ]; then
							bad=$((bad + 1))
							diag "$face $pid $sc #$n: did not run, status $RC, exit-code '$code'"
						fi
					fi
				done
			done
		done
	done
	is "$bad" 0 "$MODE: $runs runs with one failed call each ($fails stopped the launch): an exit-code document exactly when the command ran"
	[ "$fails" -gt 20 ] && pass "$MODE: ... the injections did stop launches" ||
		fail "$MODE: ... the injections did stop launches" "only $fails of $runs"
}

for_each_mode case_preexec_failures
for_each_mode case_closed_named_fds
for_each_mode case_parent_fails
for_each_mode case_parent_killed_during_setup
for_each_mode case_setup_killed
for_each_mode case_lock_files
for_each_mode case_file_onto_fifo
for_each_mode case_file_mode
for_each_mode case_root_userns
done_testing

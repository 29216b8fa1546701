#!/bin/bash
# The bwrap face as a drop-in for bubblewrap 0.11.1, the options clients drive it with:
# --args, --argv0, --level-prefix, --info-fd and --json-status-fd (exact JSON), --sync-fd,
# --block-fd, --userns-block-fd, --lock-file, joining namespaces (--userns, --userns2,
# --pidns), --disable-userns, --assert-userns-disabled, --bind-fd, overlays, raw seccomp
# programs (--seccomp, --add-seccomp-fd), labels, --version/--help, no argument limit, and
# command lines written the way flatpak, BuildStream and friends write them.
# Assertions are on what the kernel reports (the probe inside, /proc outside) wherever the
# behaviour is observable there; messages are bubblewrap 0.11.1's exact texts.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DATA=$T/data
echo fd-data >"$DATA"
chmod 0644 "$DATA"

# bw ARGS...: run the bwrap face as $MODE (sets OUT ERR RC, see run_as).
bw() {
	run_as "$MODE" "$B" "$@"
}

# err_is EXPECTED NAME: the run failed with status 1, stderr exactly EXPECTED.
err_is() {
	is "$RC:$ERR" "1:$1" "$2"
}

# nul FILE ARGS...: FILE holds ARGS, each followed by a NUL byte (the --args format).
nul() {
	local f=$1
	shift
	printf '%s\0' "$@" >"$f"
	chmod 0644 "$f"
}

# bg_start NAME REDIRECTIONS COMMAND...: start COMMAND as $MODE in the background, stdout
# and stderr to $T/bg.NAME.out/.err; BG_PID is the background job. REDIRECTIONS (a string
# such as "3>'$d/info'") are made by a shell that then execs COMMAND, so only COMMAND holds
# those fds (not this shell, not timeout: a fifo sees EOF when COMMAND closes it).
BG_PIDS=
bg_start() {
	local name=$1 redirs=$2
	shift 2
	# 7 and 8 are the test's own ends of fifos: the sandbox must not hold them.
	(
		exec 7>&- 8>&-
		# shellcheck disable=SC2016 # expanded by that bash
		as_mode "$MODE" timeout -k 5 "$TEST_TIMEOUT" "$BASH" -c 'eval "exec $0" && exec "$@"' \
			"$redirs" "$@"
	) >"$T/bg.$name.out" 2>"$T/bg.$name.err" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}
# shellcheck disable=SC2016 # eval'd at exit
at_cleanup 'for _p in $BG_PIDS; do kill -9 $_p 2>/dev/null; done; kill_matching "$T/"'

# bg_wait NAME: wait for the last background job; OUT ERR RC as run_as sets them.
bg_wait() {
	wait "$BG_PID"
	RC=$?
	OUT=$(cat "$T/bg.$1.out")
	ERR=$(cat "$T/bg.$1.err")
	LAST_CMD="[$MODE] background job $1"
}

# The info document is complete: it ends with "}\n".
info_done() {
	[ -s "$1" ] && [ "$(tail -c 2 "$1" | od -An -c | tr -d ' ')" = '}\n' ]
}

# json_num FILE KEY: the number after "KEY": in FILE (first one).
json_num() {
	sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}

# ns_keys FILE: the namespace names reported in FILE, in order, comma-separated.
ns_keys() {
	grep -o '"[a-z]*-namespace"' "$1" | sed 's/"\([a-z]*\)-namespace"/\1/' | paste -sd, -
}

# info_expected FILE: the exact document bubblewrap writes for the child-pid and namespace
# values found in FILE (so a byte-wise comparison checks the layout).
info_expected() {
	local k
	printf '{\n    "child-pid": %s' "$(json_num "$1" child-pid)"
	for k in $(ns_keys "$1" | tr , ' '); do
		printf ',\n    "%s-namespace": %s' "$k" "$(json_num "$1" "$k-namespace")"
	done
	printf '\n}\n'
}

# json_line1_expected FILE: json-status line 1 for the values in the info document FILE.
json_line1_expected() {
	local k
	printf '{ "child-pid": %s' "$(json_num "$1" child-pid)"
	for k in $(ns_keys "$1" | tr , ' '); do
		printf ', "%s-namespace": %s' "$k" "$(json_num "$1" "$k-namespace")"
	done
	printf ' }\n'
}

# same_bytes FILE EXPECTED NAME
same_bytes() {
	if printf '%s' "$2" | cmp -s - "$1"; then
		pass "$3"
	else
		fail "$3" "expected bytes: $(printf '%s' "$2" | od -An -c | head -c 600)" \
			"     got bytes: $(od -An -c "$1" | head -c 600)"
	fi
}

# ns_inode "mnt:[4026531841]" -> 4026531841
ns_inode() {
	printf '%s\n' "$1" | sed -n 's/^[a-z_]*:\[\([0-9]*\)\]$/\1/p'
}

# ============================================================================================
# --args, --argv0, --level-prefix

case_args() {
	local d
	d=$(scratch)
	nul "$d/a1" --ro-bind / / --setenv HUTCH_A one --argv0 from-args
	nul "$d/a2" --setenv HUTCH_B 'two words
and a line'
	bw --args 3 --args 4 "$P" env=HUTCH_A env=HUTCH_B argv0 fds 3<"$d/a1" 4<"$d/a2"
	is "$RC" 0 "$MODE: --args 3 --args 4: runs"
	is "$(val env:HUTCH_A):$(val argv0)" one:from-args \
		"$MODE: --args: options from the first file apply (--setenv, --argv0)"
	is "$(val env:HUTCH_B)" 'two words\nand a line' \
		"$MODE: --args: the second file applies; words are split at NUL only"
	is "$(val fds)" 0,1,2 "$MODE: --args: the argument fds are closed before the command runs"

	nul "$d/a3" --setenv HUTCH_A from-file
	bw --ro-bind / / --setenv HUTCH_A from-line --args 3 "$P" env=HUTCH_A 3<"$d/a3"
	is "$RC:$(val env:HUTCH_A)" 0:from-file \
		"$MODE: --args content is parsed in place (after earlier options)"
	bw --ro-bind / / --args 3 --setenv HUTCH_A from-line "$P" env=HUTCH_A 3<"$d/a3"
	is "$RC:$(val env:HUTCH_A)" 0:from-line \
		"$MODE: --args content is parsed in place (before later options)"

	bw --args 3 "$P" env=HUTCH_P 3< <(printf '%s\0' --ro-bind / / --setenv HUTCH_P piped)
	is "$RC:$(val env:HUTCH_P)" 0:piped "$MODE: --args reads a pipe"

	nul "$d/nested" --args 5
	bw --ro-bind / / --args 3 echo RAN 3<"$d/nested" 5<"$d/a3"
	err_is "bwrap: --args not supported in arguments file" \
		"$MODE: --args inside an arguments file is refused"
	is "$OUT" "" "$MODE: --args inside an arguments file: the command does not run"
	nul "$d/unknown" --ro-bind / / --frobnicate
	bw --args 3 echo RAN 3<"$d/unknown"
	err_is "bwrap: Unknown option --frobnicate" "$MODE: an unknown option inside --args content"
	bw --ro-bind / / --args x echo RAN
	err_is "bwrap: Invalid fd: x" "$MODE: --args x: Invalid fd"
	bw --ro-bind / / --args 9 echo RAN
	err_is "bwrap: Can't read --args data: Bad file descriptor" "$MODE: --args on a closed fd"
	bw --ro-bind / / --args
	err_is "bwrap: --args takes an argument" "$MODE: --args without its fd"
}

case_argv0() {
	bw --ro-bind / / --setenv PATH "$T/bin:/usr/bin:/bin" --argv0 fancy probe argv0
	is "$RC:$(val argv0)" 0:fancy \
		"$MODE: --argv0 fancy: argv[0] replaced, the command still found as 'probe' in PATH"
	bw --ro-bind / / -- "$P" argv0
	is "$RC:$(val argv0)" "0:$P" "$MODE: without --argv0 argv[0] is the command as given"
	bw --ro-bind / / --argv0
	err_is "bwrap: --argv0 takes one argument" "$MODE: --argv0 without its value"
}

case_level_prefix() {
	bw --level-prefix --ro-bind / / --bind "$T/missing-h3" /x echo RAN
	err_is "<3>bwrap: Can't find source path $T/missing-h3: No such file or directory" \
		"$MODE: --level-prefix: a setup error starts with <3>"
	bw --level-prefix --ro-bind / / /nonexistent-h3
	err_is "<3>bwrap: execvp /nonexistent-h3: No such file or directory" \
		"$MODE: --level-prefix: an exec failure starts with <3>"
	bw --level-prefix --argv0 a --argv0 b echo RAN
	err_is "<3>bwrap: --argv0 used multiple times" "$MODE: --level-prefix: a parse error starts with <3>"
	bw --frobnicate --level-prefix echo RAN
	err_is "bwrap: Unknown option --frobnicate" \
		"$MODE: an error before --level-prefix is parsed has no prefix"
	bw --level-prefix --ro-bind / / --chdir / --chdir /usr "$P" cwd
	is "$RC:$(val cwd)" 0:/usr "$MODE: --chdir twice: the last one wins"
	is "$ERR" "<4>bwrap: Only the last --chdir option will take effect" \
		"$MODE: --level-prefix: the warning starts with <4>"
	bw --ro-bind / / --chdir / --chdir /usr "$P" cwd
	is "$ERR" "bwrap: Only the last --chdir option will take effect" \
		"$MODE: without --level-prefix: the warning has no prefix"
}

# ============================================================================================
# --info-fd and --json-status-fd

# The namespaces bubblewrap reports for the options in the row; cgroup only when the kernel
# has cgroup namespaces.
CG=
[ -e /proc/self/ns/cgroup ] && CG=cgroup,
INFO_ROWS="|mnt
--unshare-user|mnt
--unshare-net|mnt,net
--unshare-ipc --unshare-uts|ipc,mnt,uts
--unshare-pid|mnt,pid
--unshare-cgroup-try|${CG}mnt
--unshare-all|${CG}ipc,mnt,net,pid,uts
--unshare-all --share-net|${CG}ipc,mnt,pid,uts"

case_info_fd() {
	local d opts keys k v name
	d=$(scratch)
	while IFS='|' read -r opts keys; do
		name="$MODE: --info-fd with ${opts:-no unshare option}"
		rm -f "$d/info" "$d/json"
		# shellcheck disable=SC2086 # opts split on purpose
		bw $opts --ro-bind / / --info-fd 3 --json-status-fd 4 "$P" ns=cgroup ns=ipc ns=mnt \
			ns=net ns=pid ns=uts fds 3>"$d/info" 4>"$d/json"
		is "$RC" 0 "$name: runs"
		is "$(ns_keys "$d/info")" "$keys" "$name: the namespaces reported are exactly $keys"
		like "$(json_num "$d/info" child-pid)" '^[1-9][0-9]*$' "$name: child-pid is a pid"
		same_bytes "$d/info" "$(info_expected "$d/info")
" "$name: the document is bubblewrap's, byte for byte"
		for k in ${keys//,/ }; do
			v=$(json_num "$d/info" "$k-namespace")
			is "$v" "$(ns_inode "$(val "ns:$k")")" \
				"$name: $k-namespace is the command's $k namespace"
		done
		is "$(head -n 1 "$d/json")" "$(json_line1_expected "$d/info")" \
			"$name: json-status line 1 carries the same values on one line"
		is "$(sed -n 2p "$d/json"):$(wc -l <"$d/json")" '{ "exit-code": 0 }:2' \
			"$name: json-status ends with the exit-code line"
		is "$(val fds)" 0,1,2 "$name: the command inherits neither fd"
	done <<<"$INFO_ROWS"
}

# A running sandbox: child-pid is alive while the command runs, its namespaces are the ones
# written, and json-status has only its first line until the command exits.
case_info_live() {
	local d pid k v ok_ns=yes nspid
	d=$(scratch)
	bg_start live "3>'$d/info' 4>'$d/json'" "$B" --unshare-all --ro-bind / / --bind "$d" "$d" \
		--info-fd 3 --json-status-fd 4 "$P" ns=mnt wait-file="$d/stop"
	if ! wait_until 20 info_done "$d/info"; then
		fail "$MODE: running sandbox: the info document is written" \
			"info: $(cat "$d/info")" "stderr: $(cat "$T/bg.live.err")"
		touch "$d/stop"
		bg_wait live
		return
	fi
	pid=$(json_num "$d/info" child-pid)
	ok "$MODE: running sandbox: child-pid $pid is a live process" test -d "/proc/$pid"
	for k in $(ns_keys "$d/info" | tr , ' '); do
		v=$(json_num "$d/info" "$k-namespace")
		if [ "$(readlink "/proc/$pid/ns/$k")" != "$k:[$v]" ]; then
			ok_ns="$k: /proc/$pid/ns/$k is $(readlink "/proc/$pid/ns/$k"), info says $v"
		fi
	done
	is "$ok_ns" yes "$MODE: running sandbox: /proc/child-pid/ns/* are the namespaces written"
	nspid=$(awk '$1 == "NSpid:" { print $NF }' "/proc/$pid/status" 2>/dev/null)
	is "$nspid" 1 "$MODE: running sandbox with --unshare-pid: child-pid is pid 1 inside"
	wait_until 20 test -s "$d/json"
	is "$(wc -l <"$d/json")" 1 "$MODE: running sandbox: json-status has only line 1 while it runs"
	touch "$d/stop"
	bg_wait live
	is "$RC:$(val wait-file:"$d/stop")" "0:0" "$MODE: running sandbox: ends when told"
	is "$(sed -n 2p "$d/json")" '{ "exit-code": 0 }' "$MODE: running sandbox: then the exit-code line"
	is "mnt:[$(json_num "$d/info" mnt-namespace)]" "$(val ns:mnt)" \
		"$MODE: running sandbox: the command's mnt namespace is the one written"
}

case_json_status() {
	local d
	d=$(scratch)
	bw --ro-bind / / --json-status-fd 4 sh -c 'exit 3' 4>"$d/j1"
	is "$RC" 3 "$MODE: json-status, exit 3: status 3"
	like "$(head -n 1 "$d/j1")" '^\{ "child-pid": [0-9]+(, "[a-z]+-namespace": [0-9]+)* \}$' \
		"$MODE: json-status line 1 has bubblewrap's shape"
	is "$(sed -n '2,$p' "$d/j1")" '{ "exit-code": 3 }' "$MODE: json-status: { \"exit-code\": 3 }"
	bw --unshare-pid --ro-bind / / --json-status-fd 4 "$P" exit=5 4>"$d/j2"
	is "$RC:$(sed -n '2,$p' "$d/j2")" '5:{ "exit-code": 5 }' \
		"$MODE: json-status with --unshare-pid: the command's status 5"
	bw --ro-bind / / --json-status-fd 4 "$P" kill=15 4>"$d/j3"
	is "$RC:$(sed -n '2,$p' "$d/j3")" '143:{ "exit-code": 143 }' \
		"$MODE: json-status: killed by SIGTERM is 128+15"
	bw --ro-bind / / --json-status-fd 4 --chmod 0700 /nonexistent-h3 echo RAN 4>"$d/j4"
	is "$RC:$OUT" 1: "$MODE: json-status, setup failure: status 1, the command does not run"
	is "$(wc -l <"$d/j4")" 1 "$MODE: json-status, setup failure: line 1 only, no exit-code"
	like "$(cat "$d/j4")" '^\{ "child-pid": ' "$MODE: json-status, setup failure: line 1 was written"
	bw --ro-bind / / --json-status-fd 4 /nonexistent-h3 4>"$d/j5"
	is "$RC" 1 "$MODE: json-status, exec failure: status 1"
	is "$(wc -l <"$d/j5")" 1 "$MODE: json-status, exec failure: no exit-code line"
	bw --ro-bind / / --unshare-pid --json-status-fd 4 /nonexistent-h3 4>"$d/j6"
	is "$RC:$(wc -l <"$d/j6")" 1:1 "$MODE: json-status, exec failure with --unshare-pid: no exit-code line"
	bw --ro-bind / / --json-status-fd 4 --frobnicate true 4>"$d/j7"
	is "$RC:$(wc -c <"$d/j7")" 1:0 "$MODE: json-status, parse error: nothing written"
	bw --ro-bind / / --json-status-fd x true
	err_is "bwrap: Invalid fd: x" "$MODE: --json-status-fd x: Invalid fd"
	bw --ro-bind / / --info-fd -1 true
	err_is "bwrap: Invalid fd: -1" "$MODE: --info-fd -1: Invalid fd"
	bw --ro-bind / / --info-fd 9 "$P" exit=0
	is "$RC" 1 "$MODE: --info-fd on a closed fd: status 1"
	like "$ERR" '^bwrap: Write to info_fd: Bad file descriptor$' \
		"$MODE: --info-fd on a closed fd: bubblewrap's message"
}

# ============================================================================================
# --sync-fd, --block-fd, --userns-block-fd, --lock-file

case_sync_fd() {
	local d rc
	d=$(scratch)
	bw --ro-bind / / --sync-fd 3 "$P" fds 3>"$d/syncfile"
	is "$RC:$(val fds)" 0:0,1,2 "$MODE: --sync-fd: the command does not get the fd"
	bw --unshare-pid --as-pid-1 --ro-bind / / --sync-fd 3 "$P" fds 3>"$d/syncfile"
	is "$RC:$(val fds)" 0:0,1,2,3 "$MODE: --sync-fd with --as-pid-1: the fd stays open in the command"

	# The outside reads the fifo: EOF only once the sandbox has ended.
	mkfifo -m 0666 "$d/sync"
	bg_start sync "3>'$d/sync'" "$B" --ro-bind / / --bind "$d" "$d" --sync-fd 3 \
		sh -c "sleep 1; touch '$d/done'"
	timeout 30 cat "$d/sync" >/dev/null
	rc=$?
	is "$rc" 0 "$MODE: --sync-fd: the outside sees EOF"
	ok "$MODE: --sync-fd: EOF only after the command has finished" test -e "$d/done"
	bg_wait sync
	is "$RC" 0 "$MODE: --sync-fd: status 0"

	# With a pid namespace the fd is held until every process in it has exited.
	rm -f "$d/done"
	# (--dev: sh opens /dev/null for a background job, and / is nodev)
	bg_start sync2 "3>'$d/sync'" "$B" --unshare-pid --ro-bind / / --dev /dev --bind "$d" "$d" \
		--sync-fd 3 sh -c "(sleep 2; touch '$d/done') & exit 0"
	timeout 30 cat "$d/sync" >/dev/null
	ok "$MODE: --sync-fd with --unshare-pid: EOF only after the last process in the sandbox" \
		test -e "$d/done"
	bg_wait sync2
	is "$RC" 0 "$MODE: --sync-fd with --unshare-pid: the command's status"
}

case_block_fd() {
	local d pid
	d=$(scratch)
	mkfifo -m 0666 "$d/block"
	exec 7<>"$d/block"
	bg_start block "3<'$d/block' 4>'$d/info'" "$B" --ro-bind / / --bind "$d" "$d" --block-fd 3 \
		--info-fd 4 sh -c "touch '$d/started'"
	if wait_until 20 info_done "$d/info"; then
		pass "$MODE: --block-fd: the info document is written while blocked"
	else
		fail "$MODE: --block-fd: the info document is written while blocked" \
			"stderr: $(cat "$T/bg.block.err")"
	fi
	pid=$(json_num "$d/info" child-pid)
	ok "$MODE: --block-fd: the sandbox process exists while blocked" test -n "$pid" -a -d "/proc/$pid"
	sleep 1
	ok "$MODE: --block-fd: the command does not start before a byte arrives" \
		test ! -e "$d/started"
	printf x >&7
	bg_wait block
	exec 7>&-
	is "$RC" 0 "$MODE: --block-fd: runs once a byte is written"
	ok "$MODE: --block-fd: the command ran after the byte" test -e "$d/started"

	exec 7<>"$d/block"
	bg_start block2 "3<'$d/block'" "$B" --ro-bind / / --bind "$d" "$d" --block-fd 3 "$P" fds
	sleep 0.5
	exec 7>&-
	bg_wait block2
	is "$RC" 0 "$MODE: --block-fd: closing the writer (EOF) unblocks too"
	is "$(val fds)" 0,1,2 "$MODE: --block-fd: the fd is closed before the command runs"
	bw --ro-bind / / --block-fd x true
	err_is "bwrap: Invalid fd: x" "$MODE: --block-fd x: Invalid fd"
}

case_userns_block_fd() {
	local d pid map rc1 rc2 rc3 uid gid
	d=$(scratch)
	bw --userns-block-fd 5 --info-fd 3 --ro-bind / / true 3>/dev/null 5</dev/null
	err_is "bwrap: --userns-block-fd requires --unshare-user" \
		"$MODE: --userns-block-fd without an explicit --unshare-user"
	bw --unshare-user --userns-block-fd 5 --ro-bind / / true 5</dev/null
	err_is "bwrap: --userns-block-fd requires --info-fd" "$MODE: --userns-block-fd without --info-fd"
	bw --unshare-user --disable-userns --userns-block-fd 5 --info-fd 3 --ro-bind / / true \
		3>/dev/null 5</dev/null
	err_is "bwrap: --disable-userns is not compatible with  --userns-block-fd" \
		"$MODE: --userns-block-fd with --disable-userns"

	if [ "$(id -u)" != 0 ]; then
		skip "$MODE: --userns-block-fd: the caller writes the maps (the test needs root outside)"
		return
	fi
	# The caller (root outside) writes the maps from child-pid, then releases the sandbox.
	uid=$(mode_uid "$MODE")
	gid=$(mode_gid "$MODE")
	if [ "$MODE" = root ]; then map="0 0 10"; else map="0 $uid 1"; fi
	mkfifo -m 0666 "$d/ub"
	exec 7<>"$d/ub"
	bg_start ublock "3>'$d/info' 5<'$d/ub'" "$B" --unshare-user --ro-bind / / --info-fd 3 \
		--userns-block-fd 5 "$P" uid_map gid_map ids
	if ! wait_until 20 info_done "$d/info"; then
		fail "$MODE: --userns-block-fd: the info document comes before the wait" \
			"stderr: $(cat "$T/bg.ublock.err")"
		exec 7>&-
		bg_wait ublock
		return
	fi
	pid=$(json_num "$d/info" child-pid)
	echo "$map" >"/proc/$pid/uid_map"
	rc1=$?
	[ "$MODE" = user ] && echo deny >"/proc/$pid/setgroups"
	echo "${map/ $uid / $gid }" >"/proc/$pid/gid_map"
	rc2=$?
	is "$rc1:$rc2" 0:0 "$MODE: --userns-block-fd: hutch wrote no maps, the caller can write them"
	printf x >&7
	bg_wait ublock
	rc3=$RC
	exec 7>&-
	is "$rc3" 0 "$MODE: --userns-block-fd: runs once released"
	is "$(val uid_map)" "$map" "$MODE: --userns-block-fd: the command sees the caller's uid_map"
	is "$(val uid):$(val euid)" 0:0 "$MODE: --userns-block-fd: ids come from the caller's map"
}

# lock_state FILE: "locked" when an exclusive lock could not be taken, else "free"; with
# "shared" as $2, the same for a read lock. It asks with F_GETLK, which takes no lock: a lock
# taken here, however briefly, could make the sandbox's own non-blocking F_SETLK fail.
lock_state() {
	"$PY" - "$1" "${2:-}" <<'EOF'
import fcntl, os, struct, sys
shared = sys.argv[2] == "shared"
fd = os.open(sys.argv[1], os.O_RDONLY if shared else os.O_RDWR)
# struct flock on x86_64 Linux: short l_type, short l_whence, off_t l_start, off_t l_len,
# pid_t l_pid (padded)
fmt = "hhqqi4x"
want = fcntl.F_RDLCK if shared else fcntl.F_WRLCK
res = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(fmt, want, os.SEEK_SET, 0, 0, 0))
print("free" if struct.unpack(fmt, res)[0] == fcntl.F_UNLCK else "locked")
EOF
}

lock_is_held() { [ "$(lock_state "$1")" = locked ]; }

case_lock_file() {
	local d
	d=$(scratch)
	if [ -z "$PY" ]; then
		skip "$MODE: --lock-file (no python3 to test the lock)"
	else
		: >"$d/lock"
		chmod 0666 "$d/lock"
		# The path is looked up inside the sandbox: the host file is bound elsewhere.
		bg_start lock "" "$B" "${MINROOT_NOPROC[@]}" --bind "$d" "$d" --ro-bind "$d/lock" /in-lock \
			--lock-file /in-lock "$P" wait-file="$d/stop"
		if wait_until 20 lock_is_held "$d/lock"; then
			pass "$MODE: --lock-file: the file is locked while the sandbox runs"
		else
			fail "$MODE: --lock-file: the file is locked while the sandbox runs" \
				"stderr: $(cat "$T/bg.lock.err")"
		fi
		is "$(lock_state "$d/lock" shared)" free "$MODE: --lock-file: it is a read lock"
		touch "$d/stop"
		bg_wait lock
		is "$RC" 0 "$MODE: --lock-file: runs"
		is "$(lock_state "$d/lock")" free "$MODE: --lock-file: released when the sandbox ends"
	fi
	bw "${MINROOT_NOPROC[@]}" --lock-file "$d/lock" true
	is "$RC" 1 "$MODE: --lock-file of a path missing inside the sandbox: status 1"
	like "$ERR" "^bwrap: Unable to open lock file $d/lock: No such file or directory\$" \
		"$MODE: --lock-file is resolved inside: bubblewrap's message"
	bw --unshare-pid --as-pid-1 --ro-bind / / --lock-file "$d/lock" true
	err_is "bwrap: Specifying --as-pid-1 and --lock-file is not permitted" \
		"$MODE: --lock-file with --as-pid-1"
}

# ============================================================================================
# Joining namespaces: --userns, --userns2, --pidns; --disable-userns

# start_sandbox_a NAME [OPTIONS...]: a sandbox with its own user and pid namespaces whose
# command waits for $D/stop-NAME; sets A_PID (child-pid) or fails and returns 1.
start_sandbox_a() {
	local name=$1
	shift
	bg_start "$name" "3>'$D/info-$name'" "$B" --unshare-user --unshare-pid "$@" --ro-bind / / \
		--bind "$D" "$D" --info-fd 3 "$P" wait-file="$D/stop-$name"
	A_PID=
	if ! wait_until 20 info_done "$D/info-$name"; then
		fail "$MODE: sandbox A ($name) starts" "stderr: $(cat "$T/bg.$name.err")"
		touch "$D/stop-$name"
		bg_wait "$name"
		return 1
	fi
	A_PID=$(json_num "$D/info-$name" child-pid)
	# Wait for the command itself (a child of pid 1).
	wait_until 20 test -n "$(cat "/proc/$A_PID/task/$A_PID/children" 2>/dev/null)"
	A_CMD=$(awk '{ print $1 }' "/proc/$A_PID/task/$A_PID/children" 2>/dev/null)
	[ -n "$A_CMD" ] || A_CMD=$A_PID
	return 0
}

stop_sandbox_a() {
	touch "$D/stop-$1"
	bg_wait "$1"
}

case_join_userns_pidns() {
	local pns
	D=$(scratch)
	start_sandbox_a join || return
	pns=$(json_num "$D/info-join" pid-namespace)
	bw --userns 5 --pidns 6 --ro-bind / / --proc /proc "$P" ns=user ns=pid pid read=/proc/2/comm \
		ls=/proc 5<"/proc/$A_PID/ns/user" 6<"/proc/$A_PID/ns/pid"
	is "$RC" 0 "$MODE: --userns --pidns: sandbox B runs"
	is "$(val ns:user)" "$(readlink "/proc/$A_PID/ns/user")" \
		"$MODE: --userns: B is in A's user namespace"
	is "$(val ns:pid)" "pid:[$pns]" "$MODE: --pidns: B is in A's pid namespace"
	is "$(val read:/proc/2/comm)" 'probe\n' "$MODE: --pidns: B sees A's command as pid 2"
	unlike "$(val pid)" '^[12]$' "$MODE: --pidns: B's command is neither of A's pids"
	like "$(val ls:/proc)" '(^|,)1,2(,|$)' "$MODE: --pidns: --proc in B lists A's processes"
	bw --userns 5 --ro-bind / / "$P" ns=user ns=pid 5<"/proc/$A_PID/ns/user"
	is "$RC:$(val ns:user)" "0:$(readlink "/proc/$A_PID/ns/user")" \
		"$MODE: --userns alone: B is in A's user namespace"
	is "$(val ns:pid)" "$(readlink /proc/self/ns/pid)" \
		"$MODE: --userns alone: B stays in the caller's pid namespace"
	bw --userns 5 --unshare-user --ro-bind / / true 5</dev/null
	err_is "bwrap: --userns not compatible --unshare-user" "$MODE: --userns with --unshare-user"
	bw --userns 5 --unshare-all --ro-bind / / true 5</dev/null
	err_is "bwrap: --userns not compatible --unshare-user-try" \
		"$MODE: --userns with --unshare-all (--unshare-user-try)"
	stop_sandbox_a join
	is "$RC" 0 "$MODE: sandbox A ends normally after B joined it"
	bw --userns 9 --ro-bind / / echo RAN
	err_is "bwrap: Joining specified user namespace failed: Bad file descriptor" \
		"$MODE: --userns on a closed fd"
	bw --userns 5 --ro-bind / / echo RAN 5</dev/null
	err_is "bwrap: Joining the specified user namespace failed, it might not be a descendant of the current user namespace." \
		"$MODE: --userns on a file that is no namespace (EINVAL)"
	# (The parent's own complaint about the missing pid may follow.)
	bw --unshare-user --pidns 9 --ro-bind / / echo RAN
	is "$RC:$OUT:$(printf '%s\n' "$ERR" | head -n 1)" \
		"1::bwrap: Setting pidns failed: Bad file descriptor" "$MODE: --pidns on a closed fd"
	bw --userns x true
	err_is "bwrap: Invalid fd: x" "$MODE: --userns x: Invalid fd"
}

# nsparent FD_OUT PATH COMMAND...: open PATH (a user namespace), put its parent on FD_OUT,
# exec COMMAND (NS_GET_PARENT).
NSPARENT=$T/nsparent.py
cat >"$NSPARENT" <<'EOF'
import fcntl, os, sys
fd = os.open(sys.argv[2], os.O_RDONLY)
parent = fcntl.ioctl(fd, 0xb702)  # NS_GET_PARENT
os.dup2(parent, int(sys.argv[1]))
os.execvp(sys.argv[3], sys.argv[3:])
EOF

case_join_userns2() {
	local nested
	if [ -z "$PY" ]; then
		skip "$MODE: --userns2 (no python3 for NS_GET_PARENT)"
		return
	fi
	D=$(scratch)
	# With --disable-userns the command lives in a user namespace nested in the first one.
	start_sandbox_a nested --disable-userns || return
	nested=$(readlink "/proc/$A_CMD/ns/user")
	# shellcheck disable=SC2094 # the namespace file is only read
	run_as "$MODE" "$PY" "$NSPARENT" 5 "/proc/$A_CMD/ns/user" "$B" --userns 5 --userns2 6 \
		--pidns 7 --ro-bind / / "$P" ns=user ns=pid errno-of=unshare-user \
		6<"/proc/$A_CMD/ns/user" 7<"/proc/$A_PID/ns/pid"
	is "$RC" 0 "$MODE: --userns PARENT --userns2 NESTED --pidns: sandbox B runs"
	is "$(val ns:user)" "$nested" "$MODE: --userns2: B's command ends in A's nested user namespace"
	is "$(val ns:pid)" "$(readlink "/proc/$A_PID/ns/pid")" "$MODE: --userns2 with --pidns: A's pid namespace"
	isnt "$(val errno-of:unshare-user)" 0 \
		"$MODE: --userns2: B inherits A's disabled user namespaces"
	stop_sandbox_a nested
	bw --unshare-user --userns2 9 --ro-bind / / echo RAN
	is "$RC:$OUT" 1: "$MODE: --userns2 on a closed fd: status 1"
	like "$ERR" '^bwrap: Setting userns2 failed: Bad file descriptor$' \
		"$MODE: --userns2 on a closed fd: bubblewrap's message"
}

case_disable_userns() {
	bw --unshare-user --disable-userns --ro-bind / / "$P" errno-of=unshare-user
	is "$RC" 0 "$MODE: --disable-userns runs"
	isnt "$(val errno-of:unshare-user)" 0 "$MODE: --disable-userns: unshare(CLONE_NEWUSER) fails inside"
	bw --unshare-user --uid 0 --gid 0 --cap-add ALL --disable-userns --ro-bind / / \
		sh -c 'unshare -U true 2>&1; echo "unshare=$?"; id -u'
	is "$RC" 0 "$MODE: --disable-userns as uid 0 with every capability: runs"
	unlike "$OUT" '^unshare=0$' "$MODE: --disable-userns: 'unshare -U true' fails even as uid 0 with all caps"
	like "$OUT" '(^|\n)0$' "$MODE: --disable-userns: the command is uid 0"
	bw --unshare-user --disable-userns --assert-userns-disabled --ro-bind / / true
	is "$RC:$ERR" 0: "$MODE: --assert-userns-disabled with --disable-userns passes"
	bw --ro-bind / / --assert-userns-disabled echo RAN
	err_is "bwrap: creation of new user namespaces was not disabled as requested" \
		"$MODE: --assert-userns-disabled where user namespaces can be created"
	bw --ro-bind / / --disable-userns echo RAN
	err_is "bwrap: --disable-userns requires --unshare-user" \
		"$MODE: --disable-userns without --unshare-user"
	bw --unshare-all --ro-bind / / --disable-userns echo RAN
	err_is "bwrap: --disable-userns requires --unshare-user" \
		"$MODE: --disable-userns: --unshare-all does not count as --unshare-user"
	bw --unshare-user --ro-bind / / "$P" errno-of=unshare-user
	is "$RC:$(val errno-of:unshare-user)" 0:0 "$MODE: without --disable-userns a user namespace can be made"
}

# ============================================================================================
# --bind-fd, --ro-bind-fd

case_bind_fd() {
	local d
	d=$(scratch)
	echo in-dir >"$d/file"
	chmod 0666 "$d/file"
	bw "${MINROOT[@]}" --bind-fd 5 /m "$P" read=/m/file touch=/m/new mountflags=/m fds 5<"$d"
	is "$RC" 0 "$MODE: --bind-fd on a directory fd runs"
	is "$(val read:/m/file)" 'in-dir\n' "$MODE: --bind-fd: the directory is at the destination"
	is "$(val touch:/m/new)" 0 "$MODE: --bind-fd: writable"
	ok "$MODE: --bind-fd: a file made inside appears on the host" test -e "$d/new"
	is "$(val fds)" 0,1,2 "$MODE: --bind-fd: the fd is closed after the mount"
	bw "${MINROOT[@]}" --ro-bind-fd 5 /m "$P" read=/m/file touch=/m/new2 mountflags=/m 5<"$d"
	is "$RC:$(val read:/m/file)" '0:in-dir\n' "$MODE: --ro-bind-fd runs and shows the directory"
	is "$(val touch:/m/new2)" EROFS "$MODE: --ro-bind-fd: read-only (EROFS)"
	like "$(val mountflags:/m)" '(^|,)ro(,|$)' "$MODE: --ro-bind-fd: the mount is read-only"
	if [ -n "$PY" ]; then
		run_as "$MODE" "$PY" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_PATH | os.O_DIRECTORY)
os.dup2(fd, 5)
os.execvp(sys.argv[2], sys.argv[2:])' "$d" "$B" "${MINROOT[@]}" --ro-bind-fd 5 /m "$P" read=/m/file
		is "$RC:$(val read:/m/file)" '0:in-dir\n' "$MODE: --ro-bind-fd on an O_PATH fd"
	else
		skip "$MODE: --ro-bind-fd on an O_PATH fd (no python3)"
	fi
	bw "${MINROOT[@]}" --bind-fd 5 /m echo RAN
	err_is "bwrap: Can't find source path /proc/self/fd/5: No such file or directory" \
		"$MODE: --bind-fd on a closed fd"
	bw --ro-bind-fd x /m true
	err_is "bwrap: Invalid fd: x" "$MODE: --ro-bind-fd x: Invalid fd"
	bw --ro-bind-fd 5
	err_is "bwrap: --bind-fd takes two arguments" "$MODE: --ro-bind-fd with one argument"
}

# ============================================================================================
# Overlays

case_overlay() {
	local d rw wk before
	d=$(scratch)
	mkdir -p "$d/l1" "$d/l2" "$d/l3"
	echo l1 >"$d/l1/both"
	echo l2 >"$d/l2/both"
	echo only1 >"$d/l1/one"
	echo only3 >"$d/l3/three"
	echo l3 >"$d/l3/both"
	chmod -R a+rX "$d"
	rw=$(owned_dir "$MODE")
	wk=$(owned_dir "$MODE")
	before=$(snapshot "$d")
	bw "${MINROOT[@]}" --overlay-src "$d/l1" --overlay-src "$d/l2" --overlay "$rw" "$wk" /o \
		"$P" read=/o/both read=/o/one touch=/o/new mountflags=/o
	is "$RC" 0 "$MODE: --overlay runs"
	is "$(val read:/o/both)" 'l2\n' "$MODE: --overlay: the last --overlay-src is the top layer"
	is "$(val read:/o/one)" 'only1\n' "$MODE: --overlay: lower layers show through"
	is "$(val fstype:/o)" overlay "$MODE: --overlay: an overlay mount"
	is "$(val touch:/o/new)" 0 "$MODE: --overlay: writable"
	ok "$MODE: --overlay: writes land in RWSRC" test -e "$rw/new"
	is "$(snapshot "$d")" "$before" "$MODE: --overlay: the sources are untouched"

	bw "${MINROOT[@]}" --overlay-src "$d/l2" --overlay-src "$d/l1" --tmp-overlay /o \
		"$P" read=/o/both touch=/o/new2 ls=/o
	is "$RC:$(val read:/o/both)" '0:l1\n' "$MODE: --tmp-overlay: order reversed, l1 on top"
	is "$(val touch:/o/new2)" 0 "$MODE: --tmp-overlay: writable"
	is "$(snapshot "$d")" "$before" "$MODE: --tmp-overlay: writes go nowhere on the host"
	bw "${MINROOT[@]}" --overlay-src "$d/l2" --overlay-src "$d/l1" --tmp-overlay /o \
		--overlay-src "$d/l3" --tmp-overlay /p "$P" ls=/o read=/p/both touch=/p/x
	is "$(val ls:/o)" both,one "$MODE: --tmp-overlay: a new run starts clean"
	is "$(val read:/p/both):$(val touch:/p/x)" 'l3\n:0' "$MODE: two --tmp-overlay mounts in one run"

	bw "${MINROOT[@]}" --overlay-src "$d/l1" --overlay-src "$d/l2" --overlay-src "$d/l3" \
		--ro-overlay /o "$P" read=/o/both read=/o/one read=/o/three touch=/o/new3
	is "$RC:$(val read:/o/both)" '0:l3\n' "$MODE: --ro-overlay with three layers: the last on top"
	is "$(val read:/o/one):$(val read:/o/three)" 'only1\n:only3\n' "$MODE: --ro-overlay: all layers visible"
	is "$(val touch:/o/new3)" EROFS "$MODE: --ro-overlay: writes fail with EROFS"
}

case_overlay_names() {
	local d n names rw wk ok_all=yes
	d=$(scratch)
	# Characters that are special in overlayfs mount options, and a blank.
	names=('a,b' 'c:d' 'e\f' 'g"h' 'i j')
	for n in "${names[@]}"; do
		mkdir -p "$d/$n"
		echo "$n" >"$d/$n/f-$(printf '%s' "$n" | od -An -tx1 | tr -d ' \n')"
	done
	chmod -R a+rX "$d"
	rw=$(owned_dir "$MODE")
	mkdir "$rw/up,per:x" "$rw/wo\\rk \"y"
	[ "$MODE" = user ] && [ "$(id -u)" = 0 ] && chown -R "$USER_UID:$USER_GID" "$rw"
	bw "${MINROOT[@]}" --overlay-src "$d/a,b" --overlay-src "$d/c:d" --overlay-src "$d/e\\f" \
		--overlay-src "$d/g\"h" --overlay-src "$d/i j" \
		--overlay "$rw/up,per:x" "$rw/wo\\rk \"y" /o "$P" ls=/o touch=/o/new
	is "$RC" 0 "$MODE: overlay paths with , : \\ \" and a blank: runs"
	for n in "${names[@]}"; do
		case ",$(val ls:/o)," in
		*",f-$(printf '%s' "$n" | od -An -tx1 | tr -d ' \n'),"*) ;;
		*) ok_all="the layer '$n' is missing" ;;
		esac
	done
	is "$ok_all" yes "$MODE: overlay: every layer with a special character is present"
	ok "$MODE: overlay: writes land in an upper dir with , and :" test -e "$rw/up,per:x/new"
}

case_overlay_errors() {
	local d
	d=$(scratch)
	mkdir "$d/l1" "$d/l2"
	bw --overlay-src "$d/l1" --overlay "$d/l2" "$d/l2"
	err_is "bwrap: --overlay takes three arguments" "$MODE: --overlay with two arguments"
	bw --overlay "$d/l1" "$d/l2" /o true
	err_is "bwrap: --overlay requires at least one --overlay-src" "$MODE: --overlay without a source"
	bw --overlay-src "$d/l1" --tmp-overlay
	err_is "bwrap: --tmp-overlay takes an argument" "$MODE: --tmp-overlay without DEST"
	bw --tmp-overlay /o true
	err_is "bwrap: --tmp-overlay requires at least one --overlay-src" \
		"$MODE: --tmp-overlay without a source"
	bw --overlay-src "$d/l1" --ro-overlay
	err_is "bwrap: --ro-overlay takes an argument" "$MODE: --ro-overlay without DEST"
	bw --overlay-src "$d/l1" --ro-overlay /o true
	err_is "bwrap: --ro-overlay requires at least two --overlay-src" \
		"$MODE: --ro-overlay with one source"
	bw --overlay-src "$d/l1" --ro-bind / / --tmp-overlay /o true
	err_is "bwrap: --overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay" \
		"$MODE: --overlay-src followed by another option"
	bw "${MINROOT[@]}" --overlay-src "$d/missing" --tmp-overlay /o echo RAN
	err_is "bwrap: Can't find source path $d/missing: No such file or directory" \
		"$MODE: --overlay-src of a missing path"
}

# ============================================================================================
# Raw seccomp programs

# bpf FILE RULE...: a classic BPF seccomp program in FILE. RULE is SYSCALL:ERRNO (deny
# SYSCALL with ERRNO, everything else allowed, other architectures allowed), or "trunc"
# (7 bytes: not a whole instruction) or "junk" (one instruction the kernel refuses).
# Filters the test itself runs under (a container's), which every sandbox inherits.
SECCOMP_BASE=$(awk '$1 == "Seccomp_filters:" { print $2 }' /proc/self/status)
SECCOMP_BASE=${SECCOMP_BASE:-0}
BPF_PY=$T/bpf.py
cat >"$BPF_PY" <<'EOF'
import os, struct, sys
arches = {
    "x86_64": (0xC000003E, {"uname": 63, "personality": 135, "execve": 59, "execveat": 322}),
    "aarch64": (0xC00000B7, {"uname": 160, "personality": 92, "execve": 221, "execveat": 281}),
}
out, rules = sys.argv[1], sys.argv[2:]
def ins(code, jt, jf, k):
    return struct.pack("=HBBI", code, jt, jf, k)
LD_ABS, JEQ, RET = 0x20, 0x15, 0x06
if rules == ["trunc"]:
    data = ins(RET, 0, 0, 0x7FFF0000)[:7]
elif rules == ["junk"]:
    data = ins(0xFFFF, 0, 0, 0)
else:
    audit, nrs = arches[os.uname().machine]
    deny = [(nrs[r.split(":")[0]], int(r.split(":")[1])) for r in rules]
    prog = [ins(LD_ABS, 0, 0, 4), ins(JEQ, 0, 1 + 2 * len(deny), audit), ins(LD_ABS, 0, 0, 0)]
    for nr, err in deny:
        prog += [ins(JEQ, 0, 1, nr), ins(RET, 0, 0, 0x00050000 | err)]
    prog.append(ins(RET, 0, 0, 0x7FFF0000))
    data = b"".join(prog)
with open(out, "wb") as f:
    f.write(data)
EOF

bpf() {
	"$PY" "$BPF_PY" "$@" && chmod 0644 "$1"
}

case_seccomp() {
	local d
	if [ -z "$PY" ]; then
		skip "$MODE: raw seccomp programs (no python3 to write them)"
		return
	fi
	case $(uname -m) in
	x86_64 | aarch64) ;;
	*)
		skip "$MODE: raw seccomp programs (no syscall table for $(uname -m) in the test)"
		return
		;;
	esac
	d=$(scratch)
	bpf "$d/uname-eperm" uname:1
	bpf "$d/uname-eacces" uname:13
	bpf "$d/pers-refused" personality:111
	bpf "$d/exec-eperm" execve:1 execveat:1
	bpf "$d/trunc" trunc
	bpf "$d/junk" junk

	bw --ro-bind / / "$P" seccomp-filters errno-of=uname
	is "$RC:$(val Seccomp_filters):$(val errno-of:uname)" "0:$SECCOMP_BASE:0" \
		"$MODE: without seccomp options: no filter added (the bwrap face has none of its own)"
	bw --ro-bind / / --seccomp 3 "$P" seccomp seccomp-filters errno-of=uname \
		errno-of=personality fds 3<"$d/uname-eperm"
	is "$RC" 0 "$MODE: --seccomp FD runs"
	is "$(val Seccomp):$(val Seccomp_filters)" "2:$((SECCOMP_BASE + 1))" \
		"$MODE: --seccomp: one filter added, filter mode"
	is "$(val errno-of:uname)" EPERM "$MODE: --seccomp: the denied syscall fails with the program's errno"
	is "$(val errno-of:personality)" 0 "$MODE: --seccomp: other syscalls work"
	is "$(val fds)" 0,1,2 "$MODE: --seccomp: the program's fd is closed"

	bw --ro-bind / / --add-seccomp-fd 3 --add-seccomp-fd 4 "$P" seccomp-filters errno-of=uname \
		errno-of=personality fds 3<"$d/uname-eperm" 4<"$d/pers-refused"
	is "$RC:$(val Seccomp_filters)" "0:$((SECCOMP_BASE + 2))" \
		"$MODE: --add-seccomp-fd twice: two filters stacked"
	is "$(val errno-of:uname):$(val errno-of:personality)" EPERM:ECONNREFUSED \
		"$MODE: --add-seccomp-fd twice: both programs apply"
	is "$(val fds)" 0,1,2 "$MODE: --add-seccomp-fd: the fds are closed"
	bw --ro-bind / / --add-seccomp-fd 3 --add-seccomp-fd 4 "$P" errno-of=uname \
		3<"$d/uname-eperm" 4<"$d/uname-eacces"
	is "$(val errno-of:uname)" EACCES "$MODE: --add-seccomp-fd: loaded in order (the last one wins a tie)"
	bw --ro-bind / / --add-seccomp-fd 3 --add-seccomp-fd 4 "$P" errno-of=uname \
		3<"$d/uname-eacces" 4<"$d/uname-eperm"
	is "$(val errno-of:uname)" EPERM "$MODE: --add-seccomp-fd: order reversed, the other errno"

	bw --unshare-pid --ro-bind / / --seccomp 3 "$P" errno-of=uname 3<"$d/uname-eperm"
	is "$RC:$(val errno-of:uname)" 0:EPERM "$MODE: --seccomp with --unshare-pid"

	bw --ro-bind / / --json-status-fd 4 --seccomp 3 "$P" exit=0 3<"$d/exec-eperm" 4>"$d/json"
	is "$RC" 1 "$MODE: --seccomp denying execve: status 1"
	is "$ERR" "bwrap: execvp $P: Operation not permitted" \
		"$MODE: --seccomp denying execve: bubblewrap's message"
	is "$(wc -l <"$d/json")" 1 "$MODE: --seccomp denying execve: no exit-code line in json-status"

	bw --ro-bind / / --seccomp 3 echo RAN 3<"$d/trunc"
	err_is "bwrap: Invalid seccomp data, must be multiple of 8" "$MODE: --seccomp: 7 bytes"
	bw --ro-bind / / --add-seccomp-fd 3 echo RAN 3<"$d/trunc"
	err_is "bwrap: Invalid seccomp data, must be multiple of 8" "$MODE: --add-seccomp-fd: 7 bytes"
	bw --ro-bind / / --seccomp 3 echo RAN 3<"$d/junk"
	is "$RC:$OUT" 1: "$MODE: --seccomp with an invalid instruction: status 1, no command"
	like "$ERR" '^bwrap: Unable to set up system call filtering as requested: prctl\(PR_SET_SECCOMP\) reported EINVAL' \
		"$MODE: --seccomp with an invalid instruction: bubblewrap's message"
	bw --ro-bind / / --seccomp 9 echo RAN
	err_is "bwrap: Can't read seccomp data: Bad file descriptor" "$MODE: --seccomp on a closed fd"
	bw --ro-bind / / --add-seccomp-fd 3 --add-seccomp-fd 3 echo RAN 3<"$d/uname-eperm"
	err_is "bwrap: Can't read seccomp data: Bad file descriptor" \
		"$MODE: --add-seccomp-fd: the same fd twice (closed after the first read)"
	bw --ro-bind / / --seccomp 0a echo RAN
	err_is "bwrap: Invalid fd: 0a" "$MODE: --seccomp 0a: Invalid fd"
	bw --ro-bind / / --add-seccomp-fd -1 echo RAN
	err_is "bwrap: Invalid fd: -1" "$MODE: --add-seccomp-fd -1: Invalid fd"
	bw --ro-bind / / --add-seccomp-fd 3 --seccomp 4 echo RAN 3<"$d/uname-eperm" 4<"$d/uname-eperm"
	err_is "bwrap: --seccomp cannot be combined with --add-seccomp-fd" \
		"$MODE: --add-seccomp-fd then --seccomp"
	bw --ro-bind / / --seccomp 4 --add-seccomp-fd 3 echo RAN 3<"$d/uname-eperm" 4<"$d/uname-eperm"
	err_is "bwrap: --add-seccomp-fd cannot be combined with --seccomp" \
		"$MODE: --seccomp then --add-seccomp-fd"
}

# ============================================================================================
# Labels, --version, --help, many arguments

case_labels() {
	if [ -e /sys/fs/selinux/enforce ]; then
		skip "$MODE: labels (SELinux is on here)"
		return
	fi
	bw --ro-bind / / --exec-label system_u:system_r:foo_t:s0 echo RAN
	err_is "bwrap: labeling not supported on this system" "$MODE: --exec-label without SELinux"
	bw --ro-bind / / --file-label system_u:object_r:foo_t:s0 echo RAN
	err_is "bwrap: labeling not supported on this system" "$MODE: --file-label without SELinux"
	bw --ro-bind / / --exec-label
	err_is "bwrap: --exec-label takes an argument" "$MODE: --exec-label without its value"
}

case_version_help() {
	local v
	bw --version
	v=$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $2 }')
	is "$RC:$ERR" 0: "$MODE: --version exits 0, nothing on stderr"
	like "$v" '^[0-9]+\.[0-9]+\.[0-9]+$' "$MODE: --version: the second word is X.Y.Z"
	is "$v" 0.11.1 "$MODE: --version: bubblewrap 0.11.1"
	bw --help
	is "$RC" 0 "$MODE: --help exits 0"
	is "$(printf '%s\n' "$OUT" | head -n 1)" "usage: $B [OPTIONS...] [--] COMMAND [ARGS...]" \
		"$MODE: --help starts with 'usage: ARGV0' (the path it was run as)"
	run_as "$MODE" env PATH="$T/bin:/usr/bin:/bin" bwrap --help
	is "$(printf '%s\n' "$OUT" | head -n 1)" "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]" \
		"$MODE: --help through PATH: 'usage: bwrap'"
	bw --ro-bind / / --version
	is "$RC:$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $2 }')" 0:0.11.1 \
		"$MODE: --version after other options"
	bw --ro-bind / /
	is "$RC:$(printf '%s\n' "$ERR" | head -n 1)" "1:usage: $B [OPTIONS...] [--] COMMAND [ARGS...]" \
		"$MODE: options but no command: the usage on stderr, status 1"
}

case_many_binds() {
	local d args=() i n
	d=$(scratch)
	echo x >"$d/f"
	chmod 0644 "$d/f"
	for ((i = 0; i < 4000; i++)); do
		args+=(--ro-bind "$d/f" "/m/$i")
	done
	bw "${MINROOT[@]}" "${args[@]}" sh -c 'wc -l </proc/self/mountinfo; cat /m/3999'
	n=$(printf '%s\n' "$OUT" | head -n 1)
	is "$RC" 0 "$MODE: 4000 --ro-bind options (12000 words) run"
	ok "$MODE: 4000 --ro-bind options: at least 4000 mounts inside (got $n)" test "${n:-0}" -ge 4000
	is "$(printf '%s\n' "$OUT" | sed -n 2p)" x "$MODE: 4000 --ro-bind options: the last one is there"
	printf '%s\0' "${args[@]}" >"$d/args"
	bw "${MINROOT[@]}" --args 3 sh -c 'cat /m/3999' 3<"$d/args"
	is "$RC:$OUT" 0:x "$MODE: 4000 --ro-bind options through --args"
}

# ============================================================================================
# Command lines as clients write them

case_client_lines() {
	local d sys
	d=$(scratch)
	# (tmp first: the probe's directory is under /tmp)
	bw --tmpfs tmp "${MINROOT[@]}" --dev-bind /dev dev --dir run/x "$P" stat=/dev/null \
		mountflags=/tmp stat=/run/x
	is "$RC" 0 "$MODE: relative destinations run"
	like "$(val stat:/dev/null)" '^chr 0666 .* 1:3$' \
		"$MODE: --dev-bind /dev dev: /dev/null inside"
	is "$(val fstype:/tmp)" tmpfs "$MODE: --tmpfs tmp: a tmpfs at /tmp"
	like "$(val stat:/run/x)" '^dir ' "$MODE: --dir run/x: /run/x"

	bw --ro-bind / / --cap-drop all "$P" caps
	is "$RC:$(val CapEff):$(val CapPrm)" 0:0000000000000000:0000000000000000 \
		"$MODE: --cap-drop all (lower case): no capabilities"
	bw --ro-bind / / --cap-drop ALL --cap-add cap_chown --unshare-user --uid 0 "$P" caps
	is "$RC:$(val CapEff)" 0:0000000000000001 "$MODE: --cap-drop ALL --cap-add cap_chown: only CAP_CHOWN"

	bw "${MINROOT_NOPROC[@]}" --ro-bind /dev/null /nonexistent-h3/deeper/file \
		"$P" stat=/nonexistent-h3/deeper/file read=/nonexistent-h3/deeper/file
	is "$RC" 0 "$MODE: /dev/null bound over a path that does not exist: runs"
	like "$(val stat:/nonexistent-h3/deeper/file)" '^chr .* 1:3$' \
		"$MODE: /dev/null over a missing path: a char device 1:3 there"
	is "$(val read:/nonexistent-h3/deeper/file)" EACCES \
		"$MODE: --ro-bind /dev/null: nodev, so the device cannot be opened"
	cp "$DATA" "$d/existing"
	bw --ro-bind / / --ro-bind /dev/null "$d/existing" "$P" stat="$d/existing"
	like "$RC:$(val stat:"$d/existing")" '^0:chr .* 1:3$' "$MODE: /dev/null bound over an existing file"

	# --bind DIR / then --remount-ro /: the BuildStream shape.
	sys=$(owned_dir "$MODE")
	mkdir -p "$sys/usr" "$sys/proc" "$sys$T/bin"
	for l in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$l" ] && ln -s "$(readlink "/$l")" "$sys/$l"
	done
	[ "$MODE" = user ] && [ "$(id -u)" = 0 ] && chown -R "$USER_UID:$USER_GID" "$sys"
	bw --bind "$sys" / --ro-bind /usr /usr --ro-bind "$T/bin" "$T/bin" --proc /proc \
		--remount-ro / "$P" mountflags=/ touch=/newfile
	is "$RC" 0 "$MODE: --bind DIR / --remount-ro /: runs"
	like "$(val mountflags:/)" '(^|,)ro(,|$)' "$MODE: --remount-ro /: / is read-only"
	is "$(val touch:/newfile)" EROFS "$MODE: --remount-ro /: writes fail with EROFS"
	bw --bind "$sys" / --ro-bind /usr /usr --ro-bind "$T/bin" "$T/bin" "$P" touch=/newfile
	is "$RC:$(val touch:/newfile)" 0:0 "$MODE: --bind DIR / without --remount-ro: writable"
	ok "$MODE: --bind DIR /: the write lands in DIR" test -e "$sys/newfile"

	bw "${MINROOT_NOPROC[@]}" --ro-bind //usr//lib/../bin/ /a//b/../c "$P" stat=/a/c/sh \
		lstat=/a/b
	is "$RC" 0 "$MODE: double slashes and .. in paths: runs"
	like "$(val stat:/a/c/sh)" '^file ' "$MODE: //usr//lib/../bin/ bound at /a//b/../c is /a/c"
	like "$(val lstat:/a/b)" '^dir ' "$MODE: /a//b/../c: the parents on the way exist"

	bw --ro-bind / / -- "$P" argv0
	is "$RC:$(val argv0)" "0:$P" "$MODE: a command after --"
	bw --ro-bind / / "$P" argv0
	is "$RC:$(val argv0)" "0:$P" "$MODE: a command without --"
	# shellcheck disable=SC2016 # expanded inside
	bw --ro-bind / / -- sh -c 'echo "$0"' --not-an-option
	is "$RC:$OUT" 0:--not-an-option "$MODE: after -- words starting with - are the command's"

	run_as "$MODE" script -qec "$B --ro-bind / / --dev /dev $P tty stat=/dev/console" "$d/typescript"
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	is "$RC" 0 "$MODE: under a pty: runs"
	is "$(val tty:0):$(val tty:1)" 1:1 "$MODE: under a pty: the command's stdin and stdout are the tty"
	like "$(val stat:/dev/console)" '^chr .* 136:[0-9]+$' \
		"$MODE: under a pty with --dev: /dev/console is the tty"

	run_as "$MODE" env -i "$B" --ro-bind / / "$P" envnames env=PWD
	is "$RC:$(val envnames)" 0:PWD "$MODE: env -i: the command sees only PWD"
	run_as "$MODE" env -i "$B" --ro-bind / / sh -c 'echo ok'
	is "$RC:$OUT" 0:ok "$MODE: env -i: a command found without PATH"

	if [ -n "$PY" ]; then
		run_as "$MODE" "$PY" -c 'import os, socket, subprocess, sys
a, b = socket.socketpair()
a.sendall(b"through-socket\n")
a.shutdown(socket.SHUT_WR)
os.dup2(b.fileno(), 5)
b.close()
p = subprocess.run(sys.argv[1:], pass_fds=(5,), stdout=subprocess.PIPE)
os.close(5)
sys.stdout.write(p.stdout.decode())
print("reply=" + a.recv(100).decode().strip())
sys.exit(p.returncode)' "$B" --unshare-net --ro-bind / / "$P" read-fd=5 write-fd=5
		is "$RC" 0 "$MODE: an inherited socket on fd 5: runs"
		is "$(val fd:5)" 'through-socket\n' "$MODE: an inherited socket on fd 5 is read inside"
		is "$(val reply)" probe-hello "$MODE: an inherited socket on fd 5: the reply arrives outside"
	else
		skip "$MODE: an inherited socket on fd 5 (no python3)"
	fi
}

for_each_mode case_args
for_each_mode case_argv0
for_each_mode case_level_prefix
for_each_mode case_info_fd
for_each_mode case_info_live
for_each_mode case_json_status
for_each_mode case_sync_fd
for_each_mode case_block_fd
for_each_mode case_userns_block_fd
for_each_mode case_lock_file
for_each_mode case_join_userns_pidns
for_each_mode case_join_userns2
for_each_mode case_disable_userns
for_each_mode case_bind_fd
for_each_mode case_overlay
for_each_mode case_overlay_names
for_each_mode case_overlay_errors
for_each_mode case_seccomp
for_each_mode case_labels
for_each_mode case_version_help
for_each_mode case_many_binds
for_each_mode case_client_lines
# Nothing above may touch the host (a bind of the host's / by mistake, say).
like "$(stat -c '%F %t:%T' /dev/null)" '^character special file 1:3$' "the host's /dev/null is intact"
done_testing

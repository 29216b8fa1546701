#!/bin/bash
# test-join.sh: hutch --join PID COMMAND, asserted from inside the joined command (the probe):
# the target's namespaces (readlink /proc/self/ns/*), its root, uid, CapEff, no_new_privs and
# a seccomp filter, for sandboxes with and without --dev, --uid, --unshare-pid, as root and
# uid 65534; and the refusals: a process outside any hutch sandbox, another user's sandbox, a
# bwrap-face sandbox, --join after other options.
. "${srcdir:-.}/tests/lib.sh"

is_hutch || {
	echo "1..0 # SKIP not hutch"
	exit 0
}

KINDS="user mnt pid net ipc uts cgroup"
MARK=joinmark-$$-$RANDOM

. "${srcdir:-.}/tests/lib-join.sh"

status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

join_case() {
	local name=$1 uid=$2
	shift 2
	start "$MODE" "$H" "${MINROOT[@]}" --dir "/$MARK" "$@"
	if [ -z "$TARGET" ]; then
		fail "$MODE [$name]: the sandbox started"
		stop
		return
	fi
	local want_eff args=() k
	want_eff=$(status_of "$TARGET" CapEff)
	for k in $KINDS; do
		args+=("ns=$k")
	done
	run_as "$MODE" "$H" --join "$TARGET" "$P" "${args[@]}" ids caps nonewprivs seccomp \
		"stat=/$MARK"
	is "$RC" 0 "$MODE [$name]: the joined command exits 0"
	local same=yes
	for k in $KINDS; do
		if [ "$(val "ns:$k")" != "$(readlink "/proc/$TARGET/ns/$k")" ]; then
			same="no: $k $(val "ns:$k") vs $(readlink "/proc/$TARGET/ns/$k")"
		fi
	done
	is "$same" yes "$MODE [$name]: the same namespaces as the sandbox's command ($KINDS)"
	like "$(val "stat:/$MARK")" '^dir ' "$MODE [$name]: the sandbox's root (its /$MARK)"
	is "$(val uid):$(val euid)" "$uid:$uid" "$MODE [$name]: its uid"
	is "$(val CapEff)" "$want_eff" "$MODE [$name]: CapEff as the command's"
	is "$(val nonewprivs):$(val Seccomp)" 1:2 "$MODE [$name]: no_new_privs and a seccomp filter"
	stop
}

plain_uid() { if [ "$MODE" = root ]; then echo 0; else echo "$USER_UID"; fi; }

cases() {
	join_case plain "$(plain_uid)"
	join_case "--dev" "$(plain_uid)" --dev /dev
	join_case "--uid 7" 7 --uid 7
	join_case "--unshare-pid" "$(plain_uid)" --unshare-pid
	join_case "--dev --uid 7 --unshare-pid" 7 --dev /dev --uid 7 --unshare-pid
	join_case "--unshare-all --dev" "$(plain_uid)" --unshare-all --dev /dev
}
for_each_mode cases

# Joining the sandbox's pid 1 (hutch's reaper) joins its command.
pid1_case() {
	start "$MODE" "$H" "${MINROOT[@]}" --unshare-pid
	local pid1
	pid1=$(cat "/proc/$BG/task/$BG/children" 2>/dev/null)
	run_as "$MODE" "$H" --join "${pid1%% *}" "$P" ns=user ns=pid
	is "$RC:$(val ns:user):$(val ns:pid)" \
		"0:$(readlink "/proc/$TARGET/ns/user"):$(readlink "/proc/$TARGET/ns/pid")" \
		"$MODE: --join of pid 1 runs in the command's user and PID namespaces"
	stop
}
for_each_mode pid1_case

refusals() {
	# A process of the same user, in no sandbox.
	(as_mode "$MODE" sleep 120) &
	BG=$!
	TARGET=
	sleep 0.1
	run_as "$MODE" "$H" --join "$BG" true
	is "$RC" 125 "$MODE: --join of a process outside any sandbox fails with 125"
	like "$ERR" "^hutch: cannot join process $BG: it is not in a hutch sandbox" \
		"$MODE: ... and says it is not in a hutch sandbox"
	stop
	# A sandbox of the bwrap face carries no mark.
	start "$MODE" "$B" --unshare-user "${MINROOT[@]}"
	run_as "$MODE" "$H" --join "$TARGET" true
	like "$RC:$ERR" "^125:hutch: cannot join process [0-9]+: it is not in a hutch sandbox" \
		"$MODE: a bwrap-face sandbox is refused"
	stop
	run_as "$MODE" "$H" --join 12x true
	like "$RC:$ERR" "^64:hutch: --join: '12x' is not a process id" \
		"$MODE: a PID that is not a number is a usage error"
	run_as "$MODE" "$H" --ro-bind / / --join 1 true
	like "$RC:$ERR" "^64:hutch: --join must be the first option" \
		"$MODE: --join after other options is a usage error"
}
for_each_mode refusals

# --- what the sandbox can take from a joined command (the joiner's own stays outside) ---------

# The sandbox's command: takes fds 0-2 of every new process it sees (pidfd_getfd, as a process
# of the same uid may), and once the join is over reads and writes through them, and records
# what it got in /w/got.
cat >"$T/bin/steal.py" <<'PYEOF'
import os, sys, time, select
SYS_pidfd_getfd = 438
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
seen = set(p for p in os.listdir('/proc') if p.isdigit())
open('/w/ready', 'w').close()
deadline = time.time() + 30
while time.time() < deadline:
    for p in os.listdir('/proc'):
        if not p.isdigit() or p in seen:
            continue
        seen.add(p)
        try:
            pfd = os.pidfd_open(int(p))
        except OSError:
            continue
        fds = [libc.syscall(SYS_pidfd_getfd, pfd, n, 0) for n in (0, 1, 2)]
        if fds[1] < 0:
            continue
        with open('/w/got', 'a') as f:
            f.write('took %s\n' % p)
        while os.path.exists('/proc/' + p):
            time.sleep(0.05)
        time.sleep(float(sys.argv[1]))
        out = []
        for n in (1, 2):
            try:
                os.write(fds[n], b'STOLEN-WRITE\n')
                out.append('wrote %d' % n)
            except OSError as e:
                out.append('write %d: %s' % (n, e.strerror))
        try:
            r, _, _ = select.select([fds[0]], [], [], 3)
            out.append('read 0: %r' % (os.read(fds[0], 100) if r else b'(nothing)'))
        except OSError as e:
            out.append('read 0: %s' % e.strerror)
        with open('/w/got', 'a') as f:
            f.write('\n'.join(out) + '\n')
        open('/w/done', 'w').close()
        sys.exit(0)
    time.sleep(0.02)
PYEOF
chmod 0644 "$T/bin/steal.py"

steal_case() {
	local w got
	if [ -z "$PY" ]; then
		skip "$MODE: the sandbox taking the joiner's streams (needs python3)"
		return
	fi
	w=$(mktemp -d "$T/steal.XXXXXX")
	chmod 0777 "$w"
	(as_mode "$MODE" "$H" "${MINROOT[@]}" --unshare-pid --bind "$w" /w \
		"$PY" "$T/bin/steal.py" 1) >/dev/null 2>&1 &
	BG=$!
	for _ in $(seq 200); do [ -e "$w/ready" ] && break; sleep 0.05; done
	TARGET=$(find_sleep_or_py "$BG")
	# The caller's stdin: a pipe that says something more after the join is over; its
	# stdout and stderr: files of the caller's.
	{
		echo first-line
		sleep 2.5
		echo LATER-INPUT
	} | (as_mode "$MODE" "$H" --join "$TARGET" sh -c 'read x; echo "joined read $x"; sleep 1') \
		>"$w/out" 2>"$w/err"
	RC=$?
	for _ in $(seq 200); do [ -e "$w/done" ] && break; sleep 0.05; done
	got=$(cat "$w/got" 2>/dev/null)
	is "$RC:$(cat "$w/out")" "0:joined read first-line" \
		"$MODE: a joined command reads its stdin and writes its stdout through the relay"
	like "$got" "took" "$MODE: (the sandbox did take the joined command's fds 0-2)"
	unlike "$(cat "$w/out" "$w/err")" "STOLEN" \
		"$MODE: what the sandbox writes through them after the join never reaches the caller's files"
	unlike "$got" "LATER-INPUT" \
		"$MODE: what the caller's stdin says after the join never reaches the sandbox"
	kill -9 "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	rm -rf "$w"
}

# The sandbox's python, or the sleep of start(): the process to join.
find_sleep_or_py() {
	local n
	for _ in $(seq 200); do
		for n in $(pgrep -f "steal.py" 2>/dev/null); do
			if [ "$(readlink "/proc/$n/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]; then
				echo "$n"
				return 0
			fi
		done
		sleep 0.05
	done
	return 1
}
for_each_mode steal_case

# The joined command's environment is the sandbox command's, not the caller's; with a
# terminal, TERM is the caller's.
env_case() {
	start "$MODE" "$H" "${MINROOT[@]}" --setenv SANDBOXVAR in-sandbox
	run_as "$MODE" env JOINSECRET=caller-token "$H" --join "$TARGET" "$P" env=SANDBOXVAR \
		env=JOINSECRET fds tty
	is "$RC:$(val env:SANDBOXVAR):$(val env:JOINSECRET)" "0:in-sandbox:(unset)" \
		"$MODE: the joined command has the sandbox's environment, not the caller's"
	is "$(val fds)" "0,1,2" "$MODE: ... and fds 0-2 only"
	stop
}
for_each_mode env_case

# On a terminal, the joined command gets a terminal of its own (a pty the relay holds), with
# the caller's window size, as the leader of a session it controls; the caller's settings are
# the same afterwards.
tty_case() {
	local out
	start "$MODE" "$H" "${MINROOT[@]}"
	# (script turns the end of its stdin into a NUL typed on the terminal; the joined
	# command's terminal echoes it as ^@.)
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(as_mode "$MODE" script -qec "stty rows 33 cols 101; a=\$(stty -g); $H --join $TARGET $P tty ctty stty-size; [ \"\$(stty -g)\" = \"\$a\" ] && echo settings-kept" /dev/null 2>&1 </dev/null | tr -d '\r' | sed 's/\^@//g')
	OUT=$out
	is "$(val tty:0):$(val tty:1):$(val tty:2)" "1:1:1" \
		"$MODE: on a terminal, the joined command's fds 0-2 are a terminal"
	is "$(val stty-size)" "33 101" "$MODE: ... with the caller's window size"
	is "$(val ctty)" own "$MODE: ... its controlling terminal, in a session of its own"
	like "$out" "settings-kept" "$MODE: the caller's terminal settings are the same afterwards"
	stop
}
for_each_mode tty_case

# The joined command has the sandbox's resource limits and umask, not the caller's higher ones.
limits_case() {
	# shellcheck disable=SC2016 # the sandbox's shell expands it
	start "$MODE" "$H" "${MINROOT[@]}" --rlimit nofile=64:128 sh -c 'umask 0077; exec "$@"' sh
	run_as "$MODE" "$H" --join "$TARGET" "$P" rlimits umask
	is "$RC:$(val rlimit:nofile):$(val umask)" "0:64:128:0077" \
		"$MODE: the joined command has the sandbox's --rlimit and umask"
	stop
}
for_each_mode limits_case

# A sandbox with a stricter filter than the default: --join without the same seccomp options
# refuses (the sandbox could ptrace the joined command and run what its own filter denies);
# with them, the joined command is as filtered as the sandbox's.
filter_case() {
	start "$MODE" "$H" "${MINROOT[@]}" --seccomp-deny mkdir --seccomp-deny mkdirat
	run_as "$MODE" "$H" --join "$TARGET" "$P" mkdir=/tmp
	like "$RC:$ERR" "^125:hutch: cannot join process $TARGET: its command has another seccomp filter" \
		"$MODE: --join refuses a sandbox whose filter is not the one it would give"
	run_as "$MODE" "$H" --join "$TARGET" --seccomp-deny mkdir --seccomp-deny mkdirat -- \
		"$P" mkdir=/joined-dir
	is "$RC:$(val mkdir:/joined-dir)" 0:EPERM \
		"$MODE: with the sandbox's seccomp options the joined command has its filter"
	run_as "$MODE" "$H" --join "$TARGET" --seccomp-deny mkdirat -- "$P" mkdir=/x
	like "$RC" "^125$" "$MODE: a part of the options (another filter) is refused too"
	stop
	run_as "$MODE" "$H" --join 1 --ro-bind / / true
	like "$RC:$ERR" "^64:hutch: --join: cannot combine with '--ro-bind'" \
		"$MODE: other options after the PID are a usage error"
}
for_each_mode filter_case

# The joined command lands in the sandbox's cgroup (root: the sandbox's cgroup of --pids).
cgroup_case() {
	local mine
	start "$MODE" "$H" "${MINROOT[@]}" --pids 64
	run_as "$MODE" "$H" --join "$TARGET" "$P" read=/proc/self/cgroup
	mine=$(val read:/proc/self/cgroup)
	is "$RC" 0 "$MODE: --join of a sandbox with --pids"
	like "$(sed -n 's/.*pids:\(.*\)/\1/p' "/proc/$TARGET/cgroup")" "hutch\." \
		"$MODE: (the sandbox has a cgroup of its own)"
	is "$(printf '%b' "$mine" | grep ':pids:')" "$(grep ':pids:' "/proc/$TARGET/cgroup")" \
		"$MODE: the joined command is in the sandbox's pids cgroup"
	stop
}
MODE=root
cgroup_case

# Another user's sandbox: root's (on nobody) for uid 65534, uid 65534's for uid 65533.
if [ "$(id -u)" = 0 ] && unpriv_userns_works; then
	MODE=root
	start root "$H" "${MINROOT[@]}" --dev /dev
	run_as user "$H" --join "$TARGET" true
	like "$RC:$ERR" "^125:hutch: cannot join process $TARGET: permission denied" \
		"uid 65534 cannot join root's sandbox"
	stop
	start user "$H" "${MINROOT[@]}" --unshare-pid
	RC=$( (setpriv --reuid=65533 --regid=65533 --clear-groups --inh-caps=-all "$H" --join \
		"$TARGET" true) 2>"$T/err65533"; echo $?)
	ERR=$(cat "$T/err65533")
	like "$RC:$ERR" "^125:hutch: cannot join process [0-9]+: permission denied" \
		"uid 65533 cannot join uid 65534's sandbox"
	stop
else
	skip "another user's sandbox (needs root and unprivileged user namespaces)"
	skip "another user's sandbox (needs root and unprivileged user namespaces)"
fi

done_testing

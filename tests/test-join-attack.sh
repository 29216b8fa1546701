#!/bin/bash
# test-join-attack.sh: findings of attack 14b on --join and the stale cgroups (each case fails
# while its finding stands):
#   F1 the joined command has the caller's resource limits, nice value and oom_score_adj, not
#      the sandbox command's (the sandbox writes the joined command's /proc/PID/mem);
#   F2 a sandbox sharing the caller's PID namespace SIGSTOPs hutch's joiner: the relay never
#      learns that the command ended and goes on feeding the caller's input to the sandbox;
#      a user whose fake sandbox root joins does the same from the host;
#   F3 root joining a user's fake sandbox (unshare -Urm, a tmpfs named hutch:seccomp=...)
#      gives the user a process with root's nice value (and limits);
#   F4 cgroup v1: a user renames root's live sandbox cgroup in a parent delegated to them to
#      the name of a dead hutch; root's next hutch there kills that sandbox;
#   F5 a process that added a seccomp filter of its own is joined; the joined command lacks it;
#   F6 without a PID namespace a joined command outlives the sandbox (which can write its
#      memory).
. "${srcdir:-.}/tests/lib.sh"

is_hutch || {
	echo "1..0 # SKIP not hutch"
	exit 0
}

MARK=atk14b-$$-$RANDOM

. "${srcdir:-.}/tests/lib-join.sh"

nice_of() { sed 's/.*) //' | awk '{ print $17 }'; }

# --- F1: the sandbox's resource limits and nice value ------------------------------------------
limits_case() {
	# shellcheck disable=SC2016 # for the inner shell
	start "$MODE" sh -c 'echo 600 >/proc/self/oom_score_adj && exec "$@"' sh \
		nice -n 7 "$H" "${MINROOT[@]}" --rlimit nofile=64:128 --rlimit nproc=50:60 \
		--rlimit fsize=1M:2M
	if [ -z "$TARGET" ]; then
		fail "$MODE: the sandbox started"
		return
	fi
	run_as "$MODE" "$H" --join "$TARGET" "$P" read=/proc/self/limits read=/proc/self/stat \
		read=/proc/self/oom_score_adj
	is "$RC" 0 "$MODE: --join of a sandbox with --rlimit"
	is "$(printf '%b' "$(val read:/proc/self/limits)")" "$(cat "/proc/$TARGET/limits")" \
		"$MODE: the joined command has the sandbox command's resource limits, not the caller's"
	is "$(printf '%b' "$(val read:/proc/self/stat)" | nice_of)" \
		"$(nice_of <"/proc/$TARGET/stat")" \
		"$MODE: the joined command has the sandbox command's nice value, not the caller's"
	is "$(printf '%b' "$(val read:/proc/self/oom_score_adj)")" \
		"$(cat "/proc/$TARGET/oom_score_adj")" \
		"$MODE: the joined command has the sandbox command's oom_score_adj, not the caller's"
	stop
}
for_each_mode limits_case

# --- F2: the joiner stopped by the sandbox ------------------------------------------------------
# The sandbox's command (no PID namespace: hutch's default): when the joined command appears,
# it keeps a copy of its stdin (/proc/PID/fd/0, as a process of the same uid may), SIGSTOPs its
# parent (hutch's joiner, whose pid it sees) and reads what comes after the command's end.
cat >"$T/bin/stopper.py" <<'PYEOF'
import os, sys, time, select, signal
mark = sys.argv[1].encode()
open('/w/ready', 'w').close()
deadline = time.time() + 30
while time.time() < deadline:
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % p, 'rb') as f:
                if mark not in f.read().split(b'\0'):
                    continue
            fd = os.open('/proc/%s/fd/0' % p, os.O_RDONLY)
            with open('/proc/%s/status' % p) as f:
                ppid = [int(l.split()[1]) for l in f if l.startswith('PPid:')][0]
            os.kill(ppid, signal.SIGSTOP)
        except OSError:
            continue
        got = b''
        end = time.time() + 6
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    b = os.read(fd, 100)
                except OSError:
                    break
                if not b:
                    break
                got += b
        os.kill(ppid, signal.SIGCONT)
        with open('/w/got', 'w') as f:
            f.write('stopped %d\nread %r\n' % (ppid, got))
        sys.exit(0)
    time.sleep(0.02)
PYEOF
chmod 0644 "$T/bin/stopper.py"

stop_joiner_case() {
	local w
	if [ -z "$PY" ]; then
		skip "$MODE: the sandbox stopping the joiner (needs python3)"
		return
	fi
	w=$(mktemp -d "$T/stop.XXXXXX")
	chmod 0777 "$w"
	(as_mode "$MODE" "$H" "${MINROOT[@]}" --proc /proc --bind "$w" /w \
		"$PY" "$T/bin/stopper.py" "join-$MARK") >/dev/null 2>&1 &
	BG=$!
	for _ in $(seq 200); do [ -e "$w/ready" ] && break; sleep 0.05; done
	TARGET=
	for _ in $(seq 100); do
		TARGET=$(pgrep -f "^$PY $T/bin/stopper.py join-$MARK" | head -n 1) && break
		sleep 0.05
	done
	{
		sleep 2.5
		echo "LATER-INPUT-$MARK"
		sleep 4
	} | (as_mode "$MODE" timeout 20 "$H" --join "$TARGET" sh -c 'sleep 0.7; :' "join-$MARK") \
		>/dev/null 2>&1
	for _ in $(seq 200); do [ -e "$w/got" ] && break; sleep 0.05; done
	like "$(cat "$w/got" 2>/dev/null)" "stopped" \
		"$MODE: (the sandbox did stop the joined command's parent)"
	unlike "$(cat "$w/got" 2>/dev/null)" "LATER-INPUT" \
		"$MODE: the caller's input after the joined command's end never reaches the sandbox, even with the joiner stopped"
	kill -9 "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	kill_matching "join-$MARK"
	rm -rf "$w"
}
# (As root the relay's pipes and pty are root's: the sandbox, nobody on the host, cannot open
# them again through /proc; it would have to take them from the joined command's memory.)
MODES=user for_each_mode stop_joiner_case

# --- F3: root joining a user's fake sandbox -----------------------------------------------------
fake_case() {
	local digest fake
	digest=$("$H" "${MINROOT[@]}" cat /proc/self/mountinfo 2>/dev/null |
		sed -n 's/.* - tmpfs \(hutch:seccomp=[0-9a-f]*\) .*/\1/p' | head -n 1)
	if [ -z "$digest" ]; then
		fail "the default filter's mark (from a sandbox's mountinfo)"
		return
	fi
	(as_mode user unshare -Urm sh -c "mount -t tmpfs $digest /mnt && exec sleep 120") \
		>/dev/null 2>&1 &
	BG=$!
	TARGET=$(find_sleep "$BG")
	fake=$TARGET
	run_as root nice -n -5 "$H" --join "$fake" "$P" read=/proc/self/stat
	is "$RC" 0 "root joins a user's fake sandbox (the mark is no boundary)"
	is "$(printf '%b' "$(val read:/proc/self/stat)" | nice_of)" "$(nice_of <"/proc/$fake/stat")" \
		"root's nice value does not reach the user's process (the joined command)"
	stop
}
if [ "$(id -u)" = 0 ] && unpriv_userns_works && command -v unshare >/dev/null; then
	fake_case
else
	skip "root joining a user's fake sandbox (needs root and unprivileged user namespaces)"
	skip "root joining a user's fake sandbox (needs root and unprivileged user namespaces)"
fi

# F2 against root: the user of a fake sandbox takes root's joined command's stdin with
# pidfd_getfd (the command is in the user's own user namespace) and tries to SIGSTOP the
# command's parent (it was root's joiner, running as the user by then; it is root's relay now,
# which the user cannot signal) to read what root types after the command's end.
cat >"$T/bin/user-spy.py" <<'PYEOF'
import os, sys, time, select, signal, ctypes
libc = ctypes.CDLL(None, use_errno=True)
mark = sys.argv[1].encode()
deadline = time.time() + 20
while time.time() < deadline:
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            a = open('/proc/%s/cmdline' % p, 'rb').read().split(b'\0')
            if a[0] != b'sh' or mark not in a:
                continue
            fd = libc.syscall(438, os.pidfd_open(int(p)), 0, 0)
            ppid = int(open('/proc/%s/status' % p).read().split('PPid:')[1].split()[0])
        except OSError:
            continue
        try:
            os.kill(ppid, signal.SIGSTOP)
            stopped = True
        except OSError as e:
            print('could not stop %d: %s' % (ppid, e.strerror))
            stopped = False
        got = b''
        end = time.time() + 5
        while fd >= 0 and time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                b = os.read(fd, 100)
                if not b:
                    break
                got += b
        if stopped:
            os.kill(ppid, signal.SIGCONT)
            print('stopped %d' % ppid)
        print('read %r' % got)
        sys.exit(0)
    time.sleep(0.02)
PYEOF
chmod 0644 "$T/bin/user-spy.py"

fake_stop_case() {
	local digest spy got
	digest=$("$H" "${MINROOT[@]}" cat /proc/self/mountinfo 2>/dev/null |
		sed -n 's/.* - tmpfs \(hutch:seccomp=[0-9a-f]*\) .*/\1/p' | head -n 1)
	(as_mode user unshare -Urm sh -c "mount -t tmpfs $digest /mnt && exec sleep 120") \
		>/dev/null 2>&1 &
	BG=$!
	TARGET=$(find_sleep "$BG")
	(as_mode user "$PY" "$T/bin/user-spy.py" "rootjoin-$MARK") >"$T/user-spy.out" 2>&1 &
	spy=$!
	sleep 0.5
	{
		sleep 2.5
		echo "ROOT-LATER-$MARK"
		sleep 4
	} | timeout 20 "$H" --join "$TARGET" sh -c 'sleep 0.7; :' "rootjoin-$MARK" >/dev/null 2>&1
	wait "$spy"
	got=$(cat "$T/user-spy.out")
	like "$got" "could not stop" \
		"the user cannot stop the joined command's parent (root's relay, outside)"
	unlike "$got" "ROOT-LATER" \
		"what root types after its joined command's end never reaches the user of a fake sandbox"
	stop
}
if [ "$(id -u)" = 0 ] && unpriv_userns_works && [ -n "$PY" ]; then
	fake_stop_case
else
	skip "root's input after the join (needs root, unprivileged user namespaces, python3)"
	skip "root's input after the join (needs root, unprivileged user namespaces, python3)"
fi

# --- F5: a sandboxed process under a filter of its own --------------------------------------------
# The sandbox's process adds a filter of its own (mkdir denied) and execs sleep: joined, the
# command has hutch's filter only (Seccomp_filters 1 against the target's 2) and may mkdir; the
# process can write the joined command's /proc/PID/mem (same uid, same user namespace).
cat >"$T/bin/extra-filter.py" <<'PYEOF'
import ctypes, struct, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def ins(code, jt, jf, k):
    return struct.pack('HBBI', code, jt, jf, k)
# x86-64 numbers; elsewhere the filter denies nothing and the case only compares counts
prog = (ins(0x20, 0, 0, 0) + ins(0x15, 2, 0, 83) + ins(0x15, 1, 0, 258) +
        ins(0x06, 0, 0, 0x7fff0000) + ins(0x06, 0, 0, 0x00050001))
buf = ctypes.create_string_buffer(prog)
class fprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
fp = fprog(5, ctypes.addressof(buf))
if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(fp), 0, 0) != 0:
    sys.exit(1)
os.execv('/usr/bin/sleep', ['sleep', '120'])
PYEOF
chmod 0644 "$T/bin/extra-filter.py"

extra_filter_case() {
	if [ -z "$PY" ]; then
		skip "$MODE: a process with a filter of its own (needs python3)"
		return
	fi
	(as_mode "$MODE" "$H" "${MINROOT[@]}" --tmpfs /scratch "$PY" "$T/bin/extra-filter.py") >"$T/ef.out" 2>&1 &
	BG=$!
	TARGET=$(find_sleep "$BG")
	if [ -z "$TARGET" ]; then
		fail "$MODE: the sandbox with a filter of its own started" "$(cat "$T/ef.out")"
		stop
		return
	fi
	run_as "$MODE" "$H" --join "$TARGET" "$P" seccomp-filters mkdir=/scratch/joined-dir
	if [ "$RC" = 0 ]; then
		is "$(val Seccomp_filters)" "$(status_of "$TARGET" Seccomp_filters)" \
			"$MODE: a joined command has as many filters as the process it joins (or --join refuses)"
	else
		like "$ERR" "cannot join" "$MODE: --join refuses a process with a filter of its own"
	fi
	stop
}
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
for_each_mode extra_filter_case

# --- F6: a joined command outlives the sandbox ---------------------------------------------------
# Without a PID namespace the sandbox's end kills what it left (its subreaper's orphans), not a
# joined command, which the sandbox can write through /proc/PID/mem and so go on after its end.
outlive_case() {
	local joined
	(as_mode "$MODE" "$H" "${MINROOT[@]}" sleep 2.5) >/dev/null 2>&1 &
	BG=$!
	TARGET=$(find_sleep "$BG")
	(as_mode "$MODE" timeout 30 "$H" --join "$TARGET" sleep "27.$$" </dev/null) >/dev/null 2>&1 &
	sleep 0.5
	joined=$(pgrep -x -f "sleep 27.$$" | head -n 1)
	wait "$BG"
	sleep 1
	ok "$MODE: (the joined command ran)" test -n "$joined"
	ok "$MODE: a joined command does not outlive the sandbox's command (no PID namespace)" \
		test ! -e "/proc/$joined"
	kill_matching "sleep 27.$$"
}
for_each_mode outlive_case

# --- F4: root's cgroup renamed by the user of a delegated parent (cgroup v1) -------------------
. "${srcdir:-.}/tests/lib-cgroup.sh"
rename_case() {
	local base parent c ns victim
	cgroup_delegate
	base=${WHERE[pids]#v1:}
	parent=$base/$CG_NAME
	start root "$H" "${MINROOT[@]}" --cgroup-parent "$parent" --pids 50
	victim=$TARGET
	c=$(find "$parent" -maxdepth 1 -name 'hutch.*' | head -n 1)
	if [ -z "$victim" ] || [ -z "$c" ]; then
		fail "root's sandbox in $parent started"
		stop
		return
	fi
	ns=${c##*.}
	run_as root "$H" "${MINROOT[@]}" --cgroup-parent "$parent" --pids 50 true
	ok "(root's next hutch there leaves root's live sandbox alone)" test -e "/proc/$victim"
	# uid 65534 owns the parent: renaming root's cgroup there is a rename in its directory.
	if ! (as_mode user mv "$c" "$parent/hutch.999999.1.$ns") 2>/dev/null; then
		skip "the user cannot rename a cgroup in a delegated v1 parent here"
		stop
		return
	fi
	run_as root "$H" "${MINROOT[@]}" --cgroup-parent "$parent" --pids 50 true
	sleep 0.3
	ok "root's next hutch in a parent the user may write leaves root's live sandbox alone (its cgroup renamed by the user to a dead hutch's name)" \
		test -e "/proc/$victim"
	stop
}
if [ "$(id -u)" = 0 ] && [ "${WHERE[pids]:-}" != "${WHERE[pids]#v1:}" ]; then
	rename_case
else
	skip "root's cgroup renamed by the user (needs root and a cgroup v1 pids hierarchy)"
fi

done_testing

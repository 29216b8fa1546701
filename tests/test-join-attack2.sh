#!/bin/bash
# test-join-attack2.sh: findings of attack 14c on --join (the command as the relay's child); each
# case fails while its finding stands:
#   F1 a sandbox without a PID namespace SIGSTOPs the relay (the joined command's parent, same
#      uid: `kill -STOP $PPID`): the relay never sees the target's end, and the joined command
#      outlives the sandbox (the fix of 14b's F6 undone);
#   F2 the caller's stdout is a pipe that closes early (`| head`): the relay died of SIGPIPE
#      and left the caller's terminal raw (now the command gets the SIGPIPE, as in a pipeline);
#   F3 a joined command that ignores SIGHUP keeps the join after the caller's terminal hung up
#      (an ssh connection dropped): the relay only forwards the signal, and lingers as long as
#      the sandbox lives (at a live terminal in raw mode ^C is the command's: no way out but
#      SIGKILL from elsewhere, which leaves the terminal raw);
#   F4 root joining a user's sandbox gives the user's process root's realtime scheduling policy
#      (chrt -f) and realtime I/O class (ionice -c1), which the user could never set: the joiner
#      takes the target's nice value and limits, not its policy or I/O priority; the other way,
#      a sandbox started under SCHED_IDLE (which it cannot leave: RLIMIT_NICE) gets a joined
#      command under SCHED_OTHER;
#   F5 root's session keyring reaches a user's joined command (root joins a sandbox made with
#      --seccomp-profile none, with that option): the user's process reads root's keys.
. "${srcdir:-.}/tests/lib.sh"

is_hutch || {
	echo "1..0 # SKIP not hutch"
	exit 0
}

MARK=atk14c-$$-$RANDOM

. "${srcdir:-.}/tests/lib-join.sh"

# --- F1: the sandbox stops the relay -----------------------------------------------------------
# Without a PID namespace the sandbox may signal every process of its user, the relay included
# (documented in hutch(1), --join): stopped, the relay cannot end the joined command with the
# sandbox. With one, the relay is out of its reach and the joined command ends with it.
stop_relay_case() {
	local bg target joined relay
	(as_mode "$MODE" "$H" "${MINROOT[@]}" --unshare-pid sleep 3) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	# shellcheck disable=SC2016 # for the joined shell
	(as_mode "$MODE" timeout 40 "$H" --join "$target" sh -c 'kill -STOP $PPID; exec "$@"' sh \
		sleep "37.$$" </dev/null) >/dev/null 2>&1 &
	for _ in $(seq 60); do
		joined=$(pgrep -x -f "sleep 37.$$" | head -n 1)
		[ -n "$joined" ] && break
		sleep 0.05
	done
	relay=$(awk '/^PPid:/ { print $2 }' "/proc/$joined/status" 2>/dev/null)
	wait "$bg"
	sleep 1.5
	ok "$MODE: (the joined command ran)" test -n "$joined"
	# (The relay may have ended already, with the join: not stopped either.)
	isnt "state-$(awk '/^State:/ { print $2 }' "/proc/$relay/status" 2>/dev/null)" state-T \
		"$MODE: with a PID namespace the joined command cannot stop its parent, the relay"
	ok "$MODE: a joined command does not outlive the sandbox's command (PID namespace)" \
		test ! -e "/proc/$joined"
	[ -n "$relay" ] && kill -CONT "$relay" 2>/dev/null
	kill_matching "sleep 37.$$"
}
MODES=user for_each_mode stop_relay_case

# --- F2: SIGPIPE ends the relay, the caller's terminal stays raw --------------------------------
sigpipe_case() {
	local bg target w
	if ! command -v script >/dev/null; then
		skip "$MODE: the caller's terminal after | head (needs script)"
		skip "$MODE: the caller's terminal after | head (needs script)"
		return
	fi
	(as_mode "$MODE" "$H" "${MINROOT[@]}" sleep 120) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	w=$(mktemp -d "$T/pipe.XXXXXX")
	chmod 0777 "$w"
	# The joined command floods its stdout (a pipe: the caller's is one); head takes 4 bytes.
	(as_mode "$MODE" timeout 30 script -qec "stty -g >$w/before; { $H --join $target sh -c 'while :; do echo $MARK; done' 2>/dev/null; echo \$? >$w/rc; } | head -c 4 >/dev/null; stty -g >$w/after" /dev/null) </dev/null >/dev/null 2>&1
	is "$(cat "$w/rc" 2>/dev/null)" 141 \
		"$MODE: the caller's stdout closing early ends the command by SIGPIPE, as in a pipeline"
	is "$(cat "$w/after" 2>/dev/null)" "$(cat "$w/before" 2>/dev/null)" \
		"$MODE: the caller's terminal settings are restored when its stdout pipe closes early"
	kill -9 "$bg" "$target" 2>/dev/null
	wait "$bg" 2>/dev/null
	kill_matching "$MARK"
	rm -rf "$w"
}
for_each_mode sigpipe_case

# --- F3: the caller's terminal hangs up -------------------------------------------------------------
hangup_case() {
	local bg target s relay
	if ! command -v script >/dev/null; then
		skip "$MODE: the join after a hangup (needs script)"
		return
	fi
	(as_mode "$MODE" "$H" "${MINROOT[@]}" sleep 120) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	# shellcheck disable=SC2016 # for the joined shell
	(as_mode "$MODE" script -qec "$H --join $target sh -c 'trap \"\" HUP INT TERM; while :; do sleep 1; done' hup-$MARK" /dev/null) </dev/null >/dev/null 2>&1 &
	s=$!
	for _ in $(seq 60); do
		relay=$(pgrep -f "^$H --join $target sh -c" | head -n 1)
		[ -n "$relay" ] && break
		sleep 0.05
	done
	sleep 0.5
	kill -9 "$s" # the terminal is gone: its master closes, the relay's session hangs up
	wait "$s" 2>/dev/null
	sleep 3
	ok "$MODE: (the relay ran)" test -n "$relay"
	ok "$MODE: the join ends when the caller's terminal hangs up, even if the joined command ignores SIGHUP" \
		test ! -e "/proc/$relay"
	[ -n "$relay" ] && kill -9 "$relay" 2>/dev/null
	kill -9 "$bg" "$target" 2>/dev/null
	wait "$bg" 2>/dev/null
	kill_matching "hup-$MARK"
}
for_each_mode hangup_case

# --- F4: root's realtime scheduling reaches the user's joined command ------------------------------
sched_case() {
	local bg target out
	(as_mode user "$H" "${MINROOT[@]}" sleep 120) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	# shellcheck disable=SC2016 # for the joined shell
	run_as root chrt -f 10 ionice -c 1 -n 0 "$H" --join "$target" sh -c \
		'set -- $(sed "s/.*) //" /proc/self/stat); echo "policy=${39} rtprio=${38}"; ionice -p $$'
	is "$RC" 0 "root joins a user's sandbox under chrt -f 10 and ionice -c 1"
	out=$(awk '{ sub(/.*\) /, ""); print "policy=" $39 " rtprio=" $38 }' "/proc/$target/stat")
	is "$(echo "$OUT" | grep '^policy=')" "$out" \
		"root's realtime scheduling policy does not reach the user's process (the joined command)"
	is "$(echo "$OUT" | grep -v '^policy=')" "$(ionice -p "$target")" \
		"root's realtime I/O class does not reach the user's process (the joined command)"
	kill -9 "$bg" "$target" 2>/dev/null
	wait "$bg" 2>/dev/null
}
idle_case() {
	local bg target
	(as_mode "$MODE" chrt -i 0 "$H" "${MINROOT[@]}" sleep 120) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	# shellcheck disable=SC2016 # for the joined shell
	run_as "$MODE" "$H" --join "$target" sh -c \
		'set -- $(sed "s/.*) //" /proc/self/stat); echo "policy=${39}"'
	is "$OUT" "$(awk '{ sub(/.*\) /, ""); print "policy=" $39 }' "/proc/$target/stat")" \
		"$MODE: a joined command has the scheduling policy of a SCHED_IDLE sandbox, not the caller's"
	kill -9 "$bg" "$target" 2>/dev/null
	wait "$bg" 2>/dev/null
}
if command -v chrt >/dev/null; then
	for_each_mode idle_case
else
	skip "a SCHED_IDLE sandbox (needs chrt)"
fi
if [ "$(id -u)" = 0 ] && unpriv_userns_works && command -v chrt >/dev/null &&
	command -v ionice >/dev/null && chrt -f 10 true 2>/dev/null; then
	sched_case
else
	skip "root's realtime scheduling and I/O class (needs root, chrt -f, ionice, user namespaces)"
	skip "root's realtime scheduling and I/O class (needs root, chrt -f, ionice, user namespaces)"
	skip "root's realtime scheduling and I/O class (needs root, chrt -f, ionice, user namespaces)"
fi

# --- F5: root's session keyring ----------------------------------------------------------------------
cat >"$T/bin/key.py" <<'PYEOF'
# key.py add|read: add a 'user' key to a new session keyring and exec argv[2:], or read @s's keys
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_READ, KEYCTL_DESCRIBE, S = 1, 11, 6, -3
if sys.argv[1] == 'add':
    libc.syscall(250, KEYCTL_JOIN_SESSION_KEYRING, None)
    k = libc.syscall(248, b'user', b'rootsecret', b'ROOT-KEY-DATA', 13, ctypes.c_int(S))
    os.execvp(sys.argv[2], sys.argv[2:])
buf = ctypes.create_string_buffer(4096)
n = libc.syscall(250, KEYCTL_READ, ctypes.c_int(S), buf, 4096)
if n < 0:
    print('read @s:', os.strerror(ctypes.get_errno())); sys.exit()
ids = [int.from_bytes(buf.raw[i:i+4], 'little', signed=True) for i in range(0, min(n, 4096), 4)]
print('keys', len(ids))
for i in ids:
    m = libc.syscall(250, KEYCTL_READ, ctypes.c_int(i), buf, 4096)
    d = ctypes.create_string_buffer(256); libc.syscall(250, KEYCTL_DESCRIBE, ctypes.c_int(i), d, 256)
    print('key', i, d.value, buf.raw[:m] if m > 0 else os.strerror(ctypes.get_errno()))
PYEOF
chmod 0644 "$T/bin/key.py"

keyring_case() {
	local bg target
	(as_mode user "$H" "${MINROOT[@]}" --seccomp-profile none sleep 120) >/dev/null 2>&1 &
	bg=$!
	target=$(find_sleep "$bg")
	run_as root "$PY" "$T/bin/key.py" add "$H" --join "$target" --seccomp-profile none \
		"$PY" "$T/bin/key.py" read
	is "$RC" 0 "root joins a user's sandbox (--seccomp-profile none) from a session keyring with a key"
	unlike "$OUT" "ROOT-KEY-DATA" \
		"root's session keyring does not reach the user's process (the joined command)"
	kill -9 "$bg" "$target" 2>/dev/null
	wait "$bg" 2>/dev/null
}
if [ "$(id -u)" = 0 ] && unpriv_userns_works && [ -n "$PY" ]; then
	keyring_case
else
	skip "root's session keyring (needs root, user namespaces, python3)"
	skip "root's session keyring (needs root, user namespaces, python3)"
fi

done_testing

#!/bin/bash
# The sandbox's network (hutch face): --net none shows only lo; --net user's helpers (pasta,
# slirp4netns, each that is installed) give it an address and a default route, a server inside
# reached from the host through --publish, the host's loopback reached only with
# --net-host-loopback, --net-allow letting one port through and refusing another at once, DNS
# through the helper's forwarder against a resolver the test runs, the helper gone when the
# sandbox ends and after a SIGKILL of hutch, and the errors (no helper, /dev/net/tun, a port
# taken).
#
# Traffic goes only to the host's 127.0.0.1 (servers the test runs there, reached from inside
# through the gateway mapping 10.0.2.2) or into network namespaces the test makes: the DNS case
# runs hutch in a namespace of its own whose resolv.conf names a resolver the test runs on its
# 127.0.0.1, and whose only route leads into a veth pair that goes nowhere. What is asserted
# comes from the kernel and the peers: /proc/net inside, the bytes a server sent, connect()'s
# errno and how long it took, the processes left on the host.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

HELPERS=
for h in pasta slirp4netns; do
	command -v "$h" >/dev/null 2>&1 && HELPERS="$HELPERS $h"
done
SRV=$T/bin/net-servers.py
cp "$srcdir/tests/net-servers.py" "$SRV" && chmod 0644 "$SRV" || bail_out "cannot copy net-servers.py"
at_cleanup 'kill_matching "$SRV"'
ROOT=(--ro-bind / / --proc /proc --dev /dev)

# A free TCP port on the host's loopback, 20000..59999.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# serve PORT WORD: a server on the host's 127.0.0.1:PORT that answers WORD (the test's own).
serve() {
	"$PY" "$SRV" tcp "$1" "$2" >"$T/serve.$1" 2>&1 &
	wait_until 5 grep -qs ready "$T/serve.$1" || bail_out "the test server on port $1 did not start"
}

tun_ok() { (as_mode "$MODE" sh -c ': <>/dev/net/tun') 2>/dev/null; }

# --- what needs no helper ----------------------------------------------------------------------

case_none() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --net none -- cat /proc/net/dev
	is "$(printf '%s\n' "$OUT" | awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' | paste -sd,)" \
		lo "$MODE: --net none: only lo"
	run_as "$MODE" "$H" "${MINROOT[@]}" --net host -- cat /proc/net/dev
	is "$(printf '%s\n' "$OUT" | awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' | sort | paste -sd,)" \
		"$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | sort | paste -sd,)" \
		"$MODE: --net host: the host's interfaces"
}

case_no_helper() {
	mkdir -p "$T/empty"
	run_as "$MODE" env PATH="$T/empty" "$H" "${ROOT[@]}" --net user -- /usr/bin/true
	is "$RC" 125 "$MODE: no helper installed: a setup failure"
	like "$ERR" "neither pasta nor slirp4netns.*" "$MODE: ... says so"
	like "$ERR" "hint: install the package passt \(pasta\) or slirp4netns" "$MODE: ... names the packages"
}

# --- each helper --------------------------------------------------------------------------------

# Without /dev/net/tun (mode 0600 on some machines), the reason and the way out.
case_tun_unusable() {
	local h=$1
	run_as "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" -- /usr/bin/true
	is "$RC" 125 "$MODE: $h: /dev/net/tun unusable: a setup failure"
	like "$ERR" "cannot open /dev/net/tun.*Permission denied" "$MODE: $h: ... names the cause"
	like "$ERR" "hint: /dev/net/tun is mode 0[0-7]+ here.*0666" "$MODE: $h: ... and the fix"
}

case_user() {
	local h=$1
	run_as "$MODE" "$H" "${MINROOT[@]}" --net user --net-helper "$h" -- sh -c \
		'cat /proc/net/dev /proc/net/route'
	is "$RC" 0 "$MODE: $h: --net user runs"
	like "$(printf '%s\n' "$OUT" | awk -F: 'NR > 2 && /:/ { gsub(/ /, "", $1); print $1 }' | paste -sd,)" \
		"^lo,[a-z0-9]+$|^[a-z0-9]+,lo$" "$MODE: $h: lo and one interface"
	# /proc/net/route: destination 0, gateway 10.0.2.2 (little-endian hex).
	like "$OUT" $'\t00000000\t0202000A\t' "$MODE: $h: a default route via 10.0.2.2"
}

case_publish() {
	local h=$1 hp
	hp=$(free_port)
	"$PY" -c 'import socket' || return
	(as_mode "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" --publish "$hp:8000" -- \
		"$PY" -c '
import socket
s = socket.socket(); s.bind(("0.0.0.0", 8000)); s.listen(1)
c, a = s.accept(); c.sendall(b"inside-'"$hp"'\n"); c.close()' >/dev/null 2>"$T/pub.err") &
	local pid=$! got=
	for _ in $(seq 100); do
		got=$( (exec 3<>"/dev/tcp/127.0.0.1/$hp" && head -n 1 <&3) 2>/dev/null) && [ -n "$got" ] && break
		sleep 0.1
	done
	is "$got" "inside-$hp" "$MODE: $h: --publish $hp:8000: the server inside answers the host"
	wait "$pid"
	is "$?" 0 "$MODE: $h: ... and the sandbox ends with the command"
	# The host side binds 127.0.0.1 only.
	run_as "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" --publish "$hp:8000" -- \
		/usr/bin/true
	is "$RC" 0 "$MODE: $h: the port is free again"
}

case_port_taken() {
	local h=$1
	run_as "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" --publish "$PORT1:8000" -- \
		/usr/bin/true
	is "$RC" 125 "$MODE: $h: --publish on a port taken: a setup failure"
	like "$ERR" "cannot publish port $PORT1/tcp on 127.0.0.1.*in use" "$MODE: $h: ... names the port"
}

# connect_from_inside PORT [OPTIONS...]: connect to 10.0.2.2:PORT from inside; OUT is what the
# server said, or the error, then "ms=" the time connect took.
connect_from_inside() {
	local port=$1
	shift
	run_as "$MODE" "$H" "${ROOT[@]}" --net user "$@" -- "$PY" -c '
import socket, sys, time
t = time.monotonic()
try:
    s = socket.create_connection(("10.0.2.2", int(sys.argv[1])), timeout=10)
    print(s.makefile().readline().strip())
except OSError as e:
    print("errno=%s" % __import__("errno").errorcode.get(e.errno, e))
print("ms=%d" % ((time.monotonic() - t) * 1000))' "$port"
}

case_host_loopback() {
	local h=$1
	connect_from_inside "$PORT1" --net-helper "$h"
	like "$OUT" "^errno=ECONNREFUSED" "$MODE: $h: the host's loopback closed by default"
	connect_from_inside "$PORT1" --net-helper "$h" --net-host-loopback
	like "$OUT" "^one-$PORT1" "$MODE: $h: --net-host-loopback: reached"
}

case_allow() {
	local h=$1 ms
	connect_from_inside "$PORT1" --net-helper "$h" --net-host-loopback --net-allow "10.0.2.2:$PORT1"
	like "$OUT" "^one-$PORT1" "$MODE: $h: --net-allow 10.0.2.2:$PORT1: that port reached"
	connect_from_inside "$PORT2" --net-helper "$h" --net-host-loopback --net-allow "10.0.2.2:$PORT1"
	like "$OUT" "^errno=ECONNREFUSED" "$MODE: $h: ... another port refused"
	ms=$(val ms)
	ok "$MODE: $h: ... at once (${ms:-?} ms)" test "${ms:-99999}" -lt 1000
	connect_from_inside "$PORT2" --net-helper "$h" --net-host-loopback
	like "$OUT" "^two-$PORT2" "$MODE: $h: ... which is open without --net-allow"
}

# The sandbox's pid: the helper is hutch's child; gone when the sandbox ends, and after a
# SIGKILL of hutch (its death signal).
helper_of() { pgrep -P "$1" -x 'pasta|passt|passt.avx2|slirp4netns' | head -n 1; }
# has_helper PID: PID has its helper now (for wait_until, which runs it again each time).
has_helper() { [ -n "$(helper_of "$1")" ]; }

case_helper_gone() {
	local h=$1 hpid helper
	(as_mode "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" -- /usr/bin/sleep 2) &
	hpid=$!
	wait_until 5 has_helper "$hpid"
	helper=$(helper_of "$hpid")
	ok "$MODE: $h: the helper runs outside, a child of hutch" test -n "$helper"
	is "$(stat -c %u "/proc/$helper" 2>/dev/null)" "$(mode_uid "$MODE")" \
		"$MODE: $h: ... with the caller's uid"
	wait "$hpid"
	ok "$MODE: $h: ... gone when the sandbox ends" wait_until 5 test ! -e "/proc/$helper"

	(as_mode "$MODE" "$H" "${ROOT[@]}" --net user --net-helper "$h" -- /usr/bin/sleep 30) &
	hpid=$!
	wait_until 5 has_helper "$hpid"
	helper=$(helper_of "$hpid")
	kill -9 "$hpid"
	wait "$hpid" 2>/dev/null
	ok "$MODE: $h: ... gone after a SIGKILL of hutch (helper ${helper:-not found})" \
		eval 'test -n "$helper" && wait_until 5 test ! -e "/proc/$helper"' 
}

# DNS: hutch in a network and mount namespace of the test's, whose resolv.conf names the test's
# resolver on its own 127.0.0.1:53; the sandbox's /etc is the host's, so hutch binds its
# resolv.conf (the forwarder, 10.0.2.3) there, and the name resolves through the helper.
case_dns() {
	local h=$1 wrap=(unshare --net --mount)
	[ "$MODE" = user ] && wrap=(unshare --user --map-current-user --net --mount)
	printf 'nameserver 127.0.0.1\n' >"$T/resolv.conf"
	chmod 0644 "$T/resolv.conf"
	run_as "$MODE" "${wrap[@]}" bash -c '
set -e
ip link set lo up
# A route for the helper to call its outside: into a veth pair that leads nowhere.
ip link add hn0 type veth peer name hn1
ip addr add 198.51.100.1/24 dev hn0
ip link set hn0 up
ip route add default via 198.51.100.2 dev hn0
mount --bind "$1" /etc/resolv.conf
"$2" "$3" dns 53 hutch-test.example 192.0.2.77 >"$4" 2>&1 &
for i in $(seq 50); do grep -q ready "$4" && break; sleep 0.1; done
shift 4
"$@"' wrap "$T/resolv.conf" "$PY" "$SRV" "$T/dns.$MODE.$h" \
		"$H" "${ROOT[@]}" --net user --net-helper "$h" -- sh -c \
		'cat /etc/resolv.conf; getent hosts hutch-test.example'
	like "$OUT" "nameserver 10.0.2.3" "$MODE: $h: resolv.conf names the forwarder"
	like "$OUT" "^192\.0\.2\.77 +hutch-test\.example" "$MODE: $h: a name resolved through it"
}

if ! is_hutch; then
	skip "the network options are hutch's own"
	done_testing
fi

for_each_mode case_none
for_each_mode case_no_helper
if [ -z "$HELPERS" ]; then
	skip "--net user: neither pasta nor slirp4netns is installed (Debian: passt, slirp4netns)"
	done_testing
fi
if [ -z "$PY" ]; then
	skip "--net user: the cases need python3 for their servers"
	done_testing
fi
PORT1=$(free_port)
serve "$PORT1" "one-$PORT1"
PORT2=$(free_port)
while [ "$PORT2" = "$PORT1" ]; do PORT2=$(free_port); done
serve "$PORT2" "two-$PORT2"

net_cases() {
	local h
	for h in $HELPERS; do
		if ! tun_ok; then
			case_tun_unusable "$h"
			skip "$MODE: $h: --net user (/dev/net/tun is mode $(stat -c %04a /dev/net/tun): uid $(mode_uid "$MODE") cannot open it)"
			continue
		fi
		case_user "$h"
		case_host_loopback "$h"
		case_allow "$h"
		case_helper_gone "$h"
		case_dns "$h"
		if [ "$h" = pasta ]; then
			case_publish "$h"
			case_port_taken "$h"
		fi
	done
}
for_each_mode net_cases
done_testing

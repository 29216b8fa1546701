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

# started PID: wait for a `sleep` below PID (itself, or a child or grandchild: the command of a
# sandbox with a PID namespace is the child of its pid 1) and print its pid.
find_sleep() {
	local q n i
	for _ in $(seq 200); do
		q=("$1")
		i=0
		while [ "$i" -lt "${#q[@]}" ]; do
			n=${q[$i]}
			i=$((i + 1))
			if [ "$(cat "/proc/$n/comm" 2>/dev/null)" = sleep ]; then
				echo "$n"
				return 0
			fi
			# shellcheck disable=SC2207 # pids: one word each
			q+=($(cat "/proc/$n/task/$n/children" 2>/dev/null))
		done
		sleep 0.05
	done
	return 1
}

# start MODE FACE-BINARY ARGS...: a sandbox running sleep in the background; sets BG and TARGET.
start() {
	local mode=$1
	shift
	(as_mode "$mode" "$@" sleep 120) >/dev/null 2>&1 &
	BG=$!
	TARGET=$(find_sleep "$BG")
}

stop() {
	kill -9 "$BG" ${TARGET:+"$TARGET"} 2>/dev/null
	wait "$BG" 2>/dev/null
	return 0
}

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

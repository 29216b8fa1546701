# lib-join.sh: the sandboxes the --join tests join (test-join.sh, test-join-attack*.sh).
# Sourced after lib.sh.
# shellcheck shell=bash disable=SC2034 # BG and TARGET are the sourcing scripts'

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

#!/bin/bash
# net-bench.sh: what --net user adds to a launch, against --net none in the same run.
#
#   make bench-net                      # from the build tree
#   HUTCH=./hutch ROUNDS=50 bench/net-bench.sh
#
# Each round launches `hutch --ro-bind / / --net MODE true` once per mode (none, then user
# with each installed helper), the order rotating from round to round so that drift of the
# machine spreads over all of them. Prints per mode the median and quartiles of the wall time
# of a launch (fork to exit, measured by this script's clock around one process) and the
# median of the per-round differences to --net none. Runs as the caller: --net user needs a
# usable /dev/net/tun (as root, or where it is mode 0666).
set -euo pipefail

HUTCH=${HUTCH:-./hutch}
ROUNDS=${ROUNDS:-40}
modes=(none)
for h in pasta slirp4netns; do
	command -v "$h" >/dev/null 2>&1 && modes+=("user:$h")
done
if ! (: <>/dev/net/tun) 2>/dev/null; then
	echo "net-bench: /dev/net/tun is not usable by uid $(id -u): only --net none measured" >&2
	modes=(none)
fi

args_of() {
	case $1 in
	none) echo "--net none" ;;
	user:*) echo "--net user --net-helper ${1#user:}" ;;
	esac
}

declare -A times
now_us() { echo $(($(date +%s%N) / 1000)); }
for ((r = 0; r < ROUNDS; r++)); do
	n=${#modes[@]}
	for ((i = 0; i < n; i++)); do
		m=${modes[$(((i + r) % n))]}
		# shellcheck disable=SC2046 # the mode's words
		t0=$(now_us)
		"$HUTCH" --ro-bind / / $(args_of "$m") true
		t1=$(now_us)
		times[$m]+="$((t1 - t0)) "
	done
done

stats() { # "median q1 q3" of the numbers on stdin, in ms
	sort -n | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f", v[int((NR + 1) / 2)] / 1000, v[int((NR + 3) / 4)] / 1000, v[int((3 * NR + 3) / 4)] / 1000 }'
}

printf 'hutch %s, %d rounds, kernel %s, %s cpus\n' "$("$HUTCH" --version | head -n 1)" "$ROUNDS" \
	"$(uname -r)" "$(nproc)"
printf '%-20s %10s %10s %10s %14s\n' mode median-ms q1-ms q3-ms "+vs none ms"
read -r -a base <<<"${times[none]}"
for m in "${modes[@]}"; do
	read -r -a v <<<"${times[$m]}"
	diff=$(for ((i = 0; i < ${#v[@]}; i++)); do echo $((v[i] - base[i])); done | stats | cut -d' ' -f1)
	read -r med q1 q3 <<<"$(printf '%s\n' "${v[@]}" | stats)"
	printf '%-20s %10s %10s %10s %14s\n' "$m" "$med" "$q1" "$q3" "$diff"
done

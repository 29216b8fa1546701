#!/bin/bash
# landlock-bench.sh: what --landlock adds to a flatpak-like launch, against --no-landlock in
# the same run.
#
#   make bench-landlock                 # from the build tree
#   HUTCH=./hutch HUTCH_TESTBUILD=tests/hutch-test ROUNDS=400 bench/landlock-bench.sh
#
# The launch is run.sh's flatpak shape (--unshare-all --die-with-parent, /usr and its links,
# /proc, /dev, /tmp, /etc, four --setenv), with --landlock or --no-landlock: six Landlock
# rules. bench-harness (floor.c) times each launch (posix_spawn to exit, CLOCK_MONOTONIC),
# both once per round in an order that alternates from round to round, so that drift of the
# machine falls on both. Prints the median and quartiles of each and the median of the
# per-round differences (landlock - plain). On a loaded machine a launch's wall time varies by
# far more than the cost looked for: the test build of hutch (HUTCH_TESTBUILD, tests/hutch-test,
# built by `make check`) then says what its own Landlock steps took, in CPU time of the setup
# child (system time of the calls included, none of what other processes take from it) and
# in wall time: the ruleset, the rules, landlock_restrict_self, and the nested-sandbox probe
# that every launch makes (COST_ROUNDS launches, medians). Run as root, it measures as uid
# 65534 (BENCH_USER), like run.sh.
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HUTCH=${HUTCH:-./hutch}
ROUNDS=${ROUNDS:-400}
COST_ROUNDS=${COST_ROUNDS:-200}
HUTCH_TESTBUILD=${HUTCH_TESTBUILD:-}
CC=${CC:-cc}
BENCH_USER=${BENCH_USER:-65534}

HUTCH=$(cd "$(dirname "$HUTCH")" && pwd)/$(basename "$HUTCH")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hutch-landlock-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cp "$HUTCH" "$WORK/hutch"
[ -n "$HUTCH_TESTBUILD" ] && cp "$HUTCH_TESTBUILD" "$WORK/hutch-test"
$CC -O2 -DBENCH_HARNESS -o "$WORK/bench-harness" "$here/floor.c"
chmod -R a+rX "$WORK"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --clear-groups --)

flatpak=(--unshare-all --die-with-parent --ro-bind /usr /usr
	--symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin
	--symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --ro-bind /etc /etc
	--setenv HOME /home/user --setenv XDG_RUNTIME_DIR /run/user/1000 --setenv LANG C.UTF-8
	--setenv FLATPAK_ID org.example.Bench)
{
	IFS=$'\t'
	printf '%s\n' "plain	$WORK/hutch	--no-landlock	${flatpak[*]}	true"
	printf '%s\n' "landlock	$WORK/hutch	--landlock	${flatpak[*]}	true"
} >"$WORK/spec"
chmod a+r "$WORK/spec"

abi=$("$WORK/hutch" --dry-run --landlock "${flatpak[@]}" true | sed -n 's/^landlock: ABI \([0-9]*\).*/\1/p')
rules=$("$WORK/hutch" --dry-run --landlock "${flatpak[@]}" true | grep -c '^  /')
(cd / && "${as_user[@]}" env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C \
	"$WORK/bench-harness" rounds landlock flatpak "$ROUNDS" "$WORK/spec") >"$WORK/out.tsv"

printf 'hutch %s, Landlock ABI %s (%s rules), %d rounds, kernel %s, %s cpus, load %s\n' \
	"$("$HUTCH" --version | head -n 1 | sed 's/^hutch //')" "$abi" "$rules" "$ROUNDS" \
	"$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' -v rounds="$ROUNDS" '
	$1 == "R" && $7 == 0 { t[$4, $5] = $6; n[$4]++ }
	$1 == "R" && $7 != 0 { failed[$4]++ }
	function median(a, k,    i, j, x) { # sort a[1..k] (insertion), middle value
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function quart(a, k, q) { return a[int(q * (k - 1)) + 1] }
	END {
		printf "%-10s %11s %11s %11s %7s\n", "launch", "median-ms", "q1-ms", "q3-ms", "failed"
		for (c = 0; c < 2; c++) {
			name = c ? "landlock" : "plain"; k = 0
			for (r = 0; r < rounds; r++)
				if ((name, r) in t) v[++k] = t[name, r]
			m[name] = median(v, k)
			printf "%-10s %11.3f %11.3f %11.3f %7d\n", name, m[name] / 1000,
				quart(v, k, 0.25) / 1000, quart(v, k, 0.75) / 1000, failed[name] + 0
		}
		k = 0
		for (r = 0; r < rounds; r++)
			if (("plain", r) in t && ("landlock", r) in t) d[++k] = t["landlock", r] - t["plain", r]
		md = median(d, k)
		printf "per-round difference (landlock - plain): median %+.3f ms, q1 %+.3f, q3 %+.3f " \
			"(%d rounds); ratio of medians %.3f\n", md / 1000, quart(d, k, 0.25) / 1000,
			quart(d, k, 0.75) / 1000, k, m["landlock"] / m["plain"]
	}' "$WORK/out.tsv"

if [ -z "$HUTCH_TESTBUILD" ]; then
	echo "no HUTCH_TESTBUILD (tests/hutch-test): the in-process cost is not measured"
	exit 0
fi
for ((i = 0; i < COST_ROUNDS; i++)); do
	(cd / && "${as_user[@]}" env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C HUTCH_TEST_LANDLOCK_COST=1 \
		"$WORK/hutch-test" --landlock "${flatpak[@]}" true 2>&1 >/dev/null) |
		sed -n 's/^landlock-cost: //p'
done | awk -v n="$COST_ROUNDS" '
	function median(a, k,    i, j, x) {
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	{ for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1], NR] = kv[2] } }
	END {
		printf "in hutch (test build, %d launches, medians): the Landlock steps %.3f ms CPU, " \
			"%.3f ms wall; the nested-sandbox probe (every launch) %.3f ms CPU\n", NR,
			med("cpu_ns") / 1e6, med("wall_ns") / 1e6, med("nested_cpu_ns") / 1e6
	}
	function med(key,    r, a) { for (r = 1; r <= NR; r++) a[r] = v[key, r]; return median(a, NR) }'

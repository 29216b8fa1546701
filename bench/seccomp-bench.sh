#!/usr/bin/env bash
# bench/seccomp-bench.sh: what the seccomp filters cost, hutch's compiler against libseccomp's
# generator (issue 11). Not a timed test. `make bench-seccomp` runs it; on its own, from the
# build tree after `make`:
#
#   bench/seccomp-bench.sh
#
#   1. the programs (bench/seccomp-compare.c): default and strict compiled by hutch and by
#      libseccomp (tests/seccomp-oracle.c; SCMP_FLTATR_CTL_OPTIMIZE 1 and 2), their verdicts
#      compared on every number of x86_64, i386 and x32, their sizes and the instructions the
#      kernel runs;
#   2. attaching (bench/seccomp-measure.c): the seccomp() call as hutch makes it, in a fork,
#      as the first filter (the kernel also fills its cache of always-allowed calls) and
#      stacked on a filter that leaves that cache empty (checking, converting and JIT only);
#      then a one-instruction program and an arch check (what any filter costs the kernel)
#      and the default compiled for the native ABI only (a policy the default does not take);
#   3. per system call: allowed (cached, and after argument checks), denied, and a number no
#      rule names, from a 64-bit process (x86_64 and x32 numbers) and a 32-bit one (-m32);
#   4. per launch: the built-in program against parsing and compiling the text
#      (tools/seccomp-compile --bench);
#   5. `hutch --seccomp-profile X true` for none, default, strict and default given as a path.
# Every timing interleaves its contenders (each round runs each once, the order rotating) and
# reports medians; 2 and 3 count the child's own CPU time, so that the time the shared machine
# gives to other processes is left out.
#
# Knobs: BUILDDIR (default: the parent of bench/), HUTCH, CC, BENCH_QUICK=1, BENCH_OUT=DIR
# (the programs, default a temporary directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
BUILDDIR=${BUILDDIR:-${top_builddir:-$srcdir}}
HUTCH=${HUTCH:-$BUILDDIR/hutch}
COMPILE=$BUILDDIR/tools/seccomp-compile
CC=${CC:-cc}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	ATTACHES=200 CALL_ROUNDS=7 CALLS=20000 COMPILES=200 LAUNCHES=20
else
	ATTACHES=2000 CALL_ROUNDS=31 CALLS=50000 COMPILES=2000 LAUNCHES=200
fi

say() { printf 'seccomp-bench: %s\n' "$*" >&2; }
for f in "$BUILDDIR/libhutch.a" "$COMPILE" "$HUTCH"; do
	[ -e "$f" ] || { say "no $f: run make"; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/seccomp-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
OUT=${BENCH_OUT:-$T/programs}
mkdir -p "$OUT"

libs=$(pkg-config --libs libseccomp libcap 2>/dev/null || echo "-lseccomp -lcap")
# shellcheck disable=SC2086
"$CC" -O2 -iquote "$srcdir" -o "$T/compare" "$here/seccomp-compare.c" \
	"$srcdir/tests/seccomp-oracle.c" "$BUILDDIR/libhutch.a" $libs
"$CC" -O2 -o "$T/measure64" "$here/seccomp-measure.c"
have32=1
"$CC" -m32 -O2 -o "$T/measure32" "$here/seccomp-measure.c" 2>"$T/cc32.err" &&
	"$T/measure32" calls 1 1 - >/dev/null 2>&1 ||
	{ have32=0; say "no 32-bit build ($CC -m32): $(head -n 1 "$T/cc32.err")"; }

echo "hutch seccomp benchmark: $(uname -srm), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  libseccomp $(pkg-config --modversion libseccomp 2>/dev/null || echo '?'), commit" \
	"$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo '?')"
x32=no
if [ -r /proc/config.gz ] && zcat /proc/config.gz | grep -q '^CONFIG_X86_X32_ABI=y'; then x32=yes; fi
echo "  kernel runs x32: $x32 (the filter sees x32 numbers either way: section 3 makes them)"

echo
echo "== 1. the programs"
"$T/compare" "$srcdir" "$OUT"

P=("$OUT/default-hutch.bpf" "$OUT/default-libseccomp-o2.bpf" "$OUT/strict-hutch.bpf"
	"$OUT/strict-libseccomp-o2.bpf")
echo
echo "== 2. attaching the filter ($ATTACHES rounds; microseconds; '-': no filter)"
echo "-- the first filter, as hutch attaches it"
(cd "$OUT" && "$T/measure64" attach "$ATTACHES" - "${P[@]##*/}" default-libseccomp-o1.bpf)
echo "-- stacked on a filter that leaves the cache empty: checking, converting, JIT"
(cd "$OUT" && "$T/measure64" attach "$ATTACHES" stacked - "${P[@]##*/}" \
	default-libseccomp-o1.bpf)

# What no program can go below, and what a policy choice would give (issue 16): a one-instruction
# program (ret allow) and an arch check (ld arch; jeq native; ret allow; ret kill), written
# here as raw struct sock_filter (little-endian), against the default compiled for the native
# ABI only (`arch native`: i386 and x32 calls killed, which the default profile refuses to do).
if [ "$(uname -m)" = x86_64 ]; then
	printf '\x06\x00\x00\x00\x00\x00\xff\x7f' >"$OUT/allow-only.bpf"
	printf '%b' '\x20\x00\x00\x00\x04\x00\x00\x00' '\x15\x00\x00\x01\x3e\x00\x00\xc0' \
		'\x06\x00\x00\x00\x00\x00\xff\x7f' '\x06\x00\x00\x00\x00\x00\x00\x80' \
		>"$OUT/arch-only.bpf"
	sed 's/^arch native compat$/arch native/' "$srcdir/seccomp-profiles/default.profile" \
		>"$T/default-native.profile"
	"$COMPILE" -I "$srcdir/seccomp-profiles" -o "$OUT/default-native.bpf" \
		"$T/default-native.profile"
	echo "-- the kernel's part of any filter, and the default without the 32-bit ABIs"
	(cd "$OUT" && "$T/measure64" attach "$ATTACHES" - allow-only.bpf arch-only.bpf \
		default-native.bpf default-hutch.bpf)
	echo "-- the same, stacked (no cache to fill)"
	(cd "$OUT" && "$T/measure64" attach "$ATTACHES" stacked - allow-only.bpf arch-only.bpf \
		default-native.bpf default-hutch.bpf)
fi

echo
echo "== 3. per system call ($CALL_ROUNDS rounds of $CALLS calls; nanoseconds per call)"
(cd "$OUT" && "$T/measure64" calls "$CALL_ROUNDS" "$CALLS" - "${P[@]##*/}")
if [ "$have32" = 1 ]; then
	(cd "$OUT" && "$T/measure32" calls "$CALL_ROUNDS" "$CALLS" - "${P[@]##*/}")
fi

echo
echo "== 4. per launch: the built-in program against compiling the text ($COMPILES times)"
for p in default strict; do
	echo "-- $p"
	"$COMPILE" --bench "$COMPILES" "$srcdir/seccomp-profiles/$p.profile" | sed 's/^/   /'
done

echo
echo "== 5. per launch of hutch ($LAUNCHES launches each, interleaved; microseconds)"
declare -A samples=()
kinds=(none default strict "$srcdir/seccomp-profiles/default.profile")
for ((i = 0; i < LAUNCHES; i++)); do
	for ((j = 0; j < ${#kinds[@]}; j++)); do
		k=${kinds[$(((i + j) % ${#kinds[@]}))]}
		t0=$(date +%s%N)
		"$HUTCH" --ro-bind / / --seccomp-profile "$k" true
		t1=$(date +%s%N)
		samples[$k]="${samples[$k]:-} $(((t1 - t0) / 1000))"
	done
done
for k in "${kinds[@]}"; do
	label=$k
	[ "${k#/}" != "$k" ] && label="default, as a path (compiled at launch)"
	printf '%s\n' ${samples[$k]} | sort -n | awk -v l="$label" '{ a[NR] = $1 }
		END { printf "   median %7d  p90 %7d  %s\n", a[int((NR + 1) / 2)], a[int(NR * 0.9)], l }'
done

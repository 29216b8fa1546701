#!/usr/bin/env bash
# bench/seccomp-bench.sh: what seccomp profiles cost (issue 4). Not a timed test.
#
#   1. the cost a launch avoids: reading a prebuilt .bpf against parsing and compiling the
#      profile text (tools/seccomp-compile --bench); and what attaching the filter costs the
#      kernel (fork, attach, exit);
#   2. the cost per system call: a loop of allowed, conditionally allowed and denied calls,
#      with no filter and under none, default and strict (tests/seccomp-probe --load);
#   3. the launch: `hutch --seccomp-profile X true` for none, default, strict and default
#      given as a path (compiled at launch), interleaved; skipped while hutch lacks the option.
#
# Run from the build tree after `make` and `make check` (which builds tests/seccomp-probe):
#   bench/seccomp-bench.sh
# Knobs: HUTCH, BUILDDIR (default: the parent of bench/), CC, BENCH_QUICK=1, BENCH_N (calls
# per loop), BENCH_LAUNCHES.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
BUILDDIR=${BUILDDIR:-${top_builddir:-$srcdir}}
HUTCH=${HUTCH:-$BUILDDIR/hutch}
COMPILE=$BUILDDIR/tools/seccomp-compile
SPROBE=${SECCOMP_PROBE:-$BUILDDIR/tests/seccomp-probe}
PROFILES=$BUILDDIR/seccomp-profiles
CC=${CC:-cc}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${BENCH_N:-200000} LAUNCHES=${BENCH_LAUNCHES:-20} COMPILES=200 ATTACHES=200
else
	N=${BENCH_N:-2000000} LAUNCHES=${BENCH_LAUNCHES:-200} COMPILES=2000 ATTACHES=2000
fi

say() { printf 'seccomp-bench: %s\n' "$*" >&2; }
[ -x "$COMPILE" ] || { say "no $COMPILE: run make"; exit 1; }
[ -x "$SPROBE" ] || { say "no $SPROBE: run make check (or make tests/seccomp-probe)"; exit 1; }
for p in none default strict; do
	[ -f "$PROFILES/$p.bpf" ] || { say "no $PROFILES/$p.bpf: run make"; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/seccomp-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "== 1. per launch: prebuilt .bpf against compiling the text ($COMPILES times each)"
for p in default strict; do
	echo "-- $p"
	"$COMPILE" --bench "$COMPILES" "$srcdir/seccomp-profiles/$p.profile" | sed 's/^/   /'
done

echo
echo "== 1b. attaching the filter ($ATTACHES forks each; microseconds, medians)"
# The kernel converts and JITs every instruction, then runs the program once for every number
# of the native and compat tables to cache the calls it always allows: paid at each launch.
cat >"$T/attach.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* attach FILE.bpf N: fork N children that attach the program (after the container's 104-byte
 * header) and exit; "-" attaches nothing. */
int main(int argc, char **argv)
{
	static struct sock_filter insns[4096];
	int n = argc > 2 ? atoi(argv[2]) : 1000, len = 0, p[2];
	double *attach = calloc(n, sizeof(double)), *whole = calloc(n, sizeof(double));

	if (argv[1][0] != '-') {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || lseek(fd, 104, SEEK_SET) != 104)
			return perror(argv[1]), 1;
		len = (int)(read(fd, insns, sizeof(insns)) / 8);
		close(fd);
	}
	if (pipe(p) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		double t0 = now_us(), t;
		pid_t pid = fork();

		if (pid == 0) {
			struct sock_fprog prog = { (unsigned short)len, insns };
			double a;

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			a = now_us();
			if (len && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
				_exit(1);
			a = now_us() - a;
			_exit(write(p[1], &a, sizeof(a)) == sizeof(a) ? 0 : 1);
		}
		waitpid(pid, NULL, 0);
		whole[i] = now_us() - t0;
		if (read(p[0], &t, sizeof(t)) != sizeof(t))
			return 1;
		attach[i] = t;
	}
	qsort(attach, n, sizeof(double), cmp);
	qsort(whole, n, sizeof(double), cmp);
	printf("%5d instructions  attach %7.1f  fork+attach+exit %7.1f\n", len, attach[n / 2],
	       whole[n / 2]);
	return 0;
}
EOF
"$CC" -O2 -o "$T/attach" "$T/attach.c"
printf '   %-8s ' "(none)"
"$T/attach" - "$ATTACHES"
for p in default strict; do
	printf '   %-8s ' "$p"
	"$T/attach" "$PROFILES/$p.bpf" "$ATTACHES"
done

echo
echo "== 2. per system call ($N calls per loop; ns per call)"
cat >"$T/loop.c" <<'EOF'
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct {
		const char *name;
		long nr, a0, a1;
	} calls[] = {
		{ "getppid (allowed)", SYS_getppid, 0, 0 },
		{ "ioctl TCGETS (allowed after the TIOCSTI checks)", SYS_ioctl, -1, TCGETS },
		{ "keyctl (denied, EPERM)", SYS_keyctl, -1, 0 },
		{ "a number past the table (ENOSYS)", 470, 0, 0 },
	};

	for (unsigned c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			syscall(calls[c].nr, calls[c].a0, calls[c].a1, 0);
		printf("%8.1f  %s\n", (now_ns() - t0) / n, calls[c].name);
	}
	return 0;
}
EOF
"$CC" -O2 -o "$T/loop" "$T/loop.c"
echo "-- no filter"
"$T/loop" "$N" | sed 's/^/   /'
for p in none default strict; do
	echo "-- $p.bpf"
	"$SPROBE" --load "$PROFILES/$p.bpf" --exec "$T/loop" "$N" | sed 's/^/   /'
done

echo
echo "== 3. per launch of hutch ($LAUNCHES launches each, interleaved; microseconds)"
if [ ! -x "$HUTCH" ] || ! "$HUTCH" --help 2>/dev/null | grep -q -- --seccomp-profile; then
	echo "   skipped: $HUTCH has no --seccomp-profile yet"
	exit 0
fi
declare -A total=() samples=()
kinds=(none default strict "$srcdir/seccomp-profiles/default.profile")
for ((i = 0; i < LAUNCHES; i++)); do
	for k in "${kinds[@]}"; do
		t0=$(date +%s%N)
		"$HUTCH" --ro-bind / / --seccomp-profile "$k" true
		t1=$(date +%s%N)
		total[$k]=$((${total[$k]:-0} + (t1 - t0) / 1000))
		samples[$k]="${samples[$k]:-} $(((t1 - t0) / 1000))"
	done
done
for k in "${kinds[@]}"; do
	median=$(printf '%s\n' ${samples[$k]} | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	label=$k
	[ "${k#/}" != "$k" ] && label="default, as a path (compiled at launch)"
	printf '   %8d mean %8d median  %s\n' $((total[$k] / LAUNCHES)) "$median" "$label"
done

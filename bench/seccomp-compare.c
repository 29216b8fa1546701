/* seccomp-compare: the shipped profiles compiled by hutch's compiler and by libseccomp
 * (tests/seccomp-oracle.c; SCMP_FLTATR_CTL_OPTIMIZE 1 and 2), for bench/seccomp-bench.sh.
 *
 *   seccomp-compare SRCDIR OUTDIR
 *
 * Checks that the programs give the same verdict for every system call number of x86_64,
 * i386 and x32 (with a set of argument values for the calls whose rules read them), prints
 * their sizes and how many instructions the kernel runs, and writes each raw program to
 * OUTDIR/PROFILE-COMPILER.bpf for the timings of seccomp-measure. Links libhutch.a. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp-compile.h"
#include "seccomp-profile.h"
#include "seccomp-request.h"
#include "tests/seccomp-oracle.h"

/* libhutch.a's seccomp-request.o refers to the table built into hutch; unused here. */
const struct seccomp_shipped seccomp_shipped = { NULL, 0, NULL, 0 };

#define X32_BIT 0x40000000u

/* The ABIs, as the kernel reports them, and the size of the tables whose calls the kernel
 * emulates when a filter is attached (x86_64's NR_syscalls and IA32_NR_syscalls of Linux
 * 6.18: one past the highest number, 467; x32 calls are never cached). */
static const struct {
	const char *name;
	uint32_t token, audit, base, cached;
} abis[] = {
	{ "x86_64", SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0, 467 },
	{ "i386", SCMP_ARCH_X86, AUDIT_ARCH_I386, 0, 467 },
	{ "x32", SCMP_ARCH_X32, AUDIT_ARCH_X86_64, X32_BIT, 0 },
};

/* Runs prog on d; the verdict, and *steps: instructions executed; *reads_args: whether the
 * path loaded an argument (the kernel then does not cache the call). ~0u when the program
 * is one the kernel would refuse. Enough of classic BPF for both compilers' output. */
static uint32_t run(const struct seccomp_prog *prog, const struct seccomp_data *d, unsigned *steps,
		    int *reads_args)
{
	const struct sock_filter *f = prog->insns;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	*steps = 0;
	*reads_args = 0;
	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;

		++*steps;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k >= sizeof(*d) || i->k % 4)
				return ~0u;
			memcpy(&a, (const char *)d + i->k, 4);
			if (i->k >= offsetof(struct seccomp_data, instruction_pointer))
				*reads_args = 1;
			continue;
		case BPF_LD | BPF_MEM:
			a = mem[i->k % BPF_MEMWORDS];
			continue;
		case BPF_LDX | BPF_MEM:
			x = mem[i->k % BPF_MEMWORDS];
			continue;
		case BPF_ST:
			mem[i->k % BPF_MEMWORDS] = a;
			continue;
		case BPF_STX:
			mem[i->k % BPF_MEMWORDS] = x;
			continue;
		case BPF_LD | BPF_IMM:
			a = i->k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = i->k;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			continue;
		}
		if (BPF_CLASS(i->code) == BPF_ALU) {
			switch (BPF_OP(i->code)) {
			case BPF_AND:
				a &= src;
				continue;
			case BPF_OR:
				a |= src;
				continue;
			case BPF_ADD:
				a += src;
				continue;
			case BPF_SUB:
				a -= src;
				continue;
			}
			return ~0u;
		}
		if (BPF_CLASS(i->code) == BPF_JMP) {
			int t;

			switch (BPF_OP(i->code)) {
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return ~0u;
			}
			pc += t ? i->jt : i->jf;
			continue;
		}
		return ~0u;
	}
	return ~0u;
}

/* Argument values that the shipped rules tell apart (ioctl's TIOCSTI and TIOCLINUX in both
 * forms, clone's and unshare's namespace flags, personality's query), and others. */
static const uint64_t values[] = {
	0,
	1,
	17,
	0x80,
	0x400,
	0x5401,
	0x5412,
	0x5413,
	0x541c,
	0x40000,
	0x3d0f00,
	0x10000011,
	0x40000011,
	0x7e020000,
	0x7fffffff,
	0xffffffff,
	0x100005412ULL,
	0x800000000000541cULL,
	0xffffffff00000000ULL,
	UINT64_MAX,
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

static const char *compilers[] = { "hutch", "libseccomp-o1", "libseccomp-o2" };
#define N_COMPILERS 3

static int write_raw(const char *dir, const char *profile, const char *compiler,
		     const struct seccomp_prog *prog)
{
	char path[4096];
	int fd;
	size_t len = prog->len * sizeof(struct sock_filter);

	snprintf(path, sizeof(path), "%s/%s-%s.bpf", dir, profile, compiler);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, prog->insns, len) != (ssize_t)len) {
		fprintf(stderr, "seccomp-compare: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* The numbers worth checking on one ABI: x32 numbers below 512 that x32 lacks are refused by
 * the kernel (ENOSYS) whatever the filter says, and libseccomp leaves them to the default
 * where hutch answers as for x86_64's call of that number. */
static int checked(size_t a, uint32_t nr)
{
	char *name;

	if (a != 2 || nr >= 512)
		return 1;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X32, (int)(X32_BIT | nr));
	free(name);
	return name != NULL;
}

static int compare(const char *profile, const struct seccomp_prog *progs)
{
	unsigned mismatches = 0, checks = 0;

	for (size_t a = 0; a < 3; a++)
		for (uint32_t nr = 0; nr < 1024 + 8; nr++) {
			/* past the tables: -1 (a tracer's skip) and far numbers */
			static const uint32_t far[] = { 0xffffffff, 0x7fffffff, 0x80000000,
							0xbfffffff, 0x3fffffff, 0xc0000000,
							0x4fffffff, 0x00010000 };
			uint32_t n = nr < 1024 ? abis[a].base | nr : far[nr - 1024];

			if (nr < 1024 && !checked(a, nr))
				continue;
			for (size_t v = 0; v < N_VALUES * N_VALUES; v++) {
				struct seccomp_data d = { .nr = (int)n, .arch = abis[a].audit };
				uint32_t want = 0;

				d.args[0] = values[v % N_VALUES];
				d.args[1] = values[v / N_VALUES];
				/* i386 has 32-bit registers; libseccomp compares only the lower half
				 * of x32's (tests/seccomp-oracle.c) */
				if (a > 0) {
					d.args[0] &= 0xffffffff;
					d.args[1] &= 0xffffffff;
				}
				for (int c = 0; c < N_COMPILERS; c++) {
					unsigned steps;
					int reads;
					uint32_t got = run(&progs[c], &d, &steps, &reads);

					if (c == 0)
						want = got;
					checks++;
					if (got != want && mismatches++ < 5)
						printf("  MISMATCH %s %s nr 0x%x args 0x%llx 0x%llx: "
						       "hutch 0x%x, %s 0x%x\n",
						       profile, abis[a].name, n,
						       (unsigned long long)d.args[0],
						       (unsigned long long)d.args[1], want,
						       compilers[c], got);
				}
			}
		}
	printf("  %s: %u verdicts compared, %u differ\n", profile, checks, mismatches);
	return mismatches ? -1 : 0;
}

/* How many instructions run: for the kernel's cache at attach (every number of the native and
 * compat tables, up to the first argument load), and per call of each ABI. */
static void cost(const char *profile, const char *compiler, const struct seccomp_prog *prog)
{
	unsigned long emulated = 0;
	unsigned cacheable = 0;

	printf("  %-8s %-14s %5zu insns", profile, compiler, prog->len);
	for (size_t a = 0; a < 3; a++) {
		unsigned long sum = 0;
		unsigned n = 0, max = 0, max_nr = 0;

		for (uint32_t nr = 0; nr < 467; nr++) {
			struct seccomp_data d = { .nr = (int)(abis[a].base | nr),
						  .arch = abis[a].audit };
			unsigned steps;
			int reads;
			uint32_t v = run(prog, &d, &steps, &reads);

			if (nr < abis[a].cached) {
				emulated += steps; /* the kernel stops at an argument load */
				cacheable += v == SECCOMP_RET_ALLOW && !reads;
			}
			sum += steps;
			n++;
			if (steps > max)
				max = steps, max_nr = nr;
		}
		printf("  %s %4.1f/%3u (nr %3u)", abis[a].name, (double)sum / n, max, max_nr);
	}
	printf("  attach-emulation %6lu insns, %u cached\n", emulated, cacheable);
}

/* Instructions run for one call (the timings' calls), for the report. */
static unsigned steps_of(const struct seccomp_prog *prog, uint32_t audit, uint32_t nr, uint64_t a0,
			 uint64_t a1)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = audit, .args = { a0, a1 } };
	unsigned steps;
	int reads;

	run(prog, &d, &steps, &reads);
	return steps;
}

int main(int argc, char **argv)
{
	static const char *const profiles[] = { "default", "strict" };
	int failed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: seccomp-compare SRCDIR OUTDIR\n");
		return 64;
	}
	face_set(FACE_HUTCH);
	printf("Programs (insns: instructions; per ABI: mean/max instructions run per system "
	       "call number 0-466,\n  the number of the longest path; attach-emulation: "
	       "instructions the kernel runs to fill its\n  cache of always-allowed calls, over "
	       "x86_64 and i386)\n");
	for (size_t i = 0; i < 2; i++) {
		struct seccomp_profile p;
		struct seccomp_prog progs[N_COMPILERS] = { { 0 } };
		struct error err = { 0 };
		unsigned rules[N_COMPILERS] = { 0 };
		char path[4096];
		FILE *f;
		int r;

		snprintf(path, sizeof(path), "%s/seccomp-profiles/%s.profile", argv[1],
			 profiles[i]);
		f = fopen(path, "re");
		if (!f) {
			fprintf(stderr, "seccomp-compare: cannot open %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		seccomp_profile_init(&p);
		r = seccomp_profile_parse(&p, f, path, NULL, &err);
		fclose(f);
		if (r == 0)
			r = seccomp_compile_profile(&p, SCMP_ARCH_X86_64, &progs[0], &err);
		for (int o = 1; r == 0 && o <= 2; o++)
			r = oracle_compile(&p, SCMP_ARCH_X86_64, 0, o, 0, &progs[o], &rules[o],
					   &err);
		seccomp_profile_free(&p);
		if (r < 0) {
			fprintf(stderr, "seccomp-compare: %s: %s\n", profiles[i], err.msg);
			return 1;
		}
		for (int c = 0; c < N_COMPILERS; c++) {
			cost(profiles[i], compilers[c], &progs[c]);
			if (write_raw(argv[2], profiles[i], compilers[c], &progs[c]) < 0)
				return 1;
		}
		printf("  %s: %u libseccomp rules (after splitting the conditional ones)\n",
		       profiles[i], rules[2]);
		printf("  %s: instructions run for: getppid x86_64 %u/%u/%u, i386 %u/%u/%u, x32 "
		       "%u/%u/%u; kexec_load x86_64 %u/%u/%u, i386 %u/%u/%u, x32 %u/%u/%u; "
		       "ioctl TCGETS x86_64 %u/%u/%u (hutch/o1/o2)\n",
		       profiles[i], steps_of(&progs[0], AUDIT_ARCH_X86_64, 110, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_X86_64, 110, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_X86_64, 110, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_I386, 64, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_I386, 64, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_I386, 64, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_X86_64, X32_BIT | 110, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_X86_64, X32_BIT | 110, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_X86_64, X32_BIT | 110, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_X86_64, 246, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_X86_64, 246, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_X86_64, 246, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_I386, 283, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_I386, 283, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_I386, 283, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_X86_64, X32_BIT | 528, 0, 0),
		       steps_of(&progs[1], AUDIT_ARCH_X86_64, X32_BIT | 528, 0, 0),
		       steps_of(&progs[2], AUDIT_ARCH_X86_64, X32_BIT | 528, 0, 0),
		       steps_of(&progs[0], AUDIT_ARCH_X86_64, 16, 0, 0x5401),
		       steps_of(&progs[1], AUDIT_ARCH_X86_64, 16, 0, 0x5401),
		       steps_of(&progs[2], AUDIT_ARCH_X86_64, 16, 0, 0x5401));
		if (compare(profiles[i], progs) < 0)
			failed = 1;
		for (int c = 0; c < N_COMPILERS; c++)
			free(progs[c].insns);
	}
	return failed;
}

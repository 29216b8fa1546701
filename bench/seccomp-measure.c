/* seccomp-measure: what a seccomp filter costs the kernel, for bench/seccomp-bench.sh. libc
 * only; built 64-bit and 32-bit (-m32). Each FILE is a raw program (struct sock_filter[]);
 * "-" is no filter. Contenders are interleaved: each round runs every FILE once, the order
 * rotating from round to round.
 *
 *   seccomp-measure attach ROUNDS [stacked] FILE...
 *	Forks a child per round and FILE that attaches the program as hutch does
 *	(seccomp(SECCOMP_SET_MODE_FILTER) with no flag, after no_new_privs) and exits. Prints,
 *	per FILE, the median and 90th percentile of the attach call (the child's CPU time)
 *	and of the whole fork, attach, exit and wait (wall time), in microseconds. With `stacked` the child first attaches a
 *	filter that reads an argument, so the kernel's cache of always-allowed calls is empty
 *	and attaching the measured filter skips filling it: what is left is checking,
 *	converting and JIT-compiling the program.
 *   seccomp-measure calls ROUNDS ITERATIONS FILE...
 *	Forks a child per round and FILE that attaches the program, then times ITERATIONS of
 *	each call below (the child's CPU time); prints the medians over the rounds, in
 *	nanoseconds per call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 8
#define X32_BIT	  0x40000000L

struct call {
	const char *name;
	long nr, a0, a1;
};

/* The calls, by this build's ABI. A 64-bit process makes x32 calls too: the filter sees the
 * number with the x32 bit whether or not the kernel runs x32 (it fails them with ENOSYS
 * afterwards when it does not), and the kernel never caches them. */
static const struct call calls[] = {
#if defined(__x86_64__) && !defined(__ILP32__)
	{ "x86_64 getppid (allowed: cached, the filter does not run)", 110, 0, 0 },
	{ "x86_64 ioctl TCGETS (allowed after the argument checks)", 16, -1, TCGETS },
	{ "x86_64 kexec_load (denied: EPERM)", 246, 0, 0 },
	{ "x86_64 nr 470 (no rule: the default, ENOSYS)", 470, 0, 0 },
	{ "x32 getppid (allowed; never cached)", X32_BIT | 110, 0, 0 },
	{ "x32 ioctl TCGETS (allowed after the argument checks)", X32_BIT | 514, -1, TCGETS },
	{ "x32 kexec_load (denied: EPERM)", X32_BIT | 528, 0, 0 },
#elif defined(__i386__)
	{ "i386 getppid (allowed: cached, the filter does not run)", 64, 0, 0 },
	{ "i386 ioctl TCGETS (allowed after the argument checks)", 54, -1, TCGETS },
	{ "i386 kexec_load (denied: EPERM)", 283, 0, 0 },
	{ "i386 nr 470 (no rule: the default, ENOSYS)", 470, 0, 0 },
#else
#error "x86_64 or i386"
#endif
};
#define N_CALLS (sizeof(calls) / sizeof(calls[0]))

struct file {
	const char *path;
	struct sock_filter *insns;
	unsigned short len;
	double *a, *b; /* samples */
};

static double clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall time, for the whole fork; the child's own CPU time for what it does itself, so that
 * time the machine gave to other processes (it is shared) is not counted. */
static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static double cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[(int)(q * (n - 1) + 0.5)];
}

static void load(struct file *f)
{
	static struct sock_filter buf[MAX_FILES][4096];
	static int used;
	int fd;
	ssize_t n;

	f->len = 0;
	if (strcmp(f->path, "-") == 0)
		return;
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf[used], sizeof(buf[used]));
	if (n <= 0 || n % 8) {
		fprintf(stderr, "seccomp-measure: cannot read %s\n", f->path);
		exit(1);
	}
	close(fd);
	f->insns = buf[used++];
	f->len = (unsigned short)(n / 8);
}

static int attach(const struct file *f)
{
	struct sock_fprog prog = { f->len, f->insns };

	if (f->len == 0)
		return 0;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* A filter that allows everything but reads an argument: the kernel caches nothing. */
static int attach_uncacheable(void)
{
	static struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 2, insns };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Runs child(f, fd) in a fork that writes `size` bytes of results to fd; the whole fork to
 * wait in *whole_ns. */
static int in_child(void (*child)(const struct file *, int, long), const struct file *f, long arg,
		    void *out, size_t size, double *whole_ns)
{
	int p[2], status;
	double t0 = now_ns();
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(1);
		child(f, p[1], arg);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	*whole_ns = now_ns() - t0;
	if (read(p[0], out, size) != (ssize_t)size) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void child_attach(const struct file *f, int fd, long stacked)
{
	double t0, t;

	if (stacked && attach_uncacheable() < 0)
		_exit(1);
	t0 = cpu_ns();
	if (attach(f) < 0)
		_exit(1);
	t = cpu_ns() - t0;
	if (write(fd, &t, sizeof(t)) != sizeof(t))
		_exit(1);
}

static void child_calls(const struct file *f, int fd, long iterations)
{
	double t[N_CALLS];

	if (attach(f) < 0)
		_exit(1);
	for (size_t c = 0; c < N_CALLS; c++) {
		double t0 = cpu_ns();

		for (long i = 0; i < iterations; i++)
			syscall(calls[c].nr, calls[c].a0, calls[c].a1, 0, 0);
		t[c] = (cpu_ns() - t0) / (double)iterations;
	}
	if (write(fd, t, sizeof(t)) != sizeof(t))
		_exit(1);
}

int main(int argc, char **argv)
{
	struct file files[MAX_FILES];
	int n = 0, rounds, first;
	long arg = 0;
	int mode_attach;

	if (argc < 4 || (strcmp(argv[1], "attach") && strcmp(argv[1], "calls"))) {
		fprintf(stderr, "usage: seccomp-measure attach ROUNDS [stacked] FILE...\n"
				"       seccomp-measure calls ROUNDS ITERATIONS FILE...\n");
		return 64;
	}
	mode_attach = strcmp(argv[1], "attach") == 0;
	rounds = atoi(argv[2]);
	first = 3;
	if (mode_attach && strcmp(argv[3], "stacked") == 0)
		arg = 1, first = 4;
	else if (!mode_attach)
		arg = atol(argv[3]), first = 4;
	for (int i = first; i < argc && n < MAX_FILES; i++) {
		files[n].path = argv[i];
		load(&files[n]);
		files[n].a = calloc((size_t)rounds * N_CALLS, sizeof(double));
		files[n].b = calloc((size_t)rounds * N_CALLS, sizeof(double));
		n++;
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			struct file *f = &files[(r + k) % n];
			double whole, t[N_CALLS];

			if (mode_attach) {
				if (in_child(child_attach, f, arg, &t[0], sizeof(double), &whole) <
				    0) {
					fprintf(stderr, "seccomp-measure: %s: attach failed\n",
						f->path);
					return 1;
				}
				f->a[r] = t[0] / 1e3;
				f->b[r] = whole / 1e3;
			} else {
				if (in_child(child_calls, f, arg, t, sizeof(t), &whole) < 0) {
					fprintf(stderr, "seccomp-measure: %s: calls failed\n",
						f->path);
					return 1;
				}
				for (size_t c = 0; c < N_CALLS; c++)
					f->a[c * (size_t)rounds + (size_t)r] = t[c];
			}
		}
	for (int k = 0; k < n; k++) {
		struct file *f = &files[k];

		if (mode_attach) {
			printf("%-40s %5u insns  attach %7.1f us (p90 %7.1f)  fork+attach+exit "
			       "%7.1f us (p90 %7.1f)\n",
			       f->path, f->len, quantile(f->a, rounds, 0.5),
			       quantile(f->a, rounds, 0.9), quantile(f->b, rounds, 0.5),
			       quantile(f->b, rounds, 0.9));
			continue;
		}
		printf("%s (%u insns)\n", f->path, f->len);
		for (size_t c = 0; c < N_CALLS; c++) {
			double *v = f->a + c * (size_t)rounds;

			printf("  %7.1f ns (p90 %7.1f)  %s\n", quantile(v, rounds, 0.5),
			       quantile(v, rounds, 0.9), calls[c].name);
		}
	}
	return 0;
}

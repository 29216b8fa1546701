/* cgroup-tool: drives the cgroup module (cgroup.h) directly for tests/test-cgroup.sh: makes
 * the sandbox's cgroup, runs a child in it (a builtin or a command), reports what the kernel
 * counted, removes the cgroup. Links libhutch.a.
 *
 *   cgroup-tool [LIMITS] [--unshare-cgroup] [--no-clone-into] WHAT
 *   WHAT: hog SIZE | forkbomb MAX | spin MS | tree N | cgroups | rlimits | hold
 *         | exec CMD [ARG...]
 *   cgroup-tool [LIMITS] bench N
 *
 * LIMITS are hutch's options (--memory, --memory-swap, --pids, --cpus, --cpu-weight,
 * --io-weight, --cgroup-parent, --limits-try) and --account; --kill-after-ms MS and
 * --kill-signal N call cgroup_kill MS after the start. Output: key=value lines on
 * stdout (path=, clone_into=, then exit= or signal=, reason=, the usage, destroy=ok); the
 * builtins print theirs too. Exit status: 0 when everything went as asked (whatever the child
 * did), 125 when the module failed (its message on stderr). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include "../cgroup.h"
#include "../util.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- builtins, run in the sandbox --------------------------------------------------------- */

static int hog(const char *size)
{
	uint64_t want, got = 0;

	if (parse_size(size, &want) < 0)
		return 2;
	while (got < want) {
		char *p = malloc(1 << 20);
		if (!p)
			break;
		memset(p, 1, 1 << 20);
		got += 1 << 20;
	}
	printf("hogged=%" PRIu64 "\n", got);
	return 0;
}

/* Fork up to max children that wait; a refused fork ends it with status 1. The children are
 * left for the cgroup's destruction to kill. */
static int forkbomb(const char *max_s)
{
	long max, n = 0;

	if (parse_int(max_s, 1, 100000, &max) < 0)
		return 2;
	for (; n < max; n++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			printf("forked=%ld\nrefused_errno=%d\n", n, errno);
			fflush(stdout);
			return 1;
		}
	}
	printf("forked=%ld\n", n);
	return 0;
}

static int spin(const char *ms_s)
{
	long ms;
	struct timespec ts;
	double start = now();

	if (parse_int(ms_s, 1, 100000, &ms) < 0)
		return 2;
	for (;;) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		if (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >= ms)
			break;
	}
	printf("spin_wall_ms=%.0f\n", (now() - start) * 1000);
	return 0;
}

static int show_cgroups(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return 2;
	while (fgets(buf, sizeof(buf), f))
		printf("cgroup=%s", buf);
	fclose(f);
	return 0;
}

static int show_rlimits(void)
{
	struct rlimit as, np;

	getrlimit(RLIMIT_AS, &as);
	getrlimit(RLIMIT_NPROC, &np);
	printf("rlimit_as=%lld\nrlimit_nproc=%lld\n",
	       as.rlim_cur == RLIM_INFINITY ? -1LL : (long long)as.rlim_cur,
	       np.rlim_cur == RLIM_INFINITY ? -1LL : (long long)np.rlim_cur);
	return 0;
}

/* Fork n children that wait, then wait: a tree for cgroup_kill. */
static int tree(const char *n_s)
{
	long n;

	if (parse_int(n_s, 1, 1000, &n) < 0)
		return 2;
	for (long i = 0; i < n; i++)
		if (fork() == 0)
			break;
	for (;;)
		pause();
}

static int builtin(char **argv)
{
	if (strcmp(argv[0], "hog") == 0 && argv[1])
		return hog(argv[1]);
	if (strcmp(argv[0], "forkbomb") == 0 && argv[1])
		return forkbomb(argv[1]);
	if (strcmp(argv[0], "spin") == 0 && argv[1])
		return spin(argv[1]);
	if (strcmp(argv[0], "cgroups") == 0)
		return show_cgroups();
	if (strcmp(argv[0], "tree") == 0 && argv[1])
		return tree(argv[1]);
	if (strcmp(argv[0], "rlimits") == 0)
		return show_rlimits();
	if (strcmp(argv[0], "hold") == 0) {
		printf("child=%d\nready=1\n", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	if (strcmp(argv[0], "exec") == 0 && argv[1]) {
		execvp(argv[1], argv + 1);
		return 127;
	}
	fprintf(stderr, "cgroup-tool: unknown builtin %s\n", argv[0]);
	return 2;
}

/* ---- the parent ------------------------------------------------------------------------------ */

/* clone3(CLONE_INTO_CGROUP) when there is a v2 cgroup, else fork; -1 with errno. */
static pid_t spawn(int cgfd, bool *in_v2)
{
	struct clone_args args;
	pid_t pid;

	*in_v2 = false;
	if (cgfd >= 0) {
		memset(&args, 0, sizeof(args));
		args.flags = CLONE_INTO_CGROUP;
		args.exit_signal = SIGCHLD;
		args.cgroup = (uint64_t)cgfd;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*in_v2 = true;
			return pid;
		}
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
	return fork();
}

/* Processes listed in a cgroup's cgroup.procs (by its path: a test tool). */
static int count_procs(const char *dir)
{
	char path[4096], line[64];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void print_usage(const struct cgroup_usage *u)
{
	if (u->have & CGROUP_HAVE_MEMORY_PEAK)
		printf("memory_peak=%" PRIu64 "\n", u->memory_peak);
	if (u->have & CGROUP_HAVE_CPU)
		printf("cpu_user_us=%" PRIu64 "\ncpu_system_us=%" PRIu64 "\n", u->cpu_user_us,
		       u->cpu_system_us);
	if (u->have & CGROUP_HAVE_PIDS_PEAK)
		printf("pids_peak=%" PRIu64 "\n", u->pids_peak);
	if (u->have & CGROUP_HAVE_OOM)
		printf("oom_kills=%" PRIu64 "\n", u->oom_kills);
	if (u->have & CGROUP_HAVE_PIDS_EVENTS)
		printf("pids_refused=%" PRIu64 "\n", u->pids_refused);
}

static int bench(const struct cgroup_request *req, long n)
{
	double *t = xcalloc((size_t)n, sizeof(double));
	struct error err;

	for (long i = 0; i < n; i++) {
		struct cgroup_sandbox *cg;
		int go[2], status;
		pid_t pid;
		double t0, t1, t2;

		if (pipe2(go, O_CLOEXEC) < 0)
			return 125;
		pid = fork();
		if (pid == 0) {
			char c;
			close(go[1]);
			_exit(read(go[0], &c, 1) < 0);
		}
		close(go[0]);
		t0 = now();
		if (cgroup_create(req, &cg, &err) < 0 || cgroup_attach(cg, pid, false, &err) < 0) {
			fprintf(stderr, "hutch: %s\n", err.msg);
			return 125;
		}
		t1 = now();
		close(go[1]);
		waitpid(pid, &status, 0);
		t2 = now();
		if (cgroup_destroy(cg, &err) < 0) {
			fprintf(stderr, "hutch: %s\n", err.msg);
			return 125;
		}
		t[i] = (t1 - t0) + (now() - t2);
	}
	for (long i = 1; i < n; i++)
		for (long j = i; j > 0 && t[j - 1] > t[j]; j--) {
			double x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	printf("bench_n=%ld\nbench_median_us=%.1f\nbench_p10_us=%.1f\nbench_p90_us=%.1f\n", n,
	       t[n / 2] * 1e6, t[n / 10] * 1e6, t[n * 9 / 10] * 1e6);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, 's' },
		{ "pids", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpu-weight", required_argument, NULL, 'w' },
		{ "io-weight", required_argument, NULL, 'i' },
		{ "cgroup-parent", required_argument, NULL, 'P' },
		{ "limits-try", no_argument, NULL, 't' },
		{ "account", no_argument, NULL, 'a' },
		{ "unshare-cgroup", no_argument, NULL, 'U' },
		{ "no-clone-into", no_argument, NULL, 'N' },
		{ "kill-after-ms", required_argument, NULL, 'K' },
		{ "kill-signal", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct cgroup_request req = { 0 };
	struct cgroup_sandbox *cg;
	struct cgroup_usage u;
	struct cgroup_rlimits rl;
	struct error err = { 0 };
	bool unshare_cg = false, no_clone_into = false, in_v2;
	long kill_after = -1, kill_sig = SIGKILL;
	int c, go[2], status, cgfd;
	pid_t pid;
	double start;

	face_set(FACE_HUTCH);
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		const char *name = NULL;
		for (const struct option *o = opts; o->name; o++)
			if (o->val == c)
				name = o->name;
		switch (c) {
		case 't':
			req.try = true;
			break;
		case 'a':
			req.account = true;
			break;
		case 'U':
			unshare_cg = true;
			break;
		case 'N':
			no_clone_into = true;
			break;
		case 'K':
			if (parse_int(optarg, 0, 100000, &kill_after) < 0)
				return 64;
			break;
		case 'S':
			if (parse_int(optarg, 1, 64, &kill_sig) < 0)
				return 64;
			break;
		case '?':
			return 64;
		default:
			if (cgroup_option_parse(&req, name, optarg, &err) < 0) {
				fprintf(stderr, "hutch: %s\n", err.msg);
				return 64;
			}
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: cgroup-tool [LIMITS] WHAT [ARGS...]\n");
		return 64;
	}
	if (cgroup_request_validate(&req, &err) < 0) {
		fprintf(stderr, "hutch: %s\n", err.msg);
		return 64;
	}
	if (strcmp(argv[optind], "bench") == 0) {
		long n;
		if (!argv[optind + 1] || parse_int(argv[optind + 1], 1, 1000000, &n) < 0)
			return 64;
		return bench(&req, n);
	}

	start = now();
	if (cgroup_create(&req, &cg, &err) < 0) {
		fprintf(stderr, "hutch: %s\n", err.msg);
		return 125;
	}
	for (unsigned i = 0; cgroup_path(cg, i); i++)
		printf("path=%s\n", cgroup_path(cg, i));
	printf("unplaced=%u\n", cgroup_unplaced(cg));
	cgroup_rlimits(cg, &rl);
	cgfd = no_clone_into ? -1 : cgroup_clone_fd(cg);
	fflush(stdout);
	if (pipe2(go, O_CLOEXEC) < 0)
		return 125;
	pid = spawn(cgfd, &in_v2);
	if (pid < 0) {
		perror("cgroup-tool: clone");
		cgroup_destroy(cg, &err);
		return 125;
	}
	if (pid == 0) {
		char b;
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(125);
		/* After the attach: the namespace's root is the cgroup we are in now. Not root: in
		 * a user namespace of its own, as hutch's child is. */
		if (unshare_cg && unshare(CLONE_NEWCGROUP | (geteuid() ? CLONE_NEWUSER : 0)) < 0) {
			perror("cgroup-tool: unshare(CLONE_NEWCGROUP)");
			_exit(125);
		}
		if (cgroup_rlimits_apply(&rl) < 0) {
			perror("cgroup-tool: setrlimit");
			_exit(125);
		}
		status = builtin(argv + optind);
		fflush(stdout);
		_exit(status);
	}
	close(go[0]);
	printf("clone_into=%d\n", in_v2 ? 1 : 0);
	fflush(stdout);
	if (cgroup_attach(cg, pid, in_v2, &err) < 0) {
		fprintf(stderr, "hutch: %s\n", err.msg);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cgroup_destroy(cg, &err);
		return 125;
	}
	if (write(go[1], "g", 1) != 1)
		return 125;
	close(go[1]);
	if (kill_after >= 0) {
		/* cgroup_kill, as hutch uses it on its way out: the processes left, per cgroup. */
		struct timespec ts = { kill_after / 1000, (kill_after % 1000) * 1000000 };
		int r;

		nanosleep(&ts, NULL);
		r = cgroup_kill(cg, (int)kill_sig);
		printf("kill=%d\n", r == 0 ? 0 : errno);
		for (unsigned i = 0; cgroup_path(cg, i); i++)
			printf("left=%d\n", count_procs(cgroup_path(cg, i)));
		fflush(stdout);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		printf("exit=%d\n", WEXITSTATUS(status));
	else
		printf("signal=%d\n", WTERMSIG(status));
	cgroup_usage_read(cg, &u);
	print_usage(&u);
	printf("reason=%s\n", cgroup_end_key(cgroup_end_reason(&u, status)) ?: "none");
	if (cgroup_end_message(cgroup_end_reason(&u, status)))
		fprintf(stderr, "hutch: %s\n", cgroup_end_message(cgroup_end_reason(&u, status)));
	printf("wall_ms=%.0f\n", (now() - start) * 1000);
	fflush(stdout);
	if (cgroup_destroy(cg, &err) < 0) {
		fprintf(stderr, "hutch: %s\n", err.msg);
		return 125;
	}
	printf("destroy=ok\n");
	return 0;
}

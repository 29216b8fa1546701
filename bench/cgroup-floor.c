/* bench/cgroup-floor.c: the floor of a sandbox's cgroup: only the syscalls a launch with
 * --memory and --pids cannot avoid, timed the way tests/cgroup-tool's `bench` times the
 * cgroup module (cgroup.c), so the two compare in the same run on the same parents.
 *
 *   cc -O2 -o cgroup-floor bench/cgroup-floor.c
 *   cgroup-floor [-n ROUNDS] [-m BYTES] [-p PIDS] [-g MS] PARENT...
 *
 * PARENT: a writable cgroup directory, one per hierarchy to join (v1: the memory and pids
 * hierarchies; v2: one directory). Each round: a child waiting on a pipe exists first
 * (untimed); then, timed: mkdir a cgroup in each PARENT, write the limits whose files it has
 * (memory.max or memory.limit_in_bytes, pids.max), write the child's pid to its cgroup.procs;
 * untimed: the child exits and is reaped; timed: rmdir each cgroup. It prints the median and
 * the 10th and 90th percentiles in microseconds. Nothing else: no mountinfo, no stale
 * cleanup, no checks, paths built by string.
 *
 * -g MS: an untimed pause of MS milliseconds before each round, as between two launches with
 * limits that are not back to back. Moving a task between cgroups takes the kernel's
 * cgroup_threadgroup_rwsem for writing, whose fast path needs an RCU grace period unless a
 * writer held it a moment before: back to back (no -g) the rounds skip that wait, after a
 * pause each pays it (v1 hierarchies; a v2 launch clones into its cgroup and moves nothing). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write value to dir/file if the file exists: 1 written, 0 no such file, -1 error. */
static int put(const char *dir, const char *file, const char *value)
{
	char path[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 1 : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *memory = "67108864", *pids = "100";
	long rounds = 200, gap_ms = 0;
	int c;

	while ((c = getopt(argc, argv, "n:m:p:g:")) != -1) {
		if (c == 'n')
			rounds = atol(optarg);
		else if (c == 'g')
			gap_ms = atol(optarg);
		else if (c == 'm')
			memory = optarg;
		else if (c == 'p')
			pids = optarg;
		else
			return 64;
	}
	if (optind >= argc || rounds < 1) {
		fprintf(stderr,
			"usage: cgroup-floor [-n ROUNDS] [-m BYTES] [-p PIDS] [-g MS] PARENT...\n");
		return 64;
	}
	int nd = argc - optind;
	char **dirs = calloc((size_t)nd, sizeof(char *));
	double *t = calloc((size_t)rounds, sizeof(double));

	for (long r = 0; r < rounds; r++) {
		int go[2], status;
		char pid_s[24];
		double t0, t1, t2;
		pid_t pid;

		if (pipe2(go, O_CLOEXEC) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			char b;
			close(go[1]);
			_exit(read(go[0], &b, 1) < 0);
		}
		close(go[0]);
		snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
		if (gap_ms > 0) {
			struct timespec gap = { gap_ms / 1000, (gap_ms % 1000) * 1000000 };
			nanosleep(&gap, NULL);
		}
		t0 = now();
		for (int i = 0; i < nd; i++) {
			free(dirs[i]);
			if (asprintf(&dirs[i], "%s/hutch-floor.%d.%ld", argv[optind + i],
				     (int)getpid(), r) < 0 ||
			    mkdir(dirs[i], 0755) < 0) {
				perror("cgroup-floor: mkdir");
				return 1;
			}
			if (put(dirs[i], "memory.max", memory) == 0)
				put(dirs[i], "memory.limit_in_bytes", memory);
			put(dirs[i], "pids.max", pids);
			if (put(dirs[i], "cgroup.procs", pid_s) != 1) {
				perror("cgroup-floor: cgroup.procs");
				return 1;
			}
		}
		t1 = now();
		close(go[1]);
		waitpid(pid, &status, 0);
		t2 = now();
		for (int i = 0; i < nd; i++)
			if (rmdir(dirs[i]) < 0) {
				perror("cgroup-floor: rmdir");
				return 1;
			}
		t[r] = (t1 - t0) + (now() - t2);
	}
	qsort(t, (size_t)rounds, sizeof(double), cmp);
	printf("floor_n=%ld\nfloor_median_us=%.1f\nfloor_p10_us=%.1f\nfloor_p90_us=%.1f\n", rounds,
	       t[rounds / 2] * 1e6, t[rounds / 10] * 1e6, t[rounds * 9 / 10] * 1e6);
	return 0;
}

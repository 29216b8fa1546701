/* unit-cgroup-tree: cgroup-tree.c on a directory tree in a temp dir standing in for a
 * delegated cgroup tree: paths below a hierarchy's root refuse symlinks, "..", and (stepwise,
 * the path of kernels before openat2) other mounts; the listing of child cgroups; and which
 * stale cgroups a hutch removes, by the liveness of their owners as /proc shows it. Links
 * libhutch.a; TAP on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cgroup-tree.h"
#include "../cgroup.h"
#include "../util.h"
#include "tap.h"

static char dir[] = "/tmp/unit-cgroup-tree.XXXXXX";
static int rootfd = -1;

static void mk(const char *rel)
{
	if (mkdirat(rootfd, rel, 0755) < 0 && errno != EEXIST) {
		printf("Bail out! mkdir %s: %s\n", rel, strerror(errno));
		exit(99);
	}
}

static bool exists(const char *rel)
{
	struct stat st;

	return fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* open_below's result: "ok", or the errno's name. */
static const char *opened(int (*fn)(int, const char *), const char *rel)
{
	int fd = fn(rootfd, rel);

	if (fd >= 0) {
		close(fd);
		return "ok";
	}
	/* A symlink: ELOOP through openat2, ENOTDIR when O_NOFOLLOW meets O_DIRECTORY. */
	if (errno == ELOOP || errno == ENOTDIR)
		return "symlink";
	return errno == EXDEV ? "EXDEV" : errno == ENOENT ? "ENOENT" : strerror(errno);
}

static void test_open_below(void)
{
	static const struct {
		const char *name;
		int (*fn)(int, const char *);
	} ways[] = { { "openat2", cgroup_open_below }, { "stepwise", cgroup_open_below_steps } };

	mk("a");
	mk("a/b");
	if (symlinkat("a", rootfd, "link") < 0 || symlinkat("/etc", rootfd, "a/out") < 0) {
		printf("Bail out! symlink: %s\n", strerror(errno));
		exit(99);
	}
	for (unsigned i = 0; i < 2; i++) {
		const char *w = ways[i].name;

		ok(strcmp(opened(ways[i].fn, "a/b"), "ok") == 0, "%s: a cgroup below the root", w);
		ok(strcmp(opened(ways[i].fn, "a//b/"), "ok") == 0, "%s: doubled slashes", w);
		is_str(opened(ways[i].fn, "link/b"), "symlink", "a symlink on the way is refused");
		is_str(opened(ways[i].fn, "link"), "symlink", "a symlink at the end is refused");
		is_str(opened(ways[i].fn, "a/out"), "symlink",
		       "a symlink out of the tree is refused");
		is_str(opened(ways[i].fn, "a/../../etc"), "EXDEV",
		       "'..' out of the tree is refused");
		is_str(opened(ways[i].fn, "a/missing"), "ENOENT", "a missing cgroup");
	}
	/* A mount on the way: /proc below the root "/" (stepwise only: openat2 is given the
	 * same rule by RESOLVE_NO_XDEV). */
	int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = cgroup_open_below_steps(slash, "proc/self");
	ok(fd < 0 && errno == EXDEV, "stepwise: a mount on the way is refused");
	if (fd >= 0)
		close(fd);
	fd = cgroup_open_below(slash, "proc/self");
	ok(fd < 0 && errno == EXDEV, "openat2: a mount on the way is refused");
	if (fd >= 0)
		close(fd);
	close(slash);
	is_str(opened(cgroup_open_below, ""), "ok", "the root itself");
}

static void test_subdirs(void)
{
	size_t n;
	char *names, *seen;
	int fd;

	mk("s");
	mk("s/one");
	mk("s/two");
	mk("s/.hidden");
	fd = openat(rootfd, "s/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(fd);
	fd = openat(rootfd, "s", O_PATH | O_DIRECTORY | O_CLOEXEC);
	names = cgroup_subdirs(fd, &n);
	close(fd);
	seen = xasprintf("%s %s", names, n == 2 ? names + strlen(names) + 1 : "");
	ok(n == 2 && (strcmp(seen, "one two") == 0 || strcmp(seen, "two one") == 0),
	   "the child cgroups: directories, not files or dot names (%s)", seen);
	free(seen);
	free(names);
}

static unsigned long long start_of(pid_t pid)
{
	char path[64], text[1024], state;
	unsigned long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(text, sizeof(text), f))
			cgroup_stat_parse(text, &state, &start);
		fclose(f);
	}
	return start;
}

static void test_stale(void)
{
	unsigned long long ns, me = start_of(getpid()), dstart, zstart;
	struct stat st;
	char name[200];
	pid_t dead, zombie;
	int fd, status;

	stat("/proc/self/ns/pid", &st);
	ns = (unsigned long long)st.st_ino;
	/* A dead owner: a child reaped. A zombie owner: a child not reaped (yet). */
	dead = fork();
	if (dead == 0)
		_exit(0);
	dstart = start_of(dead);
	waitpid(dead, &status, 0);
	zombie = fork();
	if (zombie == 0) {
		pause();
		_exit(0);
	}
	zstart = start_of(zombie);
	kill(zombie, SIGKILL);
	/* Until it is a zombie (state Z), without reaping it. */
	for (int i = 0; i < 1000; i++) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT) == 0)
			break;
	}

	mk("p");
	static const char *kept[] = { "alive", "other-ns", "unrelated", "unrelated2" };
	static const char *gone[] = { "dead", "dead-caller", "zombie", "reused" };
	char names[8][160];

	cgroup_name_format(names[0], 160, getpid(), me, ns);
	cgroup_name_format(names[1], 160, dead, dstart, ns + 1);
	snprintf(names[2], 160, "hutch-test-x");
	snprintf(names[3], 160, "hutch.%d.%llu", (int)dead, dstart);
	cgroup_name_format(names[4], 160, dead, dstart, ns);
	snprintf(names[5], 160, "%.140s.caller", names[4]);
	cgroup_name_format(names[6], 160, zombie, zstart, ns);
	cgroup_name_format(names[7], 160, getpid(), me + 1, ns);
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "p/%.160s", names[i]);
		mk(name);
	}
	fd = openat(rootfd, "p", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cgroup_remove_stale(fd, "p", 1, ns);
	close(fd);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "p/%.160s", names[i]);
		ok(exists(name), "stale: %s kept (%s)", kept[i], names[i]);
	}
	for (int i = 4; i < 8; i++) {
		snprintf(name, sizeof(name), "p/%.160s", names[i]);
		ok(!exists(name), "stale: %s removed (%s)", gone[i - 4], names[i]);
	}
	waitpid(zombie, &status, 0);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
}

int main(void)
{
	face_set(FACE_HUTCH);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	atexit(cleanup);
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	test_open_below();
	test_subdirs();
	test_stale();
	close(rootfd);
	return done_testing();
}

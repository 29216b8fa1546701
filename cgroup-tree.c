/* cgroup-tree: files, processes and removal of a cgroup and the cgroups below it, and the
 * stale cgroups of dead hutches (cgroup-tree.h). A sandbox may make cgroups below its own
 * when it can write there (a nested hutch): everything here walks the whole subtree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "cgroup.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define CG_RESOLVE_NO_XDEV	 0x01
#define CG_RESOLVE_NO_MAGICLINKS 0x02
#define CG_RESOLVE_NO_SYMLINKS	 0x04
#define CG_RESOLVE_BENEATH	 0x08

struct cg_open_how {
	uint64_t flags, mode, resolve;
};

/* Deeper than any cgroup hutch or a nested hutch makes; a bound for the recursion. */
#define MAX_DEPTH 32

/* path below rootfd ("" for rootfd itself), never through a symlink or out of the mount. */
int cgroup_open_below_steps(int rootfd, const char *rel)
{
	char buf[PATH_MAX];
	struct stat root, st;
	int fd, next, e;

	if (strlen(rel) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, rel);
	fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &root) < 0)
		goto fail;
	for (char *p = buf, *c; (c = strsep(&p, "/"));) {
		if (!*c)
			continue;
		if (strcmp(c, "..") == 0) {
			errno = EXDEV; /* as RESOLVE_BENEATH would */
			goto fail;
		}
		next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd < 0 || fstat(fd, &st) < 0)
			goto fail;
		if (st.st_dev != root.st_dev) {
			errno = EXDEV; /* a mount on the way */
			goto fail;
		}
	}
	return fd;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

int cgroup_open_below(int rootfd, const char *rel)
{
	struct cg_open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = CG_RESOLVE_BENEATH | CG_RESOLVE_NO_SYMLINKS | CG_RESOLVE_NO_XDEV |
			   CG_RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!*rel)
		return openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int tries = 0; tries < 32; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		/* EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry. */
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 && errno == ENOSYS ? cgroup_open_below_steps(rootfd, rel) : fd;
}

int cgroup_read_at(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = 0;
	size_t total = 0;
	int e;

	if (fd < 0)
		return -1;
	while (total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	e = errno;
	close(fd);
	buf[total] = '\0';
	errno = e;
	return n < 0 ? -1 : 0;
}

int cgroup_read_all_at(int dirfd, const char *file, char **out)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int r, e;

	if (fd < 0)
		return -1;
	r = read_all_fd(fd, out, NULL);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

int cgroup_write_at(int dirfd, const char *file, const char *value)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(value);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	/* One write: cgroupfs takes one value per write(2), a short one is an error. */
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	e = n == (ssize_t)len ? 0 : n < 0 ? errno : EIO;
	close(fd);
	errno = e;
	return e ? -1 : 0;
}

struct cg_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* getdents64 alone: libc's DIR adds an fstat and two fcntl, which cost more than the read. */
char *cgroup_subdirs(int dirfd, size_t *n)
{
	char buf[8192], *out = xstrdup("");
	size_t len = 0;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long r;

	*n = 0;
	if (fd < 0)
		return out;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < r;) {
			struct cg_dirent64 *d = (struct cg_dirent64 *)(void *)(buf + off);
			size_t l = strlen(d->d_name) + 1;

			off += d->d_reclen;
			if (d->d_type != DT_DIR || d->d_name[0] == '.')
				continue;
			out = xrealloc(out, len + l + 1);
			memcpy(out + len, d->d_name, l);
			len += l;
			(*n)++;
		}
	}
	close(fd);
	return out;
}

long long cgroup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cgroup_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Append the pids of dirfd's cgroup.procs and of every cgroup below it to *v. */
static int collect_pids(int dirfd, pid_t **v, size_t *n, size_t *cap, int depth)
{
	char *text = NULL, *names;
	size_t nn;

	if (depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if (cgroup_read_all_at(dirfd, "cgroup.procs", &text) < 0)
		return -1;
	/* Processes outside our PID namespace are not listed: not ours to signal anyway. */
	for (char *p = text, *l; (l = strsep(&p, "\n"));) {
		long pid;

		if (!*l || parse_int(l, 1, INT_MAX, &pid) < 0)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[(*n)++] = (pid_t)pid;
	}
	free(text);
	names = cgroup_subdirs(dirfd, &nn);
	for (char *name = names; nn > 0; name += strlen(name) + 1, nn--) {
		int sub = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (sub < 0)
			continue; /* removed meanwhile */
		collect_pids(sub, v, n, cap, depth + 1);
		close(sub);
	}
	free(names);
	return 0;
}

static bool has_pid(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* A pid read from cgroup.procs may be reused before it is signalled: each is pinned by a
 * pidfd first, and signalled only if the cgroup still lists it after (a reused pid is outside
 * the cgroup, unless it is the sandbox's again). */
int cgroup_signal_tree(int dirfd, int sig, size_t *left)
{
	pid_t *a = NULL, *b = NULL;
	size_t na = 0, ca = 0, nb = 0, cb = 0;
	int *pfd, ret = 0, err = 0;

	*left = 0;
	if (collect_pids(dirfd, &a, &na, &ca, 0) < 0)
		return -1;
	*left = na;
	/* -2: no pidfd in this kernel (before Linux 5.3), kill(2) then; -1: already gone. */
	pfd = xcalloc(na ? na : 1, sizeof(*pfd));
	for (size_t i = 0; i < na; i++) {
		pfd[i] = (int)syscall(SYS_pidfd_open, a[i], 0);
		if (pfd[i] < 0)
			pfd[i] = errno == ENOSYS ? -2 : -1;
	}
	if (na && collect_pids(dirfd, &b, &nb, &cb, 0) < 0) {
		err = errno;
		ret = -1;
		nb = 0;
	}
	for (size_t i = 0; i < na; i++) {
		if (pfd[i] == -1 || !has_pid(b, nb, a[i]))
			continue;
		if ((pfd[i] >= 0 ? syscall(SYS_pidfd_send_signal, pfd[i], sig, NULL, 0) :
				   kill(a[i], sig)) < 0 &&
		    errno != ESRCH && !err) {
			err = errno;
			ret = -1;
		}
	}
	for (size_t i = 0; i < na; i++)
		if (pfd[i] >= 0)
			close(pfd[i]);
	free(pfd);
	free(a);
	free(b);
	errno = err;
	return ret;
}

int cgroup_kill_tree(int dirfd, int version, long long ms)
{
	long long deadline = cgroup_now_ms() + ms;
	long delay = 200;
	size_t left;

	/* cgroup.kill (Linux 5.14) kills the whole subtree at once, forks racing it included. */
	if (version == 2 && cgroup_write_at(dirfd, "cgroup.kill", "1") == 0) {
		char ev[256];

		for (;;) {
			uint64_t populated = 1;

			if (cgroup_read_at(dirfd, "cgroup.events", ev, sizeof(ev)) < 0 ||
			    cgroup_keyed_value(ev, "populated", &populated) < 0 || !populated)
				return 0;
			if (cgroup_now_ms() > deadline) {
				errno = EBUSY;
				return -1;
			}
			cgroup_sleep_us(delay);
			delay = delay < 20000 ? delay * 2 : delay;
		}
	}
	/* Else round after round: a fork racing one round is killed by the next. */
	for (;;) {
		if (cgroup_signal_tree(dirfd, SIGKILL, &left) < 0)
			return -1;
		if (left == 0)
			return 0;
		if (cgroup_now_ms() > deadline) {
			errno = EBUSY;
			return -1;
		}
		cgroup_sleep_us(delay);
		delay = delay < 20000 ? delay * 2 : delay;
	}
}

/* rmdir name below parentfd, the cgroups below it first. cgroupfs refuses with EBUSY both a
 * cgroup with processes and one with children. */
static int rmdir_tree(int parentfd, const char *name, int depth)
{
	char *names, *sub;
	size_t n, count;
	int fd;

	if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY && errno != EEXIST)
		return -1;
	if (depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	names = cgroup_subdirs(fd, &count);
	for (sub = names, n = count; n > 0; sub += strlen(sub) + 1, n--)
		rmdir_tree(fd, sub, depth + 1);
	free(names);
	close(fd);
	if (count == 0) {
		errno = EBUSY; /* no children: processes keep it */
		return -1;
	}
	return unlinkat(parentfd, name, AT_REMOVEDIR);
}

int cgroup_remove_tree(int parentfd, const char *name, int version, long long ms)
{
	long long deadline = cgroup_now_ms() + ms;
	int fd, e;

	/* The usual end: the sandbox has ended, its cgroup is empty. */
	if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return -1;
	fd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (long delay = 200;; delay = delay < 20000 ? delay * 2 : delay) {
		if (cgroup_kill_tree(fd, version, deadline - cgroup_now_ms()) < 0 && errno != EBUSY)
			break;
		/* A cgroup can stay busy a moment after its last process is gone. */
		if (rmdir_tree(parentfd, name, 0) == 0) {
			close(fd);
			return 0;
		}
		if ((errno != EBUSY && errno != ENOTEMPTY) || cgroup_now_ms() > deadline)
			break;
		cgroup_sleep_us(delay);
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Whether the hutch that named a cgroup (pid, start) still runs: a zombie does not (nobody may
 * reap it soon); when /proc cannot tell, alive: a live sandbox is never taken for a stale one. */
static bool owner_alive(pid_t pid, unsigned long long start)
{
	char path[64], text[1024], state;
	unsigned long long s;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (cgroup_read_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return errno != ENOENT && errno != ESRCH;
	if (cgroup_stat_parse(text, &state, &s) < 0)
		return true;
	return s == start && state != 'Z' && state != 'X';
}

void cgroup_remove_stale(int parentfd, const char *parent_path, int version,
			 unsigned long long pidns)
{
	size_t n;
	struct stat pst;

	/* A name is evidence only in a directory no one else may write: in cgroup v1 whoever
	 * may write the parent may rename a live sandbox's cgroup to a dead hutch's name (v2
	 * refuses renames), and we would kill that sandbox. */
	if (fstat(parentfd, &pst) < 0 || pst.st_uid != geteuid() ||
	    (pst.st_mode & (S_IWGRP | S_IWOTH)))
		return;
	char *names = cgroup_subdirs(parentfd, &n);

	for (char *name = names; n > 0; name += strlen(name) + 1, n--) {
		unsigned long long start, ns;
		pid_t pid;
		bool caller;

		/* Only names of hutches of our PID namespace: their pids are ours to look up. */
		if (strncmp(name, "hutch.", 6) != 0 ||
		    cgroup_name_parse(name, &pid, &start, &ns, &caller) < 0 || ns != pidns ||
		    owner_alive(pid, start))
			continue;
		/* Another user's (root's, in a parent both may write): theirs to remove. */
		struct stat st;
		if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != geteuid())
			continue;
		if (cgroup_remove_tree(parentfd, name, version, 1000) < 0)
			warn("cannot remove the cgroup %s/%s of a hutch that died: %s", parent_path,
			     name, strerror(errno));
	}
	free(names);
}

/* cgroup: the sandbox's cgroup on this host (cgroup.h), the impure half: made, joined, killed,
 * read and removed by the parent. Every path below a hierarchy's mountpoint is resolved from
 * the mountpoint's fd without following symlinks or leaving the mount: a delegated tree is
 * the user's to change. See cgroups(7), cgroup_namespaces(7), clone(2) (CLONE_INTO_CGROUP) and
 * the kernel's cgroup-v2.rst ("Delegation Containment", "no internal process constraint"). */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#define CG_RESOLVE_NO_XDEV	 0x01
#define CG_RESOLVE_NO_MAGICLINKS 0x02
#define CG_RESOLVE_NO_SYMLINKS	 0x04
#define CG_RESOLVE_BENEATH	 0x08

struct cg_open_how {
	uint64_t flags, mode, resolve;
};

/* One hierarchy the sandbox joined. */
struct place {
	int hier;	   /* index in the layout */
	unsigned ctls;	   /* controllers whose limits are written here */
	bool optional;	   /* joined for kill, clone and accounting only: best effort */
	int parent_fd;	   /* O_PATH: where the cgroup is made */
	int fd;		   /* O_PATH: the sandbox's cgroup; -1 until made */
	char *path;	   /* its absolute path, for messages */
	unsigned enabled;  /* v2: controllers hutch enabled in the parent's subtree_control */
	bool caller_moved; /* v2: hutch moved itself into NAME.caller to enable them */
};

struct cgroup_sandbox {
	struct cgroup_request req;
	struct cgroup_layout layout;
	struct place p[CGROUP_MAX_HIERS];
	unsigned n;
	int v2; /* index in p of the v2 place, -1 */
	char name[80];
	unsigned unplaced;
};

/* ---- small helpers ----------------------------------------------------------------------------- */

static void err_append(struct error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void err_append(struct error *err, const char *fmt, ...)
{
	size_t n = strlen(err->msg);
	va_list ap;

	if (n + 1 >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
}

/* Read a small file below dirfd into buf (NUL-terminated); -1 with errno. */
static int read_at(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	if (n < 0)
		return -1;
	buf[total] = '\0';
	return 0;
}

static int read_all_at(int dirfd, const char *file, char **out)
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

static int write_at(int dirfd, const char *file, const char *value)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	int r, e;

	if (fd < 0)
		return -1;
	/* One write: cgroupfs takes a value per write(2). */
	r = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* path below rootfd ("" for rootfd itself), never through a symlink or out of the mount. */
static int open_below(int rootfd, const char *rel)
{
	struct cg_open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = CG_RESOLVE_BENEATH | CG_RESOLVE_NO_SYMLINKS | CG_RESOLVE_NO_XDEV |
			   CG_RESOLVE_NO_MAGICLINKS,
	};
	char buf[PATH_MAX];
	int fd, next;

	if (!*rel)
		return openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int tries = 0; tries < 32; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != ENOSYS))
			return fd;
		if (errno == ENOSYS)
			break;
	}
	/* Before Linux 5.6: one component at a time. */
	if (strlen(rel) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, rel);
	fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (char *p = buf, *c; fd >= 0 && (c = strsep(&p, "/"));) {
		if (!*c)
			continue;
		next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

struct cg_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The names of the cgroups right below dirfd, NUL-separated (malloc'd; *n of them), read with
 * getdents64 alone: libc's DIR adds an fstat and two fcntl, which cost more than the read. */
static char *subdirs(int dirfd, size_t *n)
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

/* The controllers hutch enables are written as "+memory +pids". */
static void ctl_list(unsigned ctls, char sign, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 1; b < (1u << CGROUP_NCTL); b <<= 1)
		if ((ctls & b) && !(b & CGROUP_CTL_V2_CORE) && o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%c%s", o ? " " : "", sign,
					      cgroup_ctl_name(b, 2));
}

/* "memory and pids" */
static void ctl_words(unsigned ctls, int version, char *buf, size_t size)
{
	unsigned left = (unsigned)__builtin_popcount(ctls);
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 1; b < (1u << CGROUP_NCTL) && o < size; b <<= 1) {
		if (!(ctls & b))
			continue;
		left--;
		o += (size_t)snprintf(buf + o, size - o, "%s%s", cgroup_ctl_name(b, version),
				      left > 1	? ", " :
				      left == 1 ? " and " :
						  "");
	}
}

/* ---- processes in a cgroup --------------------------------------------------------------------- */

#define MAX_DEPTH 32

/* Append the pids of dirfd's cgroup.procs and of every cgroup below it to *v. */
static int collect_pids(int dirfd, pid_t **v, size_t *n, size_t *cap, int depth)
{
	char *text = NULL, *names;
	size_t nn;

	if (depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if (read_all_at(dirfd, "cgroup.procs", &text) < 0)
		return -1;
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
	names = subdirs(dirfd, &nn);
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

/* Signal every process in dirfd's subtree once. A pid read from cgroup.procs may be reused
 * before it is signalled: each is pinned by a pidfd, and signalled only if the cgroup still
 * lists it after (a reused pid is outside the cgroup, unless it is the sandbox's again).
 * *left: how many processes there were. */
static int signal_tree(int dirfd, int sig, bool frozen, size_t *left)
{
	pid_t *a = NULL, *b = NULL;
	size_t na = 0, ca = 0, nb = 0, cb = 0;
	int *pfd, ret = 0;

	if (collect_pids(dirfd, &a, &na, &ca, 0) < 0)
		return -1;
	*left = na;
	if (frozen) {
		/* Frozen processes cannot exit: their pids cannot be reused meanwhile. */
		for (size_t i = 0; i < na; i++)
			if (kill(a[i], sig) < 0 && errno != ESRCH)
				ret = -1;
		free(a);
		return ret;
	}
	/* -2: no pidfd in this kernel (before Linux 5.3), kill(2) then; -1: already gone. */
	pfd = xcalloc(na ? na : 1, sizeof(*pfd));
	for (size_t i = 0; i < na; i++) {
		pfd[i] = (int)syscall(SYS_pidfd_open, a[i], 0);
		if (pfd[i] < 0)
			pfd[i] = errno == ENOSYS ? -2 : -1;
	}
	if (collect_pids(dirfd, &b, &nb, &cb, 0) < 0)
		ret = -1;
	for (size_t i = 0; i < na && ret == 0; i++) {
		if (pfd[i] == -1 || !has_pid(b, nb, a[i]))
			continue;
		if (pfd[i] >= 0 ? syscall(SYS_pidfd_send_signal, pfd[i], sig, NULL, 0) < 0 :
				  kill(a[i], sig) < 0)
			if (errno != ESRCH)
				ret = -1;
	}
	for (size_t i = 0; i < na; i++)
		if (pfd[i] >= 0)
			close(pfd[i]);
	free(pfd);
	free(a);
	free(b);
	return ret;
}

/* SIGKILL everything in the subtree until it is empty, for at most ms milliseconds. */
static int kill_tree_until_empty(int dirfd, int version, long long ms)
{
	long long deadline = now_ms() + ms;
	long delay = 200;
	size_t left;

	if (version == 2 && write_at(dirfd, "cgroup.kill", "1") == 0) {
		char ev[256];
		/* cgroup.kill (Linux 5.14) kills the subtree at once; wait until it is empty. */
		for (;;) {
			uint64_t populated = 1;
			if (read_at(dirfd, "cgroup.events", ev, sizeof(ev)) < 0 ||
			    cgroup_keyed_value(ev, "populated", &populated) < 0 || !populated)
				return 0;
			if (now_ms() > deadline) {
				errno = EBUSY;
				return -1;
			}
			sleep_us(delay);
			delay = delay < 20000 ? delay * 2 : delay;
		}
	}
	for (;;) {
		if (signal_tree(dirfd, SIGKILL, false, &left) < 0)
			return -1;
		if (left == 0)
			return 0;
		if (now_ms() > deadline) {
			errno = EBUSY;
			return -1;
		}
		sleep_us(delay);
		delay = delay < 20000 ? delay * 2 : delay;
	}
}

/* rmdir name below parentfd and every cgroup below it (the sandbox may have made some). */
static int remove_tree(int parentfd, const char *name, int depth)
{
	char *names, *sub;
	size_t n;
	int fd;

	if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return -1;
	if (depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	names = subdirs(fd, &n);
	for (sub = names; n > 0; sub += strlen(sub) + 1, n--)
		remove_tree(fd, sub, depth + 1);
	free(names);
	close(fd);
	return unlinkat(parentfd, name, AT_REMOVEDIR);
}

/* Kill, wait and remove: the end of a sandbox's cgroup (ours or a dead hutch's). */
static int empty_and_remove(int parentfd, const char *name, int version, long long ms)
{
	long long deadline = now_ms() + ms;
	int fd;

	if (remove_tree(parentfd, name, 0) == 0)
		return 0;
	if (errno != EBUSY)
		return -1;
	fd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (long delay = 200;; delay = delay < 20000 ? delay * 2 : delay) {
		if (kill_tree_until_empty(fd, version, deadline - now_ms()) < 0 && errno != EBUSY)
			break;
		/* Empty cgroups can stay busy a moment after their last process exits. */
		if (remove_tree(parentfd, name, 0) == 0) {
			close(fd);
			return 0;
		}
		if (errno != EBUSY || now_ms() > deadline)
			break;
		sleep_us(delay);
	}
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* ---- identity and stale cgroups ------------------------------------------------------------------ */

static int self_identity(pid_t *pid, unsigned long long *start, unsigned long long *pidns)
{
	char text[1024], state;
	struct stat st;

	*pid = getpid();
	if (read_at(AT_FDCWD, "/proc/self/stat", text, sizeof(text)) < 0 ||
	    cgroup_stat_parse(text, &state, start) < 0)
		return -1;
	if (stat("/proc/self/ns/pid", &st) < 0)
		return -1;
	*pidns = (unsigned long long)st.st_ino;
	return 0;
}

/* Whether the hutch that named a cgroup (pid, start) still runs: a zombie does not (nobody may
 * reap it soon); when /proc cannot tell, alive: a live sandbox is never taken for a stale one. */
static bool owner_alive(pid_t pid, unsigned long long start)
{
	char path[64], text[1024], state;
	unsigned long long s;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return errno != ENOENT && errno != ESRCH;
	if (cgroup_stat_parse(text, &state, &s) < 0)
		return true;
	return s == start && state != 'Z' && state != 'X';
}

/* Remove the cgroups that dead hutches of this PID namespace left in this directory (their
 * owner was killed with SIGKILL): what runs in them is killed first. */
static void remove_stale(int parentfd, const char *parent_path, int version,
			 unsigned long long pidns)
{
	size_t n;
	char *names = subdirs(parentfd, &n);

	for (char *name = names; n > 0; name += strlen(name) + 1, n--) {
		unsigned long long start, ns;
		pid_t pid;
		bool caller;

		if (strncmp(name, "hutch.", 6) != 0 ||
		    cgroup_name_parse(name, &pid, &start, &ns, &caller) < 0 || ns != pidns ||
		    owner_alive(pid, start))
			continue;
		if (empty_and_remove(parentfd, name, version, 1000) < 0)
			warn("cannot remove the cgroup %s/%s of a hutch that died: %s", parent_path,
			     name, strerror(errno));
	}
	free(names);
}

/* ---- making the sandbox's cgroup ------------------------------------------------------------ */

struct identity {
	pid_t pid;
	unsigned long long start, pidns;
	uid_t uid;
};

static const struct cgroup_hier *hier_of(const struct cgroup_sandbox *cg, const struct place *pl)
{
	return &cg->layout.h[pl->hier];
}

/* The CGROUP_SET_* values carried by these controllers. */
static unsigned sets_of(unsigned ctls)
{
	unsigned s = 0;

	if (ctls & CGROUP_CTL_MEMORY)
		s |= CGROUP_SET_MEMORY | CGROUP_SET_SWAP;
	if (ctls & CGROUP_CTL_PIDS)
		s |= CGROUP_SET_PIDS;
	if (ctls & CGROUP_CTL_CPU)
		s |= CGROUP_SET_CPUS | CGROUP_SET_CPU_WEIGHT;
	if (ctls & CGROUP_CTL_IO)
		s |= CGROUP_SET_IO_WEIGHT;
	return s;
}

/* The hint lines for a caller who may write no cgroup of the controllers in need (v1: a
 * directory per hierarchy; v2: a delegated scope or directory). */
static void hint_delegation(const struct cgroup_sandbox *cg, const struct identity *id,
			    struct error *err)
{
	char dirs[512] = "", procs[512] = "", v2ctls[128] = "";
	size_t o = 0, q = 0;
	const struct cgroup_hier *v2 = NULL;
	unsigned need = cgroup_request_ctls(&cg->req);

	for (unsigned i = 0; i < cg->layout.n; i++) {
		const struct cgroup_hier *h = &cg->layout.h[i];
		if (h->version == 2) {
			v2 = h;
			continue;
		}
		if (!(h->ctls & need) || o >= sizeof(dirs) || q >= sizeof(procs))
			continue;
		o += (size_t)snprintf(dirs + o, sizeof(dirs) - o, " %s/hutch-%u", h->mountpoint,
				      (unsigned)id->uid);
		q += (size_t)snprintf(procs + q, sizeof(procs) - q, " %s/hutch-%u/cgroup.procs",
				      h->mountpoint, (unsigned)id->uid);
	}
	if (*dirs) {
		err_append(
			err,
			"\nhint: as root, delegate a directory in each cgroup v1 hierarchy once: "
			"mkdir -p%s && chown -R %u%s",
			dirs, (unsigned)id->uid, dirs);
		err_append(err,
			   "\nhint: then pass --cgroup-parent /hutch-%u, or move your shell there "
			   "first: echo $$ | tee%s",
			   (unsigned)id->uid, procs);
	}
	if (v2 && (need & v2->ctls & ~CGROUP_CTL_V2_CORE)) {
		ctl_list(need & v2->ctls, '+', v2ctls, sizeof(v2ctls));
		err_append(err,
			   "\nhint: on a systemd host, run hutch in a delegated scope: systemd-run "
			   "%s--scope -p Delegate=yes hutch ...",
			   id->uid ? "--user " : "");
		err_append(err,
			   "\nhint: or as root: D=%s/hutch-%u; mkdir -p $D/shell && echo '%s' > "
			   "%s/cgroup.subtree_control && chown %u $D $D/cgroup.procs "
			   "$D/cgroup.subtree_control $D/cgroup.threads, move the caller's shell "
			   "into $D/shell (echo %d > $D/shell/cgroup.procs) and pass "
			   "--cgroup-parent $D",
			   v2->mountpoint, (unsigned)id->uid, v2ctls, v2->mountpoint,
			   (unsigned)id->uid, (int)getppid());
	}
	if (!cg->req.try)
		err_append(err, "\nhint: or --limits-try: rlimits instead of a cgroup, said once");
}

/* Make sure the parent's subtree_control has the place's v2 controllers (module comment). */
static int enable_v2(struct cgroup_sandbox *cg, struct place *pl, bool given,
		     const struct identity *id, const char *parent_path, struct error *err)
{
	char sub[512], avail[512], list[128], caller[96], words[128], pid[24];
	unsigned want = pl->ctls & ~CGROUP_CTL_V2_CORE, missing;
	int leaf;

	if (read_at(pl->parent_fd, "cgroup.subtree_control", sub, sizeof(sub)) < 0)
		return error_set_errno(err, errno,
				       "cannot create the sandbox's cgroup: cannot read "
				       "%s/cgroup.subtree_control",
				       parent_path);
	missing = want & ~cgroup_list_ctls(sub);
	if (!missing)
		return 0;
	ctl_words(missing, 2, words, sizeof(words));
	if (read_at(pl->parent_fd, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    (missing & ~cgroup_list_ctls(avail))) {
		error_set(
			err,
			"cannot create the sandbox's cgroup: the %s controller%s not delegated to "
			"%s (missing from its cgroup.controllers)",
			words, missing & (missing - 1) ? "s are" : " is", parent_path);
		hint_delegation(cg, id, err);
		return -1;
	}
	ctl_list(missing, '+', list, sizeof(list));
	if (write_at(pl->parent_fd, "cgroup.subtree_control", list) == 0) {
		pl->enabled = missing;
		return 0;
	}
	if (errno == EBUSY && !given) {
		/* The caller's own cgroup has processes. If hutch is the only one, it moves
		 * itself into a leaf beside the sandbox's cgroup (a delegated scope whose main
		 * process is hutch: systemd-run --scope -p Delegate=yes hutch ...). */
		char procs[64];
		long only;

		snprintf(pid, sizeof(pid), "%d", (int)id->pid);
		snprintf(caller, sizeof(caller), "%s.caller", cg->name);
		if (read_at(pl->parent_fd, "cgroup.procs", procs, sizeof(procs)) == 0 &&
		    procs[strcspn(procs, "\n")] == '\n' && !procs[strcspn(procs, "\n") + 1] &&
		    (procs[strcspn(procs, "\n")] = '\0',
		     parse_int(procs, 1, INT_MAX, &only) == 0) &&
		    only == id->pid && mkdirat(pl->parent_fd, caller, 0755) == 0) {
			leaf = openat(pl->parent_fd, caller,
				      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (leaf >= 0 && write_at(leaf, "cgroup.procs", pid) == 0) {
				pl->caller_moved = true;
				close(leaf);
				if (write_at(pl->parent_fd, "cgroup.subtree_control", list) == 0) {
					pl->enabled = missing;
					return 0;
				}
				return error_set_errno(err, errno,
						       "cannot create the sandbox's cgroup: cannot "
						       "enable %s in %s/cgroup.subtree_control",
						       list, parent_path);
			}
			if (leaf >= 0)
				close(leaf);
			unlinkat(pl->parent_fd, caller, AT_REMOVEDIR);
			errno = EBUSY;
		}
		error_set(err,
			  "cannot create the sandbox's cgroup: %s has processes other than hutch, "
			  "and cgroup v2 lets no cgroup with processes enable controllers (%s) for "
			  "its children",
			  parent_path, words);
		hint_delegation(cg, id, err);
		return -1;
	}
	if (errno == EBUSY)
		error_set(
			err,
			"cannot create the sandbox's cgroup: --cgroup-parent %s has processes, and "
			"cgroup v2 lets no cgroup with processes enable controllers (%s) for its "
			"children",
			parent_path, words);
	else
		error_set_errno(err, errno,
				"cannot create the sandbox's cgroup: cannot enable %s in "
				"%s/cgroup.subtree_control",
				list, parent_path);
	if (errno == EACCES || errno == EPERM || errno == EBUSY)
		hint_delegation(cg, id, err);
	return -1;
}

/* The limits of the place; writes of one group are alternatives (cgroup.h). */
static int write_limits(struct cgroup_sandbox *cg, struct place *pl, struct error *err)
{
	struct cgroup_write w[8];
	unsigned n = cgroup_limit_writes(&cg->req, hier_of(cg, pl)->version, pl->ctls, w);
	unsigned group_done = 0, group_seen = 0;

	for (unsigned i = 0; i < n; i++) {
		if (write_at(pl->fd, w[i].file, w[i].value) == 0) {
			group_done |= 1u << w[i].group;
			continue;
		}
		if (w[i].group && errno == ENOENT) {
			group_seen |= 1u << w[i].group;
			continue;
		}
		if (errno == ENOENT && (strstr(w[i].file, "swap") || strstr(w[i].file, "memsw")))
			return error_set(err,
					 "cannot set the sandbox's --memory-swap: this kernel does "
					 "not account swap (no %s in %s)\nhint: boot with "
					 "swapaccount=1, or leave out --memory-swap",
					 w[i].file, pl->path);
		return error_set_errno(err, errno, "cannot set %s to '%s' in %s", w[i].file,
				       w[i].value, pl->path);
	}
	if (group_seen & ~group_done)
		return error_set(err,
				 "cannot set the sandbox's --io-weight: this kernel has no I/O "
				 "weight in %s (it needs the BFQ I/O scheduler or the io.cost "
				 "controller)",
				 pl->path);
	return 0;
}

/* The common ancestor of two paths below a mount ("" when only the top). */
static void common_ancestor(const char *a, const char *b, char *out, size_t size)
{
	size_t n = 0, last = 0;

	while (a[n] && a[n] == b[n]) {
		n++;
		if (a[n] == '/' || (a[n] == '\0' && (b[n] == '/' || b[n] == '\0')))
			last = n;
	}
	if (last >= size)
		last = 0;
	memcpy(out, a, last);
	out[last] = '\0';
}

static int make_place(struct cgroup_sandbox *cg, struct place *pl, const char *rel, bool given,
		      const struct identity *id, struct error *err)
{
	const struct cgroup_hier *h = hier_of(cg, pl);
	char words[128], parent_path[PATH_MAX], anc[PATH_MAX];
	struct statfs sf;
	int rootfd, e;

	ctl_words(pl->ctls ? pl->ctls : h->ctls, h->version, words, sizeof(words));
	if (!rel) {
		error_set(err,
			  "cannot create the sandbox's cgroup: the caller's cgroup in the %s "
			  "hierarchy is not below its mount at %s\nhint: pass --cgroup-parent",
			  words, h->mountpoint);
		return -1;
	}
	snprintf(parent_path, sizeof(parent_path), "%s%s%s", h->mountpoint, *rel ? "/" : "", rel);
	rootfd = open(h->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || fstatfs(rootfd, &sf) < 0 ||
	    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC)) {
		e = rootfd < 0 ? errno : ENOTDIR;
		if (rootfd >= 0)
			close(rootfd);
		return error_set_errno(err, e, "cannot create the sandbox's cgroup: cannot open %s",
				       h->mountpoint);
	}
	pl->parent_fd = open_below(rootfd, rel);
	e = errno;
	/* Delegation containment (v2): moving a process, or cloning it, between two cgroups
	 * needs write access to cgroup.procs of their common ancestor. */
	if (pl->parent_fd >= 0 && h->version == 2) {
		int afd;
		if (!h->own) {
			close(rootfd);
			error_set(
				err,
				"cannot create the sandbox's cgroup: the caller's cgroup v2 is not "
				"visible under %s",
				h->mountpoint);
			return -1;
		}
		common_ancestor(h->own, rel, anc, sizeof(anc));
		afd = open_below(rootfd, anc);
		if (afd < 0 || faccessat(afd, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
			e = errno;
			if (afd >= 0)
				close(afd);
			close(rootfd);
			error_set_errno(err, e,
					"cannot create the sandbox's cgroup: the caller's cgroup "
					"and %s meet at %s%s%s, whose cgroup.procs is not writable "
					"for uid %u",
					parent_path, h->mountpoint, *anc ? "/" : "", anc,
					(unsigned)id->uid);
			hint_delegation(cg, id, err);
			return -1;
		}
		close(afd);
	}
	close(rootfd);
	if (pl->parent_fd < 0) {
		if (e == ELOOP || e == EXDEV)
			return error_set(err,
					 "cannot create the sandbox's cgroup: %s: a symlink or a "
					 "mount on the way, refused",
					 parent_path);
		return error_set_errno(err, e, "cannot create the sandbox's cgroup: cannot open %s",
				       parent_path);
	}
	remove_stale(pl->parent_fd, parent_path, h->version, id->pidns);
	if (mkdirat(pl->parent_fd, cg->name, 0755) < 0) {
		e = errno;
		error_set_errno(err, e,
				"cannot create the sandbox's cgroup: cannot make a cgroup in %s "
				"(cgroup v%d, %s) as uid %u",
				parent_path, h->version, words, (unsigned)id->uid);
		if (e == EACCES || e == EPERM || e == EROFS)
			hint_delegation(cg, id, err);
		return -1;
	}
	pl->path = xasprintf("%s/%s", parent_path, cg->name);
	pl->fd = openat(pl->parent_fd, cg->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pl->fd < 0)
		return error_set_errno(
			err, errno, "cannot create the sandbox's cgroup: cannot open %s", pl->path);
	if (h->version == 2 && (pl->ctls & ~CGROUP_CTL_V2_CORE) &&
	    enable_v2(cg, pl, given, id, parent_path, err) < 0)
		return -1;
	return write_limits(cg, pl, err);
}

/* Undo what make_place did for one place; 0, or -1 with err. */
static int unmake_place(struct cgroup_sandbox *cg, struct place *pl, struct error *err)
{
	const struct cgroup_hier *h = hier_of(cg, pl);
	int ret = 0;

	if (pl->fd >= 0 || pl->path) {
		if (empty_and_remove(pl->parent_fd, cg->name, h->version, 2000) < 0)
			ret = error_set_errno(err, errno, "cannot remove the sandbox's cgroup %s",
					      pl->path ? pl->path : cg->name);
	}
	if (pl->caller_moved) {
		char list[128], caller[96], pid[24];
		/* Back where hutch was: first its controllers off (a cgroup with controllers
		 * enabled for its children takes no process). */
		ctl_list(pl->enabled, '-', list, sizeof(list));
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		snprintf(caller, sizeof(caller), "%s.caller", cg->name);
		if ((pl->enabled && write_at(pl->parent_fd, "cgroup.subtree_control", list) < 0) ||
		    write_at(pl->parent_fd, "cgroup.procs", pid) < 0 ||
		    unlinkat(pl->parent_fd, caller, AT_REMOVEDIR) < 0) {
			if (ret == 0)
				ret = error_set_errno(
					err, errno,
					"cannot move hutch back from the cgroup %s.caller",
					pl->path ? pl->path : cg->name);
		}
	}
	if (pl->fd >= 0)
		close(pl->fd);
	if (pl->parent_fd >= 0)
		close(pl->parent_fd);
	free(pl->path);
	pl->fd = pl->parent_fd = -1;
	pl->path = NULL;
	return ret;
}

/* A --cgroup-parent naming a hierarchy through a symlink to its mountpoint
 * (/sys/fs/cgroup/cpu -> cpu,cpuacct) is rewritten to the mountpoint. */
static char *canonical_parent(const struct cgroup_layout *l, const char *arg)
{
	char prefix[PATH_MAX], real[PATH_MAX];
	size_t len = strlen(arg);

	if (arg[0] != '/' || len >= sizeof(prefix))
		return xstrdup(arg);
	for (unsigned i = 0; i < l->n; i++) {
		size_t n = strlen(l->h[i].mountpoint);
		if (strncmp(arg, l->h[i].mountpoint, n) == 0 && (arg[n] == '/' || !arg[n]))
			return xstrdup(arg);
	}
	memcpy(prefix, arg, len + 1);
	for (char *cut = prefix + len; cut > prefix; cut = strrchr(prefix, '/')) {
		*cut = '\0';
		if (!*prefix || !realpath(prefix, real))
			continue;
		for (unsigned i = 0; i < l->n; i++)
			if (strcmp(real, l->h[i].mountpoint) == 0)
				return xasprintf("%s%s", real, arg + (cut - prefix));
	}
	return xstrdup(arg);
}

static struct place *add_place(struct cgroup_sandbox *cg, int hier, unsigned ctls, bool optional)
{
	for (unsigned i = 0; i < cg->n; i++)
		if (cg->p[i].hier == hier) {
			cg->p[i].ctls |= ctls;
			cg->p[i].optional &= optional;
			return &cg->p[i];
		}
	struct place *pl = &cg->p[cg->n++];
	memset(pl, 0, sizeof(*pl));
	pl->hier = hier;
	pl->ctls = ctls;
	pl->optional = optional;
	pl->fd = pl->parent_fd = -1;
	return pl;
}

/* Try each place from `from` on; a place that fails is dropped if optional, becomes unplaced
 * with --limits-try (the first reason kept in tryerr), else fails the whole. */
static int make_places(struct cgroup_sandbox *cg, unsigned from, const struct cgroup_parents *pp,
		       const struct identity *id, struct error *tryerr, struct error *err)
{
	for (unsigned i = from; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		struct error e2;

		if (make_place(cg, pl, pp->rel[pl->hier], pp->given[pl->hier] && cg->req.nparents,
			       id, err) == 0)
			continue;
		unmake_place(cg, pl, &e2);
		if (!pl->optional && !cg->req.try)
			return -1;
		if (!pl->optional) {
			cg->unplaced |= sets_of(pl->ctls) & cg->req.set;
			if (!tryerr->msg[0])
				*tryerr = *err;
		}
		memmove(pl, pl + 1, (cg->n - i - 1) * sizeof(*pl));
		cg->n--;
		i--;
	}
	return 0;
}

int cgroup_create(const struct cgroup_request *req, struct cgroup_sandbox **out, struct error *err)
{
	struct cgroup_sandbox *cg = xcalloc(1, sizeof(*cg));
	struct cgroup_parents pp;
	struct identity id;
	struct error tryerr = { 0 };
	char *mi = NULL, *pc = NULL, *parents[CGROUP_MAX_PARENTS] = { NULL };
	unsigned need = cgroup_request_ctls(req), missing = 0;
	int ret = -1;

	memset(&pp, 0, sizeof(pp));
	cg->req = *req;
	cg->v2 = -1;
	if (read_all_at(AT_FDCWD, "/proc/self/mountinfo", &mi) < 0 ||
	    read_all_at(AT_FDCWD, "/proc/self/cgroup", &pc) < 0) {
		error_set_errno(err, errno,
				"cannot create the sandbox's cgroup: cannot read /proc/self");
		goto out;
	}
	if (cgroup_layout_parse(mi, pc, &cg->layout, err) < 0)
		goto out;
	if (cg->layout.v2 >= 0) {
		/* What the v2 tree offers, unless v1 holds all we need. */
		char path[PATH_MAX], ctl[512];
		unsigned v1 = 0;
		for (unsigned i = 0; i < cg->layout.n; i++)
			if (cg->layout.h[i].version == 1)
				v1 |= cg->layout.h[i].ctls;
		snprintf(path, sizeof(path), "%s/cgroup.controllers",
			 cg->layout.h[cg->layout.v2].mountpoint);
		if ((need & ~v1) && read_at(AT_FDCWD, path, ctl, sizeof(ctl)) == 0)
			cgroup_layout_set_v2(&cg->layout, ctl);
	}
	for (unsigned k = 0; k < req->nparents; k++)
		parents[k] = canonical_parent(&cg->layout, req->parents[k]);
	if (cgroup_parents_resolve(&cg->layout, (const char *const *)parents, req->nparents, &pp,
				   err) < 0)
		goto out;
	id.uid = geteuid();
	if (self_identity(&id.pid, &id.start, &id.pidns) < 0) {
		error_set_errno(err, errno,
				"cannot create the sandbox's cgroup: cannot read /proc/self/stat");
		goto out;
	}
	cgroup_name_format(cg->name, sizeof(cg->name), id.pid, id.start, id.pidns);

	for (unsigned b = 1; b < (1u << CGROUP_NCTL); b <<= 1) {
		int h = (need & b) ? cgroup_layout_find(&cg->layout, b) : -2;
		if (h == -1)
			missing |= b;
		else if (h >= 0)
			add_place(cg, h, b, false);
	}
	if (missing) {
		char words[128];
		ctl_words(missing, 1, words, sizeof(words));
		error_set(
			err,
			"cannot create the sandbox's cgroup: this kernel has no %s controller in a "
			"mounted cgroup hierarchy (see /proc/cgroups and /proc/self/mountinfo)%s",
			words, req->try ? "" : "\nhint: --limits-try uses rlimits instead");
		if (!req->try)
			goto out;
		cg->unplaced |= sets_of(missing) & req->set;
		tryerr = *err;
	}
	/* --account: the v2 cgroup even without a v2 controller, for cpu.stat (and clone3 into it,
	 * cgroup.kill); each hierarchy joined costs a mkdir and an rmdir of a launch. */
	if (cg->layout.v2 >= 0 && req->account)
		add_place(cg, cg->layout.v2, 0, true);
	if (make_places(cg, 0, &pp, &id, &tryerr, err) < 0)
		goto out;
	for (unsigned i = 0; i < cg->n; i++)
		if (cg->p[i].hier == cg->layout.v2)
			cg->v2 = (int)i;
	if (cg->v2 < 0 && req->account) {
		/* No v2 cgroup: v1's cpuacct counts CPU time, its freezer holds still what is
		 * killed. */
		unsigned n0 = cg->n, extra = CGROUP_CTL_FREEZER | CGROUP_CTL_CPUACCT;
		for (unsigned b = CGROUP_CTL_CPUACCT; b <= CGROUP_CTL_FREEZER; b <<= 1) {
			int h = (extra & b) ? cgroup_layout_find(&cg->layout, b) : -1;
			if (h >= 0 && cg->layout.h[h].version == 1)
				add_place(cg, h, 0, true);
		}
		if (make_places(cg, n0, &pp, &id, &tryerr, err) < 0)
			goto out;
	}
	if (cg->unplaced) {
		struct cgroup_rlimits rl;
		unsigned lost;
		const char *why = tryerr.msg;
		char extra[256] = "";
		size_t o = 0;

		if (strncmp(why, "cannot create the sandbox's cgroup: ", 36) == 0)
			why += 36;
		cgroup_rlimits_plan(req, cg->unplaced, &rl, &lost);
		for (unsigned i = 0; i < rl.n; i++)
			o += (size_t)snprintf(
				extra + o, sizeof(extra) - o, "%s%s", o ? ", " : "",
				rl.v[i].resource == RLIMIT_AS ?
					"--memory as RLIMIT_AS (address space)" :
					"--pids as RLIMIT_NPROC (all the user's processes)");
		if (lost)
			snprintf(extra + o, sizeof(extra) - o, "%snot applied:%s%s%s%s",
				 o ? "; " : "", lost & CGROUP_SET_SWAP ? " --memory-swap" : "",
				 lost & CGROUP_SET_CPUS ? " --cpus" : "",
				 lost & CGROUP_SET_CPU_WEIGHT ? " --cpu-weight" : "",
				 lost & CGROUP_SET_IO_WEIGHT ? " --io-weight" : "");
		warn("--limits-try: no cgroup for the sandbox (%.*s); rlimits instead: %s",
		     (int)strcspn(why, "\n"), why, extra);
	}
	*out = steal_pointer(&cg);
	ret = 0;
out:
	for (unsigned k = 0; k < req->nparents; k++)
		free(parents[k]);
	cgroup_parents_free(&pp);
	free(mi);
	free(pc);
	if (cg) {
		struct error e2;
		for (unsigned i = cg->n; i-- > 0;)
			unmake_place(cg, &cg->p[i], &e2);
		cgroup_layout_free(&cg->layout);
		free(cg);
	}
	return ret;
}

unsigned cgroup_unplaced(const struct cgroup_sandbox *cg)
{
	return cg->unplaced;
}

void cgroup_rlimits(const struct cgroup_sandbox *cg, struct cgroup_rlimits *rl)
{
	unsigned lost;

	cgroup_rlimits_plan(&cg->req, cg->unplaced, rl, &lost);
}

int cgroup_clone_fd(const struct cgroup_sandbox *cg)
{
	return cg->v2 >= 0 ? cg->p[cg->v2].fd : -1;
}

const char *cgroup_path(const struct cgroup_sandbox *cg, unsigned i)
{
	return i < cg->n ? cg->p[i].path : NULL;
}

int cgroup_attach(struct cgroup_sandbox *cg, pid_t pid, bool in_v2, struct error *err)
{
	char s[24];

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (unsigned i = 0; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		struct error e2;

		if ((int)i == cg->v2 && in_v2)
			continue;
		if (write_at(pl->fd, "cgroup.procs", s) == 0)
			continue;
		if (pl->optional) {
			/* A cgroup the sandbox is not in must not stand for it (cgroup.kill). */
			if (unmake_place(cg, pl, &e2) < 0)
				warn("%s", e2.msg);
			if ((int)i == cg->v2)
				cg->v2 = -1;
			else if (cg->v2 > (int)i)
				cg->v2--;
			memmove(pl, pl + 1, (cg->n - i - 1) * sizeof(*pl));
			cg->n--;
			i--;
			continue;
		}
		error_set_errno(err, errno, "cannot move the sandbox into its cgroup %s", pl->path);
		if (errno == EACCES && hier_of(cg, pl)->version == 2)
			err_append(err,
				   "\nhint: cgroup v2 moves a process only within a subtree whose "
				   "top cgroup.procs the mover may write (delegation containment)");
		return -1;
	}
	return 0;
}

/* ---- kill, usage, destroy ---------------------------------------------------------------------- */

/* Freeze (or thaw) the sandbox: v2 cgroup.freeze, v1 freezer.state. Whether it is frozen. */
static bool freeze(struct cgroup_sandbox *cg, bool on)
{
	for (unsigned i = 0; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		int v = hier_of(cg, pl)->version;
		const char *file = v == 2 ? "cgroup.freeze" : "freezer.state";
		char st[256];

		if (v == 1 && !(hier_of(cg, pl)->ctls & CGROUP_CTL_FREEZER))
			continue;
		if (write_at(pl->fd, file,
			     on ? (v == 2 ? "1" : "FROZEN") : (v == 2 ? "0" : "THAWED")) < 0)
			continue;
		if (!on)
			return false;
		/* Freezing takes a moment (every task must reach the freezer). */
		for (long delay = 100, waited = 0; waited < 200000; waited += delay, delay *= 2) {
			uint64_t frozen = 0;
			if (v == 2 ? read_at(pl->fd, "cgroup.events", st, sizeof(st)) == 0 &&
					     cgroup_keyed_value(st, "frozen", &frozen) == 0 &&
					     frozen :
				     read_at(pl->fd, "freezer.state", st, sizeof(st)) == 0 &&
					     strncmp(st, "FROZEN", 6) == 0)
				return true;
			sleep_us(delay);
		}
		write_at(pl->fd, file, v == 2 ? "0" : "THAWED");
		return false;
	}
	return false;
}

int cgroup_kill(struct cgroup_sandbox *cg, int sig)
{
	struct place *pl = cg->v2 >= 0 ? &cg->p[cg->v2] : cg->n ? &cg->p[0] : NULL;
	long long deadline = now_ms() + 2000;
	size_t left;
	int r;

	if (!pl)
		return 0;
	if (sig == SIGKILL && cg->v2 >= 0 && write_at(pl->fd, "cgroup.kill", "1") == 0)
		return 0;
	for (long delay = 200;; delay = delay < 20000 ? delay * 2 : delay) {
		bool frozen = freeze(cg, true);
		r = signal_tree(pl->fd, sig, frozen, &left);
		if (frozen)
			freeze(cg, false);
		if (r < 0 || sig != SIGKILL || left == 0)
			return r;
		if (now_ms() > deadline) {
			errno = EBUSY;
			return -1;
		}
		sleep_us(delay);
	}
}

static bool read_value(int fd, const char *file, const char *key, uint64_t *v)
{
	char buf[1024];

	if (read_at(fd, file, buf, sizeof(buf)) < 0)
		return false;
	if (!key) {
		if (buf[0] == 'm') /* "max" */
			return false;
		errno = 0;
		*v = strtoull(buf, NULL, 10);
		return errno == 0 && buf[0] >= '0' && buf[0] <= '9';
	}
	return cgroup_keyed_value(buf, key, v) == 0;
}

void cgroup_usage_read(const struct cgroup_sandbox *cg, struct cgroup_usage *u)
{
	memset(u, 0, sizeof(*u));
	for (unsigned i = 0; i < cg->n; i++) {
		const struct place *pl = &cg->p[i];
		unsigned c = hier_of(cg, pl)->ctls;
		bool v2 = hier_of(cg, pl)->version == 2;
		uint64_t a, b;

		if (v2) {
			if (read_value(pl->fd, "cpu.stat", "user_usec", &a) &&
			    read_value(pl->fd, "cpu.stat", "system_usec", &b)) {
				u->cpu_user_us = a;
				u->cpu_system_us = b;
				u->have |= CGROUP_HAVE_CPU;
			}
		} else if ((c & CGROUP_CTL_CPUACCT) && !(u->have & CGROUP_HAVE_CPU)) {
			long hz = sysconf(_SC_CLK_TCK);
			if (read_value(pl->fd, "cpuacct.usage_user", NULL, &a) &&
			    read_value(pl->fd, "cpuacct.usage_sys", NULL, &b)) {
				u->cpu_user_us = a / 1000;
				u->cpu_system_us = b / 1000;
				u->have |= CGROUP_HAVE_CPU;
			} else if (hz > 0 && read_value(pl->fd, "cpuacct.stat", "user", &a) &&
				   read_value(pl->fd, "cpuacct.stat", "system", &b)) {
				u->cpu_user_us = a * 1000000 / (uint64_t)hz;
				u->cpu_system_us = b * 1000000 / (uint64_t)hz;
				u->have |= CGROUP_HAVE_CPU;
			}
		}
		/* v2: the files are there when the parent enabled the controller, asked or not. */
		if (v2 || (c & CGROUP_CTL_MEMORY)) {
			if (read_value(pl->fd, v2 ? "memory.peak" : "memory.max_usage_in_bytes",
				       NULL, &a)) {
				u->memory_peak = a;
				u->have |= CGROUP_HAVE_MEMORY_PEAK;
			}
			if (read_value(pl->fd, v2 ? "memory.events" : "memory.oom_control",
				       "oom_kill", &a)) {
				u->oom_kills = a;
				u->have |= CGROUP_HAVE_OOM;
			}
		}
		if (v2 || (c & CGROUP_CTL_PIDS)) {
			if (read_value(pl->fd, "pids.peak", NULL, &a)) {
				u->pids_peak = a;
				u->have |= CGROUP_HAVE_PIDS_PEAK;
			}
			if (read_value(pl->fd, "pids.events", "max", &a)) {
				u->pids_refused = a;
				u->have |= CGROUP_HAVE_PIDS_EVENTS;
			}
		}
	}
}

int cgroup_destroy(struct cgroup_sandbox *cg, struct error *err)
{
	struct error e2;
	int ret = 0;

	if (!cg)
		return 0;
	/* The v2 cgroup first: cgroup.kill empties every hierarchy at once. */
	if (cg->v2 >= 0 && unmake_place(cg, &cg->p[cg->v2], err) < 0)
		ret = -1;
	for (unsigned i = cg->n; i-- > 0;) {
		if ((int)i == cg->v2)
			continue;
		if (unmake_place(cg, &cg->p[i], ret ? &e2 : err) < 0)
			ret = -1;
	}
	cgroup_layout_free(&cg->layout);
	free(cg);
	return ret;
}

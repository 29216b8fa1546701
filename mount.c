/* mount: fd-based path resolution and mount primitives with a fallback.
 *
 * New kernels (5.12+): openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) resolves every
 * destination below the new root, open_tree(OPEN_TREE_CLONE | AT_RECURSIVE) clones a host
 * tree into a detached mount, mount_setattr(AT_RECURSIVE) sets its flags on every submount
 * at once, and move_mount() attaches it to an fd: no path string is ever looked up twice and
 * /proc/self/mountinfo is never read. See openat2(2), open_tree(2), mount_setattr(2).
 *
 * Fallback (older kernels; HUTCH_TEST_FALLBACK=1 in tests/hutch-test): the same resolution done
 * in user space one component at a time with O_PATH|O_NOFOLLOW and an fd stack for "..", and
 * mount(2) on "/proc/self/fd/N" of the resolved fd, so the target still cannot be swapped.
 * Recursive flags: see fallback_set_attrs_recursive. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount.h"
#include "mountinfo.h"
#include "util.h"

#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_XDEV	      0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH	      0x08
#define RESOLVE_IN_ROOT	      0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_open_tree
#define SYS_open_tree  428
#define SYS_move_mount 429
#define SYS_fsopen     430
#define SYS_fsconfig   431
#define SYS_fsmount    432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_FLAG   0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV  0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct hutch_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

struct hutch_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

void mount_probe(struct mnt_ctx *m)
{
	struct hutch_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd;

	*m = (struct mnt_ctx){ .proc_prefix = "" };
#ifdef HUTCH_TEST_HOOKS
	/* tests/hutch-test only (never the installed hutch): whoever sets a launch's
	 * environment must not choose how its root is built. */
	const char *force = getenv("HUTCH_TEST_FALLBACK");

	if (force && strcmp(force, "1") == 0)
		return; /* everything false: fallback */
	m->force_attached = force && strcmp(force, "attached") == 0;
#endif
	fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	m->openat2 = fd >= 0;
	if (fd >= 0)
		close(fd);
	/* mount_setattr (5.12) implies open_tree/move_mount/fsopen (5.2). An invalid call tells
	 * ENOSYS apart from EINVAL/EBADF without side effects. */
	m->new_api = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
}

bool mount_may_build_detached(const struct mnt_ctx *m)
{
	return m->new_api && !m->force_attached;
}

/* Fallback: the directory to mount on, `name` below dirfd (opened here, *to_close gets it) or
 * dirfd itself when name is NULL. Never through a symlink (O_NOFOLLOW with O_DIRECTORY gives
 * ENOTDIR), as move_mount(2) follows none there either. */
static int fallback_dest(int dirfd, const char *name, int *to_close)
{
	*to_close = -1;
	if (!name)
		return dirfd;
	*to_close = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *to_close;
}

/* Fallback: move the mount staged at `at` onto dest_fd; returns its fd. */
static int stage_move(const struct mnt_ctx *m, const char *at, int dest_fd)
{
	char dp[64];
	int top = open(at, O_PATH | O_CLOEXEC);

	if (top < 0)
		return -1;
	if (mount(at, mount_fd_path(m, dest_fd, dp, sizeof(dp)), NULL, MS_MOVE, NULL) < 0) {
		int e = errno;
		umount2(at, MNT_DETACH);
		close(top);
		errno = e;
		return -1;
	}
	return top;
}

const char *mount_fd_path(const struct mnt_ctx *m, int fd, char *buf, size_t len)
{
	snprintf(buf, len, "%s/proc/self/fd/%d", m->proc_prefix, fd);
	return buf;
}

static unsigned attrs_to_mount_attr(unsigned attrs)
{
	return ((attrs & HMNT_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
	       ((attrs & HMNT_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
	       ((attrs & HMNT_NODEV) ? MOUNT_ATTR_NODEV : 0) |
	       ((attrs & HMNT_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

static unsigned long attrs_to_ms(unsigned attrs)
{
	return ((attrs & HMNT_RDONLY) ? MS_RDONLY : 0) | ((attrs & HMNT_NOSUID) ? MS_NOSUID : 0) |
	       ((attrs & HMNT_NODEV) ? MS_NODEV : 0) | ((attrs & HMNT_NOEXEC) ? MS_NOEXEC : 0);
}

/* ---- resolution ---- */

/* User-space RESOLVE_IN_ROOT: walk component by component, never following anything with the
 * kernel. Symlink bodies (magic links included) are re-resolved below rootfd. */
#define MAX_SYMLINKS 40
static int resolve_fallback(int rootfd, const char *path, bool follow_last, bool no_links)
{
	int *stack = NULL;
	size_t depth = 0, cap = 0;
	char *work = xstrdup(path);
	size_t worklen = strlen(work);
	size_t pos = 0;
	int links = 0, ret = -1, err = 0;

#define PUSH(fd)                                                       \
	do {                                                           \
		if (depth == cap) {                                    \
			cap = cap ? cap * 2 : 16;                      \
			stack = xrealloc(stack, cap * sizeof(*stack)); \
		}                                                      \
		stack[depth++] = (fd);                                 \
	} while (0)

	int root = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (root < 0) {
		err = errno;
		goto out;
	}
	PUSH(root);
	for (;;) {
		while (pos < worklen && work[pos] == '/')
			pos++;
		if (pos >= worklen)
			break;
		size_t end = pos;
		while (end < worklen && work[end] != '/')
			end++;
		char comp[NAME_MAX + 1];
		size_t clen = end - pos;
		if (clen > NAME_MAX) {
			err = ENAMETOOLONG;
			goto out;
		}
		memcpy(comp, work + pos, clen);
		comp[clen] = '\0';
		/* A slash after a name asks for a directory, through a link (path_resolution(7)),
		 * as openat2 has it. */
		bool slash = end < worklen;
		pos = end;
		bool last = true;
		for (size_t i = pos; i < worklen; i++)
			if (work[i] != '/') {
				last = false;
				break;
			}
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 1)
				close(stack[--depth]);
			continue;
		}
		int fd = openat(stack[depth - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			goto out;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			err = errno;
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode) && no_links) {
			close(fd);
			err = ELOOP;
			goto out;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last || slash)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target));
			close(fd);
			if (n < 0) {
				err = errno;
				goto out;
			}
			if ((size_t)n == sizeof(target)) { /* maybe cut short: not that path */
				err = ENAMETOOLONG;
				goto out;
			}
			target[n] = '\0';
			if (++links > MAX_SYMLINKS) {
				err = ELOOP;
				goto out;
			}
			/* New work = target + rest (rest is empty, or starts with its slash: a
			 * slash added here would ask the target to be a directory). */
			char *rest = work + pos;
			char *nw = xasprintf("%s%s", target, rest);
			free(work);
			work = nw;
			worklen = strlen(work);
			pos = 0;
			if (target[0] == '/')
				while (depth > 1)
					close(stack[--depth]);
			continue;
		}
		if (last && slash && !S_ISDIR(st.st_mode)) {
			close(fd);
			err = ENOTDIR;
			goto out;
		}
		PUSH(fd);
	}
	ret = fcntl(stack[depth - 1], F_DUPFD_CLOEXEC, 3);
	if (ret < 0)
		err = errno;
out:
	while (depth > 0)
		close(stack[--depth]);
	free(stack);
	free(work);
	if (ret < 0)
		errno = err;
	return ret;
#undef PUSH
}

/* PATH below rootfd: openat2 with RESOLVE_IN_ROOT, or the fallback walk. no_links: ELOOP at
 * the first link (RESOLVE_NO_SYMLINKS). open_flags: O_NOFOLLOW, O_DIRECTORY or 0. */
static int resolve_below(const struct mnt_ctx *m, int rootfd, const char *path, int open_flags,
			 bool no_links)
{
	const char *p = path;

	while (*p == '/')
		p++;
	if (*p == '\0')
		p = ".";
	if (!m->openat2)
		return resolve_fallback(rootfd, p, !(open_flags & O_NOFOLLOW), no_links);
	struct hutch_open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | open_flags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
			   (no_links ? RESOLVE_NO_SYMLINKS : 0),
	};
	for (int tries = 0;; tries++) {
		int fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
		/* EAGAIN: a concurrent rename raced the ".." check; the kernel asks us to retry. */
		if (fd >= 0 || errno != EAGAIN || tries > 32)
			return fd;
	}
}

int mount_resolve(const struct mnt_ctx *m, int rootfd, const char *path, bool follow_last)
{
	return resolve_below(m, rootfd, path, follow_last ? 0 : O_NOFOLLOW, false);
}

static int check_dir(int fd)
{
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	return fd;
}

int mount_resolve_plain_dir(const struct mnt_ctx *m, int rootfd, const char *path)
{
	int fd = resolve_below(m, rootfd, path, O_DIRECTORY, true);

	/* openat2 refuses a non-directory itself (O_DIRECTORY); the fallback walk does not. */
	return m->openat2 ? fd : check_dir(fd);
}

static char *split_last(const char *path, const char **last);

/* Bottom-up: the common cases (the directory exists; only its last component is missing)
 * cost one or three lookups. Every mkdirat acts on a resolved parent fd with a single name,
 * which nothing can redirect (a symlink planted at that name gives EEXIST). Only a missing
 * name is made: nothing that exists is changed. A failure is looked at again from the parent
 * (only then, so the common cases pay nothing), to tell the parents' from the last name's. */
int mount_mkdir_p(const struct mnt_ctx *m, int rootfd, const char *path, mode_t parent_mode,
		  mode_t mode, bool *in_parents)
{
	int fd = mount_resolve(m, rootfd, path, true);

	if (in_parents)
		*in_parents = false;
	if (fd >= 0)
		return check_dir(fd);
	int err = errno;
	const char *last;
	_cleanup_free_ char *parent = split_last(path, &last);
	char name[NAME_MAX + 1];
	size_t n = strcspn(last, "/");
	if (n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, last, n);
	name[n] = '\0';
	if (n == 0) { /* the root itself */
		errno = err;
		return -1;
	}
	_cleanup_close_ int pfd = mount_mkdir_p(m, rootfd, parent, parent_mode, parent_mode, NULL);
	if (pfd < 0) {
		if (in_parents)
			*in_parents = true;
		return -1;
	}
	if (err != ENOENT) {
		errno = err;
		return -1;
	}
	if (mkdirat(pfd, name, mode) < 0 && errno != EEXIST)
		return -1;
	return check_dir(mount_resolve(m, rootfd, path, true));
}

/* Split off the last component; returns a malloc'ed parent path. */
static char *split_last(const char *path, const char **last)
{
	char *copy = xstrdup(path);
	size_t n = strlen(copy);

	while (n > 0 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	if (!slash) {
		/* last points into the caller's string; its trailing slashes are not part of the
		 * name (callers take the name up to the first '/'). */
		*last = path;
		while (**last == '/')
			(*last)++;
		free(copy);
		return xstrdup("");
	}
	*slash = '\0';
	*last = path + (slash + 1 - copy);
	return copy;
}

/* The parent directory of PATH below rootfd (missing ones created with parent_mode) as an
 * O_PATH fd; *last gets the last component ("" for the root), a copy owned through *to_free. */
static int open_parent(const struct mnt_ctx *m, int rootfd, const char *path, mode_t parent_mode,
		       const char **last, char **to_free)
{
	_cleanup_free_ char *parent = split_last(path, last);
	/* Copy the last component without trailing slashes for the caller. */
	size_t n = strcspn(*last, "/");
	char *name = xmalloc(n + 1);

	memcpy(name, *last, n);
	name[n] = '\0';
	*last = name;
	*to_free = name;
	return mount_mkdir_p(m, rootfd, parent, parent_mode, parent_mode, NULL);
}

/* A file mount point must not be a directory (bubblewrap: "Is a directory"). */
static int not_dir(int fd)
{
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	return fd;
}

int mount_touch_p(const struct mnt_ctx *m, int rootfd, const char *path, mode_t parent_mode,
		  bool *in_parents)
{
	int fd = mount_resolve(m, rootfd, path, true);

	if (in_parents)
		*in_parents = false;
	if (fd >= 0)
		return not_dir(fd);
	int err = errno;
	const char *last;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int pfd = open_parent(m, rootfd, path, parent_mode, &last, &name);
	if (pfd < 0) {
		if (in_parents)
			*in_parents = true;
		return -1;
	}
	if (err != ENOENT) {
		errno = err;
		return -1;
	}
	if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		errno = EISDIR;
		return -1;
	}
	/* An O_PATH dirfd cannot be written through, so open the parent for real first. */
	_cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	int f = openat(dfd, last, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		       0444);
	if (f < 0 && errno != EEXIST)
		return -1;
	if (f >= 0)
		close(f);
	return not_dir(mount_resolve(m, rootfd, path, true));
}

/* ---- mounting ---- */

/* ---- the fallback for recursive attributes ----
 *
 * Without mount_setattr(AT_RECURSIVE) every mount of a bound tree is changed by its own
 * remount, and a remount needs a path to the root of that mount. The tree is read from
 * /proc/self/mountinfo (mount ids, parent ids and mount points, octal-escaped), each mount is
 * reached from the top of the tree by a walk that follows nothing, and the walk's result must
 * be the mount listed (its mount id), so no string can lead the remount elsewhere. The tree
 * is then read again: it is done when every mount that can be reached shows the flags.
 * Any mount that cannot be reached or changed fails the launch, except one that is covered
 * (mountinfo_plan says why that one is safe to leave). */

static int fallback_remount_one(const struct mnt_ctx *m, int fd, unsigned attrs)
{
	char p[64];
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | attrs_to_ms(attrs);

	/* A remount in a user namespace must keep the flags the kernel locked on the mount
	 * (without them it fails; knowing them is not optional). */
	if (fstatvfs(fd, &sv) < 0)
		return -1;
	flags |= sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME |
			      ST_NODIRATIME | ST_RELATIME);
	return mount(NULL, mount_fd_path(m, fd, p, sizeof(p)), NULL, flags, NULL);
}

/* The mount id of fd: statx (5.8+), else its fdinfo (3.15+). -1 with errno. */
static int fallback_mount_id(const struct mnt_ctx *m, int fd)
{
	uint64_t id = mount_id(fd);
	char p[64];
	_cleanup_free_ char *buf = NULL;

	if (id > 0 && id <= INT_MAX)
		return (int)id;
	snprintf(p, sizeof(p), "%s/proc/self/fdinfo/%d", m->proc_prefix, fd);
	_cleanup_close_ int f = open(p, O_RDONLY | O_CLOEXEC);
	if (f < 0 || read_all_fd(f, &buf, NULL) < 0)
		return -1;
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		long v;

		if (strncmp(line, "mnt_id:", 7) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (parse_int(line + 7 + strspn(line + 7, " \t"), 0, INT_MAX, &v) < 0)
			break;
		return (int)v;
	}
	errno = ENOTSUP;
	return -1;
}

/* The mount at rel (a mount point as mountinfo gives it, made relative to fd's) below fd,
 * one component at a time, following no symlink: mountinfo's paths hold none, so a link on
 * the way means the tree is not what was read. The caller checks the mount id. */
static int fallback_walk(int fd, const char *rel)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	_cleanup_close_ int cur = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	char *save = NULL;

	if (cur < 0)
		return -1;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			errno = EINVAL;
			return -1;
		}
		int next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
	}
	return steal_fd(&cur);
}

/* Say which mount of the bound tree failed and why; the caller's message names the bind.
 * rel "": the tree as a whole. */
static void fallback_report(const char *rel, unsigned attrs, const char *why)
{
	char what[64];

	snprintf(what, sizeof(what), "%s%s%s%s", (attrs & HMNT_RDONLY) ? ", read-only" : "",
		 (attrs & HMNT_NOSUID) ? ", nosuid" : "", (attrs & HMNT_NODEV) ? ", nodev" : "",
		 (attrs & HMNT_NOEXEC) ? ", noexec" : "");
	if (*rel)
		warn(msg(MSG_BIND_SUBMOUNT_FLAGS), rel, what + 1, why);
	else
		warn(msg(MSG_BIND_FLAGS), what + 1, why);
}

static const char *plan_error(int err)
{
	switch (err) {
	case ENOENT:
		return "it is not in /proc/self/mountinfo";
	case EBUSY:
		return "another mount is stacked on it or under it at the same mount point";
	case EXDEV:
		return "a mount below it is not below its path";
	default:
		return "/proc/self/mountinfo is not understood";
	}
}

static int fallback_set_attrs_recursive(const struct mnt_ctx *m, int fd, unsigned attrs)
{
	char mi[64];
	int top = fallback_mount_id(m, fd);

	if (top < 0) {
		fallback_report("", attrs, "its mount id is unknown");
		return -1;
	}
	snprintf(mi, sizeof(mi), "%s/proc/self/mountinfo", m->proc_prefix);
	/* The first round changes what needs it and the second finds nothing left, unless a
	 * mount arrived meanwhile (propagated from the host); a tree that keeps changing
	 * fails. */
	for (int round = 0; round < 4; round++) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_free_ struct mountinfo_entry *ents = NULL;
		_cleanup_free_ struct mountinfo_todo *todo = NULL;
		size_t n = 0, ntodo = 0;
		_cleanup_close_ int f = open(mi, O_RDONLY | O_CLOEXEC);

		if (f < 0 || read_all_fd(f, &buf, NULL) < 0) {
			int err = errno;
			fallback_report("", attrs, "cannot read /proc/self/mountinfo");
			errno = err;
			return -1;
		}
		if (mountinfo_parse(buf, &ents, &n) < 0 ||
		    mountinfo_plan(ents, n, top, attrs, &todo, &ntodo) < 0) {
			int err = errno;
			fallback_report("", attrs, plan_error(err));
			errno = err;
			return -1;
		}
		if (ntodo == 0)
			return 0;
		for (size_t k = 0; k < ntodo; k++) {
			const char *rel = todo[k].rel;
			_cleanup_close_ int sub = *rel ? fallback_walk(fd, rel) : -1;
			int id = *rel ? (sub < 0 ? -1 : fallback_mount_id(m, sub)) : top;

			if (id >= 0 && id != todo[k].id) {
				fallback_report(rel, attrs, "another mount is there now");
				errno = ESTALE;
				return -1;
			}
			if (id < 0 || fallback_remount_one(m, *rel ? sub : fd, attrs) < 0) {
				int err = errno;
				fallback_report(rel, attrs, strerror(err));
				errno = err;
				return -1;
			}
		}
	}
	fallback_report("", attrs, "the mounts below it keep changing");
	errno = EBUSY;
	return -1;
}

int mount_set_attrs(const struct mnt_ctx *m, int fd, unsigned attrs, bool recursive)
{
	if (m->new_api) {
		struct hutch_mount_attr a = { .attr_set = attrs_to_mount_attr(attrs) };
		return (int)syscall(SYS_mount_setattr, fd, "",
				    AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a));
	}
	return recursive ? fallback_set_attrs_recursive(m, fd, attrs) :
			   fallback_remount_one(m, fd, attrs);
}

uint64_t mount_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

int mount_is_mount_root(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0 ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -1;
	return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

int mount_clone_tree(const struct mnt_ctx *m, int src_fd, unsigned attrs)
{
	if (!m->new_api) {
		errno = ENOTSUP;
		return -1;
	}
	_cleanup_close_ int tree =
		(int)syscall(SYS_open_tree, src_fd, "",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return -1;
	/* Flags go on the detached copy first, so the tree is never visible writable or suid,
	 * and AT_RECURSIVE reaches every submount in one call. */
	if (attrs && mount_set_attrs(m, tree, attrs, true) < 0)
		return -1;
	return steal_fd(&tree);
}

int mount_attach_tree(const struct mnt_ctx *m, int tree, int dirfd, const char *name)
{
	if (!m->new_api) {
		errno = ENOTSUP;
		return -1;
	}
	/* Without MOVE_MOUNT_T_SYMLINKS and MOVE_MOUNT_T_AUTOMOUNTS the lookup of name follows
	 * neither a symlink nor an automount (move_mount(2)). */
	if (name)
		return (int)syscall(SYS_move_mount, tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH);
	return (int)syscall(SYS_move_mount, tree, "", dirfd, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int mount_bind_at(const struct mnt_ctx *m, int src_fd, int dirfd, const char *name, unsigned attrs)
{
	char sp[64];

	if (m->new_api) {
		_cleanup_close_ int tree = mount_clone_tree(m, src_fd, attrs);
		if (tree < 0 || mount_attach_tree(m, tree, dirfd, name) < 0)
			return -1;
		return steal_fd(&tree);
	}
	if (!m->stage) {
		errno = ENOTSUP;
		return -1;
	}
	/* Bind at the stage (a directory or a file, like the source), set the flags there, then
	 * move into place. */
	struct stat st;
	if (fstat(src_fd, &st) < 0)
		return -1;
	_cleanup_close_ int opened = -1;
	int dest_fd = fallback_dest(dirfd, name, &opened);
	if (dest_fd < 0)
		return -1;
	const char *at = S_ISDIR(st.st_mode) ? m->stage : m->stage_file;
	if (mount(mount_fd_path(m, src_fd, sp, sizeof(sp)), at, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	_cleanup_close_ int staged = open(at, O_PATH | O_CLOEXEC);
	if (staged < 0 || (attrs && fallback_set_attrs_recursive(m, staged, attrs) < 0)) {
		int e = errno;
		umount2(at, MNT_DETACH);
		errno = e;
		return -1;
	}
	return stage_move(m, at, dest_fd);
}

static int fsconfig_options(int fsfd, const char *options)
{
	if (!options)
		return 0;
	_cleanup_free_ char *copy = xstrdup(options);
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		if (syscall(SYS_fsconfig, fsfd, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, kv,
			    eq ? eq + 1 : NULL, 0) < 0)
			return -1;
	}
	return 0;
}

/* enum fsconfig_command's FSCONFIG_SET_FD, which libc may declare or not. */
#define HUTCH_FSCONFIG_SET_FD 5

int mount_new_overlay(const struct mnt_ctx *m, const int *lower, unsigned n, int upper, int work,
		      int dirfd, const char *name, unsigned attrs, bool *unsupported)
{
	*unsupported = !m->new_api;
	if (!m->new_api)
		return -1;
	_cleanup_close_ int fsfd = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0 ||
	    syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return -1;
	/* A path through /proc/self/fd costs the kernel a walk through proc for each layer
	 * (~5 us); an fd is taken as it is. Any refusal here is a kernel without fd layers (a
	 * bad layer fails the same way as a path, with the caller's message). */
	for (unsigned j = n; j-- > 0;)
		if (syscall(SYS_fsconfig, fsfd, HUTCH_FSCONFIG_SET_FD, "lowerdir+", NULL,
			    lower[j]) < 0) {
			*unsupported = true;
			return -1;
		}
	if (upper >= 0 &&
	    (syscall(SYS_fsconfig, fsfd, HUTCH_FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
	     syscall(SYS_fsconfig, fsfd, HUTCH_FSCONFIG_SET_FD, "workdir", NULL, work) < 0)) {
		*unsupported = true;
		return -1;
	}
	/* Needed in a user namespace: trusted.* xattrs are out of reach there. */
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
	    syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	_cleanup_close_ int mfd =
		(int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, attrs_to_mount_attr(attrs));
	if (mfd < 0)
		return -1;
	if (dirfd >= 0 && mount_attach_tree(m, mfd, dirfd, name) < 0)
		return -1;
	return steal_fd(&mfd);
}

int mount_new_fs(const struct mnt_ctx *m, const char *fstype, const char *source,
		 const char *options, const char *label, int dirfd, const char *name,
		 unsigned attrs)
{
	if (m->new_api) {
		_cleanup_close_ int fsfd = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
		if (fsfd < 0)
			return -1;
		if (source &&
		    syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
			return -1;
		if (fsconfig_options(fsfd, options) < 0)
			return -1;
		/* One string, never split: a comma in a label (MLS categories) stays in it. */
		if (label &&
		    syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "context", label, 0) < 0)
			return -1;
		if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return -1;
		_cleanup_close_ int mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC,
						       attrs_to_mount_attr(attrs));
		if (mfd < 0)
			return -1;
		if (dirfd >= 0 && mount_attach_tree(m, mfd, dirfd, name) < 0)
			return -1;
		return steal_fd(&mfd);
	}
	if (dirfd < 0 || !m->stage) {
		errno = ENOTSUP;
		return -1;
	}
	_cleanup_close_ int opened = -1;
	int dest_fd = fallback_dest(dirfd, name, &opened);
	if (dest_fd < 0)
		return -1;
	/* mount(2) takes one string: the label goes in double quotes, which the LSM's option
	 * parser honours, so its commas stay in it (the parser refuses labels with quotes). */
	_cleanup_free_ char *data = !label  ? NULL :
				    options ? xasprintf("%s,context=\"%s\"", options, label) :
					      xasprintf("context=\"%s\"", label);
	if (mount(source ? source : fstype, m->stage, fstype, attrs_to_ms(attrs),
		  data ? data : options) < 0)
		return -1;
	return stage_move(m, m->stage, dest_fd);
}

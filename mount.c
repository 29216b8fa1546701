/* mount: fd-based path resolution and mount primitives with a fallback.
 *
 * New kernels (5.12+): openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) resolves every
 * destination below the new root, open_tree(OPEN_TREE_CLONE | AT_RECURSIVE) clones a host
 * tree into a detached mount, mount_setattr(AT_RECURSIVE) sets its flags on every submount
 * at once, and move_mount() attaches it to an fd: no path string is ever looked up twice and
 * /proc/self/mountinfo is never read. See openat2(2), open_tree(2), mount_setattr(2).
 *
 * Fallback (older kernels, or HUTCH_TEST_FALLBACK=1): the same resolution done in user space
 * one component at a time with O_PATH|O_NOFOLLOW and an fd stack for "..", and mount(2) on
 * "/proc/self/fd/N" of the resolved fd, so the target still cannot be swapped. */
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

static bool have_openat2, have_new_mount, have_setattr, force_attached;

void mount_probe(void)
{
	const char *force = getenv("HUTCH_TEST_FALLBACK");
	struct hutch_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd;

	if (force && strcmp(force, "1") == 0)
		return; /* everything false: fallback */
	force_attached = force && strcmp(force, "attached") == 0;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	have_openat2 = fd >= 0;
	if (fd >= 0)
		close(fd);
	/* mount_setattr (5.12) implies open_tree/move_mount/fsopen (5.2). An invalid call tells
	 * ENOSYS apart from EINVAL/EBADF without side effects. */
	have_setattr = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
	have_new_mount = have_setattr;
}

bool mount_have_new_api(void)
{
	return have_new_mount;
}

bool mount_may_build_detached(void)
{
	return have_new_mount && !force_attached;
}

static const char *proc_prefix = "";
static const char *stage, *stage_file;

void mount_set_stage(const char *dir, const char *file)
{
	stage = dir;
	stage_file = file;
}

/* Fallback: move the mount staged at `stage` onto dest_fd; returns its fd. */
static int stage_move(const char *at, int dest_fd)
{
	char dp[64];
	int top = open(at, O_PATH | O_CLOEXEC);

	if (top < 0)
		return -1;
	if (mount(at, mount_fd_path(dest_fd, dp, sizeof(dp)), NULL, MS_MOVE, NULL) < 0) {
		int e = errno;
		umount2(at, MNT_DETACH);
		close(top);
		errno = e;
		return -1;
	}
	return top;
}

void mount_set_proc_prefix(const char *prefix)
{
	proc_prefix = prefix;
}

const char *mount_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "%s/proc/self/fd/%d", proc_prefix, fd);
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
static int resolve_fallback(int rootfd, const char *path, bool follow_last)
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
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n < 0) {
				err = errno;
				goto out;
			}
			target[n] = '\0';
			if (++links > MAX_SYMLINKS) {
				err = ELOOP;
				goto out;
			}
			/* New work = target + "/" + rest. */
			char *rest = work + pos;
			char *nw = xasprintf("%s/%s", target, rest);
			free(work);
			work = nw;
			worklen = strlen(work);
			pos = 0;
			if (target[0] == '/')
				while (depth > 1)
					close(stack[--depth]);
			continue;
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

int mount_resolve(int rootfd, const char *path, bool follow_last)
{
	const char *p = path;

	while (*p == '/')
		p++;
	if (*p == '\0')
		p = ".";
	if (!have_openat2)
		return resolve_fallback(rootfd, p, follow_last);
	struct hutch_open_how how = {
		.flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (int tries = 0;; tries++) {
		int fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
		/* EAGAIN: a concurrent rename raced the ".." check; the kernel asks us to retry. */
		if (fd >= 0 || errno != EAGAIN || tries > 32)
			return fd;
	}
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

static char *split_last(const char *path, const char **last);

/* Bottom-up: the common cases (the directory exists; only its last component is missing)
 * cost one or three lookups. Every mkdirat acts on a resolved parent fd with a single name,
 * which nothing can redirect (a symlink planted at that name gives EEXIST). Only a missing
 * name is made: nothing that exists is changed. A failure is looked at again from the parent
 * (only then, so the common cases pay nothing), to tell the parents' from the last name's. */
int mount_mkdir_p(int rootfd, const char *path, mode_t parent_mode, mode_t mode, bool *in_parents)
{
	int fd = mount_resolve(rootfd, path, true);

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
	_cleanup_close_ int pfd = mount_mkdir_p(rootfd, parent, parent_mode, parent_mode, NULL);
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
	return check_dir(mount_resolve(rootfd, path, true));
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

int mount_open_parent(int rootfd, const char *path, mode_t parent_mode, const char **last,
		      char **to_free)
{
	_cleanup_free_ char *parent = split_last(path, last);
	/* Copy the last component without trailing slashes for the caller. */
	size_t n = strcspn(*last, "/");
	char *name = xmalloc(n + 1);

	memcpy(name, *last, n);
	name[n] = '\0';
	*last = name;
	*to_free = name;
	return mount_mkdir_p(rootfd, parent, parent_mode, parent_mode, NULL);
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

int mount_touch_p(int rootfd, const char *path, mode_t parent_mode, bool *in_parents)
{
	int fd = mount_resolve(rootfd, path, true);

	if (in_parents)
		*in_parents = false;
	if (fd >= 0)
		return not_dir(fd);
	int err = errno;
	const char *last;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int pfd = mount_open_parent(rootfd, path, parent_mode, &last, &name);
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
	return not_dir(mount_resolve(rootfd, path, true));
}

/* ---- mounting ---- */

/* Fallback for recursive attributes: remount every mount below fd, found by mount id in
 * /proc/self/mountinfo and reopened relative to fd (never by absolute path). */
static int fallback_remount_one(int fd, unsigned attrs)
{
	char p[64];
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | attrs_to_ms(attrs);

	/* A remount in a user namespace must keep the flags the kernel locked on the mount. */
	if (fstatvfs(fd, &sv) == 0)
		flags |= sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME |
				      ST_NODIRATIME | ST_RELATIME);
	return mount(NULL, mount_fd_path(fd, p, sizeof(p)), NULL, flags, NULL);
}

static int mnt_id_of(int fd)
{
	char p[64], *buf = NULL;
	int id = -1;

	snprintf(p, sizeof(p), "%s/proc/self/fdinfo/%d", proc_prefix, fd);
	int f = open(p, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	if (read_all_fd(f, &buf, NULL) == 0) {
		char *m = strstr(buf, "mnt_id:");
		if (m)
			id = atoi(m + 7);
	}
	free(buf);
	close(f);
	return id;
}

static int fallback_set_attrs_recursive(int fd, unsigned attrs)
{
	if (fallback_remount_one(fd, attrs) < 0)
		return -1;
	int top = mnt_id_of(fd);
	char mi[64];
	snprintf(mi, sizeof(mi), "%s/proc/self/mountinfo", proc_prefix);
	int f = open(mi, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	if (top < 0 || f < 0 || read_all_fd(f, &buf, NULL) < 0) {
		if (f >= 0)
			close(f);
		return top < 0 ? 0 : -1;
	}
	close(f);
	/* Collect (id, parent, mountpoint); mountpoints of descendants are turned into paths
	 * relative to the top mount's mountpoint. Mountinfo lists parents before children. */
	struct ent {
		int id, parent;
		char *mp;
		bool under;
	} *ents = NULL;
	size_t n = 0, cap = 0;
	char *top_mp = NULL;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		int id, parent;
		char mp[PATH_MAX];
		if (sscanf(line, "%d %d %*s %*s %4095s", &id, &parent, mp) != 3)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = xrealloc(ents, cap * sizeof(*ents));
		}
		ents[n] = (struct ent){ id, parent, xstrdup(mp), id == top };
		if (id == top)
			top_mp = ents[n].mp;
		n++;
	}
	int ret = 0;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n && !ents[i].under; j++)
				if (ents[j].under && ents[j].id == ents[i].parent &&
				    ents[i].id != top) {
					ents[i].under = changed = true;
				}
	}
	size_t toplen = top_mp ? strlen(top_mp) : 0;
	for (size_t i = 0; i < n && top_mp; i++) {
		if (!ents[i].under || ents[i].id == top)
			continue;
		const char *rel =
			ents[i].mp + (strncmp(ents[i].mp, top_mp, toplen) == 0 ? toplen : 0);
		int sub = mount_resolve(fd, rel, false);
		if (sub < 0)
			continue; /* covered or gone: nothing reachable to protect */
		if (fallback_remount_one(sub, attrs) < 0 && errno != EACCES)
			ret = -1;
		close(sub);
	}
	for (size_t i = 0; i < n; i++)
		free(ents[i].mp);
	free(ents);
	free(buf);
	return ret;
}

int mount_set_attrs(int fd, unsigned attrs, bool recursive)
{
	if (have_setattr) {
		struct hutch_mount_attr a = { .attr_set = attrs_to_mount_attr(attrs) };
		return (int)syscall(SYS_mount_setattr, fd, "",
				    AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a));
	}
	return recursive ? fallback_set_attrs_recursive(fd, attrs) :
			   fallback_remount_one(fd, attrs);
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

int mount_clone_tree(int src_fd, unsigned attrs)
{
	if (!have_new_mount) {
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
	if (attrs && mount_set_attrs(tree, attrs, true) < 0)
		return -1;
	return steal_fd(&tree);
}

int mount_attach_tree(int tree, int dirfd, const char *name)
{
	/* Without MOVE_MOUNT_T_SYMLINKS and MOVE_MOUNT_T_AUTOMOUNTS the lookup of name follows
	 * neither a symlink nor an automount (move_mount(2)). */
	if (name)
		return (int)syscall(SYS_move_mount, tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH);
	return (int)syscall(SYS_move_mount, tree, "", dirfd, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int mount_bind_fd(int src_fd, int dest_fd, unsigned attrs)
{
	char sp[64];

	if (have_new_mount) {
		_cleanup_close_ int tree = mount_clone_tree(src_fd, attrs);
		if (tree < 0 || mount_attach_tree(tree, dest_fd, NULL) < 0)
			return -1;
		return steal_fd(&tree);
	}
	if (!stage) {
		errno = ENOTSUP;
		return -1;
	}
	/* Bind at the stage (a directory or a file, like the source), set the flags there, then
	 * move into place. */
	struct stat st;
	if (fstat(src_fd, &st) < 0)
		return -1;
	const char *at = S_ISDIR(st.st_mode) ? stage : stage_file;
	if (mount(mount_fd_path(src_fd, sp, sizeof(sp)), at, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	_cleanup_close_ int staged = open(at, O_PATH | O_CLOEXEC);
	if (staged < 0 || (attrs && fallback_set_attrs_recursive(staged, attrs) < 0)) {
		int e = errno;
		umount2(at, MNT_DETACH);
		errno = e;
		return -1;
	}
	return stage_move(at, dest_fd);
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

int mount_new_fs(const char *fstype, const char *source, const char *options, int dest_fd,
		 unsigned attrs)
{
	if (have_new_mount) {
		_cleanup_close_ int fsfd = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
		if (fsfd < 0)
			return -1;
		if (source &&
		    syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
			return -1;
		if (fsconfig_options(fsfd, options) < 0)
			return -1;
		if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return -1;
		_cleanup_close_ int mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC,
						       attrs_to_mount_attr(attrs));
		if (mfd < 0)
			return -1;
		if (dest_fd >= 0 && mount_attach_tree(mfd, dest_fd, NULL) < 0)
			return -1;
		return steal_fd(&mfd);
	}
	if (dest_fd < 0 || !stage) {
		errno = ENOTSUP;
		return -1;
	}
	if (mount(source ? source : fstype, stage, fstype, attrs_to_ms(attrs), options) < 0)
		return -1;
	return stage_move(stage, dest_fd);
}

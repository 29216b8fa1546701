/* mount: fd-based path resolution and mount primitives (open_tree, move_mount, fsopen,
 * mount_setattr, openat2) with a fallback of equal safety. Called by the setup child. */
#ifndef HUTCH_MOUNT_H
#define HUTCH_MOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Mount attributes hutch sets, independent of the API that applies them. */
#define HMNT_RDONLY 0x1u
#define HMNT_NOSUID 0x2u
#define HMNT_NODEV  0x4u
#define HMNT_NOEXEC 0x8u

/* What the mount primitives know: the kernel's interfaces (mount_probe) and where the build
 * stands (the fields after them, which the build sets as it goes). Owned by its caller: the
 * root build (rootfs.c) has one, and so has the chdir after the pivot (process.c). */
struct mnt_ctx {
	bool openat2; /* openat2(2) with RESOLVE_IN_ROOT (5.6) */
	/* open_tree, move_mount, fsopen (5.2) and mount_setattr (5.12), used together */
	bool new_api;
	bool force_attached; /* test build only: build the root attached, as before 6.15 */
	/* Set by the build when its probe succeeded: the kernel attaches mounts inside a
	 * detached tree and clones a detached tree (6.15), so the build runs detached. */
	bool detached_trees;
	/* After the first pivot of the attached build the host's /proc is under "/oldroot":
	 * the prefix of every /proc path mount.c makes (mount_fd_path); "" otherwise. */
	const char *proc_prefix;
	/* Fallback only: a private empty directory and file (in the scratch root) where a new
	 * mount is made first, so it can be opened by name before MS_MOVE puts it in place;
	 * mounting straight onto "/proc/self/fd/N" would leave no way to open the new mount
	 * rather than the covered directory. NULL while there is no scratch root. */
	const char *stage, *stage_file;
};

/* Fill m: which kernel interfaces to use, no stage, no /proc prefix. In the test build only
 * (tests/hutch-test, compiled with HUTCH_TEST_HOOKS; never installed), HUTCH_TEST_FALLBACK=1 in
 * the environment forces the fallback (tests run every path on a new kernel) and
 * HUTCH_TEST_FALLBACK=attached keeps the new API but builds the root attached, as kernels
 * before 6.15 need. */
void mount_probe(struct mnt_ctx *m);
/* May the root be built as a detached tree (rootfs.c)? The new API, unless forced off. */
bool mount_may_build_detached(const struct mnt_ctx *m);

/* Resolve PATH (absolute or relative: both are taken below rootfd) to an O_PATH fd, never
 * leaving rootfd: ".." stops at it, absolute symlinks restart at it, magic links are not
 * followed. follow_last: follow a symlink in the last component. -1 with errno. */
int mount_resolve(const struct mnt_ctx *m, int rootfd, const char *path, bool follow_last);

/* The directory PATH below rootfd, reached following no link at all (ELOOP at the first one),
 * as an O_PATH fd; -1 with errno (ENOTDIR: not a directory). A path of plain names resolved
 * so is a straight descent from rootfd. */
int mount_resolve_plain_dir(const struct mnt_ctx *m, int rootfd, const char *path);

/* Resolve with mkdir -p semantics: missing parents are created with parent_mode and a missing
 * last component with mode (through mkdirat on a resolved parent, so never outside rootfd);
 * what exists is left as it is. Returns an O_PATH fd. On failure, *in_parents (may be NULL)
 * says whether it was a parent that could not be made or resolved. */
int mount_mkdir_p(const struct mnt_ctx *m, int rootfd, const char *path, mode_t parent_mode,
		  mode_t mode, bool *in_parents);

/* Ensure a mount point for a non-directory: missing parents created with parent_mode, then an
 * empty file (mode 0444) unless something exists there. Returns its O_PATH fd (following a
 * final symlink inside rootfd); *in_parents as for mount_mkdir_p. */
int mount_touch_p(const struct mnt_ctx *m, int rootfd, const char *path, mode_t parent_mode,
		  bool *in_parents);

/* Bind the tree at src_fd (an O_PATH fd of the host's, or a tree from mount_clone_tree) at
 * `name` below dirfd, or onto dirfd itself when name is NULL, recursively, with attrs applied
 * to every mount of the new tree. A name must be a single one, not "", "." or "..", and is
 * looked up without following a symlink or an automount there. Only a directory is bound by
 * name: the kernel puts a directory on a directory only, so it cannot land on a symlink
 * planted at the name (a file could). Returns an O_PATH fd of the new mount's root, -1 with
 * errno. */
int mount_bind_at(const struct mnt_ctx *m, int src_fd, int dirfd, const char *name, unsigned attrs);

/* New mount API only (ENOTSUP otherwise): a detached recursive copy of the tree at src_fd
 * with attrs on every mount of it. src_fd may itself be such a copy when the kernel clones
 * detached trees (m->detached_trees): the copy keeps the flags of the original. */
int mount_clone_tree(const struct mnt_ctx *m, int src_fd, unsigned attrs);
/* New mount API only: attach the detached tree at `name` below dirfd (or at dirfd itself
 * when name is NULL), looked up as for mount_bind_at. A tree that failed to attach can still
 * be attached elsewhere. */
int mount_attach_tree(const struct mnt_ctx *m, int tree, int dirfd, const char *name);

/* Mount a new filesystem of fstype at `name` below dirfd (a directory, looked up as for
 * mount_bind_at), or onto dirfd itself when name is NULL. options: "k=v,k=v" (may be NULL;
 * hutch's own words only, split at commas); label: an SELinux context= value, passed whole
 * (or NULL). Returns an O_PATH fd of the new mount's root, -1 errno. With dirfd -1 (new API
 * only) the mount stays detached. */
int mount_new_fs(const struct mnt_ctx *m, const char *fstype, const char *source,
		 const char *options, const char *label, int dirfd, const char *name,
		 unsigned attrs);

/* An overlay with its layers given as fds (FSCONFIG_SET_FD: "lowerdir+" in order, the top
 * layer first, "upperdir" and "workdir" when upper >= 0) and userxattr, mounted as by
 * mount_new_fs. *unsupported is set when the kernel takes no such layer fds (fds from 6.13,
 * O_PATH ones from 6.15) or there is no new mount API: nothing was made, and the caller passes
 * the layers as paths instead. */
int mount_new_overlay(const struct mnt_ctx *m, const int *lower, unsigned n, int upper, int work,
		      int dirfd, const char *name, unsigned attrs, bool *unsupported);

/* Add attrs to the mount at fd, and to every mount below it when recursive. Without
 * mount_setattr, recursive is for a tree that is alone at its mount point (EBUSY otherwise),
 * and fails (the errno of the first mount that could not be changed) unless every mount of
 * the tree that can be reached shows attrs afterwards. */
int mount_set_attrs(const struct mnt_ctx *m, int fd, unsigned attrs, bool recursive);

/* The mount id of fd (statx STATX_MNT_ID, 5.8+), or 0 when the kernel cannot tell. */
uint64_t mount_id(int fd);

/* Is fd the root of a mount? 1 yes, 0 no, -1 unknown (kernel before 5.8). */
int mount_is_mount_root(int fd);

/* "/proc/self/fd/N" (after m->proc_prefix) for fallbacks and chmod (buf of at least 64
 * bytes). */
const char *mount_fd_path(const struct mnt_ctx *m, int fd, char *buf, size_t len);

#endif

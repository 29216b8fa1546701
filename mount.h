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

/* Decide once which kernel interfaces to use. In the test build only (tests/hutch-test,
 * compiled with HUTCH_TEST_HOOKS; never installed), HUTCH_TEST_FALLBACK=1 in the environment
 * forces the fallback (tests run every path on a new kernel) and HUTCH_TEST_FALLBACK=attached
 * keeps the new API but builds the root attached, as kernels before 6.15 need. */
void mount_probe(void);
bool mount_have_new_api(void);
/* May the root be built as a detached tree (rootfs.c)? The new API, unless forced off. */
bool mount_may_build_detached(void);

/* Resolve PATH (absolute or relative: both are taken below rootfd) to an O_PATH fd, never
 * leaving rootfd: ".." stops at it, absolute symlinks restart at it, magic links are not
 * followed. follow_last: follow a symlink in the last component. -1 with errno. */
int mount_resolve(int rootfd, const char *path, bool follow_last);

/* Resolve with mkdir -p semantics: missing parents are created with parent_mode and a missing
 * last component with mode (through mkdirat on a resolved parent, so never outside rootfd);
 * what exists is left as it is. Returns an O_PATH fd. On failure, *in_parents (may be NULL)
 * says whether it was a parent that could not be made or resolved. */
int mount_mkdir_p(int rootfd, const char *path, mode_t parent_mode, mode_t mode, bool *in_parents);

/* Ensure a mount point for a non-directory: missing parents created with parent_mode, then an
 * empty file (mode 0444) unless something exists there. Returns its O_PATH fd (following a
 * final symlink inside rootfd); *in_parents as for mount_mkdir_p. */
int mount_touch_p(int rootfd, const char *path, mode_t parent_mode, bool *in_parents);

/* Open the parent directory of PATH below rootfd (missing ones created with parent_mode) and
 * return its O_PATH fd; *last points to the last component ("" for the root), a copy owned
 * through *to_free. */
int mount_open_parent(int rootfd, const char *path, mode_t parent_mode, const char **last,
		      char **to_free);

/* Bind the host tree at src_fd (an O_PATH fd) onto dest_fd, recursively, with attrs applied
 * to every mount of the new tree. Returns an O_PATH fd of the new mount's root, -1 errno. */
int mount_bind_fd(int src_fd, int dest_fd, unsigned attrs);

/* New mount API only (ENOTSUP otherwise): the two halves of mount_bind_fd. Clone the host
 * tree at src_fd into a detached recursive copy with attrs on every mount of it, returning its
 * fd; then attach that tree at `name` below dirfd, a single name that must not be "", "." or
 * ".." and is looked up without following a symlink or an automount there (or at dirfd
 * itself when name is NULL). The kernel refuses (EINVAL) to put a directory on anything but a
 * directory, so only a directory tree may be attached by name: a file tree could land on a
 * symlink. A tree that failed to attach can still be attached elsewhere. src_fd may also be
 * a tree from mount_clone_tree on kernels that can clone a detached tree (older ones say
 * EINVAL): the copy keeps the flags of the original. */
int mount_clone_tree(int src_fd, unsigned attrs);
int mount_attach_tree(int tree, int dirfd, const char *name);

/* Mount a new filesystem of fstype at dest_fd. options: "k=v,k=v" (may be NULL; hutch's own
 * words only, split at commas); label: an SELinux context= value, passed whole (or NULL).
 * Returns an O_PATH fd of the new mount's root, -1 errno. With dest_fd -1 (new API only) the
 * mount stays detached. */
int mount_new_fs(const char *fstype, const char *source, const char *options, const char *label,
		 int dest_fd, unsigned attrs);

/* Add attrs to the mount at fd, and to every mount below it when recursive. Without
 * mount_setattr, recursive is for a tree that is alone at its mount point (EBUSY otherwise),
 * and fails (the errno of the first mount that could not be changed) unless every mount of
 * the tree that can be reached shows attrs afterwards. */
int mount_set_attrs(int fd, unsigned attrs, bool recursive);

/* The mount id of fd (statx STATX_MNT_ID, 5.8+), or 0 when the kernel cannot tell. */
uint64_t mount_id(int fd);

/* Is fd the root of a mount? 1 yes, 0 no, -1 unknown (kernel before 5.8). */
int mount_is_mount_root(int fd);

/* "/proc/self/fd/N" for fallbacks and chmod (buf of at least 64 bytes). After the first
 * pivot the host's /proc is under a prefix ("/oldroot"): mount_set_proc_prefix says so. */
const char *mount_fd_path(int fd, char *buf, size_t len);
void mount_set_proc_prefix(const char *prefix);

/* Fallback only: a private empty directory (in the scratch root) where a new mount is made
 * first, so it can be opened by name before MS_MOVE puts it in place; mounting straight onto
 * "/proc/self/fd/N" would leave no way to open the new mount rather than the covered dir. */
void mount_set_stage(const char *dir, const char *file);

#endif

/* rootfs: build the new root on an empty tmpfs from the setup operations, then pivot.
 *
 * The sandbox is built on a tmpfs (the base). A private scratch tmpfs, made when first needed,
 * holds --bind-data's files and --tmp-overlay's layers. Nothing is ever looked up through the
 * sandbox's tree by name: every destination resolves below the new root's fd (mount.c:
 * RESOLVE_IN_ROOT, so a planted link to a host path stays inside), every host source below
 * the host root's fd, and every mount is attached through those fds.
 *
 * Detached (Linux 6.15+, which attaches mounts inside a detached tree): the base and the
 * scratch stay detached from every namespace while the operations run, so no host lookup and
 * no recursive bind of a host tree can meet them. At the end the base goes onto a host
 * directory, one pivot_root(".", ".") from the new root puts the host on top of it, and the
 * detach removes the host. One pivot_root: each walks every thread of the system
 * (chroot_fs_refs), which is most of a launch on a busy desktop.
 *
 * Attached (older kernels, the fallback without the new API, and --remount-ro, which the
 * kernel refuses inside a detached tree): the scratch is stacked on "/" and becomes the root
 * by a first pivot_root, the host moving to its /oldroot and the base to its /newroot; at the
 * end the host is detached, pivot_root(".", ".") makes the new root "/" and the scratch is
 * detached. A detached build switches to this at any point (enter_scratch). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount.h"
#include "rootfs.h"
#include "util.h"

struct build {
	const struct rootfs_plan *plan;
	int hostfd;	 /* the host's root (at /oldroot of the scratch once attached) */
	int basefd;	 /* root of the base tmpfs */
	int scratchfd;	 /* the scratch root (a real dir fd), made when first needed (scratch()) */
	int scratch_mnt; /* the scratch mount: detached (new API), or stacked on "/" (fallback) */
	bool attached;	 /* the scratch is the root: the attached build (see the top) */
	/* Sources under /proc and /dev, resolved before any operation (resolve_magic_sources):
	 * the absolute path given, and the object it named then (or why there was none). */
	struct {
		char *given;
		int fd;
		int err;
	} * magic;
	unsigned nmagic;
	unsigned ndata;
	int rootfd; /* what "/" of the sandbox is now (changes when something is mounted on /) */
	struct stat root_st; /* ... and its identity, to recognise a destination that is "/" */
	/* The parent directory of the last bind's destination, as given and as an fd: the next
	 * bind into the same directory skips the walk from the root. Only binds into that same
	 * directory under a plain name keep it (they cannot change what the path resolves to);
	 * every other operation drops it first. */
	char *pc_path;
	int pc_fd;
	bool dest_cached; /* the last destination came from the cache: a plain name, not "/" */
	/* The source of the last plain bind, as given, with its fd and type: the next bind of
	 * the same source skips the walk and the stat. Operations change nothing of the host's
	 * tree that a resolved source depends on: mounts land on copies of the host's mounts
	 * (slaves or private here, so nothing propagates back), and binds create at most new
	 * names. Other operations can write host directories through a bind (--symlink, --dir,
	 * --chmod...), so, as for the parent cache, any operation but a plain bind drops it. */
	char *sc_src;
	int sc_fd;
	mode_t sc_mode;
	bool sc_again; /* the cached source was bound before */
	/* Part of the source cache: from the second bind of the source on, a detached copy of
	 * its tree with sc_tree_attrs on every mount. Binds of it with the same flags clone this
	 * copy, which keeps them, instead of cloning the host's tree and setting them again. */
	int sc_tree;
	unsigned sc_tree_attrs;
	bool no_tree_clone; /* the kernel cannot clone a detached tree (EINVAL) */
};

static void parent_cache_drop(struct build *b)
{
	if (b->pc_fd >= 0)
		close(b->pc_fd);
	b->pc_fd = -1;
	free(b->pc_path);
	b->pc_path = NULL;
}

static void source_cache_drop(struct build *b)
{
	if (b->sc_fd >= 0)
		close(b->sc_fd);
	b->sc_fd = -1;
	if (b->sc_tree >= 0)
		close(b->sc_tree);
	b->sc_tree = -1;
	free(b->sc_src);
	b->sc_src = NULL;
}

/* Is n a plain name: not "", ".", "..", nor longer than a name can be? */
static bool plain_name(const char *n)
{
	return *n && strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strlen(n) <= NAME_MAX;
}

/* Split dest into a parent string (owned by the caller) and a plain last name; NULL when the
 * last component is not a plain name ("", ".", "..", or trailing slashes). */
static char *split_plain(const char *dest, const char **name)
{
	const char *slash = strrchr(dest, '/');
	const char *n = slash ? slash + 1 : dest;

	if (!plain_name(n))
		return NULL;
	*name = n;
	return slash ? strndup(dest, (size_t)(slash - dest)) : xstrdup("");
}

/* The last name of dest when its parent, spelled as given, is the cached directory's, and
 * that name is plain; NULL otherwise. (split_plain's test, without copying.) */
static const char *cached_name(const struct build *b, const char *dest)
{
	const char *slash = strrchr(dest, '/');
	const char *n = slash ? slash + 1 : dest;
	size_t len = slash ? (size_t)(slash - dest) : 0;

	if (b->pc_fd < 0 || !plain_name(n) || strlen(b->pc_path) != len ||
	    memcmp(b->pc_path, dest, len) != 0)
		return NULL;
	return n;
}

/* The cached fast path: a single-name lookup below the cached parent, never following a
 * symlink (those take the slow path, which follows them inside the root). */
static int dest_from_cache(struct build *b, const struct setup_op *op, bool dir, mode_t mode)
{
	const char *name = cached_name(b, op->dest);

	if (!name)
		return -1;
	if (dir) {
		/* Make it first: a new name is the common case, and looking a missing name up
		 * costs about as much as making it. Whatever mkdirat says (EEXIST, or a failure
		 * the slow path reports), the open decides: O_DIRECTORY | O_NOFOLLOW opens a
		 * directory at that name and nothing else, never through a link. */
		(void)mkdirat(b->pc_fd, name, mode);
		return openat(b->pc_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	for (int tries = 0; tries < 2; tries++) {
		struct stat st;
		int fd = openat(b->pc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
				return fd;
			close(fd);
			return -1;
		}
		if (errno != ENOENT || tries)
			return -1;
		_cleanup_close_ int d = openat(b->pc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int f = d < 0 ? -1 :
				openat(d, name,
				       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC |
					       O_NOCTTY,
				       0444);
		if (f < 0 && errno != EEXIST)
			return -1;
		if (f >= 0)
			close(f);
	}
	return -1;
}

static void parent_cache_fill(struct build *b, const struct setup_op *op)
{
	const char *name;
	char *parent = split_plain(op->dest, &name);

	parent_cache_drop(b);
	if (!parent)
		return;
	b->pc_fd = mount_resolve(b->rootfd, parent, true);
	if (b->pc_fd < 0)
		free(parent);
	else
		b->pc_path = parent;
}

/* May op use (and keep) the parent cache? Binds into the cached directory only. */
static bool parent_cache_keeps(const struct build *b, const struct setup_op *op)
{
	switch (op->type) {
	case SETUP_BIND:
	case SETUP_RO_BIND:
	case SETUP_DEV_BIND:
	case SETUP_BIND_FD:
	case SETUP_RO_BIND_FD:
	case SETUP_BIND_DATA:
	case SETUP_RO_BIND_DATA:
		break;
	default:
		return false;
	}
	return cached_name(b, op->dest) != NULL;
}

/* May op keep the source cache? Plain binds only: they resolve their source the same way. */
static bool source_cache_keeps(const struct setup_op *op)
{
	return op->type == SETUP_BIND || op->type == SETUP_RO_BIND || op->type == SETUP_DEV_BIND;
}

static void set_root(struct build *b, int fd)
{
	if (b->rootfd >= 0)
		close(b->rootfd);
	b->rootfd = fd;
	if (fstat(fd, &b->root_st) < 0)
		die_errno("fstat /");
}

/* Host paths resolve below the host root, so absolute symlinks on the host mean what they
 * mean there; relative paths are taken from the caller's working directory. */
static int open_host(struct build *b, const char *path)
{
	_cleanup_free_ char *abs = NULL;

	if (path[0] != '/' && b->plan->caller_cwd)
		path = abs = xasprintf("%s/%s", b->plan->caller_cwd, path);
	for (unsigned i = 0; i < b->nmagic; i++)
		if (strcmp(b->magic[i].given, path) == 0) {
			if (b->magic[i].fd < 0) {
				errno = b->magic[i].err;
				return -1;
			}
			return fcntl(b->magic[i].fd, F_DUPFD_CLOEXEC, 3);
		}
	return mount_resolve(b->hostfd, path, true);
}

/* The source of a bind or an overlay as an absolute path under /proc or /dev (the keys of
 * b->magic, owned by the caller), or NULL. */
static char *magic_candidate(const struct build *b, const struct setup_op *op)
{
	char *abs;

	if (op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD)
		return xasprintf("/proc/self/fd/%d", op->fd);
	if (op->type == SETUP_SYMLINK || !op->src)
		return NULL;
	if (op->src[0] == '/' || !b->plan->caller_cwd)
		abs = xstrdup(op->src);
	else
		abs = xasprintf("%s/%s", b->plan->caller_cwd, op->src);
	if (strncmp(abs, "/proc/", 6) == 0 || strncmp(abs, "/dev/", 5) == 0)
		return abs;
	free(abs);
	return NULL;
}

/* Sources under /proc and /dev may pass through magic links (/proc/self/fd/N, /dev/stdin,
 * /proc/self/ns/user, /proc/PID/root), which the resolver of every other path refuses. They
 * are resolved as bubblewrap resolves them: here, in the setup child after the namespaces
 * were made (so "self" is this process, in the sandbox's new user and PID namespaces, and its
 * fds are the caller's), through the host's /proc, before the first pivot and before any
 * operation, so nothing an operation or the sandbox does can redirect them. Sources are the
 * caller's choice, never the sandbox's. First realpath(3): a link to a path (an fd of the
 * caller, /proc/PID/root) becomes that path, resolved now below the host root (the caller's
 * fd itself points into the caller's mount namespace, which cannot be bound from here). A
 * link to no path (a namespace, "user:[4026531837]") makes realpath fail with ENOENT; then,
 * as bubblewrap binds the path itself, the kernel follows the link: open(O_PATH). In the bwrap
 * face only a -try source gets that far, as in bubblewrap (which stops at the failed realpath
 * otherwise); a -try source that is not there at all is skipped at its operation. */
static void resolve_magic_sources(struct build *b)
{
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next) {
		char *given = magic_candidate(b, op);
		const char *shown = op->src ? op->src : given;
		bool may_miss = op->flags & SETUP_FLAG_ALLOW_MISSING;
		int fd = -1, err = 0;

		if (!given)
			continue;
		char *real = realpath(given, NULL);
		if (real && strcmp(real, given) == 0) {
			free(real);
			free(given);
			continue; /* no link on the way: resolved at its operation like any path */
		}
		if (real) {
			fd = mount_resolve(b->hostfd, real, true);
			err = errno;
			free(real);
		} else {
			err = errno;
			if (err != ENOENT || (face->id == FACE_BWRAP && !may_miss))
				die_errno(FACE_MSG("cannot find source '%s' (--%s)",
						   "Can't find source path %s%.0s"),
					  shown, op->option);
			fd = open(given, O_PATH | O_CLOEXEC);
			err = errno;
			if (fd < 0 && !(err == ENOENT && may_miss))
				die_errno(FACE_MSG("cannot find source '%s' (--%s)",
						   "Can't get type of source %s%.0s"),
					  shown, op->option);
		}
		b->magic = xrealloc(b->magic, (b->nmagic + 1) * sizeof(*b->magic));
		b->magic[b->nmagic].given = given;
		b->magic[b->nmagic].fd = fd;
		b->magic[b->nmagic].err = err;
		b->nmagic++;
	}
}

static void magic_sources_close(struct build *b)
{
	for (unsigned i = 0; i < b->nmagic; i++) {
		if (b->magic[i].fd >= 0)
			close(b->magic[i].fd);
		free(b->magic[i].given);
	}
	free(b->magic);
	b->magic = NULL;
	b->nmagic = 0;
}

/* The mount mnt landed on dest_fd; if dest was the root itself, the root is now that
 * mount (a copy of the fd: the caller keeps mnt). */
static void adopt_mount(struct build *b, int dest_fd, int mnt)
{
	struct stat st;

	if (b->dest_cached)
		return; /* a plain name below a directory is never "/" */
	if (fstat(dest_fd, &st) == 0 && st.st_dev == b->root_st.st_dev &&
	    st.st_ino == b->root_st.st_ino) {
		int fd = fcntl(mnt, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			die_errno("cannot duplicate the root fd");
		set_root(b, fd);
	}
}

static void chmod_fd(int fd, int mode, const struct setup_op *op)
{
	char p[64];

	/* fchmod does not work on O_PATH fds; the magic link acts on the same inode. */
	if (chmod(mount_fd_path(fd, p, sizeof(p)), (mode_t)mode) < 0)
		die_errno(FACE_MSG("cannot chmod %03o '%s' (--%s)", "Can't chmod %#o %s%.0s"), mode,
			  op->dest, op->option);
}

/* The mode of the parent directories an operation creates, bubblewrap's rule: 0755, less the
 * group or the other bits where the operation's own mode (its --perms, else its default) gives
 * that class no access. Operations without a mode count as 0, so the parents of binds, links,
 * proc, dev, mqueue and overlays are 0700: nothing new on a bound host tree is open to others
 * unless the caller's mode says so. */
static mode_t parent_mode(const struct setup_op *op)
{
	int perms = op->perms;
	mode_t mode = 0755;

	if (perms == SETUP_PERMS_UNSET) {
		switch (op->type) {
		case SETUP_DIR:
		case SETUP_TMPFS:
			perms = 0755;
			break;
		case SETUP_FILE:
			perms = 0666;
			break;
		case SETUP_BIND_DATA:
		case SETUP_RO_BIND_DATA:
			perms = 0600;
			break;
		default:
			perms = 0;
		}
	}
	if (!(perms & 070))
		mode &= ~(mode_t)050;
	if (!(perms & 07))
		mode &= ~(mode_t)05;
	return mode;
}

static noreturn void die_parents(const struct setup_op *op)
{
	die_errno(FACE_MSG("cannot create the parent directories of '%s' (--%s)",
			   "Can't mkdir parents for %s%.0s"),
		  op->dest, op->option);
}

/* The directory at op's destination, made with mode if missing (an existing one is left as it
 * is, whatever mode it has: bubblewrap's --dir, and the host's own directories through binds
 * are never changed). */
static int dest_dir(struct build *b, const struct setup_op *op, mode_t mode)
{
	int fd = dest_from_cache(b, op, true, mode);
	bool in_parents;

	b->dest_cached = fd >= 0;
	if (fd >= 0)
		return fd;
	fd = mount_mkdir_p(b->rootfd, op->dest, parent_mode(op), mode, &in_parents);
	if (fd < 0 && in_parents)
		die_parents(op);
	if (fd < 0)
		die_errno(FACE_MSG("cannot create directory '%s' (--%s)", "Can't mkdir %s%.0s"),
			  op->dest, op->option);
	return fd;
}

static int dest_file(struct build *b, const struct setup_op *op)
{
	int fd = dest_from_cache(b, op, false, 0);
	bool in_parents;

	b->dest_cached = fd >= 0;
	if (fd >= 0)
		return fd;
	fd = mount_touch_p(b->rootfd, op->dest, parent_mode(op), &in_parents);
	if (fd < 0 && in_parents)
		die_parents(op);
	if (fd < 0)
		die_errno(FACE_MSG("cannot create mount point '%s' (--%s)",
				   "Can't create file at %s%.0s"),
			  op->dest, op->option);
	return fd;
}

static mode_t source_mode(const struct setup_op *op, int src_fd)
{
	struct stat st;

	if (fstat(src_fd, &st) < 0)
		die_errno(FACE_MSG("cannot stat source '%s' (--%s)", "Can't stat %s%.0s"),
			  op->src ? op->src : "fd", op->option);
	return st.st_mode;
}

/* A detached copy of the tree at src_fd with attrs. The cached source, bound again with the same
 * flags, is copied from its own detached copy (one open_tree, no mount_setattr); a kernel that
 * cannot clone a detached tree says EINVAL once and the host's tree is cloned from then on. */
static int clone_source(struct build *b, int src_fd, unsigned attrs)
{
	if (src_fd != b->sc_fd || !b->sc_again || b->no_tree_clone)
		return mount_clone_tree(src_fd, attrs);
	if (b->sc_tree < 0 || b->sc_tree_attrs != attrs) {
		if (b->sc_tree >= 0)
			close(b->sc_tree);
		b->sc_tree = mount_clone_tree(src_fd, attrs);
		b->sc_tree_attrs = attrs;
		if (b->sc_tree < 0)
			return -1;
	}
	int tree = mount_clone_tree(b->sc_tree, 0);
	if (tree >= 0 || errno != EINVAL)
		return tree;
	b->no_tree_clone = true;
	return mount_clone_tree(src_fd, attrs);
}

/* A directory bound into the cached parent with the new mount API: make the name, then attach
 * the clone there by that single name (mount_attach_tree: no symlink followed, and the kernel
 * puts a directory on a directory only), so no fd for the destination and no stat. Any
 * failure leaves it all to the general path, which makes the same checks and reports them. */
static bool bind_dir_into_cache(struct build *b, const struct setup_op *op, int src_fd,
				unsigned attrs)
{
	const char *name = mount_have_new_api() ? cached_name(b, op->dest) : NULL;

	if (!name || (mkdirat(b->pc_fd, name, 0755) < 0 && errno != EEXIST))
		return false;
	_cleanup_close_ int tree = clone_source(b, src_fd, attrs);
	return tree >= 0 && mount_attach_tree(tree, b->pc_fd, name) == 0;
}

/* Bind src_fd, whose type is src_mode, at op's destination. */
static void do_bind(struct build *b, const struct setup_op *op, int src_fd, mode_t src_mode)
{
	unsigned attrs = HMNT_NOSUID;

	if (op->type != SETUP_DEV_BIND)
		attrs |= HMNT_NODEV;
	if (op->type == SETUP_RO_BIND || op->type == SETUP_RO_BIND_FD ||
	    op->type == SETUP_RO_BIND_DATA)
		attrs |= HMNT_RDONLY;
	if (S_ISDIR(src_mode) && bind_dir_into_cache(b, op, src_fd, attrs)) {
		b->dest_cached = true;
		return;
	}
	_cleanup_close_ int dest_fd = S_ISDIR(src_mode) ? dest_dir(b, op, 0755) : dest_file(b, op);
	_cleanup_close_ int mnt = mount_bind_fd(src_fd, dest_fd, attrs);
	if (mnt < 0) {
		if (op->src)
			die_errno(FACE_MSG("cannot bind '%s' on '%s' (--%s)",
					   "Can't bind mount %s on %s%.0s"),
				  op->src, op->dest, op->option);
		die_errno(FACE_MSG("cannot bind fd %d on '%s' (--%s)",
				   "Can't bind mount fd %d on %s%.0s"),
			  op->fd, op->dest, op->option);
	}
	adopt_mount(b, dest_fd, mnt);
}

static void op_bind(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int src_fd = -1;

	if (op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD) {
		/* The caller's fd points into the caller's mount namespace, which open_tree()
		 * refuses: bind the path it names here (resolved before the first pivot), and
		 * check that this is still the object the fd refers to (bubblewrap does both). */
		char path[64];
		struct stat want, got;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", op->fd);
		src_fd = open_host(b, path);
		if (src_fd < 0)
			die_errno(FACE_MSG("cannot find the source of fd %d (--%s)",
					   "Can't find source path /proc/self/fd/%d%.0s"),
				  op->fd, op->option);
		if (fstat(op->fd, &want) < 0 || fstat(src_fd, &got) < 0 ||
		    want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
			errno = ESTALE;
			die_errno_face("Race condition binding dirfd",
				       "the source of fd %d changed while binding it (--%s)",
				       op->fd, op->option);
		}
		do_bind(b, op, src_fd, got.st_mode);
		return;
	}
	/* The source is the caller's choice on the host: resolved normally, once (the source
	 * cache owns the fd). */
	if (!b->sc_src || strcmp(b->sc_src, op->src) != 0) {
		source_cache_drop(b);
		b->sc_fd = open_host(b, op->src);
		if (b->sc_fd < 0) {
			if (errno == ENOENT && (op->flags & SETUP_FLAG_ALLOW_MISSING))
				return;
			die_errno(FACE_MSG("cannot find source '%s' (--%s)",
					   "Can't find source path %s%.0s"),
				  op->src, op->option);
		}
		b->sc_mode = source_mode(op, b->sc_fd);
		b->sc_src = xstrdup(op->src);
		b->sc_again = false;
	}
	do_bind(b, op, b->sc_fd, b->sc_mode);
	b->sc_again = true;
}

static void enter_scratch(struct build *b);
static int scratch(struct build *b);

/* bubblewrap's texts for --remount-ro: the destination as "/newroot/DEST", then what failed,
 * naming the path the kernel resolved it to (attached, the new root is at /newroot too). */
static noreturn void die_remount(const struct setup_op *op, int fd, const char *what, int err)
{
	char p[64], real[PATH_MAX];
	const char *d = op->dest;

	if (face->id != FACE_BWRAP) {
		if (!what) {
			errno = err;
			die_errno("cannot remount '%s' read-only (--%s)", op->dest, op->option);
		}
		die("cannot remount '%s' read-only (--%s): it is not a mount point", op->dest,
		    op->option);
	}
	while (*d == '/')
		d++;
	ssize_t n = fd < 0 ? -1 : readlink(mount_fd_path(fd, p, sizeof(p)), real, sizeof(real) - 1);
	real[n < 0 ? 0 : n] = '\0';
	if (!what) {
		errno = err;
		die_errno("Can't remount readonly on /newroot/%s: realpath(destination)", d);
	}
	if (err)
		die("Can't remount readonly on /newroot/%s: %s \"%s\"%s: %s", d, what, real,
		    strcmp(what, "Unable to remount destination") == 0 ? " with correct flags" : "",
		    strerror(err));
	die("Can't remount readonly on /newroot/%s: %s \"%s\" in mount table", d, what, real);
}

static void op_remount_ro(struct build *b, const struct setup_op *op)
{
	/* The kernel changes a mount inside a detached tree only at its root. */
	enter_scratch(b);
	_cleanup_close_ int fd = mount_resolve(b->rootfd, op->dest, true);

	if (fd < 0)
		die_remount(op, -1, NULL, errno);
	/* Like bubblewrap: the path must be a mount point, and only that mount changes. */
	if (mount_is_mount_root(fd) == 0)
		die_remount(op, fd, "Unable to find", 0);
	if (mount_set_attrs(fd, HMNT_RDONLY, false) < 0)
		die_remount(op, fd, "Unable to remount destination", errno);
}

static int new_fs(struct build *b, const struct setup_op *op, const char *type, const char *options,
		  unsigned attrs, mode_t dir_mode)
{
	_cleanup_close_ int dest_fd = dest_dir(b, op, dir_mode);
	/* --file-label: the SELinux context of --tmpfs mounts (bubblewrap's rule). */
	const char *label = op->type == SETUP_TMPFS ? b->plan->file_label : NULL;
	int mnt = mount_new_fs(type, type, options, label, dest_fd, attrs);

	if (mnt < 0)
		die_errno(FACE_MSG("cannot mount %s on '%s' (--%s)", "Can't mount %s on %s%.0s"),
			  type, op->dest, op->option);
	adopt_mount(b, dest_fd, mnt);
	return mnt;
}

static void op_tmpfs(struct build *b, const struct setup_op *op)
{
	char opts[512];
	int n = snprintf(opts, sizeof(opts), "mode=%04o",
			 op->perms == SETUP_PERMS_UNSET ? 0755 : op->perms);

	if (op->size)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",size=%llu",
			 (unsigned long long)op->size);
	close(new_fs(b, op, "tmpfs", opts, HMNT_NOSUID | HMNT_NODEV, 0755));
}

/* Bind a path of the new proc at mnt onto itself read-only (missing: nothing to cover). */
static void cover_ro(int mnt, const char *sub, const struct setup_op *op)
{
	_cleanup_close_ int fd = mount_resolve(mnt, sub, false);

	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_errno(FACE_MSG("cannot open '%s/%s' (--%s)", "Can't access %s/%s%.0s"),
			  op->dest, sub, op->option);
	}
	_cleanup_close_ int ro = mount_bind_fd(fd, fd, HMNT_RDONLY | HMNT_NOSUID | HMNT_NODEV);
	if (ro < 0)
		die_errno(FACE_MSG("cannot make '%s/%s' read-only (--%s)",
				   "Can't bind mount %s/%s read-only%.0s"),
			  op->dest, sub, op->option);
}

/* bubblewrap covers a path only where it is writable now: access(W_OK) with the setup's real
 * ids. As real root (kuid 0) irq and bus are, and get covered; in an unprivileged user
 * namespace nothing is (the files belong to the host's root, which is not mapped). /proc/sys
 * never is: its own directory refuses W_OK to everyone, so what the kernel lets the sandbox
 * write in it (its own network namespace's settings, say) stays writable. */
static bool writable_now(int mnt, const char *sub, const struct setup_op *op)
{
	if (faccessat(mnt, sub, W_OK, 0) == 0)
		return true;
	if (errno == EACCES || errno == ENOENT || errno == EROFS)
		return false;
	const char *d = op->dest;
	while (*d == '/')
		d++;
	die_errno("Can't access /newroot/%s/%s", d, sub);
}

/* Old interfaces of proc that act on the whole machine: read-only. */
static void cover_proc(int mnt, const struct setup_op *op, bool own_net)
{
	static const char *const cover[] = { "sys", "sysrq-trigger", "irq", "bus" };

	if (face->id == FACE_BWRAP) {
		for (size_t i = 0; i < sizeof(cover) / sizeof(cover[0]); i++)
			if (writable_now(mnt, cover[i], op))
				cover_ro(mnt, cover[i], op);
		return;
	}
	/* The hutch face covers all four whatever the ids: kuid 0 (a root caller, with or
	 * without a user namespace) passes the uid test of most sysctls (proc_sys_permission),
	 * so the read-only mount is what keeps it off the machine's settings. Only sys/net is
	 * writable again when the network namespace is the sandbox's own: those settings are
	 * its own, and the kernel still asks for CAP_NET_ADMIN over that namespace or its root
	 * (net_ctl_permissions). Opened before the cover, it is the writable proc's. */
	_cleanup_close_ int net = own_net ? mount_resolve(mnt, "sys/net", false) : -1;
	for (size_t i = 0; i < sizeof(cover) / sizeof(cover[0]); i++)
		cover_ro(mnt, cover[i], op);
	if (net < 0)
		return;
	_cleanup_close_ int dest = mount_resolve(mnt, "sys/net", false);
	_cleanup_close_ int rw = dest < 0 ? -1 : mount_bind_fd(net, dest, HMNT_NOSUID | HMNT_NODEV);
	if (rw < 0)
		die_errno("cannot bind '%s/sys/net' writable again (--%s)", op->dest, op->option);
}

static void op_proc(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int mnt = -1;

	if (b->plan->own_pidns) {
		mnt = new_fs(b, op, "proc", NULL, HMNT_NOSUID | HMNT_NODEV | HMNT_NOEXEC, 0755);
	} else {
		/* Same PID namespace as the host: its proc is the right view, and a new proc
		 * instance needs privilege over the host's PID namespace. Bind it, as
		 * bubblewrap does. */
		_cleanup_close_ int src = open_host(b, "/proc");
		_cleanup_close_ int dest_fd = src < 0 ? -1 : dest_dir(b, op, 0755);
		mnt = dest_fd < 0 ? -1 : mount_bind_fd(src, dest_fd, HMNT_NOSUID | HMNT_NODEV);
		if (mnt < 0)
			die_errno(FACE_MSG("cannot bind the host's /proc on '%s' (--%s)",
					   "Can't mount proc on %s%.0s"),
				  op->dest, op->option);
		adopt_mount(b, dest_fd, mnt);
	}
	cover_proc(mnt, op, b->plan->own_netns);
}

static void dev_bind_node(struct build *b, int devfd, const char *name, const char *host_path,
			  const struct setup_op *op)
{
	_cleanup_close_ int src = open_host(b, host_path);
	if (src < 0)
		die_errno(FACE_MSG("cannot open '%s' (--%s)", "Can't open %s%.0s"), host_path,
			  op->option);
	int f = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (f < 0 && errno != EEXIST)
		die_errno(FACE_MSG("cannot create '%s/%s' (--%s)", "Can't create file %s/%s%.0s"),
			  op->dest, name, op->option);
	if (f >= 0)
		close(f);
	_cleanup_close_ int node = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	/* Device nodes keep dev: the only mounts without nodev besides --dev-bind. */
	_cleanup_close_ int mnt = node < 0 ? -1 : mount_bind_fd(src, node, HMNT_NOSUID);
	if (mnt < 0)
		die_errno(FACE_MSG("cannot bind '%s' on '%s/%s' (--%s)",
				   "Can't bind mount %s on %s/%s%.0s"),
			  host_path, op->dest, name, op->option);
}

static void op_dev(struct build *b, const struct setup_op *op, const struct rootfs_plan *plan)
{
	_cleanup_close_ int devfd =
		new_fs(b, op, "tmpfs", "mode=0755", HMNT_NOSUID | HMNT_NODEV, 0755);
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "stdin", "/proc/self/fd/0" },	 { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "fd", "/proc/self/fd" },
		{ "core", "/proc/kcore" },	 { "ptmx", "pts/ptmx" },
	};
	char host[64];

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		dev_bind_node(b, devfd, nodes[i], host, op);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0)
			die_errno(FACE_MSG("cannot create symlink '%s/%s' (--%s)",
					   "Can't create symlink %s/%s%.0s"),
				  op->dest, links[i][0], op->option);
	if (mkdirat(devfd, "shm", 0755) < 0 || mkdirat(devfd, "pts", 0755) < 0)
		die_errno(FACE_MSG("cannot create directories in '%s' (--%s)",
				   "Can't mkdir %s/pts%.0s"),
			  op->dest, op->option);
	_cleanup_close_ int pts = openat(devfd, "pts", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int ptsmnt = pts < 0 ? -1 :
					       mount_new_fs("devpts", "devpts",
							    "newinstance,ptmxmode=0666,mode=620",
							    NULL, pts, HMNT_NOSUID | HMNT_NOEXEC);
	if (ptsmnt < 0)
		die_errno(FACE_MSG("cannot mount devpts on '%s/pts' (--%s)",
				   "Can't mount devpts on %s/pts%.0s"),
			  op->dest, op->option);
	/* If the caller's stdout is a terminal the sandbox can already write to it; bubblewrap
	 * then offers it as /dev/console too. */
	if (plan->host_tty)
		dev_bind_node(b, devfd, "console", plan->host_tty, op);
}

static void op_dir(struct build *b, const struct setup_op *op)
{
	/* mkdirat with the mode under umask 0, never a chmod: a directory that exists (the
	 * caller's home through a bind, say) keeps its mode, as with bubblewrap. */
	close(dest_dir(b, op, op->perms == SETUP_PERMS_UNSET ? 0755 : (mode_t)op->perms));
}

/* The parent of op's destination, made if missing; *last gets its last name. */
static int dest_parent(struct build *b, const struct setup_op *op, const char **last, char **name)
{
	int parent = mount_open_parent(b->rootfd, op->dest, parent_mode(op), last, name);

	if (parent < 0)
		die_parents(op);
	return parent;
}

static void op_symlink(struct build *b, const struct setup_op *op)
{
	const char *last;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int parent = dest_parent(b, op, &last, &name);

	if (symlinkat(op->src, parent, last) == 0)
		return;
	if (errno == EEXIST) {
		char buf[4096];
		ssize_t n = readlinkat(parent, last, buf, sizeof(buf) - 1);
		if (n >= 0) {
			buf[n] = '\0';
			if (strcmp(buf, op->src) == 0)
				return; /* an identical link is already there */
			if (face->id == FACE_BWRAP)
				die("Can't make symlink at %s: existing destination is %s",
				    op->dest, buf);
			die("cannot create symlink '%s' -> '%s' (--%s): a link to '%s' exists "
			    "there",
			    op->dest, op->src, op->option, buf);
		}
		if (errno == EINVAL)
			die(FACE_MSG("cannot create symlink '%s' (--%s): a file that is not a "
				     "symlink exists there",
				     "Can't make symlink at %s: destination exists and is not a "
				     "symlink%.0s"),
			    op->dest, op->option);
		die_errno(FACE_MSG("cannot create symlink '%s' (--%s): it exists and cannot be "
				   "read",
				   "Can't make symlink at %s: destination exists, and cannot read "
				   "symlink target%.0s"),
			  op->dest, op->option);
	}
	die_errno(FACE_MSG("cannot create symlink '%s' (--%s)", "Can't make symlink at %s%.0s"),
		  op->dest, op->option);
}

static void op_chmod(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int fd = mount_resolve(b->rootfd, op->dest, true);

	if (fd < 0)
		die_errno(FACE_MSG("cannot chmod %03o '%s' (--%s)", "Can't chmod %#o %s%.0s"),
			  op->perms, op->dest, op->option);
	chmod_fd(fd, op->perms, op);
}

static void copy_fd_to(int from, int to, const struct setup_op *op)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && face->id == FACE_BWRAP) /* one message for both ends */
			die_errno("Can't write data to file %s", op->dest);
		if (n < 0)
			die_errno("cannot read fd %d (--%s)", op->fd, op->option);
		if (n == 0)
			return;
		if (write_all(to, buf, (size_t)n) < 0)
			die_errno(FACE_MSG("cannot write '%s' (--%s)",
					   "Can't write data to file %s%.0s"),
				  op->dest, op->option);
	}
}

static void op_file(struct build *b, const struct setup_op *op)
{
	const char *last;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int parent = dest_parent(b, op, &last, &name);

	/* O_NOFOLLOW: a link planted at the name fails instead of being written through. Like
	 * bubblewrap's creat(): a new file gets the mode (umask 0), one that exists is truncated
	 * and keeps its mode (no chmod: it may be a host file seen through a bind). O_NONBLOCK
	 * and no O_TRUNC at the open: a FIFO planted there must not block us, nor a device act
	 * on the open; only a regular file is written (and then truncated). */
	_cleanup_close_ int f = openat(
		parent, last, O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		op->perms == SETUP_PERMS_UNSET ? b->plan->file_mode : (mode_t)op->perms);
	struct stat st;
	if (f < 0)
		die_errno(FACE_MSG("cannot create file '%s' (--%s)", "Can't create file %s%.0s"),
			  op->dest, op->option);
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode))
		die(FACE_MSG("cannot create file '%s' (--%s): something that is not a regular "
			     "file exists there",
			     "Can't create file at %s%.0s: not a regular file"),
		    op->dest, op->option);
	if (ftruncate(f, 0) < 0)
		die_errno(FACE_MSG("cannot truncate '%s' (--%s)", "Can't create file at %s%.0s"),
			  op->dest, op->option);
	copy_fd_to(op->fd, f, op);
}

static void op_bind_data(struct build *b, const struct setup_op *op)
{
	/* A file in the scratch root, which only this process can see and which the sandbox
	 * never reaches except through the bind below. (An O_TMPFILE cannot be bound: the
	 * kernel refuses to bind an unlinked file.) */
	char name[32];
	mode_t mode = op->perms == SETUP_PERMS_UNSET ? 0600 : (mode_t)op->perms;
	/* bubblewrap's name (mkstemp's bindfileXXXXXX), so mountinfo shows the same shape. */
	snprintf(name, sizeof(name), "bindfile%06u", b->ndata++);
	_cleanup_close_ int tmp =
		openat(scratch(b), name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (tmp < 0)
		die_errno(FACE_MSG("cannot create the data file for '%s' (--%s)",
				   "Can't create tmpfile for %s%.0s"),
			  op->dest, op->option);
	if (fchmod(tmp, mode) < 0)
		die_errno(FACE_MSG("cannot chmod %#o the data file for '%s' (--%s)",
				   "Can't set mode %#o on file to be used for %s%.0s"),
			  (unsigned)mode, op->dest, op->option);
	copy_fd_to(op->fd, tmp, op);
	do_bind(b, op, tmp, source_mode(op, tmp));
	/* The mount holds the file now; like bubblewrap, the name goes (the file's link count
	 * is 0 inside, as with bubblewrap) and the scratch keeps nothing. */
	if (unlinkat(b->scratchfd, name, 0) < 0)
		die_errno(FACE_MSG("cannot remove the data file for '%s' (--%s)",
				   "Can't unlink tmpfile for %s%.0s"),
			  op->dest, op->option);
}

static int open_layer(struct build *b, const struct setup_op *op, const char *path)
{
	int fd = open_host(b, path);

	if (fd < 0)
		die_errno(FACE_MSG("cannot find source '%s' (--%s)",
				   "Can't find source path %s%.0s"),
			  path, op->option);
	return fd;
}

/* --overlay, --tmp-overlay, --ro-overlay over the --overlay-src layers just before op.
 * Every layer is passed as the magic link of an fd we resolved, so no path is looked up
 * twice and no character in a path needs escaping (the kernel follows the link). */
static void op_overlay(struct build *b, const struct setup_op *op)
{
	const struct setup_op *first = NULL;
	unsigned n = 0, k = 0;
	char p[64];

	for (const struct setup_op *o = b->plan->ops->head; o != op; o = o->next) {
		if (o->type == SETUP_OVERLAY_SRC) {
			if (!first)
				first = o;
			n++;
		} else {
			first = NULL;
			n = 0;
			if (o->type == SETUP_TMP_OVERLAY)
				k++;
		}
	}
	int *fds = xcalloc(n + 2, sizeof(int));
	size_t cap = 256 + (size_t)n * 64;
	char *opts = xmalloc(cap);
	size_t len = 0;
	unsigned i = 0;

	for (const struct setup_op *o = first; o && o != op; o = o->next)
		fds[i++] = open_layer(b, op, o->src);
	int upper = -1, work = -1;
	if (op->type == SETUP_OVERLAY) {
		upper = open_layer(b, op, op->src);
		work = open_layer(b, op, op->workdir);
	} else if (op->type == SETUP_TMP_OVERLAY) {
		char up[32], wk[32];
		snprintf(up, sizeof(up), "tmp-overlay-upper-%u", k);
		snprintf(wk, sizeof(wk), "tmp-overlay-work-%u", k);
		if (mkdirat(scratch(b), up, 0755) < 0 || mkdirat(b->scratchfd, wk, 0755) < 0)
			die_errno(FACE_MSG("cannot create the upper layer for '%s' (--%s)",
					   "Creating --tmp-overlay upperdir failed%.0s%.0s"),
				  op->dest, op->option);
		upper = openat(b->scratchfd, up, O_PATH | O_DIRECTORY | O_CLOEXEC);
		work = openat(b->scratchfd, wk, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (upper < 0 || work < 0)
			die_errno("open tmp-overlay");
	}
	if (upper >= 0) {
		len += (size_t)snprintf(opts + len, cap - len, "upperdir=%s,",
					mount_fd_path(upper, p, sizeof(p)));
		len += (size_t)snprintf(opts + len, cap - len, "workdir=%s,",
					mount_fd_path(work, p, sizeof(p)));
	}
	/* The last --overlay-src is the top layer: lowerdir lists it first. */
	len += (size_t)snprintf(opts + len, cap - len, "lowerdir=");
	for (unsigned j = n; j-- > 0;)
		len += (size_t)snprintf(opts + len, cap - len, "%s%s",
					mount_fd_path(fds[j], p, sizeof(p)), j ? ":" : "");
	/* Needed in a user namespace: trusted.* xattrs are out of reach there. */
	snprintf(opts + len, cap - len, ",userxattr");

	_cleanup_close_ int dest_fd = dest_dir(b, op, 0755);
	int mnt = mount_new_fs("overlay", "overlay", opts, NULL, dest_fd, HMNT_NOSUID | HMNT_NODEV);
	if (mnt < 0) {
		if (errno == ELOOP)
			die(FACE_MSG("cannot mount the overlay on '%s' (--%s): the overlay directories "
				     "overlap",
				     "Can't make overlay mount on %s with options %s: Overlay "
				     "directories may not overlap"),
			    op->dest, FACE_MSG(op->option, opts));
		die_errno(FACE_MSG("cannot mount the overlay on '%s' (--%s)",
				   "Can't make overlay mount on %s with options %s"),
			  op->dest, FACE_MSG(op->option, opts));
	}
	adopt_mount(b, dest_fd, mnt);
	close(mnt);
	for (unsigned j = 0; j < n; j++)
		close(fds[j]);
	if (upper >= 0)
		close(upper);
	if (work >= 0)
		close(work);
	free(fds);
	free(opts);
}

static void replay(struct build *b, const struct rootfs_plan *plan)
{
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next) {
		bool keep = parent_cache_keeps(b, op);
		if (!keep)
			parent_cache_drop(b);
		if (!source_cache_keeps(op))
			source_cache_drop(b);
		switch (op->type) {
		case SETUP_BIND:
		case SETUP_RO_BIND:
		case SETUP_DEV_BIND:
		case SETUP_BIND_FD:
		case SETUP_RO_BIND_FD:
			b->dest_cached = false;
			op_bind(b, op);
			/* A kept op that left the cache (a link followed) may have covered it. */
			if (!keep || !b->dest_cached)
				parent_cache_fill(b, op);
			break;
		case SETUP_REMOUNT_RO:
			op_remount_ro(b, op);
			break;
		case SETUP_TMPFS:
			op_tmpfs(b, op);
			break;
		case SETUP_PROC:
			op_proc(b, op);
			break;
		case SETUP_DEV:
			op_dev(b, op, plan);
			break;
		case SETUP_MQUEUE:
			close(new_fs(b, op, "mqueue", NULL, HMNT_NOSUID | HMNT_NODEV | HMNT_NOEXEC,
				     0755));
			break;
		case SETUP_DIR:
			op_dir(b, op);
			break;
		case SETUP_SYMLINK:
			op_symlink(b, op);
			break;
		case SETUP_CHMOD:
			op_chmod(b, op);
			break;
		case SETUP_FILE:
			op_file(b, op);
			break;
		case SETUP_BIND_DATA:
		case SETUP_RO_BIND_DATA:
			op_bind_data(b, op);
			break;
		case SETUP_OVERLAY_SRC:
			break; /* a layer of the overlay op that follows */
		case SETUP_OVERLAY:
		case SETUP_TMP_OVERLAY:
		case SETUP_RO_OVERLAY:
			op_overlay(b, op);
			break;
		case SETUP_LOCK_FILE:
			break; /* taken once the tree is complete (take_locks) */
		}
	}
	parent_cache_drop(b);
	source_cache_drop(b);
	/* Like bubblewrap, the descriptors the operations consumed do not reach the command. */
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next)
		if (op->fd >= 0)
			close(op->fd);
}

/* --lock-file DEST, in the finished tree: resolved below the new root like every destination,
 * and opened only when it is a regular file, through the O_PATH fd that pinned it (so what
 * was checked is what is opened). A FIFO would block the open, a device could act on it. */
static int take_lock(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int path = mount_resolve(b->rootfd, op->dest, true);
	struct stat st;
	char p[64];
	int fd = -1;

	if (path >= 0 && fstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
			die(FACE_MSG("cannot open the lock file '%s' (--lock-file): it is not a "
				     "regular file",
				     "Unable to open lock file %s: not a regular file"),
			    op->dest);
		}
		fd = open(mount_fd_path(path, p, sizeof(p)),
			  O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0)
		die_errno(FACE_MSG("cannot open the lock file '%s' (--lock-file)",
				   "Unable to open lock file %s"),
			  op->dest);
	/* A read lock, like bubblewrap's, held for as long as the sandbox runs. */
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0)
		die_errno(FACE_MSG("cannot lock '%s' (--lock-file)", "Unable to lock file %s"),
			  op->dest);
	return fd;
}

static void take_locks(struct build *b, struct int_list *locks)
{
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next) {
		if (op->type != SETUP_LOCK_FILE)
			continue;
		locks->v = xrealloc(locks->v, (locks->n + 1) * sizeof(int));
		locks->v[locks->n++] = take_lock(b, op);
	}
}

/* The scratch tmpfs, detached (new API). The fallback mounts it by path, on "/" itself (the
 * one path nothing can rename or replace), and opens it through "/..": a lookup of ".." at
 * the process root goes on to the top of what is stacked there (path_resolution(7)), while
 * "/" stays the host's root for every other lookup until enter_scratch pivots. */
static int mount_scratch(int slash)
{
	struct stat host, st;

	if (mount_have_new_api())
		return mount_new_fs("tmpfs", "tmpfs", NULL, NULL, -1, HMNT_NOSUID | HMNT_NODEV);
	if (mount("tmpfs", "/", "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
		return -1;
	int fd = open("/..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* A new tmpfs has a device number of its own. */
	if (fd >= 0 &&
	    (fstat(fd, &st) < 0 || fstat(slash, &host) < 0 || st.st_dev == host.st_dev)) {
		close(fd);
		errno = EBUSY;
		return -1;
	}
	return fd;
}

/* The scratch tmpfs, made on first use: a detached tmpfs with the new API (nothing of the
 * host can meet it); in the fallback it is stacked on "/" until enter_scratch pivots into
 * it. Home of --bind-data's files, --tmp-overlay's layers and, attached, the new root. */
static int scratch(struct build *b)
{
	if (b->scratchfd >= 0)
		return b->scratchfd;
	b->scratch_mnt = mount_scratch(b->hostfd);
	if (b->scratch_mnt < 0)
		die_errno(FACE_MSG("cannot mount the scratch tmpfs", "Failed to mount tmpfs"));
	b->scratchfd = openat(b->scratch_mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->scratchfd < 0)
		die_errno("open the scratch tmpfs");
	return b->scratchfd;
}

/* The attached build from here on: the scratch (stacked on "/": here with the new API, by
 * mount_scratch in the fallback) becomes the root by pivot_root, the host moves to its /oldroot,
 * and the new root (when there is one yet) goes to its /newroot. The fds of the build (host,
 * base, scratch, the new root) stay valid. */
static void enter_scratch(struct build *b)
{
	if (b->attached)
		return;
	parent_cache_drop(b);
	int sd = scratch(b);
	if (mkdirat(sd, "oldroot", 0755) < 0 || mkdirat(sd, "newroot", 0755) < 0 ||
	    mkdirat(sd, "stage", 0755) < 0)
		die_errno(FACE_MSG("cannot create directories in the scratch tmpfs",
				   "Creating oldroot failed"));
	int sf = openat(sd, "stagefile", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (sf < 0)
		die_errno(FACE_MSG("cannot create a file in the scratch tmpfs",
				   "Creating stage failed"));
	close(sf);
	if (mount_have_new_api() && mount_attach_tree(b->scratch_mnt, b->hostfd, NULL) < 0)
		die_errno(FACE_MSG("cannot mount the scratch tmpfs", "Failed to mount tmpfs"));
	if (fchdir(sd) < 0 || syscall(SYS_pivot_root, ".", "oldroot") < 0)
		die_errno(FACE_MSG("cannot pivot_root into the scratch tmpfs", "pivot_root"));
	if (chdir("/") < 0)
		die_errno("chdir /");
	mount_set_stage("/stage", "/stagefile");
	mount_set_proc_prefix("/oldroot");
	b->attached = true;
	if (b->basefd >= 0) { /* the detached new root, with all that is mounted in it */
		_cleanup_close_ int newroot =
			openat(sd, "newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (newroot < 0 || mount_attach_tree(b->basefd, newroot, NULL) < 0)
			die_errno(FACE_MSG("cannot mount the base tmpfs", "Failed to mount tmpfs"));
	}
}

/* A host directory to hang the detached scratch on for the final pivot_root: not the host
 * root itself (a mount stacked there would sit on top of the new root after pivot_root(".",
 * ".") and the detach would take it instead of the host). Never a symlink. */
static int scratch_spot(int hostfd)
{
	static const char *const spots[] = { "tmp", "mnt", "run", "dev", "usr", "etc", "var" };

	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		/* O_PATH without O_DIRECTORY does not trigger an automount on the host (a
		 * directory lookup would); an automount point is skipped. */
		int fd = openat(hostfd, spots[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct statx sx;

		if (fd < 0)
			continue;
		if (statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_TYPE, &sx) == 0 &&
		    S_ISDIR(sx.stx_mode) && !(sx.stx_attributes & STATX_ATTR_AUTOMOUNT))
			return fd;
		close(fd);
	}
	return -1;
}

/* Is "/" uncovered: "/.." (which climbs onto whatever is stacked on the root) the same
 * mount and directory as "/"? *id: the mount id of "/" (0 if the kernel cannot tell). */
static bool root_uncovered(uint64_t *id)
{
	struct statx a, c;

	*id = 0;
	/* Not knowing is no answer: a detach when nothing covers "/" would take the new root. */
	if (statx(AT_FDCWD, "/", AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID, &a) < 0 ||
	    statx(AT_FDCWD, "/..", AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID, &c) < 0)
		die_errno("statx /");
	if (a.stx_mask & c.stx_mask & STATX_MNT_ID) {
		*id = a.stx_mnt_id;
		if (a.stx_mnt_id != c.stx_mnt_id)
			return false;
	}
	return a.stx_dev_major == c.stx_dev_major && a.stx_dev_minor == c.stx_dev_minor &&
	       a.stx_ino == c.stx_ino;
}

/* The base and the scratch tmpfs are mounted without a mode option, as bubblewrap's base is
 * (the sandbox's mountinfo says "tmpfs rw" for its root and --bind-data's files, not
 * "rw,mode=755"); the base's root is made 0755 here, before anything is in it. */
static void base_chmod(int basefd)
{
	_cleanup_close_ int d = openat(basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (d < 0 || fchmod(d, 0755) < 0)
		die_errno(
			FACE_MSG("cannot set the mode of the base tmpfs", "Failed to mount tmpfs"));
}

void rootfs_child_build(const struct rootfs_plan *plan, struct int_list *locks)
{
	struct build b = { .plan = plan,
			   .hostfd = -1,
			   .basefd = -1,
			   .rootfd = -1,
			   .scratchfd = -1,
			   .scratch_mnt = -1,
			   .pc_fd = -1,
			   .sc_fd = -1,
			   .sc_tree = -1 };

	mount_probe();
	/* Without a new user namespace the copied mounts keep their shared peers: make them
	 * slaves first so nothing we mount propagates back to the host (mount_namespaces(7)).
	 * In a new user namespace the kernel already turned shared mounts into slaves. */
	if (plan->make_slave && mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		die_errno(FACE_MSG("cannot make / a slave mount", "Failed to make / slave"));

	b.hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.hostfd < 0)
		die_errno("open /");
	resolve_magic_sources(&b);

	/* The base: the new root's tmpfs. Detached, a clone of it stacked on it is the probe
	 * (two cheap calls, no new filesystem): before 6.15 the kernel refuses (EINVAL) to
	 * attach a mount inside a detached tree, and the build goes on attached. The clone
	 * then is the new root: the same tmpfs. */
	int root = -1;
	if (!mount_may_build_detached()) {
		enter_scratch(&b);
		_cleanup_close_ int newroot =
			openat(b.scratchfd, "newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
		b.basefd = newroot < 0 ? -1 :
					 mount_new_fs("tmpfs", "tmpfs", NULL, NULL, newroot,
						      HMNT_NOSUID | HMNT_NODEV);
		if (b.basefd < 0)
			die_errno(FACE_MSG("cannot mount the base tmpfs", "Failed to mount tmpfs"));
		base_chmod(b.basefd);
		root = fcntl(b.basefd, F_DUPFD_CLOEXEC, 3);
	} else {
		b.basefd = mount_new_fs("tmpfs", "tmpfs", NULL, NULL, -1, HMNT_NOSUID | HMNT_NODEV);
		if (b.basefd < 0)
			die_errno(FACE_MSG("cannot mount the base tmpfs", "Failed to mount tmpfs"));
		base_chmod(b.basefd);
		root = mount_clone_tree(b.basefd, 0);
		if (root >= 0 && mount_attach_tree(root, b.basefd, NULL) < 0) {
			close(root);
			root = -1;
		}
		if (root < 0) {
			if (errno != EINVAL)
				die_errno(FACE_MSG("cannot mount the base tmpfs",
						   "Failed to mount tmpfs"));
			enter_scratch(&b);
			root = fcntl(b.basefd, F_DUPFD_CLOEXEC, 3);
		}
	}
	if (root < 0)
		die_errno("cannot duplicate the root fd");
	set_root(&b, root);

	replay(&b, plan);
	/* The tree is complete; the host's /proc (for reopening) is still at hand. */
	take_locks(&b, locks);
	magic_sources_close(&b);

	uint64_t want = mount_id(b.rootfd);
	_cleanup_close_ int spot = b.attached ? -1 : scratch_spot(b.hostfd);
	if (!b.attached && spot < 0)
		enter_scratch(&b);
	if (b.attached) {
		/* The host goes first, with everything mounted below it (MNT_DETACH is
		 * recursive). The host's mounts are slaves or private here, so nothing
		 * propagates back. */
		close(b.hostfd);
		if (umount2("/oldroot", MNT_DETACH) < 0)
			die_errno(FACE_MSG("cannot detach the host root", "unmount old root"));
		mount_set_proc_prefix("");
		mount_set_stage(NULL, NULL);
	} else {
		/* Hang the new root's tree on a host directory, so that pivot_root can reach
		 * it from the host's root. */
		if (mount_attach_tree(b.basefd, spot, NULL) < 0)
			die_errno(FACE_MSG("cannot mount the base tmpfs", "Failed to mount tmpfs"));
		close(b.hostfd);
	}
	/* pivot_root(".", ".") stacks the old root (the scratch, or the host) on the new one;
	 * the detach below removes it with everything under it (pivot_root(2), NOTES). */
	if (fchdir(b.rootfd) < 0)
		die_errno(FACE_MSG("cannot enter the new root", "Can't chdir to new root"));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno(FACE_MSG("cannot pivot_root into the new root", "pivot_root"));
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(FACE_MSG("cannot detach the old root", "unmount old root"));
	/* What the caller had stacked on its own root (mount --rbind X / after its root was
	 * set) came along on top of the host root: detached the same way, one at a time, and
	 * never the new root itself (checked uncovered before each). */
	uint64_t now;
	for (int i = 0; !root_uncovered(&now); i++)
		if (i == 64 || umount2(".", MNT_DETACH) < 0)
			die_errno(FACE_MSG("cannot detach the old root", "unmount old root"));
	if (chdir("/") < 0)
		die_errno("chdir /");
	/* Defence in depth: "/", uncovered now, must be the root we built. */
	if (want && now != want)
		die(FACE_MSG("the new root is not in place after pivot_root; refusing to continue",
			     "Failed to pivot to the new root"));
	close(b.rootfd);
	close(b.basefd);
	if (b.scratchfd >= 0)
		close(b.scratchfd);
	if (b.scratch_mnt >= 0)
		close(b.scratch_mnt);
}

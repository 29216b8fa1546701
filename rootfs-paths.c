/* rootfs-paths: the sources and destinations of the setup operations.
 *
 * Sources are the caller's host paths, resolved below the host root's fd (mount.c: openat2
 * RESOLVE_IN_ROOT, or its fallback), except those through magic links under /proc and /dev,
 * which are resolved as bubblewrap resolves them, before any operation. Destinations resolve
 * below the new root's fd: the parent directory first, then the last name in it by a single
 * name that follows nothing (mkdirat, openat with O_NOFOLLOW, move_mount by name); a link at
 * that name, or a destination that does not end in a plain name ("/", "..", "x/."), is resolved
 * in full instead, following links inside the root, and may then lead anywhere.
 *
 * Three caches, kept because each pays for binds in a row (bench/run.sh's 10 to 4000 binds of
 * one source into one directory, about 22 us per bind: without the first 35, without the
 * second and third 27, without the third 23.5). Each answers one question the same way on
 * every call, so no operation has a second route:
 *  - the parent directory of the last destination, by its path as given (a lookup by what the
 *    kernel says would need the walk it saves), kept only when that path is plain names
 *    resolved following no link (a straight descent from the root): it stays right because
 *    every operation acts at a plain name in it, which is below it and so not on the way to
 *    it, or resolves its destination in full, which drops the cache first
 *    (rootfs_dest_resolve). A path through a link or "..", kept, could pass through the
 *    very name an operation mounts on and out of it again, and lead elsewhere after it;
 *  - the last source, by its path as given: nothing the build does changes what a host path
 *    resolves to (every mount lands on a copy of a host mount, slave or private here, so
 *    nothing propagates back to the tree below the host's fd, and no operation removes or
 *    renames a name), and failures are not kept;
 *  - a detached copy of the last source's tree with the flags of its binds, by the kernel's
 *    identity of the source (mount id, device, inode), never by a path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs-build.h"
#include "util.h"

/* ---- sources ---- */

/* Host paths resolve below the host root, so absolute symlinks on the host mean what they
 * mean there; relative paths are taken from the caller's working directory. */
int rootfs_open_host(struct build *b, const char *path)
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
	return mount_resolve(&b->mnt, b->hostfd, path, true);
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
void rootfs_resolve_magic_sources(struct build *b)
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
			fd = mount_resolve(&b->mnt, b->hostfd, real, true);
			err = errno;
			free(real);
		} else {
			err = errno;
			if (err != ENOENT || (face->source_missing_early && !may_miss))
				die_errno(msg(MSG_OP_SOURCE), shown, op->option);
			fd = open(given, O_PATH | O_CLOEXEC);
			err = errno;
			if (fd < 0 && !(err == ENOENT && may_miss))
				die_errno(msg(MSG_OP_SOURCE_TYPE), shown, op->option);
		}
		b->magic = xrealloc(b->magic, (b->nmagic + 1) * sizeof(*b->magic));
		b->magic[b->nmagic].given = given;
		b->magic[b->nmagic].fd = fd;
		b->magic[b->nmagic].err = err;
		b->nmagic++;
	}
}

void rootfs_close_magic_sources(struct build *b)
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

/* Fill s for fd (which s then holds): its type, and its identity with the mount id. */
void rootfs_source_of_fd(const struct setup_op *op, int fd, struct source *s)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID, &stx) < 0)
		die_errno(msg(MSG_OP_SOURCE_STAT), op->src ? op->src : "fd", op->option);
	*s = (struct source){
		.fd = fd,
		.mode = stx.stx_mode,
		.mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0,
		.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
		.ino = stx.stx_ino,
	};
}

static void source_cache_drop(struct build *b)
{
	if (b->source.path)
		close(b->source.src.fd);
	free(b->source.path);
	b->source.path = NULL;
}

static void copy_drop(struct build *b)
{
	if (b->copy.tree >= 0)
		close(b->copy.tree);
	b->copy.tree = -1;
	b->copy.mnt_id = 0;
}

/* The source of a plain bind (--bind, --ro-bind, --dev-bind), resolved once for binds of the
 * same path in a row (the source cache: see the top). NULL: a -try source that is not there. */
const struct source *rootfs_source_open(struct build *b, const struct setup_op *op)
{
	if (b->source.path && strcmp(b->source.path, op->src) == 0)
		return &b->source.src;
	source_cache_drop(b);
	int fd = rootfs_open_host(b, op->src);
	if (fd < 0) {
		if (errno == ENOENT && (op->flags & SETUP_FLAG_ALLOW_MISSING))
			return NULL;
		die_errno(msg(MSG_OP_SOURCE), op->src, op->option);
	}
	rootfs_source_of_fd(op, fd, &b->source.src);
	b->source.path = xstrdup(op->src);
	return &b->source.src;
}

/* What a bind of s with attrs clones: s itself, or, from the second bind in a row of the same
 * source (by the kernel's identity) with the same flags, a detached copy of its tree with the
 * flags set, made then and kept: open_tree keeps the flags of what it clones, so the flags are
 * set once per source instead of once per bind. The copy is never attached, so nothing can be
 * mounted on it meanwhile. Only where the kernel clones a detached tree (the build's probe).
 * *left: the flags the bind still sets. -1 with errno when the copy cannot be made. */
int rootfs_source_tree(struct build *b, const struct source *s, unsigned attrs, unsigned *left)
{
	*left = attrs;
	if (!b->mnt.detached_trees || s->mnt_id == 0)
		return s->fd;
	if (s->mnt_id != b->copy.mnt_id || s->dev != b->copy.dev || s->ino != b->copy.ino ||
	    attrs != b->copy.attrs) {
		copy_drop(b);
		b->copy.mnt_id = s->mnt_id;
		b->copy.dev = s->dev;
		b->copy.ino = s->ino;
		b->copy.attrs = attrs;
		return s->fd;
	}
	if (b->copy.tree < 0)
		b->copy.tree = mount_clone_tree(&b->mnt, s->fd, attrs);
	*left = 0;
	return b->copy.tree;
}

/* ---- destinations ---- */

void rootfs_parent_cache_drop(struct build *b)
{
	if (b->parent.path)
		close(b->parent.fd);
	free(b->parent.path);
	b->parent.path = NULL;
}

void rootfs_caches_drop(struct build *b)
{
	rootfs_parent_cache_drop(b);
	source_cache_drop(b);
	copy_drop(b);
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
	die_errno(msg(MSG_OP_PARENTS), op->dest, op->option);
}

static char *copy_span(const char *s, size_t n)
{
	char *c = xmalloc(n + 1);

	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

void rootfs_place_release(struct place *at)
{
	if ((!at->name || at->own_dirfd) && at->dirfd >= 0)
		close(at->dirfd);
	at->dirfd = -1;
	at->own_dirfd = false;
	free(at->name_copy);
	at->name_copy = NULL;
}

/* Split op's destination: its last name without trailing slashes, in at ("" for the root, or
 * "." or ".." as given), and the length of the parent's path before it. */
static size_t dest_split(const struct setup_op *op, struct place *at)
{
	const char *d = op->dest;
	size_t end = strlen(d), start, plen = 0;

	while (end > 0 && d[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && d[start - 1] != '/')
		start--;
	if (start > 0)
		plen = start - 1; /* the parent, up to the slash before the name */
	else
		while (d[start] == '/')
			start++; /* only slashes: the root, whose name is "" */
	if (end < start)
		end = start;
	*at = (struct place){ .dirfd = -1 };
	if (d[end] != '\0')
		at->name = at->name_copy = copy_span(d + start, end - start);
	else
		at->name = d + start;
	return plen;
}

/* Plain names only: no "." or ".." component (slashes aside). */
static bool dotless(const char *p)
{
	for (const char *c = p; *c;) {
		while (*c == '/')
			c++;
		size_t n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

/* The parent directory of op's destination into at->dirfd, made if missing (parent_mode),
 * from the parent cache when it is the last one's. A parent reached through a link or "..",
 * or made here, is this operation's only (own_dirfd), and the kept one goes: the cache keeps
 * straight descents. */
static void dest_parent_open(struct build *b, const struct setup_op *op, size_t plen,
			     struct place *at)
{
	const char *d = op->dest;

	if (!b->parent.path || strlen(b->parent.path) != plen ||
	    memcmp(b->parent.path, d, plen) != 0) {
		_cleanup_free_ char *parent = copy_span(d, plen);
		int fd = dotless(parent) ? mount_resolve_plain_dir(&b->mnt, b->rootfd, parent) : -1;

		if (fd < 0) {
			mode_t mode = parent_mode(op);
			/* This operation acts at a name that may be on the kept path (a link or
			 * ".." can lead there): a mount on it would leave the kept fd covered. */
			rootfs_parent_cache_drop(b);
			fd = mount_mkdir_p(&b->mnt, b->rootfd, parent, mode, mode, NULL);
			if (fd < 0)
				die_parents(op);
			at->dirfd = fd;
			at->own_dirfd = true;
			return;
		}
		rootfs_parent_cache_drop(b);
		b->parent.path = steal_pointer(&parent);
		b->parent.fd = fd;
	}
	at->dirfd = b->parent.fd;
}

/* The parent directory of op's destination and the destination's last name, as it is
 * (dest_split), for the operations that act on that name whatever it is. */
void rootfs_dest_parent(struct build *b, const struct setup_op *op, struct place *at)
{
	dest_parent_open(b, op, dest_split(op, at), at);
}

static bool plain_name(const char *n)
{
	return *n && strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strlen(n) <= NAME_MAX;
}

/* Whether op's destination is a plain name in the cached parent directory, with no slash
 * after it (which would ask for a directory): then at is that place (nothing made, nothing
 * resolved). */
bool rootfs_dest_cached(struct build *b, const struct setup_op *op, struct place *at)
{
	size_t plen = dest_split(op, at);

	if (!b->parent.path || at->name_copy || !plain_name(at->name) ||
	    strlen(b->parent.path) != plen || memcmp(b->parent.path, op->dest, plen) != 0)
		return false;
	at->dirfd = b->parent.fd;
	return true;
}

/* The destination in full, following links inside the root: it may be anything, the parent
 * cache's directory or one of its parents included, so the cache goes first. */
int rootfs_dest_resolve(struct build *b, const struct setup_op *op)
{
	rootfs_parent_cache_drop(b);
	return mount_resolve(&b->mnt, b->rootfd, op->dest, true);
}

static void place_anywhere(struct place *at, int fd)
{
	rootfs_place_release(at);
	at->dirfd = fd;
	at->name = NULL;
	at->anywhere = true;
}

/* The directory at op's destination, made with mode if missing (an existing one is left as it
 * is, whatever mode it has: bubblewrap's --dir, and the host's own directories through binds
 * are never changed). A new name or a directory there is the place by its name: a mount by
 * that name follows no link and lands on a directory only. */
void rootfs_dest_dir(struct build *b, const struct setup_op *op, mode_t mode, struct place *at)
{
	size_t plen = dest_split(op, at);

	if (plain_name(at->name)) {
		struct stat st;
		int err = 0;

		dest_parent_open(b, op, plen, at);
		if (mkdirat(at->dirfd, at->name, mode) == 0)
			return;
		/* mkdirat says EEXIST for anything at the name, before EACCES or EROFS. */
		if (errno != EEXIST)
			err = errno;
		else if (fstatat(at->dirfd, at->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			err = errno;
		else if (S_ISDIR(st.st_mode))
			return;
		else if (!S_ISLNK(st.st_mode))
			err = ENOTDIR;
		if (err) {
			errno = err;
			die_errno(msg(MSG_OP_MKDIR), op->dest, op->option);
		}
	}
	bool in_parents;
	mode_t pmode = parent_mode(op);
	rootfs_parent_cache_drop(b); /* see rootfs_dest_resolve */
	int fd = mount_mkdir_p(&b->mnt, b->rootfd, op->dest, pmode, mode, &in_parents);
	if (fd < 0 && in_parents)
		die_parents(op);
	if (fd < 0)
		die_errno(msg(MSG_OP_MKDIR), op->dest, op->option);
	place_anywhere(at, fd);
}

/* A mount point for a non-directory at op's destination: an empty file (0444) unless
 * something is there, which must not be a directory. The place is its fd. */
void rootfs_dest_file(struct build *b, const struct setup_op *op, struct place *at)
{
	size_t plen = dest_split(op, at);

	if (plain_name(at->name)) {
		dest_parent_open(b, op, plen, at);
		/* O_EXCL: EEXIST for anything at the name, a link included, before EACCES. */
		int f = openat(at->dirfd, at->name,
			       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			       0444);
		_cleanup_close_ int fd = -1;
		struct stat st = { 0 };

		if (f >= 0) {
			/* The file this open made: the place is its fd (no second open). */
			rootfs_place_release(at);
			at->name = NULL;
			at->dirfd = f;
			return;
		}
		if (errno == EEXIST)
			fd = openat(at->dirfd, at->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			errno = EISDIR;
		if (fd < 0 || st.st_mode == 0 || S_ISDIR(st.st_mode))
			die_errno(msg(MSG_OP_MOUNT_POINT), op->dest, op->option);
		if (!S_ISLNK(st.st_mode)) {
			/* A name in the cached directory, but a file is mounted on through
			 * its fd only (mount_bind_at). */
			rootfs_place_release(at);
			at->name = NULL;
			at->dirfd = steal_fd(&fd);
			return;
		}
	}
	bool in_parents;
	rootfs_parent_cache_drop(b); /* see rootfs_dest_resolve */
	int fd = mount_touch_p(&b->mnt, b->rootfd, op->dest, parent_mode(op), &in_parents);
	if (fd < 0 && in_parents)
		die_parents(op);
	if (fd < 0)
		die_errno(msg(MSG_OP_MOUNT_POINT), op->dest, op->option);
	place_anywhere(at, fd);
}

/* The mount mnt landed at `at`; if that was the root itself, the root is now that mount (a
 * copy of the fd: the caller keeps mnt). Only a place reached by a full resolution can be the
 * root. */
void rootfs_adopt_mount(struct build *b, const struct place *at, int mnt)
{
	struct stat st;

	if (!at->anywhere)
		return;
	if (fstat(at->dirfd, &st) == 0 && st.st_dev == b->root_st.st_dev &&
	    st.st_ino == b->root_st.st_ino) {
		int fd = fcntl(mnt, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			die_errno("cannot duplicate the root fd");
		rootfs_set_root(b, fd);
	}
}

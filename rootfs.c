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
 * detached. A detached build switches to this at any point (rootfs_enter_scratch).
 *
 * The operations themselves are rootfs-ops.c's, their sources and destinations
 * rootfs-paths.c's; struct build (rootfs-build.h) is the state of the build they share. */
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

#include "join.h"
#include "rootfs-build.h"
#include "rootfs.h"
#include "util.h"

void rootfs_set_root(struct build *b, int fd)
{
	if (b->rootfd >= 0)
		close(b->rootfd);
	b->rootfd = fd;
	if (fstat(fd, &b->root_st) < 0)
		die_errno(msg(MSG_ROOT_FSTAT));
}

/* --lock-file DEST, in the finished tree: resolved below the new root like every destination,
 * and opened only when it is a regular file, through the O_PATH fd that pinned it (so what
 * was checked is what is opened). A FIFO would block the open, a device could act on it. */
static int take_lock(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int path = mount_resolve(&b->mnt, b->rootfd, op->dest, true);
	struct stat st;
	char p[64];
	int fd = -1;

	if (path >= 0 && fstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
			die(msg(MSG_LOCK_NOT_REGULAR), op->dest);
		}
		fd = open(mount_fd_path(&b->mnt, path, p, sizeof(p)),
			  O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0)
		die_errno(msg(MSG_LOCK_OPEN), op->dest);
	/* A read lock, like bubblewrap's, held for as long as the sandbox runs. */
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0)
		die_errno(msg(MSG_LOCK), op->dest);
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
 * "/" stays the host's root for every other lookup until rootfs_enter_scratch pivots. */
static int mount_scratch(const struct mnt_ctx *m, int slash)
{
	struct stat host, st;

	if (m->new_api)
		return mount_new_fs(m, "tmpfs", "tmpfs", NULL, NULL, -1, NULL,
				    HMNT_NOSUID | HMNT_NODEV);
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
 * host can meet it); in the fallback it is stacked on "/" until rootfs_enter_scratch pivots
 * into it. Home of --bind-data's files, --tmp-overlay's layers and, attached, the new root. */
int rootfs_scratch(struct build *b)
{
	if (b->scratchfd >= 0)
		return b->scratchfd;
	b->scratch_mnt = mount_scratch(&b->mnt, b->hostfd);
	if (b->scratch_mnt < 0)
		die_errno(msg(MSG_SCRATCH_MOUNT));
	b->scratchfd = openat(b->scratch_mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->scratchfd < 0)
		die_errno(msg(MSG_SCRATCH_OPEN));
	return b->scratchfd;
}

/* The attached build from here on: the scratch (stacked on "/": here with the new API, by
 * mount_scratch in the fallback) becomes the root by pivot_root, the host moves to its /oldroot,
 * and the new root (when there is one yet) goes to its /newroot. The fds of the build (host,
 * base, scratch, the new root) stay valid. */
void rootfs_enter_scratch(struct build *b)
{
	if (b->attached)
		return;
	rootfs_parent_cache_drop(b);
	int sd = rootfs_scratch(b);
	if (mkdirat(sd, "oldroot", 0755) < 0 || mkdirat(sd, "newroot", 0755) < 0 ||
	    mkdirat(sd, "stage", 0755) < 0)
		die_errno(msg(MSG_SCRATCH_MKDIR));
	int sf = openat(sd, "stagefile", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (sf < 0)
		die_errno(msg(MSG_SCRATCH_CREATE));
	close(sf);
	if (b->mnt.new_api && mount_attach_tree(&b->mnt, b->scratch_mnt, b->hostfd, NULL) < 0)
		die_errno(msg(MSG_SCRATCH_MOUNT));
	if (fchdir(sd) < 0 || syscall(SYS_pivot_root, ".", "oldroot") < 0)
		die_errno(msg(MSG_SCRATCH_PIVOT));
	if (chdir("/") < 0)
		die_errno(msg(MSG_ROOT_CHDIR));
	b->mnt.stage = "/stage";
	b->mnt.stage_file = "/stagefile";
	b->mnt.proc_prefix = "/oldroot";
	b->attached = true;
	if (b->basefd >= 0) { /* the detached new root, with all that is mounted in it */
		_cleanup_close_ int newroot =
			openat(sd, "newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (newroot < 0 || mount_attach_tree(&b->mnt, b->basefd, newroot, NULL) < 0)
			die_errno(msg(MSG_BASE_MOUNT));
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
		die_errno(msg(MSG_ROOT_STATX));
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
/* The hutch face names the base as all it mounts, with the filter's digest: the mark of its
 * sandboxes (join.h). */
#define BASE_SOURCE (b.plan->base_source)

static void base_chmod(int basefd)
{
	_cleanup_close_ int d = openat(basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (d < 0 || fchmod(d, 0755) < 0)
		die_errno(msg(MSG_BASE_MODE));
}

void rootfs_child_build(const struct rootfs_plan *plan, struct int_list *locks)
{
	struct build b = {
		.plan = plan,
		.hostfd = -1,
		.basefd = -1,
		.rootfd = -1,
		.scratchfd = -1,
		.scratch_mnt = -1,
		.copy.tree = -1,
		.made.fd = -1,
	};

	mount_probe(&b.mnt);
	/* Without a new user namespace the copied mounts keep their shared peers: make them
	 * slaves first so nothing we mount propagates back to the host (mount_namespaces(7)).
	 * In a new user namespace the kernel already turned shared mounts into slaves. */
	if (plan->make_slave && mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		die_errno(msg(MSG_ROOT_SLAVE));

	b.hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.hostfd < 0)
		die_errno(msg(MSG_ROOT_OPEN));
	rootfs_resolve_magic_sources(&b);

	/* The base: the new root's tmpfs. Detached, a clone of it stacked on it is the probe
	 * (two cheap calls, no new filesystem): before 6.15 the kernel refuses (EINVAL) to
	 * attach a mount inside a detached tree, and the build goes on attached. The clone
	 * then is the new root: the same tmpfs. */
	int root = -1;
	if (!mount_may_build_detached(&b.mnt)) {
		rootfs_enter_scratch(&b);
		_cleanup_close_ int newroot =
			openat(b.scratchfd, "newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
		b.basefd = newroot < 0 ? -1 :
					 mount_new_fs(&b.mnt, "tmpfs", BASE_SOURCE, NULL, NULL,
						      newroot, NULL, HMNT_NOSUID | HMNT_NODEV);
		if (b.basefd < 0)
			die_errno(msg(MSG_BASE_MOUNT));
		base_chmod(b.basefd);
		root = fcntl(b.basefd, F_DUPFD_CLOEXEC, 3);
	} else {
		b.basefd = mount_new_fs(&b.mnt, "tmpfs", BASE_SOURCE, NULL, NULL, -1, NULL,
					HMNT_NOSUID | HMNT_NODEV);
		if (b.basefd < 0)
			die_errno(msg(MSG_BASE_MOUNT));
		base_chmod(b.basefd);
		root = mount_clone_tree(&b.mnt, b.basefd, 0);
		if (root >= 0 && mount_attach_tree(&b.mnt, root, b.basefd, NULL) < 0) {
			close(root);
			root = -1;
		}
		/* ... and that it clones a detached tree: rootfs-paths.c's source copies. */
		b.mnt.detached_trees = root >= 0;
		if (root < 0) {
			if (errno != EINVAL)
				die_errno(msg(MSG_BASE_MOUNT));
			rootfs_enter_scratch(&b);
			root = fcntl(b.basefd, F_DUPFD_CLOEXEC, 3);
		}
	}
	if (root < 0)
		die_errno("cannot duplicate the root fd");
	rootfs_set_root(&b, root);

	rootfs_replay(&b);
	/* The tree is complete; the host's /proc (for reopening) is still at hand. */
	take_locks(&b, locks);
	rootfs_close_magic_sources(&b);

	uint64_t want = mount_id(b.rootfd);
	_cleanup_close_ int spot = b.attached ? -1 : scratch_spot(b.hostfd);
	if (!b.attached && spot < 0)
		rootfs_enter_scratch(&b);
	if (b.attached) {
		/* The host goes first, with everything mounted below it (MNT_DETACH is
		 * recursive). The host's mounts are slaves or private here, so nothing
		 * propagates back. */
		close(b.hostfd);
		if (umount2("/oldroot", MNT_DETACH) < 0)
			die_errno(msg(MSG_HOST_ROOT_DETACH));
		b.mnt.proc_prefix = "";
		b.mnt.stage = b.mnt.stage_file = NULL;
	} else {
		/* Hang the new root's tree on a host directory, so that pivot_root can reach
		 * it from the host's root. */
		if (mount_attach_tree(&b.mnt, b.basefd, spot, NULL) < 0)
			die_errno(msg(MSG_BASE_MOUNT));
		close(b.hostfd);
	}
	/* pivot_root(".", ".") stacks the old root (the scratch, or the host) on the new one;
	 * the detach below removes it with everything under it (pivot_root(2), NOTES). */
	if (fchdir(b.rootfd) < 0)
		die_errno(msg(MSG_NEW_ROOT_CHDIR));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno(msg(MSG_NEW_ROOT_PIVOT));
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(msg(MSG_OLD_ROOT_DETACH));
	/* What the caller had stacked on its own root (mount --rbind X / after its root was
	 * set) came along on top of the host root: detached the same way, one at a time, and
	 * never the new root itself (checked uncovered before each). */
	uint64_t now;
	for (int i = 0; !root_uncovered(&now); i++)
		if (i == 64 || umount2(".", MNT_DETACH) < 0)
			die_errno(msg(MSG_OLD_ROOT_DETACH));
	if (chdir("/") < 0)
		die_errno(msg(MSG_ROOT_CHDIR));
	/* Defence in depth: "/", uncovered now, must be the root we built. */
	if (want && now != want)
		die(msg(MSG_NEW_ROOT_MISSING));
	close(b.rootfd);
	close(b.basefd);
	if (b.scratchfd >= 0)
		close(b.scratchfd);
	if (b.scratch_mnt >= 0)
		close(b.scratch_mnt);
}

/* rootfs-ops: one function per setup operation, replayed in command-line order on the new root
 * (rootfs.c builds the root around them). Every source and destination comes from
 * rootfs-paths.c, every mount from mount.c. Called by the setup child only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "join.h"
#include "rootfs-build.h"
#include "util.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static bool no_fchmodat2;

/* fchmodat2 (6.6): it takes flags, where fchmodat has none that Linux honours. */
static int chmod_at(int dirfd, const char *name, mode_t mode, int flags)
{
	if (no_fchmodat2) {
		errno = ENOSYS;
		return -1;
	}
	if (syscall(SYS_fchmodat2, dirfd, name, mode, flags) == 0)
		return 0;
	no_fchmodat2 = errno == ENOSYS || errno == EINVAL;
	return -1;
}

static void chmod_fd(struct build *b, int fd, int mode, const struct setup_op *op)
{
	char p[64];

	/* fchmod does not work on O_PATH fds; fchmodat2 with an empty path does, without the
	 * walk through /proc of the magic link. Where it fails (an older kernel, a filter that
	 * refuses numbers it does not know), the magic link acts on the same inode, and its
	 * error is the one reported. */
	if (chmod_at(fd, "", (mode_t)mode, AT_EMPTY_PATH) == 0)
		return;
	if (chmod(mount_fd_path(&b->mnt, fd, p, sizeof(p)), (mode_t)mode) < 0)
		die_errno(msg(MSG_OP_CHMOD), mode, op->dest, op->option);
}

/* Forget the mount the last operation kept (struct build's made). */
static void made_drop(struct build *b)
{
	if (b->made.fd >= 0)
		close(b->made.fd);
	b->made.fd = -1;
	b->made.op = NULL;
}

/* Bind src at op's destination: a directory on a directory (by its name when it is a plain
 * one), anything else on a file. */
static void do_bind(struct build *b, const struct setup_op *op, const struct source *src)
{
	unsigned attrs = HMNT_NOSUID, left;
	struct place at _cleanup_place_ = { .dirfd = -1 };

	if (op->type != SETUP_DEV_BIND)
		attrs |= HMNT_NODEV;
	if (op->type == SETUP_RO_BIND || op->type == SETUP_RO_BIND_FD ||
	    op->type == SETUP_RO_BIND_DATA)
		attrs |= HMNT_RDONLY;
	if (S_ISDIR(src->mode))
		rootfs_dest_dir(b, op, 0755, &at);
	else
		rootfs_dest_file(b, op, &at);
	int from = rootfs_source_tree(b, src, attrs, &left);
	/* A copy of a mount keeps its flags: what the source's has already need not be set. */
	if (b->mnt.new_api)
		left &= ~src->attrs;
	_cleanup_close_ int mnt = from < 0 ? -1 :
					     mount_bind_at(&b->mnt, from, at.dirfd, at.name, left);
	if (mnt < 0) {
		if (op->src)
			die_errno(msg(MSG_OP_BIND), op->src, op->dest, op->option);
		die_errno(msg(MSG_OP_BIND_FD), op->fd, op->dest, op->option);
	}
	rootfs_adopt_mount(b, &at, mnt);
	/* A directory at a plain name in the cached parent: see struct build's made. */
	if (at.name && !at.own_dirfd && !at.anywhere && S_ISDIR(src->mode)) {
		made_drop(b); /* the previous operation's, a bind too */
		b->made.op = op;
		b->made.fd = steal_fd(&mnt);
	}
}

static void op_bind(struct build *b, const struct setup_op *op)
{
	if (op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD) {
		/* The caller's fd points into the caller's mount namespace, which open_tree()
		 * refuses: bind the path it names here (resolved before the first pivot), and
		 * check that this is still the object the fd refers to (bubblewrap does both). */
		char path[64];
		struct stat want, got;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", op->fd);
		_cleanup_close_ int src_fd = rootfs_open_host(b, path);
		if (src_fd < 0)
			die_errno(msg(MSG_OP_FD_SOURCE), op->fd, op->option);
		if (fstat(op->fd, &want) < 0 || fstat(src_fd, &got) < 0 ||
		    want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
			errno = ESTALE;
			die_errno(msg(MSG_OP_FD_RACE), op->fd, op->option);
		}
		/* Its mount id is not asked for: never taken for another source. */
		struct source src = { .fd = src_fd, .mode = got.st_mode };
		do_bind(b, op, &src);
		return;
	}
	/* The source is the caller's choice on the host, resolved normally. */
	const struct source *src = rootfs_source_open(b, op);
	if (src)
		do_bind(b, op, src);
}

/* bubblewrap's texts for --remount-ro name the destination as "/newroot/DEST", then what
 * failed and the path the kernel resolved it to (attached, the new root is at /newroot too);
 * the hutch texts leave that detail off. */
static noreturn void die_remount(const struct mnt_ctx *m, const struct setup_op *op, int fd,
				 const char *what, int err)
{
	char p[64], real[PATH_MAX], detail[PATH_MAX + 128];
	const char *d = op->dest;

	while (*d == '/')
		d++;
	ssize_t n = fd < 0 ? -1 :
			     readlink(mount_fd_path(m, fd, p, sizeof(p)), real, sizeof(real) - 1);
	real[n < 0 ? 0 : n] = '\0';
	if (!what) {
		errno = err;
		die_errno(msg(MSG_REMOUNT), d, op->option);
	}
	if (err)
		snprintf(detail, sizeof(detail), "%s \"%s\"%s: %s", what, real,
			 strcmp(what, "Unable to remount destination") == 0 ?
				 " with correct flags" :
				 "",
			 strerror(err));
	else
		snprintf(detail, sizeof(detail), "%s \"%s\" in mount table", what, real);
	die(msg(MSG_REMOUNT_NOT_MOUNT), d, op->option, detail);
}

static void op_remount_ro(struct build *b, const struct setup_op *op)
{
	/* The kernel changes a mount inside a detached tree only at its root. */
	rootfs_enter_scratch(b);
	/* Right after the bind of the same destination: what is mounted there is that bind. */
	bool made = b->made.fd >= 0 && strcmp(b->made.op->dest, op->dest) == 0;
	_cleanup_close_ int fd = made ? steal_fd(&b->made.fd) : rootfs_dest_resolve(b, op);

	if (fd < 0)
		die_remount(&b->mnt, op, -1, NULL, errno);
	/* Like bubblewrap: the path must be a mount point, and only that mount changes. */
	if (!made && mount_is_mount_root(fd) == 0)
		die_remount(&b->mnt, op, fd, "Unable to find", 0);
	if (mount_set_attrs(&b->mnt, fd, HMNT_RDONLY, false) < 0)
		die_remount(&b->mnt, op, fd, "Unable to remount destination", errno);
}

static int new_fs(struct build *b, const struct setup_op *op, const char *type, const char *options,
		  unsigned attrs, mode_t dir_mode)
{
	struct place at _cleanup_place_ = { .dirfd = -1 };
	/* --file-label: the SELinux context of --tmpfs mounts (bubblewrap's rule). */
	const char *label = op->type == SETUP_TMPFS ? b->plan->file_label : NULL;

	rootfs_dest_dir(b, op, dir_mode, &at);
	/* The hutch face names what it mounts, the mark --join knows its sandboxes by (join.h). */
	const char *source = face->mark_mounts ? JOIN_MARK : type;
	int mnt = mount_new_fs(&b->mnt, type, source, options, label, at.dirfd, at.name, attrs);
	if (mnt < 0)
		die_errno(msg(MSG_OP_MOUNT), type, op->dest, op->option);
	rootfs_adopt_mount(b, &at, mnt);
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
static void cover_ro(const struct mnt_ctx *m, int mnt, const char *sub, const struct setup_op *op)
{
	_cleanup_close_ int fd = mount_resolve(m, mnt, sub, false);

	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_errno(msg(MSG_OP_OPEN_SUB), op->dest, sub, op->option);
	}
	_cleanup_close_ int ro =
		mount_bind_at(m, fd, fd, NULL, HMNT_RDONLY | HMNT_NOSUID | HMNT_NODEV);
	if (ro < 0)
		die_errno(msg(MSG_OP_SUB_RDONLY), op->dest, sub, op->option);
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
	die_errno(msg(MSG_OP_PROC_SUB), d, sub, op->option);
}

/* Old interfaces of proc that act on the whole machine: read-only. */
static void cover_proc(const struct mnt_ctx *m, int mnt, const struct setup_op *op, bool own_net)
{
	static const char *const cover[] = { "sys", "sysrq-trigger", "irq", "bus" };

	if (!face->proc_cover_all) {
		for (size_t i = 0; i < sizeof(cover) / sizeof(cover[0]); i++)
			if (writable_now(mnt, cover[i], op))
				cover_ro(m, mnt, cover[i], op);
		return;
	}
	/* The hutch face covers all four whatever the ids: kuid 0 (a root caller, with or
	 * without a user namespace) passes the uid test of most sysctls (proc_sys_permission),
	 * so the read-only mount is what keeps it off the machine's settings. Only sys/net is
	 * writable again when the network namespace is the sandbox's own: those settings are
	 * its own, and the kernel still asks for CAP_NET_ADMIN over that namespace or its root
	 * (net_ctl_permissions). Opened before the cover, it is the writable proc's. */
	_cleanup_close_ int net = own_net ? mount_resolve(m, mnt, "sys/net", false) : -1;
	if (face->proc_masks) /* the OCI list: these four and fs */
		for (const char *const *n = setup_proc_readonly; *n; n++)
			cover_ro(m, mnt, *n, op);
	else
		for (size_t i = 0; i < sizeof(cover) / sizeof(cover[0]); i++)
			cover_ro(m, mnt, cover[i], op);
	if (net < 0)
		return;
	_cleanup_close_ int dest = mount_resolve(m, mnt, "sys/net", false);
	_cleanup_close_ int rw =
		dest < 0 ? -1 : mount_bind_at(m, net, dest, NULL, HMNT_NOSUID | HMNT_NODEV);
	if (rw < 0)
		die_errno("cannot bind '%s/sys/net' writable again (--%s)", op->dest, op->option);
}

/* ---- masks ---- */

/* Nothing on a mask can be written, run, be a device or raise privileges. */
#define MASK_ATTRS (HMNT_RDONLY | HMNT_NOSUID | HMNT_NODEV | HMNT_NOEXEC)

static const char mask_name[] = ".hutch-mask";

/* The empty file of one operation's masks: its fd and the directory its name is in. */
struct mask_src {
	int fd, dirfd;
};

/* Bind an empty read-only file on fd: a new empty file in the base's root, made at the first
 * file an operation masks and unlinked by mask_end when that operation is done, so no other
 * operation reaches it by name or mounts on it, and the sandbox sees it only through the masks
 * (mountinfo names it "//deleted", as --bind-data's files; the kernel binds no file once
 * unlinked). No device node (runc binds /dev/null, which a user namespace's caller may lack),
 * and no filesystem of its own unless the base is read-only (--remount-ro / before): then in
 * the scratch. A detached mount to clone from would cost the kernel an RCU grace period when
 * closed (namespace_unlock), measured at half a millisecond a launch on a busy machine. */
static int mask_file(struct build *b, int fd, struct mask_src *src)
{
	if (src->fd < 0) {
		/* O_EXCL: the name is hutch's; one the command line made there is an error. */
		int flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
		int f = openat(src->dirfd = b->basefd, mask_name, flags, 0444);
		if (f < 0 && errno == EROFS)
			f = openat(src->dirfd = rootfs_scratch(b), mask_name, flags, 0444);
		if (f < 0)
			return -1;
		close(f);
		src->fd = openat(src->dirfd, mask_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (src->fd < 0)
			return -1;
	}
	return mount_bind_at(&b->mnt, src->fd, fd, NULL, MASK_ATTRS);
}

/* The end of an operation that masked: the empty file's name goes (see mask_file). */
static void mask_end(struct mask_src *src, const struct setup_op *op)
{
	if (src->fd < 0)
		return;
	close(src->fd);
	src->fd = -1;
	if (unlinkat(src->dirfd, mask_name, 0) < 0)
		die_errno(msg(MSG_OP_MASK), op->dest, op->option);
}

/* Mask what fd is (inside the new root) as runc and crun mask the OCI spec's maskedPaths: a
 * directory under a new empty read-only tmpfs (its own: the cost of a new filesystem is that
 * of a bind, and a clone of one would copy what a later operation stacked on it), anything
 * else under the empty file. Returns the new mount's fd, -1 errno. */
static int mask_onto(struct build *b, int fd, struct mask_src *src)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return mount_new_fs(&b->mnt, "tmpfs", face->mark_mounts ? JOIN_MARK : "tmpfs",
				    "mode=0755", NULL, fd, NULL, MASK_ATTRS);
	/* The kernel mounts nothing on a file that is unlinked, as a mask is: an empty regular
	 * file, unlinked, mounted read-only, is masked already (--proc /proc --mask /proc/kcore,
	 * or a link to a masked path), and stays as it is. */
	struct statvfs vfs;
	if (S_ISREG(st.st_mode) && st.st_nlink == 0 && st.st_size == 0 &&
	    mount_is_mount_root(fd) == 1 && fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return mask_file(b, fd, src);
}

/* --mask PATH: resolved in full inside the new root (a link there, the last name's included,
 * leads to what the sandbox would see under PATH, never out of the root: rootfs-paths.c), and
 * masked there; the mount is the sandbox's own, nothing of the host changes. A PATH that is
 * not there is an error, unlike the defaults of --proc: asked to hide a path, hutch does not
 * run the command if it cannot say it did (a misspelt PATH). */
static void op_mask(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int fd = rootfs_dest_resolve(b, op);
	struct mask_src src = { .fd = -1, .dirfd = -1 };
	_cleanup_close_ int mnt = fd < 0 ? -1 : mask_onto(b, fd, &src);

	if (mnt < 0)
		die_errno(msg(MSG_OP_MASK), op->dest, op->option);
	mask_end(&src, op);
	struct place at = { .dirfd = fd, .anywhere = true }; /* --mask / is the root */
	rootfs_adopt_mount(b, &at, mnt);
}

/* The OCI spec's default maskedPaths of proc, where this kernel has them (a name it lacks is
 * skipped, as runc skips it). */
static void mask_proc(struct build *b, int mnt, const struct setup_op *op)
{
	struct mask_src src = { .fd = -1, .dirfd = -1 };

	for (const char *const *n = setup_proc_masked; *n; n++) {
		_cleanup_close_ int fd = mount_resolve(&b->mnt, mnt, *n, false);
		if (fd < 0 && errno == ENOENT)
			continue;
		_cleanup_close_ int m = fd < 0 ? -1 : mask_onto(b, fd, &src);
		if (m < 0)
			die_errno(msg(MSG_OP_MASK_SUB), op->dest, *n, op->option);
	}
	mask_end(&src, op);
}

/* The kernel lets a user namespace mount a new proc only where a proc of the same mount
 * namespace is already fully visible: no locked mount covers anything in it but empty
 * directories (mount_too_revealing). The hutch face's covers and masks make its /proc not so,
 * which would fail every nested sandbox with a PID namespace of its own. So, when /proc's
 * directory is in the base tmpfs, a clone of the new proc's mount, taken before anything is
 * mounted in it, is put in a directory below it, which the /proc mount then hides: the kernel
 * counts it, no path reaches it. (bubblewrap covers only what is writable, so its /proc
 * stays fully visible for a user; the hutch face keeps its covers.) When: plan.c.
 * shadow_dir makes that directory before /proc is mounted over it (-1: /proc is not in the
 * base tmpfs); shadow_proc puts the clone there. A clone of the mount, not a second proc:
 * the same view for a quarter of the cost (a proc instance is most of a --proc's). */
static int shadow_dir(struct build *b, const struct setup_op *op)
{
	struct place at _cleanup_place_ = { .dirfd = -1 };
	struct stat dst, base;

	rootfs_dest_dir(b, op, 0755, &at);
	_cleanup_close_ int d =
		openat(at.dirfd, at.name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0 || fstat(d, &dst) < 0 || fstat(b->basefd, &base) < 0 || dst.st_dev != base.st_dev)
		return -1;
	if (mkdirat(d, ".hutch-proc", 0555) < 0 && errno != EEXIST)
		return -1;
	return openat(d, ".hutch-proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void shadow_proc(struct build *b, const struct setup_op *op, int mnt, int dir)
{
	_cleanup_close_ int shadow =
		mount_bind_at(&b->mnt, mnt, dir, NULL, HMNT_NOSUID | HMNT_NODEV | HMNT_NOEXEC);
	if (shadow < 0)
		die_errno(msg(MSG_OP_MOUNT), "proc", op->dest, op->option);
}

static void op_proc(struct build *b, const struct setup_op *op)
{
	_cleanup_close_ int mnt = -1;

	if (b->plan->own_pidns) {
		_cleanup_close_ int shadow = b->plan->proc_shadow ? shadow_dir(b, op) : -1;
		mnt = new_fs(b, op, "proc", NULL, HMNT_NOSUID | HMNT_NODEV | HMNT_NOEXEC, 0755);
		if (shadow >= 0)
			shadow_proc(b, op, mnt, shadow);
	} else {
		/* Same PID namespace as the host: its proc is the right view, and a new proc
		 * instance needs privilege over the host's PID namespace. Bind it, as
		 * bubblewrap does. */
		struct place at _cleanup_place_ = { .dirfd = -1 };
		_cleanup_close_ int src = rootfs_open_host(b, "/proc");
		if (src >= 0)
			rootfs_dest_dir(b, op, 0755, &at);
		mnt = src < 0 ? -1 :
				mount_bind_at(&b->mnt, src, at.dirfd, at.name,
					      HMNT_NOSUID | HMNT_NODEV);
		if (mnt < 0)
			die_errno(msg(MSG_OP_PROC_BIND), op->dest, op->option);
		rootfs_adopt_mount(b, &at, mnt);
	}
	cover_proc(&b->mnt, mnt, op, b->plan->own_netns);
	if (face->proc_masks)
		mask_proc(b, mnt, op);
}

static void dev_bind_node(struct build *b, int devfd, const char *name, const char *host_path,
			  const struct setup_op *op)
{
	_cleanup_close_ int src = rootfs_open_host(b, host_path);
	if (src < 0)
		die_errno(msg(MSG_OP_OPEN), host_path, op->option);
	int f = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (f < 0 && errno != EEXIST)
		die_errno(msg(MSG_OP_CREATE_SUB), op->dest, name, op->option);
	if (f >= 0)
		close(f);
	_cleanup_close_ int node = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	/* Device nodes keep dev: the only mounts without nodev besides --dev-bind. */
	_cleanup_close_ int mnt = node < 0 ? -1 :
					     mount_bind_at(&b->mnt, src, node, NULL, HMNT_NOSUID);
	if (mnt < 0)
		die_errno(msg(MSG_OP_BIND_SUB), host_path, op->dest, name, op->option);
}

static void op_dev(struct build *b, const struct setup_op *op)
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
			die_errno(msg(MSG_OP_SYMLINK_SUB), op->dest, links[i][0], op->option);
	if (mkdirat(devfd, "shm", 0755) < 0 || mkdirat(devfd, "pts", 0755) < 0)
		die_errno(msg(MSG_OP_DEV_MKDIR), op->dest, op->option);
	_cleanup_close_ int pts = openat(devfd, "pts", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int ptsmnt = pts < 0 ? -1 :
					       mount_new_fs(&b->mnt, "devpts", "devpts",
							    "newinstance,ptmxmode=0666,mode=620",
							    NULL, pts, NULL,
							    HMNT_NOSUID | HMNT_NOEXEC);
	if (ptsmnt < 0)
		die_errno(msg(MSG_OP_DEVPTS), op->dest, op->option);
	/* If the caller's stdout is a terminal the sandbox can already write to it; bubblewrap
	 * then offers it as /dev/console too. */
	if (b->plan->host_tty)
		dev_bind_node(b, devfd, "console", b->plan->host_tty, op);
}

static void op_dir(struct build *b, const struct setup_op *op)
{
	/* mkdirat with the mode under umask 0, never a chmod: a directory that exists (the
	 * caller's home through a bind, say) keeps its mode, as with bubblewrap. */
	struct place at _cleanup_place_ = { .dirfd = -1 };

	rootfs_dest_dir(b, op, op->perms == SETUP_PERMS_UNSET ? 0755 : (mode_t)op->perms, &at);
}

static void op_symlink(struct build *b, const struct setup_op *op)
{
	struct place at _cleanup_place_ = { .dirfd = -1 };

	rootfs_dest_parent(b, op, &at);
	int parent = at.dirfd;
	const char *last = at.name;

	if (symlinkat(op->src, parent, last) == 0)
		return;
	if (errno == EEXIST) {
		char buf[4096];
		ssize_t n = readlinkat(parent, last, buf, sizeof(buf) - 1);
		if (n >= 0) {
			buf[n] = '\0';
			if (strcmp(buf, op->src) == 0)
				return; /* an identical link is already there */
			die(msg(MSG_OP_SYMLINK_OTHER), op->dest, op->src, op->option, buf);
		}
		if (errno == EINVAL)
			die(msg(MSG_OP_SYMLINK_NOT_LINK), op->dest, op->src, op->option);
		die_errno(msg(MSG_OP_SYMLINK_UNREADABLE), op->dest, op->src, op->option);
	}
	die_errno(msg(MSG_OP_SYMLINK), op->dest, op->src, op->option);
}

static void op_chmod(struct build *b, const struct setup_op *op)
{
	struct place at _cleanup_place_ = { .dirfd = -1 };

	/* A plain name in the cached parent directory (--dir X --chmod M X): changed by that
	 * name, not following a link there (the kernel refuses to change a link's mode), so
	 * nothing on the way to the cached parent changes and the cache stays. Anything else,
	 * a link at the name included, is resolved in full. */
	if (rootfs_dest_cached(b, op, &at) &&
	    chmod_at(at.dirfd, at.name, (mode_t)op->perms, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	_cleanup_close_ int fd = rootfs_dest_resolve(b, op);

	if (fd < 0)
		die_errno(msg(MSG_OP_CHMOD), op->perms, op->dest, op->option);
	chmod_fd(b, fd, op->perms, op);
}

static void copy_fd_to(int from, int to, const struct setup_op *op)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(msg(MSG_OP_DATA_READ), op->dest, op->option, op->fd);
		if (n == 0)
			return;
		if (write_all(to, buf, (size_t)n) < 0)
			die_errno(msg(MSG_OP_WRITE), op->dest, op->option);
	}
}

static void op_file(struct build *b, const struct setup_op *op)
{
	struct place at _cleanup_place_ = { .dirfd = -1 };

	rootfs_dest_parent(b, op, &at);

	/* O_NOFOLLOW: a link planted at the name fails instead of being written through. Like
	 * bubblewrap's creat(): a new file gets the mode (umask 0), one that exists is truncated
	 * and keeps its mode (no chmod: it may be a host file seen through a bind). O_NONBLOCK
	 * and no O_TRUNC at the open: a FIFO planted there must not block us, nor a device act
	 * on the open; only a regular file is written (and then truncated). */
	const int flags = O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	const mode_t mode = op->perms == SETUP_PERMS_UNSET ? b->plan->file_mode : (mode_t)op->perms;
	/* Mostly nothing is there: a file this open made is regular and empty. */
	_cleanup_close_ int f = openat(at.dirfd, at.name, flags | O_EXCL, mode);
	if (f < 0 && errno == EEXIST) {
		struct stat st;
		f = openat(at.dirfd, at.name, flags, mode);
		if (f >= 0 && (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)))
			die(msg(MSG_OP_FILE_NOT_REGULAR), op->dest, op->option);
		if (f >= 0 && ftruncate(f, 0) < 0)
			die_errno(msg(MSG_OP_TRUNCATE), op->dest, op->option);
	}
	if (f < 0)
		die_errno(msg(MSG_OP_CREATE_FILE), op->dest, op->option);
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
	/* The setup runs under umask 0: the mode is the file's from its creation on, but for the
	 * setuid, setgid and sticky bits, which are left to fchmod. */
	_cleanup_close_ int tmp = openat(rootfs_scratch(b), name,
					 O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC,
					 mode & 0777);

	if (tmp < 0)
		die_errno(msg(MSG_OP_DATA_CREATE), op->dest, op->option);
	if ((mode & ~0777) && fchmod(tmp, mode) < 0)
		die_errno(msg(MSG_OP_DATA_CHMOD), (unsigned)mode, op->dest, op->option);
	copy_fd_to(op->fd, tmp, op);
	struct source src;
	rootfs_source_of_fd(op, tmp, &src);
	/* The scratch is mounted nosuid,nodev (mount_scratch). */
	src.attrs = HMNT_NOSUID | HMNT_NODEV;
	do_bind(b, op, &src);
	/* The mount holds the file now; like bubblewrap, the name goes (the file's link count
	 * is 0 inside, as with bubblewrap) and the scratch keeps nothing. */
	if (unlinkat(b->scratchfd, name, 0) < 0)
		die_errno(msg(MSG_OP_DATA_UNLINK), op->dest, op->option);
}

static int open_layer(struct build *b, const struct setup_op *op, const char *path)
{
	int fd = rootfs_open_host(b, path);

	if (fd < 0)
		die_errno(msg(MSG_OP_SOURCE), path, op->option);
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
		if (mkdirat(rootfs_scratch(b), up, 0755) < 0 || mkdirat(b->scratchfd, wk, 0755) < 0)
			die_errno(msg(MSG_OP_OVERLAY_UPPER), op->dest, op->option);
		upper = openat(b->scratchfd, up, O_PATH | O_DIRECTORY | O_CLOEXEC);
		work = openat(b->scratchfd, wk, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (upper < 0 || work < 0)
			die_errno(msg(MSG_OP_OVERLAY_DIRS), op->dest, op->option);
	}
	if (upper >= 0) {
		len += (size_t)snprintf(opts + len, cap - len, "upperdir=%s,",
					mount_fd_path(&b->mnt, upper, p, sizeof(p)));
		len += (size_t)snprintf(opts + len, cap - len, "workdir=%s,",
					mount_fd_path(&b->mnt, work, p, sizeof(p)));
	}
	/* The last --overlay-src is the top layer: lowerdir lists it first. */
	len += (size_t)snprintf(opts + len, cap - len, "lowerdir=");
	for (unsigned j = n; j-- > 0;)
		len += (size_t)snprintf(opts + len, cap - len, "%s%s",
					mount_fd_path(&b->mnt, fds[j], p, sizeof(p)), j ? ":" : "");
	/* Needed in a user namespace: trusted.* xattrs are out of reach there. */
	snprintf(opts + len, cap - len, ",userxattr");

	struct place at _cleanup_place_ = { .dirfd = -1 };
	rootfs_dest_dir(b, op, 0755, &at);
	bool paths;
	int mnt = mount_new_overlay(&b->mnt, fds, n, upper, work, at.dirfd, at.name,
				    HMNT_NOSUID | HMNT_NODEV, &paths);
	if (mnt < 0 && paths)
		mnt = mount_new_fs(&b->mnt, "overlay", "overlay", opts, NULL, at.dirfd, at.name,
				   HMNT_NOSUID | HMNT_NODEV);
	if (mnt < 0) {
		if (errno == ELOOP)
			die(msg(MSG_OP_OVERLAY_OVERLAP), op->dest, op->option, opts);
		/* The kernel clones each layer privately; in a user namespace it refuses
		 * (EINVAL, "failed to clone lowerpath") a layer with mounts below it, which
		 * are locked there: / and most trees the host mounts things in. */
		if (errno == EINVAL)
			die_errno_hint(
				"a layer with mounts below it (as / has) cannot be an "
				"overlay layer in a user namespace: use the directories "
				"below it as layers (--overlay-src /usr --tmp-overlay /usr), "
				"or layers on one filesystem with nothing mounted inside",
				msg(MSG_OP_OVERLAY), op->dest, op->option, opts);
		die_errno(msg(MSG_OP_OVERLAY), op->dest, op->option, opts);
	}
	rootfs_adopt_mount(b, &at, mnt);
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

void rootfs_replay(struct build *b)
{
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next) {
		switch (op->type) {
		case SETUP_BIND:
		case SETUP_RO_BIND:
		case SETUP_DEV_BIND:
		case SETUP_BIND_FD:
		case SETUP_RO_BIND_FD:
			op_bind(b, op);
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
			op_dev(b, op);
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
			break; /* taken once the tree is complete (rootfs.c) */
		case SETUP_MASK:
			op_mask(b, op);
			break;
		}
		/* What a bind kept serves the operation right after it only. */
		if (b->made.op != op)
			made_drop(b);
	}
	made_drop(b);
	rootfs_caches_drop(b);
	/* Like bubblewrap, the descriptors the operations consumed do not reach the command. */
	for (const struct setup_op *op = b->plan->ops->head; op; op = op->next)
		if (op->fd >= 0)
			close(op->fd);
}

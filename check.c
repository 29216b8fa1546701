/* check: `hutch --check`. Each item reads what the kernel says (sysctls, /proc/self/status,
 * AppArmor's files) and then tries the thing itself: a child is cloned into a new user
 * namespace exactly as a launch would be, maps its ids, makes a mount namespace and mounts
 * there (tmpfs, the detached-tree probe of rootfs.c, an overlay with userxattr). The child's
 * mounts live and die with its private namespace, so the host sees none of it; the cgroup
 * item makes and removes a cgroup through cgroup.c, as a launch with --memory would. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "check.h"
#include "landlock.h"
#include "mount.h"
#include "util.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define CHECK_LANDLOCK_VERSION 1u /* LANDLOCK_CREATE_RULESET_VERSION */

/* Where the child got, and how each step ended (0 or an errno; -1: not tried). */
enum check_path { CHECK_PATH_NONE, CHECK_PATH_DETACHED, CHECK_PATH_ATTACHED, CHECK_PATH_FALLBACK };
struct check_ns {
	int clone_err;	 /* clone(CLONE_NEWUSER), as process_spawn makes the sandbox */
	int unshare_err; /* unshare(CLONE_NEWUSER), as the in-place launch does */
	int map_err;	 /* setgroups, uid_map, gid_map of the new namespace */
	int mntns_err;	 /* unshare(CLONE_NEWNS) and making / a slave tree */
	int tmpfs_err;	 /* a tmpfs mounted in it */
	enum check_path path;
	int detach_err; /* the detached probe's errno when the build goes attached */
	int overlay_err;
};

struct check {
	FILE *out;
	bool failed; /* something the defaults need is missing */
	unsigned missing;
};

__attribute__((format(printf, 3, 4))) static void line(struct check *c, bool ok, const char *fmt,
						       ...)
{
	va_list ap;

	fprintf(c->out, "%-9s", ok ? "ok" : "missing");
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	if (!ok)
		c->missing++;
}

__attribute__((format(printf, 2, 3))) static void fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->out, "%-9shint: ", "");
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

/* A sysctl's number; false when the file is missing (the kernel has no such switch). */
static bool read_number(const char *path, long *out)
{
	char buf[64] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	*out = strtol(buf, NULL, 10);
	return true;
}

/* The first line of a small file, without its newline; false when unreadable. */
static bool read_line(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, (int)size, f))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* "Seccomp:" of /proc/self/status: 0 none, 1 strict, 2 filtered; and how many filters. */
static int seccomp_mode(long *filters)
{
	char l[256];
	long mode = 0;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");

	*filters = 0;
	while (f && fgets(l, sizeof(l), f)) {
		if (strncmp(l, "Seccomp:", 8) == 0)
			mode = strtol(l + 8, NULL, 10);
		else if (strncmp(l, "Seccomp_filters:", 16) == 0)
			*filters = strtol(l + 16, NULL, 10);
	}
	return (int)mode;
}

static int write_at(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return errno ? errno : EIO;
	return 0;
}

/* In the child, in its new user namespace: maps, a mount namespace, mounts. Fills r. */
static void child_try_mounts(struct check_ns *r, uid_t uid, gid_t gid)
{
	char map[64];
	struct mnt_ctx m;

	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	r->map_err = write_at("/proc/self/setgroups", "deny");
	if (r->map_err == ENOENT) /* before 3.19 there is no setgroups file */
		r->map_err = 0;
	if (!r->map_err)
		r->map_err = write_at("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if (!r->map_err)
		r->map_err = write_at("/proc/self/gid_map", map);
	if (r->map_err)
		return;
	/* Nothing mounted below may reach the host: a slave tree first, as rootfs.c does. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		r->mntns_err = errno;
		return;
	}
	r->mntns_err = 0;

	mount_probe(&m);
	if (!m.new_api) {
		/* The fallback mounts by path: on /tmp of this private namespace. */
		r->path = CHECK_PATH_FALLBACK;
		r->tmpfs_err = mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") <
					       0 ?
				       errno :
				       0;
		if (r->tmpfs_err)
			return;
		if (mkdir("/tmp/l", 0755) < 0 || mkdir("/tmp/u", 0755) < 0 ||
		    mkdir("/tmp/w", 0755) < 0 || mkdir("/tmp/m", 0755) < 0) {
			r->overlay_err = errno;
			return;
		}
		r->overlay_err = mount("overlay", "/tmp/m", "overlay", MS_NOSUID | MS_NODEV,
				       "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w,userxattr") <
						 0 ?
					 errno :
					 0;
		return;
	}

	/* rootfs_build's probe: a clone of a detached tmpfs attached onto it works from 6.15 on;
	 * before, EINVAL and the build goes attached. */
	_cleanup_close_ int base =
		mount_new_fs(&m, "tmpfs", "tmpfs", NULL, NULL, -1, NULL, HMNT_NOSUID | HMNT_NODEV);
	r->tmpfs_err = base < 0 ? errno : 0;
	if (base < 0)
		return;
	if (!mount_may_build_detached(&m)) {
		r->path = CHECK_PATH_ATTACHED;
	} else {
		_cleanup_close_ int tree = mount_clone_tree(&m, base, 0);
		if (tree >= 0 && mount_attach_tree(&m, tree, base, NULL) == 0) {
			r->path = CHECK_PATH_DETACHED;
		} else {
			r->path = CHECK_PATH_ATTACHED;
			r->detach_err = errno;
		}
	}

	/* The overlay's layers in a fresh tmpfs, named relative to it (the working directory). */
	_cleanup_close_ int layers =
		mount_new_fs(&m, "tmpfs", "tmpfs", NULL, NULL, -1, NULL, HMNT_NOSUID | HMNT_NODEV);
	if (layers < 0 || mkdirat(layers, "l", 0755) < 0 || mkdirat(layers, "u", 0755) < 0 ||
	    mkdirat(layers, "w", 0755) < 0 || fchdir(layers) < 0) {
		r->overlay_err = errno;
		return;
	}
	_cleanup_close_ int ovl = mount_new_fs(&m, "overlay", "overlay",
					       "lowerdir=l,upperdir=u,workdir=w,userxattr", NULL,
					       -1, NULL, HMNT_NOSUID | HMNT_NODEV);
	r->overlay_err = ovl < 0 ? errno : 0;
}

/* Run the namespace tries in children; the results come back over a pipe. */
static void try_namespaces(struct check_ns *r)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int p[2], status;
	pid_t pid;

	*r = (struct check_ns){ .clone_err = -1,
				.unshare_err = -1,
				.map_err = -1,
				.mntns_err = -1,
				.tmpfs_err = -1,
				.detach_err = 0,
				.overlay_err = -1 };

	/* unshare, in a forked child whose namespace dies with it. */
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? (errno & 0xff) : 0);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->unshare_err = WEXITSTATUS(status);

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(NULL);
	/* A raw clone without a stack behaves like fork, with the namespace flag: the call a
	 * launch makes (process_spawn). */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(p[0]);
		r->clone_err = 0;
		child_try_mounts(r, uid, gid);
		_exit(write_all(p[1], r, sizeof(*r)) < 0);
	}
	close(p[1]);
	if (pid < 0) {
		r->clone_err = errno;
		close(p[0]);
		return;
	}
	struct check_ns got;
	ssize_t n;
	do
		n = read(p[0], &got, sizeof(got));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(got))
		*r = got;
	else
		r->clone_err = 0; /* cloned, but the child died before it could tell */
}

/* ---- the items ------------------------------------------------------------------------------- */

static void check_sysctls(struct check *c, bool root)
{
	long v;

	if (!read_number("/proc/sys/kernel/unprivileged_userns_clone", &v))
		line(c, true,
		     "kernel.unprivileged_userns_clone: not in this kernel (no such switch)");
	else if (v != 0)
		line(c, true, "kernel.unprivileged_userns_clone = %ld", v);
	else if (root)
		line(c, true,
		     "kernel.unprivileged_userns_clone = 0: only privileged users may make user "
		     "namespaces (you are root)");
	else {
		line(c, false,
		     "kernel.unprivileged_userns_clone = 0: unprivileged user namespaces are off");
		fix(c,
		    "as root: sysctl -w kernel.unprivileged_userns_clone=1 (and the same line in "
		    "/etc/sysctl.d/ to keep it)");
	}

	if (!read_number("/proc/sys/user/max_user_namespaces", &v))
		line(c, false,
		     "user.max_user_namespaces: unreadable (a kernel without user "
		     "namespaces, or no /proc)");
	else if (v > 0)
		line(c, true, "user.max_user_namespaces = %ld", v);
	else {
		line(c, false, "user.max_user_namespaces = 0: no user namespace may be made here");
		fix(c, "as root: sysctl -w user.max_user_namespaces=10000 (the limit is per user "
		       "namespace: in a container, raise it in the namespace that set it to 0)");
	}
}

/* AppArmor: the restriction of Ubuntu 23.10+, and whether hutch runs under its profile. */
static void check_apparmor(struct check *c, bool root)
{
	char enabled[8] = "", label[256] = "";
	long restrict_ = 0;

	if (!read_line("/sys/module/apparmor/parameters/enabled", enabled, sizeof(enabled)) ||
	    enabled[0] != 'Y') {
		line(c, true, "AppArmor: not enabled (no restriction on user namespaces)");
		return;
	}
	bool has_sysctl =
		read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &restrict_);
	if (!read_line("/proc/self/attr/apparmor/current", label, sizeof(label)))
		read_line("/proc/self/attr/current", label, sizeof(label));
	/* "hutch (unconfined)", or "hutch-bwrap (unconfined)" for the bwrap face's path. */
	size_t len = strcspn(label, " ");
	bool own = (len == 5 || len == 11) && strncmp(label, "hutch-bwrap", len) == 0;

	if (!has_sysctl || restrict_ == 0)
		line(c, true, "kernel.apparmor_restrict_unprivileged_userns = %s",
		     has_sysctl ? "0" : "(not in this kernel)");
	else if (own || root)
		line(c, true, "kernel.apparmor_restrict_unprivileged_userns = %ld: %s", restrict_,
		     own ? "hutch runs under its own profile, which allows them" :
			   "only unprivileged users are restricted (you are root)");
	else {
		line(c, false,
		     "kernel.apparmor_restrict_unprivileged_userns = %ld: unprivileged user "
		     "namespaces get no capabilities unless a profile allows them",
		     restrict_);
		fix(c, "install hutch's profile: ./configure --with-apparmor && sudo make install "
		       "(or as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)");
	}

	/* Whether a profile named hutch is loaded (the list is root's to read on some kernels). */
	_cleanup_fclose_ FILE *f = fopen("/sys/kernel/security/apparmor/profiles", "re");
	bool loaded = false;
	char l[512];
	while (f && fgets(l, sizeof(l), f))
		loaded |= strncmp(l, "hutch ", 6) == 0 || strncmp(l, "hutch-bwrap ", 12) == 0;
	if (own)
		line(c, true, "AppArmor profile 'hutch': loaded, and this hutch runs under it (%s)",
		     label);
	else if (loaded)
		line(c, !restrict_ || root,
		     "AppArmor profile 'hutch': loaded, but this hutch runs as '%s' (not at the "
		     "path the profile names)",
		     label[0] ? label : "unconfined");
	else
		line(c, !restrict_ || root, "AppArmor profile 'hutch': %s",
		     f ? "not loaded" : "cannot tell whether it is loaded (no access to the list)");
	if (restrict_ && !root && !own)
		fix(c, "as root: apparmor_parser -r /etc/apparmor.d/hutch (after make install with "
		       "--with-apparmor; the profile names the installed paths)");
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case EUSERS:
		return "EUSERS";
	case EACCES:
		return "EACCES";
	default:
		return strerror(e);
	}
}

/* Whether a switch of the kernel refuses this user a user namespace (the sysctl items). */
static bool kernel_refuses(bool root)
{
	long v;

	return (read_number("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0 && !root) ||
	       (read_number("/proc/sys/user/max_user_namespaces", &v) && v == 0);
}

/* A container's seccomp filter: how clone3, clone and unshare fare under it. */
static void check_seccomp(struct check *c, const struct check_ns *r, bool root)
{
	long filters;
	int mode = seccomp_mode(&filters);

	if (mode == 0) {
		line(c, true,
		     "seccomp: no filter on this process (clone and unshare are not filtered)");
		return;
	}
	/* An invalid clone3 (no arguments): the kernel says EINVAL; ENOSYS or EPERM come from a
	 * filter (or a kernel before 5.3). hutch then clones with clone(2). */
	errno = 0;
	long rc = syscall(SYS_clone3, NULL, (size_t)0);
	int c3 = rc < 0 ? errno : 0;
	bool refused = (r->clone_err > 0 && r->clone_err != ENOSPC && r->clone_err != EUSERS) ||
		       (r->unshare_err > 0 && r->unshare_err != ENOSPC && r->unshare_err != EUSERS);
	char c3note[96] = "";
	if (c3 == ENOSYS || c3 == EPERM)
		snprintf(c3note, sizeof(c3note), "; clone3 refused with %s (hutch uses clone then)",
			 errno_name(c3));
	if (!refused) {
		line(c, true,
		     "seccomp: %ld filter%s on this process; clone and unshare of a user "
		     "namespace pass%s",
		     filters, filters == 1 ? "" : "s", c3note);
		return;
	}
	line(c, false,
	     "seccomp: %ld filter%s on this process; clone(CLONE_NEWUSER) fails with %s, "
	     "unshare(CLONE_NEWUSER) with %s%s",
	     filters, filters == 1 ? "" : "s",
	     r->clone_err > 0 ? errno_name(r->clone_err) : "no error",
	     r->unshare_err > 0 ? errno_name(r->unshare_err) : "no error", c3note);
	fix(c,
	    "%s; in a container, run it with a seccomp profile that allows clone and unshare "
	    "with CLONE_NEWUSER (docker/podman: --security-opt seccomp=PROFILE)",
	    r->clone_err == ENOSYS || r->unshare_err == ENOSYS ?
		    "ENOSYS is a filter's answer for what it does not know, not the kernel's" :
	    kernel_refuses(root) ? "EPERM here may be the kernel's (see the lines above)" :
				   "no switch of the kernel refuses it: the filter does");
}

/* Whether capability `bit` is in this process's effective set (CapEff of /proc/self/status). */
static bool has_cap(unsigned bit)
{
	char l[256];
	unsigned long long eff = 0;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(l, sizeof(l), f))
		if (strncmp(l, "CapEff:", 7) == 0)
			eff = strtoull(l + 7, NULL, 16);
	return (eff >> bit) & 1;
}

/* The try itself: what the defaults need. */
static void check_userns(struct check *c, const struct check_ns *r, bool root)
{
	long v;

	if (r->clone_err != 0) {
		int e = r->clone_err;
		line(c, false, "user namespace: clone(CLONE_NEWUSER) fails: %s (%s)",
		     e > 0 ? strerror(e) : "not tried", e > 0 ? errno_name(e) : "?");
		c->failed = true;
		if (e == ENOSPC)
			fix(c,
			    "the count of user namespaces is at user.max_user_namespaces (or it is "
			    "0) here or in a parent namespace: raise it there");
		else if (e == EUSERS)
			fix(c,
			    "user namespaces nest 32 deep at most: run hutch from a shallower one");
		else if (e == EINVAL)
			fix(c, "this kernel was built without user namespaces (CONFIG_USER_NS)");
		else if (e == EPERM &&
			 read_number("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0 &&
			 !root)
			fix(c, "kernel.unprivileged_userns_clone is 0 (see its line)");
		else if ((e == EPERM || e == ENOSYS) && seccomp_mode(&v) == 2)
			fix(c,
			    "the seccomp filter on this process refuses it (see the seccomp line)");
		else if (e == EPERM)
			fix(c,
			    "the kernel refuses a user namespace to a chrooted process, and a "
			    "container's seccomp filter may refuse it (see the seccomp line): run "
			    "hutch outside the chroot, or the container with a profile that "
			    "allows clone");
		else
			fix(c, "see the lines above for the switches that refuse user namespaces");
		return;
	}
	if (r->map_err != 0 || r->mntns_err != 0 || r->tmpfs_err != 0) {
		const char *what = r->map_err	? "writing its uid and gid maps" :
				   r->mntns_err ? "making a mount namespace in it" :
						  "mounting a tmpfs in it";
		int e = r->map_err ? r->map_err : r->mntns_err ? r->mntns_err : r->tmpfs_err;
		line(c, false, "user namespace: made, but %s fails: %s", what,
		     e > 0 ? strerror(e) : "the child did not say");
		c->failed = true;
		if (r->map_err == EPERM && root && !has_cap(31 /* CAP_SETFCAP */))
			fix(c, "uid 0 of this user namespace can be mapped only by a process with "
			       "CAP_SETFCAP in it (Linux 5.12+), which this one lacks (a sandbox's "
			       "root?): run hutch as another uid");
		else if (read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
				     &v) &&
			 v)
			fix(c,
			    "AppArmor gives unprivileged user namespaces no capabilities: install "
			    "hutch's profile (see the AppArmor lines)");
		else
			fix(c,
			    "a security module or a container's filter takes the namespace's "
			    "capabilities; run hutch where mounts in a user namespace are allowed");
		return;
	}
	line(c, true, "user namespace: cloned one, mapped uid %u and mounted in it",
	     (unsigned)geteuid());
	if (r->unshare_err > 0) {
		line(c, false, "unshare(CLONE_NEWUSER) fails (%s) though clone works",
		     errno_name(r->unshare_err));
		fix(c, "the hutch face runs the command in its own process (unshare) only without "
		       "--unshare-pid; add --unshare-pid, which clones instead");
	}
}

static void check_mount_api(struct check *c, const struct check_ns *r)
{
	struct mnt_ctx m;

	mount_probe(&m);
	if (m.openat2)
		line(c, true, "openat2: paths resolve with RESOLVE_IN_ROOT");
	else {
		line(c, false,
		     "openat2: missing (before Linux 5.6): hutch walks each path one "
		     "step at a time instead (as safe, slower)");
		fix(c, "Linux 5.6 or later has it");
	}

	const char *path = "as the kernel allows (no mount namespace could be tried)";
	switch (r->path) {
	case CHECK_PATH_DETACHED:
		path = "detached (outside every namespace until it is complete; Linux 6.15+)";
		break;
	case CHECK_PATH_ATTACHED:
		path = r->detach_err ? "attached (this kernel attaches no mount inside a detached "
				       "tree; Linux 6.15 does)" :
				       "attached";
		break;
	case CHECK_PATH_FALLBACK:
		path = "fallback (mount(2) by path through a private stage)";
		break;
	case CHECK_PATH_NONE:
		break;
	}
	if (m.new_api)
		line(c, true,
		     "mount API (open_tree, move_mount, mount_setattr, fsopen): the root is "
		     "built %s",
		     path);
	else {
		line(c, false,
		     "mount API (open_tree, move_mount, mount_setattr, fsopen): missing "
		     "(before Linux 5.12): the root is built by the %s",
		     path);
		fix(c, "the fallback is as safe, but slower; Linux 5.12 or later has the API");
	}
}

static void check_overlay(struct check *c, const struct check_ns *r)
{
	if (r->overlay_err == 0) {
		line(c, true, "overlayfs: mounts with userxattr in a user namespace");
		return;
	}
	if (r->overlay_err < 0) {
		line(c, false, "overlayfs: not tried (no mount namespace)");
		fix(c, "see the user namespace line");
		return;
	}
	line(c, false, "overlayfs: the mount with userxattr in a user namespace fails: %s",
	     strerror(r->overlay_err));
	fix(c, "--overlay, --tmp-overlay and --ro-overlay need Linux 5.11 or later with overlayfs "
	       "(modprobe overlay; CONFIG_OVERLAY_FS)");
}

static void check_cgroup(struct check *c)
{
	struct cgroup_request req = {
		.set = CGROUP_SET_MEMORY | CGROUP_SET_PIDS,
		.memory = CGROUP_MAX,
		.pids = CGROUP_MAX,
	};
	struct cgroup_sandbox *cg = NULL;
	struct error err = { 0 };

	if (cgroup_create(&req, &cg, &err) < 0) {
		bool hinted = strstr(err.msg, "\nhint: ") != NULL;
		char *nl = strchr(err.msg, '\n');
		if (nl)
			*nl = '\0';
		line(c, false, "cgroup for --memory and --pids: %s", err.msg);
		while (nl) {
			char *next = strchr(nl + 1, '\n');
			if (next)
				*next = '\0';
			const char *h = nl + 1;
			if (strncmp(h, "hint: ", 6) == 0)
				h += 6;
			if (*h)
				fix(c, "%s", h);
			nl = next;
		}
		if (!hinted)
			fix(c, "limits are optional: --limits-try stands in with rlimits");
		return;
	}
	char where[512];
	snprintf(where, sizeof(where), "%s", cgroup_path(cg, 0) ? cgroup_path(cg, 0) : "?");
	struct error derr = { 0 };
	bool removed = cgroup_destroy(cg, &derr) == 0;
	char *base = strrchr(where, '/');
	if (base && base != where)
		*base = '\0';
	line(c, removed, "cgroup for --memory and --pids: made and removed one below %s", where);
	if (!removed)
		fix(c, "%s", derr.msg);
}

/* A program on PATH; its full path into buf. */
static bool on_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		if (len > 0 && len + strlen(name) + 2 <= size) {
			snprintf(buf, size, "%.*s/%s", (int)len, path, name);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

static void check_network(struct check *c, bool root)
{
	char pasta[512], slirp[512];
	bool has_pasta = on_path("pasta", pasta, sizeof(pasta));
	bool has_slirp = on_path("slirp4netns", slirp, sizeof(slirp));

	if (has_pasta || has_slirp)
		line(c, true, "user-mode networking: %s%s%s", has_pasta ? pasta : "",
		     has_pasta && has_slirp ? ", " : "", has_slirp ? slirp : "");
	else {
		line(c, false, "user-mode networking: neither pasta nor slirp4netns is on PATH");
		fix(c, "install one (Debian, Ubuntu: apt-get install passt, or slirp4netns)");
	}

	struct stat st;
	if (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode)) {
		line(c, false, "/dev/net/tun: %s",
		     errno == ENOENT ? "does not exist" : strerror(errno));
		fix(c,
		    "as root: mknod -m 0666 /dev/net/tun c 10 200 (modprobe tun; in a container: "
		    "--device /dev/net/tun)");
		return;
	}
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	int e = errno;
	unsigned mode = st.st_mode & 07777;
	if (fd >= 0 && (mode & 0006) == 0006) {
		line(c, true, "/dev/net/tun: opens (mode %04o)", mode);
	} else if (fd >= 0) {
		line(c, true, "/dev/net/tun: opens for you (mode %04o: %s)", mode,
		     root ? "only root can, other users cannot" : "not every user can");
		fix(c,
		    "for other users, as root: chmod 0666 /dev/net/tun (udev's default; making an "
		    "interface still takes CAP_NET_ADMIN)");
	} else {
		line(c, false, "/dev/net/tun: cannot open it: %s (mode %04o, owner %u)",
		     strerror(e), mode, (unsigned)st.st_uid);
		fix(c, e == EACCES ?
			       "as root: chmod 0666 /dev/net/tun (udev's default; making an "
			       "interface still takes CAP_NET_ADMIN)" :
			       "a container's device rules refuse it: allow the device c 10:200");
	}
}

static void check_landlock(struct check *c)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, (size_t)0, CHECK_LANDLOCK_VERSION);

	if (abi > 0) {
		char buf[256];
		line(c, true, "Landlock: ABI %ld, --landlock uses ABI %d: %s", abi,
		     abi > LANDLOCK_ABI_KNOWN ? LANDLOCK_ABI_KNOWN : (int)abi,
		     landlock_abi_features(abi > LANDLOCK_ABI_KNOWN ? LANDLOCK_ABI_KNOWN : (int)abi,
					   buf, sizeof(buf)));
		if (abi == 1)
			fix(c, "ABI 1 denies moving files between directories: --landlock-try (and "
			       "--base) go on without Landlock; Linux 5.19 or later has ABI 2");
		return;
	}
	if (errno == EOPNOTSUPP) {
		line(c, false, "Landlock: in the kernel but not enabled");
		fix(c, "add landlock to the lsm= list on the kernel command line");
	} else {
		line(c, false, "Landlock: not in this kernel (%s)", errno_name(errno));
		fix(c, "Linux 5.13 or later built with CONFIG_SECURITY_LANDLOCK");
	}
}

int check_run(FILE *out)
{
	struct check c = { .out = out };
	struct check_ns r;
	bool root = geteuid() == 0;

	fflush(out);
	try_namespaces(&r);
	check_sysctls(&c, root);
	check_apparmor(&c, root);
	check_seccomp(&c, &r, root);
	check_userns(&c, &r, root);
	check_mount_api(&c, &r);
	check_overlay(&c, &r);
	fflush(out);
	check_cgroup(&c);
	check_network(&c, root);
	check_landlock(&c);
	if (c.failed)
		fprintf(out, "%s: cannot run sandboxes here: see the missing user namespace line\n",
			face->prog);
	else
		fprintf(out, "%s: sandboxes can run here (%u optional feature%s missing)\n",
			face->prog, c.missing, c.missing == 1 ? "" : "s");
	fflush(out);
	return c.failed ? 1 : 0;
}

/* landlock: the Landlock ruleset derived from the plan (landlock(7)).
 *
 * Once the root is built, hutch knows every path the command may reach and whether it is
 * writable: each mount the setup made (a bind, a tmpfs, /proc, /dev, an overlay, the base
 * tmpfs of "/") gets a rule on its root with the rights of the mount. Landlock rules belong to
 * inodes and hold for everything below them, whatever path reaches them: inside the sandbox
 * the base tmpfs's rule covers the whole tree (its mount flags are the wall there), while a
 * path that leaves the tree (an fd of a host directory, passed or smuggled in) meets only the
 * rules of the host inodes the plan binds, with their own rights, and nothing above them.
 *
 * The rules are opened after pivot_root, below the new "/" (RESOLVE_IN_ROOT, no magic links),
 * so what gets a rule is what the command sees; the domain starts after no_new_privs and
 * before the reaper forks, so pid 1 is in it too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/* <linux/landlock.h> of the build machine may be older than the kernel: hutch's own copy. */
#define LL_CREATE_RULESET_VERSION   1u
#define LL_RULE_PATH_BENEATH	    1
#define LL_FS_EXECUTE		    (1ULL << 0)
#define LL_FS_WRITE_FILE	    (1ULL << 1)
#define LL_FS_READ_FILE		    (1ULL << 2)
#define LL_FS_READ_DIR		    (1ULL << 3)
#define LL_FS_ABI1		    ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER		    (1ULL << 13)       /* ABI 2 */
#define LL_FS_TRUNCATE		    (1ULL << 14)       /* ABI 3 */
#define LL_FS_IOCTL_DEV		    (1ULL << 15)       /* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX	    (1ULL << 0)	       /* ABI 6 */
#define LL_SCOPE_SIGNAL		    (1ULL << 1)
#define LL_RESTRICT_LOG_NEW_EXEC_ON (1u << 1) /* ABI 7 */

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule	    445
#define SYS_landlock_restrict_self  446
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fsopen
#define SYS_fsopen   430
#define SYS_fsconfig 431
#define SYS_fsmount  432
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* ---- rights (pure) ---- */

uint64_t landlock_fs_handled(int abi)
{
	uint64_t r = 0;

	if (abi >= 1)
		r |= LL_FS_ABI1;
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

uint64_t landlock_fs_rights(int abi, bool writable, bool dir)
{
	uint64_t r = writable ? landlock_fs_handled(abi) :
				LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;

	/* The kernel refuses a rule on a file with rights only directories have (EINVAL). */
	if (!dir)
		r &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE |
		     LL_FS_IOCTL_DEV;
	return r & landlock_fs_handled(abi);
}

const char *landlock_abi_features(int abi, char *buf, size_t size)
{
	snprintf(buf, size, "files and directories%s%s%s%s%s%s", abi >= 2 ? ", refer" : "",
		 abi >= 3 ? ", truncate" : "", abi >= 5 ? ", ioctl on devices" : "",
		 abi >= 4 ? "; TCP bind and connect (unused)" : "",
		 abi >= 6 ? "; scoping of signals and abstract unix sockets" : "",
		 abi >= 7 ? "; audit flags" : "");
	return buf;
}

const char *landlock_rights_name(bool writable)
{
	return writable ? "read-write" : "read-only (read, list, execute)";
}

/* ---- the rules of a plan (pure) ---- */

/* "/a//b/./c/" -> "/a/b/c"; relative destinations are below the new root like absolute ones
 * (rootfs-paths.c). ".." stays: the kernel resolves it below the root. */
static char *normalise(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2), *o = out;

	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (!(len == 1 && p[0] == '.')) {
			*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

/* path is base or below it. */
static bool below(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (strcmp(base, "/") == 0)
		return true;
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void drop(struct landlock_plan *lp, unsigned i)
{
	free(lp->rules[i].path);
	memmove(&lp->rules[i], &lp->rules[i + 1], (lp->n - i - 1) * sizeof(lp->rules[0]));
	lp->n--;
}

static void add(struct landlock_plan *lp, char *path, bool writable, bool host, const char *option,
		const char *origin)
{
	/* A mount at a path hides what was mounted there or below it before. */
	for (unsigned i = 0; !host && i < lp->n;)
		if (!lp->rules[i].host && below(lp->rules[i].path, path))
			drop(lp, i);
		else
			i++;
	lp->rules = xrealloc(lp->rules, (lp->n + 1) * sizeof(lp->rules[0]));
	lp->rules[lp->n++] = (struct landlock_rule){
		.path = path,
		.writable = writable,
		.host = host,
		.option = option,
		.origin = origin,
	};
}

/* Which mounts an op makes: 1 writable, 0 read-only, -1 none (it lives on another mount). */
static int op_mount(enum setup_op_type t)
{
	switch (t) {
	case SETUP_BIND:
	case SETUP_DEV_BIND:
	case SETUP_BIND_FD:
	case SETUP_TMPFS:
	case SETUP_PROC:
	case SETUP_DEV:
	case SETUP_MQUEUE:
	case SETUP_OVERLAY:
	case SETUP_TMP_OVERLAY:
	case SETUP_BIND_DATA:
		return 1;
	case SETUP_RO_BIND:
	case SETUP_RO_BIND_FD:
	case SETUP_RO_OVERLAY:
	case SETUP_RO_BIND_DATA:
		return 0;
	default:
		return -1;
	}
}

int landlock_plan_rules(const struct setup_list *ops, const struct landlock_path *extra,
			unsigned n_extra, struct landlock_plan *lp, struct error *err)
{
	/* The base tmpfs of "/": writable, as bubblewrap's is, unless remounted. */
	add(lp, normalise("/"), true, false, NULL, NULL);
	for (const struct setup_op *op = ops ? ops->head : NULL; op; op = op->next) {
		int m = op_mount(op->type);

		/* make's jobserver fifo is bound read-only (nothing may replace it) and written
		 * to: a fifo on a read-only mount takes writes, a read-only rule would not. */
		if (m == 0 && op->origin && strcmp(op->origin, "MAKEFLAGS") == 0)
			m = 1;
		if (m >= 0) {
			add(lp, normalise(op->dest), m == 1, false, op->option, op->origin);
			continue;
		}
		if (op->type != SETUP_REMOUNT_RO)
			continue;
		/* The mount the path is on: the deepest rule above it. */
		char *p = normalise(op->dest);
		struct landlock_rule *on = NULL;
		for (unsigned i = 0; i < lp->n; i++)
			if (!lp->rules[i].host && below(p, lp->rules[i].path) &&
			    (!on || strlen(lp->rules[i].path) > strlen(on->path)))
				on = &lp->rules[i];
		free(p);
		if (on)
			on->writable = false;
	}
	for (unsigned i = 0; i < n_extra; i++) {
		if (!extra[i].path[0])
			return error_set(err, "--landlock-%s: the path is empty",
					 extra[i].writable ? "rw" : "ro");
		add(lp, xstrdup(extra[i].path), extra[i].writable, true,
		    extra[i].writable ? "landlock-rw" : "landlock-ro", NULL);
	}
	return 0;
}

void landlock_plan_free(struct landlock_plan *lp)
{
	for (unsigned i = 0; i < lp->n; i++)
		free(lp->rules[i].path);
	free(lp->rules);
	lp->rules = NULL;
	lp->n = 0;
}

/* ---- the kernel (impure) ---- */

#ifdef HUTCH_TEST_HOOKS
#include <time.h>
/* bench/landlock-bench.sh (the test build only): the CPU time and the wall time of the setup
 * child's Landlock steps, said on stderr when HUTCH_TEST_LANDLOCK_COST is set. The CPU time
 * of this thread (system time of the calls included) does not count the time other
 * processes of a loaded machine take from it. */
static struct {
	uint64_t cpu, wall, nested_cpu;
} cost;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#define COST_BEGIN()                                            \
	uint64_t cost_cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), \
		 cost_wall0 = clock_ns(CLOCK_MONOTONIC)
#define COST_END()                                                  \
	(cost.cpu += clock_ns(CLOCK_THREAD_CPUTIME_ID) - cost_cpu0, \
	 cost.wall += clock_ns(CLOCK_MONOTONIC) - cost_wall0)
#define COST_SAY()                                                                              \
	do {                                                                                    \
		if (getenv("HUTCH_TEST_LANDLOCK_COST"))                                         \
			fprintf(stderr,                                                         \
				"landlock-cost: cpu_ns=%llu wall_ns=%llu nested_cpu_ns=%llu\n", \
				(unsigned long long)cost.cpu, (unsigned long long)cost.wall,    \
				(unsigned long long)cost.nested_cpu);                           \
	} while (0)
#else
#define COST_BEGIN() (void)0
#define COST_END()   (void)0
#define COST_SAY()   (void)0
#endif

int landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, (size_t)0, LL_CREATE_RULESET_VERSION);

	if (abi <= 0)
		return 0;
	return abi > LANDLOCK_ABI_KNOWN ? LANDLOCK_ABI_KNOWN : (int)abi;
}

static void add_rule(const struct landlock_plan *lp, struct landlock_child *lc, int fd,
		     const struct landlock_rule *r, mode_t mode)
{
	struct ll_path_beneath_attr a = {
		.allowed_access = landlock_fs_rights(lp->abi, r->writable, S_ISDIR(mode)),
		.parent_fd = fd,
	};
	if (syscall(SYS_landlock_add_rule, lc->fd, LL_RULE_PATH_BENEATH, &a, 0) < 0)
		die_errno(msg(MSG_LANDLOCK_RULE), r->path);
}

/* The command's own descriptors (0, 1, 2 and --pass-fd's): a file one of them holds may be opened
 * again through /proc/self/fd (`echo >/dev/stderr` with stderr a host file), with at most the
 * access the descriptor has; a directory gets no rule (it would open the tree below it), nor
 * does a pipe or a socket (Landlock never restricts them: EBADFD). */
static void add_fd_rules(const struct landlock_plan *lp, struct landlock_child *lc, const int *fds,
			 unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct stat st;
		int fl = fcntl(fds[i], F_GETFL);
		uint64_t a = 0;

		if (fl < 0 || fstat(fds[i], &st) < 0 || S_ISDIR(st.st_mode) || (fl & O_PATH))
			continue;
		if ((fl & O_ACCMODE) != O_WRONLY)
			a |= LL_FS_READ_FILE;
		if ((fl & O_ACCMODE) != O_RDONLY)
			a |= LL_FS_WRITE_FILE | LL_FS_TRUNCATE;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			a |= LL_FS_IOCTL_DEV;
		struct ll_path_beneath_attr attr = {
			.allowed_access = a & landlock_fs_handled(lp->abi),
			.parent_fd = fds[i],
		};
		if (syscall(SYS_landlock_add_rule, lc->fd, LL_RULE_PATH_BENEATH, &attr, 0) < 0 &&
		    errno != EBADFD) {
			char what[32];
			snprintf(what, sizeof(what), "fd %d", fds[i]);
			die_errno(msg(MSG_LANDLOCK_RULE), what);
		}
	}
}

void landlock_child_begin(const struct landlock_plan *lp, struct landlock_child *lc, const int *fds,
			  unsigned nfds)
{
	struct ll_ruleset_attr attr = {
		.handled_access_fs = landlock_fs_handled(lp->abi),
		.scoped = (lp->scope_signal ? LL_SCOPE_SIGNAL : 0) |
			  (lp->scope_abstract ? LL_SCOPE_ABSTRACT_UNIX : 0),
	};
	/* An older kernel refuses (E2BIG) a struct with fields it does not know set, and is
	 * given only those it knows. */
	size_t size = lp->abi >= 6 ? sizeof(attr) : lp->abi >= 4 ? 16 : 8;

	lc->fd = -1;
	if (!lp->on)
		return;
	COST_BEGIN();
	lc->fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (lc->fd < 0)
		die_errno(msg(MSG_LANDLOCK_RULESET));
	/* The caller's paths, as the caller names them (relative to its directory). */
	for (unsigned i = 0; i < lp->n; i++) {
		if (!lp->rules[i].host)
			continue;
		int fd = open(lp->rules[i].path, O_PATH | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0)
			die_errno(msg(MSG_LANDLOCK_RULE), lp->rules[i].path);
		add_rule(lp, lc, fd, &lp->rules[i], st.st_mode);
		close(fd);
	}
	static const int stdio[] = { 0, 1, 2 };
	add_fd_rules(lp, lc, stdio, 3);
	add_fd_rules(lp, lc, fds, nfds);
	COST_END();
}

struct ll_open_how {
	uint64_t flags, mode, resolve;
};

void landlock_child_add_root(const struct landlock_plan *lp, struct landlock_child *lc)
{
	if (lc->fd < 0)
		return;
	COST_BEGIN();
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die_errno(msg(MSG_LANDLOCK_RULE), "/");
	for (unsigned i = 0; i < lp->n; i++) {
		const struct landlock_rule *r = &lp->rules[i];
		struct ll_open_how how = { .flags = O_PATH | O_CLOEXEC,
					   .resolve = 0x10 /* RESOLVE_IN_ROOT */ |
						      0x02 /* RESOLVE_NO_MAGICLINKS */ };
		struct statx sx;

		if (r->host)
			continue;
		const char *rel = strcmp(r->path, "/") == 0 ? "." : r->path + 1;
		int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
		/* Covered by a later mount, or a --*-try whose source was missing: what is
		 * there now is another mount's, with that mount's rule. */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			continue;
		if (fd < 0)
			die_errno(msg(MSG_LANDLOCK_RULE), r->path);
		if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &sx) < 0 ||
		    !(sx.stx_mask & STATX_TYPE))
			die_errno(msg(MSG_LANDLOCK_RULE), r->path);
		if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
		    (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
			add_rule(lp, lc, fd, r, sx.stx_mode);
		close(fd);
	}
	close(root);
	COST_END();
}

void landlock_child_restrict(const struct landlock_plan *lp, struct landlock_child *lc)
{
	/* ABI 7: the command's denials reach the audit log (by default only those of the
	 * program that asked for the domain, hutch, would). */
	unsigned flags = lp->abi >= 7 ? LL_RESTRICT_LOG_NEW_EXEC_ON : 0;

	if (lc->fd < 0)
		return;
	COST_BEGIN();
	if (syscall(SYS_landlock_restrict_self, lc->fd, flags) < 0)
		die_errno(msg(MSG_LANDLOCK_RESTRICT));
	close(lc->fd);
	lc->fd = -1;
	COST_END();
	COST_SAY();
}

/* A Landlock domain, whoever made it, denies access below a mount that no rule covers: a new
 * detached tmpfs is one (fsmount needs no permission Landlock checks; opening in it does). */
static bool under_landlock(void)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
	int mnt = -1;
	bool denied = false;

	if (fs >= 0 && syscall(SYS_fsconfig, fs, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) == 0)
		mnt = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0);
	if (mnt >= 0) {
		int d = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int f = d >= 0 ? -1 : errno;
		if (d >= 0)
			close(d);
		d = openat(mnt, "probe", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		denied = f == EACCES || (d < 0 && errno == EACCES);
		if (d >= 0)
			close(d);
		close(mnt);
	}
	if (fs >= 0)
		close(fs);
	return denied;
}

void landlock_child_refuse_nested(void)
{
	/* Two propagation types at once: the kernel refuses it (EINVAL) after the security
	 * check of mount(2), which is where Landlock says EPERM; nothing changes either way. */
#ifdef HUTCH_TEST_HOOKS
	uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	int r = mount(NULL, "/", NULL, MS_SHARED | MS_SLAVE, NULL), e = errno;
	cost.nested_cpu += clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	errno = e;
	if (r == 0 || errno != EPERM)
		return;
#else
	if (mount(NULL, "/", NULL, MS_SHARED | MS_SLAVE, NULL) == 0 || errno != EPERM)
		return;
#endif
	if (!under_landlock())
		return;
	error_line("%s", msg(MSG_LANDLOCK_NESTED));
	hint("give the sandbox this runs in --no-landlock (after --base, which turns Landlock on) "
	     "to build sandboxes inside it");
	die_exit(face->exit_setup);
}

/* join: run a command inside a running hutch sandbox (hutch --join PID [--] COMMAND).
 *
 * What it takes from the target process, and from where (all read as the caller, before it
 * changes anything, so the kernel's ptrace check on /proc/PID/ns, root and cwd decides who may
 * join: proc(5), "ptrace access mode"):
 *   - its namespaces: /proc/PID/ns/{user,mnt,pid,net,ipc,uts,cgroup};
 *   - its root and working directory: /proc/PID/root, /proc/PID/cwd;
 *   - its ids, groups and capability sets: /proc/PID/status, translated through its maps;
 *   - the mark that says it is a hutch sandbox, and the digest of its filter:
 *     /proc/PID/mountinfo, the source name of the root's tmpfs (join.h), in a mount namespace
 *     that belongs to the sandbox's first user namespace, where the command (without
 *     CAP_SYS_ADMIN) cannot mount;
 *   - its environment: /proc/PID/environ (the caller's own stays outside);
 *   - its cgroup in every hierarchy: /proc/PID/cgroup (the joined command is moved there).
 * The seccomp filter cannot be read back unprivileged: the joined command gets the filter of
 * the seccomp options given to --join (the default profile without any), and only when its
 * digest is the one the mark records; otherwise --join refuses. The sandbox can ptrace the
 * joined command (same uid, same user namespace): it must hold nothing the sandbox's command
 * lacks. So its filter, cgroup, capabilities and environment are the sandbox's, and its
 * standard streams are a pty or pipes relayed by a process that stays outside (join-relay.c).
 *
 * The order of the setns calls is the point (user_namespaces(7)): a namespace may be joined
 * only with CAP_SYS_ADMIN in the user namespace that owns it. hutch nests a second user
 * namespace for --dev, --uid, --disable-userns; the sandbox's other namespaces belong to the
 * first one. Entering the innermost user namespace first (what nsenter does) leaves no
 * capability in the first one, hence nsenter's EPERM: here the user namespaces are entered
 * from the outermost down, and each other namespace right after its owner. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "exec-diag.h"
#include "join-relay.h"
#include "join.h"
#include "cgroup.h"
#include "cgroup-tree.h"
#include "process.h"
#include "seccomp-request.h"
#include "seccomp.h"
#include "util.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT		 47
#define PR_CAP_AMBIENT_RAISE	 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define MAX_USERNS 32

static const struct {
	const char *name;
	int flag;
} ns_kinds[] = {
	/* mnt first among those of one owner: the root and cwd follow it at once. */
	{ "mnt", CLONE_NEWNS },	 { "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
};
#define N_KINDS (sizeof(ns_kinds) / sizeof(ns_kinds[0]))

struct ns_ref {
	int fd;
	dev_t dev;
	ino_t ino;
	int owner; /* index in the user namespace chain; -1: the caller's own */
};

struct target {
	pid_t pid;
	int procfd;		/* /proc/PID */
	int userns[MAX_USERNS]; /* the chain, outermost (a child of ours) first */
	unsigned n_userns;
	struct ns_ref ns[N_KINDS];
	int rootfd, cwdfd;
	uid_t uid[4]; /* real, effective, saved, fs: inside the target's user namespace (the
		       * filesystem ids follow the effective ones) */
	gid_t gid[4];
	gid_t groups[256]; /* as the caller sees them */
	int n_groups;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	mode_t umask;	/* Umask: of its status (022 before 4.7, which has none) */
	long n_filters; /* Seccomp_filters: of its status */
};

__attribute__((format(printf, 1, 2))) static noreturn void usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn("%s", msg);
	hint("usage: hutch --join PID [--] COMMAND [ARG...]");
	exit(face->exit_usage);
}

bool join_requested(int argc, char **argv)
{
	return face->join_option && argc > 1 && strcmp(argv[1], "--join") == 0;
}

static bool same_ns(const struct stat *a, dev_t dev, ino_t ino)
{
	return a->st_dev == dev && a->st_ino == ino;
}

/* Open /proc/PID/ns/NAME as the caller: the kernel's ptrace check for the sandbox. */
static int open_ns(const struct target *t, const char *name)
{
	char path[32];

	snprintf(path, sizeof(path), "ns/%s", name);
	int fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		warn("cannot join process %d: permission denied (its %s namespace)", (int)t->pid,
		     name);
		hint("only a user who may ptrace a sandbox's processes may join it: the user who "
		     "started it, or root");
		exit(face->exit_setup);
	}
	if (fd < 0)
		die_errno("cannot join process %d: cannot open /proc/%d/%s", (int)t->pid,
			  (int)t->pid, path);
	return fd;
}

static void fstat_or_die(int fd, struct stat *st, const char *what)
{
	if (fstat(fd, st) < 0)
		die_errno("cannot join the sandbox: cannot stat %s", what);
}

/* The user namespaces between the caller's (excluded) and the target's (included). */
static void walk_userns(struct target *t, const struct stat *mine)
{
	int fd = open_ns(t, "user");
	int rev[MAX_USERNS];
	unsigned n = 0;
	struct stat st;

	fstat_or_die(fd, &st, "the sandbox's user namespace");
	while (!same_ns(&st, mine->st_dev, mine->st_ino)) {
		if (n == MAX_USERNS)
			die("cannot join process %d: its user namespaces nest too deep",
			    (int)t->pid);
		rev[n++] = fd;
		/* EPERM: the parent is above the caller's own, which it cannot enter. */
		fd = ioctl(fd, NS_GET_PARENT);
		if (fd < 0 && errno == EPERM)
			die("cannot join process %d: its user namespace is not below yours",
			    (int)t->pid);
		if (fd < 0)
			die_errno("cannot join process %d: cannot find the parent of its user "
				  "namespace",
				  (int)t->pid);
		/* ioctl(2)'s new fd is close-on-exec (ioctl_nsfs(2)). */
		fstat_or_die(fd, &st, "a user namespace");
	}
	close(fd);
	for (unsigned i = 0; i < n; i++)
		t->userns[i] = rev[n - 1 - i];
	t->n_userns = n;
}

static void open_namespaces(struct target *t, const struct stat *mine_user)
{
	for (size_t k = 0; k < N_KINDS; k++) {
		char self[32];
		struct stat st, own;
		struct ns_ref *r = &t->ns[k];

		r->fd = open_ns(t, ns_kinds[k].name);
		fstat_or_die(r->fd, &st, ns_kinds[k].name);
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_kinds[k].name);
		/* Shared with the caller: nothing to join (and joining it again would need
		 * capabilities over the caller's own namespace). */
		if (stat(self, &own) == 0 && same_ns(&own, r->dev, r->ino)) {
			close(r->fd);
			r->fd = -1;
			continue;
		}
		int ufd = ioctl(r->fd, NS_GET_USERNS);
		if (ufd < 0)
			die_errno("cannot join process %d: cannot find the owner of its %s "
				  "namespace",
				  (int)t->pid, ns_kinds[k].name);
		fstat_or_die(ufd, &st, "a user namespace");
		close(ufd);
		r->owner = -2;
		if (same_ns(mine_user, st.st_dev, st.st_ino))
			r->owner = -1;
		for (unsigned i = 0; i < t->n_userns && r->owner == -2; i++) {
			struct stat u;
			fstat_or_die(t->userns[i], &u, "a user namespace");
			if (same_ns(&u, st.st_dev, st.st_ino))
				r->owner = (int)i;
		}
		if (r->owner == -2)
			die("cannot join process %d: its %s namespace belongs to a user namespace "
			    "outside its own",
			    (int)t->pid, ns_kinds[k].name);
	}
}

static char *read_proc(const struct target *t, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	_cleanup_close_ int fd = openat(t->procfd, file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read_all_fd(fd, &buf, &len) < 0)
		die_errno("cannot join process %d: cannot read /proc/%d/%s", (int)t->pid,
			  (int)t->pid, file);
	return buf;
}

void join_mark_format(char *buf, size_t size, const struct seccomp_set *set)
{
	if (set)
		snprintf(buf, size, JOIN_MARK_FILTER "%016llx",
			 (unsigned long long)seccomp_set_digest(set));
	else
		snprintf(buf, size, "tmpfs");
}

enum mark { MARK_NONE, MARK_OLD, MARK_FILTER, MARK_CONFLICT };

/* The mark (join.h) in the sandbox's mount table: a filesystem named JOIN_MARK, and the
 * root's, named JOIN_MARK_FILTER with the digest of the command's filter. */
static enum mark read_mark(const struct target *t, uint64_t *digest)
{
	_cleanup_free_ char *mi = read_proc(t, "mountinfo");
	enum mark m = MARK_NONE;

	for (char *line = mi; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sep = strstr(line, " - ");
		char type[64], src[64];
		uint64_t d;
		if (sep && sscanf(sep + 3, "%63s %63s", type, src) == 2) {
			if (strcmp(src, JOIN_MARK) == 0 && m == MARK_NONE)
				m = MARK_OLD;
			else if (strncmp(src, JOIN_MARK_FILTER, strlen(JOIN_MARK_FILTER)) == 0) {
				d = strtoull(src + strlen(JOIN_MARK_FILTER), NULL, 16);
				if (m == MARK_FILTER && d != *digest)
					return MARK_CONFLICT;
				*digest = d;
				m = MARK_FILTER;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return m;
}

static const char *status_field(const char *status, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ':')
			return p + n + 1;
	return NULL;
}

static uint64_t status_caps(const char *status, const char *key, pid_t pid)
{
	const char *v = status_field(status, key);

	if (!v)
		die("cannot join process %d: /proc/%d/status has no %s", (int)pid, (int)pid, key);
	return strtoull(v, NULL, 16);
}

/* id as the caller sees it -> the same id inside the target's user namespace, through the
 * map file (whose second field is in the reader's namespace: user_namespaces(7)). */
static unsigned long map_inward(const char *map, unsigned long id, bool *ok)
{
	unsigned long in, out, count;
	int used;

	for (const char *p = map; sscanf(p, "%lu %lu %lu%n", &in, &out, &count, &used) == 3;
	     p += used)
		if (id >= out && id - out < count) {
			*ok = true;
			return in + (id - out);
		}
	*ok = false;
	return 0;
}

/* The number of seccomp filters a process has (Seccomp_filters in /proc/PID/status). */
static long filter_count(const char *status)
{
	const char *v = status_field(status, "Seccomp_filters");

	return v ? strtol(v, NULL, 10) : 0;
}

static void read_identity(struct target *t)
{
	_cleanup_free_ char *status = read_proc(t, "status");
	_cleanup_free_ char *uid_map = NULL, *gid_map = NULL;
	unsigned long u[4], g[4];
	bool ok = true;

	if (!status_field(status, "Uid") ||
	    sscanf(status_field(status, "Uid"), "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]) !=
		    4 ||
	    !status_field(status, "Gid") ||
	    sscanf(status_field(status, "Gid"), "%lu %lu %lu %lu", &g[0], &g[1], &g[2], &g[3]) != 4)
		die("cannot join process %d: cannot read its ids", (int)t->pid);
	if (t->n_userns) {
		uid_map = read_proc(t, "uid_map");
		gid_map = read_proc(t, "gid_map");
	}
	for (int i = 0; i < 4 && ok; i++) {
		bool a = true, b = true;
		t->uid[i] = (uid_t)(uid_map ? map_inward(uid_map, u[i], &a) : u[i]);
		t->gid[i] = (gid_t)(gid_map ? map_inward(gid_map, g[i], &b) : g[i]);
		ok = a && b;
	}
	if (!ok)
		die("cannot join process %d: its ids are not mapped in its user namespace",
		    (int)t->pid);
	const char *gl = status_field(status, "Groups");
	t->n_groups = 0;
	for (char *end; gl && t->n_groups < 256; gl = end) {
		unsigned long v = strtoul(gl, &end, 10);
		if (end == gl)
			break;
		t->groups[t->n_groups++] = (gid_t)v;
	}
	t->cap_inh = status_caps(status, "CapInh", t->pid);
	t->cap_prm = status_caps(status, "CapPrm", t->pid);
	t->cap_eff = status_caps(status, "CapEff", t->pid);
	t->cap_bnd = status_caps(status, "CapBnd", t->pid);
	/* Before 4.3 there is no ambient set, and nothing in it. */
	t->cap_amb = status_field(status, "CapAmb") ? status_caps(status, "CapAmb", t->pid) : 0;
	const char *um = status_field(status, "Umask");
	t->umask = um ? (mode_t)strtoul(um, NULL, 8) : 022;
	t->n_filters = filter_count(status);
}

/* Supplementary groups: the target's, which root can set; anyone else keeps their own, which
 * must then be no more than the target's (a group the sandbox lacks is a right it lacks). */
static void set_groups(const struct target *t)
{
	if (setgroups((size_t)t->n_groups, t->groups) == 0)
		return;
	gid_t mine[256];
	int n = getgroups(256, mine);
	if (n < 0)
		die_errno("cannot join process %d: cannot read your groups", (int)t->pid);
	for (int i = 0; i < n; i++) {
		bool found = false;
		for (int j = 0; j < t->n_groups && !found; j++)
			found = mine[i] == t->groups[j];
		if (!found)
			die("cannot join process %d: you are in group %u, which its sandbox is not "
			    "in, and cannot leave it",
			    (int)t->pid, (unsigned)mine[i]);
	}
}

static void enter_ns(const struct target *t, size_t k)
{
	if (setns(t->ns[k].fd, ns_kinds[k].flag) < 0)
		die_errno("cannot join process %d: cannot enter its %s namespace", (int)t->pid,
			  ns_kinds[k].name);
	close(t->ns[k].fd);
	/* A mount namespace's root is its root mount, not the sandbox's pivoted root:
	 * take the target's own (setns(2), CLONE_NEWNS). */
	if (ns_kinds[k].flag == CLONE_NEWNS &&
	    (fchdir(t->rootfd) < 0 || chroot(".") < 0 || fchdir(t->cwdfd) < 0))
		die_errno("cannot join process %d: cannot enter its root and working directory",
			  (int)t->pid);
}

/* Every namespace owned by user namespace `owner` (-1: the caller's). */
static void enter_owned_by(const struct target *t, int owner)
{
	for (size_t k = 0; k < N_KINDS; k++)
		if (t->ns[k].fd >= 0 && t->ns[k].owner == owner)
			enter_ns(t, k);
}

static void set_caps(const struct target *t, uint64_t all)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	/* The bounding set first (PR_CAPBSET_DROP needs CAP_SETPCAP, which capset may take). */
	for (int cap = 0; cap < 64; cap++)
		if ((all >> cap & 1) && !(t->cap_bnd >> cap & 1) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die_errno("cannot join the sandbox: cannot drop capability %d", cap);
	/* The target's ids, keeping permitted capabilities across setuid (they are set
	 * exactly below). */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresgid(t->gid[0], t->gid[1], t->gid[2]) < 0 ||
	    setresuid(t->uid[0], t->uid[1], t->uid[2]) < 0)
		die_errno("cannot join the sandbox: cannot take its uid %u and gid %u",
			  (unsigned)t->uid[1], (unsigned)t->gid[1]);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	data[0].effective = (uint32_t)t->cap_eff;
	data[1].effective = (uint32_t)(t->cap_eff >> 32);
	data[0].permitted = (uint32_t)t->cap_prm;
	data[1].permitted = (uint32_t)(t->cap_prm >> 32);
	data[0].inheritable = (uint32_t)t->cap_inh;
	data[1].inheritable = (uint32_t)(t->cap_inh >> 32);
	if (capset(&hdr, data) < 0)
		die_errno("cannot join the sandbox: cannot set its capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && t->cap_amb)
		die_errno("cannot join the sandbox: cannot clear the ambient capabilities");
	for (int cap = 0; cap < 64; cap++)
		if ((t->cap_amb >> cap & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			die_errno("cannot join the sandbox: cannot raise ambient capability %d",
				  cap);
}

/* The filter of --join's own seccomp options, as a launch with them would load it. */
static void join_filter(struct seccomp_request *req, struct seccomp_set *set)
{
	static struct seccomp_prog prog;
	struct error err = { 0 };
	bool all = false;

	req->fallback = face->default_seccomp;
	if (seccomp_request_build(req, &prog, &all, &err) < 0)
		die_error(&err);
	*set = (struct seccomp_set){ .progs = &prog,
				     .n = all || !prog.len ? 0 : 1,
				     .first_is_profile = true };
}

/* The target's environment (NUL-separated in /proc/PID/environ), as a NULL-terminated array;
 * TERM is the caller's when the command gets a terminal of ours. */
static char **target_environ(const struct target *t, bool tty)
{
	char *buf = NULL, **env;
	size_t len = 0, n = 0, k = 0;
	const char *term = tty ? getenv("TERM") : NULL;
	_cleanup_close_ int fd = openat(t->procfd, "environ", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read_all_fd(fd, &buf, &len) < 0)
		die_errno("cannot join process %d: cannot read /proc/%d/environ", (int)t->pid,
			  (int)t->pid);
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	env = xcalloc(n + 3, sizeof(*env));
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		if (!strchr(buf + i, '=') || (term && strncmp(buf + i, "TERM=", 5) == 0))
			continue;
		env[k++] = buf + i;
	}
	if (term)
		env[k++] = xasprintf("TERM=%s", term);
	env[k] = NULL;
	return env;
}

/* The target's cgroup in every mounted hierarchy where it is not the caller's: open now (as
 * the caller, in the caller's mount namespace), entered by the child. A hierarchy where the
 * target's cgroup cannot be seen from here is refused: the joined command would escape the
 * sandbox's limits there. */
struct join_cgroups {
	int fd[CGROUP_MAX_HIERS];
	char *path[CGROUP_MAX_HIERS];
	unsigned n;
};

static void open_cgroups(const struct target *t, struct join_cgroups *out)
{
	_cleanup_free_ char *mi1 = NULL, *mi2 = NULL, *mine = NULL;
	_cleanup_free_ char *theirs = read_proc(t, "cgroup");
	struct cgroup_layout a = { 0 }, b = { 0 };
	struct error err = { 0 };
	size_t len;
	int fd;

	out->n = 0;
	if ((fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read_all_fd(fd, &mi1, &len) < 0)
		die_errno("cannot join process %d: cannot read /proc/self/mountinfo", (int)t->pid);
	close(fd);
	mi2 = xstrdup(mi1);
	if ((fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read_all_fd(fd, &mine, &len) < 0)
		die_errno("cannot join process %d: cannot read /proc/self/cgroup", (int)t->pid);
	close(fd);
	if (cgroup_layout_parse(mi1, mine, &a, &err) < 0 ||
	    cgroup_layout_parse(mi2, theirs, &b, &err) < 0)
		die_error(&err);
	for (unsigned i = 0; i < a.n && i < b.n; i++) {
		const char *own = a.h[i].own, *their = b.h[i].own;
		if (own && their && strcmp(own, their) == 0)
			continue;
		if (!their) {
			/* Not the target's business: a hierarchy it has no place in here. */
			if (!own)
				continue;
			die("cannot join process %d: its cgroup under %s cannot be seen from here",
			    (int)t->pid, b.h[i].mountpoint);
		}
		char *path = xasprintf("%s/%s", b.h[i].mountpoint, their);
		int cfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0)
			die_errno("cannot join process %d: cannot open its cgroup %s", (int)t->pid,
				  path);
		out->fd[out->n] = cfd;
		out->path[out->n++] = path;
	}
	cgroup_layout_free(&a);
	cgroup_layout_free(&b);
}

/* In the child, before anything else changes: into the sandbox's cgroups. */
static void enter_cgroups(const struct target *t, const struct join_cgroups *cg)
{
	for (unsigned i = 0; i < cg->n; i++) {
		if (cgroup_write_at(cg->fd[i], "cgroup.procs", "0") < 0) {
			int e = errno;
			warn("cannot join process %d: cannot move into its cgroup %s: %s",
			     (int)t->pid, cg->path[i], strerror(e));
			hint("the joined command runs in the sandbox's cgroup, under its limits; "
			     "moving there needs write access to cgroup.procs of the cgroups "
			     "between yours and it");
			exit(face->exit_setup);
		}
		close(cg->fd[i]);
	}
}

/* The sandbox's pid 1 (hutch's reaper) is not dumpable, so that the command cannot ptrace it:
 * the kernel refuses its /proc/PID/ns to everyone but root. Given it, join its child, the
 * command (the first one /proc/PID/task/PID/children lists). */
static int pid1_to_command(struct target *t)
{
	char path[64], buf[64];
	_cleanup_close_ int probe = openat(t->procfd, "ns/user", O_RDONLY | O_CLOEXEC);

	if (probe >= 0 || (errno != EACCES && errno != EPERM))
		return t->procfd;
	snprintf(path, sizeof(path), "task/%d/children", (int)t->pid);
	_cleanup_close_ int fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long child;
	if (n <= 0)
		return t->procfd;
	buf[n] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
	if (parse_int(buf, 1, 0x7fffffff, &child) < 0)
		return t->procfd;
	snprintf(path, sizeof(path), "/proc/%ld", child);
	int cfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		return t->procfd;
	close(t->procfd);
	t->pid = (pid_t)child;
	return cfd;
}

/* The target's resource limits, where lower than ours: through a joined command with the
 * caller's, the sandbox would get past its --rlimit. */
static rlim_t limit_value(const char *v)
{
	return strcmp(v, "unlimited") == 0 ? RLIM_INFINITY : (rlim_t)strtoull(v, NULL, 10);
}

static void take_limits(const struct target *t)
{
	/* /proc/PID/limits, one line per resource in their order after a header (prlimit(2)
	 * on another process needs CAP_SYS_RESOURCE over it where the ids differ: root joining
	 * a user's sandbox may lack it; the file needs only the ptrace check). The name column
	 * is 26 wide. */
	_cleanup_free_ char *text = read_proc(t, "limits");
	char *line = strchr(text, '\n');
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		struct rlimit theirs, mine;
		char soft[32], hard[32];
		char *next = line ? strchr(line + 1, '\n') : NULL;
		if (!line || !next || next - line < 27 ||
		    sscanf(line + 27, "%31s %31s", soft, hard) != 2 ||
		    getrlimit((enum __rlimit_resource)r, &mine) < 0)
			die("cannot join process %d: cannot read its resource limits (/proc/%d/limits)",
			    (int)t->pid, (int)t->pid);
		line = next;
		theirs.rlim_cur = limit_value(soft);
		theirs.rlim_max = limit_value(hard);
		if (theirs.rlim_max > mine.rlim_max)
			theirs.rlim_max = mine.rlim_max;
		if (theirs.rlim_cur > theirs.rlim_max)
			theirs.rlim_cur = theirs.rlim_max;
		if (setrlimit((enum __rlimit_resource)r, &theirs) < 0)
			die_errno("cannot join process %d: cannot take its resource limits",
				  (int)t->pid);
	}
	/* Its nice value and OOM score where they give it less than ours (both may only go
	 * that way without privileges), and the CPUs both may use. */
	errno = 0;
	int theirs = getpriority(PRIO_PROCESS, (id_t)t->pid);
	if (errno == 0 && theirs > getpriority(PRIO_PROCESS, 0) &&
	    setpriority(PRIO_PROCESS, 0, theirs) < 0)
		die_errno("cannot join process %d: cannot take its nice value", (int)t->pid);
	_cleanup_free_ char *oom = read_proc(t, "oom_score_adj");
	char mine_oom[16] = "0";
	int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, mine_oom, sizeof(mine_oom) - 1);
	mine_oom[n > 0 ? n : 0] = '\0';
	if (fd >= 0 && strtol(oom, NULL, 10) > strtol(mine_oom, NULL, 10) &&
	    pwrite(fd, oom, strlen(oom), 0) < 0)
		die_errno("cannot join process %d: cannot take its oom_score_adj", (int)t->pid);
	if (fd >= 0)
		close(fd);
	/* Its scheduling policy where ours is realtime and its is not, or its is idle or batch
	 * (which it could not leave), and its I/O class on the same terms (ioprio: class in the
	 * top bits, 1 realtime, 2 best effort, 3 idle; 0 none). */
	int pol = sched_getscheduler(t->pid), mine_pol = sched_getscheduler(0);
	struct sched_param sp;
	bool rt_mine = mine_pol == SCHED_FIFO || mine_pol == SCHED_RR;
	bool rt_theirs = pol == SCHED_FIFO || pol == SCHED_RR;
	if (pol >= 0 && sched_getparam(t->pid, &sp) == 0 && pol != mine_pol &&
	    ((rt_mine && !rt_theirs) || pol == SCHED_IDLE || pol == SCHED_BATCH) &&
	    sched_setscheduler(0, pol, &sp) < 0)
		die_errno("cannot join process %d: cannot take its scheduling policy", (int)t->pid);
	long io = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, t->pid);
	long io_mine = syscall(SYS_ioprio_get, 1, 0);
	if (io >= 0 && io_mine >= 0 && io != io_mine &&
	    ((io_mine >> 13 == 1 && io >> 13 != 1) || (io >> 13 == 3 && io_mine >> 13 != 3)) &&
	    syscall(SYS_ioprio_set, 1, 0, io) < 0)
		die_errno("cannot join process %d: cannot take its I/O priority", (int)t->pid);
	cpu_set_t cpus, own;
	if (sched_getaffinity(t->pid, sizeof(cpus), &cpus) == 0 &&
	    sched_getaffinity(0, sizeof(own), &own) == 0) {
		CPU_AND(&cpus, &cpus, &own);
		if (CPU_COUNT(&cpus) > 0)
			(void)sched_setaffinity(0, sizeof(cpus), &cpus);
	}
}

/* A target that loaded a filter of its own after the sandbox's (its count is above what the
 * joined command will have) would be joined without it: refused. */
static void check_filter_count(const struct target *t, const struct seccomp_set *filter)
{
	char *mine = NULL;
	size_t len;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read_all_fd(fd, &mine, &len) < 0)
		die_errno("cannot join the sandbox: cannot read /proc/self/status");
	close(fd);
	long want = filter_count(mine) + (long)filter->n, have = t->n_filters;
	free(mine);
	if (have > want) {
		warn("cannot join process %d: it has %ld seccomp filters, more than the %ld the "
		     "joined command would have",
		     (int)t->pid, have, want);
		hint("the process loaded a filter of its own after the sandbox's: join the "
		     "sandbox's command or its pid 1 instead");
		exit(face->exit_setup);
	}
}

/* --join's own options (between PID and the command): the seccomp options only. */
static int parse_join_options(int argc, char **argv, int i, struct seccomp_request *req)
{
	for (; i < argc && argv[i][0] == '-'; i += 2) {
		const char *o = argv[i];
		if (strcmp(o, "--") == 0)
			return i + 1;
		if (strcmp(o, "--seccomp-profile") != 0 && strcmp(o, "--seccomp-allow") != 0 &&
		    strcmp(o, "--seccomp-deny") != 0)
			usage("--join: cannot combine with '%s': a joined command runs as the "
			      "sandbox's own (only --seccomp-profile, --seccomp-allow and "
			      "--seccomp-deny may follow the PID, to name the sandbox's filter)",
			      o);
		if (i + 1 >= argc)
			usage("%s: missing argument", o);
		if (strcmp(o, "--seccomp-profile") == 0)
			seccomp_request_add_profile(req, argv[i + 1]);
		else
			seccomp_request_add_adjust(req,
						   strcmp(o, "--seccomp-allow") == 0 ?
							   SECCOMP_ADJUST_ALLOW :
							   SECCOMP_ADJUST_DENY,
						   argv[i + 1]);
	}
	return i;
}

static void check_mark(const struct target *t, const struct seccomp_set *filter)
{
	uint64_t digest = 0;
	enum mark m = read_mark(t, &digest);

	if (m == MARK_NONE) {
		warn("cannot join process %d: it is not in a hutch sandbox", (int)t->pid);
		hint("hutch recognises its sandboxes by the filesystems it mounted for them, named "
		     "'" JOIN_MARK "' in /proc/PID/mountinfo (the tmpfs of the root, --tmpfs, "
		     "--proc, --dev); one the bwrap face made has none");
		exit(face->exit_setup);
	}
	if (m != MARK_FILTER) {
		warn("cannot join process %d: its sandbox does not say which seccomp filter its "
		     "command has",
		     (int)t->pid);
		hint("%s",
		     m == MARK_CONFLICT ?
			     "its mount table names two different filters" :
			     "it was made by another version of hutch: join it with that one");
		exit(face->exit_setup);
	}
	/* The mark counts only where the command could not have made it: a mount namespace of
	 * the sandbox's first user namespace (the one hutch made, whose command holds no
	 * CAP_SYS_ADMIN unless given it), not one the command made below. */
	int want_owner = t->n_userns ? 0 : -1;
	if (t->ns[0].fd >= 0 && t->ns[0].owner != want_owner) {
		warn("cannot join process %d: it is in a mount namespace its sandbox made itself",
		     (int)t->pid);
		hint("join the sandbox's own command (or its pid 1) instead");
		exit(face->exit_setup);
	}
	if (seccomp_set_digest(filter) != digest) {
		warn("cannot join process %d: its command has another seccomp filter than the one "
		     "--join would give this command",
		     (int)t->pid);
		hint("give --join, after the PID, the seccomp options the sandbox was made with "
		     "(--seccomp-profile, --seccomp-allow, --seccomp-deny, in the same order); a "
		     "sandbox whose filter came from --seccomp or --add-seccomp-fd cannot be joined");
		exit(face->exit_setup);
	}
}

noreturn void join_main(int argc, char **argv)
{
	struct target t = { .procfd = -1, .rootfd = -1, .cwdfd = -1 };
	struct seccomp_request req = { 0 };
	struct seccomp_set filter;
	struct join_cgroups cg;
	struct join_relay relay;
	struct stat mine;
	long pid;
	int i = 2;

	if (argc <= i)
		usage("--join: missing argument (usage: --join PID [--] COMMAND)");
	if (parse_int(argv[i], 1, 0x7fffffff, &pid) < 0)
		usage("--join: '%s' is not a process id", argv[i]);
	i = parse_join_options(argc, argv, i + 1, &req);
	if (i >= argc)
		usage("--join: no command given");
	char **cmd = argv + i;
	t.pid = (pid_t)pid;

	/* Everything from the caller's /proc and as the caller, before anything changes. */
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", (int)t.pid);
	t.procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t.procfd < 0 && errno == ENOENT)
		die("cannot join process %d: no such process", (int)t.pid);
	if (t.procfd < 0)
		die_errno("cannot join process %d: cannot open %s", (int)t.pid, path);
	t.procfd = pid1_to_command(&t);
	/* The target's end ends the joined command (a sandbox without a PID namespace would
	 * otherwise keep it past its own end); taken now, before anything else is read of it,
	 * so that a pid reused meanwhile fails the reads through procfd that follow. */
	int target_fd = (int)syscall(SYS_pidfd_open, t.pid, 0);
	if (target_fd < 0)
		die_errno("cannot join process %d: pidfd_open", (int)t.pid);
	fcntl(target_fd, F_SETFD, FD_CLOEXEC);
	if (stat("/proc/self/ns/user", &mine) < 0)
		die_errno("cannot join the sandbox: cannot stat /proc/self/ns/user");
	walk_userns(&t, &mine);
	open_namespaces(&t, &mine);
	join_filter(&req, &filter);
	check_mark(&t, &filter);
	read_identity(&t);
	check_filter_count(&t, &filter);
	t.rootfd = openat(t.procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	t.cwdfd = openat(t.procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t.rootfd < 0 || t.cwdfd < 0)
		die_errno("cannot join process %d: cannot open its root or working directory",
			  (int)t.pid);
	open_cgroups(&t, &cg);
	uint64_t all = caps_all();
	/* The caller's streams stay here; the command gets a pty or pipes of ours. */
	join_relay_prepare(&relay);
	char **env = target_environ(&t, relay.master >= 0);

	int pidpipe[2];
	if (pipe2(pidpipe, O_CLOEXEC) < 0)
		die_errno("cannot make a pipe");

	sigset_t fwd, orig, relayed;
	process_forward_set(&fwd);
	relayed = fwd;
	sigaddset(&relayed, SIGWINCH);
	sigprocmask(SIG_BLOCK, &relayed, &orig);
	pid_t parent = getpid();
	pid_t joiner = fork();
	if (joiner < 0)
		die_errno("cannot fork");
	if (joiner > 0) {
		close(pidpipe[1]);
		join_relay_run(&relay, joiner, pidpipe[0], target_fd, &fwd);
	}
	/* The joiner: enters the sandbox, starts the command as the relay's child (so the
	 * relay, outside, learns its end from the kernel whatever becomes of us) and exits. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(face->exit_setup);
	close(pidpipe[0]);
	close(target_fd);
	enter_cgroups(&t, &cg);
	take_limits(&t);
	/* A session keyring of its own: the caller's keys (root's, when root joins a user's
	 * sandbox) are reachable through the session keyring it would inherit. */
	if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0)
		die_errno("cannot join process %d: cannot make a session keyring for the command",
			  (int)t.pid);
	join_relay_child(&relay);
	/* From here on nothing in the sandbox may open our /proc files or ptrace us; we never
	 * exec, so what we keep is closed now, not on exec. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno("cannot make hutch non-dumpable");
	int keep[MAX_USERNS + N_KINDS + 4];
	size_t nk = 0;
	keep[nk++] = t.procfd;
	keep[nk++] = t.rootfd;
	keep[nk++] = t.cwdfd;
	keep[nk++] = pidpipe[1];
	for (unsigned u = 0; u < t.n_userns; u++)
		keep[nk++] = t.userns[u];
	for (size_t k = 0; k < N_KINDS; k++)
		if (t.ns[k].fd >= 0)
			keep[nk++] = t.ns[k].fd;
	if (fds_close_except(keep, nk) < 0)
		die_errno("cannot close descriptors");
	set_groups(&t);
	enter_owned_by(&t, -1);
	for (unsigned u = 0; u < t.n_userns; u++) {
		if (setns(t.userns[u], CLONE_NEWUSER) < 0)
			die_errno("cannot join process %d: cannot enter its user namespace%s",
				  (int)t.pid, t.n_userns > 1 ? " (nested)" : "");
		close(t.userns[u]);
		enter_owned_by(&t, (int)u);
	}
	if (t.ns[0].fd < 0 && fchdir(t.cwdfd) < 0) /* the same mount namespace */
		die_errno("cannot join process %d: cannot enter its working directory", (int)t.pid);
	close(t.rootfd);
	close(t.cwdfd);
	close(t.procfd);
	set_caps(&t, all);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("cannot set no_new_privs");

	/* A PID namespace takes only the children of whoever joined it (pid_namespaces(7)).
	 * CLONE_PARENT: the command is the relay's child, not ours. */
	pid_t child = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
	if (child < 0)
		die_errno("cannot start the command");
	if (child > 0) {
		/* Its pid as the relay sees it: ours are in the same PID namespace. */
		if (write(pidpipe[1], &child, sizeof(child)) != (ssize_t)sizeof(child))
			_exit(face->exit_setup);
		_exit(0);
	}
	close(pidpipe[1]);
	/* The relay holds the caller's terminal: the command ends with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	sigprocmask(SIG_SETMASK, &orig, NULL);
	join_relay_ctty(&relay);
	umask(t.umask);
	environ = env;
	seccomp_child_load(&filter);
	execvp(cmd[0], cmd);
	exec_diag_fail(cmd[0], errno);
}

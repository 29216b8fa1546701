/* plan: the config and the host's facts in, what will be done out. plan_make is pure;
 * plan_gather_host and plan_load are the two places that look outside, before and after it. */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "join.h"
#include "label.h"
#include "plan.h"
#include "plan-net.h"
#include "seccomp-request.h"

/* ---- the facts (impure) ---- */

static bool ns_available(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return access(path, F_OK) == 0;
}

static void note_closed(struct host_facts *h, int fd)
{
	if (fd < 0 || fcntl(fd, F_GETFD) >= 0)
		return;
	for (unsigned i = 0; i < h->nclosed; i++)
		if (h->closed[i].fd == fd)
			return;
	if (h->nclosed < sizeof(h->closed) / sizeof(h->closed[0]))
		h->closed[h->nclosed++] = (struct closed_fd){ fd, errno };
}

/* The initial user namespace maps every id onto itself: uid_map is "0 0 4294967295". */
static bool initial_userns(void)
{
	unsigned long long a = 1, b = 1, n = 0;
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (!f)
		return false;
	int r = fscanf(f, "%llu %llu %llu", &a, &b, &n);
	fclose(f);
	return r == 3 && a == 0 && b == 0 && n == 4294967295ULL;
}

/* prog's path on PATH (execvp's default when unset), or NULL. */
static const char *find_on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && n + strlen(prog) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
			struct stat st;
			if (buf[0] == '/' && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(buf, X_OK) == 0)
				return xstrdup(buf);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static bool is_fifo(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

void plan_gather_host(const struct config *cfg, struct host_facts *h)
{
	const int fixed[] = { cfg->info_fd,    cfg->json_status_fd,  cfg->sync_fd,
			      cfg->block_fd,   cfg->userns_block_fd, cfg->userns_fd,
			      cfg->userns2_fd, cfg->pidns_fd };

	memset(h, 0, sizeof(*h));
	/* First, while every fd is still the caller's: fcntl opens nothing. */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		note_closed(h, fixed[i]);
	for (unsigned i = 0; i < cfg->seccomp_fds.n; i++)
		note_closed(h, cfg->seccomp_fds.v[i]);
	for (unsigned i = 0; i < cfg->pass_fds.n; i++)
		note_closed(h, cfg->pass_fds.v[i]);
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next)
		note_closed(h, op->fd);
	/* make's jobserver is a pipe (or fifo): a number MAKEFLAGS names that is anything else
	 * now (the caller closed it and opened another file there) is not kept. */
	h->jobserver_open[0] = is_fifo(cfg->jobserver.rd);
	h->jobserver_open[1] = is_fifo(cfg->jobserver.wr);

	h->uid = getuid();
	h->euid = geteuid();
	h->gid = getgid();
	h->egid = getegid();
	h->caps = caps_current_effective();
	/* Read here, from the host's /proc: the child needs it after pivot_root, where /proc is
	 * whatever the sandbox was given. */
	h->caps_all = caps_all();
	h->privileged = h->euid == 0 && (h->caps & (UINT64_C(1) << 21)); /* CAP_SYS_ADMIN */
	h->initial_userns = initial_userns();
	h->has_userns = ns_available("user");
	h->has_cgroupns = ns_available("cgroup");
	h->pgrp_leader = getpgrp() == getpid();
	h->tty_shared = isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO);
	h->umask = umask(0);
	umask(h->umask);
	h->tty = isatty(STDOUT_FILENO) ? ttyname(STDOUT_FILENO) : NULL;
	h->cwd = get_current_dir_name();
	if (cfg->net.mode == NET_USER) {
		h->pasta_path = find_on_path("pasta");
		h->slirp4netns_path = find_on_path("slirp4netns");
	}
}

/* ---- the decisions (pure) ---- */

static bool has_op(const struct setup_list *ops, enum setup_op_type type)
{
	for (const struct setup_op *op = ops->head; op; op = op->next)
		if (op->type == type)
			return true;
	return false;
}

static const struct closed_fd *closed(const struct host_facts *h, int fd)
{
	for (unsigned i = 0; fd >= 0 && i < h->nclosed; i++)
		if (h->closed[i].fd == fd)
			return &h->closed[i];
	return NULL;
}

/* What bubblewrap does when an fd an option names turns out to be closed. */
enum bwrap_closed_fd {
	BW_IGNORES, /* goes on without it (a failed read is ignored, or nothing is held) */
	BW_INFO,
	BW_SECCOMP,
	BW_USERNS,
	BW_USERNS2,
	BW_PIDNS,
	BW_BIND_FD,
	BW_DATA,
};

/* A closed fd: the hutch face refuses it (a usage error naming the option); the bwrap face
 * does what bubblewrap does when it meets it, up front: before hutch opens any fd, the number
 * could otherwise name one of ours later (a pipe to the parent, the host's /proc) and hand
 * it to the sandbox, or make hutch read its own pipe as the caller's data. */
static int check_fd(const struct host_facts *h, int *fd, const char *option,
		    enum bwrap_closed_fd bw, const char *dest, struct error *err)
{
	const struct closed_fd *c = closed(h, *fd);

	if (!c)
		return 0;
	if (face->closed_fd_is_error)
		return error_set_errno(err, c->err, "cannot use fd %d (--%s)", *fd, option);
	err->exit_code = face->exit_setup;
	switch (bw) {
	case BW_IGNORES:
		*fd = -1;
		err->exit_code = 0;
		return 0;
	case BW_INFO:
		return error_set_errno(err, c->err, "Write to info_fd");
	case BW_SECCOMP:
		return error_set_errno(err, c->err, "Can't read seccomp data");
	case BW_USERNS:
		return error_set_errno(err, c->err, "Joining specified user namespace failed");
	case BW_USERNS2:
		return error_set_errno(err, c->err, "Setting userns2 failed");
	case BW_PIDNS:
		return error_set_errno(err, c->err, "Setting pidns failed");
	case BW_BIND_FD:
		return error_set_errno(err, ENOENT, "Can't find source path /proc/self/fd/%d", *fd);
	case BW_DATA:
		break;
	}
	return error_set_errno(err, c->err, "Can't write data to file %s", dest);
}

/* The fds the plan keeps: copies, so that the bwrap face's "ignore a closed one" is the
 * plan's, not a change to the config. */
/* One number, two jobs: hutch closes the fds it consumes (a seccomp program, --file's data,
 * a status fd...) and may then hand the number to a pipe of its own, which the other option
 * would pass on or hold (a --pass-fd would give the command hutch's report pipe). So a number
 * may serve one option, repeated or not; only --info-fd and --json-status-fd may share one. */
struct named {
	int fd;
	const char *option;
};

static int add_named(struct named *v, size_t *n, size_t cap, int fd, const char *option,
		     struct error *err)
{
	if (fd < 0)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if (v[i].fd != fd || strcmp(v[i].option, option) == 0)
			continue;
		if ((strcmp(option, "json-status-fd") == 0 && strcmp(v[i].option, "info-fd") == 0))
			continue;
		return error_set(err, msg(MSG_FD_TWO_OPTIONS), fd, v[i].option, option);
	}
	if (*n < cap)
		v[(*n)++] = (struct named){ fd, option };
	return 0;
}

static int check_fd_jobs(const struct config *cfg, struct error *err)
{
	struct named v[256];
	size_t n = 0, cap = sizeof(v) / sizeof(v[0]);
	const struct named fixed[] = {
		{ cfg->info_fd, "info-fd" },
		{ cfg->json_status_fd, "json-status-fd" },
		{ cfg->sync_fd, "sync-fd" },
		{ cfg->block_fd, "block-fd" },
		{ cfg->userns_block_fd, "userns-block-fd" },
		{ cfg->userns_fd, "userns" },
		{ cfg->userns2_fd, "userns2" },
		{ cfg->pidns_fd, "pidns" },
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (add_named(v, &n, cap, fixed[i].fd, fixed[i].option, err) < 0)
			return -1;
	for (unsigned i = 0; i < cfg->seccomp_fds.n; i++)
		if (add_named(v, &n, cap, cfg->seccomp_fds.v[i],
			      cfg->seccomp_legacy ? "seccomp" : "add-seccomp-fd", err) < 0)
			return -1;
	for (unsigned i = 0; i < cfg->pass_fds.n; i++)
		if (add_named(v, &n, cap, cfg->pass_fds.v[i], "pass-fd", err) < 0)
			return -1;
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next)
		if (add_named(v, &n, cap, op->fd, op->option, err) < 0)
			return -1;
	return 0;
}

static int check_fds(const struct config *cfg, const struct host_facts *h, struct plan *p,
		     struct error *err)
{
	int sync = cfg->sync_fd, block = cfg->block_fd, ublock = cfg->userns_block_fd;
	int info = cfg->info_fd, json = cfg->json_status_fd;
	int userns = cfg->userns_fd, userns2 = cfg->userns2_fd, pidns = cfg->pidns_fd;

	if (check_fd(h, &info, "info-fd", BW_INFO, NULL, err) < 0 ||
	    check_fd(h, &json, "json-status-fd", BW_INFO, NULL, err) < 0 ||
	    check_fd(h, &sync, "sync-fd", BW_IGNORES, NULL, err) < 0 ||
	    check_fd(h, &block, "block-fd", BW_IGNORES, NULL, err) < 0 ||
	    check_fd(h, &ublock, "userns-block-fd", BW_IGNORES, NULL, err) < 0 ||
	    check_fd(h, &userns, "userns", BW_USERNS, NULL, err) < 0 ||
	    check_fd(h, &userns2, "userns2", BW_USERNS2, NULL, err) < 0 ||
	    check_fd(h, &pidns, "pidns", BW_PIDNS, NULL, err) < 0)
		return -1;
	for (unsigned i = 0; i < cfg->seccomp_fds.n; i++) {
		int fd = cfg->seccomp_fds.v[i];
		if (check_fd(h, &fd, cfg->seccomp_legacy ? "seccomp" : "add-seccomp-fd", BW_SECCOMP,
			     NULL, err) < 0)
			return -1;
	}
	for (unsigned i = 0; i < cfg->pass_fds.n; i++) {
		int fd = cfg->pass_fds.v[i];
		if (check_fd(h, &fd, "pass-fd", BW_IGNORES, NULL, err) < 0)
			return -1;
	}
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		int fd = op->fd;
		bool bind = op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD;
		if (check_fd(h, &fd, op->option, bind ? BW_BIND_FD : BW_DATA, op->dest, err) < 0)
			return -1;
	}
	p->status.info_fd = info;
	p->status.json_fd = json;
	p->status.userns_block_fd = ublock;
	p->proc.sync_fd = sync;
	p->proc.block_fd = block;
	p->ids.userns_fd = userns;
	p->ids.userns2_fd = userns2;
	p->proc.pidns_fd = pidns;
	return 0;
}

/* bubblewrap's rules between options, in bubblewrap's order (its main(), after parse_args()).
 * The first ones look at what the user asked for, the --uid/--gid rule at what will happen. */
static int check_rules(const struct config *cfg, const struct host_facts *h, struct error *err)
{
	if (cfg->userns_block_fd != -1 && cfg->unshare_user != NS_YES)
		return error_set(err, msg(MSG_BLOCK_FD_NEEDS_USERNS));
	if (cfg->userns_block_fd != -1 && cfg->info_fd == -1)
		return error_set(err, msg(MSG_BLOCK_FD_NEEDS_INFO_FD));
	if (cfg->userns_fd != -1 && cfg->unshare_user == NS_YES)
		return error_set(err, msg(MSG_USERNS_AND_UNSHARE_USER));
	if (cfg->userns_fd != -1 && cfg->unshare_user == NS_TRY)
		return error_set(err, msg(MSG_USERNS_AND_UNSHARE_USER_TRY));
	if (cfg->disable_userns && cfg->unshare_user != NS_YES)
		return error_set(err, msg(MSG_DISABLE_USERNS_NEEDS_USERNS));
	if (cfg->disable_userns && cfg->userns_block_fd != -1)
		return error_set(err, msg(MSG_DISABLE_USERNS_AND_BLOCK_FD));

	/* An unprivileged caller always gets a user namespace (bubblewrap: "we have to do
	 * this if we weren't installed setuid"), the hutch face's root too, and
	 * --unshare-user-try is taken to succeed here. */
	bool userns_implied = cfg->unshare_user != NS_NO ||
			      ((h->uid != 0 || face->root_userns) && cfg->userns_fd == -1);
	if (!userns_implied && cfg->userns_fd == -1 && cfg->uid_set && cfg->uid != h->uid)
		return error_set(err, msg(MSG_UID_NEEDS_USERNS));
	if (!userns_implied && cfg->userns_fd == -1 && cfg->gid_set && cfg->gid != h->gid)
		return error_set(err, msg(MSG_GID_NEEDS_USERNS));
	if (cfg->hostname && !cfg->unshare_uts)
		return error_set(err, msg(MSG_HOSTNAME_NEEDS_UTS));
	if (cfg->as_pid_1 && !cfg->unshare_pid)
		return error_set(err, msg(MSG_AS_PID1_NEEDS_PIDNS));
	if (cfg->as_pid_1 && has_op(&cfg->ops, SETUP_LOCK_FILE))
		return error_set(err, msg(MSG_AS_PID1_AND_LOCK_FILE));
	if (cgroup_request_validate(&cfg->cgroup, err) < 0)
		return -1;
	if (cfg->seccomp_legacy && cfg->seccomp_fds.n > 1)
		return error_set(err, msg(MSG_SECCOMP_AND_ADD_FD));
	return setup_validate_ops(&cfg->ops, err);
}

/* overflowuid's usual value: nobody and nogroup. */
#define NOBODY_ID 65534

static int plan_ids(const struct config *cfg, const struct host_facts *h, struct plan *p,
		    struct error *err)
{
	struct ids_plan *ids = &p->ids;

	/* Root in the hutch face gets a user namespace too: the command then holds no
	 * capability over anything of the host's, whatever it is given inside. */
	ids->new_userns = ids->userns_fd < 0 &&
			  (cfg->unshare_user == NS_YES || !h->privileged || face->root_userns ||
			   (cfg->unshare_user == NS_TRY && h->has_userns));
	/* The host ids the sandbox's map to: the caller's, or (root only, which alone may map
	 * other ids: user_namespaces(7)) --host-uid/--host-gid, written by the parent. */
	/* Host root's sandbox is nobody on the host unless --host-uid says otherwise: mapped
	 * onto root, it would own every root file it can reach and could leave setuid-root
	 * programs in writable binds (hutch(1), SECURITY). Only the initial namespace's root:
	 * a root inside another user namespace is an unprivileged user of the host already. */
	bool nobody = face->root_as_nobody && ids->new_userns && h->privileged && h->initial_userns;
	ids->root_as_nobody = nobody && !cfg->host_uid_set;
	ids->outer_uid = cfg->host_uid_set ? cfg->host_uid : nobody ? NOBODY_ID : h->euid;
	/* --host-uid alone: the group of the same number (nogroup is 65534 too). */
	ids->outer_gid = cfg->host_gid_set ? cfg->host_gid :
			 cfg->host_uid_set ? (gid_t)cfg->host_uid :
			 nobody		   ? NOBODY_ID :
					     h->egid;
	bool other = ids->outer_uid != h->euid || ids->outer_gid != h->egid;
	if (other && !h->privileged)
		return error_set(err,
				 "cannot map the sandbox onto host uid %u gid %u (--host-uid, "
				 "--host-gid): only root may choose other host ids",
				 (unsigned)ids->outer_uid, (unsigned)ids->outer_gid);
	if ((cfg->host_uid_set || cfg->host_gid_set) && !ids->new_userns)
		return error_set(err, "cannot use --host-uid or --host-gid: they need a new user "
				      "namespace (not --userns)");
	ids->parent_maps = ids->new_userns && cfg->userns_block_fd < 0 && other;
	ids->write_maps = ids->new_userns && cfg->userns_block_fd < 0 && !ids->parent_maps;
	ids->final_uid = cfg->uid_set ? cfg->uid : h->uid;
	ids->final_gid = cfg->gid_set ? cfg->gid : h->gid;
	/* As in bubblewrap, the setup's ids in the first namespace are the final ones, except
	 * that --dev (devpts) needs root there: then a nested namespace maps the final ids onto
	 * root, and --disable-userns always needs that nested namespace. uid_map inside stays
	 * one line either way. */
	bool root_first = has_op(&cfg->ops, SETUP_DEV) || cfg->disable_userns;
	ids->first_uid = root_first ? 0 : ids->final_uid;
	ids->first_gid = root_first ? 0 : ids->final_gid;
	ids->nested = (ids->write_maps || ids->parent_maps) &&
		      (ids->first_uid != ids->final_uid || ids->first_gid != ids->final_gid ||
		       cfg->disable_userns);
	ids->uid_set = cfg->uid_set;
	ids->gid_set = cfg->gid_set;
	ids->disable = cfg->disable_userns;
	ids->assert_disabled = cfg->assert_userns_disabled;
	return 0;
}

/* --timeout, a cgroup of the sandbox's and --stats are kept by the monitor, hutch's process
 * outside. Without a PID namespace the command names it as its parent's pid and, being the
 * same user, can stop it (SIGSTOP: the timeout never fires) or kill it (nothing ends the
 * sandbox or removes its cgroup): these options bring a PID namespace of their own, in both
 * faces (bubblewrap has none of them). Not with --pidns, whose namespace is the caller's
 * choice. */
static bool needs_own_pidns(const struct config *cfg, const struct plan *p)
{
	if (cfg->unshare_pid)
		return true;
	return p->proc.pidns_fd < 0 &&
	       (cgroup_request_wanted(&cfg->cgroup) || cfg->timeout_ms || cfg->stats);
}

static void plan_namespaces(const struct config *cfg, const struct host_facts *h, struct plan *p)
{
	p->clone_flags = CLONE_NEWNS;
	if (p->ids.new_userns)
		p->clone_flags |= CLONE_NEWUSER;
	if (p->proc.unshare_pid && p->proc.pidns_fd < 0)
		p->clone_flags |= CLONE_NEWPID;
	if (p->net.mode != NET_HOST)
		p->clone_flags |= CLONE_NEWNET;
	if (cfg->unshare_ipc)
		p->clone_flags |= CLONE_NEWIPC;
	if (cfg->unshare_uts)
		p->clone_flags |= CLONE_NEWUTS;
	if (cfg->unshare_cgroup == NS_YES || (cfg->unshare_cgroup == NS_TRY && h->has_cgroupns))
		p->clone_flags |= CLONE_NEWCGROUP;
	p->loopback = p->net.mode != NET_HOST;
	p->hostname = cfg->hostname;
}

static void plan_caps(const struct config *cfg, const struct host_facts *h, struct plan *p)
{
	/* bubblewrap's rule: real root keeps what it has, minus --cap-drop, plus --cap-add;
	 * everyone else starts from nothing. The hutch face drops root's too. */
	uint64_t initial = (h->uid == 0 && face->root_keeps_caps) ? h->caps : 0;

	p->caps.keep = ((initial & cfg->caps_keep_initial) | cfg->caps) & h->caps_all;
	p->caps.all = h->caps_all;
	p->caps.ambient = p->caps.keep != 0 && p->ids.final_uid != 0;
	p->caps.as_they_are = initial && !cfg->caps_explicit;
}

static void plan_limits(const struct config *cfg, struct plan *p)
{
	struct limits_plan *l = &p->limits;

	l->cgroup = cgroup_request_wanted(&cfg->cgroup) ? &cfg->cgroup : NULL;
	l->rlimits = cfg->rlimits;
	l->n_rlimits = cfg->n_rlimits;
	l->timeout_ms = cfg->timeout_ms;
	l->grace_ms = cfg->grace_ms;
	l->stats = cfg->stats;
	/* The hutch face: what the command leaves running dies with it (a PID namespace's pid 1,
	 * the cgroup, the tree below the parent); bubblewrap's stays until it ends. */
	l->kill_leftovers = face->kill_leftovers && !cfg->keep_children;
	l->keep_children = cfg->keep_children;
	/* A cgroup namespace's root is its creator's cgroup when it is made: after the attach,
	 * by the child, not by a clone flag that would take the cgroups of before it. */
	if (l->cgroup && (p->clone_flags & CLONE_NEWCGROUP)) {
		p->clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
		l->unshare_cgroup_late = true;
	}
}

/* An fd number an option other than --pass-fd names (hutch consumes or holds those). */
static bool fd_named(const struct config *cfg, int fd)
{
	const int fixed[] = { cfg->info_fd,    cfg->json_status_fd,  cfg->sync_fd,
			      cfg->block_fd,   cfg->userns_block_fd, cfg->userns_fd,
			      cfg->userns2_fd, cfg->pidns_fd };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i] == fd)
			return true;
	for (unsigned i = 0; i < cfg->seccomp_fds.n; i++)
		if (cfg->seccomp_fds.v[i] == fd)
			return true;
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next)
		if (op->fd == fd)
			return true;
	return false;
}

/* make's jobserver fds stay open where the face closes inherited fds: without them a make in
 * the sandbox runs one job at a time ("jobserver unavailable"). Only fds the caller really
 * passed, and none that hutch itself closes and may reuse. */
static void plan_jobserver(const struct config *cfg, const struct host_facts *h, struct plan *p)
{
	const int fds[2] = { cfg->jobserver.rd, cfg->jobserver.wr };
	struct process_plan *pr = &p->proc;

	pr->jobserver = &cfg->jobserver;
	pr->jobserver_fds[0] = pr->jobserver_fds[1] = -1;
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0 || !h->jobserver_open[i] || !face->close_inherited_fds)
			continue;
		if (fd_named(cfg, fds[i]))
			pr->jobserver_clash = true;
		else
			pr->jobserver_fds[i] = fds[i];
	}
}

static void plan_processes(const struct config *cfg, const struct host_facts *h, struct plan *p)
{
	struct process_plan *pr = &p->proc;
	const struct limits_plan *l = &p->limits;

	pr->need_reaper = !cfg->as_pid_1 && (pr->unshare_pid || pr->sync_fd >= 0 ||
					     has_op(&cfg->ops, SETUP_LOCK_FILE));
	pr->reaper_is_pid1 = pr->unshare_pid || pr->pidns_fd >= 0;
	pr->pidns_nested = pr->pidns_fd >= 0 && pr->unshare_pid;
	/* Without a PID namespace or a status fd nothing needs a process outside the sandbox,
	 * where the face allows the command to replace hutch. */
	pr->in_place = face->in_place && !pr->unshare_pid && pr->pidns_fd < 0 &&
		       p->status.info_fd < 0 && p->status.json_fd < 0 &&
		       p->status.userns_block_fd < 0 && !p->ids.parent_maps &&
		       /* setsid() fails in a process group leader (setsid(2)): fork then. */
		       !(cfg->new_session && h->pgrp_leader) &&
		       /* A parent stays to watch the time, remove the cgroup, tell the usage, */
		       !l->cgroup && !l->timeout_ms && !l->stats &&
		       /* and to run the network helper, which ends with it, */
		       p->net.mode != NET_USER &&
		       /* and to kill what the command leaves on a terminal it shares: left
			* behind, it could take the terminal from the caller's shell. */
		       !(l->kill_leftovers && h->tty_shared && !cfg->new_session);
	pr->die_with_parent = cfg->die_with_parent || face->die_with_parent;
	pr->new_session = cfg->new_session;
	pr->as_pid_1 = cfg->as_pid_1;
	pr->close_inherited = face->close_inherited_fds;
	pr->pass_fds = &cfg->pass_fds;
	plan_jobserver(cfg, h, p);
	pr->exec_label = cfg->exec_label;
	pr->chdir = cfg->chdir_path;
	pr->caller_cwd = h->cwd;
	pr->env = cfg->env_head;
	pr->argv = cfg->argv;
	pr->argc = cfg->argc;
	pr->argv0 = cfg->argv0;

	/* With status fds the parent reads the namespace ids before the setup changes anything
	 * (bubblewrap's order); --userns-block-fd and --host-uid: the maps come first. */
	p->status.go_early = p->status.userns_block_fd >= 0 || p->status.info_fd >= 0 ||
			     p->status.json_fd >= 0 || p->ids.parent_maps ||
			     /* in its cgroup before it does (or forks) anything */
			     l->cgroup != NULL;
}

static void plan_rootfs(const struct config *cfg, const struct host_facts *h, struct plan *p)
{
	struct rootfs_plan *r = &p->rootfs;

	r->ops = &cfg->ops;
	if (p->net.dns_bind) {
		/* The same ops, then the forwarder's resolv.conf over the host's (its data from a
		 * pipe plan_load fills), last so that it lands on whatever /etc is by then. */
		struct setup_list *l = &p->net.ops;
		for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
			struct setup_op *c = setup_list_append(l, op->type, op->option);
			struct setup_op *next = c->next;
			*c = *op;
			c->next = next;
		}
		struct setup_op *dns = setup_list_append(l, SETUP_RO_BIND_DATA, "net");
		dns->dest = "/etc/resolv.conf";
		dns->perms = 0644;
		r->ops = l;
	}
	r->make_slave = !p->ids.new_userns;
	r->own_pidns = p->proc.unshare_pid || p->proc.pidns_fd >= 0;
	/* A nested sandbox with a PID namespace needs a proc of ours the kernel deems fully
	 * visible (rootfs-ops.c, shadow_proc). Through it a nested user namespace may mount a
	 * proc without the covers and masks: not where the command is uid 0 on the host (the
	 * covers keep kuid 0 off sysctls and sysrq-trigger), and not without user namespaces
	 * inside (--disable-userns: no nested sandbox, the covers and masks are a wall). */
	r->proc_shadow = face->proc_cover_all && r->own_pidns && !p->ids.disable &&
			 p->ids.outer_uid != 0;
	r->own_netns = p->net.mode != NET_HOST;
	r->file_label = cfg->file_label;
	r->host_tty = h->tty;
	r->caller_cwd = h->cwd;
	r->file_mode = face->file_umask ? 0666 & ~h->umask : 0666;
}

/* Landlock: the rules from the root's ops (the net's resolv.conf included); the scopes only
 * where the plan already keeps the command from what they close (a PID namespace of its own:
 * no process outside to signal; a network namespace of its own: no abstract socket outside),
 * so Landlock backs the plan up and never contradicts it. */
static int plan_landlock(const struct config *cfg, struct plan *p, struct error *err)
{
	struct landlock_plan *l = &p->landlock;

	if (cfg->landlock == LANDLOCK_REQ_OFF) {
		if (cfg->n_landlock_paths)
			return error_set(err,
					 "--landlock-%s: needs --landlock (or --landlock-try, or "
					 "--base)",
					 cfg->landlock_paths[0].writable ? "rw" : "ro");
		return 0;
	}
	l->asked = l->on = true;
	l->required = cfg->landlock == LANDLOCK_REQ_ON;
	l->origin = cfg->landlock_origin;
	l->scope_signal = (p->clone_flags & CLONE_NEWPID) && p->proc.pidns_fd < 0;
	l->scope_abstract = p->net.mode != NET_HOST;
	return landlock_plan_rules(p->rootfs.ops, cfg->landlock_paths, cfg->n_landlock_paths, l,
				   err);
}

void plan_free(struct plan *p)
{
	landlock_plan_free(&p->landlock);
	setup_list_free(&p->net.ops);
	free(p->net.dests);
	p->net.dests = NULL;
	p->net.n_dests = 0;
}

int plan_make(const struct config *cfg, const struct host_facts *h, struct plan *p,
	      struct error *err)
{
	memset(p, 0, sizeof(*p));
	err->exit_code = 0;
	if (check_rules(cfg, h, err) < 0 || check_fd_jobs(cfg, err) < 0 ||
	    check_fds(cfg, h, p, err) < 0 || plan_ids(cfg, h, p, err) < 0 ||
	    plan_net(cfg, h, p, err) < 0)
		return -1;
	p->proc.unshare_pid = needs_own_pidns(cfg, p);
	p->proc.pidns_implied = p->proc.unshare_pid && !cfg->unshare_pid;
	plan_namespaces(cfg, h, p);
	plan_caps(cfg, h, p);
	/* The network filter lives in the sandbox's own network namespace: a command holding
	 * CAP_NET_ADMIN there could flush it. */
	if (p->net.filter && (p->caps.keep & (UINT64_C(1) << CAP_NET_ADMIN)))
		return error_set(err,
				 "cannot keep CAP_NET_ADMIN (--cap-add) with %s: the command could "
				 "remove the network filter\nhint: drop CAP_NET_ADMIN, or use "
				 "--net-host-loopback without --net-allow (no filter then)",
				 p->net.n_allow ? "--net-allow" : "--net user's closed gateway");
	plan_limits(cfg, p);
	plan_processes(cfg, h, p);
	plan_rootfs(cfg, h, p);
	return plan_landlock(cfg, p, err);
}

/* ---- what the plan needs from outside (impure) ---- */

/* The profile (the face's unless --seccomp-profile names one) as one program, put first in
 * the set: it allows prctl and seccomp, so the --seccomp/--add-seccomp-fd programs can still
 * be loaded after it. --seccomp-export writes it out. */
static int load_profile(const struct config *cfg, struct seccomp_set *set, struct error *err)
{
	struct seccomp_request req = cfg->seccomp_req;
	struct seccomp_prog prog;
	bool all;

	req.fallback = face->default_seccomp;
	if (seccomp_request_build(&req, &prog, &all, err) < 0)
		return -1;
	if (cfg->seccomp_export && !cfg->dry_run &&
	    seccomp_request_export(&prog, cfg->seccomp_export, err) < 0) {
		free(prog.insns);
		return -1;
	}
	if (!set || prog.len == 0 || all) {
		free(prog.insns);
		return 0;
	}
	set->progs = xrealloc(set->progs, (set->n + 1) * sizeof(*set->progs));
	memmove(set->progs + 1, set->progs, set->n * sizeof(*set->progs));
	set->progs[0] = prog;
	set->n++;
	set->first_is_profile = true;
	return 0;
}

/* The kernel's Landlock ABI. --landlock-try goes on without Landlock where there is none,
 * and below ABI 2, where a domain denies every rename and link between directories (a git
 * commit, a build's temporary files): that would break what --base runs. */
static int plan_landlock_load(struct landlock_plan *l, struct error *err)
{
	if (!l->on)
		return 0;
	l->abi = landlock_abi();
	l->abi_errno = l->abi ? 0 : errno;
	if (l->abi >= 2 || (l->abi == 1 && l->required))
		return 0;
	l->on = false;
	if (!l->required)
		return 0;
	err->exit_code = face->exit_setup;
	return error_set(err,
			 "cannot use Landlock (--landlock): %s\nhint: --landlock-try goes on "
			 "without it",
			 l->abi_errno == EOPNOTSUPP ? "it is not enabled in this kernel (lsm=)" :
						      "this kernel does not have it");
}

int plan_load(const struct config *cfg, struct plan *p, struct error *err)
{
	if (seccomp_read_programs(&cfg->seccomp_fds, &p->seccomp, err) < 0 ||
	    load_profile(cfg, &p->seccomp, err) < 0)
		return -1;
	join_mark_format(p->rootfs.base_source, sizeof(p->rootfs.base_source),
			 face->mark_mounts ? &p->seccomp : NULL);
	if (plan_net_load(&p->net, err) < 0 || plan_landlock_load(&p->landlock, err) < 0)
		return -1;
	return label_check(cfg->exec_label, cfg->file_label, err);
}

/* Could host uid/gid write to what st describes? (Mode bits only; ACLs may say more.) */
static bool writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	if (st->st_uid == uid)
		return st->st_mode & S_IWUSR;
	if (st->st_gid == gid)
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

void plan_warn(const struct config *cfg, const struct plan *p)
{
	struct plan_warning w[8];
	unsigned n;

	/* bubblewrap says none of this: the bwrap face's stderr stays bubblewrap's. */
	if (!face->plan_warnings)
		return;
	n = plan_check(cfg, p, w, sizeof(w) / sizeof(w[0]));
	for (unsigned i = 0; i < n && i < sizeof(w) / sizeof(w[0]); i++) {
		warn("warning: %s", w[i].msg);
		if (w[i].hint[0])
			hint("%s", w[i].hint);
	}
	/* Root's sandbox runs as nobody unless told: a writable bind of root's directories
	 * then fails inside, where the command cannot say why. Said once, here. */
	if (!p->ids.root_as_nobody)
		return;
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		struct stat st;

		if ((op->type != SETUP_BIND && op->type != SETUP_DEV_BIND) || !op->src ||
		    stat(op->src, &st) < 0 || writable_by(&st, p->ids.outer_uid, p->ids.outer_gid))
			continue;
		warn("warning: '%s' (--%s) is not writable by host uid %u, which root's sandbox "
		     "runs as",
		     op->src, op->option, (unsigned)p->ids.outer_uid);
		hint("--host-uid 0 runs it as root, which then owns what root owns on the host "
		     "(see SECURITY in hutch(1))");
		return;
	}
}

int plan_export_only(const struct config *cfg, struct error *err)
{
	return load_profile(cfg, NULL, err);
}

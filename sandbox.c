/* hutch: a rootless sandbox. main() parses, validates and plans in the parent, then clones
 * into the namespaces; child() is the whole setup sequence, one call per step. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include <unistd.h>

#include "caps.h"
#include "label.h"
#include "net.h"
#include "options.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp-request.h"
#include "seccomp.h"
#include "setup-op.h"
#include "userns.h"
#include "util.h"

/* Everything the child needs beyond the config, decided in the parent. */
struct plan {
	unsigned long clone_flags;
	bool new_userns;  /* we create a user namespace (always when unprivileged) */
	bool write_maps;  /* ... and the child writes its maps itself */
	bool parent_maps; /* ... or the parent does (root mapping onto other host ids) */
	bool nested;	  /* the final ids need a second, nested user namespace */
	bool in_place;	  /* no process stays outside: unshare, set up and exec here */
	bool need_reaper; /* a process stays behind the command to reap (and hold locks) */
	uid_t outer_uid, first_uid, final_uid;
	gid_t outer_gid, first_gid, final_gid;
	uint64_t caps;	       /* the command's capabilities */
	bool caps_as_they_are; /* bwrap face, real root, no cap options: leave the sets alone */
	bool ambient;	       /* ... kept across exec as a non-root uid */
	struct rootfs_plan rootfs;
	struct seccomp_set seccomp;
	/* The parent's explicit go (process_child_wait_go): without it the command never runs.
	 * Early: before the setup (the status fds must show the namespaces before the setup
	 * changes them; the maps must exist first); else right before the command. */
	int go_rd, go_wr;
	bool go_early;
	int pid_rd, pid_wr;	  /* --pidns: the child tells the parent its final pid */
	int status_rd, status_wr; /* the reaper tells the parent the command's status */
};

/* Never setuid, setgid or file capabilities: hutch needs no privilege and must not lend
 * any (DEVELOPERS.md, security rules). */
static void refuse_privileged_install(void)
{
	struct stat st;
	const char *why = NULL;

	if (getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid())
		why = "it runs with privileges it was not started with (setuid, setgid or file "
		      "capabilities)";
	else if (stat("/proc/self/exe", &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
		why = "its binary is installed setuid or setgid";
	else if (getxattr("/proc/self/exe", "security.capability", NULL, 0) >= 0)
		why = "its binary has file capabilities";
	if (why)
		die_status(face->exit_setup,
			   FACE_MSG("refusing to run: %s; hutch needs no privileges: remove them "
				    "(chmod u-s,g-s; setcap -r)",
				    "refusing to run: %s; this bwrap (hutch) must not be setuid"),
			   why);
}

static bool ns_available(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return access(path, F_OK) == 0;
}

static bool has_op(const struct config *cfg, enum setup_op_type type)
{
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next)
		if (op->type == type)
			return true;
	return false;
}

static void make_pipe(int *rd, int *wr)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(FACE_MSG("cannot create a pipe", "pipe2()"));
	*rd = p[0];
	*wr = p[1];
}

/* The profile (the face's unless --seccomp-profile names one) as one program, put first in
 * the set: it allows prctl and seccomp, so the --seccomp/--add-seccomp-fd programs can still
 * be loaded after it. --seccomp-export writes it out. */
static void plan_seccomp_profile(const struct config *cfg, struct seccomp_set *set)
{
	struct seccomp_request req = cfg->seccomp_req;
	struct seccomp_prog prog;
	struct error err = { 0 };
	bool all;

	req.fallback = face->default_seccomp;
	if (seccomp_request_build(&req, &prog, &all, &err) < 0)
		die_error(&err);
	if (cfg->seccomp_export && seccomp_request_export(&prog, cfg->seccomp_export, &err) < 0)
		die_error(&err);
	if (prog.len == 0 || all) {
		free(prog.insns);
		return;
	}
	set->progs = xrealloc(set->progs, (set->n + 1) * sizeof(*set->progs));
	memmove(set->progs + 1, set->progs, set->n * sizeof(*set->progs));
	set->progs[0] = prog;
	set->n++;
	set->first_is_profile = true;
}

/* What the reaper and the command still do after the fork that splits them (glibc's fork,
 * the reaper's close_range and caps_child_clear, its loop; the command's death signal, exec and
 * report). When the profile allows all of it whatever the arguments, one filter attached
 * before the fork serves both: attaching costs the kernel about 0.1 ms (it JITs the program
 * and runs it for every call number to cache the answers), and the reaper must be filtered
 * too. */
static bool one_filter_for_both(const struct config *cfg, const struct plan *p)
{
	struct seccomp_call calls[24];
	size_t n = 0;

#define CALL(...) (calls[n++] = (struct seccomp_call){ __VA_ARGS__ })
	CALL(SYS_clone, { CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD });
	CALL(SYS_set_robust_list, { 0 });
	CALL(SYS_capset, { 0 });
	CALL(SYS_close, { 3 });
	CALL(SYS_prctl, { PR_SET_CHILD_SUBREAPER, 1 });
	CALL(SYS_rt_sigtimedwait, { 0 });
	CALL(SYS_rt_sigprocmask, { SIG_SETMASK });
	CALL(SYS_kill, { 2, SIGTERM });
	CALL(SYS_wait4, { (unsigned long long)-1, 0, WNOHANG });
	CALL(SYS_write, { 2 });
	CALL(SYS_read, { 3 });
	CALL(SYS_execve, { 0 });
	CALL(SYS_brk, { 0 });
	CALL(SYS_mmap, { 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 (unsigned long long)-1 });
	CALL(SYS_exit_group, { 0 });
	CALL(SYS_close_range, { 3, ~0U, 0 });
	if (cfg->die_with_parent) {
		CALL(SYS_prctl, { PR_SET_PDEATHSIG, SIGKILL });
		CALL(SYS_getppid, { 0 });
	}
#undef CALL
	return seccomp_set_allows(&p->seccomp, calls, n);
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

static void check_one_fd(int *fd, const char *option, enum bwrap_closed_fd bw, const char *dest)
{
	int e;

	if (*fd < 0 || fcntl(*fd, F_GETFD) >= 0)
		return;
	e = errno;
	if (face->id == FACE_HUTCH)
		die_status_errno(face->exit_usage, e, "cannot use fd %d (--%s)", *fd, option);
	switch (bw) {
	case BW_IGNORES:
		*fd = -1;
		return;
	case BW_INFO:
		die_status_errno(face->exit_setup, e, "Write to info_fd");
	case BW_SECCOMP:
		die_status_errno(face->exit_setup, e, "Can't read seccomp data");
	case BW_USERNS:
		die_status_errno(face->exit_setup, e, "Joining specified user namespace failed");
	case BW_USERNS2:
		die_status_errno(face->exit_setup, e, "Setting userns2 failed");
	case BW_PIDNS:
		die_status_errno(face->exit_setup, e, "Setting pidns failed");
	case BW_BIND_FD:
		die_status_errno(face->exit_setup, ENOENT,
				 "Can't find source path /proc/self/fd/%d", *fd);
	case BW_DATA:
		die_status_errno(face->exit_setup, e, "Can't write data to file %s", dest);
	}
}

/* Every fd an option names must be the caller's and open now, before hutch opens any of its
 * own: a closed number would later name one of ours (a pipe to the parent, the host's /proc)
 * and hand it to the sandbox, or make hutch read its own pipe as the caller's data. */
static void check_named_fds(struct config *cfg)
{
	check_one_fd(&cfg->info_fd, "info-fd", BW_INFO, NULL);
	check_one_fd(&cfg->json_status_fd, "json-status-fd", BW_INFO, NULL);
	check_one_fd(&cfg->sync_fd, "sync-fd", BW_IGNORES, NULL);
	check_one_fd(&cfg->block_fd, "block-fd", BW_IGNORES, NULL);
	check_one_fd(&cfg->userns_block_fd, "userns-block-fd", BW_IGNORES, NULL);
	check_one_fd(&cfg->userns_fd, "userns", BW_USERNS, NULL);
	check_one_fd(&cfg->userns2_fd, "userns2", BW_USERNS2, NULL);
	check_one_fd(&cfg->pidns_fd, "pidns", BW_PIDNS, NULL);
	for (unsigned i = 0; i < cfg->seccomp_fds.n; i++)
		check_one_fd(&cfg->seccomp_fds.v[i],
			     cfg->seccomp_legacy ? "seccomp" : "add-seccomp-fd", BW_SECCOMP, NULL);
	for (unsigned i = 0; i < cfg->pass_fds.n; i++)
		check_one_fd(&cfg->pass_fds.v[i], "pass-fd", BW_IGNORES, NULL);
	for (struct setup_op *op = cfg->ops.head; op; op = op->next)
		check_one_fd(&op->fd, op->option,
			     op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD ?
				     BW_BIND_FD :
				     BW_DATA,
			     op->dest);
}

static void make_plan(const struct config *cfg, struct plan *p)
{
	/* "Root" means able to mount without a user namespace: uid 0 holding CAP_SYS_ADMIN. A
	 * uid 0 without it (inside another sandbox) needs a user namespace like anyone else. */
	bool root = geteuid() == 0 && (caps_current_effective() & (UINT64_C(1) << 21));
	struct error err = { 0 };

	/* Root in the hutch face gets a user namespace too: the command then holds no
	 * capability over anything of the host's, whatever it is given inside. */
	p->new_userns = cfg->userns_fd < 0 &&
			(cfg->unshare_user == NS_YES || !root || face->root_userns ||
			 (cfg->unshare_user == NS_TRY && ns_available("user")));
	/* The host ids the sandbox's map to: the caller's, or (root only, which alone may map
	 * other ids: user_namespaces(7)) --host-uid/--host-gid, written by the parent. */
	p->outer_uid = cfg->host_uid_set ? cfg->host_uid : geteuid();
	p->outer_gid = cfg->host_gid_set ? cfg->host_gid : getegid();
	if ((p->outer_uid != geteuid() || p->outer_gid != getegid()) && !root)
		die_status(
			face->exit_usage,
			"cannot map the sandbox onto host uid %u gid %u (--host-uid, --host-gid): "
			"only root may choose other host ids",
			(unsigned)p->outer_uid, (unsigned)p->outer_gid);
	if ((cfg->host_uid_set || cfg->host_gid_set) && !p->new_userns)
		die_status(face->exit_usage, "--host-uid and --host-gid need a new user namespace "
					     "(not --userns)");
	p->parent_maps = p->new_userns && cfg->userns_block_fd < 0 &&
			 (p->outer_uid != geteuid() || p->outer_gid != getegid());
	p->write_maps = p->new_userns && cfg->userns_block_fd < 0 && !p->parent_maps;
	p->final_uid = cfg->uid_set ? cfg->uid : getuid();
	p->final_gid = cfg->gid_set ? cfg->gid : getgid();
	/* As in bubblewrap, the setup's ids in the first namespace are the final ones, except
	 * that --dev (devpts) needs root there: then a nested namespace maps the final ids onto
	 * root, and --disable-userns always needs that nested namespace. uid_map inside stays
	 * one line either way. */
	bool root_first = has_op(cfg, SETUP_DEV) || cfg->disable_userns;
	p->first_uid = root_first ? 0 : p->final_uid;
	p->first_gid = root_first ? 0 : p->final_gid;
	p->nested = (p->write_maps || p->parent_maps) &&
		    (p->first_uid != p->final_uid || p->first_gid != p->final_gid ||
		     cfg->disable_userns);

	p->clone_flags = CLONE_NEWNS;
	if (p->new_userns)
		p->clone_flags |= CLONE_NEWUSER;
	if (cfg->unshare_pid && cfg->pidns_fd < 0)
		p->clone_flags |= CLONE_NEWPID;
	if (cfg->unshare_net)
		p->clone_flags |= CLONE_NEWNET;
	if (cfg->unshare_ipc)
		p->clone_flags |= CLONE_NEWIPC;
	if (cfg->unshare_uts)
		p->clone_flags |= CLONE_NEWUTS;
	if (cfg->unshare_cgroup == NS_YES ||
	    (cfg->unshare_cgroup == NS_TRY && ns_available("cgroup")))
		p->clone_flags |= CLONE_NEWCGROUP;

	/* bubblewrap's rule: real root keeps what it has, minus --cap-drop, plus --cap-add;
	 * everyone else starts from nothing. The hutch face drops root's too. */
	uint64_t initial = (getuid() == 0 && face->root_keeps_caps) ? caps_current_effective() : 0;
	/* Read here, from the host's /proc: the child needs the value after pivot_root, where
	 * /proc is whatever the sandbox was given (caps_all caches it). */
	(void)caps_all();
	p->caps = (initial & cfg->caps_keep_initial) | cfg->caps;
	p->ambient = p->caps != 0 && p->final_uid != 0;
	p->caps_as_they_are = initial && !cfg->caps_explicit;

	p->need_reaper = !cfg->as_pid_1 &&
			 (cfg->unshare_pid || cfg->sync_fd >= 0 || has_op(cfg, SETUP_LOCK_FILE));
	/* Without a PID namespace or a status fd nothing needs a process outside the sandbox. */
	p->in_place = face->in_place && !cfg->unshare_pid && cfg->pidns_fd < 0 &&
		      cfg->info_fd < 0 && cfg->json_status_fd < 0 && cfg->userns_block_fd < 0 &&
		      !p->parent_maps &&
		      /* setsid() fails in a process group leader (setsid(2)): fork then. */
		      !(cfg->new_session && getpgrp() == getpid());

	p->rootfs.make_slave = !p->new_userns;
	p->rootfs.host_tty = isatty(STDOUT_FILENO) ? ttyname(STDOUT_FILENO) : NULL;
	p->rootfs.caller_cwd = get_current_dir_name();
	mode_t mask = umask(0);
	umask(mask);
	p->rootfs.file_mode = face->file_umask ? 0666 & ~mask : 0666;
	p->go_rd = p->go_wr = p->pid_rd = p->pid_wr = p->status_rd = p->status_wr = -1;
	if (!p->in_place)
		make_pipe(&p->go_rd, &p->go_wr);
	/* With status fds the parent reads the namespace ids before the setup changes anything
	 * (bubblewrap's order); --userns-block-fd and --host-uid: the maps come first. */
	p->go_early = cfg->userns_block_fd >= 0 || cfg->info_fd >= 0 || cfg->json_status_fd >= 0 ||
		      p->parent_maps;
	if (cfg->pidns_fd >= 0)
		make_pipe(&p->pid_rd, &p->pid_wr);
	if (p->need_reaper && !p->in_place)
		make_pipe(&p->status_rd, &p->status_wr);

	if (seccomp_read_programs(&cfg->seccomp_fds, &p->seccomp, &err) < 0)
		die_error(&err);
	plan_seccomp_profile(cfg, &p->seccomp);
	if (label_check(cfg, &err) < 0)
		die_error(&err);
}

/* --userns, --disable-userns, --assert-userns-disabled after the root is built. */
static void final_ids(const struct config *cfg, const struct plan *p, int procfd, int procsysfd)
{
	if (cfg->userns2_fd >= 0 && setns(cfg->userns2_fd, CLONE_NEWUSER) < 0)
		die_errno_face("Setting userns2 failed",
			       "cannot join the user namespace of fd %d (--userns2)",
			       cfg->userns2_fd);
	if (p->nested)
		userns_child_enter_nested(procfd, procsysfd, p->final_uid, p->final_gid,
					  cfg->disable_userns);
	if (cfg->disable_userns || cfg->assert_userns_disabled)
		userns_child_assert_disabled();
	if (cfg->userns_fd >= 0)
		userns_child_switch_ids(cfg->uid_set ? cfg->uid : getuid(),
					cfg->gid_set ? cfg->gid : getgid());
}

static void close_parent_fds(const struct config *cfg, const struct plan *p)
{
	const int fds[] = { cfg->info_fd, cfg->json_status_fd, p->go_wr, p->pid_rd, p->status_rd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* pid 1 (or, without a PID namespace, the reaper): it never execs, so close-on-exec does
 * nothing for it and it closes by hand every fd but the few its job needs; it is not
 * dumpable (set before the fork), so the command can neither open /proc/1/fd, /proc/1/mem
 * nor ptrace it; and it holds no capability. */
static noreturn void reaper(const struct config *cfg, const struct plan *p, pid_t cmd,
			    const struct int_list *locks, bool filtered, int ready_wr)
{
	int keep[64];
	size_t n = 0;

	keep[n++] = ready_wr;
	if (p->status_wr >= 0)
		keep[n++] = p->status_wr;
	if (cfg->sync_fd >= 0)
		keep[n++] = cfg->sync_fd;
	for (unsigned i = 0; i < locks->n && n < sizeof(keep) / sizeof(keep[0]); i++)
		keep[n++] = locks->v[i];
	if (locks->n + 3 > sizeof(keep) / sizeof(keep[0]) || fds_close_except(keep, n) < 0)
		die_errno(FACE_MSG("the sandbox's pid 1 cannot close its descriptors",
				   "close_range in pid 1"));
	caps_child_clear();
	if (!filtered)
		seccomp_child_load(&p->seccomp);
	/* Locked down: the command may run (a failure above kept it from running at all). */
	process_parent_go(ready_wr);
	process_reaper_loop(cmd, cfg->unshare_pid || cfg->pidns_fd >= 0, p->status_wr);
}

/* The setup sequence. Order matters; each step says why it sits where it does. */
static noreturn void child(const struct config *cfg, const struct plan *p, const sigset_t *mask)
{
	struct int_list locks = { 0 };

	/* The status fds and the parent's ends of our pipes are the parent's alone. */
	close_parent_fds(cfg, p);
	/* Another PID namespace is joined by forking into it; the parent learns the pid. */
	if (cfg->pidns_fd >= 0)
		process_child_enter_pidns(cfg->pidns_fd, cfg->unshare_pid, p->pid_wr);
	/* A parent that dies during the setup takes the sandbox with it (after the --pidns
	 * forks: the relay's exit would fire it); the go byte covers what this cannot. */
	if (cfg->pidns_fd < 0 && !p->in_place)
		process_child_die_with_parent();
	/* Status fds written, maps written, --userns-block-fd read: the parent says go. */
	if (p->go_early)
		process_child_wait_go(p->go_rd);
	if (p->parent_maps) {
		userns_child_become(p->first_uid, p->first_gid);
		/* Changing ids made us non-dumpable, and /proc/self root's: we write there. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			die_errno("prctl(PR_SET_DUMPABLE)");
	}
	/* Our /proc/<pid> and /proc/sys, while the host's /proc is still the one at /proc. */
	int procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int procsysfd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 && (p->write_maps || p->nested || cfg->exec_label))
		die_errno(FACE_MSG("cannot open /proc/self", "open /proc/self failed"));
	/* Until the maps exist we are the overflow uid and may not mount anything. */
	if (p->write_maps)
		userns_child_map_self(procfd, p->first_uid, p->first_gid, p->outer_uid,
				      p->outer_gid, true);
	/* Modes of what the setup creates are exactly the requested ones (bubblewrap's umask). */
	mode_t umask_saved = umask(0);
	/* The new root, in command-line order, then the locks, pivot_root and the detach. */
	rootfs_child_build(cfg, &p->rootfs, &locks);
	/* Loopback and hostname need the capabilities of the first namespace. */
	if (cfg->unshare_net)
		net_child_loopback_up();
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		die_errno(FACE_MSG("cannot set the hostname to '%s'", "Can't set hostname to %s"),
			  cfg->hostname);
	/* Land on the final ids; after this we hold no power over the first namespace. */
	final_ids(cfg, p, procfd, procsysfd);
	/* Before capabilities: with no_new_privs nothing exec'd can gain privileges again. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(FACE_MSG("cannot set no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS) failed"));
	caps_child_apply(p->caps, p->ambient, p->caps_as_they_are);
	/* --block-fd: the caller may still look at the finished sandbox before it runs. */
	if (cfg->block_fd >= 0)
		process_child_block_on(cfg->block_fd, "--block-fd");
	/* Environment, working directory and session of the command. */
	umask(umask_saved);
	process_child_env_and_cwd(cfg, p->rootfs.caller_cwd);
	if (cfg->new_session && setsid() < 0)
		die_errno(FACE_MSG("cannot start a new session", "setsid"));
	/* The last write to our own /proc/<pid>: a non-dumpable process no longer owns it. */
	label_child_exec(cfg, procfd);
	/* The host's /proc and /proc/sys: nothing past this point may hold them (pid 1 never
	 * execs, so close-on-exec would not take them away from it). */
	if (procfd >= 0)
		close(procfd);
	if (procsysfd >= 0)
		close(procsysfd);
	/* Nothing runs unless the parent said go (EOF: it failed or died meanwhile). */
	if (p->go_rd >= 0 && !p->go_early)
		process_child_wait_go(p->go_rd);
	/* bubblewrap's sandbox outlives it unless --die-with-parent: from here on, only then. */
	if (!cfg->die_with_parent && prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	/* A process stays behind to reap, forward signals and hold --lock-file/--sync-fd. It is
	 * filtered too: the command could otherwise ptrace it and run unfiltered code. */
	bool filtered = false;
	int ready_rd = -1;
	if (p->need_reaper) {
		/* Before the fork, so there is no moment in which the command could open pid 1's
		 * /proc files; the command's exec makes it dumpable again. */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			die_errno(FACE_MSG("cannot make pid 1 non-dumpable",
					   "prctl(PR_SET_DUMPABLE)"));
		/* pid 1 says when its own lockdown is done; the command waits for that. */
		int ready[2];
		if (pipe2(ready, O_CLOEXEC) < 0)
			die_errno(FACE_MSG("cannot create a pipe", "pipe2()"));
		if (one_filter_for_both(cfg, p)) {
			if (face->close_inherited_fds) /* the reaper closes its own by hand */
				process_child_close_fds(&cfg->pass_fds);
			seccomp_child_load(&p->seccomp);
			filtered = true;
		}
		pid_t reaper_pid = getpid();
		pid_t cmd = process_child_fork_command();
		if (cmd > 0) {
			close(ready[0]);
			reaper(cfg, p, cmd, &locks, filtered, ready[1]);
		}
		close(ready[1]);
		ready_rd = ready[0];
		/* The death signal does not survive fork(2): the command's parent is the
		 * reaper now, which dies with ours (bubblewrap sets it again here too). */
		if (cfg->die_with_parent) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
				die_errno("prctl(PR_SET_PDEATHSIG)");
			if (getppid() != reaper_pid)
				_exit(face->exit_setup);
		}
		if (p->status_wr >= 0)
			close(p->status_wr);
	}
	/* The reaper holds these; the command gets none of them (--as-pid-1: it is pid 1). */
	if (cfg->sync_fd >= 0 && !cfg->as_pid_1)
		close(cfg->sync_fd);
	for (unsigned i = 0; i < locks.n; i++)
		close(locks.v[i]);
	if (face->close_inherited_fds && !filtered)
		process_child_close_fds(&cfg->pass_fds);
	/* pid 1 closed its fds, dropped its capabilities and loaded its filter: if any of it
	 * failed, it is gone, and so is the command, before it runs. */
	if (ready_rd >= 0)
		process_child_wait_go(ready_rd);
	/* Last: the filters need not allow anything hutch itself still does. */
	if (!filtered)
		seccomp_child_load(&p->seccomp);
	process_child_exec(cfg, mask);
}

static noreturn void namespaces_failed(const struct plan *p, int e)
{
	if (face->id == FACE_BWRAP) {
		if (e == ENOSPC)
			die("Creating new namespace failed: nesting depth or "
			    "/proc/sys/user/max_*_namespaces exceeded (ENOSPC)");
		if (e == EPERM && p->new_userns)
			die("No permissions to create a new namespace, likely because the kernel "
			    "does not allow non-privileged user namespaces. On e.g. debian this "
			    "can be enabled with 'sysctl kernel.unprivileged_userns_clone=1'.");
		if (e == EINVAL && p->new_userns)
			die("Creating new namespace failed, likely because the kernel does not "
			    "support user namespaces.  bwrap must be installed setuid on such "
			    "systems.");
		die_status_errno(face->exit_setup, e, "Creating new namespace failed");
	}
	warn("cannot create the sandbox namespaces: %s", strerror(e));
	if (p->new_userns && (e == EPERM || e == ENOSPC || e == EACCES || e == EINVAL))
		hint_userns(e);
	exit(face->exit_setup);
}

/* The parent after clone: status fds, --pidns pid, --userns-block-fd, then the monitor. */
static noreturn void parent(const struct config *cfg, struct plan *p, pid_t pid, int report_rd)
{
	const int child_ends[] = { p->status_wr, p->go_rd, p->pid_wr };

	/* A pipe whose reader is gone (the child, a caller's --json-status-fd) must give EPIPE
	 * here, never end the parent by a signal the caller would take for the command's. */
	signal(SIGPIPE, SIG_IGN);

	for (size_t i = 0; i < sizeof(child_ends) / sizeof(child_ends[0]); i++)
		if (child_ends[i] >= 0)
			close(child_ends[i]);
	if (p->pid_rd >= 0) {
		int v = 0;
		if (read(p->pid_rd, &v, sizeof(v)) != (ssize_t)sizeof(v) || v <= 0)
			die(FACE_MSG("cannot learn the pid of the sandbox (--pidns)",
				     "No pid returned on socket"));
		close(p->pid_rd);
		pid = v;
	}
	/* --host-uid/--host-gid: only root in the parent namespace may map other ids. The
	 * child waits (go_early) with no power in its namespace until they exist. */
	if (p->parent_maps) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		_cleanup_close_ int procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (procfd < 0)
			die_errno("cannot open %s", path);
		userns_child_map_self(procfd, p->first_uid, p->first_gid, p->outer_uid,
				      p->outer_gid, true);
	}
	if (cfg->info_fd >= 0 || cfg->json_status_fd >= 0)
		process_parent_write_info(cfg->info_fd, cfg->json_status_fd, pid, p->clone_flags);
	if (cfg->userns_block_fd >= 0)
		process_child_block_on(cfg->userns_block_fd, "--userns-block-fd");
	/* Everything the parent does before the command may run is done. */
	process_parent_go(p->go_wr);
	process_parent_wait(pid, report_rd, cfg->json_status_fd, p->status_rd);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct plan plan = { 0 };
	struct error err = { 0 };
	int exit_now = 0, report_rd = -1;
	sigset_t mask;
	pid_t ppid = getppid();

	face_select(argv[0]);
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap our children for us and
	 * leave nothing to wait for (bubblewrap 0.11.1 resets it too). */
	signal(SIGCHLD, SIG_DFL);
	refuse_privileged_install();
	config_init(&cfg);
	if (options_parse(&cfg, argc, argv, &exit_now, &err) < 0)
		die_error(&err);
	if (exit_now && cfg.seccomp_export) { /* --seccomp-export without a command */
		struct seccomp_set set = { 0 };

		plan_seccomp_profile(&cfg, &set);
		return 0;
	}
	if (exit_now)
		return err.exit_code;
	util_set_level_prefix(cfg.level_prefix);
	if (setup_validate(&cfg, &err) < 0)
		die_error(&err);
	/* Before hutch opens a single fd of its own. */
	check_named_fds(&cfg);
	make_plan(&cfg, &plan);

	if (cfg.die_with_parent) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != ppid)
			return face->exit_setup;
	}
	/* --userns: the sandbox lives in an existing user namespace, joined before clone. */
	if (cfg.userns_fd >= 0 && setns(cfg.userns_fd, CLONE_NEWUSER) < 0) {
		if (errno == EINVAL && face->id == FACE_BWRAP)
			die("Joining the specified user namespace failed, it might not be a "
			    "descendant of the current user namespace.");
		die_errno_face("Joining specified user namespace failed",
			       "cannot join the user namespace of fd %d (--userns)", cfg.userns_fd);
	}
	/* --pidns: the sandbox is a grandchild; as subreaper we get it when its parent exits,
	 * which may happen at once, so this must be in place before clone. */
	if (cfg.pidns_fd >= 0)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* --host-uid/--host-gid: root's supplementary groups would stay ours in the sandbox
	 * (setgroups is denied there); drop them here, before clone passes them on. */
	if (plan.parent_maps && setgroups(0, NULL) < 0)
		die_errno("cannot drop the supplementary groups (--host-uid)");
	pid_t pid = 0;
	if (plan.in_place) {
		/* The reaper (--sync-fd, --lock-file) waits for these; exec restores the mask. */
		sigset_t set;
		process_forward_set(&set);
		sigprocmask(SIG_BLOCK, &set, &mask);
		if (unshare((int)plan.clone_flags) < 0)
			pid = -1;
	} else {
		pid = process_spawn(plan.clone_flags, &mask, &report_rd);
	}
	if (pid < 0)
		namespaces_failed(&plan, errno);
	if (pid == 0)
		child(&cfg, &plan, &mask);
	parent(&cfg, &plan, pid, report_rd);
}

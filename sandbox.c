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
	bool write_maps;  /* ... and write its maps ourselves (not --userns-block-fd) */
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
	int release_rd, release_wr; /* status fds, --userns-block-fd: the parent says go on */
	int pid_rd, pid_wr;	    /* --pidns: the child tells the parent its final pid */
	int status_rd, status_wr;   /* the reaper tells the parent the command's status */
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
 * caps_child_clear, the lock files, the reaper's loop; the command's death signal, exec and
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
	CALL(SYS_execve, { 0 });
	CALL(SYS_brk, { 0 });
	CALL(SYS_mmap, { 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 (unsigned long long)-1 });
	CALL(SYS_exit_group, { 0 });
	if (rootfs_has_locks(cfg)) {
		CALL(SYS_openat, { (unsigned long long)AT_FDCWD, 0, O_RDONLY | O_CLOEXEC });
		CALL(SYS_fcntl, { 3, F_SETLK });
	}
	if (cfg->die_with_parent) {
		CALL(SYS_prctl, { PR_SET_PDEATHSIG, SIGKILL });
		CALL(SYS_getppid, { 0 });
	}
#undef CALL
	return seccomp_set_allows(&p->seccomp, calls, n);
}

static void make_plan(const struct config *cfg, struct plan *p)
{
	/* "Root" means able to mount without a user namespace: uid 0 holding CAP_SYS_ADMIN. A
	 * uid 0 without it (inside another sandbox) needs a user namespace like anyone else. */
	bool root = geteuid() == 0 && (caps_current_effective() & (UINT64_C(1) << 21));
	struct error err = { 0 };

	/* Every fd an operation names must be the caller's, open now, before hutch opens any
	 * of its own: a closed number would otherwise name one of ours in the child. */
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		if (op->fd < 0 || fcntl(op->fd, F_GETFD) >= 0)
			continue;
		if (face->id == FACE_BWRAP &&
		    (op->type == SETUP_BIND_FD || op->type == SETUP_RO_BIND_FD))
			die_status_errno(face->exit_setup, ENOENT,
					 "Can't find source path /proc/self/fd/%d", op->fd);
		die_status_errno(face->exit_usage, errno,
				 FACE_MSG("--%s: fd %d is not open", "--%s: fd %d"), op->option,
				 op->fd);
	}
	p->outer_uid = geteuid();
	p->outer_gid = getegid();
	p->new_userns = cfg->userns_fd < 0 &&
			(cfg->unshare_user == NS_YES || !root ||
			 (cfg->unshare_user == NS_TRY && ns_available("user")));
	p->write_maps = p->new_userns && cfg->userns_block_fd < 0;
	p->final_uid = cfg->uid_set ? cfg->uid : getuid();
	p->final_gid = cfg->gid_set ? cfg->gid : getgid();
	/* As in bubblewrap, the setup's ids in the first namespace are the final ones, except
	 * that --dev (devpts) needs root there: then a nested namespace maps the final ids onto
	 * root, and --disable-userns always needs that nested namespace. uid_map inside stays
	 * one line either way. */
	bool root_first = has_op(cfg, SETUP_DEV) || cfg->disable_userns;
	p->first_uid = root_first ? 0 : p->final_uid;
	p->first_gid = root_first ? 0 : p->final_gid;
	p->nested = p->write_maps && (p->first_uid != p->final_uid ||
				      p->first_gid != p->final_gid || cfg->disable_userns);

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
	p->in_place = !cfg->unshare_pid && cfg->pidns_fd < 0 && cfg->info_fd < 0 &&
		      cfg->json_status_fd < 0 && cfg->userns_block_fd < 0 &&
		      /* setsid() fails in a process group leader (setsid(2)): fork then. */
		      !(cfg->new_session && getpgrp() == getpid());

	p->rootfs.make_slave = !p->new_userns;
	p->rootfs.host_tty = isatty(STDOUT_FILENO) ? ttyname(STDOUT_FILENO) : NULL;
	p->rootfs.caller_cwd = get_current_dir_name();
	p->release_rd = p->release_wr = p->pid_rd = p->pid_wr = p->status_rd = p->status_wr = -1;
	/* With status fds the child waits until the parent has written them, so the namespace
	 * ids are read before the setup changes anything (bubblewrap's order). */
	if (cfg->userns_block_fd >= 0 || cfg->info_fd >= 0 || cfg->json_status_fd >= 0)
		make_pipe(&p->release_rd, &p->release_wr);
	if (cfg->pidns_fd >= 0)
		make_pipe(&p->pid_rd, &p->pid_wr);
	if (p->need_reaper && !p->in_place)
		make_pipe(&p->status_rd, &p->status_wr);

	for (unsigned i = 0; i < cfg->pass_fds.n; i++)
		if (fcntl(cfg->pass_fds.v[i], F_GETFD) < 0)
			die_status(face->exit_usage, "--pass-fd %d: not an open descriptor",
				   cfg->pass_fds.v[i]);
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

/* The setup sequence. Order matters; each step says why it sits where it does. */
static noreturn void child(const struct config *cfg, const struct plan *p, const sigset_t *mask)
{
	/* The status fds belong to the parent; the sandbox never sees them. */
	if (cfg->info_fd >= 0)
		close(cfg->info_fd);
	if (cfg->json_status_fd >= 0)
		close(cfg->json_status_fd);
	/* First, so a parent that dies during setup takes the sandbox with it. */
	if (cfg->die_with_parent)
		process_child_die_with_parent();
	/* Another PID namespace is joined by forking into it; the parent learns the pid. */
	if (cfg->pidns_fd >= 0)
		process_child_enter_pidns(cfg->pidns_fd, cfg->unshare_pid, p->pid_wr);
	/* Only the parent keeps these ends. */
	if (p->pid_rd >= 0)
		close(p->pid_rd);
	if (p->status_rd >= 0)
		close(p->status_rd);
	/* Status fds written, --userns-block-fd read (the caller wrote our maps): go on. */
	if (p->release_rd >= 0) {
		close(p->release_wr);
		process_child_block_on(p->release_rd, "the release pipe");
	}
	/* Our /proc/<pid> and /proc/sys, while the host's /proc is still the one at /proc. */
	_cleanup_close_ int procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int procsysfd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 && p->write_maps)
		die_errno(FACE_MSG("cannot open /proc/self", "open /proc/self failed"));
	/* Until the maps exist we are the overflow uid and may not mount anything. */
	if (p->write_maps)
		userns_child_map_self(procfd, p->first_uid, p->first_gid, p->outer_uid,
				      p->outer_gid, true);
	/* Modes of what the setup creates are exactly the requested ones (bubblewrap's umask). */
	mode_t umask_saved = umask(0);
	/* The new root, in command-line order, then pivot_root and detach the host. */
	rootfs_child_build(cfg, &p->rootfs);
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
	label_child_exec(cfg, procfd);
	/* A process stays behind to reap, forward signals and hold --lock-file/--sync-fd. It is
	 * filtered too: the command could otherwise ptrace it and run unfiltered code. */
	bool filtered = false;
	if (p->need_reaper) {
		if (one_filter_for_both(cfg, p)) {
			if (face->close_inherited_fds) /* the reaper never execs: no matter */
				process_child_close_fds(&cfg->pass_fds);
			seccomp_child_load(&p->seccomp);
			filtered = true;
		}
		pid_t reaper = getpid();
		pid_t cmd = process_child_fork_command();
		if (cmd > 0) {
			caps_child_clear();
			rootfs_child_take_locks(cfg);
			if (!filtered)
				seccomp_child_load(&p->seccomp);
			process_reaper_loop(cmd, cfg->unshare_pid || cfg->pidns_fd >= 0,
					    p->status_wr);
		}
		/* The death signal does not survive fork(2): the command's parent is the
		 * reaper now, which dies with ours (bubblewrap sets it again here too). */
		if (cfg->die_with_parent) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
				die_errno("prctl(PR_SET_PDEATHSIG)");
			if (getppid() != reaper)
				_exit(face->exit_setup);
		}
	}
	if (cfg->sync_fd >= 0 && !cfg->as_pid_1)
		close(cfg->sync_fd);
	if (face->close_inherited_fds && !filtered)
		process_child_close_fds(&cfg->pass_fds);
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
	if (p->status_wr >= 0)
		close(p->status_wr);
	if (p->release_rd >= 0)
		close(p->release_rd);
	if (p->pid_wr >= 0) {
		int v = 0;
		close(p->pid_wr);
		if (read(p->pid_rd, &v, sizeof(v)) != (ssize_t)sizeof(v) || v <= 0)
			die(FACE_MSG("cannot learn the pid of the sandbox (--pidns)",
				     "No pid returned on socket"));
		pid = v;
	}
	if (cfg->info_fd >= 0 || cfg->json_status_fd >= 0)
		process_parent_write_info(cfg->info_fd, cfg->json_status_fd, pid, p->clone_flags);
	if (cfg->userns_block_fd >= 0)
		process_child_block_on(cfg->userns_block_fd, "--userns-block-fd");
	if (p->release_wr >= 0)
		close(p->release_wr);
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

/* hutch: a rootless sandbox. main() is the table of contents: parse what the user asked,
 * plan what will be done, run it. The processes it runs each have their sequence here, one
 * call per step, with why the step sits where it does (docs/architecture.md). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "caps.h"
#include "dryrun.h"
#include "jobserver.h"
#include "join.h"
#include "check.h"
#include "label.h"
#include "landlock.h"
#include "monitor.h"
#include "net-filter.h"
#include "net-helper.h"
#include "net.h"
#include "options.h"
#include "plan.h"
#include "process.h"
#include "rlimit.h"
#include "rootfs.h"
#include "seccomp.h"
#include "userns.h"
#include "util.h"

/* The pipes between the processes of one launch (made by the executor, not planned). */
struct channels {
	/* The parent's explicit go (process_child_wait_go): without it the command never runs.
	 * The child reads it before the setup (plan.status.go_early) or right before the
	 * command. */
	int go_rd, go_wr;
	int pid_rd, pid_wr;	   /* --pidns: the child tells the parent its final pid */
	int status_rd, status_wr;  /* the reaper tells the parent the command's status */
	pid_t caller;		   /* hutch's own parent (the caller), for --die-with-parent */
	struct cgroup_sandbox *cg; /* the sandbox's cgroup (made by the parent), or NULL */
	struct cgroup_rlimits cg_rlimits;   /* --limits-try: what stands in for a cgroup */
	uint64_t start_ns;		    /* when the sandbox was made: its wall time */
	struct monitor_strangers strangers; /* hutch's children from before: not the sandbox's */
};

/* Never setuid, setgid or file capabilities: hutch needs no privilege and must not lend
 * any (docs/architecture.md, "Security rules"). */
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
		die_status(face->exit_setup, msg(MSG_PRIVILEGED), why);
}

static void make_pipe(int *rd, int *wr)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(msg(MSG_PIPE_CHILD));
	*rd = p[0];
	*wr = p[1];
}

static void make_channels(const struct plan *p, struct channels *ch)
{
	*ch = (struct channels){ .cg = NULL };
	ch->go_rd = ch->go_wr = ch->pid_rd = ch->pid_wr = ch->status_rd = ch->status_wr = -1;
	ch->caller = getppid();
	if (p->proc.in_place)
		return;
	make_pipe(&ch->go_rd, &ch->go_wr);
	if (p->proc.pidns_fd >= 0)
		make_pipe(&ch->pid_rd, &ch->pid_wr);
	if (p->proc.need_reaper)
		make_pipe(&ch->status_rd, &ch->status_wr);
}

/* What the reaper and the command still do after the fork that splits them (glibc's fork,
 * the reaper's close_range and caps_child_clear, its loop; the command's death signal, exec and
 * report). When the profile allows all of it whatever the arguments, one filter attached
 * before the fork serves both: attaching costs the kernel about 0.1 ms (it JITs the program
 * and runs it for every call number to cache the answers), and the reaper must be filtered
 * too. */
static bool one_filter_for_both(const struct plan *p)
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
	if (p->proc.die_with_parent) {
		CALL(SYS_prctl, { PR_SET_PDEATHSIG, SIGKILL });
		CALL(SYS_getppid, { 0 });
	}
#undef CALL
	return seccomp_set_allows(&p->seccomp, calls, n);
}

/* --userns2, the nested namespace of the final ids, --disable-userns, and in a joined
 * namespace (--userns) the ids asked for; after the root is built. */
static void final_ids(const struct ids_plan *ids, int procfd, int procsysfd)
{
	if (ids->userns2_fd >= 0 && setns(ids->userns2_fd, CLONE_NEWUSER) < 0)
		die_errno(msg(MSG_USERNS2_JOIN), ids->userns2_fd);
	if (ids->nested)
		userns_child_enter_nested(procfd, procsysfd, ids->final_uid, ids->final_gid,
					  ids->disable);
	if (ids->disable || ids->assert_disabled)
		userns_child_assert_disabled();
	if (ids->userns_fd >= 0)
		userns_child_switch_ids(ids->uid_set ? ids->final_uid : getuid(),
					ids->gid_set ? ids->final_gid : getgid());
}

static void close_parent_fds(const struct plan *p, const struct channels *ch)
{
	const int fds[] = { p->status.info_fd, p->status.json_fd, ch->go_wr, ch->pid_rd,
			    ch->status_rd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* pid 1 (or, without a PID namespace, the reaper): it never execs, so close-on-exec does
 * nothing for it and it closes by hand every fd but the few its job needs; it is not
 * dumpable (set before the fork), so the command can neither open /proc/1/fd, /proc/1/mem
 * nor ptrace it; and it holds no capability. When all that is done it tells the command
 * (ready_wr), which runs only then. */
static noreturn void reaper(const struct plan *p, const struct channels *ch, pid_t cmd,
			    const struct int_list *locks, bool filtered, int ready_wr)
{
	int keep[64];
	size_t n = 0;

	keep[n++] = ready_wr;
	if (ch->status_wr >= 0)
		keep[n++] = ch->status_wr;
	if (p->proc.sync_fd >= 0)
		keep[n++] = p->proc.sync_fd;
	for (unsigned i = 0; i < locks->n && n < sizeof(keep) / sizeof(keep[0]); i++)
		keep[n++] = locks->v[i];
	if (locks->n + 3 > sizeof(keep) / sizeof(keep[0]) || fds_close_except(keep, n) < 0)
		die_errno(msg(MSG_PID1_CLOSE_FDS));
	caps_child_clear();
	if (!filtered)
		seccomp_child_load(&p->seccomp);
	/* Locked down: the command may run (a failure above kept it from running at all). */
	process_parent_go(ready_wr);
	/* --timeout's backstop (process.c): later than the monitor's SIGKILL. */
	uint64_t deadline = p->limits.timeout_ms ? p->limits.timeout_ms + p->limits.grace_ms + 500 :
						   0;
	process_reaper_loop(cmd, p->proc.reaper_is_pid1, ch->status_wr, deadline);
}

/* --rlimit, and --limits-try's stand-ins for a cgroup that could not be made. */
static void command_limits(const struct plan *p, const struct channels *ch)
{
	struct error err = { 0 };

	for (unsigned i = 0; i < p->limits.n_rlimits; i++)
		if (rlimit_apply(&p->limits.rlimits[i], &err) < 0)
			die_error(&err);
	if (ch->cg_rlimits.n && cgroup_rlimits_apply(&ch->cg_rlimits) < 0)
		die_errno(msg(MSG_LIMITS_TRY));
}

/* The setup sequence. Order matters; each step says why it sits where it does. */
static noreturn void child(const struct plan *p, const struct channels *ch, const sigset_t *mask)
{
	const struct process_plan *pr = &p->proc;
	struct int_list locks = { 0 };
	struct landlock_child ll = { .fd = -1 };

	/* The parent's cleanup on its own failure is not ours to run. */
	util_set_die_hook(NULL, NULL);
	/* The status fds and the parent's ends of our pipes are the parent's alone. */
	close_parent_fds(p, ch);
	/* Another PID namespace is joined by forking into it; the parent learns the pid. */
	if (pr->pidns_fd >= 0)
		process_child_enter_pidns(pr->pidns_fd, pr->pidns_nested, ch->pid_wr);
	/* A parent that dies during the setup takes the sandbox with it (after the --pidns
	 * forks: the relay's exit would fire it); the go byte covers what this cannot. */
	if (pr->pidns_fd < 0 && !pr->in_place)
		process_child_die_with_parent();
	/* Status fds written, maps written, --userns-block-fd read: the parent says go. */
	if (p->status.go_early)
		process_child_wait_go(ch->go_rd);
	/* In its cgroup now (the parent attached us before go): the cgroup namespace's root. */
	if (p->limits.unshare_cgroup_late && unshare(CLONE_NEWCGROUP) < 0)
		die_errno(msg(MSG_CGROUPNS_CREATE));
	if (p->ids.parent_maps) {
		userns_child_become(p->ids.first_uid, p->ids.first_gid);
		/* Changing ids made us non-dumpable, and /proc/self root's: we write there. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			die_errno(msg(MSG_DUMPABLE));
	}
	/* Our /proc/<pid> and /proc/sys, while the host's /proc is still the one at /proc. */
	int procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int procsysfd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 && (p->ids.write_maps || p->ids.nested || pr->exec_label))
		die_errno(msg(MSG_PROC_SELF_OPEN));
	/* Until the maps exist we are the overflow uid and may not mount anything. */
	if (p->ids.write_maps)
		userns_child_map_self(procfd, p->ids.first_uid, p->ids.first_gid, p->ids.outer_uid,
				      p->ids.outer_gid, true);
	/* Modes of what the setup creates are exactly the requested ones (bubblewrap's umask). */
	mode_t umask_saved = umask(0);
	/* Under a Landlock domain (an outer sandbox's) no mount succeeds: say that, not EPERM.
	 * Then --landlock's ruleset and its host paths, while the caller's view is ours. */
	landlock_child_refuse_nested();
	landlock_child_begin(&p->landlock, &ll, pr->pass_fds ? pr->pass_fds->v : NULL,
			     pr->pass_fds ? pr->pass_fds->n : 0);
	/* The new root, in command-line order, then the locks, pivot_root and the detach. */
	rootfs_child_build(&p->rootfs, &locks);
	/* The rules of what the command sees, opened below the new root with the rights that
	 * built it (after final_ids a directory on the way may no longer be searchable). */
	landlock_child_add_root(&p->landlock, &ll);
	/* Loopback and hostname need the capabilities of the first namespace. */
	if (p->loopback)
		net_child_loopback_up();
	/* --net user's table (the gateway closed, --net-allow), while we may still change our
	 * network namespace: the command can neither see it change nor change it. */
	if (p->net.filter)
		net_child_filter(&p->net);
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		die_errno(msg(MSG_HOSTNAME), p->hostname);
	/* Land on the final ids; after this we hold no power over the first namespace. */
	final_ids(&p->ids, procfd, procsysfd);
	/* Before capabilities: with no_new_privs nothing exec'd can gain privileges again. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(msg(MSG_NO_NEW_PRIVS));
	caps_child_apply(p->caps.keep, p->caps.all, p->caps.ambient, p->caps.as_they_are);
	/* --block-fd: the caller may still look at the finished sandbox before it runs. */
	if (pr->block_fd >= 0)
		process_child_block_on(pr->block_fd, "--block-fd");
	/* The last write to our own /proc/<pid>: a non-dumpable process no longer owns it. */
	label_child_exec(pr->exec_label, procfd);
	/* The host's /proc and /proc/sys: nothing past this point may hold them (pid 1 never
	 * execs, so close-on-exec would not take them away from it), and no path looked up
	 * from here on (the working directory) may meet them through /proc/self/fd. */
	if (procfd >= 0)
		close(procfd);
	if (procsysfd >= 0)
		close(procsysfd);
	/* Landlock: after no_new_privs (which it needs) and the last write to the host's
	 * /proc, before pid 1 forks (it is in the domain too) and before seccomp. */
	landlock_child_restrict(&p->landlock, &ll);
	/* Environment, working directory and session of the command. */
	umask(umask_saved);
	process_child_env_and_cwd(pr);
	if (pr->new_session && setsid() < 0)
		die_errno(msg(MSG_SETSID));
	/* Nothing runs unless the parent said go (EOF: it failed or died meanwhile). */
	if (ch->go_rd >= 0 && !p->status.go_early)
		process_child_wait_go(ch->go_rd);
	/* bubblewrap's sandbox outlives it unless --die-with-parent: from here on, only then.
	 * Armed again for it: a change of ids on the way (--host-uid, --userns) cleared it
	 * (prctl(2), PR_SET_PDEATHSIG). */
	if (pr->die_with_parent && !pr->in_place && pr->pidns_fd < 0)
		process_child_die_with_parent();
	else if (pr->die_with_parent && pr->in_place)
		process_child_die_with_caller(ch->caller);
	else if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		die_errno(msg(MSG_PDEATHSIG));
	/* A process stays behind to reap, forward signals and hold --lock-file/--sync-fd. It is
	 * filtered too: the command could otherwise ptrace it and run unfiltered code. */
	bool filtered = false;
	int ready_rd = -1;
	if (pr->need_reaper) {
		/* Before the fork, so there is no moment in which the command could open pid 1's
		 * /proc files; the command's exec makes it dumpable again. */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			die_errno(msg(MSG_PID1_DUMPABLE));
		/* pid 1 says when its own lockdown is done; the command waits for that. */
		int ready[2];
		if (pipe2(ready, O_CLOEXEC) < 0)
			die_errno(msg(MSG_PIPE_CHILD));
		if (one_filter_for_both(p)) {
			if (pr->close_inherited) /* the reaper closes its own by hand */
				process_child_close_fds(pr);
			seccomp_child_load(&p->seccomp);
			filtered = true;
		}
		pid_t reaper_pid = getpid();
		pid_t cmd = process_child_fork_command();
		if (cmd > 0) {
			close(ready[0]);
			reaper(p, ch, cmd, &locks, filtered, ready[1]);
		}
		close(ready[1]);
		ready_rd = ready[0];
		/* The death signal does not survive fork(2): the command's parent is the
		 * reaper now, which dies with ours (bubblewrap sets it again here too). */
		if (pr->die_with_parent) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
				die_errno(msg(MSG_PDEATHSIG));
			if (getppid() != reaper_pid)
				_exit(face->exit_setup);
		}
		if (ch->status_wr >= 0)
			close(ch->status_wr);
	}
	/* The reaper holds these; the command gets none of them (--as-pid-1: it is pid 1). */
	if (pr->sync_fd >= 0 && !pr->as_pid_1)
		close(pr->sync_fd);
	for (unsigned i = 0; i < locks.n; i++)
		close(locks.v[i]);
	if (pr->close_inherited && !filtered)
		process_child_close_fds(pr);
	/* The command's own limits (pid 1 has none: it must be able to reap whatever happens). */
	command_limits(p, ch);
	/* pid 1 closed its fds, dropped its capabilities and loaded its filter: if any of it
	 * failed, it is gone, and so is the command, before it runs. */
	if (ready_rd >= 0)
		process_child_wait_go(ready_rd);
	/* Last: the filters need not allow anything hutch itself still does. */
	if (!filtered)
		seccomp_child_load(&p->seccomp);
	process_child_exec(pr, mask);
}

static noreturn void namespaces_failed(const struct plan *p, int e)
{
	const char *why = strerror(e);

	if (e == ENOSPC)
		error_line(msg(MSG_NS_NESTING), why);
	else if (e == EPERM && p->ids.new_userns)
		error_line(msg(MSG_NS_USERNS_EPERM), why);
	else if (e == EINVAL && p->ids.new_userns)
		error_line(msg(MSG_NS_USERNS_EINVAL), why);
	else
		error_line(msg(MSG_NS_CREATE), why);
	if (p->ids.new_userns && (e == EPERM || e == ENOSPC || e == EACCES || e == EINVAL))
		hint_userns(e);
	die_exit(face->exit_setup);
}

/* The parent after clone: status fds, --pidns pid, maps, --userns-block-fd, go, then the
 * monitor. */
/* The parent's own failure after clone: nothing of the sandbox may outlive it. */
static void parent_died(void *arg)
{
	monitor_end_sandbox(arg);
	const struct monitor *m = arg;
	if (m->cg) {
		struct error err = { 0 };
		(void)cgroup_destroy(m->cg, &err);
	}
}

/* The sandbox is pid 1 of a PID namespace hutch made: killing that pid 1 ends all of it. */
static bool pidns_ours(const struct plan *p)
{
	return (p->clone_flags & CLONE_NEWPID) && p->proc.pidns_fd < 0;
}

static noreturn void parent(const struct plan *p, const struct channels *ch, pid_t pid,
			    int report_rd, bool in_cgroup)
{
	const int child_ends[] = { ch->status_wr, ch->go_rd, ch->pid_wr };
	struct monitor m = {
		.strangers = &ch->strangers,
		.child = pid,
		.report_rd = report_rd,
		.json_fd = p->status.json_fd,
		.status_rd = ch->status_rd,
		.pidns_ours = pidns_ours(p),
		.kill_leftovers = p->limits.kill_leftovers,
		/* Kept children run on: in a PID namespace only while its pid 1 does, which dies
		 * with us (--die-with-parent), so we stay until it ends. */
		.wait_sandbox = p->limits.keep_children && (p->clone_flags & CLONE_NEWPID),
		.timeout_ms = p->limits.timeout_ms,
		.grace_ms = p->limits.grace_ms,
		.stats = p->limits.stats,
		/* bubblewrap's documents alone, unless the caller asked for what is new. */
		.extra_docs = face->status_extra_docs || p->limits.cgroup || p->limits.timeout_ms ||
			      p->limits.stats,
		.start_ns = ch->start_ns,
		.cg = ch->cg,
	};
	struct error err = { 0 };

	util_set_die_hook(parent_died, &m);
	/* Every process of the sandbox in its cgroup before it runs a single step of its own
	 * (the child waits for go first): whatever it forks follows it. */
	if (ch->cg && cgroup_attach(ch->cg, pid, in_cgroup, &err) < 0)
		die_error(&err);

	/* A pipe whose reader is gone (the child, a caller's --json-status-fd) must give EPIPE
	 * here, never end the parent by a signal the caller would take for the command's. */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(child_ends) / sizeof(child_ends[0]); i++)
		if (child_ends[i] >= 0)
			close(child_ends[i]);
	if (ch->pid_rd >= 0) {
		int v = 0;
		if (read(ch->pid_rd, &v, sizeof(v)) != (ssize_t)sizeof(v) || v <= 0)
			die(msg(MSG_PIDNS_NO_PID));
		close(ch->pid_rd);
		pid = m.child = v;
	}
	/* --host-uid/--host-gid: only root in the parent namespace may map other ids. The
	 * child waits (go_early) with no power in its namespace until they exist. */
	if (p->ids.parent_maps) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		_cleanup_close_ int procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (procfd < 0)
			die_errno("cannot open %s", path);
		userns_child_map_self(procfd, p->ids.first_uid, p->ids.first_gid, p->ids.outer_uid,
				      p->ids.outer_gid, true);
	}
	if (p->status.info_fd >= 0 || p->status.json_fd >= 0)
		process_parent_write_info(p->status.info_fd, p->status.json_fd, pid,
					  p->clone_flags);
	if (p->status.userns_block_fd >= 0)
		process_child_block_on(p->status.userns_block_fd, "--userns-block-fd");
	/* --net user: the helper joins the sandbox's namespaces while the child builds its
	 * root; the command runs only once the network is configured. */
	if (p->net.mode == NET_USER)
		m.helper = net_parent_start_helper(&p->net, pid);
	/* Everything the parent does before the command may run is done. */
	process_parent_go(ch->go_wr);
	monitor_run(&m);
}

/* Run the plan: namespaces, then the child's sequence (here, in place, or in a clone whose
 * parent stays to report). Never returns. */
static noreturn void run(const struct plan *p)
{
	struct channels ch;
	int report_rd = -1;
	sigset_t mask;
	pid_t ppid = getppid();

	if (p->proc.die_with_parent) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die_errno(msg(MSG_PDEATHSIG));
		if (getppid() != ppid)
			exit(face->exit_setup);
	}
	/* --userns: the sandbox lives in an existing user namespace, joined before clone. */
	if (p->ids.userns_fd >= 0 && setns(p->ids.userns_fd, CLONE_NEWUSER) < 0) {
		if (errno == EINVAL)
			die(msg(MSG_USERNS_NOT_DESCENDANT), p->ids.userns_fd);
		die_errno(msg(MSG_USERNS_JOIN), p->ids.userns_fd);
	}
	/* --pidns: the sandbox is a grandchild; as subreaper we get it when its parent exits,
	 * which may happen at once, so this must be in place before clone. */
	if (p->proc.pidns_fd >= 0)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* --host-uid/--host-gid: root's supplementary groups would stay ours in the sandbox
	 * (setgroups is denied there); drop them here, before clone passes them on. */
	if (p->ids.parent_maps && setgroups(0, NULL) < 0)
		die_errno("cannot drop the supplementary groups (--host-uid)");
	/* --net user: what would make its helper fail, said before there is a sandbox. */
	if (p->net.mode == NET_USER)
		net_parent_precheck(&p->net);
	make_channels(p, &ch);
	/* The end of the sandbox walks the tree below us where a timeout signals it, or where
	 * leftovers are killed without a PID namespace of ours (with one, its pid 1 takes them
	 * all along: monitor.c). What hutch already has as children (inherited across the exec
	 * that started it) is not the sandbox's: the walk leaves it alone. */
	bool walk = !p->proc.in_place &&
		    (p->limits.timeout_ms || (p->limits.kill_leftovers && !pidns_ours(p)));
	if (walk)
		monitor_strangers_list(&ch.strangers);
	ch.start_ns = monitor_now_ns();
	/* What the command leaves behind stays below us (orphans come to us, not to init), so
	 * that the walk reaches it, whatever its session or group. In a PID namespace of ours
	 * the orphans go to its pid 1, below us already. */
	if (walk && !pidns_ours(p))
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* The sandbox's own cgroup, before clone so the clone can land in it. */
	if (p->limits.cgroup) {
		struct error err = { 0 };
		if (cgroup_create(p->limits.cgroup, &ch.cg, &err) < 0) {
			if (!err.exit_code)
				err.exit_code = face->exit_setup;
			die_error(&err);
		}
		cgroup_rlimits(ch.cg, &ch.cg_rlimits);
	}
	bool in_cgroup = false;
	pid_t pid = 0;
	if (p->proc.in_place) {
		/* The reaper (--sync-fd, --lock-file) waits for these; exec restores the mask. */
		sigset_t set;
		process_forward_set(&set);
		sigprocmask(SIG_BLOCK, &set, &mask);
		if (unshare((int)p->clone_flags) < 0)
			pid = -1;
	} else {
		pid = process_spawn(p->clone_flags, &mask, &report_rd,
				    ch.cg ? cgroup_clone_fd(ch.cg) : -1, &in_cgroup);
	}
	if (pid < 0)
		namespaces_failed(p, errno);
	if (pid == 0)
		child(p, &ch, &mask);
	parent(p, &ch, pid, report_rd, in_cgroup);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct host_facts host;
	struct plan plan;
	struct error err = { 0 };
	int exit_now = 0;

	/* The face first: every message from here on speaks its language. */
	face_select(argv[0]);
#ifdef HUTCH_TEST_HOOKS
	/* tests/test-faces.sh: the face table, which it checks difference by difference. */
	if (getenv("HUTCH_TEST_FACE_TABLE")) {
		face_print_table();
		return 0;
	}
#endif
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap our children for us and
	 * leave nothing to wait for (bubblewrap 0.11.1 resets it too). */
	signal(SIGCHLD, SIG_DFL);
	refuse_privileged_install();
	/* --join: a command in a running sandbox, its own sequence (join.c). */
	if (join_requested(argc, argv))
		join_main(argc, argv);
	/* Parse: what the user asked (pure, but for reading the fds --args names). */
	config_init(&cfg);
	if (options_parse(&cfg, argc, argv, &exit_now, &err) < 0)
		die_error(&err);
	util_set_level_prefix(cfg.level_prefix);
	if (exit_now && cfg.seccomp_export) { /* --seccomp-export without a command */
		if (plan_export_only(&cfg, &err) < 0)
			die_error(&err);
		return 0;
	}
	if (exit_now && cfg.check)
		return check_run(stdout);
	if (exit_now)
		return err.exit_code;
	/* make's jobserver stays reachable where the face closes inherited fds (the fifo it
	 * names, if any, becomes the last op): a make in the sandbox keeps its job slots. */
	if (face->close_inherited_fds)
		jobserver_config(&cfg, getenv("MAKEFLAGS"));
	/* The host's facts, before hutch opens a single fd of its own: which of the fds the
	 * options name are open is one of them. */
	plan_gather_host(&cfg, &host);
	/* Plan: every rule between options and every decision (pure). */
	if (plan_make(&cfg, &host, &plan, &err) < 0)
		die_error(&err);
	/* What the plan needs from outside: seccomp programs, SELinux's word on labels. */
	if (plan_load(&cfg, &plan, &err) < 0)
		die_error(&err);
	plan_warn(&cfg, &plan);
	/* --dry-run: the plan, and nothing of it done (no namespace, no mount, no fd kept). */
	if (cfg.dry_run) {
		dryrun_print(stdout, &cfg, &plan);
		return ferror(stdout) ? face->exit_setup : 0;
	}
	run(&plan);
}

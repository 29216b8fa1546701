/* process: spawn, wait, forward, reap, exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec-diag.h"
#include "mount.h"
#include "plan.h"
#include "process.h"
#include "util.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void process_forward_set(sigset_t *set)
{
	sigemptyset(set);
	/* bubblewrap forwards nothing: a SIGTERM to it ends it (and, with --die-with-parent,
	 * the sandbox through the death signal); its face keeps that. */
	for (size_t i = 0; face->forward_signals && i < sizeof(forwarded) / sizeof(forwarded[0]);
	     i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3(2)'s arguments, version 2 (with cgroup): 88 bytes. */
struct hutch_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

int process_exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

pid_t process_spawn(unsigned long flags, sigset_t *orig, int *report_rd, int cgroup_fd,
		    bool *in_cgroup)
{
	sigset_t set;
	int p[2];
	pid_t pid;

	/* Blocked before clone: a signal that arrives while the child starts is queued, not lost
	 * (and pid 1 of a namespace receives queued blocked signals, pid_namespaces(7)). */
	process_forward_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, orig) < 0)
		die_errno(msg(MSG_SIGPROCMASK));
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(msg(MSG_PIPE));
	/* Straight into the sandbox's cgroup where the kernel can (5.7+, a v2 cgroup): nothing
	 * runs outside it, not even this child's first instruction. */
	*in_cgroup = false;
	pid = -1;
	if (cgroup_fd >= 0) {
		struct hutch_clone_args a = { .flags = flags | CLONE_INTO_CGROUP,
					      .exit_signal = SIGCHLD,
					      .cgroup = (uint64_t)cgroup_fd };
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		/* Not there (ENOSYS, E2BIG, EINVAL) or refused: the attach after clone does it,
		 * and says why if it cannot either. */
		*in_cgroup = pid >= 0;
	}
	/* Raw clone with no stack behaves like fork, with namespace flags. */
	if (pid < 0)
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		util_set_report_fd(p[1]);
		return 0;
	}
	close(p[1]);
	*report_rd = p[0];
	return pid;
}

void process_parent_write_info(int info_fd, int json_fd, pid_t child, unsigned long clone_flags)
{
	/* bubblewrap's order and spelling; user is never reported. */
	static const struct {
		const char *name;
		unsigned long flag;
	} ns[] = {
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "mnt", 0 },
		{ "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "uts", CLONE_NEWUTS },
	};
	char info[1024], json[1024], path[64];
	int ni, nj;

	ni = snprintf(info, sizeof(info), "{\n    \"child-pid\": %i", (int)child);
	nj = snprintf(json, sizeof(json), "{ \"child-pid\": %i", (int)child);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct stat st;

		if (ns[i].flag && !(clone_flags & ns[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)child, ns[i].name);
		if (stat(path, &st) < 0 || st.st_ino == 0)
			continue;
		ni += snprintf(info + ni, sizeof(info) - (size_t)ni, ",\n    \"%s-namespace\": %ju",
			       ns[i].name, (uintmax_t)st.st_ino);
		nj += snprintf(json + nj, sizeof(json) - (size_t)nj, ", \"%s-namespace\": %ju",
			       ns[i].name, (uintmax_t)st.st_ino);
	}
	ni += snprintf(info + ni, sizeof(info) - (size_t)ni, "\n}\n");
	nj += snprintf(json + nj, sizeof(json) - (size_t)nj, " }\n");
	if (info_fd >= 0) {
		if (write_all(info_fd, info, (size_t)ni) < 0)
			die_errno(msg(MSG_INFO_FD_WRITE), info_fd);
		/* Closed, so a reader sees EOF; but not 0-2, whose numbers would be reused by our
		 * next fd and take our messages. */
		if (info_fd > 2 && info_fd != json_fd)
			close(info_fd);
	}
	if (json_fd >= 0 && write_all(json_fd, json, (size_t)nj) < 0)
		die_errno(msg(MSG_JSON_FD_WRITE), json_fd);
}

void process_child_die_with_parent(void)
{
	struct pollfd pfd = { .fd = util_report_fd(), .events = 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(msg(MSG_PDEATHSIG));
	/* The parent may have died before prctl: its end of the report pipe is then closed.
	 * (getppid() is no help: it reads 0 across a PID namespace.) */
	if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		_exit(face->exit_setup);
}

void process_child_die_with_caller(pid_t caller)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(msg(MSG_PDEATHSIG));
	/* In place we are hutch itself: the caller is our parent, and still there or not. */
	if (getppid() != caller)
		_exit(face->exit_setup);
}

void process_child_wait_go(int go_rd)
{
	char b = 0;
	ssize_t n;

	do
		n = read(go_rd, &b, 1);
	while (n < 0 && errno == EINTR);
	close(go_rd);
	/* EOF (the parent failed, said why, and exited; or it was killed) or anything but the
	 * word itself: stop here, quietly, before the command exists. */
	if (n != 1 || b != 'G')
		_exit(face->exit_setup);
}

void process_parent_go(int go_wr)
{
	/* EPIPE: the child already died (of its own setup failure, which it reported); its
	 * exit status tells the rest. */
	if (write_all(go_wr, "G", 1) < 0 && errno != EPIPE)
		die_errno(msg(MSG_GO_WRITE));
	close(go_wr);
}

void process_child_block_on(int fd, const char *what)
{
	char b;
	ssize_t n;

	do
		n = read(fd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno(msg(MSG_PARENT_READ), what);
	close(fd);
}

void process_child_enter_pidns(int pidns_fd, bool unshare_pid, int pid_wr)
{
	/* setns(CLONE_NEWPID) and unshare(CLONE_NEWPID) only move our future children, so each
	 * step needs a fork; the parent of each fork is only a relay (pid_namespaces(7)). */
	if (setns(pidns_fd, CLONE_NEWPID) < 0)
		die_errno(msg(MSG_PIDNS_JOIN), pidns_fd);
	for (int step = 0; step < (unshare_pid ? 2 : 1); step++) {
		if (step == 1 && unshare(CLONE_NEWPID) < 0)
			die_errno(msg(MSG_PIDNS_CREATE));
		pid_t pid = fork();
		if (pid < 0)
			die_errno(msg(MSG_PIDNS_FORK));
		if (pid > 0) {
			if (step == (unshare_pid ? 1 : 0)) {
				/* Our pid numbers are the parent's: we never left its namespace. */
				int v = pid;
				if (write_all(pid_wr, &v, sizeof(v)) < 0)
					die_errno(msg(MSG_PIDNS_SEND_PID));
			}
			_exit(0);
		}
	}
	close(pid_wr);
}

pid_t process_child_fork_command(void)
{
	pid_t cmd = fork();

	if (cmd < 0)
		die_errno(msg(MSG_PID1_FORK));
	if (cmd > 0) {
		/* The reaper's copy of the report pipe would hide the command's exec from the
		 * parent: only the command's copy remains. */
		if (util_report_fd() >= 0)
			close(util_report_fd());
		util_set_report_fd(-1);
	}
	return cmd;
}

noreturn void process_reaper_loop(pid_t cmd, bool pid1, int status_wr, uint64_t deadline_ms)
{
	sigset_t set;
	int cmd_status = 1 << 8; /* bubblewrap's default: 1 if the command was never reaped */
	struct timespec start;
	bool killed_all = false;

	clock_gettime(CLOCK_MONOTONIC, &start);

	/* Outside a PID namespace, orphans of the sandbox come to us instead of init, and we
	 * stay until the last one is gone (so --sync-fd closes when the sandbox is empty). */
	if (!pid1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	process_forward_set(&set);
	for (;;) {
		siginfo_t si;
		int sig;
		/* --timeout's backstop: the monitor outside keeps the time, but a command that
		 * shares its process group can stop it (kill -STOP 0); pid 1, which no signal from
		 * inside stops, ends everything in the namespace once the time and the grace are
		 * over, whatever became of the monitor. */
		if (pid1 && deadline_ms && !killed_all) {
			struct timespec now, left;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t ms = (int64_t)deadline_ms -
				     ((int64_t)(now.tv_sec - start.tv_sec) * 1000 +
				      (now.tv_nsec - start.tv_nsec) / 1000000);
			if (ms <= 0) {
				kill(-1, SIGKILL);
				killed_all = true;
				continue;
			}
			left.tv_sec = ms / 1000;
			left.tv_nsec = (ms % 1000) * 1000000;
			sig = sigtimedwait(&set, &si, &left);
			if (sig < 0 && errno == EAGAIN)
				continue;
		} else {
			sig = sigwaitinfo(&set, &si);
		}

		/* Anything but EINTR (a seccomp profile denying the call, say) would spin or hang
		 * here: pid 1 gives up instead, which ends the sandbox visibly. */
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			die_errno(msg(MSG_PID1_SIGWAIT));
		if (sig != SIGCHLD) {
			/* Once reaped, the command's pid may name another process: no more. */
			if (cmd > 0)
				kill(cmd, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t r = waitpid(-1, &st, WNOHANG);
			if (r < 0 && errno == ECHILD)
				_exit(process_exit_status(cmd_status));
			if (r < 0 && errno != EINTR)
				die_errno(msg(MSG_PID1_WAIT));
			if (r <= 0)
				break;
			if (r == cmd) {
				cmd = 0;
				cmd_status = st;
				/* The parent exits with this now; we stay while anything is left,
				 * holding --sync-fd and --lock-file (bubblewrap's pid 1 does). */
				if (status_wr >= 0) {
					int code = process_exit_status(st);
					(void)write_all(status_wr, &code, sizeof(code));
					close(status_wr);
					status_wr = -1;
				} else if (pid1) {
					_exit(process_exit_status(st));
				}
			}
		}
	}
}

void process_child_close_fds(const struct process_plan *pr)
{
	const struct int_list *keep = pr->pass_fds;

	if (fds_set_cloexec_from(3) < 0)
		die_errno(msg(MSG_FDS_CLOEXEC));
	for (unsigned i = 0; i < keep->n; i++)
		if (fcntl(keep->v[i], F_SETFD, 0) < 0)
			die_errno(msg(MSG_PASS_FD), keep->v[i]);
	/* make's jobserver (plan_jobserver): checked open in the parent, so this cannot fail
	 * but for a caller that closed it meanwhile, which leaves make to say so itself. */
	for (int i = 0; i < 2; i++)
		if (pr->jobserver_fds[i] >= 0)
			(void)fcntl(pr->jobserver_fds[i], F_SETFD, 0);
}

/* chdir(2) after the pivot, resolved below the sandbox's root and never through a magic
 * link: /proc/self/fd/N (given, or planted as a symlink in a writable bind) would otherwise
 * lead to an fd this process still holds (an inherited one the hutch face is about to close,
 * the caller's directory), and the command would start with its cwd outside. */
static int chdir_inside(const char *path)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mnt_ctx m;

	mount_probe(&m);
	_cleanup_close_ int fd = root < 0 ? -1 : mount_resolve(&m, root, path, true);

	return fd < 0 ? -1 : fchdir(fd);
}

void process_child_env_and_cwd(const struct process_plan *pr)
{
	const char *cwd = "/";

	for (const struct env_op *e = pr->env; e; e = e->next) {
		int r = 0;
		switch (e->type) {
		case ENV_SET:
			r = setenv(e->name, e->value, 1);
			break;
		case ENV_UNSET:
			r = unsetenv(e->name);
			break;
		case ENV_CLEAR:
			r = clearenv();
			break;
		}
		if (r < 0)
			die_errno(msg(MSG_SETENV), e->name ? e->name : "");
	}
	if (pr->chdir) {
		if (chdir_inside(pr->chdir) < 0)
			die_errno(msg(MSG_CHDIR), pr->chdir);
		cwd = pr->chdir;
	} else if (pr->caller_cwd && chdir_inside(pr->caller_cwd) == 0) {
		cwd = pr->caller_cwd;
	} else {
		const char *home = getenv("HOME");
		if (home && chdir_inside(home) == 0)
			cwd = home;
	}
	if (setenv("PWD", cwd, 1) < 0)
		die_errno(msg(MSG_SETENV_PWD));
}

noreturn void process_child_exec(const struct process_plan *pr, const sigset_t *orig)
{
	char *const *argv = pr->argv;

	if (pr->argv0) {
		char **copy = xcalloc((size_t)pr->argc + 1, sizeof(*copy));
		memcpy(copy, pr->argv, (size_t)pr->argc * sizeof(*copy));
		copy[0] = (char *)pr->argv0;
		argv = copy;
	}
	sigprocmask(SIG_SETMASK, orig, NULL);
	if (util_report_fd() >= 0)
		(void)write_all(util_report_fd(), "R", 1);
	execvp(pr->argv[0], argv);
	exec_diag_fail(pr->argv[0], errno);
}

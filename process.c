/* process: spawn, wait, forward, reap, exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "process.h"
#include "util.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void process_forward_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

pid_t process_spawn(unsigned long flags, sigset_t *orig, int *report_rd)
{
	sigset_t set;
	int p[2];
	pid_t pid;

	/* Blocked before clone: a signal that arrives while the child starts is queued, not lost
	 * (and pid 1 of a namespace receives queued blocked signals, pid_namespaces(7)). */
	process_forward_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, orig) < 0)
		die_errno("sigprocmask");
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(FACE_MSG("cannot create a pipe", "pipe2"));
	/* Raw clone with no stack behaves like fork, with namespace flags. */
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

static int status_to_exit(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

noreturn void process_parent_wait(pid_t child, int report_rd)
{
	sigset_t set;

	process_forward_set(&set);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			die_errno("sigwaitinfo");
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int st;
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0)
			die_errno("waitpid");
		/* A byte in the report pipe: hutch failed before the command ran. The child has
		 * already printed why, and its exit status is hutch's own. */
		unsigned char b;
		ssize_t n = read(report_rd, &b, 1);
		(void)n;
		exit(status_to_exit(st));
	}
}

void process_child_die_with_parent(void)
{
	struct pollfd pfd = { .fd = util_report_fd(), .events = 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	/* The parent may have died before prctl: its end of the report pipe is then closed.
	 * (getppid() is no help: it reads 0 across a PID namespace.) */
	if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		_exit(face->exit_setup);
}

void process_child_fork_reaper(void)
{
	sigset_t set;
	pid_t cmd = fork();

	if (cmd < 0)
		die_errno(FACE_MSG("cannot fork the command", "Can't fork"));
	if (cmd == 0)
		return;
	/* The reaper: pid 1 of the namespace. Its copy of the report pipe would keep the parent
	 * from seeing the command's exec; only the command's copy remains. */
	close(util_report_fd());
	util_set_report_fd(-1);
	process_forward_set(&set);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		/* Reap every orphan that was reparented to us; leave when the command is done
		 * (the kernel then kills the rest of the namespace). */
		for (;;) {
			int st;
			pid_t r = waitpid(-1, &st, WNOHANG);
			if (r <= 0)
				break;
			if (r == cmd)
				_exit(status_to_exit(st));
		}
	}
}

void process_child_close_fds(const struct int_list *keep)
{
	if (fds_set_cloexec_from(3) < 0)
		die_errno(FACE_MSG("cannot mark descriptors close-on-exec", "close_range"));
	for (unsigned i = 0; i < keep->n; i++)
		if (fcntl(keep->v[i], F_SETFD, 0) < 0)
			die_errno(FACE_MSG("cannot pass fd %d (--pass-fd)", "fcntl fd %d"), keep->v[i]);
}

void process_child_env_and_cwd(const struct config *cfg, const char *caller_cwd)
{
	const char *cwd = "/";

	for (const struct env_op *e = cfg->env_head; e; e = e->next) {
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
			die_errno(FACE_MSG("cannot change the environment variable '%s'",
					   "setenv %s"),
				  e->name ? e->name : "");
	}
	if (cfg->chdir_path) {
		if (chdir(cfg->chdir_path) < 0)
			die_errno(FACE_MSG("cannot change directory to '%s' (--chdir)",
					   "Can't chdir to %s"),
				  cfg->chdir_path);
		cwd = cfg->chdir_path;
	} else if (caller_cwd && chdir(caller_cwd) == 0) {
		cwd = caller_cwd;
	} else {
		const char *home = getenv("HOME");
		if (home && chdir(home) == 0)
			cwd = home;
	}
	if (setenv("PWD", cwd, 1) < 0)
		die_errno("setenv PWD");
}

noreturn void process_child_exec(const struct config *cfg, const sigset_t *orig)
{
	char **argv = cfg->argv;

	if (cfg->argv0) {
		argv = xcalloc((size_t)cfg->argc + 1, sizeof(*argv));
		memcpy(argv, cfg->argv, (size_t)cfg->argc * sizeof(*argv));
		argv[0] = (char *)cfg->argv0;
	}
	sigprocmask(SIG_SETMASK, orig, NULL);
	execvp(cfg->argv[0], argv);
	int e = errno;
	if (face->id == FACE_BWRAP)
		die_status_errno(face->exit_exec, e, "execvp %s", cfg->argv[0]);
	if (e == ENOENT && !strchr(cfg->argv[0], '/'))
		die_status(face->exit_notfound, "cannot run '%s': command not found in the sandbox",
			   cfg->argv[0]);
	die_status_errno(e == ENOENT ? face->exit_notfound : face->exit_exec, e,
			 "cannot execute '%s'", cfg->argv[0]);
}

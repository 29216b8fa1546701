/* join-relay: the joined command's standard streams, relayed by a process that stays outside
 * the sandbox (see join-relay.h). The caller's own descriptors never enter the sandbox: a
 * sandboxed process may ptrace the joined command (same uid, same user namespace) and take
 * whatever it holds with pidfd_getfd(2), then keep it after the join. What it can take here is
 * a pty slave or a pipe whose other end is ours, and dead once the join is over.
 *
 * Terminals: when any of the caller's fds 0-2 is a terminal, the command gets one new pty
 * (from the caller's /dev/ptmx, before any namespace changes) for all of them that are, with
 * the caller's terminal settings and window size; the caller's terminal is put in raw mode
 * while the command runs when fd 0 is one (so ^C, ^Z and the like reach the command's own
 * terminal, as with `docker exec -it`). Other fds get pipes; a closed one stays closed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "join-relay.h"
#include "process.h"
#include "util.h"

/* After the command's end, what it wrote is still read until nothing comes for this long, but
 * no longer than DRAIN_MAX_MS in all: a sandboxed process that took a copy of the pty or a pipe
 * would otherwise keep the relay (and the caller's terminal) forever. */
#define DRAIN_QUIET_MS 100
#define DRAIN_MAX_MS   1000

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

void join_relay_prepare(struct join_relay *r)
{
	*r = (struct join_relay){ .master = -1, .slave = -1, .tty_out = -1 };
	for (int i = 0; i < 3; i++) {
		r->child[i] = -1;
		r->ours[i] = -1;
		r->tty[i] = fd_open(i) && isatty(i);
		r->open[i] = fd_open(i);
	}
	if (r->tty[0] || r->tty[1] || r->tty[2]) {
		int term = r->tty[0] ? 0 : r->tty[1] ? 1 : 2;
		r->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (r->master < 0 || grantpt(r->master) < 0 || unlockpt(r->master) < 0)
			die_errno("--join: cannot make a terminal for the command (/dev/ptmx)");
		/* TIOCGPTPEER: the slave of this master, whatever /dev/pts is mounted. */
		r->slave = ioctl(r->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (r->slave < 0)
			die_errno("--join: cannot open the command's terminal");
		struct winsize ws;
		if (tcgetattr(term, &r->saved) == 0) {
			r->have_saved = r->tty[0];
			tcsetattr(r->slave, TCSANOW, &r->saved);
		}
		if (ioctl(term, TIOCGWINSZ, &ws) == 0)
			ioctl(r->master, TIOCSWINSZ, &ws);
		r->winsz_from = term;
		r->tty_out = r->tty[1] ? 1 : r->tty[2] ? 2 : -1;
	}
	for (int i = 0; i < 3; i++) {
		int p[2];
		if (r->tty[i]) {
			r->child[i] = r->slave;
			continue;
		}
		if (!r->open[i])
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			die_errno("--join: cannot make a pipe for the command's fd %d", i);
		r->child[i] = i == 0 ? p[0] : p[1];
		r->ours[i] = i == 0 ? p[1] : p[0];
	}
}

void join_relay_child(const struct join_relay *r)
{
	int tmp[3];

	/* Out of the way of 0-2 first, then into place (dup2 clears close-on-exec). */
	for (int i = 0; i < 3; i++) {
		tmp[i] = r->child[i] < 0 ? -1 : fcntl(r->child[i], F_DUPFD_CLOEXEC, 3);
		if (r->child[i] >= 0 && tmp[i] < 0)
			die_errno("--join: cannot pass the command its fd %d", i);
	}
	for (int i = 0; i < 3; i++) {
		if (tmp[i] < 0) {
			close(i);
			continue;
		}
		if (dup2(tmp[i], i) < 0)
			die_errno("--join: cannot pass the command its fd %d", i);
		close(tmp[i]);
	}
	/* Everything else of the relay's (the master, our pipe ends, the originals) is
	 * close-on-exec above 2; the caller then closes every fd above 2 (fds_set_cloexec_from). */
}

void join_relay_ctty(const struct join_relay *r)
{
	/* Without a terminal, a process group of its own: the relay shares the caller's, and
	 * a kill(0, SIGSTOP) from the command must not reach it. */
	if (r->master < 0) {
		if (setpgid(0, 0) < 0)
			die_errno("--join: cannot make a process group for the command");
		return;
	}
	if (setsid() < 0)
		die_errno("--join: cannot start a session for the command");
	for (int i = 0; i < 3; i++)
		if (r->tty[i]) {
			if (ioctl(i, TIOCSCTTY, 0) < 0)
				die_errno("--join: cannot give the command its terminal");
			return;
		}
}

struct stream {
	int src, dst;
	bool close_dst; /* at the source's end: the command's stdin pipe sees EOF */
	bool done;
	char buf[4096];
	size_t off, len;
};

static void restore_terminal(const struct join_relay *r)
{
	if (r->have_saved)
		tcsetattr(0, TCSADRAIN, &r->saved);
}

static void relay_die_hook(void *arg)
{
	restore_terminal(arg);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One step of a stream: read when its buffer is empty, write what it holds otherwise. */
static void stream_step(struct stream *s, short revents)
{
	if (s->len == 0 && (revents & (POLLIN | POLLHUP | POLLERR))) {
		ssize_t n = read(s->src, s->buf, sizeof(s->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0) { /* EOF, or EIO from a master whose slave is gone */
			s->done = true;
			if (s->close_dst) {
				close(s->dst);
				s->dst = -1;
			}
			return;
		}
		s->off = 0;
		s->len = (size_t)n;
		return;
	}
	if (s->len && (revents & (POLLOUT | POLLHUP | POLLERR))) {
		ssize_t n = write(s->dst, s->buf + s->off, s->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n < 0) { /* the reader is gone: so is ours, as in a pipeline (SIGPIPE) */
			s->len = 0;
			s->done = true;
			if (s->src > 2) {
				close(s->src);
				s->src = -1;
			}
			return;
		}
		s->off += (size_t)n;
		s->len -= (size_t)n;
	}
}

/* The relay's children: the joiner, which exits once it has started the command, and the
 * command, which the joiner started as ours (CLONE_PARENT): we learn its end from the kernel,
 * whatever became of the joiner. */
struct kids {
	pid_t joiner, cmd; /* cmd: 0 until the joiner says */
	bool joiner_done, cmd_done;
	int joiner_st, cmd_st;
	int pid_rd; /* the joiner writes the command's pid here */
};

static void read_cmd_pid(struct kids *k);

/* Only the joiner and the command are ours to account: a process the sandbox started as our
 * child too (clone CLONE_PARENT from the command) is reaped and ignored. Stopped, the
 * command is continued: no job control above it would ever do so. */
static void reap(struct kids *k)
{
	int st;
	pid_t r;

	read_cmd_pid(k);
	if (!k->joiner_done && waitpid(k->joiner, &st, WNOHANG) == k->joiner) {
		k->joiner_done = true;
		k->joiner_st = st;
		read_cmd_pid(k); /* written before it exited, or never */
	}
	if (k->cmd && !k->cmd_done) {
		r = waitpid(k->cmd, &st, WNOHANG | WUNTRACED);
		if (r == k->cmd && WIFSTOPPED(st))
			kill(k->cmd, SIGCONT);
		else if (r == k->cmd) {
			k->cmd_done = true;
			k->cmd_st = st;
		}
	}
	if (k->cmd || k->joiner_done)
		while ((r = waitpid(-1, &st, WNOHANG)) > 0)
			if (r == k->cmd && !k->cmd_done) {
				k->cmd_done = true;
				k->cmd_st = st;
			}
}

static void read_cmd_pid(struct kids *k)
{
	pid_t pid;

	if (k->pid_rd < 0)
		return;
	ssize_t n = read(k->pid_rd, &pid, sizeof(pid));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == (ssize_t)sizeof(pid) && !k->cmd)
		k->cmd = pid;
	close(k->pid_rd);
	k->pid_rd = -1;
}

/* Over: the command ended, or the joiner failed (or was killed) before starting it. */
static bool kids_over(const struct kids *k)
{
	return k->cmd_done || (k->joiner_done && !k->cmd && k->pid_rd < 0);
}

noreturn void join_relay_run(struct join_relay *r, pid_t joiner, int pid_rd, int target_fd,
			     const sigset_t *forward)
{
	struct stream st[4];
	unsigned n = 0, in_stream = 4;
	bool over = false;
	long long drain_start = 0;
	sigset_t set = *forward;
	struct kids k = { .joiner = joiner, .pid_rd = pid_rd };
	bool asked[64] = { false }, target_gone = false;
	int ended_by = 0;

	/* What we hold is the caller's: nothing in the sandbox may open our /proc files. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A reader of ours that went away is EPIPE for that stream, not our death with the
	 * caller's terminal left raw. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3; i++)
		if (r->child[i] >= 0 && r->child[i] != r->slave)
			close(r->child[i]);
	if (r->slave >= 0)
		close(r->slave);
	if (r->open[0]) {
		in_stream = n;
		st[n++] = (struct stream){ .src = 0,
					   .dst = r->tty[0] ? r->master : r->ours[0],
					   .close_dst = !r->tty[0] };
	}
	if (r->master >= 0)
		st[n++] = (struct stream){ .src = r->master, .dst = r->tty_out };
	for (int i = 1; i < 3; i++)
		if (r->ours[i] >= 0)
			st[n++] = (struct stream){ .src = r->ours[i], .dst = i };
	for (unsigned i = 0; i < n; i++) {
		if (st[i].src != 0)
			fcntl(st[i].src, F_SETFL, O_NONBLOCK);
		if (st[i].dst > 2)
			fcntl(st[i].dst, F_SETFL, O_NONBLOCK);
		/* A pty without a terminal to show it on (fd 0 alone is one): read and drop. */
		if (st[i].dst < 0 && !st[i].close_dst)
			st[i].dst = open("/dev/null", O_WRONLY | O_CLOEXEC);
	}
	/* Every signal through the signalfd: one that would kill us (SIGALRM, SIGXCPU...) ends
	 * the join with the caller's terminal put back instead. */
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	util_set_die_hook(relay_die_hook, r);
	fcntl(k.pid_rd, F_SETFL, O_NONBLOCK);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die_errno("--join: cannot watch signals");
	if (r->have_saved) {
		struct termios raw = r->saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSADRAIN, &raw);
	}
	for (;;) {
		struct pollfd pf[8];
		unsigned map[8], np = 0;
		bool busy = false;

		for (unsigned i = 0; i < n; i++) {
			struct stream *s = &st[i];
			/* The caller's input is not taken once the command has ended: it is
			 * for the caller's shell then. */
			if (s->done || (over && i == in_stream))
				continue;
			busy = busy || i != in_stream;
			if (s->len)
				pf[np] = (struct pollfd){ .fd = s->dst, .events = POLLOUT };
			else
				pf[np] = (struct pollfd){ .fd = s->src, .events = POLLIN };
			map[np++] = i;
		}
		unsigned extra = np;
		pf[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pf[np++] = (struct pollfd){ .fd = k.pid_rd, .events = POLLIN };
		pf[np++] = (struct pollfd){ .fd = over ? -1 : target_fd, .events = POLLIN };
		int timeout = -1;
		if (over) {
			long long left = drain_start + DRAIN_MAX_MS - now_ms();
			if (!busy || left <= 0)
				break;
			timeout = left < DRAIN_QUIET_MS ? (int)left : DRAIN_QUIET_MS;
		}
		int kk = poll(pf, np, timeout);
		if (kk < 0 && errno == EINTR)
			continue;
		if (kk < 0)
			die_errno("--join: poll");
		if (kk == 0) /* draining, and nothing came for a while */
			break;
		for (unsigned j = 0; j < extra; j++)
			if (pf[j].revents)
				stream_step(&st[map[j]], pf[j].revents);
		/* The caller's terminal gave its end (hung up): the join is over. */
		if (in_stream < n && st[in_stream].done && r->tty[0] && !over && k.cmd &&
		    !k.cmd_done && !ended_by) {
			kill(k.cmd, SIGHUP);
			kill(k.cmd, SIGKILL);
			ended_by = SIGHUP;
		}
		if (pf[extra + 1].revents)
			read_cmd_pid(&k);
		/* The process joined ended: so does the joined command. */
		if (pf[extra + 2].revents & POLLIN) {
			read_cmd_pid(&k);
			if (k.cmd && !k.cmd_done) {
				kill(k.cmd, SIGKILL);
				target_gone = true;
			}
			if (!k.joiner_done)
				kill(k.joiner, SIGKILL);
			close(target_fd);
			target_fd = -1;
		}
		if (pf[extra].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					struct winsize ws;
					if (r->master >= 0 &&
					    ioctl(r->winsz_from, TIOCGWINSZ, &ws) == 0)
						ioctl(r->master, TIOCSWINSZ, &ws);
				} else if (si.ssi_signo == SIGCHLD || si.ssi_signo == SIGCONT ||
					   si.ssi_signo == SIGTSTP || si.ssi_signo == SIGTTIN ||
					   si.ssi_signo == SIGTTOU || si.ssi_signo == SIGURG) {
					continue;
				} else if (sigismember(forward, (int)si.ssi_signo) &&
					   si.ssi_signo != SIGHUP && !k.cmd_done &&
					   !(k.cmd && asked[si.ssi_signo & 63])) {
					/* Passed on, once; before the command exists, or a
					 * second time, it ends the join. */
					read_cmd_pid(&k);
					asked[si.ssi_signo & 63] = true;
					if (k.cmd)
						kill(k.cmd, (int)si.ssi_signo);
					else if (!k.joiner_done)
						kill(k.joiner, SIGKILL);
				} else {
					/* The caller's terminal hung up, a second ^C-like signal, or
					 * one that would have killed us: the join is over. */
					read_cmd_pid(&k);
					if (k.cmd && !k.cmd_done) {
						if (si.ssi_signo == SIGHUP)
							kill(k.cmd, SIGHUP);
						kill(k.cmd, SIGKILL);
					}
					if (!k.joiner_done)
						kill(k.joiner, SIGKILL);
					ended_by = (int)si.ssi_signo;
				}
			}
		}
		reap(&k);
		if (!over && kids_over(&k)) {
			over = true;
			drain_start = now_ms();
		}
	}
	restore_terminal(r);
	if (k.cmd && !k.cmd_done)
		kill(k.cmd, SIGKILL);
	while (!kids_over(&k) || !k.joiner_done) {
		int st_;
		pid_t p = waitpid(-1, &st_, 0);
		if (p < 0)
			break;
		if (p == k.joiner) {
			k.joiner_done = true;
			k.joiner_st = st_;
		} else {
			k.cmd = p;
			k.cmd_done = true;
			k.cmd_st = st_;
		}
		if (k.pid_rd >= 0)
			read_cmd_pid(&k);
	}
	if (target_gone)
		warn("the process joined ended: the joined command was killed");
	/* The command's status; without one, the joiner's (hutch's own failure). */
	int status = process_exit_status(k.cmd_done ? k.cmd_st : k.joiner_st);
	_exit(ended_by && status == 128 + SIGKILL ? 128 + ended_by : status);
}

/* monitor: the parent while the sandbox runs, and how the sandbox ends. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "monitor.h"
#include "process.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

uint64_t monitor_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- every process below ours ---- */

/* Who a process is: its pid, its parent and when it started (fields 4 and 22 of
 * /proc/PID/stat). A pid is reused once its process is reaped; pid and start time together
 * name one process (a new one on the same pid would have to start in the same clock tick). */
struct ident {
	pid_t pid, ppid;
	unsigned long long start;
	char state; /* 'Z': a zombie, dead already: its parent reaps it */
};

/* Fills id for pid from /proc/PID/stat; -1 when there is no such process. */
static int ident_of(pid_t pid, struct ident *id)
{
	char path[40], buf[1024];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: the state follows the last ')'. */
	char *p = strrchr(buf, ')');
	int ppid;
	char state;
	if (!p || sscanf(p + 1,
			 " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %llu",
			 &state, &ppid, &id->start) != 3)
		return -1;
	id->state = state;
	id->pid = pid;
	id->ppid = ppid;
	return 0;
}

/* pid is still the process id names (same start time). */
static bool ident_same(const struct ident *id)
{
	struct ident now;

	return ident_of(id->pid, &now) == 0 && now.start == id->start;
}

static pid_t ppid_of(pid_t pid)
{
	struct ident id;

	return ident_of(pid, &id) == 0 ? id.ppid : -1;
}

/* The children of pid, from every thread's /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN),
 * else by a scan of every /proc/PID/stat. At most max; returns how many. */
static int children_of(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d) {
		bool any = false;
		while ((e = readdir(d)) && n < max) {
			char cpath[300], buf[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)pid,
				 e->d_name);
			int fd = open(cpath, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			any = true;
			ssize_t r = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[r > 0 ? r : 0] = '\0';
			for (char *s = buf, *end; n < max; s = end) {
				long v = strtol(s, &end, 10);
				if (end == s)
					break;
				out[n++] = (pid_t)v;
			}
		}
		closedir(d);
		if (any)
			return n;
	}
	/* No children files on this kernel: who has pid as its parent. */
	d = opendir("/proc");
	if (!d)
		return n;
	while ((e = readdir(d)) && n < max) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		if (ppid_of((pid_t)v) == pid)
			out[n++] = (pid_t)v;
	}
	closedir(d);
	return n;
}

/* Signal the process id names: a pidfd first, then a check that the pid is still that
 * process (freed and reused meanwhile, it would be someone else's: its start time differs),
 * then the signal through the pidfd, which cannot reach another process. */
static bool signal_ident(const struct ident *id, int sig)
{
	int pfd = (int)syscall(SYS_pidfd_open, id->pid, 0);
	int open_errno = errno;
	bool ok = false;

	if (!ident_same(id)) {
		if (pfd >= 0)
			close(pfd);
		return false;
	}
	if (pfd >= 0) {
		ok = syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) == 0;
		close(pfd);
	} else if (open_errno == ENOSYS) {
		ok = kill(id->pid, sig) == 0;
	}
	return ok;
}

void monitor_strangers_list(struct monitor_strangers *s)
{
	pid_t kids[64];
	int k = children_of(getpid(), kids, 64);

	s->n = 0;
	for (int i = 0; i < k; i++) {
		struct ident id;
		if (ident_of(kids[i], &id) == 0 && id.ppid == getpid()) {
			s->pid[s->n] = id.pid;
			s->start[s->n++] = id.start;
		}
	}
}

static bool is_stranger(const struct monitor_strangers *s, const struct ident *id)
{
	for (unsigned i = 0; s && i < s->n; i++)
		if (s->pid[i] == id->pid && s->start[i] == id->start)
			return true;
	return false;
}

int monitor_signal_tree(const struct monitor_strangers *strangers, int sig, pid_t skip)
{
	enum { MAX = 4096 };
	struct ident *tree = xmalloc(MAX * sizeof(*tree));
	int n = 0, count = 0;

	/* The whole tree first, then the signals: a process killed before its children were
	 * listed would hand them to us unseen. Each process is taken as a child of its listed
	 * parent only when its parent field names that parent and the parent is, after the
	 * read, still the process that was listed: a pid reused on the way never brings in a
	 * stranger's children. */
	if (ident_of(getpid(), &tree[n]) == 0)
		n++;
	for (int i = 0; i < n; i++) {
		pid_t kids[512];
		int k = children_of(tree[i].pid, kids, 512);

		for (int j = 0; j < k && n < MAX; j++) {
			struct ident kid;
			if (ident_of(kids[j], &kid) == 0 && kid.ppid == tree[i].pid &&
			    ident_same(&tree[i]) && !(i == 0 && is_stranger(strangers, &kid)))
				tree[n++] = kid;
		}
	}
	for (int i = 1; i < n; i++)
		if (tree[i].state != 'Z' && tree[i].pid != skip && signal_ident(&tree[i], sig))
			count++;
	free(tree);
	return count;
}

static void reap_all(const struct monitor *m, bool *child_gone, int *child_st)
{
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0)
		if (r == m->child && !*child_gone) {
			*child_gone = true;
			*child_st = st;
		}
}

static void end_sandbox(const struct monitor *m, bool *child_gone, int *child_st)
{
	uint64_t until = monitor_now_ns() + 2000000000u;

	if (m->pidns_ours && !*child_gone)
		kill(m->child, SIGKILL);
	if (m->cg)
		(void)cgroup_kill(m->cg, SIGKILL);
	if (m->pidns_ours) {
		/* Every process of the sandbox is in our PID namespace, and its pid 1 takes them
		 * along: the kernel kills them all when it dies and lets it be reaped only when
		 * they are gone (zap_pid_ns_processes). So no walk of /proc: wait for pid 1. */
		int pfd = *child_gone ? -1 : (int)syscall(SYS_pidfd_open, m->child, 0);
		while (!*child_gone) {
			uint64_t now = monitor_now_ns();
			if (now > until)
				break;
			struct pollfd w = { .fd = pfd, .events = POLLIN };
			if (pfd < 0 || poll(&w, 1, (int)((until - now) / 1000000u) + 1) < 0) {
				struct timespec t = { 0, 200000 };
				nanosleep(&t, NULL);
			}
			reap_all(m, child_gone, child_st);
		}
		if (pfd >= 0)
			close(pfd);
		return;
	}
	for (;;) {
		int n = monitor_signal_tree(m->strangers, SIGKILL, 0);

		reap_all(m, child_gone, child_st);
		if (n == 0 && *child_gone)
			break;
		if (monitor_now_ns() > until)
			break;
		/* Let the killed die and their parents (or we) reap them. A short nap, not a
		 * wait for SIGCHLD: taking it here would hide the command's end from the
		 * monitor's signalfd. */
		struct timespec t = { 0, 200000 };
		nanosleep(&t, NULL);
	}
}

void monitor_end_sandbox(const struct monitor *m)
{
	bool gone = false;
	int st = 0;

	end_sandbox(m, &gone, &st);
}

/* ---- the end ---- */

/* What the child's report pipe said: "R" alone: the command ran. "F" and a message: hutch's
 * own failure ("RF..." when exec failed after the 'R'). Read to EOF. */
struct report {
	bool ran;
	char msg[1024];
};

static void read_report(int fd, struct report *rep)
{
	char buf[1100];
	size_t n = 0;

	memset(rep, 0, sizeof(*rep));
	if (fd < 0)
		return;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	rep->ran = n == 1 && buf[0] == 'R';
	const char *f = memchr(buf, 'F', n);
	if (f)
		snprintf(rep->msg, sizeof(rep->msg), "%s", f + 1);
}

/* A JSON string's content (RFC 8259: quotes, backslashes, control characters escaped). */
static void json_escape(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

enum reason { R_EXITED, R_SIGNALED, R_TIMEOUT, R_OOM, R_PIDS, R_CPU };
static const char *const reason_key[] = {
	"exited", "signaled", "timeout", "oom", "pids", "cpu-time"
};

struct usage {
	uint64_t wall_ms, user_ms, sys_ms;
	uint64_t peak_bytes; /* 0: unknown */
	uint64_t processes;  /* 0: unknown */
	bool have_cg;
	struct cgroup_usage cg;
};

static void read_usage(const struct monitor *m, struct usage *u)
{
	struct rusage ru;

	memset(u, 0, sizeof(*u));
	u->wall_ms = (monitor_now_ns() - m->start_ns) / 1000000u;
	/* Everything reaped below us: the sandbox's processes, as far as they were waited for
	 * (ru_maxrss is the largest single one). */
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		u->user_ms =
			(uint64_t)ru.ru_utime.tv_sec * 1000 + (uint64_t)ru.ru_utime.tv_usec / 1000;
		u->sys_ms =
			(uint64_t)ru.ru_stime.tv_sec * 1000 + (uint64_t)ru.ru_stime.tv_usec / 1000;
		u->peak_bytes = (uint64_t)ru.ru_maxrss * 1024;
	}
	if (!m->cg)
		return;
	cgroup_usage_read(m->cg, &u->cg);
	u->have_cg = true;
	if (u->cg.have & CGROUP_HAVE_MEMORY_PEAK)
		u->peak_bytes = u->cg.memory_peak;
	if (u->cg.have & CGROUP_HAVE_CPU) {
		u->user_ms = u->cg.cpu_user_us / 1000;
		u->sys_ms = u->cg.cpu_system_us / 1000;
	}
	if (u->cg.have & CGROUP_HAVE_PIDS_PEAK)
		u->processes = u->cg.pids_peak;
}

static void write_usage_doc(int fd, enum reason why, const struct usage *u)
{
	char doc[512];
	int n = snprintf(doc, sizeof(doc),
			 "{ \"reason\": \"%s\", \"wall-time-ms\": %llu, \"cpu-user-ms\": %llu, "
			 "\"cpu-system-ms\": %llu",
			 reason_key[why], (unsigned long long)u->wall_ms,
			 (unsigned long long)u->user_ms, (unsigned long long)u->sys_ms);
	if (u->peak_bytes)
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, ", \"peak-memory-bytes\": %llu",
			      (unsigned long long)u->peak_bytes);
	if (u->processes)
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, ", \"processes\": %llu",
			      (unsigned long long)u->processes);
	if (u->have_cg && (u->cg.have & CGROUP_HAVE_OOM))
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, ", \"oom-kills\": %llu",
			      (unsigned long long)u->cg.oom_kills);
	if (u->have_cg && (u->cg.have & CGROUP_HAVE_PIDS_EVENTS))
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, ", \"pids-refused\": %llu",
			      (unsigned long long)u->cg.pids_refused);
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, " }\n");
	(void)write_all(fd, doc, (size_t)n);
}

static void print_stats(enum reason why, const struct usage *u)
{
	char peak[48] = "unknown", procs[64] = "";

	if (u->peak_bytes)
		snprintf(peak, sizeof(peak), "%.1f MiB", (double)u->peak_bytes / (1024.0 * 1024.0));
	if (u->processes)
		snprintf(procs, sizeof(procs), ", %llu processes at most",
			 (unsigned long long)u->processes);
	info("stats: %s after %.3f s wall, %.3f s user and %.3f s system CPU, peak memory %s%s",
	     reason_key[why], (double)u->wall_ms / 1e3, (double)u->user_ms / 1e3,
	     (double)u->sys_ms / 1e3, peak, procs);
}

/* Why it ended, and the status hutch exits with. */
static enum reason end_reason(const struct monitor *m, int code, bool timed_out,
			      const struct usage *u, int *status)
{
	*status = code;
	if (timed_out) {
		*status = face->exit_timeout;
		warn("the sandbox ran out of time after %.3g s (--timeout): stopped",
		     (double)m->timeout_ms / 1e3);
		return R_TIMEOUT;
	}
	if (u->have_cg) {
		int wst = code > 128 ? code - 128 : code << 8;
		enum cgroup_end e = cgroup_end_reason(&u->cg, wst);
		if (e != CGROUP_END_NORMAL) {
			*status = e == CGROUP_END_OOM ? face->exit_oom : face->exit_pids;
			warn("%s", cgroup_end_message(e));
			return e == CGROUP_END_OOM ? R_OOM : R_PIDS;
		}
	}
	if (code == 128 + SIGXCPU) {
		*status = face->exit_cputime;
		warn("the command used up its CPU time (--rlimit cpu): killed by SIGXCPU");
		return R_CPU;
	}
	return code > 128 ? R_SIGNALED : R_EXITED;
}

/* The end: why, what it used, the documents, the cgroup gone, the status. rep: what the
 * report pipe said (read once the child's copies are closed). */
static noreturn void finish(const struct monitor *m, int code, bool timed_out, bool setup_failed,
			    const struct report *rep)
{
	struct usage u;
	int status = code;
	enum reason why = R_EXITED;
	bool ran = rep->ran && !setup_failed;

	read_usage(m, &u);
	if (ran)
		why = end_reason(m, code, timed_out, &u, &status);
	if (m->json_fd >= 0) {
		char line[1200], esc[1100];
		int n;
		if (ran) {
			n = snprintf(line, sizeof(line), "{ \"exit-code\": %d }\n", status);
			(void)write_all(m->json_fd, line, (size_t)n);
			if (m->extra_docs)
				write_usage_doc(m->json_fd, why, &u);
		} else if (m->extra_docs) {
			json_escape(esc, sizeof(esc), rep->msg);
			size_t l = strlen(esc);
			while (l >= 6 && strcmp(esc + l - 6, "\\u000a") == 0)
				esc[l -= 6] = '\0';
			n = snprintf(line, sizeof(line), "{ \"error\": \"%s\", \"status\": %d }\n",
				     esc, status);
			(void)write_all(m->json_fd, line, (size_t)n);
		}
	}
	if (m->stats && ran)
		print_stats(why, &u);
	if (m->cg) {
		struct error err = { 0 };
		if (cgroup_destroy(m->cg, &err) < 0)
			warn("%s", err.msg);
	}
	exit(status);
}

/* A child killed by a signal before the command ran was the setup: a setup failure, never a
 * status the caller could take for the command's. */
static noreturn void setup_killed(const struct monitor *m, int st, const struct report *rep)
{
	int sig = WTERMSIG(st);

	error_line(msg(MSG_SETUP_KILLED), sig, strsignal(sig));
	finish(m, face->exit_setup, false, true, rep);
}

noreturn void monitor_run(const struct monitor *m)
{
	sigset_t set;
	int sfd, status_rd = m->status_rd, child_st = 0, code = 0;
	bool known = false, child_gone = false, timed_out = false;
	bool reaper = m->status_rd >= 0;
	uint64_t deadline = m->timeout_ms ? m->start_ns + m->timeout_ms * 1000000u : 0;
	int phase = 0; /* of the timeout: 0 running, 1 SIGTERM sent, 2 SIGKILL sent */

	/* The signals are blocked since before clone; a signalfd lets one poll() wait for them
	 * and for the reaper's word on the command's status (signalfd(2)). */
	/* A pidfd: once reaped (reap_all), the helper's pid could be another process's. */
	int helper_fd = m->helper > 0 ? (int)syscall(SYS_pidfd_open, m->helper, 0) : -1;
	process_forward_set(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die_errno(msg(MSG_SIGNALFD));
	for (;;) {
		/* The command ended: its network goes (kept children that outlive it in a PID
		 * namespace keep it until that ends). It must not count as a leftover. */
		if (known && helper_fd >= 0 && !m->wait_sandbox) {
			(void)syscall(SYS_pidfd_send_signal, helper_fd, SIGKILL, NULL, 0);
			close(helper_fd);
			helper_fd = -1;
			reap_all(m, &child_gone, &child_st);
		}
		if (known && phase == 1) {
			/* Timed out and the command ended: the others get their grace too,
			 * unless none is left. */
			reap_all(m, &child_gone, &child_st);
			if (child_gone && monitor_signal_tree(m->strangers, 0, 0) == 0)
				break;
		} else if (known && (m->kill_leftovers || phase == 2)) {
			/* The command ended: nothing of the sandbox outlives it (hutch face). */
			end_sandbox(m, &child_gone, &child_st);
			break;
		} else if (known && (!m->wait_sandbox || child_gone)) {
			break;
		}
		int wait_ms = -1;
		if (deadline) {
			uint64_t now = monitor_now_ns();
			wait_ms = now >= deadline ? 0 : (int)((deadline - now) / 1000000u + 1);
		}
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN },
					 { .fd = status_rd, .events = POLLIN } };
		int r = poll(pfd, status_rd >= 0 ? 2 : 1, wait_ms);
		if (r < 0 && errno != EINTR)
			die_errno(msg(MSG_MONITOR_POLL));
		if (deadline && monitor_now_ns() >= deadline) {
			if (phase == 0) {
				/* Every process, whatever its session or group: the tree below us. */
				timed_out = true;
				/* (Not the reaper: it would pass its SIGTERM on to the
				 * command, which then gets two.) */
				monitor_signal_tree(m->strangers, SIGTERM, reaper ? m->child : 0);
				if (m->cg)
					(void)cgroup_kill(m->cg, SIGTERM);
				phase = 1;
				deadline = monitor_now_ns() + m->grace_ms * 1000000u;
			} else {
				end_sandbox(m, &child_gone, &child_st);
				phase = 2;
				deadline = 0;
			}
		}
		if (r <= 0)
			continue;
		/* The reaper tells the command's status as soon as it knows it. */
		if (status_rd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			int v;
			ssize_t n = read(status_rd, &v, sizeof(v));
			if (n == (ssize_t)sizeof(v)) {
				code = v;
				known = true;
			}
			close(status_rd);
			status_rd = -1;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			if (!child_gone)
				kill(m->child, (int)si.ssi_signo);
			continue;
		}
		reap_all(m, &child_gone, &child_st);
		if (!child_gone || known)
			continue;
		/* The sandbox's first process ended before we knew the command's status. */
		/* (After a timeout, SIGKILL of pid 1 was ours: the timeout is the reason.) */
		if (reaper && WIFSIGNALED(child_st) && face->setup_signal_is_failure &&
		    !timed_out) {
			/* A reaper killed before it told the command's status: the command (or
			 * what is left of it) may still run. bubblewrap reports the reaper's
			 * status; the hutch face says what happened. (The command's copy of
			 * the report pipe is gone once it ran: exec closed it.) */
			struct report rep;
			read_report(m->report_rd, &rep);
			if (rep.ran) {
				error_line("cannot tell the command's status: the sandbox's pid 1 "
					   "was killed by signal %d (%s) before the command ended",
					   WTERMSIG(child_st), strsignal(WTERMSIG(child_st)));
				end_sandbox(m, &child_gone, &child_st);
				finish(m, face->exit_setup, timed_out, true, &rep);
			}
			setup_killed(m, child_st, &rep);
		}
		code = process_exit_status(child_st);
		known = true;
	}
	/* The command's usage reaches us through pid 1, which waited for it: pid 1 ends right
	 * after telling the status, and only once we have reaped it does RUSAGE_CHILDREN hold
	 * the command's (getrusage(2)). Only when the usage is asked for. */
	if (reaper && (m->stats || m->extra_docs)) {
		uint64_t until = monitor_now_ns() + 500000000u;
		while (!child_gone && monitor_now_ns() < until) {
			struct timespec t = { 0, 200000 };
			reap_all(m, &child_gone, &child_st);
			if (!child_gone)
				nanosleep(&t, NULL);
		}
	}
	struct report rep;
	read_report(m->report_rd, &rep);
	if (!rep.ran && child_gone && WIFSIGNALED(child_st) && !timed_out)
		setup_killed(m, child_st, &rep);
	finish(m, code, timed_out, !rep.ran, &rep);
}

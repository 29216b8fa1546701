/* monitor: the parent while the sandbox runs: signals to pass on, the --timeout, the
 * command's status, what is left to kill when it ends, why it ended and what it used (stderr,
 * --json-status-fd, --stats), and the cgroup to remove. Called by the parent only. */
#ifndef HUTCH_MONITOR_H
#define HUTCH_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

struct cgroup_sandbox;

/* The children hutch has before the sandbox exists: inherited across the exec that started
 * it (`sleep 9 & exec hutch ...`). Never the sandbox's, never signalled. */
struct monitor_strangers {
	unsigned n;
	pid_t pid[64];
	unsigned long long start[64]; /* their start times: a pid reused later is not them */
};

/* List them (call before the sandbox's first process is made). */
void monitor_strangers_list(struct monitor_strangers *s);

struct monitor {
	pid_t child;	     /* the sandbox's first process (pid 1, the reaper or the command) */
	int report_rd;	     /* the child's report pipe: 'R' before exec, 'F' + message on death */
	int json_fd;	     /* --json-status-fd, or -1 */
	int status_rd;	     /* the reaper's word on the command's status, or -1 */
	bool pidns_ours;     /* child is pid 1 of a PID namespace we made: killing it ends all */
	bool kill_leftovers; /* when the command ends, nothing of the sandbox stays */
	bool wait_sandbox;   /* ... or it stays, and we wait for it (--keep-children) */
	bool subreaper;	     /* we hold the sandbox's orphans (PR_SET_CHILD_SUBREAPER) */
	uint64_t timeout_ms; /* --timeout, 0: none */
	uint64_t grace_ms;   /* ... and its grace before SIGKILL */
	bool stats;	     /* --stats */
	bool extra_docs;     /* --json-status-fd gets the reason and usage, or the error, too */
	uint64_t start_ns;   /* CLOCK_MONOTONIC when the sandbox was made (wall time) */
	struct cgroup_sandbox *cg; /* the sandbox's cgroup, or NULL; destroyed at the end */
	pid_t helper;		   /* --net user's helper, or 0: killed when the sandbox ends */
	const struct monitor_strangers *strangers; /* left alone by the end of the sandbox */
};

/* Monotonic nanoseconds (the start of the wall time). */
uint64_t monitor_now_ns(void);

/* Wait until the command's status is known, then end the sandbox as m says and exit with
 * the status: the command's own (128+N for a signal N), or the face's for a timeout, an OOM
 * kill, a refused fork or a CPU-time limit, each said in one line. With m->json_fd: the
 * exit-code document when the command ran (bubblewrap's), then one of the reason and the
 * usage; a setup failure writes an error document instead. */
noreturn void monitor_run(const struct monitor *m);

/* Send sig to every process below ours (the sandbox and what it left to us as subreaper),
 * each through a pidfd taken while it was still listed as a child, so a reused pid is never
 * hit, except skip (0: none). Returns how many were signalled. */
int monitor_signal_tree(const struct monitor_strangers *strangers, int sig, pid_t skip);

/* Kill what is left of the sandbox (SIGKILL to pid 1 of our namespace, to the cgroup, to
 * every process below ours) and reap it; returns when nothing is left (or after ~2 s).
 * For the parent's own failures after clone too (util_set_die_hook). */
void monitor_end_sandbox(const struct monitor *m);

#endif

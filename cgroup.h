/* cgroup: the sandbox's own cgroup (a delegated cgroup v2 subtree, cgroup v1 hierarchies on
 * hybrid and v1 hosts), the option values that ask for it and the rlimits of --limits-try.
 * Pure parts run in the parser and planner and are unit-tested (cgroup-request.c: the option
 * values, limit files, reasons, rlimits; cgroup-probe.c: the host's hierarchies, places,
 * names, messages); the rest runs in the parent only (cgroup.c: create before clone, attach,
 * kill, usage, destroy; cgroup-tree.c, internal: a cgroup's processes and removal).
 *
 * The life of a sandbox's cgroup, as the parent drives it:
 *
 *   cgroup_create()      before clone: removes stale siblings (below), makes the cgroup in
 *                        every hierarchy needed, enables controllers, writes the limits
 *   cgroup_clone_fd()    the v2 directory for clone3(CLONE_INTO_CGROUP), or -1
 *   cgroup_attach()      right after clone, before the child's "go": the child's pid into
 *                        every hierarchy the clone did not cover (all v1 ones)
 *   cgroup_kill()        any time: a signal to every process of the sandbox
 *   cgroup_usage_read()  after the command ended, before destroy
 *   cgroup_destroy()     kills what is left, waits until empty (bounded), removes the dirs
 *
 * Names: the cgroup is NAME = "hutch.PID.START.PIDNS" in each hierarchy, PID and START (field
 * 22 of /proc/PID/stat) those of the hutch process that will destroy it, PIDNS the inode of
 * its PID namespace. A hutch killed with SIGKILL leaves its cgroups behind; the next
 * cgroup_create in the same parent directory removes every sibling NAME whose PIDNS is its
 * own and whose PID no longer has that START (the owner is dead): it kills what is left in
 * it, waits until it is empty, removes it. Nothing else cleans up behind a dead hutch (a v1
 * release_agent is the host's, systemd trims a delegated scope only when the scope stops).
 *
 * Where (per hierarchy): --cgroup-parent, else the caller's own cgroup. cgroup v2 forbids
 * enabling controllers for the children of a cgroup that has processes (the "no internal
 * processes" rule), so a caller's own v2 cgroup (a systemd scope with Delegate=yes) is used
 * as the parent only when its subtree_control already has the controllers or takes them;
 * when it refuses because hutch itself is in it, and hutch is the only process there, hutch
 * moves itself into a leaf NAME.caller beside the sandbox's cgroup for the sandbox's life
 * (as systemd.resource-control(5) asks of delegated subtrees) and moves back at the end.
 * Controllers hutch enabled in a parent's subtree_control stay enabled, except in that case.
 * Whether a place is writable is the kernel's answer to the mkdir itself, plus for v2 a
 * faccessat(W_OK) on cgroup.procs of the common ancestor of the caller's cgroup and the place
 * (cgroup-v2.rst, "Delegation Containment": clone3 and the attach need it).
 *
 * For the caller (the process side): a process must stay to destroy the cgroup and read why
 * the sandbox ended (the face that becomes the command keeps its parent when there are
 * limits); the child is attached before it forks anything; --unshare-cgroup is unshared by the
 * child after the attach; --pids counts the pid-1 reaper; helpers hutch forks after
 * cgroup_create live in NAME.caller in that case, and must end before cgroup_destroy. Without
 * --account on a hybrid host, the CPU time of --json-status-fd is wait4's (the reaped tree's).
 */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "util.h"

/* The controllers hutch uses. CPUACCT and FREEZER are v1 controllers; in v2 every cgroup has
 * their function (cpu.stat, cgroup.freeze and cgroup.kill) without enabling anything. */
enum cgroup_ctl {
	CGROUP_CTL_MEMORY = 1u << 0,
	CGROUP_CTL_PIDS = 1u << 1,
	CGROUP_CTL_CPU = 1u << 2,
	CGROUP_CTL_CPUACCT = 1u << 3,
	CGROUP_CTL_IO = 1u << 4, /* v2 "io", v1 "blkio" */
	CGROUP_CTL_FREEZER = 1u << 5,
};
#define CGROUP_NCTL	   6
#define CGROUP_CTL_V2_CORE (CGROUP_CTL_CPUACCT | CGROUP_CTL_FREEZER)
/* The controller's name: v1 names ("blkio"), or v2 names (version 2: "io"). */
const char *cgroup_ctl_name(unsigned ctl, int version);

/* ---- what the user asked (options) ---------------------------------------------------------- */

#define CGROUP_MAX	     UINT64_MAX /* "max": no limit */
#define CGROUP_CPU_PERIOD_US 100000u	/* the CFS period hutch uses (the kernel's default) */
#define CGROUP_MAX_PARENTS   8

/* Which values of struct cgroup_request were given. */
enum cgroup_set {
	CGROUP_SET_MEMORY = 1u << 0,
	CGROUP_SET_SWAP = 1u << 1,
	CGROUP_SET_PIDS = 1u << 2,
	CGROUP_SET_CPUS = 1u << 3,
	CGROUP_SET_CPU_WEIGHT = 1u << 4,
	CGROUP_SET_IO_WEIGHT = 1u << 5,
};

struct cgroup_request {
	unsigned set;	       /* CGROUP_SET_* */
	uint64_t memory;       /* --memory: bytes, or CGROUP_MAX */
	uint64_t memory_swap;  /* --memory-swap: memory plus swap (docker's meaning), or max */
	uint64_t pids;	       /* --pids: processes and threads, or CGROUP_MAX */
	uint64_t cpu_quota_us; /* --cpus F: F * CGROUP_CPU_PERIOD_US */
	unsigned cpu_weight;   /* --cpu-weight: 1..10000 (v2 scale, 100 is the default) */
	unsigned io_weight;    /* --io-weight: 1..10000 (v2 scale, 100 is the default) */
	const char *parents[CGROUP_MAX_PARENTS]; /* --cgroup-parent, in order; not owned */
	unsigned nparents;
	bool try;     /* --limits-try: rlimits where no cgroup can be made, said once */
	bool account; /* also join, best effort, what only counts: the v2 tree without a v2
		       * controller (cpu.stat; clone3 into it, cgroup.kill), else v1 cpuacct
		       * and freezer (--json-status-fd's CPU time) */
};

/* One option's value into req: option is the long name without dashes ("memory",
 * "memory-swap", "pids", "cpus", "cpu-weight", "io-weight", "cgroup-parent"). Sizes take K, M,
 * G, T (powers of 1024, either case) or "max"; --pids a count or "max"; --cpus a decimal
 * fraction of one CPU, 0.01 to 10000, at most 5 decimals ("0.5", "2", "1.25"). 0, or -1 with
 * err ("--memory: invalid size '12X': ..."). */
int cgroup_option_parse(struct cgroup_request *req, const char *option, const char *value,
			struct error *err);
/* The rules between these options: --memory-swap needs --memory and is at least as large.
 * 0, or -1 with err. */
int cgroup_request_validate(const struct cgroup_request *req, struct error *err);
/* Whether the request asks for a cgroup at all (a limit or --cgroup-parent). */
bool cgroup_request_wanted(const struct cgroup_request *req);
/* The controllers the limits need (CGROUP_CTL_*). */
unsigned cgroup_request_ctls(const struct cgroup_request *req);

/* ---- the host: hierarchies and where the caller is (pure) ------------------------------------- */

#define CGROUP_MAX_HIERS 16

struct cgroup_hier {
	int version;	  /* 1 or 2 */
	unsigned ctls;	  /* CGROUP_CTL_* bound here (v1: the mount's options; v2: see below) */
	char *mountpoint; /* decoded */
	char *mount_root; /* the cgroup the mount shows at its top: "/" for the whole tree */
	char *own;	  /* the caller's cgroup below the mountpoint: "" for its top, "a/b";
			   * NULL when /proc/self/cgroup names none, or one the mount cannot
			   * show (outside its root, or "(deleted)") */
};

struct cgroup_layout {
	struct cgroup_hier h[CGROUP_MAX_HIERS];
	unsigned n;
	int v2;		  /* index of the cgroup2 mount, -1 when none */
	unsigned v1_only; /* controllers bound to a v1 hierarchy (mounted or not): never in v2 */
};

/* From the text of /proc/self/mountinfo (modified: decoded in place) and /proc/self/cgroup:
 * every mounted hierarchy (the first mount of each whose root holds the caller's cgroup, else
 * the first), with the caller's cgroup below it. 0, or -1 with err (a line not understood).
 * Free with cgroup_layout_free. */
int cgroup_layout_parse(char *mountinfo, const char *proc_cgroup, struct cgroup_layout *out,
			struct error *err);
void cgroup_layout_free(struct cgroup_layout *l);
/* The v2 controllers offered (the text of a cgroup.controllers file): sets the v2 entry's
 * ctls, less those bound to v1, plus the CGROUP_CTL_V2_CORE functions. */
void cgroup_layout_set_v2(struct cgroup_layout *l, const char *controllers);
/* The index of the hierarchy holding controller ctl (one bit), or -1. */
int cgroup_layout_find(const struct cgroup_layout *l, unsigned ctl);

/* Where to make the cgroup in each hierarchy, below its mountpoint ("" for its top; owned by
 * out, freed by cgroup_parents_free). A --cgroup-parent that starts with a hierarchy's
 * mountpoint names that hierarchy only; any other absolute path is a cgroup path ("/a/b", as
 * /proc/self/cgroup writes them) in every hierarchy; a relative one is below the caller's own
 * cgroup in every hierarchy. Without one: the caller's own cgroup. given[i] tells whether
 * hierarchy i's place came from an option. "." and ".." are refused. 0, or -1 with err. */
struct cgroup_parents {
	char *rel[CGROUP_MAX_HIERS]; /* NULL: no place (the caller's cgroup is not visible) */
	bool given[CGROUP_MAX_HIERS];
};
int cgroup_parents_resolve(const struct cgroup_layout *l, const char *const *parents,
			   unsigned nparents, struct cgroup_parents *out, struct error *err);
void cgroup_parents_free(struct cgroup_parents *p);

/* ---- names, files and decisions (pure) ------------------------------------------------------- */

/* "hutch.PID.START.PIDNS" into buf; parse one back (a ".caller" suffix sets *caller). A name
 * that is not one of these: -1. */
void cgroup_name_format(char *buf, size_t size, pid_t pid, unsigned long long start,
			unsigned long long pidns);
int cgroup_name_parse(const char *name, pid_t *pid, unsigned long long *start,
		      unsigned long long *pidns, bool *caller);
/* Fields 3 (state) and 22 (start time) of a /proc/PID/stat text; -1 when not understood. */
int cgroup_stat_parse(const char *stat, char *state, unsigned long long *start);

/* Whether a cgroup.procs text lists pid and nothing else. */
bool cgroup_procs_only(const char *procs, pid_t pid);

/* One write of a limit: the file below the sandbox's cgroup and its content. Writes of the
 * same nonzero group are alternatives for different kernels: each may be missing, not all. */
struct cgroup_write {
	unsigned ctl;
	const char *file;
	unsigned group;
	char value[48];
};
/* The writes of the request's limits for one hierarchy version and its controllers, in the
 * order the kernel needs (v1 memory before memory+swap). Returns how many (at most 8). */
unsigned cgroup_limit_writes(const struct cgroup_request *req, int version, unsigned ctls,
			     struct cgroup_write *w);

/* "KEY VALUE" lines (cpu.stat, memory.events, pids.events, memory.oom_control, cpuacct.stat):
 * the value of key; -1 when the key is missing. */
int cgroup_keyed_value(const char *text, const char *key, uint64_t *out);
/* The controllers of a whitespace-separated list of v2 names (cgroup.controllers,
 * cgroup.subtree_control) as CGROUP_CTL_*; names hutch does not use are ignored. */
unsigned cgroup_list_ctls(const char *text);

/* What the sandbox used, and what the kernel refused it. */
enum cgroup_have {
	CGROUP_HAVE_MEMORY_PEAK = 1u << 0,
	CGROUP_HAVE_CPU = 1u << 1,
	CGROUP_HAVE_PIDS_PEAK = 1u << 2,
	CGROUP_HAVE_OOM = 1u << 3,
	CGROUP_HAVE_PIDS_EVENTS = 1u << 4,
};
struct cgroup_usage {
	unsigned have;		/* CGROUP_HAVE_* of the fields read */
	uint64_t memory_peak;	/* bytes (v2 memory.peak, v1 memory.max_usage_in_bytes) */
	uint64_t cpu_user_us;	/* v2 cpu.stat, v1 cpuacct.usage_user or cpuacct.stat */
	uint64_t cpu_system_us; /* ... */
	uint64_t pids_peak;	/* processes and threads at once (pids.peak: v2 and v1 since
				 * Linux 6.x; older kernels have none) */
	uint64_t oom_kills;	/* processes the OOM killer killed (memory.events oom_kill, v1
				 * memory.oom_control oom_kill) */
	uint64_t pids_refused;	/* forks refused at pids.max (pids.events max) */
};

/* Why the sandbox ended, from its usage and the command's wait status: a command that exited
 * 0 ended normally whatever happened inside; otherwise an OOM kill, then a refused fork. */
enum cgroup_end { CGROUP_END_NORMAL = 0, CGROUP_END_OOM, CGROUP_END_PIDS };
enum cgroup_end cgroup_end_reason(const struct cgroup_usage *u, int wait_status);
/* The one line of stderr for a reason (without the program name), NULL for NORMAL; and its
 * key in --json-status-fd ("oom", "pids", "exited"). */
const char *cgroup_end_message(enum cgroup_end reason);
const char *cgroup_end_key(enum cgroup_end reason);

/* ---- --limits-try: rlimits instead (pure plan; the child applies it) -------------------------- */

struct cgroup_rlimits {
	unsigned n;
	struct {
		int resource;
		rlim_t value;
	} v[4];
};
/* For the values in `unplaced` (CGROUP_SET_*): the rlimits that stand in (--memory as
 * RLIMIT_AS: address space, not resident memory; --pids as RLIMIT_NPROC: every process of the
 * user, not only the sandbox's); *lost gets those no rlimit can express. */
void cgroup_rlimits_plan(const struct cgroup_request *req, unsigned unplaced,
			 struct cgroup_rlimits *out, unsigned *lost);
/* In the child, before exec: lower each limit (never raise one). 0, or -1 with errno. */
int cgroup_rlimits_apply(const struct cgroup_rlimits *rl);

/* The one --limits-try warning (without the program name): why no cgroup (the first line of
 * an error's text), what stands in, what is not applied. */
void cgroup_try_warning(const struct cgroup_request *req, unsigned unplaced, const char *why,
			char *buf, size_t size);

/* ---- messages (pure) --------------------------------------------------------------------------- */

/* "+memory +pids" (sign '+' or '-'; v2 names; the v2 core functions left out). */
void cgroup_ctl_list(unsigned ctls, char sign, char *buf, size_t size);
/* "memory, pids and cpu" in the names of a version. */
void cgroup_ctl_words(unsigned ctls, int version, char *buf, size_t size);
/* Append to err->msg (a "\nhint: ..." line). */
__attribute__((format(printf, 2, 3))) void cgroup_error_append(struct error *err, const char *fmt,
							       ...);
/* Append the hint lines for a caller (uid; its parent ppid, the shell that ran hutch) who may
 * write no cgroup for the controllers in need: the root commands that delegate a directory in
 * each v1 hierarchy, a delegated systemd scope or directory for v2; --limits-try unless try. */
void cgroup_hint_delegation(const struct cgroup_layout *l, unsigned need, uid_t uid, pid_t ppid,
			    bool try, struct error *err);

/* ---- the sandbox's cgroup (impure, parent) ----------------------------------------------------- */

struct cgroup_sandbox;

/* Make the sandbox's cgroup for req (cgroup_request_wanted must be true; with
 * --cgroup-parent and no limit, the cgroup is made in the v2 tree, else the v1 freezer and
 * cpuacct hierarchies). On success *out is
 * the handle (also with --limits-try when nothing could be made: then cgroup_unplaced says
 * what to apply as rlimits, and the one warning is printed). -1 with err: "cannot create the
 * sandbox's cgroup: REASON" and hint: lines naming what is missing and the commands that give
 * it; nothing is left behind. */
int cgroup_create(const struct cgroup_request *req, struct cgroup_sandbox **out, struct error *err);
/* The CGROUP_SET_* values no cgroup carries (only with --limits-try). */
unsigned cgroup_unplaced(const struct cgroup_sandbox *cg);
/* The rlimits that stand in for them (see cgroup_rlimits_plan). */
void cgroup_rlimits(const struct cgroup_sandbox *cg, struct cgroup_rlimits *rl);
/* The v2 cgroup's directory fd for clone3(CLONE_INTO_CGROUP) (owned by cg), or -1 when there
 * is none (v1-only host, v2 tree not writable). */
int cgroup_clone_fd(const struct cgroup_sandbox *cg);
/* Move pid into the sandbox's cgroup in every hierarchy, the v2 one too unless in_v2 (the
 * clone put it there). Call before the child runs anything (before its "go"): whatever it
 * forks follows it. With --unshare-cgroup the child unshares CLONE_NEWCGROUP after this: a
 * cgroup namespace's root is its creator's cgroup at that moment, and a clone flag would take
 * the v1 cgroups of before the attach. 0, or -1 with err. */
int cgroup_attach(struct cgroup_sandbox *cg, pid_t pid, bool in_v2, struct error *err);
/* Send sig to every process of the sandbox: v2 cgroup.kill for SIGKILL; else, frozen where a
 * freezer is joined (v2 cgroup.freeze, v1 freezer), each process through a pidfd. SIGKILL
 * returns once no process is left (at most about 2 s). 0, or -1 with errno (EBUSY: some
 * remain). */
int cgroup_kill(struct cgroup_sandbox *cg, int sig);
/* Read what the sandbox used; fields the host cannot tell stay out of u->have. */
void cgroup_usage_read(const struct cgroup_sandbox *cg, struct cgroup_usage *u);
/* The directories, for messages and tests: the sandbox's cgroup in hierarchy i (absolute
 * path), NULL past the last. */
const char *cgroup_path(const struct cgroup_sandbox *cg, unsigned i);
/* Kill what is left, wait until empty (at most about 2 s), remove every directory made, free
 * cg (also on failure). 0, or -1 with err naming what stayed. */
int cgroup_destroy(struct cgroup_sandbox *cg, struct error *err);

#endif

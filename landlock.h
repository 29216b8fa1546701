/* landlock: the Landlock ruleset derived from the plan, a second wall behind the mount
 * namespace. landlock_plan_rules and the rights are pure (the planner, the dry run, the unit
 * tests); landlock_abi runs in the parent; landlock_child_* run in the setup child. */
#ifndef HUTCH_LANDLOCK_H
#define HUTCH_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "setup-op.h"
#include "util.h"

/* The newest ABI hutch knows: 1 fs, 2 refer, 3 truncate, 4 TCP bind/connect, 5 ioctl on
 * devices, 6 scoping (abstract unix sockets, signals), 7 audit flags of restrict_self. */
#define LANDLOCK_ABI_KNOWN 7

/* One path the command may reach, with the rights of the mount it is on. */
struct landlock_rule {
	char *path;	    /* normalised: in the new root, or on the host (host) */
	bool writable;	    /* every right the ABI handles; else read, list and execute */
	bool host;	    /* --landlock-ro/--landlock-rw: a host path, opened before the build */
	const char *option; /* the option that put it there ("ro-bind"); NULL: the base tmpfs */
	const char *origin; /* the shortcut of that option, or NULL */
};

/* --landlock-ro / --landlock-rw as given. */
struct landlock_path {
	const char *path;
	bool writable;
};

struct landlock_plan {
	bool asked;	    /* --landlock or --landlock-try (maybe through --base) */
	const char *origin; /* the shortcut that asked ("base"), or NULL */
	bool on;	    /* the command runs under Landlock */
	bool required;	    /* --landlock (not --landlock-try): refuse to run without it */
	int abi;	   /* the kernel's ABI, capped to LANDLOCK_ABI_KNOWN (plan_load); 0: none */
	int abi_errno;	   /* why there is none (EOPNOTSUPP: disabled, ENOSYS: not built in) */
	bool scope_signal; /* own PID namespace: no signal to a process outside the domain */
	bool scope_abstract; /* own network namespace: no abstract unix socket outside it */
	struct landlock_rule *rules;
	unsigned n;
};

/* The access rights, per ABI (LANDLOCK_ACCESS_FS_* of <linux/landlock.h>). */
uint64_t landlock_fs_handled(int abi);
uint64_t landlock_fs_rights(int abi, bool writable, bool dir);
/* What --landlock uses of an ABI, for --check: "files and directories, refer, ...". */
const char *landlock_abi_features(int abi, char *buf, size_t size);
/* "read, list, execute" or "all N rights": for the dry run. */
const char *landlock_rights_name(bool writable);

/* Pure: the rules of an op list in command-line order (a mount at a path replaces what was
 * mounted there or below before; --remount-ro makes the mount a path is on read-only), then
 * the extra paths. The strings are allocated (landlock_plan_free). 0 or -1 with err. */
int landlock_plan_rules(const struct setup_list *ops, const struct landlock_path *extra,
			unsigned n_extra, struct landlock_plan *lp, struct error *err);
void landlock_plan_free(struct landlock_plan *lp);

/* Impure: the kernel's ABI (capped), or 0 with errno set. */
int landlock_abi(void);

/* The setup child's ruleset, between its steps. */
struct landlock_child {
	int fd; /* the ruleset, -1 */
};

/* Before the build, when the plan has Landlock: the ruleset, with the host paths' rules
 * (--landlock-ro/-rw, opened from the caller's view), and for 0, 1, 2 and each of fds that
 * holds a file (not a directory) a rule on that file with the fd's own access, so that it
 * can be opened again through /proc/self/fd (/dev/stdout). */
void landlock_child_begin(const struct landlock_plan *lp, struct landlock_child *lc, const int *fds,
			  unsigned nfds);
/* After pivot_root: the rules of the new root's paths, opened below "/" (RESOLVE_IN_ROOT);
 * a path that is gone or no longer a mount root (covered later) gets no rule. */
void landlock_child_add_root(const struct landlock_plan *lp, struct landlock_child *lc);
/* After no_new_privs, before the reaper forks (it is in the domain too) and seccomp. */
void landlock_child_restrict(const struct landlock_plan *lp, struct landlock_child *lc);

/* Before any mount, in every launch: a process under a Landlock domain may not mount nor
 * pivot_root, so a sandbox cannot be built inside one; say so instead of failing on the first
 * mount with a bare EPERM. Needs CAP_SYS_ADMIN over the mount namespace. */
void landlock_child_refuse_nested(void);

#endif

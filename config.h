/* config: what the user asked for, as the parser understood it (no decision taken yet).
 * Filled by the parser (options.c) in the parent; read by the planner (plan.c) only. */
#ifndef HUTCH_CONFIG_H
#define HUTCH_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "landlock.h"
#include "net-request.h"
#include "rlimit.h"
#include "seccomp-request.h"
#include "setup-op.h"
#include "util.h"

enum env_op_type { ENV_SET, ENV_UNSET, ENV_CLEAR };
struct env_op {
	enum env_op_type type;
	const char *name;   /* not owned */
	const char *value;  /* ENV_SET only; not owned */
	const char *origin; /* the shortcut it came from ("base"), or NULL */
	struct env_op *next;
};

struct int_list {
	int *v;
	unsigned n;
};

/* make's jobserver named by MAKEFLAGS (jobserver.c): fds rd, wr (-1 unless given), or a fifo. */
struct jobserver_req {
	int rd, wr;
	const char *fifo; /* owned by the config (cfg->owned) */
	const char *word; /* "--jobserver-auth=3,4", as MAKEFLAGS says it; owned likewise */
};

/* Namespace request: NO, YES, or TRY (unshare when the kernel allows, else continue). */
enum ns_req { NS_NO = 0, NS_YES = 1, NS_TRY = 2 };

struct config {
	/* Namespaces. */
	enum ns_req unshare_user;
	bool unshare_pid, unshare_net, unshare_ipc, unshare_uts;
	enum ns_req unshare_cgroup;
	int userns_fd, userns2_fd, pidns_fd; /* -1 unless given */
	bool disable_userns, assert_userns_disabled;

	/* Identity inside. */
	bool uid_set, gid_set;
	uid_t uid;
	gid_t gid;
	const char *hostname;
	/* --host-uid/--host-gid (root only): the host ids the sandbox's ids map to. */
	bool host_uid_set, host_gid_set;
	uid_t host_uid;
	gid_t host_gid;

	/* Root filesystem, in command-line order. */
	struct setup_list ops;

	/* Process and environment. */
	const char *chdir_path;
	const char *argv0;
	struct env_op *env_head, *env_tail;
	bool new_session, die_with_parent, as_pid_1;
	char **argv; /* the command; NULL-terminated; argc >= 1 after a successful parse */
	int argc;

	/* Capabilities: bit N is capability N. caps_explicit once --cap-add/--cap-drop seen;
	 * the options are applied in order to a set that starts empty (bubblewrap's rule). */
	uint64_t caps;
	bool caps_explicit;
	/* The bits of the starting set that no --cap-drop removed (all ones unless dropped).
	 * bubblewrap starts from root's own effective set (face->root_keeps_caps), so the
	 * final set is (initial & caps_keep_initial) | caps, where initial is 0 for others. */
	uint64_t caps_keep_initial;

	/* Descriptors. */
	struct int_list pass_fds;	/* --pass-fd (hutch face) */
	struct jobserver_req jobserver; /* the hutch face keeps it (jobserver_config) */
	/* Seccomp profiles (hutch face): --seccomp-profile, --seccomp-allow, --seccomp-deny in
	 * order; face->default_seccomp applies when no --seccomp-profile was given. */
	struct seccomp_request seccomp_req;
	const char *seccomp_export; /* --seccomp-export FILE */
	int info_fd, json_status_fd, sync_fd, block_fd, userns_block_fd;
	struct int_list seccomp_fds; /* --seccomp then --add-seccomp-fd, in order */
	bool seccomp_legacy;	     /* --seccomp was used (cannot combine with --add-seccomp-fd) */
	const char *exec_label, *file_label;
	bool level_prefix;
	bool dry_run; /* --dry-run: print the plan, run nothing */

	/* Limits and the sandbox's lifetime. */
	struct cgroup_request cgroup; /* --memory, --pids, --cpus..., --cgroup-parent */
	struct rlimit_req *rlimits;   /* --rlimit, in order */
	unsigned n_rlimits;
	uint64_t timeout_ms, grace_ms; /* --timeout DURATION[:GRACE]; 0: none */
	bool keep_children;	       /* --keep-children */
	bool stats;		       /* --stats */

	/* The network (hutch face): --net, --net-helper, --publish, --net-host-loopback,
	 * --net-allow. */
	struct net_request net;

	bool check; /* --check: diagnose the machine (check.c) and exit */

	/* Landlock (landlock.c): --landlock, --landlock-try, --no-landlock (the last one wins;
	 * --base says --landlock-try), and the --landlock-ro/--landlock-rw paths in order. */
	enum landlock_req { LANDLOCK_REQ_OFF = 0, LANDLOCK_REQ_TRY, LANDLOCK_REQ_ON } landlock;
	const char *landlock_origin; /* the shortcut that set it ("base"), or NULL */
	struct landlock_path *landlock_paths;
	unsigned n_landlock_paths;

	/* What the parser allocated (strings from --args, arrays), freed by config_free. */
	char **owned;
	unsigned n_owned;
};

void config_init(struct config *cfg);
/* Keeps p (malloc'd) until config_free. */
void config_own(struct config *cfg, void *p);
void config_free(struct config *cfg);

#endif

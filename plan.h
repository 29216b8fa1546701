/* plan: what will be done, decided before any namespace exists from what the user asked (the
 * config) and the facts of this host. Made in the parent by plan_make (pure: every rule
 * between options and every decision, unit-tested); read by the executor (sandbox.c and the
 * modules it calls, in every process hutch runs), which reads nothing else. */
#ifndef HUTCH_PLAN_H
#define HUTCH_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "seccomp.h"
#include "util.h"

/* A closed fd number an option named (the caller's mistake, or a race): what to do about it
 * is the planner's decision, in the face's way. */
struct closed_fd {
	int fd;
	int err; /* errno of fcntl(F_GETFD) */
};

/* The facts of this host and caller that decisions depend on, gathered once by
 * plan_gather_host (the impure part; tests make their own). */
struct host_facts {
	uid_t uid, euid;
	gid_t gid, egid;
	uint64_t caps;	     /* the caller's effective capabilities */
	uint64_t caps_all;   /* every capability this kernel knows */
	bool privileged;     /* uid 0 with CAP_SYS_ADMIN: may mount without a user namespace */
	bool initial_userns; /* we are in the initial user namespace (uid_map maps every id) */
	bool has_userns;     /* the kernel has user namespaces (/proc/self/ns/user) */
	bool has_cgroupns;   /* ... cgroup namespaces */
	bool pgrp_leader;    /* we lead our process group: setsid() would fail here */
	bool tty_shared;     /* stdin, stdout or stderr is a terminal the sandbox shares */
	mode_t umask;	     /* the caller's */
	const char *tty;     /* ttyname(1) when stdout is a terminal, else NULL */
	const char *cwd;     /* the caller's working directory, NULL if unknown */
	struct closed_fd closed[16]; /* fd numbers named by options that are not open */
	unsigned nclosed;
	/* --net user only: where pasta and slirp4netns are on PATH (NULL: not installed). */
	const char *pasta_path, *slirp4netns_path;
	bool jobserver_open[2]; /* cfg->jobserver.rd, .wr are open pipes or fifos */
};

/* User namespaces and ids. */
struct ids_plan {
	bool new_userns;     /* we create a user namespace (always when unprivileged) */
	bool write_maps;     /* ... and the child writes its maps itself */
	bool parent_maps;    /* ... or the parent does (root mapping onto other host ids) */
	bool nested;	     /* the final ids need a second, nested user namespace */
	bool root_as_nobody; /* host root's sandbox put on nobody by default (not asked) */
	bool disable;	     /* --disable-userns */
	bool assert_disabled;
	int userns_fd, userns2_fd; /* --userns (joined by the parent), --userns2 (by the child) */
	bool uid_set, gid_set;	   /* --uid, --gid given (in a joined namespace: switch to them) */
	uid_t outer_uid, first_uid, final_uid;
	gid_t outer_gid, first_gid, final_gid;
};

/* The root filesystem (rootfs.c). */
struct rootfs_plan {
	const struct setup_list *ops; /* in command-line order */
	bool make_slave;	      /* no user namespace: make "/" a slave tree ourselves */
	bool own_pidns;		      /* --proc mounts a new proc (else binds the host's) */
	bool own_netns;		      /* --proc: the sandbox's /proc/sys/net is its own */
	bool proc_shadow;	      /* --proc: a hidden plain proc, for nested sandboxes */
	const char *file_label;	      /* --file-label, for --tmpfs */
	const char *host_tty;	      /* for /dev/console; or NULL */
	const char *caller_cwd;	      /* relative sources are relative to it */
	mode_t file_mode;	      /* --file without --perms */
	/* The source name of the root's tmpfs: "tmpfs", or in the hutch face the mark of its
	 * sandboxes with the digest of the command's filter, "hutch:seccomp=HEX" (join.h);
	 * set by plan_load. */
	char base_source[48];
};

/* Capabilities of the command. */
struct caps_plan {
	uint64_t keep;	  /* bounding, permitted, effective, inheritable */
	uint64_t all;	  /* every capability of this kernel (caps_all, read in the parent) */
	bool ambient;	  /* ... and ambient, so they survive execve */
	bool as_they_are; /* bwrap face, real root, no cap options: only the bounding set */
};

/* The processes: who stays where, and what the command gets. */
struct process_plan {
	bool in_place;	  /* no process stays outside: unshare, set up and exec here */
	bool need_reaper; /* a process stays behind the command (reap, locks, --sync-fd) */
	bool reaper_is_pid1;
	int pidns_fd;	      /* --pidns: joined by forking; -1 */
	bool unshare_pid;     /* a new PID namespace: --unshare-pid, or implied by what the
			       * monitor must keep (plan.c, needs_own_pidns) */
	bool pidns_implied;   /* ... the latter */
	bool pidns_nested;    /* ... and a new PID namespace below it */
	bool die_with_parent; /* once the command runs; during the setup it always does */
	bool new_session;
	bool as_pid_1;
	bool close_inherited; /* the face's policy: fds > 2 not in pass_fds are closed */
	const struct int_list *pass_fds;
	/* make's jobserver fds kept open for the command (-1: none); a number another option
	 * names is not kept (jobserver_clash, said in the dry run): that option's file is not
	 * make's, and hutch may close it and reuse the number for its own. */
	int jobserver_fds[2];
	bool jobserver_clash;
	const struct jobserver_req *jobserver;
	int block_fd, sync_fd;
	const char *exec_label;
	const char *chdir; /* --chdir, else the caller's cwd, else $HOME */
	const char *caller_cwd;
	const struct env_op *env; /* --setenv/--unsetenv/--clearenv in order */
	char *const *argv;	  /* the command */
	int argc;
	const char *argv0; /* --argv0 */
};

/* What the parent tells the caller, and when the child may go on. */
struct status_plan {
	int info_fd, json_fd;
	int userns_block_fd;
	/* The child waits for the parent's go before the setup (the status fds must show the
	 * namespaces before the setup changes them; the maps must exist first); else right
	 * before the command. */
	bool go_early;
};

/* Limits and the sandbox's lifetime. */
struct limits_plan {
	const struct cgroup_request *cgroup; /* the sandbox's own cgroup, or NULL */
	bool unshare_cgroup_late;	     /* --unshare-cgroup after the cgroup attach */
	const struct rlimit_req *rlimits;    /* --rlimit, applied before exec */
	unsigned n_rlimits;
	uint64_t timeout_ms, grace_ms; /* --timeout; 0: none */
	bool kill_leftovers;	       /* when the command ends, nothing of the sandbox stays */
	bool keep_children;	       /* --keep-children */
	bool stats;		       /* --stats */
};

/* A --net-allow destination, resolved (plan_load): an address and prefix, maybe a port. */
struct net_dest {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int prefix;
	uint16_t port; /* 0: any */
};

/* The sandbox's network. */
struct net_plan {
	enum net_mode mode;	 /* never NET_UNSET */
	enum net_helper helper;	 /* NET_USER: the one that runs */
	const char *helper_path; /* ... found on PATH */
	bool host_loopback;	 /* --net-host-loopback */
	const struct net_publish *publish;
	unsigned n_publish;
	const struct net_allow *allow; /* --net-allow as given */
	unsigned n_allow;
	bool filter;		/* the child loads hutch's nftables table */
	bool dns_bind;		/* the sandbox's /etc is the host's: bind a resolv.conf over it */
	struct setup_list ops;	/* the root's ops plus that bind (rootfs.ops points here then) */
	struct net_dest *dests; /* --net-allow resolved (plan_load) */
	unsigned n_dests;
};

/* The addresses --net user gives the sandbox, whichever helper runs (slirp4netns' own). */
#define NET_SANDBOX_ADDR "10.0.2.100"
#define NET_GATEWAY_ADDR "10.0.2.2"
#define NET_DNS_ADDR	 "10.0.2.3"
#define NET_PREFIX	 24

struct plan {
	unsigned long clone_flags;
	struct ids_plan ids;
	struct rootfs_plan rootfs;
	bool loopback;	      /* a network namespace of its own: bring lo up */
	const char *hostname; /* --hostname */
	struct caps_plan caps;
	struct process_plan proc;
	struct status_plan status;
	struct limits_plan limits;
	struct net_plan net;
	struct seccomp_set seccomp;    /* filled by plan_load */
	struct landlock_plan landlock; /* the rules; the kernel's ABI filled by plan_load */
};

/* Impure: the facts of this host and caller, including which fd numbers named by options
 * are closed. Call it before hutch opens a single fd of its own. */
void plan_gather_host(const struct config *cfg, struct host_facts *host);

/* Pure: every rule between options (bubblewrap's, in its order, then hutch's) and every
 * decision. 0, or -1 with err filled (err->exit_code 0: the face's usage status). The plan
 * points into cfg and host, which must outlive it. */
int plan_make(const struct config *cfg, const struct host_facts *host, struct plan *p,
	      struct error *err);

/* Impure, after plan_make: what the plan needs from outside, the seccomp programs (the
 * caller's fds read and closed, profiles compiled; --seccomp-export written) and SELinux's
 * verdict on the labels. 0 or -1 with err filled. */
int plan_load(const struct config *cfg, struct plan *p, struct error *err);

/* A warning about the plan: what it does that the caller most likely did not mean. */
struct plan_warning {
	char msg[512];
	char hint[256]; /* "" or the text of a hint: line */
};

/* Pure: the warnings of a plan (hutch face): an op that entirely covers an earlier one, a
 * working directory that will not exist inside, no usable /dev/null, a PID namespace with no
 * /proc of its own. Fills at most max; returns how many there are. */
unsigned plan_check(const struct config *cfg, const struct plan *p, struct plan_warning *w,
		    unsigned max);

/* Impure: prints plan_check's warnings and those that need a look at the host (a writable
 * bind root's sandbox cannot write as nobody), in the dry run and at a launch. Never fails. */
void plan_warn(const struct config *cfg, const struct plan *p);

/* What plan_make allocated (the op list that adds resolv.conf's bind for --net user); the
 * strings stay the config's. Safe on a zeroed or failed plan. */
void plan_free(struct plan *p);

/* --seccomp-export without a command: compile and write the profile, nothing else. */
int plan_export_only(const struct config *cfg, struct error *err);

#endif

/* rootfs: the tmpfs base, the replay of the setup operations in command-line order,
 * pivot_root and the detach of the old root. Called by the setup child only. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>

struct config;

struct rootfs_plan {
	bool make_slave;	/* no user namespace: make "/" a slave tree ourselves */
	const char *host_tty;	/* ttyname(1) computed by the parent, for /dev/console; or NULL */
	const char *caller_cwd; /* relative sources are relative to it */
};

/* Builds the new root and pivots into it. Dies with the face's message on failure. */
void rootfs_child_build(const struct config *cfg, const struct rootfs_plan *plan);

/* The reaper, after the setup: open and read-lock every --lock-file. Dies on failure. */
void rootfs_child_take_locks(const struct config *cfg);
/* Does the sandbox have --lock-file operations (taken by the reaper)? */
bool rootfs_has_locks(const struct config *cfg);

#endif

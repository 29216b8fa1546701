/* rootfs: the tmpfs base, the replay of the setup operations in command-line order,
 * pivot_root and the detach of the old root. Called by the setup child only. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"

/* Builds the new root and pivots into it. Once the tree is complete, every --lock-file is
 * opened (a regular file only: a planted FIFO or device can neither block nor act) and
 * read-locked; the fds are appended to locks, and the locks last as long as this process
 * keeps them (fcntl(2) record locks belong to the process: pid 1 is this process). Dies
 * with the face's message on failure. */
void rootfs_child_build(const struct rootfs_plan *plan, struct int_list *locks);

#endif

/* check: `hutch --check`, the diagnosis of whether this machine and this user can run
 * sandboxes, one line per kernel feature with the fix of what is missing. Called by main(). */
#ifndef HUTCH_CHECK_H
#define HUTCH_CHECK_H

#include <stdio.h>

/* Try every feature hutch uses (in children: nothing of the host changes), print one line per
 * item on out ("ok", or "missing" followed by a "hint:" line), then a verdict. Returns the
 * exit status: 0 when what the defaults need works (a user namespace with mounts in it, and
 * the mount API or its fallback), 1 otherwise. */
int check_run(FILE *out);

#endif

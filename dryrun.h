/* dryrun: --dry-run prints the plan, everything a launch would do, in its order, and nothing
 * runs. Called by main() in the parent after the plan is made and loaded; it only reads (the
 * host paths the binds resolve to). */
#ifndef HUTCH_DRYRUN_H
#define HUTCH_DRYRUN_H

#include <stdio.h>

#include "plan.h"

void dryrun_print(FILE *out, const struct config *cfg, const struct plan *p);

#endif

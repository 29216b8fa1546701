/* jobserver: make's jobserver as MAKEFLAGS names it (--jobserver-auth=R,W, fifo:PATH, or the
 * older --jobserver-fds=R,W), which the hutch face keeps reachable for the command so that a
 * make run in the sandbox shares the outer make's job slots. Pure; called in the parent. */
#ifndef HUTCH_JOBSERVER_H
#define HUTCH_JOBSERVER_H

#include <stdbool.h>

#include "config.h"

/* Fills cfg->jobserver from makeflags (hutch's own MAKEFLAGS, as the command will see it after
 * the environment options), and for a fifo appends a read-only bind of it (if it exists at
 * launch) after every other op, so that it is reachable whatever the root is made of. */
void jobserver_config(struct config *cfg, const char *makeflags);

/* The value of MAKEFLAGS the command gets: the caller's, through --setenv, --unsetenv and
 * --clearenv in order. NULL: none. */
const char *jobserver_makeflags(const char *host_value, const struct env_op *env);

/* The last --jobserver-auth or --jobserver-fds word of makeflags (before " -- ", where the
 * variable assignments begin) into js. true when there is one. */
bool jobserver_parse(const char *makeflags, struct jobserver_req *js);

#endif

/* options: the parser of both faces (options.c) over the option table (options-table.c), with
 * --help printed from it (options-help.c); fills one struct config (config.h).
 * Called by main() in the parent; pure except for reading the fds --args names. */
#ifndef HUTCH_OPTIONS_H
#define HUTCH_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Parses argv (argv[0] included) for the current face. 0 on success; -1 with err filled
 * (err->exit_code 0 means usage error). --help and --version print to stdout and set
 * *exit_now to 1 with *exit_status 0. */
int options_parse(struct config *cfg, int argc, char **argv, int *exit_now, struct error *err);

#endif

/* fuzz: what the libFuzzer targets of tests/fuzz/ share (fuzz-common.c): reporting a finding,
 * in-memory fds, and one run of the option parser with its invariants checked.
 * Linked into each target by `make fuzz`, never into hutch. */
#ifndef HUTCH_FUZZ_H
#define HUTCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../../util.h"

/* A finding: print why (to the stderr libFuzzer keeps even with -close_fd_mask) and abort,
 * so libFuzzer saves the input. */
__attribute__((format(printf, 1, 2))) noreturn void fuzz_fail(const char *fmt, ...);

/* Once per process: remember where findings go. */
void fuzz_init(void);

/* A close-on-exec memfd holding data[0..len), at offset 0; -1 when it cannot be made. */
int fuzz_memfd(const uint8_t *data, size_t len);

/* Runs options_parse() for `face` on argv (argc words, argv[argc] NULL), then, when it
 * succeeds, plan_make() for a made-up user and for root; checks what they promise (an error
 * has a message, a command line that parses has a command) and frees everything. */
void fuzz_parse_options(enum face_id id, int argc, char **argv);

#endif

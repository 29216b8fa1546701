/* caps: capability names (through libcap) and the command's final capability sets.
 * Names are parsed by the parser in the parent; caps_child_apply runs in the setup child. */
#ifndef HUTCH_CAPS_H
#define HUTCH_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* All capabilities this kernel knows (bits 0..cap_last_cap), from /proc or libcap: read in
 * the parent (the sandbox's /proc may be anything). */
uint64_t caps_all(void);

/* "CAP_NET_ADMIN", "net_admin", "Net_Admin" -> its number; "ALL" (any case) -> -2.
 * Unknown name: -1 with err filled (face text). */
int caps_parse_name(const char *name, struct error *err);

/* In the child, after the final uid/gid is in place and before seccomp: keep exactly `keep`
 * (of `all`, caps_all() as the parent read it)
 * in the bounding, permitted, effective and inheritable sets, and in the ambient set when
 * `ambient` (the command runs as a non-zero uid, so the capabilities survive execve) or in the
 * bwrap face (bubblewrap raises them whatever the uid). bounding_only: change only the
 * bounding set (bubblewrap's real root without cap options). Dies on failure. */
void caps_child_apply(uint64_t keep, uint64_t all, bool ambient, bool bounding_only);

/* Empty the effective, permitted, inheritable and ambient sets (the pid-1 reaper). */
void caps_child_clear(void);

/* The calling process's permitted set (all ones when the kernel does not say). */
uint64_t caps_current_permitted(void);

/* The calling process's effective set (what real root starts from in the bwrap face). */
uint64_t caps_current_effective(void);

#endif

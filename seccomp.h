/* seccomp: filters loaded as the very last step before exec. Raw BPF programs from
 * --seccomp/--add-seccomp-fd are read and checked by the parent-side code path before
 * clone; loading happens in the child. */
#ifndef HUTCH_SECCOMP_H
#define HUTCH_SECCOMP_H

#include <stddef.h>

#include "util.h"

struct int_list;

struct seccomp_prog {
	void *insns; /* struct sock_filter[] */
	size_t len;  /* number of instructions */
};

struct seccomp_set {
	struct seccomp_prog *progs;
	size_t n;
};

/* Read each fd of `fds` (in order) as a raw BPF program. 0, or -1 with bubblewrap's
 * messages in err. */
int seccomp_read_programs(const struct int_list *fds, struct seccomp_set *out, struct error *err);

/* Child, after no_new_privs: install the programs in command-line order. Dies on failure. */
void seccomp_child_load(const struct seccomp_set *set);

#endif

/* seccomp: filters loaded as the very last step before exec. Raw BPF programs from
 * --seccomp/--add-seccomp-fd are read and checked by the parent-side code path before
 * clone; loading happens in the child. */
#ifndef HUTCH_SECCOMP_H
#define HUTCH_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct int_list;

struct seccomp_prog {
	void *insns; /* struct sock_filter[] */
	size_t len;  /* number of instructions */
};

struct seccomp_set {
	struct seccomp_prog *progs;
	size_t n;
	bool first_is_profile; /* progs[0] is a profile hutch compiled (not the caller's BPF) */
};

/* A system call with its arguments, for seccomp_set_allows. */
struct seccomp_call {
	int nr;
	unsigned long long args[6];
};

/* Read each fd of `fds` (in order) as a raw BPF program. 0, or -1 with bubblewrap's
 * messages in err. */
int seccomp_read_programs(const struct int_list *fds, struct seccomp_set *out, struct error *err);

/* Child, after no_new_privs: install the programs in command-line order. Dies on failure. */
void seccomp_child_load(const struct seccomp_set *set);

/* A digest of the programs in order (FNV-1a, 64 bits, over each length and its instructions):
 * two sets with the same digest load the same filter. --join compares the sandbox's, recorded
 * in its mark (join.h), with the one it would load. */
uint64_t seccomp_set_digest(const struct seccomp_set *set);

struct seccomp_data;

/* Run a classic BPF program on d as the kernel would: 0 with its verdict, or -1 for a program
 * the kernel would refuse (it reads outside seccomp_data, falls off its end) or that uses
 * something this interpreter does not know. *read_args (may be NULL): whether the path taken
 * read the instruction pointer or an argument, i.e. whether the verdict is only for them. */
int seccomp_bpf_run(const void *insns, size_t len, const struct seccomp_data *d, uint32_t *verdict,
		    bool *read_args);

/* Would the set let every call through (SECCOMP_RET_ALLOW) on this build's own ABI, whatever
 * their arguments? Only a set that is one profile hutch compiled is ever answered yes; the
 * caller's own BPF may depend on anything, so it is no; so is a verdict that reads an
 * argument. Runs the program in a small interpreter. */
bool seccomp_set_allows(const struct seccomp_set *set, const struct seccomp_call *calls, size_t n);

#endif

/* seccomp-ref: what a parsed seccomp profile means, evaluated rule by rule without BPF, and a
 * check that a program compiled from it agrees on every system call number of every ABI.
 * Linked by tests/unit-seccomp and the fuzz target tests/fuzz/fuzz-seccomp-profile. */
#ifndef HUTCH_TESTS_SECCOMP_REF_H
#define HUTCH_TESTS_SECCOMP_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../seccomp-profile.h"
#include "../seccomp.h"

/* What seccomp_ref_check found. */
struct seccomp_ref_report {
	unsigned checks;     /* verdicts compared */
	unsigned mismatches; /* of those, how many differ */
	unsigned skipped;    /* numbers whose verdict does not matter (see seccomp-ref.c) */
	char first[1024];    /* the first mismatch, or why the program is refused */
};

/* Why compiling `p` for `native` (SCMP_ARCH_*) must fail, or NULL when it must compile
 * (unless the program would be too long, which only the compiler knows). */
const char *seccomp_ref_compile_error(const struct seccomp_profile *p, uint32_t native);

/* The verdict (SECCOMP_RET_*) that `p` compiled for `native` gives to call `nr` of the ABI
 * `token` (SCMP_ARCH_*) with `args`, from the rules alone. *skip (may be NULL): the kernel
 * fails this number whatever the filter answers, so the verdict does not matter. */
uint32_t seccomp_ref_verdict(const struct seccomp_profile *p, uint32_t native, uint32_t token,
			     uint32_t nr, const uint64_t *args, int *skip);

/* Whether `p` on a kernel of `native` lets every call of every ABI that kernel runs through
 * (so that loading no filter at all means the same). */
bool seccomp_ref_allows_all(const struct seccomp_profile *p, uint32_t native);

/* Why the kernel would refuse `insns` as a seccomp filter (its static checks), or NULL. */
const char *seccomp_ref_filter_invalid(const void *insns, size_t len);

/* Runs `prog` (compiled from `p` for `native`) in hutch's BPF interpreter for every number of
 * every ABI libseccomp knows, with arguments chosen around each condition of the rules (and
 * from `seed`), and compares with seccomp_ref_verdict. Returns rep->mismatches; a program
 * the kernel would refuse counts as one. */
unsigned seccomp_ref_check(const struct seccomp_profile *p, uint32_t native,
			   const struct seccomp_prog *prog, uint64_t seed,
			   struct seccomp_ref_report *rep);

#endif

/* seccomp-oracle: a profile compiled by libseccomp instead of hutch's compiler, for the unit
 * tests (the oracle) and bench/seccomp-compare (the other contender). Test code only. */
#ifndef HUTCH_SECCOMP_ORACLE_H
#define HUTCH_SECCOMP_ORACLE_H

#include <stdint.h>

#include "../seccomp-profile.h"

/* Compile p for a kernel of `arch` (SCMP_ARCH_*, 0: this machine) and the ABIs p names (`only`
 * not 0: for that one of them alone, which libseccomp compiles right more often), with
 * libseccomp's generator at SCMP_FLTATR_CTL_OPTIMIZE `optimize` (1: priority order, 2: binary
 * tree). libseccomp compares only the lower half of x32's arguments: values of 32 bits only
 * get the same verdicts there. out->insns is malloc'd; *n_rules (may be NULL) counts the libseccomp rules added.
 * 0 (out->len 0 when p does not handle `only`); 1 when that would take more than `max` rules (0: no limit; libseccomp's generator takes
 * seconds for a thousand rules with conditions); -1 with the failing libseccomp call in err. */
int oracle_compile(const struct seccomp_profile *p, uint32_t arch, uint32_t only, int optimize,
		   unsigned max, struct seccomp_prog *out, unsigned *n_rules, struct error *err);

#endif

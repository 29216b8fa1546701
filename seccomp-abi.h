/* seccomp-abi: the ABIs a profile's rules apply to (native and compat resolved, x32 beside
 * x86_64, i386's socketcall and ipc), and the numbers of their system calls from libseccomp's
 * tables. Called by the compiler (seccomp-compile.c), in the parent and at build time. */
#ifndef HUTCH_SECCOMP_ABI_H
#define HUTCH_SECCOMP_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp-profile.h"

/* x32 calls are x86_64's AUDIT_ARCH_* with this bit in the number. */
#define SECCOMP_ABI_X32_BIT 0x40000000u
/* x32 numbers below 512 are x86_64's numbers plus SECCOMP_ABI_X32_BIT, for the same calls; from
 * 512 on are x32's own entry points for calls with pointers in their arguments (the ABI since
 * Linux 3.4; tests/unit-seccomp checks libseccomp's tables agree). An x32 number below 512
 * that x32 lacks fails in the kernel (ENOSYS) whatever the filter says. */
#define SECCOMP_ABI_X32_OWN 512u

/* One ABI: the numbers it owns within its AUDIT_ARCH_* (x86_64 and x32 share one). */
struct seccomp_abi {
	uint32_t token; /* SCMP_ARCH_* */
	uint32_t audit; /* what seccomp_data.arch says */
	bool wide;	/* 64-bit arguments */
	bool le;
	/* libseccomp's number -> name table, read backwards on demand (see abi_nr) */
	char (*names)[SECCOMP_PROFILE_NAME_MAX];
	uint32_t *nrs;
	size_t n;
	bool scanned;
	int socketcall, ipc; /* their numbers on this ABI, or negative */
};

void seccomp_abi_init(struct seccomp_abi *abi, uint32_t token);
void seccomp_abi_free(struct seccomp_abi *abi);

/* The number of `name` on this ABI (x32's with SECCOMP_ABI_X32_BIT), or -1 when it has
 * none. */
int64_t seccomp_abi_nr(struct seccomp_abi *abi, const char *name);

/* The multiplexer ("socketcall", "ipc") that also reaches `name` on this ABI, with in *c the
 * condition on its first argument that selects `name`; NULL when there is none. */
const char *seccomp_abi_multiplexer(const struct seccomp_abi *abi, const char *name,
				    struct seccomp_profile_cond *c);

/* The ABIs (SCMP_ARCH_*) of p for a kernel of `native`: `native` and `compat` resolved,
 * duplicates removed; no `arch` line means both. At most SECCOMP_PROFILE_MAX_ARCHES. */
size_t seccomp_abi_resolve(const struct seccomp_profile *p, uint32_t native, uint32_t *out);

/* The architecture this binary runs as (SCMP_ARCH_*), known at compile time: loading a
 * built-in program asks nothing of libseccomp. */
uint32_t seccomp_abi_native(void);

#endif

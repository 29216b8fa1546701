/* seccomp-names: the names a seccomp profile gives error numbers and architectures, both ways
 * (hutch-seccomp(5)). Pure; called by the profile parser and printer and by the compiler's
 * messages. */
#ifndef HUTCH_SECCOMP_NAMES_H
#define HUTCH_SECCOMP_NAMES_H

#include <stdint.h>

/* Architecture tokens of `arch` lines: libseccomp's SCMP_ARCH_* values, or these two, which
 * the compiler resolves against the architecture it compiles for. */
#define SECCOMP_PROFILE_ARCH_NATIVE 0u
#define SECCOMP_PROFILE_ARCH_COMPAT 1u

/* The errno of "EPERM", "eperm" or "1": -1 when unknown, -2 when out of range (0 to 4095). */
int seccomp_names_parse_errno(const char *s);

/* "EPERM" for EPERM; NULL for a number without a name. */
const char *seccomp_names_errno(int num);

/* The token of "x86_64", "i386", "native"...; 0 (also native's) when unknown. */
uint32_t seccomp_names_parse_arch(const char *s);

/* "x86_64" for SCMP_ARCH_X86_64, "native", "compat"; "unknown" for others. */
const char *seccomp_names_arch(uint32_t token);

#endif

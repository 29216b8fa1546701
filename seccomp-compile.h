/* seccomp-compile: a parsed profile to one classic BPF program, for the profiles given at run
 * time and, by tools/seccomp-compile at build time, the shipped ones built into hutch. Called
 * in the parent before clone. */
#ifndef HUTCH_SECCOMP_COMPILE_H
#define HUTCH_SECCOMP_COMPILE_H

#include <stdint.h>

#include "seccomp-profile.h"
#include "seccomp.h"
#include "util.h"

/* Compile to one BPF program covering the profile's architectures (native, i386 and x32 on
 * x86_64 unless `arch` says otherwise; others are killed). `arch` 0: this machine; else the
 * SCMP_ARCH_* to compile for. libseccomp supplies the system call tables only. out->insns
 * is malloc'd. Errors name the rule's file:line. */
int seccomp_compile_profile(const struct seccomp_profile *p, uint32_t arch,
			    struct seccomp_prog *out, struct error *err);

#endif

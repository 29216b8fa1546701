/* seccomp-profile: the profile language of hutch-seccomp(5): a pure parser reading a FILE *
 * (seccomp-profile.c) and the printer of the rules in effect (seccomp-profile-print.c). The
 * compiler to BPF: seccomp-compile.h; the command line's requests: seccomp-request.h.
 * Called in the parent before clone, and by tools/seccomp-compile at build time. */
#ifndef HUTCH_SECCOMP_PROFILE_H
#define HUTCH_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "seccomp-names.h"
#include "seccomp.h"
#include "util.h"

/* What a rule (or the default) does with a matching call. */
enum seccomp_profile_act {
	SECCOMP_PROFILE_ALLOW,
	SECCOMP_PROFILE_ERRNO, /* fail with `errnum`, the call is not made */
	SECCOMP_PROFILE_KILL,  /* kill the whole process (SECCOMP_RET_KILL_PROCESS) */
	SECCOMP_PROFILE_LOG,   /* allow and log (SECCOMP_RET_LOG) */
	SECCOMP_PROFILE_TRAP,  /* SIGSYS (SECCOMP_RET_TRAP) */
};

struct seccomp_profile_action {
	enum seccomp_profile_act type;
	int errnum; /* SECCOMP_PROFILE_ERRNO only: 0..4095 */
};

enum seccomp_profile_cmp {
	SECCOMP_PROFILE_EQ,
	SECCOMP_PROFILE_NE,
	SECCOMP_PROFILE_LT,
	SECCOMP_PROFILE_LE,
	SECCOMP_PROFILE_GT,
	SECCOMP_PROFILE_GE,
};

/* `argN [&MASK] OP VALUE`: (arg & mask) OP value, unsigned 64-bit. mask is UINT64_MAX when
 * no &MASK was written; a masked comparison is EQ or NE. */
struct seccomp_profile_cond {
	unsigned arg; /* 0..5 */
	enum seccomp_profile_cmp op;
	uint64_t mask;
	uint64_t value;
};

#define SECCOMP_PROFILE_MAX_CONDS 6
#define SECCOMP_PROFILE_NAME_MAX  48

/* One rule for one system call; a line naming several calls or groups gives several rules,
 * in the order written. Later rules override earlier ones where both match. */
struct seccomp_profile_rule {
	struct seccomp_profile_action action;
	char syscall[SECCOMP_PROFILE_NAME_MAX]; /* the name libseccomp knows */
	unsigned n_conds;
	struct seccomp_profile_cond conds[SECCOMP_PROFILE_MAX_CONDS];
	const char *file; /* where it was written (owned by the profile); an option name for
			   * --seccomp-allow/--seccomp-deny */
	unsigned line;	  /* 0 for options */
};

/* `arch` lines: SECCOMP_PROFILE_ARCH_* tokens (seccomp-names.h). */
#define SECCOMP_PROFILE_MAX_ARCHES 16

struct seccomp_profile_group;

/* A parsed profile (or several merged: parse more files into the same struct). */
struct seccomp_profile {
	bool has_default;
	struct seccomp_profile_action def; /* the last `default` line */
	unsigned n_arches;		   /* 0: native and compat */
	uint32_t arches[SECCOMP_PROFILE_MAX_ARCHES];
	struct seccomp_profile_rule *rules;
	size_t n_rules, cap_rules;
	/* Parser state kept across files: groups, the include stack, owned strings. */
	struct seccomp_profile_group *groups;
	size_t n_groups, cap_groups;
	char **strings;
	size_t n_strings, cap_strings;
	const char *stack[16]; /* files being read, outermost first (include loops) */
	unsigned depth;
};

/* How `include` opens files; the unit tests replace `open` to serve in-memory files. */
struct seccomp_profile_source {
	/* The stream for `path`, or NULL with errno set (ENOENT: try the next candidate). */
	FILE *(*open)(void *data, const char *path);
	void *data;
	/* Searched after the including file's directory; a ':'-separated list. */
	const char *dir;
};

void seccomp_profile_init(struct seccomp_profile *p);
void seccomp_profile_free(struct seccomp_profile *p);

/* Parse one profile text from `f` into `p` (appending to what is there). `name` is the file
 * name used in messages and as the base for relative includes. `src` NULL: fopen() and no
 * directory after the including file's. Errors are "NAME:LINE: reason". 0 or -1. */
int seccomp_profile_parse(struct seccomp_profile *p, FILE *f, const char *name,
			  const struct seccomp_profile_source *src, struct error *err);

/* --seccomp-allow SYSCALL / --seccomp-deny SYSCALL[:ERRNO] (EPERM when no errno): append the
 * rule (it overrides the profiles). A @group defined by the profiles is accepted too.
 * `option` is the option's name for messages ("--seccomp-deny"). 0 or -1. */
int seccomp_profile_adjust(struct seccomp_profile *p, bool allow, const char *arg,
			   const char *option, struct error *err);

/* Whether the profile allows every call of every ABI (`none`): no filter needed. */
bool seccomp_profile_allows_all(const struct seccomp_profile *p);

/* Print the effective rules (overridden ones dropped) as a profile text. */
void seccomp_profile_print(FILE *out, const struct seccomp_profile *p);

#endif

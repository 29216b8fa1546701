/* seccomp-request: the seccomp options of the command line, turned into one BPF program.
 * Called by the option parser (filling the request) and by the parent before clone. */
#ifndef HUTCH_SECCOMP_REQUEST_H
#define HUTCH_SECCOMP_REQUEST_H

#include <stdbool.h>
#include <stdio.h>

#include "seccomp.h"
#include "util.h"

enum seccomp_adjust_type { SECCOMP_ADJUST_ALLOW, SECCOMP_ADJUST_DENY };

struct seccomp_adjust {
	enum seccomp_adjust_type type;
	const char *arg; /* "SYSCALL" or "SYSCALL:ERRNO"; not owned */
};

/* --seccomp-profile, --seccomp-allow and --seccomp-deny in command-line order. A profile
 * argument containing '/' is a path; otherwise it names a shipped profile. */
struct seccomp_request {
	const char **profiles; /* not owned */
	unsigned n_profiles;
	struct seccomp_adjust *adjusts;
	unsigned n_adjusts;
	const char *dir; /* NULL: seccomp_profile_dir() */
	/* The profile used when none is named (face->default_seccomp), the adjustments then
	 * applying to it. Its absence is a broken installation: a setup failure with a hint,
	 * not a usage error. NULL: none. */
	const char *fallback;
};

void seccomp_request_add_profile(struct seccomp_request *req, const char *arg);
void seccomp_request_add_adjust(struct seccomp_request *req, enum seccomp_adjust_type type,
				const char *arg);
void seccomp_request_free(struct seccomp_request *req);

/* The one program for the request (profiles merged in order, then the adjustments). One
 * shipped profile and no adjustment: a read of the prebuilt NAME.bpf, no libseccomp call.
 * Otherwise the profiles are parsed and compiled here. *allows_all: nothing to load (the
 * program is still returned, for --seccomp-export). No profile and no fallback: out->len 0.
 * `none` is built in: it works without its files. */
int seccomp_request_build(const struct seccomp_request *req, struct seccomp_prog *out,
			  bool *allows_all, struct error *err);

/* --seccomp-show: print the effective rules of the request. */
int seccomp_request_show(FILE *out, const struct seccomp_request *req, struct error *err);

/* --seccomp-list: "NAME<TAB>first comment line" of each shipped profile, sorted. */
int seccomp_request_list(FILE *out, const char *dir, struct error *err);

/* --seccomp-export FILE ("-": stdout): the raw program, as bubblewrap's --seccomp reads it. */
int seccomp_request_export(const struct seccomp_prog *prog, const char *path, struct error *err);

#endif

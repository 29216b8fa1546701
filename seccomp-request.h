/* seccomp-request: the seccomp options of the command line, turned into one BPF program.
 * Called by the option parser (filling the request) and by the parent before clone. */
#ifndef HUTCH_SECCOMP_REQUEST_H
#define HUTCH_SECCOMP_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "seccomp.h"
#include "util.h"

enum seccomp_adjust_type { SECCOMP_ADJUST_ALLOW, SECCOMP_ADJUST_DENY };

struct seccomp_adjust {
	enum seccomp_adjust_type type;
	const char *arg; /* "SYSCALL" or "SYSCALL:ERRNO"; not owned */
};

/* The shipped profiles, built into the binary: the texts (NAME.profile, and the files they
 * include, such as groups/common.inc) and each profile compiled at build time, for the
 * architecture in `arch`, by the compiler a profile given at run time goes through
 * (seccomp-compile.h). A profile text names them "<shipped>/PATH", which is also where
 * `include` looks after the including file's directory. */
#define SECCOMP_SHIPPED_DIR "<shipped>"

struct seccomp_shipped_text {
	const char *path; /* "default.profile", "groups/common.inc" */
	const char *text;
	size_t len;
};

struct seccomp_shipped_prog {
	const char *name;  /* "default" */
	const void *insns; /* struct sock_filter[] */
	size_t len;
	bool allows_all; /* nothing to load (seccomp_profile_allows_all) */
};

struct seccomp_shipped {
	const struct seccomp_shipped_text *texts;
	size_t n_texts;
	const struct seccomp_shipped_prog *progs;
	size_t n_progs;
	uint32_t arch; /* SCMP_ARCH_* the programs were compiled for */
};

/* The binary's own: seccomp-shipped.c, generated at build time by tools/seccomp-compile
 * --embed from seccomp-profiles/ and linked into hutch (not libhutch.a: the compiler links
 * that, and its own table is empty). */
extern const struct seccomp_shipped seccomp_shipped;

/* --seccomp-profile, --seccomp-allow and --seccomp-deny in command-line order. A profile
 * argument containing '/' is a path; otherwise it names a shipped profile. */
struct seccomp_request {
	const char **profiles; /* not owned */
	unsigned n_profiles;
	struct seccomp_adjust *adjusts;
	unsigned n_adjusts;
	const struct seccomp_shipped *shipped; /* NULL: seccomp_shipped (the unit tests set it) */
	/* The profile used when none is named (face->default_seccomp), the adjustments then
	 * applying to it. Its absence is a broken build: a setup failure with a hint, not a
	 * usage error. NULL: none. */
	const char *fallback;
};

void seccomp_request_add_profile(struct seccomp_request *req, const char *arg);
void seccomp_request_add_adjust(struct seccomp_request *req, enum seccomp_adjust_type type,
				const char *arg);
void seccomp_request_free(struct seccomp_request *req);

/* The one program for the request (profiles merged in order, then the adjustments). One
 * shipped profile and no adjustment: its program compiled at build time, no libseccomp call.
 * Otherwise the profiles are parsed and compiled here. *allows_all: nothing to load (the
 * program is still returned, for --seccomp-export). No profile and no fallback: out->len 0.
 * `none` works even in a table without it. */
int seccomp_request_build(const struct seccomp_request *req, struct seccomp_prog *out,
			  bool *allows_all, struct error *err);

/* --seccomp-show: print the effective rules of the request. */
int seccomp_request_show(FILE *out, const struct seccomp_request *req, struct error *err);

/* --seccomp-list: "NAME<TAB>first comment line" of each shipped profile, sorted. shipped NULL:
 * seccomp_shipped. */
int seccomp_request_list(FILE *out, const struct seccomp_shipped *shipped, struct error *err);

/* --seccomp-export FILE ("-": stdout): the raw program, as bubblewrap's --seccomp reads it. */
int seccomp_request_export(const struct seccomp_prog *prog, const char *path, struct error *err);

#endif

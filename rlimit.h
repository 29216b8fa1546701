/* rlimit: --rlimit and --timeout values. The parsers are pure (called by the parser);
 * rlimit_apply runs in the setup child just before exec. */
#ifndef HUTCH_RLIMIT_H
#define HUTCH_RLIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "util.h"

/* One --rlimit: the resource, its soft value and, when given, its hard one. */
struct rlimit_req {
	int resource; /* RLIMIT_* */
	rlim_t soft, hard;
	bool has_hard; /* without it the hard limit stays as it is */
};

/* "NAME=SOFT[:HARD]", NAME as prlimit(1) spells it (nofile, as, cpu, ...; any case), values
 * digits with K/M/G/T (for byte-valued limits) or "unlimited". 0 or -1 with err filled. */
int rlimit_parse(const char *arg, struct rlimit_req *out, struct error *err);

/* prlimit(1)'s name of RLIMIT_x ("nofile"), "?" when unknown. */
const char *rlimit_name(int resource);

/* setrlimit in the calling process. 0 or -1 with err filled. */
int rlimit_apply(const struct rlimit_req *r, struct error *err);

/* The grace between SIGTERM and SIGKILL when --timeout gives none. */
#define TIMEOUT_GRACE_DEFAULT_MS 5000

/* "DURATION[:GRACE]", each a decimal number with an optional unit ms, s (default), m, h or
 * d. 0 or -1 with err filled. */
int timeout_parse(const char *arg, uint64_t *deadline_ms, uint64_t *grace_ms, struct error *err);

#endif

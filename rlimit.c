/* rlimit: --rlimit NAME=SOFT[:HARD] (names as prlimit(1) spells them) and --timeout's
 * durations: pure parsers for the parser and the planner, and the setrlimit calls of the setup
 * child just before exec. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "rlimit.h"

/* prlimit(1)'s names, with the unit of each value (for suffixes: bytes take K/M/G/T). */
static const struct {
	const char *name;
	int resource;
	bool bytes;
	const char *what;
} table[] = {
	{ "as", RLIMIT_AS, true, "address space" },
	{ "core", RLIMIT_CORE, true, "core file size" },
	{ "cpu", RLIMIT_CPU, false, "CPU time, seconds" },
	{ "data", RLIMIT_DATA, true, "data segment" },
	{ "fsize", RLIMIT_FSIZE, true, "file size" },
	{ "locks", RLIMIT_LOCKS, false, "file locks" },
	{ "memlock", RLIMIT_MEMLOCK, true, "locked memory" },
	{ "msgqueue", RLIMIT_MSGQUEUE, true, "POSIX message queues" },
	{ "nice", RLIMIT_NICE, false, "nice ceiling (20 - value)" },
	{ "nofile", RLIMIT_NOFILE, false, "open files" },
	{ "nproc", RLIMIT_NPROC, false, "processes of the user" },
	{ "rss", RLIMIT_RSS, true, "resident set (ignored by Linux)" },
	{ "rtprio", RLIMIT_RTPRIO, false, "real-time priority" },
	{ "rttime", RLIMIT_RTTIME, false, "real-time CPU, microseconds" },
	{ "sigpending", RLIMIT_SIGPENDING, false, "pending signals" },
	{ "stack", RLIMIT_STACK, true, "stack size" },
};

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].resource == resource)
			return table[i].name;
	return "?";
}

/* A value: digits with an optional K/M/G/T suffix (powers of 1024, bytes-valued limits
 * only), or "unlimited" / "infinity". */
static int parse_value(const char *s, size_t len, bool bytes, rlim_t *out)
{
	char buf[32];
	char *end;
	unsigned long long v, mul = 1;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcasecmp(buf, "unlimited") == 0 || strcasecmp(buf, "infinity") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno)
		return -1;
	if (*end && bytes && !end[1]) {
		switch (*end | 0x20) {
		case 'k':
			mul = 1ULL << 10;
			break;
		case 'm':
			mul = 1ULL << 20;
			break;
		case 'g':
			mul = 1ULL << 30;
			break;
		case 't':
			mul = 1ULL << 40;
			break;
		default:
			return -1;
		}
		end++;
	}
	if (*end || v > (unsigned long long)(RLIM_INFINITY - 1) / mul)
		return -1;
	*out = (rlim_t)(v * mul);
	return 0;
}

int rlimit_parse(const char *arg, struct rlimit_req *out, struct error *err)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : 0;

	memset(out, 0, sizeof(*out));
	if (!eq || nlen == 0)
		return error_set(err, "--rlimit: invalid value '%s': expected NAME=SOFT[:HARD]",
				 arg);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strlen(table[i].name) != nlen || strncasecmp(table[i].name, arg, nlen) != 0)
			continue;
		const char *soft = eq + 1, *colon = strchr(soft, ':');
		size_t slen = colon ? (size_t)(colon - soft) : strlen(soft);

		out->resource = table[i].resource;
		if (parse_value(soft, slen, table[i].bytes, &out->soft) < 0 ||
		    (colon &&
		     parse_value(colon + 1, strlen(colon + 1), table[i].bytes, &out->hard) < 0))
			return error_set(err,
					 "--rlimit: invalid value '%s' for %s (%s): expected a "
					 "number%s or 'unlimited'",
					 eq + 1, table[i].name, table[i].what,
					 table[i].bytes ? " with an optional K/M/G/T suffix" : "");
		out->has_hard = colon != NULL;
		if (out->has_hard && out->soft > out->hard)
			return error_set(err,
					 "--rlimit: invalid value '%s' for %s: the soft limit is "
					 "above the hard one",
					 eq + 1, table[i].name);
		return 0;
	}
	return error_set(err,
			 "--rlimit: unknown resource '%.*s' (known: as, core, cpu, data, fsize, "
			 "locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, "
			 "sigpending, stack)",
			 (int)nlen, arg);
}

int rlimit_apply(const struct rlimit_req *r, struct error *err)
{
	struct rlimit cur, want;

	/* Without HARD, the hard limit stays: lowering it is for good, raising it needs
	 * CAP_SYS_RESOURCE (setrlimit(2)); a SOFT above the hard limit is refused below. */
	if (getrlimit(r->resource, &cur) < 0)
		return error_set_errno(err, errno, "cannot read the limit %s",
				       rlimit_name(r->resource));
	want.rlim_cur = r->soft;
	want.rlim_max = r->has_hard ? r->hard : cur.rlim_max;
	if (setrlimit(r->resource, &want) < 0) {
		int e = errno;
		if (e == EINVAL && want.rlim_cur > want.rlim_max)
			return error_set(
				err,
				"cannot set the limit %s (--rlimit): the soft value is above "
				"the hard limit %llu",
				rlimit_name(r->resource), (unsigned long long)want.rlim_max);
		return error_set_errno(err, e, "cannot set the limit %s (--rlimit)",
				       rlimit_name(r->resource));
	}
	return 0;
}

/* A duration: a decimal number with an optional unit ms, s (default), m, h, d. */
static int parse_duration(const char *s, size_t len, uint64_t *ms)
{
	char buf[32];
	char *end;
	double v, mul = 1000;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((buf[0] < '0' || buf[0] > '9') && buf[0] != '.')
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (errno || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || !*end)
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60e3;
	else if (strcmp(end, "h") == 0)
		mul = 3600e3;
	else if (strcmp(end, "d") == 0)
		mul = 86400e3;
	else
		return -1;
	if (v * mul > 1e15)
		return -1;
	*ms = (uint64_t)(v * mul + 0.5);
	return 0;
}

int timeout_parse(const char *arg, uint64_t *deadline_ms, uint64_t *grace_ms, struct error *err)
{
	const char *colon = strchr(arg, ':');
	size_t dlen = colon ? (size_t)(colon - arg) : strlen(arg);

	*grace_ms = TIMEOUT_GRACE_DEFAULT_MS;
	if (parse_duration(arg, dlen, deadline_ms) < 0 || *deadline_ms == 0 ||
	    (colon && parse_duration(colon + 1, strlen(colon + 1), grace_ms) < 0))
		return error_set(err,
				 "--timeout: invalid value '%s': expected DURATION[:GRACE], each a "
				 "number with an optional unit ms, s, m, h or d (such as 30s:5s); "
				 "the duration above 0",
				 arg);
	return 0;
}

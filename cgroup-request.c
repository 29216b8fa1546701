/* cgroup-request: the pure half of the cgroup module (cgroup.h) that speaks of the request:
 * the option values, the limit files they become, why a sandbox ended, and the rlimits of
 * --limits-try. No syscalls but getrlimit/setrlimit in cgroup_rlimits_apply. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cgroup.h"

/* ---- option values ------------------------------------------------------------------------- */

static int parse_max_or(const char *s, int (*parse)(const char *, uint64_t *), uint64_t *out)
{
	if (strcmp(s, "max") == 0) {
		*out = CGROUP_MAX;
		return 0;
	}
	return parse(s, out);
}

/* A decimal fraction of one CPU in units of 1/CGROUP_CPU_PERIOD_US (10 us of each 100 ms):
 * integers only, so "0.1" is exactly 10000 us. */
static int parse_cpus(const char *s, uint64_t *quota_us)
{
	uint64_t whole = 0, frac = 0;
	unsigned digits = 0, decimals = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > 100000)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, decimals++) {
			if (decimals == 5)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (decimals == 0)
			return -1;
	}
	if (*p || digits == 0)
		return -1;
	for (unsigned d = decimals; d < 5; d++)
		frac *= 10;
	*quota_us = whole * CGROUP_CPU_PERIOD_US + frac;
	return 0;
}

int cgroup_option_parse(struct cgroup_request *req, const char *option, const char *value,
			struct error *err)
{
	uint64_t v;
	long w;

	if (strcmp(option, "memory") == 0 || strcmp(option, "memory-swap") == 0) {
		if (parse_max_or(value, parse_size, &v) < 0)
			return error_set(err,
					 "--%s: invalid size '%s': expected a number of bytes with "
					 "an optional K, M, G or T suffix, or max",
					 option, value);
		if (v == 0)
			return error_set(err, "--%s: invalid size '0': nothing could run", option);
		if (option[6] == '\0') {
			req->memory = v;
			req->set |= CGROUP_SET_MEMORY;
		} else {
			req->memory_swap = v;
			req->set |= CGROUP_SET_SWAP;
		}
		return 0;
	}
	if (strcmp(option, "pids") == 0) {
		if (parse_max_or(value, parse_uint64, &v) < 0 || v == 0)
			return error_set(err,
					 "--pids: invalid number '%s': expected a count of "
					 "processes of at least 1, or max",
					 value);
		req->pids = v;
		req->set |= CGROUP_SET_PIDS;
		return 0;
	}
	if (strcmp(option, "cpus") == 0) {
		/* The kernel refuses a quota below 1 ms (cpu.cfs_quota_us, cpu.max). */
		if (parse_cpus(value, &v) < 0 || v < 1000 || v > 10000ull * CGROUP_CPU_PERIOD_US)
			return error_set(err,
					 "--cpus: invalid fraction '%s': expected a number of "
					 "CPUs from 0.01 to 10000, such as 0.5 or 2",
					 value);
		req->cpu_quota_us = v;
		req->set |= CGROUP_SET_CPUS;
		return 0;
	}
	if (strcmp(option, "cpu-weight") == 0 || strcmp(option, "io-weight") == 0) {
		if (parse_int(value, 1, 10000, &w) < 0)
			return error_set(err,
					 "--%s: invalid weight '%s': expected a number 1..10000 "
					 "(100 is the default)",
					 option, value);
		if (option[1] == 'p') {
			req->cpu_weight = (unsigned)w;
			req->set |= CGROUP_SET_CPU_WEIGHT;
		} else {
			req->io_weight = (unsigned)w;
			req->set |= CGROUP_SET_IO_WEIGHT;
		}
		return 0;
	}
	if (strcmp(option, "cgroup-parent") == 0) {
		if (!*value)
			return error_set(err, "--cgroup-parent: empty path");
		if (req->nparents == CGROUP_MAX_PARENTS)
			return error_set(err, "--cgroup-parent: given more than %d times",
					 CGROUP_MAX_PARENTS);
		req->parents[req->nparents++] = value;
		return 0;
	}
	return error_set(err, "internal error: no cgroup option --%s", option);
}

int cgroup_request_validate(const struct cgroup_request *req, struct error *err)
{
	if (!(req->set & CGROUP_SET_SWAP))
		return 0;
	if (!(req->set & CGROUP_SET_MEMORY))
		return error_set(err, "--memory-swap: needs --memory (it limits memory plus swap)");
	if (req->memory == CGROUP_MAX && req->memory_swap != CGROUP_MAX)
		return error_set(err,
				 "--memory-swap: cannot limit memory plus swap with --memory max");
	if (req->memory_swap < req->memory)
		return error_set(err, "--memory-swap: smaller than --memory (it limits memory plus "
				      "swap: equal to --memory allows no swap)");
	return 0;
}

bool cgroup_request_wanted(const struct cgroup_request *req)
{
	return req->set != 0 || req->nparents != 0;
}

unsigned cgroup_request_ctls(const struct cgroup_request *req)
{
	unsigned c = 0;

	if (req->set & (CGROUP_SET_MEMORY | CGROUP_SET_SWAP))
		c |= CGROUP_CTL_MEMORY;
	if (req->set & CGROUP_SET_PIDS)
		c |= CGROUP_CTL_PIDS;
	if (req->set & (CGROUP_SET_CPUS | CGROUP_SET_CPU_WEIGHT))
		c |= CGROUP_CTL_CPU;
	if (req->set & CGROUP_SET_IO_WEIGHT)
		c |= CGROUP_CTL_IO;
	return c;
}

/* ---- limit files ------------------------------------------------------------------------------ */

static unsigned clampu(uint64_t v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : (unsigned)v;
}

static void put(struct cgroup_write *w, unsigned *n, unsigned ctl, const char *file, unsigned group,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void put(struct cgroup_write *w, unsigned *n, unsigned ctl, const char *file, unsigned group,
		const char *fmt, ...)
{
	va_list ap;

	w[*n].ctl = ctl;
	w[*n].file = file;
	w[*n].group = group;
	va_start(ap, fmt);
	vsnprintf(w[*n].value, sizeof(w[*n].value), fmt, ap);
	va_end(ap);
	(*n)++;
}

static void put_limit(struct cgroup_write *w, unsigned *n, unsigned ctl, const char *file,
		      uint64_t v, const char *max)
{
	if (v == CGROUP_MAX)
		put(w, n, ctl, file, 0, "%s", max);
	else
		put(w, n, ctl, file, 0, "%" PRIu64, v);
}

unsigned cgroup_limit_writes(const struct cgroup_request *req, int version, unsigned ctls,
			     struct cgroup_write *w)
{
	unsigned n = 0, s = req->set;
	/* v1 spells "no limit" -1 for memory and cpu quota, "max" for pids. */
	const char *unlimited = version == 2 ? "max" : "-1";

	if ((ctls & CGROUP_CTL_MEMORY) && (s & CGROUP_SET_MEMORY)) {
		put_limit(w, &n, CGROUP_CTL_MEMORY,
			  version == 2 ? "memory.max" : "memory.limit_in_bytes", req->memory,
			  unlimited);
		/* v1 memsw is memory plus swap, as the option; v2 swap.max is swap alone. The
		 * memsw limit must not be below the memory limit: written second. */
		if (s & CGROUP_SET_SWAP) {
			uint64_t sw = req->memory_swap;
			if (version == 2 && sw != CGROUP_MAX)
				sw -= req->memory;
			put_limit(w, &n, CGROUP_CTL_MEMORY,
				  version == 2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
				  sw, unlimited);
		}
	}
	if ((ctls & CGROUP_CTL_PIDS) && (s & CGROUP_SET_PIDS))
		put_limit(w, &n, CGROUP_CTL_PIDS, "pids.max", req->pids, "max");
	if ((ctls & CGROUP_CTL_CPU) && (s & CGROUP_SET_CPUS)) {
		if (version == 2)
			put(w, &n, CGROUP_CTL_CPU, "cpu.max", 0, "%" PRIu64 " %u",
			    req->cpu_quota_us, CGROUP_CPU_PERIOD_US);
		else /* a new v1 cgroup's period is the default, CGROUP_CPU_PERIOD_US */
			put(w, &n, CGROUP_CTL_CPU, "cpu.cfs_quota_us", 0, "%" PRIu64,
			    req->cpu_quota_us);
	}
	if ((ctls & CGROUP_CTL_CPU) && (s & CGROUP_SET_CPU_WEIGHT)) {
		if (version == 2)
			put(w, &n, CGROUP_CTL_CPU, "cpu.weight", 0, "%u", req->cpu_weight);
		else /* shares 1024 is weight 100; the kernel takes 2..262144 */
			put(w, &n, CGROUP_CTL_CPU, "cpu.shares", 0, "%u",
			    clampu((uint64_t)req->cpu_weight * 1024 / 100, 2, 262144));
	}
	if ((ctls & CGROUP_CTL_IO) && (s & CGROUP_SET_IO_WEIGHT)) {
		/* Group 1: whichever the kernel has (iocost's io.weight, BFQ's io.bfq.weight, v1
		 * CFQ's blkio.weight 10..1000 default 500, BFQ's blkio.bfq.weight 1..1000
		 * default 100); at least one must exist. */
		if (version == 2) {
			put(w, &n, CGROUP_CTL_IO, "io.weight", 1, "default %u", req->io_weight);
			put(w, &n, CGROUP_CTL_IO, "io.bfq.weight", 1, "%u",
			    clampu(req->io_weight, 1, 1000));
		} else {
			put(w, &n, CGROUP_CTL_IO, "blkio.weight", 1, "%u",
			    clampu((uint64_t)req->io_weight * 5, 10, 1000));
			put(w, &n, CGROUP_CTL_IO, "blkio.bfq.weight", 1, "%u",
			    clampu(req->io_weight, 1, 1000));
		}
	}
	return n;
}

/* ---- reasons ---------------------------------------------------------------------------------- */

enum cgroup_end cgroup_end_reason(const struct cgroup_usage *u, int wait_status)
{
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
		return CGROUP_END_NORMAL;
	if ((u->have & CGROUP_HAVE_OOM) && u->oom_kills > 0)
		return CGROUP_END_OOM;
	if ((u->have & CGROUP_HAVE_PIDS_EVENTS) && u->pids_refused > 0)
		return CGROUP_END_PIDS;
	return CGROUP_END_NORMAL;
}

const char *cgroup_end_message(enum cgroup_end reason)
{
	switch (reason) {
	case CGROUP_END_OOM:
		return "the sandbox ran out of memory: the kernel killed a process at the "
		       "--memory limit";
	case CGROUP_END_PIDS:
		return "the sandbox reached its --pids limit: the kernel refused to create a "
		       "process";
	default:
		return NULL;
	}
}

const char *cgroup_end_key(enum cgroup_end reason)
{
	return reason == CGROUP_END_OOM ? "oom" : reason == CGROUP_END_PIDS ? "pids" : NULL;
}

/* ---- rlimits ------------------------------------------------------------------------------------ */

void cgroup_rlimits_plan(const struct cgroup_request *req, unsigned unplaced,
			 struct cgroup_rlimits *out, unsigned *lost)
{
	unsigned s = req->set & unplaced;

	out->n = 0;
	*lost = 0;
	if ((s & CGROUP_SET_MEMORY) && req->memory != CGROUP_MAX) {
		out->v[out->n].resource = RLIMIT_AS;
		out->v[out->n++].value = (rlim_t)req->memory;
	}
	if ((s & CGROUP_SET_PIDS) && req->pids != CGROUP_MAX) {
		out->v[out->n].resource = RLIMIT_NPROC;
		out->v[out->n++].value = (rlim_t)req->pids;
	}
	if ((s & CGROUP_SET_SWAP) && req->memory_swap != CGROUP_MAX)
		*lost |= CGROUP_SET_SWAP;
	*lost |= s & (CGROUP_SET_CPUS | CGROUP_SET_CPU_WEIGHT | CGROUP_SET_IO_WEIGHT);
}

int cgroup_rlimits_apply(const struct cgroup_rlimits *rl)
{
	for (unsigned i = 0; i < rl->n; i++) {
		struct rlimit r;

		if (getrlimit(rl->v[i].resource, &r) < 0)
			return -1;
		if (r.rlim_max != RLIM_INFINITY && r.rlim_max < rl->v[i].value)
			r.rlim_cur = r.rlim_max;
		else
			r.rlim_cur = r.rlim_max = rl->v[i].value;
		if (setrlimit(rl->v[i].resource, &r) < 0)
			return -1;
	}
	return 0;
}

void cgroup_try_warning(const struct cgroup_request *req, unsigned unplaced, const char *why,
			char *buf, size_t size)
{
	static const char prefix[] = "cannot create the sandbox's cgroup: ";
	struct cgroup_rlimits rl;
	unsigned lost;
	size_t o;

	if (strncmp(why, prefix, sizeof(prefix) - 1) == 0)
		why += sizeof(prefix) - 1;
	cgroup_rlimits_plan(req, unplaced, &rl, &lost);
	o = (size_t)snprintf(buf, size, "--limits-try: no cgroup for the sandbox (%.*s); ",
			     (int)strcspn(why, "\n"), why);
	for (unsigned i = 0; i < rl.n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "rlimits instead: ",
				      rl.v[i].resource == RLIMIT_AS ?
					      "--memory as RLIMIT_AS (address space)" :
					      "--pids as RLIMIT_NPROC (all the user's processes)");
	if (lost && o < size)
		snprintf(buf + o, size - o, "%snot applied:%s%s%s%s", rl.n ? "; " : "",
			 lost & CGROUP_SET_SWAP ? " --memory-swap" : "",
			 lost & CGROUP_SET_CPUS ? " --cpus" : "",
			 lost & CGROUP_SET_CPU_WEIGHT ? " --cpu-weight" : "",
			 lost & CGROUP_SET_IO_WEIGHT ? " --io-weight" : "");
}

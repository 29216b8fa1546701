/* cgroup-probe: the pure half of the cgroup module (cgroup.h): option values, the host's
 * hierarchies from mountinfo and /proc/self/cgroup, the places and names of the sandbox's
 * cgroup, the limit files, the stat files and the reasons. No syscalls but setrlimit in
 * cgroup_rlimits_apply. See cgroups(7) and the kernel's Documentation/admin-guide/cgroup-v2.rst
 * and cgroup-v1/. */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cgroup.h"

static const struct {
	unsigned ctl;
	const char *v1, *v2;
} ctl_names[CGROUP_NCTL] = {
	{ CGROUP_CTL_MEMORY, "memory", "memory" }, { CGROUP_CTL_PIDS, "pids", "pids" },
	{ CGROUP_CTL_CPU, "cpu", "cpu" },	   { CGROUP_CTL_CPUACCT, "cpuacct", NULL },
	{ CGROUP_CTL_IO, "blkio", "io" },	   { CGROUP_CTL_FREEZER, "freezer", NULL },
};

const char *cgroup_ctl_name(unsigned ctl, int version)
{
	for (unsigned i = 0; i < CGROUP_NCTL; i++)
		if (ctl_names[i].ctl == ctl)
			return version == 2 && ctl_names[i].v2 ? ctl_names[i].v2 : ctl_names[i].v1;
	return "?";
}

/* The controller a name (of either version) stands for, 0 for those hutch does not use. */
static unsigned ctl_by_name(const char *s, size_t len, int version)
{
	for (unsigned i = 0; i < CGROUP_NCTL; i++) {
		const char *n = version == 2 ? ctl_names[i].v2 : ctl_names[i].v1;
		if (n && strlen(n) == len && memcmp(n, s, len) == 0)
			return ctl_names[i].ctl;
	}
	return 0;
}

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

/* ---- the layout ----------------------------------------------------------------------------- */

/* mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash), in place. */
static void decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Whether token (len bytes) is one of the comma-separated items of list. */
static bool has_item(const char *list, const char *token, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && memcmp(p, token, len) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

struct cg_mount {
	char *root, *mountpoint, *superopts;
	int version;
};

/* One mountinfo line of a cgroup or cgroup2 mount into m; 0 other filesystems, -1 a line
 * not understood. */
static int parse_mount_line(char *line, struct cg_mount *m)
{
	char *f[6], *p = line, *fstype, *superopts;
	unsigned i;

	for (i = 0; i < 6; i++) {
		f[i] = strsep(&p, " ");
		if (!f[i] || !p)
			return -1;
	}
	/* Optional fields up to the lone "-". */
	while (strcmp(f[5], "-") != 0) {
		f[5] = strsep(&p, " ");
		if (!f[5] || !p)
			return -1;
	}
	fstype = strsep(&p, " ");
	if (!fstype || !p || !strsep(&p, " ") || !p)
		return -1;
	superopts = p;
	if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
		return 0;
	decode(f[3]);
	decode(f[4]);
	m->root = f[3];
	m->mountpoint = f[4];
	m->superopts = superopts;
	m->version = fstype[6] == '2' ? 2 : 1;
	return 1;
}

/* The caller's cgroup path below a mount of root `root`; NULL when the mount cannot show it. */
static const char *below_root(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return path + 1;
	if (strncmp(path, root, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

void cgroup_layout_free(struct cgroup_layout *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		free(l->h[i].mountpoint);
		free(l->h[i].mount_root);
		free(l->h[i].own);
	}
	l->n = 0;
}

int cgroup_layout_parse(char *mountinfo, const char *proc_cgroup, struct cgroup_layout *out,
			struct error *err)
{
	struct cg_mount *mounts = NULL;
	size_t nm = 0, cap = 0;
	const char *line, *next;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->v2 = -1;
	for (char *p = mountinfo, *l; (l = strsep(&p, "\n"));) {
		struct cg_mount m;
		int r;

		if (!*l)
			continue;
		r = parse_mount_line(l, &m);
		if (r < 0) {
			error_set(err, "cannot read /proc/self/mountinfo: a line not understood");
			goto out;
		}
		if (r == 0)
			continue;
		if (nm == cap) {
			cap = cap ? cap * 2 : 16;
			mounts = xrealloc(mounts, cap * sizeof(*mounts));
		}
		mounts[nm++] = m;
	}

	for (line = proc_cgroup; line && *line; line = next) {
		const char *c1, *c2, *end, *own_rel, *best_own = NULL;
		char path[4096], list[1024];
		size_t len;
		long id;
		int version, best = -1;
		unsigned ctls = 0;

		end = strchr(line, '\n');
		next = end ? end + 1 : NULL;
		len = end ? (size_t)(end - line) : strlen(line);
		c1 = memchr(line, ':', len);
		c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (!c1 || !c2 || c2 + 1 >= line + len || c2[1] != '/' || (size_t)(c1 - line) > 9 ||
		    (size_t)(c2 - c1 - 1) >= sizeof(list) ||
		    (size_t)(line + len - c2 - 1) >= sizeof(path)) {
			error_set(err, "cannot read /proc/self/cgroup: a line not understood");
			goto out;
		}
		id = strtol(line, NULL, 10);
		memcpy(list, c1 + 1, (size_t)(c2 - c1 - 1));
		list[c2 - c1 - 1] = '\0';
		memcpy(path, c2 + 1, (size_t)(line + len - c2 - 1));
		path[line + len - c2 - 1] = '\0';
		version = id == 0 && !*list ? 2 : 1;
		if (version == 1) {
			for (const char *t = list; *t;) {
				size_t n = strcspn(t, ",");
				ctls |= ctl_by_name(t, n, 1);
				t += n + (t[n] == ',');
			}
			out->v1_only |= ctls;
		}
		len = strlen(path);
		if (len > 10 && strcmp(path + len - 10, " (deleted)") == 0)
			path[0] = '\0'; /* our cgroup was removed: nothing is below it */

		for (size_t i = 0; i < nm; i++) {
			bool all = true;

			if (mounts[i].version != version)
				continue;
			/* A v1 mount is of this hierarchy when its options name every item of the
			 * line's list ("cpu,cpuacct", "name=systemd"). */
			for (const char *t = list; version == 1 && *t && all;) {
				size_t n = strcspn(t, ",");
				all = has_item(mounts[i].superopts, t, n);
				t += n + (t[n] == ',');
			}
			if (!all)
				continue;
			own_rel = path[0] ? below_root(path, mounts[i].root) : NULL;
			/* The mount that shows the caller's cgroup, closest to it. */
			if (best < 0 ||
			    (own_rel &&
			     (!best_own || strlen(mounts[i].root) > strlen(mounts[best].root)))) {
				best = (int)i;
				best_own = own_rel;
			}
		}
		if (best < 0)
			continue; /* not mounted here */
		if (out->n == CGROUP_MAX_HIERS) {
			error_set(err, "cannot read /proc/self/cgroup: more than %d hierarchies",
				  CGROUP_MAX_HIERS);
			goto out;
		}
		struct cgroup_hier *h = &out->h[out->n];
		h->version = version;
		h->ctls = ctls;
		h->mountpoint = xstrdup(mounts[best].mountpoint);
		h->mount_root = xstrdup(mounts[best].root);
		h->own = best_own ? xstrdup(best_own) : NULL;
		if (version == 2) {
			if (out->v2 >= 0) {
				cgroup_layout_free(out);
				error_set(err,
					  "cannot read /proc/self/cgroup: two cgroup v2 lines");
				goto out;
			}
			out->v2 = (int)out->n;
			h->ctls = CGROUP_CTL_V2_CORE;
		}
		out->n++;
	}
	ret = 0;
out:
	free(mounts);
	if (ret < 0)
		cgroup_layout_free(out);
	return ret;
}

unsigned cgroup_list_ctls(const char *text)
{
	unsigned c = 0;

	for (const char *p = text; *p;) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		c |= ctl_by_name(p, n, 2);
		p += n;
	}
	return c;
}

void cgroup_layout_set_v2(struct cgroup_layout *l, const char *controllers)
{
	if (l->v2 < 0)
		return;
	l->h[l->v2].ctls = (cgroup_list_ctls(controllers) & ~l->v1_only & ~CGROUP_CTL_V2_CORE) |
			   CGROUP_CTL_V2_CORE;
}

int cgroup_layout_find(const struct cgroup_layout *l, unsigned ctl)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->h[i].version == 1 && (l->h[i].ctls & ctl))
			return (int)i;
	if (l->v2 >= 0 && (l->h[l->v2].ctls & ctl) && !(l->v1_only & ctl & ~CGROUP_CTL_V2_CORE))
		return l->v2;
	return -1;
}

/* ---- places ----------------------------------------------------------------------------------- */

/* "a//b/" -> "a/b"; -1 for "." or ".." components. */
static int clean_rel(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = in; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -1;
		if (o + n + 2 > size)
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	return 0;
}

static char *join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	if (!*b)
		return xstrdup(a);
	return xasprintf("%s/%s", a, b);
}

void cgroup_parents_free(struct cgroup_parents *p)
{
	for (unsigned i = 0; i < CGROUP_MAX_HIERS; i++) {
		free(p->rel[i]);
		p->rel[i] = NULL;
	}
}

static int bad_parent(struct cgroup_parents *out, const char *arg, struct error *err)
{
	cgroup_parents_free(out);
	return error_set(err, "--cgroup-parent: invalid path '%s': '.' and '..' are not allowed",
			 arg);
}

int cgroup_parents_resolve(const struct cgroup_layout *l, const char *const *parents,
			   unsigned nparents, struct cgroup_parents *out, struct error *err)
{
	const char *generic = NULL;
	char clean[4096];

	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < nparents; k++) {
		const char *arg = parents[k];
		bool named = false;

		for (unsigned i = 0; i < l->n && arg[0] == '/'; i++) {
			const char *mp = l->h[i].mountpoint;
			size_t n = strlen(mp);

			if (strcmp(mp, "/") == 0 || strncmp(arg, mp, n) != 0 ||
			    (arg[n] != '\0' && arg[n] != '/'))
				continue;
			if (clean_rel(arg + n, clean, sizeof(clean)) < 0)
				return bad_parent(out, arg, err);
			if (out->given[i]) {
				cgroup_parents_free(out);
				return error_set(err,
						 "--cgroup-parent: two directories for the cgroup "
						 "hierarchy at %s",
						 mp);
			}
			out->rel[i] = xstrdup(clean);
			out->given[i] = true;
			named = true;
		}
		if (named)
			continue;
		if (generic) {
			cgroup_parents_free(out);
			return error_set(err,
					 "--cgroup-parent: '%s' and '%s' both name a cgroup in "
					 "every hierarchy",
					 generic, arg);
		}
		generic = arg;
	}

	for (unsigned i = 0; i < l->n; i++) {
		const struct cgroup_hier *h = &l->h[i];
		const char *below;

		if (out->given[i])
			continue;
		if (!generic) {
			out->rel[i] = h->own ? xstrdup(h->own) : NULL;
			continue;
		}
		if (clean_rel(generic, clean, sizeof(clean)) < 0)
			return bad_parent(out, generic, err);
		if (generic[0] != '/') {
			out->rel[i] = h->own ? join(h->own, clean) : NULL;
		} else {
			/* A cgroup path: below the mount's root (a container's mount may show a
			 * subtree only). */
			char abs[4097];
			snprintf(abs, sizeof(abs), "/%s", clean);
			below = below_root(abs, h->mount_root);
			out->rel[i] = below ? xstrdup(below) : NULL;
		}
		out->given[i] = true;
	}
	return 0;
}

/* ---- names ------------------------------------------------------------------------------------ */

void cgroup_name_format(char *buf, size_t size, pid_t pid, unsigned long long start,
			unsigned long long pidns)
{
	snprintf(buf, size, "hutch.%d.%llu.%llu", (int)pid, start, pidns);
}

/* A decimal number of at most 20 digits, no sign, no leading zero (so each value has one
 * spelling); *p moves past it. */
static int take_number(const char **p, unsigned long long *v)
{
	const char *s = *p;
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end - s > 20)
		return -1;
	*p = end;
	return 0;
}

int cgroup_name_parse(const char *name, pid_t *pid, unsigned long long *start,
		      unsigned long long *pidns, bool *caller)
{
	const char *p = name;
	unsigned long long v;

	if (strncmp(p, "hutch.", 6) != 0)
		return -1;
	p += 6;
	if (take_number(&p, &v) < 0 || v == 0 || v > 0x7fffffff || *p++ != '.')
		return -1;
	*pid = (pid_t)v;
	if (take_number(&p, start) < 0 || *p++ != '.' || take_number(&p, pidns) < 0)
		return -1;
	*caller = strcmp(p, ".caller") == 0;
	return *p && !*caller ? -1 : 0;
}

int cgroup_stat_parse(const char *stat, char *state, unsigned long long *start)
{
	const char *p = strrchr(stat, ')');

	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	p++;
	/* Fields 3 (state) to 22 (starttime) after the command's name. */
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
		if (!*p)
			return -1;
	}
	p += strspn(p, " ");
	return take_number(&p, start) < 0 || (*p && *p != ' ' && *p != '\n') ? -1 : 0;
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

/* ---- stat files and reasons ------------------------------------------------------------------- */

int cgroup_keyed_value(const char *text, const char *key, uint64_t *out)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, k) == 0 && p[k] == ' ' && p[k + 1] >= '0' && p[k + 1] <= '9') {
			errno = 0;
			*out = strtoull(p + k + 1, NULL, 10);
			return errno ? -1 : 0;
		}
	}
	return -1;
}

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

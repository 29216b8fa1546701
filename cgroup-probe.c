/* cgroup-probe: the pure half of the cgroup module (cgroup.h) that speaks of the host: its
 * hierarchies from mountinfo and /proc/self/cgroup, the places and names of the sandbox's
 * cgroup, the stat files, and the messages that say what is missing. No syscalls. See
 * cgroups(7) and the kernel's Documentation/admin-guide/cgroup-v2.rst and cgroup-v1/. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bool cgroup_procs_only(const char *procs, pid_t pid)
{
	const char *p = procs;
	unsigned long long v;

	return take_number(&p, &v) == 0 && v == (unsigned long long)pid && p[0] == '\n' && !p[1];
}

/* ---- stat files ------------------------------------------------------------------- */

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

/* ---- messages ------------------------------------------------------------------------------- */

/* The controllers hutch enables are written as "+memory +pids". */
void cgroup_ctl_list(unsigned ctls, char sign, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 1; b < (1u << CGROUP_NCTL); b <<= 1)
		if ((ctls & b) && !(b & CGROUP_CTL_V2_CORE) && o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%c%s", o ? " " : "", sign,
					      cgroup_ctl_name(b, 2));
}

/* "memory and pids" */
void cgroup_ctl_words(unsigned ctls, int version, char *buf, size_t size)
{
	unsigned left = (unsigned)__builtin_popcount(ctls);
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 1; b < (1u << CGROUP_NCTL) && o < size; b <<= 1) {
		if (!(ctls & b))
			continue;
		left--;
		o += (size_t)snprintf(buf + o, size - o, "%s%s", cgroup_ctl_name(b, version),
				      left > 1	? ", " :
				      left == 1 ? " and " :
						  "");
	}
}

void cgroup_error_append(struct error *err, const char *fmt, ...)
{
	size_t n = strlen(err->msg);
	va_list ap;

	if (n + 1 >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
}

/* The hint lines for a caller who may write no cgroup of the controllers in need (v1: a
 * directory per hierarchy; v2: a delegated scope or directory). */
void cgroup_hint_delegation(const struct cgroup_layout *l, unsigned need, uid_t uid, pid_t ppid,
			    bool try, struct error *err)
{
	char dirs[512] = "", procs[512] = "", v2ctls[128] = "";
	size_t o = 0, q = 0;
	const struct cgroup_hier *v2 = NULL;

	for (unsigned i = 0; i < l->n; i++) {
		const struct cgroup_hier *h = &l->h[i];
		if (h->version == 2) {
			v2 = h;
			continue;
		}
		if (!(h->ctls & need) || o >= sizeof(dirs) || q >= sizeof(procs))
			continue;
		o += (size_t)snprintf(dirs + o, sizeof(dirs) - o, " %s/hutch-%u", h->mountpoint,
				      (unsigned)uid);
		q += (size_t)snprintf(procs + q, sizeof(procs) - q, " %s/hutch-%u/cgroup.procs",
				      h->mountpoint, (unsigned)uid);
	}
	if (*dirs) {
		cgroup_error_append(
			err,
			"\nhint: as root, delegate a directory in each cgroup v1 hierarchy once: "
			"mkdir -p%s && chown -R %u%s",
			dirs, (unsigned)uid, dirs);
		cgroup_error_append(
			err,
			"\nhint: then pass --cgroup-parent /hutch-%u, or move your shell there "
			"first: echo $$ | tee%s",
			(unsigned)uid, procs);
	}
	if (v2 && (need & v2->ctls & ~CGROUP_CTL_V2_CORE)) {
		cgroup_ctl_list(need & v2->ctls, '+', v2ctls, sizeof(v2ctls));
		cgroup_error_append(
			err,
			"\nhint: on a systemd host, run hutch in a delegated scope: systemd-run "
			"%s--scope -p Delegate=yes hutch ...",
			uid ? "--user " : "");
		cgroup_error_append(
			err,
			"\nhint: or as root: D=%s/hutch-%u; mkdir -p $D/shell && echo '%s' > "
			"%s/cgroup.subtree_control && chown %u $D $D/cgroup.procs "
			"$D/cgroup.subtree_control $D/cgroup.threads, move the caller's shell "
			"into $D/shell (echo %d > $D/shell/cgroup.procs) and pass "
			"--cgroup-parent $D",
			v2->mountpoint, (unsigned)uid, v2ctls, v2->mountpoint, (unsigned)uid,
			(int)ppid);
	}
	if (!try)
		cgroup_error_append(
			err, "\nhint: or --limits-try: rlimits instead of a cgroup, said once");
}

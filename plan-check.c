/* plan-check: what a plan does that its caller most likely did not mean, found from the ops'
 * paths alone (pure; the host is not looked at, so a case it cannot settle is not warned
 * about). Called in the parent by plan_warn, for the dry run and for a launch. */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "plan.h"

/* Path buffers live on the stack, never static: a static buffer written before the clone is
 * a dirty page that each sandbox's parent and pid 1 keep as long as it runs (four of them
 * cost 12 KiB of PSS per sandbox: bench/RESULTS.md, "Memory at scale"). */
#define PATH_LEN 4096

/* path as a clean absolute path: one '/' between names, no "." and no trailing '/'; ".."
 * drops the name before it (the ops are replayed below the new root, where it cannot climb
 * out). false when it does not fit. */
static bool path_clean(const char *in, char *out)
{
	size_t n = 0;

	out[n++] = '/';
	while (*in) {
		size_t len;

		in += strspn(in, "/");
		len = strcspn(in, "/");
		if (len == 0 || (len == 1 && in[0] == '.')) {
			in += len;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
			in += len;
			continue;
		}
		if (n + len + 2 > PATH_LEN)
			return false;
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, in, len);
		n += len;
		in += len;
	}
	out[n] = '\0';
	return true;
}

/* What of path lies below dir ("" for dir itself), or NULL when path is not dir or below it. */
static const char *below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path + 1;
	if (strncmp(path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

/* Ops that mount something on their dest: it hides whatever was there. */
static bool mounts(enum setup_op_type t)
{
	switch (t) {
	case SETUP_BIND:
	case SETUP_RO_BIND:
	case SETUP_DEV_BIND:
	case SETUP_BIND_FD:
	case SETUP_RO_BIND_FD:
	case SETUP_TMPFS:
	case SETUP_PROC:
	case SETUP_DEV:
	case SETUP_MQUEUE:
	case SETUP_BIND_DATA:
	case SETUP_RO_BIND_DATA:
	case SETUP_OVERLAY:
	case SETUP_TMP_OVERLAY:
	case SETUP_RO_OVERLAY:
	case SETUP_MASK:
		return true;
	default:
		return false;
	}
}

/* Ops that put something at their dest that a later mount can hide. */
static bool makes(enum setup_op_type t)
{
	return mounts(t) || t == SETUP_DIR || t == SETUP_SYMLINK || t == SETUP_FILE;
}

struct sink {
	struct plan_warning *w;
	unsigned max, n;
};

static __attribute__((format(printf, 3, 4))) void add(struct sink *s, const char *hint,
						      const char *fmt, ...)
{
	va_list ap;

	if (s->n < s->max) {
		struct plan_warning *w = &s->w[s->n];

		va_start(ap, fmt);
		vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
		va_end(ap);
		snprintf(w->hint, sizeof(w->hint), "%s", hint ? hint : "");
	}
	s->n++;
}

static void origin(const struct setup_op *op, char *buf, size_t n)
{
	if (op->origin)
		snprintf(buf, n, " (from %s%s)", strcmp(op->origin, "MAKEFLAGS") ? "--" : "",
			 op->origin);
	else
		buf[0] = '\0';
}

/* A later mount on a path at or above an earlier op's: the earlier one is not seen at all
 * (a later --ro-bind / / turns an earlier --bind back into the host's, read-only). A shortcut's
 * empty tmpfs or directory, or a shortcut's op that a later one replaces at the very same path,
 * is there to be replaced. */
struct cover_slot {
	const char *path; /* a later mount's cleaned dest, or NULL */
	unsigned idx;	  /* the earliest such mount after the op being looked at */
};

static uint64_t path_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

/* The slot of the n first bytes of path in a table of cap (a power of two) slots. */
static struct cover_slot *cover_slot(struct cover_slot *t, size_t cap, const char *path, size_t n)
{
	for (size_t i = path_hash(path, n) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!t[i].path || (strlen(t[i].path) == n && memcmp(t[i].path, path, n) == 0))
			return &t[i];
}

static void check_covers(const struct config *cfg, struct sink *s)
{
	size_t n = cfg->ops.count, cap = 16;
	char buf[PATH_LEN];

	if (n == 0)
		return;
	while (cap < 2 * n)
		cap *= 2;
	const struct setup_op **ops = xcalloc(n, sizeof(*ops));
	char **clean = xcalloc(n, sizeof(*clean));
	struct cover_slot *t = xcalloc(cap, sizeof(*t));
	unsigned *first = xcalloc(n, sizeof(*first)); /* the covering mount of each op, or 0 */
	size_t i = 0;

	for (const struct setup_op *op = cfg->ops.head; op && i < n; op = op->next, i++) {
		ops[i] = op;
		clean[i] = op->dest && path_clean(op->dest, buf) ? xstrdup(buf) : NULL;
	}
	/* Backwards: the table holds, for each path a later mount was made on, the earliest of
	 * them; an op is covered by the earliest later mount on it or on one of its parents.
	 * One lookup per component of each op's path, not one comparison per pair. */
	for (size_t k = n; k-- > 0;) {
		const char *a = clean[k];
		if (a && makes(ops[k]->type)) {
			/* "/" first, then each longer prefix that ends a component */
			struct cover_slot *c = cover_slot(t, cap, a, 1);
			unsigned best = c->path ? c->idx : 0;
			for (size_t j = 2; a[1] != '\0'; j++) {
				if (a[j] != '/' && a[j] != '\0')
					continue;
				c = cover_slot(t, cap, a, j);
				if (c->path && (!best || c->idx < best))
					best = c->idx;
				if (a[j] == '\0')
					break;
			}
			first[k] = best;
		}
		if (a && mounts(ops[k]->type)) {
			struct cover_slot *c = cover_slot(t, cap, a, strlen(a));
			c->path = a;
			c->idx = (unsigned)k + 1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (!first[k])
			continue;
		const struct setup_op *e = ops[k], *l = ops[first[k] - 1];
		const char *rest = below(clean[k], clean[first[k] - 1]);
		char oe[64], ol[64];

		if (e->origin &&
		    (e->type == SETUP_TMPFS || e->type == SETUP_DIR || !rest || !*rest))
			continue;
		origin(e, oe, sizeof(oe));
		origin(l, ol, sizeof(ol));
		add(s, "options apply in command-line order: put the one on the deeper path last",
		    "--%s '%s'%s covers all of the earlier --%s '%s'%s: what that one made there "
		    "will not be seen",
		    l->option, l->dest, ol, e->option, e->dest, oe);
	}
	for (size_t k = 0; k < n; k++)
		free(clean[k]);
	free(clean);
	free(ops);
	free(t);
	free(first);
}

/* Whether path will exist in the sandbox: false when sure it will not, else true. The root
 * starts as an empty tmpfs; each op on path or above it decides anew, and an op below it
 * creates it as a parent of its mount point. */
static bool will_exist(const struct config *cfg, const char *path)
{
	char d[PATH_LEN];
	bool exists = strcmp(path, "/") == 0;

	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		const char *rest;

		if (!makes(op->type) || !op->dest || !path_clean(op->dest, d))
			continue;
		if (below(d, path) && !below(path, d)) {
			exists = true; /* a parent of d */
			continue;
		}
		rest = below(path, d);
		if (!rest)
			continue;
		switch (op->type) {
		case SETUP_TMPFS:
		case SETUP_MQUEUE:
			exists = !*rest; /* empty */
			break;
		case SETUP_FILE:
		case SETUP_BIND_DATA:
		case SETUP_RO_BIND_DATA:
			exists = false; /* a file, not a directory */
			break;
		case SETUP_DIR:
			if (!*rest)
				exists = true;
			break;
		default:
			/* a bind shows the host's tree (where the caller stands, when it is the
			 * same path); proc, dev, overlays, links: not known without the host */
			exists = true;
			break;
		}
	}
	return exists;
}

static void check_cwd(const struct config *cfg, const struct plan *p, struct sink *s)
{
	char cwd[PATH_LEN];
	const char *want = p->proc.chdir ? p->proc.chdir : p->proc.caller_cwd;

	if (!want || !path_clean(want, cwd) || will_exist(cfg, cwd))
		return;
	if (p->proc.chdir)
		add(s, "bind a directory there or choose another --chdir",
		    "--chdir '%s' will not exist in the sandbox: the launch will fail", want);
	else
		add(s, "bind it (--cwd-rw, --cwd-ro, --bind DIR DIR) or choose one with --chdir",
		    "the working directory '%s' will not exist in the sandbox: the command will "
		    "start in $HOME or in /",
		    want);
}

/* The last op on /dev/null or above it decides: --dev makes one, a --dev-bind passes the
 * host's; any other mount is nodev, where opening a device fails with EACCES. */
static void check_dev_null(const struct config *cfg, struct sink *s)
{
	char d[PATH_LEN];
	bool usable = false;

	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		const char *rest;

		if (!makes(op->type) || !op->dest || !path_clean(op->dest, d) ||
		    !(rest = below("/dev/null", d)))
			continue;
		switch (op->type) {
		case SETUP_DEV:
			usable = strcmp(rest, "null") == 0;
			break;
		case SETUP_DEV_BIND:
		case SETUP_SYMLINK:
		case SETUP_OVERLAY:
		case SETUP_TMP_OVERLAY:
		case SETUP_RO_OVERLAY:
			usable = true; /* the host's, or not known here */
			break;
		default:
			usable = false;
			break;
		}
	}
	if (!usable)
		add(s, "add --dev /dev (--base has it)",
		    "the sandbox will have no usable /dev/null: git, Python's subprocess and shell "
		    "redirections to it fail");
}

/* A PID namespace whose /proc is not its own: ps and /proc/self show other processes, or
 * nothing. */
static void check_proc(const struct config *cfg, const struct plan *p, struct sink *s)
{
	char d[PATH_LEN];
	bool own = false;

	if (!(p->clone_flags & CLONE_NEWPID) && p->proc.pidns_fd < 0)
		return;
	for (const struct setup_op *op = cfg->ops.head; op; op = op->next) {
		const char *rest;

		if (!makes(op->type) || !op->dest || !path_clean(op->dest, d) ||
		    !(rest = below("/proc/self", d)))
			continue;
		own = op->type == SETUP_PROC && strcmp(rest, "self") == 0;
	}
	if (!own)
		add(s, "add --proc /proc (--base has it)",
		    "a PID namespace without its own /proc: ps and /proc/self in the sandbox will "
		    "not show its processes");
}

unsigned plan_check(const struct config *cfg, const struct plan *p, struct plan_warning *w,
		    unsigned max)
{
	struct sink s = { w, max, 0 };

	check_covers(cfg, &s);
	check_cwd(cfg, p, &s);
	check_dev_null(cfg, &s);
	check_proc(cfg, p, &s);
	return s.n;
}

/* plan-check: what a plan does that its caller most likely did not mean, found from the ops'
 * paths alone (pure; the host is not looked at, so a case it cannot settle is not warned
 * about). Called in the parent by plan_warn, for the dry run and for a launch. */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

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
static void check_covers(const struct config *cfg, struct sink *s)
{
	static char a[PATH_LEN], b[PATH_LEN];
	unsigned i = 0;

	for (const struct setup_op *e = cfg->ops.head; e; e = e->next, i++) {
		if (!makes(e->type) || !e->dest || !path_clean(e->dest, a))
			continue;
		for (const struct setup_op *l = e->next; l; l = l->next) {
			const char *rest;
			char oe[64], ol[64];

			if (!mounts(l->type) || !l->dest || !path_clean(l->dest, b) ||
			    !(rest = below(a, b)))
				continue;
			if (e->origin && (e->type == SETUP_TMPFS || e->type == SETUP_DIR || !*rest))
				break;
			origin(e, oe, sizeof(oe));
			origin(l, ol, sizeof(ol));
			add(s,
			    "options apply in command-line order: put the one on the deeper path "
			    "last",
			    "--%s '%s'%s covers all of the earlier --%s '%s'%s: what that one "
			    "made there will not be seen",
			    l->option, l->dest, ol, e->option, e->dest, oe);
			break;
		}
	}
}

/* Whether path will exist in the sandbox: false when sure it will not, else true. The root
 * starts as an empty tmpfs; each op on path or above it decides anew, and an op below it
 * creates it as a parent of its mount point. */
static bool will_exist(const struct config *cfg, const char *path)
{
	static char d[PATH_LEN];
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
	static char cwd[PATH_LEN];
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
	static char d[PATH_LEN];
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
	static char d[PATH_LEN];
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

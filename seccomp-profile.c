/* seccomp-profile: the profile language (hutch-seccomp(5)), parsed. The parser is pure apart
 * from opening includes through struct seccomp_profile_source, and asks libseccomp only
 * whether it knows a system call's name; the compiler (seccomp-compile.c) does the rest. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-profile.h"

#define MAX_TOKENS 256
#define MAX_DEPTH  (sizeof(((struct seccomp_profile *)0)->stack) / sizeof(const char *))

struct seccomp_profile_group {
	char name[SECCOMP_PROFILE_NAME_MAX]; /* with the '@' */
	const char *file;		     /* where it was defined (owned by the profile) */
	unsigned line;
	char (*members)[SECCOMP_PROFILE_NAME_MAX];
	size_t n, cap;
};

/* --- the profile ---------------------------------------------------------------------------- */

void seccomp_profile_init(struct seccomp_profile *p)
{
	memset(p, 0, sizeof(*p));
}

void seccomp_profile_free(struct seccomp_profile *p)
{
	free(p->rules);
	for (size_t i = 0; i < p->n_groups; i++)
		free(p->groups[i].members);
	free(p->groups);
	for (size_t i = 0; i < p->n_strings; i++)
		free(p->strings[i]);
	free(p->strings);
	memset(p, 0, sizeof(*p));
}

static const char *profile_strdup(struct seccomp_profile *p, const char *s)
{
	if (p->n_strings == p->cap_strings) {
		p->cap_strings = p->cap_strings ? 2 * p->cap_strings : 16;
		p->strings = xrealloc(p->strings, p->cap_strings * sizeof(*p->strings));
	}
	return p->strings[p->n_strings++] = xstrdup(s);
}

static struct seccomp_profile_rule *rule_append(struct seccomp_profile *p)
{
	if (p->n_rules == p->cap_rules) {
		p->cap_rules = p->cap_rules ? 2 * p->cap_rules : 256;
		p->rules = xrealloc(p->rules, p->cap_rules * sizeof(*p->rules));
	}
	memset(&p->rules[p->n_rules], 0, sizeof(p->rules[0]));
	return &p->rules[p->n_rules++];
}

static struct seccomp_profile_group *group_find(const struct seccomp_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].name, name) == 0)
			return &p->groups[i];
	return NULL;
}

static void group_add_member(struct seccomp_profile_group *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->members[i], name) == 0)
			return;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 32;
		g->members = xrealloc(g->members, g->cap * sizeof(*g->members));
	}
	snprintf(g->members[g->n++], SECCOMP_PROFILE_NAME_MAX, "%s", name);
}

/* --- the parser ----------------------------------------------------------------------------- */

struct parser {
	struct seccomp_profile *p;
	const struct seccomp_profile_source *src;
	const char *file; /* owned by p */
	unsigned line;
	struct seccomp_profile_group *group; /* between `group` and `end` */
	unsigned group_line;
	struct error *err;
};

__attribute__((format(printf, 2, 3))) static int parse_error(struct parser *ps, const char *fmt,
							     ...)
{
	size_t size = sizeof(ps->err->msg);
	va_list ap;
	int n;

	if (ps->line)
		n = snprintf(ps->err->msg, size, "%s:%u: ", ps->file, ps->line);
	else
		n = snprintf(ps->err->msg, size, "%s: ", ps->file);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int tokenize(char *line, char **tok, struct parser *ps)
{
	int n = 0;
	char *s = line;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == MAX_TOKENS)
			return parse_error(ps, "too many words on one line (at most %d)",
					   MAX_TOKENS);
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return n;
		}
		if (*s)
			*s++ = '\0';
	}
}

/* A known system call, or (`?name`) one this libseccomp may not know. *skip: optional and
 * unknown. */
static int check_syscall(struct parser *ps, const char *tok, const char **name, bool *skip)
{
	bool optional = tok[0] == '?';
	const char *s = optional ? tok + 1 : tok;

	*skip = false;
	*name = s;
	if (strlen(s) < SECCOMP_PROFILE_NAME_MAX && s[0] &&
	    seccomp_syscall_resolve_name(s) != __NR_SCMP_ERROR)
		return 0;
	if (optional) {
		*skip = true;
		return 0;
	}
	if (ps->group)
		return parse_error(ps,
				   "unknown system call '%s' (in group '%s' of line %u: "
				   "missing 'end'?)",
				   s, ps->group->name, ps->group_line);
	return parse_error(ps, "unknown system call '%s'", s);
}

static int parse_action(struct parser *ps, char **tok, int n, int *i,
			struct seccomp_profile_action *a)
{
	const char *w = tok[*i];

	if (strcmp(w, "allow") == 0) {
		a->type = SECCOMP_PROFILE_ALLOW;
	} else if (strcmp(w, "kill") == 0) {
		a->type = SECCOMP_PROFILE_KILL;
	} else if (strcmp(w, "log") == 0) {
		a->type = SECCOMP_PROFILE_LOG;
	} else if (strcmp(w, "trap") == 0) {
		a->type = SECCOMP_PROFILE_TRAP;
	} else if (strcmp(w, "errno") == 0) {
		int e;

		if (*i + 1 >= n)
			return parse_error(ps, "'errno' needs a number or a name such as EPERM");
		e = seccomp_names_parse_errno(tok[*i + 1]);
		if (e == -2)
			return parse_error(ps, "errno '%s' is out of range (0 to 4095)",
					   tok[*i + 1]);
		if (e < 0)
			return parse_error(ps, "unknown errno '%s'", tok[*i + 1]);
		a->type = SECCOMP_PROFILE_ERRNO;
		a->errnum = e;
		(*i)++;
	} else {
		return parse_error(ps,
				   "unknown action '%s' (expected allow, errno, kill, log or "
				   "trap)",
				   w);
	}
	(*i)++;
	return 0;
}

/* 42, 0x2a or 052: C's notation, unsigned 64-bit, the whole word. */
static int parse_number(struct parser *ps, const char *s, const char *what, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (isdigit((unsigned char)s[0]))
		v = strtoull(s, &end, 0);
	if (!isdigit((unsigned char)s[0]) || errno || *end)
		return parse_error(ps, "bad %s '%s' (a number: 42, 0x2a or 052)", what, s);
	*out = v;
	return 0;
}

static bool is_condition(const char *s)
{
	return strncmp(s, "arg", 3) == 0 && (s[3] == '\0' || isdigit((unsigned char)s[3]));
}

/* argN [&MASK] OP VALUE, starting at tok[*i]. */
static int parse_condition(struct parser *ps, char **tok, int n, int *i,
			   struct seccomp_profile_cond *c)
{
	static const struct {
		const char *s;
		enum seccomp_profile_cmp op;
	} ops[] = {
		{ "==", SECCOMP_PROFILE_EQ }, { "!=", SECCOMP_PROFILE_NE },
		{ "<", SECCOMP_PROFILE_LT },  { "<=", SECCOMP_PROFILE_LE },
		{ ">", SECCOMP_PROFILE_GT },  { ">=", SECCOMP_PROFILE_GE },
	};
	const char *a = tok[*i];
	long idx;
	size_t k;

	if (!is_condition(a))
		return parse_error(ps, "expected a condition (argN OP VALUE), not '%s'", a);
	if (parse_int(a + 3, 0, 5, &idx) < 0)
		return parse_error(ps, "bad argument index '%s' (arg0 to arg5)", a);
	c->arg = (unsigned)idx;
	c->mask = UINT64_MAX;
	(*i)++;
	if (*i < n && tok[*i][0] == '&') {
		const char *m = tok[*i] + 1;

		if (*m == '\0') {
			if (++*i >= n)
				return parse_error(ps, "missing mask after '&'");
			m = tok[*i];
		}
		if (parse_number(ps, m, "mask", &c->mask) < 0)
			return -1;
		(*i)++;
	}
	if (*i >= n)
		return parse_error(ps, "missing operator after '%s'", a);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (strcmp(tok[*i], ops[k].s) == 0)
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return parse_error(ps, "unknown operator '%s' (expected ==, !=, <, <=, > or >=)",
				   tok[*i]);
	c->op = ops[k].op;
	if (c->mask != UINT64_MAX && c->op != SECCOMP_PROFILE_EQ && c->op != SECCOMP_PROFILE_NE)
		return parse_error(ps, "a masked comparison takes == or !=, not '%s'", tok[*i]);
	if (++*i >= n)
		return parse_error(ps, "missing value after '%s'", ops[k].s);
	if (parse_number(ps, tok[*i], "value", &c->value) < 0)
		return -1;
	if (c->value & ~c->mask)
		return parse_error(ps,
				   "value %s has bits outside the mask 0x%llx: it never matches",
				   tok[*i], (unsigned long long)c->mask);
	(*i)++;
	return 0;
}

static void add_rule(struct parser *ps, const struct seccomp_profile_action *a, const char *name,
		     const struct seccomp_profile_cond *conds, unsigned n_conds)
{
	struct seccomp_profile_rule *r = rule_append(ps->p);

	r->action = *a;
	snprintf(r->syscall, sizeof(r->syscall), "%s", name);
	if (n_conds)
		memcpy(r->conds, conds, n_conds * sizeof(*conds));
	r->n_conds = n_conds;
	r->file = ps->file;
	r->line = ps->line;
}

/* `@group` or a system call, for a rule or a group's members. */
static int for_each_target(struct parser *ps, const char *tok,
			   void (*fn)(struct parser *ps, const char *name, void *data), void *data)
{
	const char *name;
	bool skip;

	if (tok[0] == '@') {
		const struct seccomp_profile_group *g = group_find(ps->p, tok);

		if (!g)
			return parse_error(ps, "unknown group '%s'", tok);
		if (g == ps->group)
			return parse_error(ps, "group '%s' includes itself", tok);
		for (size_t i = 0; i < g->n; i++)
			fn(ps, g->members[i], data);
		return 0;
	}
	if (check_syscall(ps, tok, &name, &skip) < 0)
		return -1;
	if (!skip)
		fn(ps, name, data);
	return 0;
}

struct rule_args {
	const struct seccomp_profile_action *action;
	const struct seccomp_profile_cond *conds;
	unsigned n_conds;
};

static void target_to_rule(struct parser *ps, const char *name, void *data)
{
	const struct rule_args *ra = data;

	add_rule(ps, ra->action, name, ra->conds, ra->n_conds);
}

static void target_to_group(struct parser *ps, const char *name, void *data)
{
	(void)data;
	group_add_member(ps->group, name);
}

static int parse_rule(struct parser *ps, char **tok, int n)
{
	struct seccomp_profile_action a = { 0 };
	struct seccomp_profile_cond conds[SECCOMP_PROFILE_MAX_CONDS];
	struct rule_args ra = { &a, conds, 0 };
	int i = 0, first, last;

	if (parse_action(ps, tok, n, &i, &a) < 0)
		return -1;
	first = i;
	while (i < n && !is_condition(tok[i]))
		i++;
	last = i;
	if (first == last)
		return parse_error(ps, "no system call after '%s'", tok[0]);
	while (i < n) {
		if (ra.n_conds == SECCOMP_PROFILE_MAX_CONDS)
			return parse_error(ps, "too many conditions (at most %d)",
					   SECCOMP_PROFILE_MAX_CONDS);
		if (parse_condition(ps, tok, n, &i, &conds[ra.n_conds]) < 0)
			return -1;
		ra.n_conds++;
	}
	for (i = first; i < last; i++)
		if (for_each_target(ps, tok[i], target_to_rule, &ra) < 0)
			return -1;
	return 0;
}

static int parse_group_start(struct parser *ps, char **tok, int n)
{
	struct seccomp_profile *p = ps->p;
	struct seccomp_profile_group *g;
	const char *name = n > 1 ? tok[1] : "";

	if (n != 2)
		return parse_error(ps, "expected 'group @NAME'");
	if (name[0] != '@' || name[1] == '\0' || strlen(name) >= SECCOMP_PROFILE_NAME_MAX)
		return parse_error(ps, "bad group name '%s' (expected @NAME)", name);
	for (const char *s = name + 1; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return parse_error(ps, "bad group name '%s' (letters, digits, - and _)",
					   name);
	g = group_find(p, name);
	if (g) {
		/* The same file read again (two profiles including it) defines it again. */
		if (strcmp(g->file, ps->file) != 0 || g->line != ps->line)
			return parse_error(ps, "group '%s' is already defined at %s:%u", name,
					   g->file, g->line);
		g->n = 0;
	} else {
		if (p->n_groups == p->cap_groups) {
			p->cap_groups = p->cap_groups ? 2 * p->cap_groups : 16;
			p->groups = xrealloc(p->groups, p->cap_groups * sizeof(*p->groups));
		}
		g = &p->groups[p->n_groups++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
		g->file = ps->file;
		g->line = ps->line;
	}
	ps->group = g;
	ps->group_line = ps->line;
	return 0;
}

/* The directory part of `path` ("." when none), into buf. */
static void dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* Lexically: "a//b/./c/../d" -> "a/b/d", so one file has one name for the loop check. The
 * output is never longer than the input, and each component is written after it was read. */
static void path_normalize(char *path)
{
	bool abs = path[0] == '/';
	char *base = path + abs, *out = base, *s = base;
	char *end = path + strlen(path);
	unsigned kept = 0; /* components in the output, not counting leading ".." */

	while (s < end) {
		char *comp = s;
		size_t len = strcspn(s, "/");

		s += len + 1;
		if (len == 0 || (len == 1 && comp[0] == '.'))
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			if (kept > 0) {
				out--;
				while (out > base && out[-1] != '/')
					out--;
				kept--;
			} else if (!abs) {
				memmove(out, comp, 2);
				out += 2;
				*out++ = '/';
			}
			continue;
		}
		memmove(out, comp, len);
		out += len;
		*out++ = '/';
		kept++;
	}
	if (out > base)
		out--;
	if (out == path)
		*out++ = '.';
	*out = '\0';
}

static FILE *default_open(void *data, const char *path)
{
	(void)data;
	return fopen(path, "re");
}

static int parse_file(struct seccomp_profile *p, FILE *f, const char *name,
		      const struct seccomp_profile_source *src, struct error *err);

/* include NAME: next to the including file, then in the profile directories; NAME and
 * NAME.profile in each. */
static int parse_include(struct parser *ps, char **tok, int n)
{
	char dir[PATH_MAX], cand[PATH_MAX];
	const char *name = n > 1 ? tok[1] : "";
	const char *dirs = ps->src->dir ? ps->src->dir : "";
	int first_errno = ENOENT;
	const char *first_path = NULL;

	if (n != 2)
		return parse_error(ps, "expected 'include NAME'");
	dir_of(ps->file, dir, sizeof(dir));
	for (int pass = 0;; pass++) {
		const char *d;
		size_t dlen;

		if (name[0] == '/') {
			if (pass > 0)
				break;
			d = "";
			dlen = 0;
		} else if (pass == 0) {
			d = dir;
			dlen = strlen(dir);
		} else {
			if (*dirs == '\0')
				break;
			d = dirs;
			dlen = strcspn(dirs, ":");
			dirs += dlen + (dirs[dlen] == ':');
			if (dlen == 0)
				continue;
		}
		for (int ext = 0; ext < 2; ext++) {
			FILE *f;
			int r;

			if (snprintf(cand, sizeof(cand), "%.*s%s%s%s", (int)dlen, d,
				     dlen ? "/" : "", name,
				     ext ? ".profile" : "") >= (int)sizeof(cand))
				continue;
			path_normalize(cand);
			for (unsigned k = 0; k < ps->p->depth; k++)
				if (strcmp(ps->p->stack[k], cand) == 0)
					return parse_error(ps,
							   "include loop: '%s' is already being "
							   "read",
							   cand);
			f = ps->src->open(ps->src->data, cand);
			if (!f) {
				if (errno != ENOENT && !first_path) {
					first_errno = errno;
					first_path = profile_strdup(ps->p, cand);
				}
				continue;
			}
			if (ps->p->depth == MAX_DEPTH) {
				fclose(f);
				return parse_error(ps, "includes nested too deeply (at most %zu)",
						   MAX_DEPTH);
			}
			r = parse_file(ps->p, f, cand, ps->src, ps->err);
			fclose(f);
			return r;
		}
	}
	if (first_path)
		return parse_error(ps, "cannot open include '%s': %s", first_path,
				   strerror(first_errno));
	return parse_error(ps, "cannot open include '%s': %s", name, strerror(ENOENT));
}

static int parse_arch(struct parser *ps, char **tok, int n)
{
	struct seccomp_profile *p = ps->p;

	if (n < 2)
		return parse_error(ps, "'arch' needs at least one architecture");
	/* Like `default`, the last `arch` line wins: a profile can narrow what it includes. */
	p->n_arches = 0;
	for (int i = 1; i < n; i++) {
		uint32_t a = seccomp_names_parse_arch(tok[i]);
		unsigned k;

		if (a == 0 && strcmp(tok[i], "native") != 0)
			return parse_error(ps, "unknown architecture '%s'", tok[i]);
		for (k = 0; k < p->n_arches; k++)
			if (p->arches[k] == a)
				break;
		if (k < p->n_arches)
			continue;
		if (p->n_arches == SECCOMP_PROFILE_MAX_ARCHES)
			return parse_error(ps, "too many architectures (at most %d)",
					   SECCOMP_PROFILE_MAX_ARCHES);
		p->arches[p->n_arches++] = a;
	}
	return 0;
}

static int parse_line(struct parser *ps, char **tok, int n)
{
	const char *kw = tok[0];

	if (ps->group) {
		if (strcmp(kw, "end") == 0) {
			if (n != 1)
				return parse_error(ps, "unexpected '%s' after 'end'", tok[1]);
			ps->group = NULL;
			return 0;
		}
		if (strcmp(kw, "group") == 0)
			return parse_error(ps, "group inside group '%s' of line %u: missing 'end'?",
					   ps->group->name, ps->group_line);
		for (int i = 0; i < n; i++)
			if (for_each_target(ps, tok[i], target_to_group, NULL) < 0)
				return -1;
		return 0;
	}
	if (strcmp(kw, "end") == 0)
		return parse_error(ps, "'end' without 'group'");
	if (strcmp(kw, "group") == 0)
		return parse_group_start(ps, tok, n);
	if (strcmp(kw, "include") == 0)
		return parse_include(ps, tok, n);
	if (strcmp(kw, "arch") == 0)
		return parse_arch(ps, tok, n);
	if (strcmp(kw, "default") == 0) {
		struct seccomp_profile_action a = { 0 };
		int i = 1;

		if (n < 2)
			return parse_error(ps, "'default' needs an action");
		if (parse_action(ps, tok, n, &i, &a) < 0)
			return -1;
		if (i < n)
			return parse_error(ps, "unexpected '%s' after the default action", tok[i]);
		ps->p->def = a;
		ps->p->has_default = true;
		return 0;
	}
	return parse_rule(ps, tok, n);
}

static int parse_file(struct seccomp_profile *p, FILE *f, const char *name,
		      const struct seccomp_profile_source *src, struct error *err)
{
	struct parser ps = { .p = p, .src = src, .err = err };
	char *tok[MAX_TOKENS];
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;

	ps.file = profile_strdup(p, name);
	p->stack[p->depth++] = ps.file;
	for (;;) {
		ssize_t len;
		int n;

		errno = 0;
		len = getline(&buf, &cap, f);
		if (len < 0) {
			if (errno != 0 || ferror(f)) {
				r = error_set_errno(err, errno ? errno : EIO, "cannot read '%s'",
						    ps.file);
			}
			break;
		}
		ps.line++;
		if (memchr(buf, '\0', (size_t)len)) {
			r = parse_error(&ps, "a NUL byte: this is not a profile");
			break;
		}
		n = tokenize(buf, tok, &ps);
		if (n < 0 || (n > 0 && parse_line(&ps, tok, n) < 0)) {
			r = -1;
			break;
		}
	}
	if (r == 0 && ps.group) {
		ps.line = ps.group_line;
		r = parse_error(&ps, "unterminated group '%s' (no 'end')", ps.group->name);
	}
	free(buf);
	p->depth--;
	return r;
}

int seccomp_profile_parse(struct seccomp_profile *p, FILE *f, const char *name,
			  const struct seccomp_profile_source *src, struct error *err)
{
	struct seccomp_profile_source def = { default_open, NULL, NULL };
	char path[PATH_MAX];

	if (!src)
		src = &def;
	snprintf(path, sizeof(path), "%s", name);
	path_normalize(path);
	if (p->depth == MAX_DEPTH)
		return error_set(err, "%s: includes nested too deeply", path);
	return parse_file(p, f, path, src, err);
}

int seccomp_profile_adjust(struct seccomp_profile *p, bool allow, const char *arg,
			   const char *option, struct error *err)
{
	struct seccomp_profile_action a = { .type = SECCOMP_PROFILE_ERRNO, .errnum = EPERM };
	struct rule_args ra = { &a, NULL, 0 };
	struct parser ps = { .p = p, .file = option, .err = err };
	char name[SECCOMP_PROFILE_NAME_MAX + 1];
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	if (allow)
		a.type = SECCOMP_PROFILE_ALLOW;
	if (colon && allow)
		return parse_error(&ps, "'%s': only --seccomp-deny takes ':ERRNO'", arg);
	if (colon) {
		int e = seccomp_names_parse_errno(colon + 1);

		if (e == -2)
			return parse_error(&ps, "errno '%s' is out of range (0 to 4095)",
					   colon + 1);
		if (e < 0)
			return parse_error(&ps, "unknown errno '%s'", colon + 1);
		a.errnum = e;
	}
	if (len == 0 || len >= sizeof(name))
		return parse_error(&ps, "unknown system call '%.*s'", (int)len, arg);
	memcpy(name, arg, len);
	name[len] = '\0';
	if (name[0] == '?')
		return parse_error(&ps, "unknown system call '%s'", name);
	ps.file = profile_strdup(p, option);
	return for_each_target(&ps, name, target_to_rule, &ra);
}

bool seccomp_profile_allows_all(const struct seccomp_profile *p)
{
	bool native = p->n_arches == 0, compat = p->n_arches == 0;

	if (!p->has_default || p->def.type != SECCOMP_PROFILE_ALLOW)
		return false;
	/* No filter would also let through the ABIs an `arch` line leaves out, which the
	 * profile kills (hutch-seccomp(5)): only native and compat together are all. */
	for (unsigned i = 0; i < p->n_arches; i++) {
		native |= p->arches[i] == SECCOMP_PROFILE_ARCH_NATIVE;
		compat |= p->arches[i] == SECCOMP_PROFILE_ARCH_COMPAT;
	}
	if (!native || !compat)
		return false;
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].action.type != SECCOMP_PROFILE_ALLOW)
			return false;
	return true;
}

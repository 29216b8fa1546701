/* options: the parser of both faces; walks argv (and the words of --args) with argp over the
 * option table (options-table.c) and fills one struct config. Called by main() in the parent;
 * pure except for reading (and closing) the fds --args names. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options-table.h"
#include "options.h"
#include "shortcuts.h"

/* argp's key of row i. Above UCHAR_MAX, so argp makes no short options: bubblewrap has none. */
#define KEY_BASE   0x100
#define ARGP_FLAGS (ARGP_IN_ORDER | ARGP_NO_HELP | ARGP_NO_ERRS | ARGP_NO_EXIT)

int options_fail(struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err->msg, sizeof(ctx->err->msg), fmt, ap);
	va_end(ap);
	ctx->err->exit_code = 0;
	ctx->failed = true;
	return -1;
}

static bool in_face(const struct option_row *o)
{
	return o->faces & face->option_bit;
}

/* The row of exactly this word ("--ro-bind"), in this face, or NULL. */
static const struct option_row *option_by_word(const char *word)
{
	unsigned i;

	if (strncmp(word, "--", 2) != 0)
		return NULL;
	for (i = 0; i < options_table_len; i++)
		if (strcmp(word + 2, options_table[i].name) == 0)
			return in_face(&options_table[i]) ? &options_table[i] : NULL;
	return NULL;
}

/* The number of words after the option: one per name in `args`. */
static int option_nargs(const struct option_row *o)
{
	const char *p;
	int n;

	if (!o->args)
		return 0;
	for (n = 1, p = o->args; *p; p++)
		n += *p == ' ';
	return n;
}

void options_push_fd(struct int_list *l, int v)
{
	if (l->n == 0 || (l->n >= 4 && (l->n & (l->n - 1)) == 0))
		l->v = xrealloc(l->v, (l->n ? 2 * l->n : 4) * sizeof(*l->v));
	l->v[l->n++] = v;
}

static void env_push(struct parse_ctx *ctx, enum env_op_type type, const char *name,
		     const char *value)
{
	struct config *cfg = ctx->cfg;
	struct env_op *e = xcalloc(1, sizeof(*e));

	e->type = type;
	e->name = name;
	e->value = value;
	e->origin = ctx->lv->shortcut;
	if (cfg->env_tail)
		cfg->env_tail->next = e;
	else
		cfg->env_head = e;
	cfg->env_tail = e;
}

/* Levenshtein distance between a and b, capped: enough to tell a typo from another word. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[64], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 63 || lb >= 63)
		return 99;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The hutch face's option nearest to word (without its dashes), when it is a likely typo:
 * at most 2 edits, and fewer than a third of the name. NULL otherwise. */
static const char *nearest_option(const char *word)
{
	const char *best = NULL;
	unsigned best_d = 3;

	word += strspn(word, "-");
	for (unsigned i = 0; i < options_table_len; i++) {
		const struct option_row *o = &options_table[i];
		if (!(o->faces & OPTION_IN(face->id)))
			continue;
		unsigned d = edit_distance(word, o->name);
		if (d < best_d && d * 3 < (unsigned)strlen(o->name)) {
			best = o->name;
			best_d = d;
		}
	}
	return best;
}

static int unknown_option(struct parse_ctx *ctx, const char *word)
{
	const char *near = face->hints ? nearest_option(word) : NULL;

	/* The suggestion is a hint: bubblewrap's text stays exactly its own. */
	if (near)
		return options_fail(ctx, msg(MSG_UNKNOWN_OPTION_NEAR), word, near);
	return options_fail(ctx, msg(MSG_UNKNOWN_OPTION), word, face->prog);
}

static const char overlay_src_msg[] = "--overlay-src must be followed by another --overlay-src "
				      "or one of --overlay, --tmp-overlay, or --ro-overlay";

static bool named(const struct option_row *o, const char *name)
{
	return strcmp(o->name, name) == 0;
}

static int missing_args(struct parse_ctx *ctx, const struct option_row *o)
{
	static const char *const count[] = { "", "an argument", "two arguments",
					     "three arguments" };
	int n = option_nargs(o);

	if (!face->missing_arg_by_option)
		return options_fail(ctx, "--%s: missing argument (usage: --%s %s)", o->name,
				    o->name, o->args);
	/* bubblewrap words each option's message itself; these differ from the rule. */
	if (named(o, "args") && ctx->lv->nested)
		return options_fail(ctx, "--args not supported in arguments file");
	if (named(o, "chdir") || named(o, "argv0") || named(o, "remount-ro"))
		return options_fail(ctx, "--%s takes one argument", o->name);
	/* bubblewrap shares the --bind-fd text */
	if (named(o, "ro-bind-fd"))
		return options_fail(ctx, "--bind-fd takes two arguments");
	/* bubblewrap 0.11 does not count --overlay-src's argument; it ends up here */
	if (named(o, "overlay-src"))
		return options_fail(ctx, "%s", overlay_src_msg);
	return options_fail(ctx, "--%s takes %s", o->name, count[n]);
}

void options_warn_only_last(const char *name)
{
	warn(msg(MSG_ONLY_LAST), name);
}

int options_arg_fd(struct parse_ctx *ctx, const struct option_row *o, const char *s, int *out)
{
	long v;

	if (parse_int(s, 0, INT_MAX, &v) < 0) {
		return options_fail(ctx, msg(MSG_INVALID_FD), o->name, s, INT_MAX);
	}
	*out = (int)v;
	return 0;
}

static int arg_id(struct parse_ctx *ctx, const struct option_row *o, const char *s, uint32_t *out)
{
	long v;

	/* (uid_t)-1 means "unchanged" to setresuid(2), so it is not a valid id. */
	if (parse_int(s, 0, (long)UINT32_MAX - 1, &v) < 0) {
		return options_fail(ctx, msg(MSG_INVALID_ID), o->name, o->name, s,
				    (unsigned long)UINT32_MAX - 1);
	}
	*out = (uint32_t)v;
	return 0;
}

/* Octal 0..07777, digits only (bubblewrap uses strtoul base 8, which also takes spaces and
 * signs; nobody relies on that). */
int options_arg_mode(struct parse_ctx *ctx, const struct option_row *o, const char *s, int *out)
{
	const char *p;
	int v = 0;

	for (p = s; *p >= '0' && *p <= '7' && v <= 07777; p++)
		v = v * 8 + (*p - '0');
	if (p == s || *p || v > 07777) {
		return options_fail(ctx, msg(MSG_INVALID_MODE), o->name, s);
	}
	*out = v;
	return 0;
}

/* The mode of an op that creates a file: a waiting --perms, else the op's default. */
static int take_perms(struct parse_ctx *ctx, int dflt)
{
	int perms = ctx->next_perms >= 0 ? ctx->next_perms : dflt;

	ctx->next_perms = -1;
	return perms;
}

static int overlay_needs(struct parse_ctx *ctx, const struct option_row *o, unsigned n)
{
	if (ctx->layers >= n)
		return 0;
	return options_fail(ctx, msg(MSG_OVERLAY_LAYERS), o->name, n == 1 ? "one" : "two",
			    n == 1 ? "" : "s");
}

/* OPTION_SETUP_OP: the arguments are checked before the op exists, then take their roles. */
static int add_setup_op(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	const struct option_op *d = &o->op;
	int fd = -1, mode = SETUP_PERMS_UNSET;
	struct setup_op *op;
	unsigned i;

	if (d->layers && overlay_needs(ctx, o, d->layers) < 0)
		return -1;
	for (i = 0; i < OPTION_MAX_ARGS; i++) {
		if (d->role[i] == ARG_FD && options_arg_fd(ctx, o, a[i], &fd) < 0)
			return -1;
		if (d->role[i] == ARG_MODE && options_arg_mode(ctx, o, a[i], &mode) < 0)
			return -1;
	}
	op = setup_list_append(&ctx->cfg->ops, d->type, o->name);
	op->flags = d->setup_flags;
	op->origin = ctx->lv->shortcut;
	op->fd = fd;
	op->perms = mode;
	for (i = 0; i < OPTION_MAX_ARGS; i++) {
		if (d->role[i] == ARG_SRC)
			op->src = a[i];
		else if (d->role[i] == ARG_DEST)
			op->dest = a[i];
		else if (d->role[i] == ARG_WORKDIR)
			op->workdir = a[i];
	}
	if (d->takes_perms)
		op->perms = take_perms(ctx, d->perms);
	if (d->takes_size) {
		op->size = ctx->next_size;
		ctx->next_size = 0;
	}
	if (o->flags & OPTION_LAYER)
		ctx->layers++;
	else if (d->layers)
		ctx->layers = 0;
	return 0;
}

/* What the row says the option does. */
static int apply(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct config *cfg = ctx->cfg;
	void *field = (char *)cfg + o->field;
	bool once = o->flags & OPTION_LAST_WINS;

	switch (o->kind) {
	case OPTION_CALL:
		return o->call(ctx, o, a);
	case OPTION_SET_BOOL:
		*(bool *)field = o->value;
		return 0;
	case OPTION_SET_NS: {
		enum ns_req *ns = field;

		/* A -try never weakens a namespace asked for without it. */
		if (o->value != NS_TRY || *ns == NS_NO)
			*ns = (enum ns_req)o->value;
		return 0;
	}
	case OPTION_FD:
		if (once && *(int *)field != -1)
			options_warn_only_last(o->name);
		return options_arg_fd(ctx, o, a[0], field);
	case OPTION_FD_LIST: {
		int fd;

		if (options_arg_fd(ctx, o, a[0], &fd) < 0)
			return -1;
		options_push_fd(field, fd);
		return 0;
	}
	case OPTION_STRING:
		if (once && *(const char **)field)
			options_warn_only_last(o->name);
		*(const char **)field = a[0];
		return 0;
	case OPTION_ID: {
		bool *given = (bool *)((char *)cfg + o->field_set);

		if (once && *given)
			options_warn_only_last(o->name);
		if (arg_id(ctx, o, a[0], field) < 0)
			return -1;
		*given = true;
		return 0;
	}
	case OPTION_ENV:
		env_push(ctx, (enum env_op_type)o->value, a[0], a[1]);
		return 0;
	case OPTION_SETUP_OP:
		return add_setup_op(ctx, o, a);
	}
	return options_fail(ctx, "internal error: option --%s has no kind", o->name);
}

/* bubblewrap checks after every option but a modifier that the modifiers found their
 * option; `next` is the option that followed them, or NULL for the command. */
static int check_modifiers(struct parse_ctx *ctx, const char *next)
{
	const char *what = next ? next : "the command";
	const char *dash = next ? "--" : "";

	if (ctx->next_perms >= 0) {
		return options_fail(ctx, msg(MSG_PERMS_BEFORE), dash, what);
	}
	if (ctx->next_size != 0) {
		return options_fail(ctx, msg(MSG_SIZE_BEFORE), dash, what);
	}
	return 0;
}

static int check_layers(struct parse_ctx *ctx, const char *next)
{
	if (ctx->layers == 0)
		return 0;
	return options_fail(ctx, msg(MSG_OVERLAY_SRC_BEFORE), next ? "--" : "",
			    next ? next : "the command");
}

static int on_option(struct parse_ctx *ctx, struct argp_state *state, int key, char *arg)
{
	unsigned row = (unsigned)key - KEY_BASE;
	const struct option_row *o = row < options_table_len ? &options_table[row] : NULL;
	struct level *lv = ctx->lv;
	const char *word = lv->argv[lv->word];
	const char *a[OPTION_MAX_ARGS] = { NULL };
	int i, n;

	/* getopt accepts unambiguous abbreviations and --opt=value; bubblewrap neither. */
	if (!o || !in_face(o) || strncmp(word, "--", 2) != 0 || strcmp(word + 2, o->name) != 0)
		return unknown_option(ctx, word);
	n = option_nargs(o);
	if (n > 0)
		a[0] = arg;
	for (i = 1; i < n; i++) {
		if (state->next >= state->argc)
			return missing_args(ctx, o);
		a[i] = state->argv[state->next++];
	}
	if (apply(ctx, o, a) < 0)
		return -1;
	if (ctx->exit_now)
		return 0;
	if (!(o->flags & OPTION_MODIFIER) && check_modifiers(ctx, o->name) < 0)
		return -1;
	if (!(o->flags & OPTION_LAYER) && check_layers(ctx, o->name) < 0)
		return -1;
	lv->word = state->next;
	return 0;
}

/* argp hands over the first non-option word and everything after it. */
static int on_command(struct parse_ctx *ctx, struct argp_state *state)
{
	struct level *lv = ctx->lv;
	char *first = state->argv[state->next];
	bool quoted = strcmp(lv->argv[lv->word], "--") == 0;

	/* getopt passes a lone "-" as a non-option; bubblewrap calls it an unknown option. */
	if (!quoted && first[0] == '-')
		return unknown_option(ctx, first);
	if (lv->nested) {
		/* bubblewrap stops reading the --args words there and drops the rest. */
		if (face->args_tail_dropped)
			return 0;
		return options_fail(ctx,
				    "--args: unexpected '%s' among the arguments read from the fd: "
				    "the command must be on the command line",
				    quoted ? "--" : first);
	}
	ctx->cmd = &state->argv[state->next];
	ctx->cmd_argc = state->argc - state->next;
	return 0;
}

/* getopt stopped at lv->word: an unknown or abbreviated option, or a missing argument. */
static void on_getopt_error(struct parse_ctx *ctx)
{
	struct level *lv = ctx->lv;
	const char *word = lv->word < lv->argc ? lv->argv[lv->word] : "";
	const struct option_row *o = option_by_word(word);

	if (o && o->args)
		missing_args(ctx, o);
	else
		unknown_option(ctx, word);
}

static error_t parser_cb(int key, char *arg, struct argp_state *state)
{
	struct parse_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* Refused, so argp offers ARGP_KEY_ARGS: the command with all its arguments. */
		return ARGP_ERR_UNKNOWN;
	case ARGP_KEY_ARGS:
		return on_command(ctx, state) < 0 ? EINVAL : 0;
	case ARGP_KEY_ERROR:
		if (!ctx->failed && !ctx->exit_now)
			on_getopt_error(ctx);
		return 0;
	case ARGP_KEY_INIT:
	case ARGP_KEY_NO_ARGS:
	case ARGP_KEY_END:
	case ARGP_KEY_SUCCESS:
	case ARGP_KEY_FINI:
		return 0;
	default:
		break;
	}
	if (on_option(ctx, state, key, arg) < 0)
		return EINVAL;
	/* --help/--version: stop at once, like bubblewrap, whatever follows. */
	return ctx->exit_now ? ECANCELED : 0;
}

/* Parses the words of sub (argv[0] first) as if they stood where the current option is. */
static int parse_level(struct parse_ctx *ctx, struct level *sub)
{
	struct level *saved = ctx->lv;
	int r;

	ctx->lv = sub;
	r = argp_parse(ctx->argp, sub->argc, sub->argv, ARGP_FLAGS, NULL, ctx);
	ctx->lv = saved;
	if (ctx->failed || ctx->exit_now)
		return ctx->failed ? -1 : 0;
	if (r)
		return options_fail(ctx, "cannot parse the arguments of --%s: %s",
				    sub->shortcut ? sub->shortcut : "args", strerror(r));
	return 0;
}

/* --args FD: the NUL-separated words in FD are parsed as if they stood here. bubblewrap
 * allows no --args among them, so this recurses exactly once. */
int options_read_args(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct level sub = { .word = 1, .nested = true };
	char *data = NULL, *p, *end, **words;
	size_t len = 0;
	int fd, n;

	if (ctx->lv->nested)
		return options_fail(ctx, msg(MSG_ARGS_NESTED));
	if (options_arg_fd(ctx, o, a[0], &fd) < 0)
		return -1;
	if (read_all_fd(fd, &data, &len) < 0) {
		int e = errno;

		ctx->failed = true;
		return error_set_errno(ctx->err, e, msg(MSG_ARGS_READ), fd);
	}
	/* The words now live in `data`; the fd must not leak into the sandbox. */
	close(fd);
	config_own(ctx->cfg, data);

	/* read_all_fd NUL-terminates, so the last word ends even without a trailing NUL. */
	end = data + len;
	for (n = 0, p = data; p < end; p += strlen(p) + 1)
		n++;
	words = xcalloc((size_t)n + 2, sizeof(*words));
	config_own(ctx->cfg, words);
	words[0] = (char *)(ctx->argv0 ? ctx->argv0 : face->prog);
	for (n = 0, p = data; p < end; p += strlen(p) + 1)
		words[++n] = p;

	sub.argv = words;
	sub.argc = n + 1;
	return parse_level(ctx, &sub);
}

/* A shortcut expands, in place, into ordinary options: they compose with everything around
 * them in command-line order, and the dry run shows them. A --perms, --size or --overlay-src
 * waiting for its option cannot take one of them: that would change the shortcut's meaning. */
int options_expand_shortcut(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct level sub = { .word = 1, .nested = true, .shortcut = o->name };
	struct shortcut_words w;
	char **words;

	(void)a;
	if (check_modifiers(ctx, o->name) < 0 || check_layers(ctx, o->name) < 0)
		return -1;
	if (!ctx->shortcut_host) {
		ctx->shortcut_host = xcalloc(1, sizeof(*ctx->shortcut_host));
		shortcut_host_gather(ctx->shortcut_host);
	}
	if (shortcut_expand(o->name, ctx->shortcut_host, &w, ctx->err) < 0) {
		ctx->failed = true;
		ctx->err->exit_code = 0;
		return -1;
	}
	if (w.warning)
		warn("warning: %s", w.warning);
	/* The config keeps pointers into the words: they live as long as it does. */
	words = xcalloc((size_t)w.n + 2, sizeof(*words));
	config_own(ctx->cfg, words);
	words[0] = (char *)(ctx->argv0 ? ctx->argv0 : face->prog);
	for (unsigned i = 0; i < w.n; i++) {
		words[i + 1] = w.v[i];
		config_own(ctx->cfg, w.v[i]);
	}
	free(w.v);
	sub.argv = words;
	sub.argc = (int)w.n + 1;
	return parse_level(ctx, &sub);
}

/* The table as argp's: row i under key KEY_BASE + i. The help texts stay in the table;
 * argp prints nothing (ARGP_NO_HELP, ARGP_NO_ERRS). The operations and the environment
 * options come first: getopt_long compares a word with the long options in order until the
 * exact match, and a command line of a thousand binds or dirs is made of them (bench/: a
 * third of hutch's own CPU time on 3000 --dir went to those compares). The order changes
 * nothing else: the help is printed from the table, and an abbreviation (refused) is found
 * whatever the order. */
static struct argp_option *argp_options_new(void)
{
	struct argp_option *opts = xcalloc(options_table_len + 1, sizeof(*opts));
	unsigned i, n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < options_table_len; i++) {
			const struct option_row *o = &options_table[i];
			bool hot = o->kind == OPTION_SETUP_OP || o->kind == OPTION_ENV;
			if (hot != (pass == 0))
				continue;
			opts[n].name = o->name;
			opts[n].key = KEY_BASE + (int)i;
			opts[n].arg = o->args;
			n++;
		}
	return opts;
}

static int parse_top(struct parse_ctx *ctx, int argc, char **argv, int *exit_now)
{
	struct config *cfg = ctx->cfg;
	struct error *err = ctx->err;
	char **cmd;
	int r;

	r = argp_parse(ctx->argp, argc, argv, ARGP_FLAGS, NULL, ctx);
	if (ctx->exit_now) {
		*exit_now = 1;
		err->exit_code = ctx->exit_status;
		return 0;
	}
	if (ctx->failed)
		return -1;
	if (r)
		return options_fail(ctx, "cannot parse the command line: %s", strerror(r));

	/* bubblewrap checks only --overlay-src here; a --perms or --size left before the
	 * command it silently ignores, which the hutch face reports instead. */
	if (check_layers(ctx, NULL) < 0)
		return -1;
	if (face->modifiers_checked_at_end && check_modifiers(ctx, NULL) < 0)
		return -1;

	if (ctx->cmd_argc < 1 && cfg->seccomp_export) {
		/* --seccomp-export without a command: write the program and stop there */
		*exit_now = 1;
		err->exit_code = 0;
		return 0;
	}
	if (ctx->cmd_argc < 1) {
		if (face->usage_without_command) {
			/* bubblewrap prints its usage on stderr and exits 1 */
			options_print_usage(stderr, ctx->argv0);
			*exit_now = 1;
			err->exit_code = face->exit_usage;
			return 0;
		}
		return options_fail(
			ctx, "no command given\nhint: run '%s --help' for the list of options",
			face->prog);
	}
	cmd = xcalloc((size_t)ctx->cmd_argc + 1, sizeof(*cmd));
	memcpy(cmd, ctx->cmd, (size_t)ctx->cmd_argc * sizeof(*cmd));
	config_own(cfg, cmd);
	cfg->argv = cmd;
	cfg->argc = ctx->cmd_argc;
	return 0;
}

int options_parse(struct config *cfg, int argc, char **argv, int *exit_now, struct error *err)
{
	struct level top = { .argv = argv, .argc = argc, .word = 1 };
	struct argp_option *opts = NULL;
	struct argp argp = { .parser = parser_cb };
	struct parse_ctx ctx = {
		.cfg = cfg,
		.err = err,
		.lv = &top,
		.argp = &argp,
		.argv0 = argc > 0 ? argv[0] : NULL,
		.next_perms = -1,
	};
	int r;

	*exit_now = 0;
	err->exit_code = 0;
	err->msg[0] = '\0';
	if (argc < 1 || !argv)
		return options_fail(&ctx, "no arguments at all, not even the program name");

	opts = argp_options_new();
	argp.options = opts;
	r = parse_top(&ctx, argc, argv, exit_now);
	free(opts);
	if (ctx.shortcut_host) {
		shortcut_host_free(ctx.shortcut_host);
		free(ctx.shortcut_host);
	}
	return r;
}

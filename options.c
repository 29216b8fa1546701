/* options: the argp table and parser of both faces; fills one struct config.
 * Called by main() in the parent; pure except for reading (and closing) the fds --args names. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif
/* The bubblewrap release whose options and messages the bwrap face reproduces. */
#define BWRAP_COMPAT_VERSION "0.11.1"

#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "options.h"
#include "setup-op.h"
#include "util.h"

/* Keys above UCHAR_MAX, so argp makes no short options: bubblewrap has none. */
enum opt_key {
	OPT_HELP = 0x100,
	OPT_VERSION,
	OPT_ARGS,
	OPT_ARGV0,
	OPT_LEVEL_PREFIX,
	OPT_UNSHARE_ALL,
	OPT_SHARE_NET,
	OPT_UNSHARE_USER,
	OPT_UNSHARE_USER_TRY,
	OPT_UNSHARE_IPC,
	OPT_UNSHARE_PID,
	OPT_UNSHARE_NET,
	OPT_UNSHARE_UTS,
	OPT_UNSHARE_CGROUP,
	OPT_UNSHARE_CGROUP_TRY,
	OPT_USERNS,
	OPT_USERNS2,
	OPT_DISABLE_USERNS,
	OPT_ASSERT_USERNS_DISABLED,
	OPT_PIDNS,
	OPT_UID,
	OPT_GID,
	OPT_HOSTNAME,
	OPT_CHDIR,
	OPT_CLEARENV,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_LOCK_FILE,
	OPT_SYNC_FD,
	OPT_BIND,
	OPT_BIND_TRY,
	OPT_DEV_BIND,
	OPT_DEV_BIND_TRY,
	OPT_RO_BIND,
	OPT_RO_BIND_TRY,
	OPT_BIND_FD,
	OPT_RO_BIND_FD,
	OPT_REMOUNT_RO,
	OPT_OVERLAY_SRC,
	OPT_OVERLAY,
	OPT_TMP_OVERLAY,
	OPT_RO_OVERLAY,
	OPT_EXEC_LABEL,
	OPT_FILE_LABEL,
	OPT_PROC,
	OPT_DEV,
	OPT_TMPFS,
	OPT_MQUEUE,
	OPT_DIR,
	OPT_FILE,
	OPT_BIND_DATA,
	OPT_RO_BIND_DATA,
	OPT_SYMLINK,
	OPT_SECCOMP,
	OPT_ADD_SECCOMP_FD,
	OPT_BLOCK_FD,
	OPT_USERNS_BLOCK_FD,
	OPT_INFO_FD,
	OPT_JSON_STATUS_FD,
	OPT_NEW_SESSION,
	OPT_DIE_WITH_PARENT,
	OPT_AS_PID_1,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PERMS,
	OPT_SIZE,
	OPT_CHMOD,
	/* Options of the hutch face only; the bwrap face rejects them as unknown. */
	OPT_HUTCH_ONLY = 0x200,
	OPT_PASS_FD = OPT_HUTCH_ONLY,
	OPT_SECCOMP_PROFILE,
	OPT_SECCOMP_ALLOW,
	OPT_SECCOMP_DENY,
	OPT_SECCOMP_EXPORT,
	OPT_SECCOMP_LIST,
	OPT_SECCOMP_SHOW,
	OPT_HOST_UID,
	OPT_HOST_GID,
};

/* The one table: argp parses with it and --help prints it, in bubblewrap's usage() order.
 * `arg` names every argument the option takes; argp hands over the first, the parser takes
 * the others from argv (argp knows only options with a single argument). A '\n' in a doc
 * string continues the description on an indented line. */
static const struct argp_option option_table[] = {
	{ "help", OPT_HELP, NULL, 0, "Print this help", 0 },
	{ "version", OPT_VERSION, NULL, 0, "Print version", 0 },
	{ "args", OPT_ARGS, "FD", 0, "Parse NUL-separated args from FD", 0 },
	{ "argv0", OPT_ARGV0, "VALUE", 0,
	  "Set argv[0] to the value VALUE before running the program", 0 },
	{ "level-prefix", OPT_LEVEL_PREFIX, NULL, 0, "Prepend e.g. <3> to diagnostic messages", 0 },
	{ "unshare-all", OPT_UNSHARE_ALL, NULL, 0, "Unshare every namespace we support by default",
	  0 },
	{ "share-net", OPT_SHARE_NET, NULL, 0,
	  "Retain the network namespace (can only combine with --unshare-all)", 0 },
	{ "unshare-user", OPT_UNSHARE_USER, NULL, 0,
	  "Create new user namespace (may be automatically implied if not setuid)", 0 },
	{ "unshare-user-try", OPT_UNSHARE_USER_TRY, NULL, 0,
	  "Create new user namespace if possible else continue by skipping it", 0 },
	{ "unshare-ipc", OPT_UNSHARE_IPC, NULL, 0, "Create new ipc namespace", 0 },
	{ "unshare-pid", OPT_UNSHARE_PID, NULL, 0, "Create new pid namespace", 0 },
	{ "unshare-net", OPT_UNSHARE_NET, NULL, 0, "Create new network namespace", 0 },
	{ "unshare-uts", OPT_UNSHARE_UTS, NULL, 0, "Create new uts namespace", 0 },
	{ "unshare-cgroup", OPT_UNSHARE_CGROUP, NULL, 0, "Create new cgroup namespace", 0 },
	{ "unshare-cgroup-try", OPT_UNSHARE_CGROUP_TRY, NULL, 0,
	  "Create new cgroup namespace if possible else continue by skipping it", 0 },
	{ "userns", OPT_USERNS, "FD", 0,
	  "Use this user namespace (cannot combine with --unshare-user)", 0 },
	{ "userns2", OPT_USERNS2, "FD", 0,
	  "After setup switch to this user namespace, only useful with --userns", 0 },
	{ "disable-userns", OPT_DISABLE_USERNS, NULL, 0,
	  "Disable further use of user namespaces inside sandbox", 0 },
	{ "assert-userns-disabled", OPT_ASSERT_USERNS_DISABLED, NULL, 0,
	  "Fail unless further use of user namespace inside sandbox is disabled", 0 },
	{ "pidns", OPT_PIDNS, "FD", 0,
	  "Use this pid namespace (as parent namespace if using --unshare-pid)", 0 },
	{ "uid", OPT_UID, "UID", 0,
	  "Custom uid in the sandbox (requires --unshare-user or --userns)", 0 },
	{ "gid", OPT_GID, "GID", 0,
	  "Custom gid in the sandbox (requires --unshare-user or --userns)", 0 },
	{ "hostname", OPT_HOSTNAME, "NAME", 0,
	  "Custom hostname in the sandbox (requires --unshare-uts)", 0 },
	{ "chdir", OPT_CHDIR, "DIR", 0, "Change directory to DIR", 0 },
	{ "clearenv", OPT_CLEARENV, NULL, 0, "Unset all environment variables", 0 },
	{ "setenv", OPT_SETENV, "VAR VALUE", 0, "Set an environment variable", 0 },
	{ "unsetenv", OPT_UNSETENV, "VAR", 0, "Unset an environment variable", 0 },
	{ "lock-file", OPT_LOCK_FILE, "DEST", 0, "Take a lock on DEST while sandbox is running",
	  0 },
	{ "sync-fd", OPT_SYNC_FD, "FD", 0, "Keep this fd open while sandbox is running", 0 },
	{ "bind", OPT_BIND, "SRC DEST", 0, "Bind mount the host path SRC on DEST", 0 },
	{ "bind-try", OPT_BIND_TRY, "SRC DEST", 0, "Equal to --bind but ignores non-existent SRC",
	  0 },
	{ "dev-bind", OPT_DEV_BIND, "SRC DEST", 0,
	  "Bind mount the host path SRC on DEST, allowing device access", 0 },
	{ "dev-bind-try", OPT_DEV_BIND_TRY, "SRC DEST", 0,
	  "Equal to --dev-bind but ignores non-existent SRC", 0 },
	{ "ro-bind", OPT_RO_BIND, "SRC DEST", 0, "Bind mount the host path SRC readonly on DEST",
	  0 },
	{ "ro-bind-try", OPT_RO_BIND_TRY, "SRC DEST", 0,
	  "Equal to --ro-bind but ignores non-existent SRC", 0 },
	{ "bind-fd", OPT_BIND_FD, "FD DEST", 0, "Bind open directory or path fd on DEST", 0 },
	{ "ro-bind-fd", OPT_RO_BIND_FD, "FD DEST", 0,
	  "Bind open directory or path fd read-only on DEST", 0 },
	{ "remount-ro", OPT_REMOUNT_RO, "DEST", 0,
	  "Remount DEST as readonly; does not recursively remount", 0 },
	{ "overlay-src", OPT_OVERLAY_SRC, "SRC", 0, "Read files from SRC in the following overlay",
	  0 },
	{ "overlay", OPT_OVERLAY, "RWSRC WORKDIR DEST", 0,
	  "Mount overlayfs on DEST, with RWSRC as the host path for writes and\n"
	  "WORKDIR an empty directory on the same filesystem as RWSRC",
	  0 },
	{ "tmp-overlay", OPT_TMP_OVERLAY, "DEST", 0,
	  "Mount overlayfs on DEST, with writes going to an invisible tmpfs", 0 },
	{ "ro-overlay", OPT_RO_OVERLAY, "DEST", 0, "Mount overlayfs read-only on DEST", 0 },
	{ "exec-label", OPT_EXEC_LABEL, "LABEL", 0, "Exec label for the sandbox", 0 },
	{ "file-label", OPT_FILE_LABEL, "LABEL", 0, "File label for temporary sandbox content", 0 },
	{ "proc", OPT_PROC, "DEST", 0, "Mount new procfs on DEST", 0 },
	{ "dev", OPT_DEV, "DEST", 0, "Mount new dev on DEST", 0 },
	{ "tmpfs", OPT_TMPFS, "DEST", 0, "Mount new tmpfs on DEST", 0 },
	{ "mqueue", OPT_MQUEUE, "DEST", 0, "Mount new mqueue on DEST", 0 },
	{ "dir", OPT_DIR, "DEST", 0, "Create dir at DEST", 0 },
	{ "file", OPT_FILE, "FD DEST", 0, "Copy from FD to destination DEST", 0 },
	{ "bind-data", OPT_BIND_DATA, "FD DEST", 0,
	  "Copy from FD to file which is bind-mounted on DEST", 0 },
	{ "ro-bind-data", OPT_RO_BIND_DATA, "FD DEST", 0,
	  "Copy from FD to file which is readonly bind-mounted on DEST", 0 },
	{ "symlink", OPT_SYMLINK, "SRC DEST", 0, "Create symlink at DEST with target SRC", 0 },
	{ "seccomp", OPT_SECCOMP, "FD", 0, "Load and use seccomp rules from FD (not repeatable)",
	  0 },
	{ "add-seccomp-fd", OPT_ADD_SECCOMP_FD, "FD", 0,
	  "Load and use seccomp rules from FD (repeatable)", 0 },
	{ "block-fd", OPT_BLOCK_FD, "FD", 0, "Block on FD until some data to read is available",
	  0 },
	{ "userns-block-fd", OPT_USERNS_BLOCK_FD, "FD", 0,
	  "Block on FD until the user namespace is ready", 0 },
	{ "info-fd", OPT_INFO_FD, "FD", 0, "Write information about the running container to FD",
	  0 },
	{ "json-status-fd", OPT_JSON_STATUS_FD, "FD", 0,
	  "Write container status to FD as multiple JSON documents", 0 },
	{ "new-session", OPT_NEW_SESSION, NULL, 0, "Create a new terminal session", 0 },
	{ "die-with-parent", OPT_DIE_WITH_PARENT, NULL, 0,
	  "Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's parent dies.", 0 },
	{ "as-pid-1", OPT_AS_PID_1, NULL, 0, "Do not install a reaper process with PID=1", 0 },
	{ "cap-add", OPT_CAP_ADD, "CAP", 0, "Add cap CAP when running as privileged user", 0 },
	{ "cap-drop", OPT_CAP_DROP, "CAP", 0, "Drop cap CAP when running as privileged user", 0 },
	{ "perms", OPT_PERMS, "OCTAL", 0,
	  "Set permissions of next argument (--bind-data, --file, etc.)", 0 },
	{ "size", OPT_SIZE, "BYTES", 0, "Set size of next argument (only for --tmpfs)", 0 },
	{ "chmod", OPT_CHMOD, "OCTAL PATH", 0, "Change permissions of PATH (must already exist)",
	  0 },
	{ "pass-fd", OPT_PASS_FD, "FD", 0,
	  "Let COMMAND inherit FD (repeatable); other fds above 2 are closed", 0 },
	{ "seccomp-profile", OPT_SECCOMP_PROFILE, "NAME|PATH", 0,
	  "Apply a seccomp profile: a shipped NAME or a PATH (repeatable: merged)", 0 },
	{ "seccomp-allow", OPT_SECCOMP_ALLOW, "SYSCALL", 0,
	  "Allow SYSCALL whatever the profile says (repeatable)", 0 },
	{ "seccomp-deny", OPT_SECCOMP_DENY, "SYSCALL[:ERRNO]", 0,
	  "Make SYSCALL fail with ERRNO, EPERM by default (repeatable)", 0 },
	{ "seccomp-export", OPT_SECCOMP_EXPORT, "FILE", 0,
	  "Write the BPF program of the profile to FILE (for bwrap --seccomp)", 0 },
	{ "seccomp-list", OPT_SECCOMP_LIST, NULL, 0, "List the shipped seccomp profiles", 0 },
	{ "seccomp-show", OPT_SECCOMP_SHOW, "NAME|PATH", 0,
	  "Print the effective rules of a seccomp profile", 0 },
	{ "host-uid", OPT_HOST_UID, "UID", 0,
	  "Root only: the host uid the sandbox's ids map to (default: the caller's, 0)", 0 },
	{ "host-gid", OPT_HOST_GID, "GID", 0,
	  "Root only: the host gid the sandbox's ids map to (default: the caller's, 0)", 0 },
	{ 0 },
};

/* One argv being parsed: the command line, or the words read by --args. */
struct level {
	char **argv;
	int argc;
	int word;    /* index of the word the next option starts at */
	bool nested; /* the words of --args */
};

/* What the parser carries from one option to the next (CONVENTIONS: modifiers live here). */
struct parse_ctx {
	struct config *cfg;
	struct error *err;
	struct level *lv;
	const char *argv0;
	int next_perms;	    /* --perms waiting for its option, or -1 */
	uint64_t next_size; /* --size waiting for --tmpfs, or 0 */
	unsigned layers;    /* --overlay-src layers waiting for their overlay */
	char **cmd;	    /* first word of the command, in the top-level argv */
	int cmd_argc;
	bool failed;
	bool exit_now;
	int exit_status;
};

#define IS_BWRAP   (face->id == FACE_BWRAP)
#define ARGP_FLAGS (ARGP_IN_ORDER | ARGP_NO_HELP | ARGP_NO_ERRS | ARGP_NO_EXIT)

static const struct argp parser_argp;

__attribute__((format(printf, 2, 3))) static int fail(struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err->msg, sizeof(ctx->err->msg), fmt, ap);
	va_end(ap);
	ctx->err->exit_code = 0;
	ctx->failed = true;
	return -1;
}

static const struct argp_option *option_by_key(int key)
{
	const struct argp_option *o;

	for (o = option_table; o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static const struct argp_option *option_by_word(const char *word)
{
	const struct argp_option *o;

	if (strncmp(word, "--", 2) != 0)
		return NULL;
	for (o = option_table; o->name; o++)
		if (strcmp(word + 2, o->name) == 0)
			return o->key >= OPT_HUTCH_ONLY && IS_BWRAP ? NULL : o;
	return NULL;
}

/* The number of words after the option: one per name in `arg`. */
static int option_nargs(const struct argp_option *o)
{
	const char *p;
	int n;

	if (!o->arg)
		return 0;
	for (n = 1, p = o->arg; *p; p++)
		n += *p == ' ';
	return n;
}

static void own(struct config *cfg, void *p)
{
	unsigned n = cfg->n_owned;

	/* Grow at 0, 4, 8, 16...: the capacity is the next power of two, at least 4. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		cfg->owned = xrealloc(cfg->owned, (n ? 2 * n : 4) * sizeof(*cfg->owned));
	cfg->owned[cfg->n_owned++] = p;
}

static void int_list_push(struct int_list *l, int v)
{
	if (l->n == 0 || (l->n >= 4 && (l->n & (l->n - 1)) == 0))
		l->v = xrealloc(l->v, (l->n ? 2 * l->n : 4) * sizeof(*l->v));
	l->v[l->n++] = v;
}

static void env_push(struct config *cfg, enum env_op_type type, const char *name, const char *value)
{
	struct env_op *e = xcalloc(1, sizeof(*e));

	e->type = type;
	e->name = name;
	e->value = value;
	if (cfg->env_tail)
		cfg->env_tail->next = e;
	else
		cfg->env_head = e;
	cfg->env_tail = e;
}

/* Prints `doc`, indenting continuation lines; the hutch face names itself where bubblewrap's
 * text says "bwrap". */
static void print_doc(FILE *out, const char *doc)
{
	const char *p;

	for (p = doc; *p; p++) {
		if (*p == '\n') {
			fprintf(out, "\n%33s", "");
		} else if (!IS_BWRAP && strncmp(p, "bwrap", 5) == 0) {
			fputs(face->prog, out);
			p += 4;
		} else {
			fputc(*p, out);
		}
	}
	fputc('\n', out);
}

static void print_usage(FILE *out, const char *argv0)
{
	const struct argp_option *o;

	if (IS_BWRAP)
		fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n",
			argv0 ? argv0 : "bwrap");
	else
		fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", face->prog);
	for (o = option_table; o->name; o++) {
		char left[64];

		if (o->key >= OPT_HUTCH_ONLY && IS_BWRAP)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "    %-28s ", left);
		print_doc(out, o->doc);
	}
	fflush(out);
}

static int unknown_option(struct parse_ctx *ctx, const char *word)
{
	if (IS_BWRAP)
		return fail(ctx, "Unknown option %s", word);
	return fail(ctx, "unknown option '%s'\nhint: run '%s --help' for the list of options", word,
		    face->prog);
}

static const char overlay_src_msg[] = "--overlay-src must be followed by another --overlay-src "
				      "or one of --overlay, --tmp-overlay, or --ro-overlay";

static int missing_args(struct parse_ctx *ctx, const struct argp_option *o)
{
	static const char *const count[] = { "", "an argument", "two arguments",
					     "three arguments" };
	int n = option_nargs(o);

	if (!IS_BWRAP)
		return fail(ctx, "--%s: missing argument (usage: --%s %s)", o->name, o->name,
			    o->arg);
	switch (o->key) {
	case OPT_ARGS:
		if (ctx->lv->nested)
			return fail(ctx, "--args not supported in arguments file");
		break;
	case OPT_CHDIR:
	case OPT_ARGV0:
	case OPT_REMOUNT_RO:
		return fail(ctx, "--%s takes one argument", o->name);
	case OPT_RO_BIND_FD:
		/* bubblewrap shares the --bind-fd text */
		return fail(ctx, "--bind-fd takes two arguments");
	case OPT_OVERLAY_SRC:
		/* bubblewrap 0.11 does not count --overlay-src's argument; it ends up here */
		return fail(ctx, "%s", overlay_src_msg);
	default:
		break;
	}
	return fail(ctx, "--%s takes %s", o->name, count[n]);
}

static void warn_only_last(const char *name)
{
	if (IS_BWRAP)
		warn("Only the last --%s option will take effect", name);
	else
		warn("warning: only the last --%s takes effect", name);
}

static int parse_fd(struct parse_ctx *ctx, const struct argp_option *o, const char *s, int *out)
{
	long v;

	if (parse_int(s, 0, INT_MAX, &v) < 0) {
		if (IS_BWRAP)
			return fail(ctx, "Invalid fd: %s", s);
		return fail(ctx, "--%s: invalid file descriptor '%s': expected a number 0..%d",
			    o->name, s, INT_MAX);
	}
	*out = (int)v;
	return 0;
}

/* An fd option that keeps only its last value, warning like bubblewrap when repeated. */
static int parse_fd_once(struct parse_ctx *ctx, const struct argp_option *o, const char *s,
			 int *field)
{
	if (*field != -1)
		warn_only_last(o->name);
	return parse_fd(ctx, o, s, field);
}

static int parse_id(struct parse_ctx *ctx, const struct argp_option *o, const char *s,
		    uint32_t *out)
{
	long v;

	/* (uid_t)-1 means "unchanged" to setresuid(2), so it is not a valid id. */
	if (parse_int(s, 0, (long)UINT32_MAX - 1, &v) < 0) {
		if (IS_BWRAP)
			return fail(ctx, "Invalid %s: %s", o->name, s);
		return fail(ctx, "--%s: invalid %s '%s': expected a number 0..%lu", o->name,
			    o->name, s, (unsigned long)UINT32_MAX - 1);
	}
	*out = (uint32_t)v;
	return 0;
}

/* Octal 0..07777, digits only (bubblewrap uses strtoul base 8, which also takes spaces and
 * signs; nobody relies on that). */
static int parse_mode(struct parse_ctx *ctx, const struct argp_option *o, const char *s, int *out)
{
	const char *p;
	int v = 0;

	for (p = s; *p >= '0' && *p <= '7' && v <= 07777; p++)
		v = v * 8 + (*p - '0');
	if (p == s || *p || v > 07777) {
		if (IS_BWRAP)
			return fail(ctx, "--%s takes an octal argument <= 07777", o->name);
		return fail(ctx, "--%s: invalid octal mode '%s': expected 0..07777", o->name, s);
	}
	*out = v;
	return 0;
}

/* tmpfs sizes are capped at half the address space, as bubblewrap does, to stay clear of
 * the kernel's own limits. */
#define MAX_TMPFS_BYTES ((uint64_t)(SIZE_MAX >> 1))

static int parse_tmpfs_size(struct parse_ctx *ctx, const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int bad;

	if (IS_BWRAP) {
		/* bubblewrap: strtoull base 0, so 0x10 and 010 (octal) are sizes too. */
		char *end = NULL;

		errno = 0;
		v = strtoull(s, &end, 0);
		bad = errno || !isdigit((unsigned char)s[0]) || !end || *end || v == 0;
		if (bad)
			return fail(ctx, "--size takes a non-zero number of bytes");
		if (v > MAX_TMPFS_BYTES)
			return fail(ctx, "--size (for tmpfs) is limited to %zu",
				    (size_t)MAX_TMPFS_BYTES);
	} else {
		if (parse_size(s, &v) < 0 || v == 0)
			return fail(ctx,
				    "--size: invalid size '%s': expected a non-zero number of "
				    "bytes, optionally with a k, m, g or t suffix",
				    s);
		if (v > MAX_TMPFS_BYTES)
			return fail(ctx, "--size: size '%s' is too large: at most %zu bytes", s,
				    (size_t)MAX_TMPFS_BYTES);
	}
	*out = v;
	return 0;
}

static int parse_cap(struct parse_ctx *ctx, const struct argp_option *o, const char *name)
{
	struct config *cfg = ctx->cfg;
	int cap = caps_parse_name(name, ctx->err);

	if (cap == -1) {
		char msg[sizeof(ctx->err->msg)];

		/* caps_parse_name wrote err->msg: copy it out before rewriting it. */
		snprintf(msg, sizeof(msg), "%s", ctx->err->msg);
		if (IS_BWRAP)
			return fail(ctx, "%s", msg);
		return fail(ctx, "--%s: %s", o->name, msg);
	}
	/* bubblewrap's rule: the options apply in order; see caps_keep_initial in options.h. */
	cfg->caps_explicit = true;
	if (o->key == OPT_CAP_ADD) {
		/* ALL: every bit; the planner keeps those this kernel knows. */
		cfg->caps |= cap == -2 ? UINT64_MAX : UINT64_C(1) << cap;
	} else if (cap == -2) {
		cfg->caps = 0;
		cfg->caps_keep_initial = 0;
	} else {
		cfg->caps &= ~(UINT64_C(1) << cap);
		cfg->caps_keep_initial &= ~(UINT64_C(1) << cap);
	}
	return 0;
}

/* The mode of an op that creates a file: a waiting --perms, else bubblewrap's historical
 * default for that op. */
static int take_perms(struct parse_ctx *ctx, int dflt)
{
	int perms = ctx->next_perms >= 0 ? ctx->next_perms : dflt;

	ctx->next_perms = -1;
	return perms;
}

static struct setup_op *add_op(struct parse_ctx *ctx, enum setup_op_type type,
			       const struct argp_option *o, const char *src, const char *dest)
{
	struct setup_op *op = setup_list_append(&ctx->cfg->ops, type, o->name);

	op->src = src;
	op->dest = dest;
	return op;
}

/* takes_perms: the op takes a --perms given before it (else dflt_perms, which may be
 * SETUP_PERMS_UNSET: the executor decides, as for --file, whose default is the face's). */
static int add_fd_op(struct parse_ctx *ctx, enum setup_op_type type, const struct argp_option *o,
		     const char *fd, const char *dest, bool takes_perms, int dflt_perms)
{
	struct setup_op *op;
	int v;

	if (parse_fd(ctx, o, fd, &v) < 0)
		return -1;
	op = add_op(ctx, type, o, NULL, dest);
	op->fd = v;
	if (takes_perms)
		op->perms = take_perms(ctx, dflt_perms);
	return 0;
}

static int overlay_needs(struct parse_ctx *ctx, const struct argp_option *o, unsigned n)
{
	if (ctx->layers >= n)
		return 0;
	if (IS_BWRAP)
		return fail(ctx, "--%s requires at least %s --overlay-src", o->name,
			    n == 1 ? "one" : "two");
	return fail(ctx, "--%s: needs at least %s --overlay-src layer%s before it", o->name,
		    n == 1 ? "one" : "two", n == 1 ? "" : "s");
}

static int parse_args_fd(struct parse_ctx *ctx, const struct argp_option *o, const char *s);

static int handle(struct parse_ctx *ctx, const struct argp_option *o, const char **a)
{
	struct config *cfg = ctx->cfg;
	struct setup_op *op;
	uint32_t id;

	switch (o->key) {
	case OPT_HELP:
		print_usage(stdout, ctx->argv0);
		ctx->exit_now = true;
		ctx->exit_status = 0;
		return 0;
	case OPT_VERSION:
		if (IS_BWRAP)
			printf("bubblewrap " BWRAP_COMPAT_VERSION " (hutch " PACKAGE_VERSION ")\n");
		else
			printf("hutch " PACKAGE_VERSION "\n");
		fflush(stdout);
		ctx->exit_now = true;
		ctx->exit_status = 0;
		return 0;
	case OPT_ARGS:
		return parse_args_fd(ctx, o, a[0]);
	case OPT_ARGV0:
		if (cfg->argv0)
			return IS_BWRAP ? fail(ctx, "--argv0 used multiple times") :
					  fail(ctx, "--argv0: given twice");
		cfg->argv0 = a[0];
		return 0;
	case OPT_LEVEL_PREFIX:
		/* Takes effect at once, like bubblewrap's: later messages carry the level. */
		cfg->level_prefix = true;
		util_set_level_prefix(true);
		return 0;
	case OPT_UNSHARE_ALL:
		/* The -try variants for user and cgroup: kernels without them still work. */
		if (cfg->unshare_user == NS_NO)
			cfg->unshare_user = NS_TRY;
		if (cfg->unshare_cgroup == NS_NO)
			cfg->unshare_cgroup = NS_TRY;
		cfg->unshare_ipc = cfg->unshare_pid = cfg->unshare_net = cfg->unshare_uts = true;
		return 0;
	case OPT_SHARE_NET:
		cfg->unshare_net = false;
		return 0;
	case OPT_UNSHARE_USER:
		cfg->unshare_user = NS_YES;
		return 0;
	case OPT_UNSHARE_USER_TRY:
		if (cfg->unshare_user == NS_NO)
			cfg->unshare_user = NS_TRY;
		return 0;
	case OPT_UNSHARE_IPC:
		cfg->unshare_ipc = true;
		return 0;
	case OPT_UNSHARE_PID:
		cfg->unshare_pid = true;
		return 0;
	case OPT_UNSHARE_NET:
		cfg->unshare_net = true;
		return 0;
	case OPT_UNSHARE_UTS:
		cfg->unshare_uts = true;
		return 0;
	case OPT_UNSHARE_CGROUP:
		cfg->unshare_cgroup = NS_YES;
		return 0;
	case OPT_UNSHARE_CGROUP_TRY:
		if (cfg->unshare_cgroup == NS_NO)
			cfg->unshare_cgroup = NS_TRY;
		return 0;
	case OPT_USERNS:
		return parse_fd_once(ctx, o, a[0], &cfg->userns_fd);
	case OPT_USERNS2:
		return parse_fd_once(ctx, o, a[0], &cfg->userns2_fd);
	case OPT_DISABLE_USERNS:
		cfg->disable_userns = true;
		return 0;
	case OPT_ASSERT_USERNS_DISABLED:
		cfg->assert_userns_disabled = true;
		return 0;
	case OPT_PIDNS:
		return parse_fd_once(ctx, o, a[0], &cfg->pidns_fd);
	case OPT_UID:
		if (cfg->uid_set)
			warn_only_last(o->name);
		if (parse_id(ctx, o, a[0], &id) < 0)
			return -1;
		cfg->uid = id;
		cfg->uid_set = true;
		return 0;
	case OPT_GID:
		if (cfg->gid_set)
			warn_only_last(o->name);
		if (parse_id(ctx, o, a[0], &id) < 0)
			return -1;
		cfg->gid = id;
		cfg->gid_set = true;
		return 0;
	case OPT_HOSTNAME:
		if (cfg->hostname)
			warn_only_last(o->name);
		cfg->hostname = a[0];
		return 0;
	case OPT_CHDIR:
		if (cfg->chdir_path)
			warn_only_last(o->name);
		cfg->chdir_path = a[0];
		return 0;
	case OPT_CLEARENV:
		env_push(cfg, ENV_CLEAR, NULL, NULL);
		return 0;
	case OPT_SETENV:
		env_push(cfg, ENV_SET, a[0], a[1]);
		return 0;
	case OPT_UNSETENV:
		env_push(cfg, ENV_UNSET, a[0], NULL);
		return 0;
	case OPT_LOCK_FILE:
		add_op(ctx, SETUP_LOCK_FILE, o, NULL, a[0]);
		return 0;
	case OPT_SYNC_FD:
		return parse_fd_once(ctx, o, a[0], &cfg->sync_fd);
	case OPT_BIND:
	case OPT_BIND_TRY:
		op = add_op(ctx, SETUP_BIND, o, a[0], a[1]);
		op->flags = o->key == OPT_BIND_TRY ? SETUP_FLAG_ALLOW_MISSING : 0;
		return 0;
	case OPT_DEV_BIND:
	case OPT_DEV_BIND_TRY:
		op = add_op(ctx, SETUP_DEV_BIND, o, a[0], a[1]);
		op->flags = o->key == OPT_DEV_BIND_TRY ? SETUP_FLAG_ALLOW_MISSING : 0;
		return 0;
	case OPT_RO_BIND:
	case OPT_RO_BIND_TRY:
		op = add_op(ctx, SETUP_RO_BIND, o, a[0], a[1]);
		op->flags = o->key == OPT_RO_BIND_TRY ? SETUP_FLAG_ALLOW_MISSING : 0;
		return 0;
	case OPT_BIND_FD:
		return add_fd_op(ctx, SETUP_BIND_FD, o, a[0], a[1], false, -1);
	case OPT_RO_BIND_FD:
		return add_fd_op(ctx, SETUP_RO_BIND_FD, o, a[0], a[1], false, -1);
	case OPT_REMOUNT_RO:
		add_op(ctx, SETUP_REMOUNT_RO, o, NULL, a[0]);
		return 0;
	case OPT_OVERLAY_SRC:
		/* Layers stay in command-line order (bottom first) right before their overlay. */
		add_op(ctx, SETUP_OVERLAY_SRC, o, a[0], NULL);
		ctx->layers++;
		return 0;
	case OPT_OVERLAY:
		if (overlay_needs(ctx, o, 1) < 0)
			return -1;
		op = add_op(ctx, SETUP_OVERLAY, o, a[0], a[2]);
		op->workdir = a[1];
		ctx->layers = 0;
		return 0;
	case OPT_TMP_OVERLAY:
		if (overlay_needs(ctx, o, 1) < 0)
			return -1;
		add_op(ctx, SETUP_TMP_OVERLAY, o, NULL, a[0]);
		ctx->layers = 0;
		return 0;
	case OPT_RO_OVERLAY:
		if (overlay_needs(ctx, o, 2) < 0)
			return -1;
		add_op(ctx, SETUP_RO_OVERLAY, o, NULL, a[0]);
		ctx->layers = 0;
		return 0;
	case OPT_EXEC_LABEL:
		if (cfg->exec_label)
			warn_only_last(o->name);
		cfg->exec_label = a[0];
		return 0;
	case OPT_FILE_LABEL:
		if (cfg->file_label)
			warn_only_last(o->name);
		/* It goes into mount(2)'s option string in double quotes: a quote (or a control
		 * character) could end it there and add options of its own. No SELinux context
		 * holds either. */
		for (const char *c = a[0]; *c; c++)
			if (*c == '"' || iscntrl((unsigned char)*c))
				return fail(ctx,
					    IS_BWRAP ?
						    "Invalid --file-label %s: quotes and control "
						    "characters are not allowed" :
						    "--file-label: invalid SELinux label '%s': it "
						    "holds a quote or a control character",
					    a[0]);
		cfg->file_label = a[0];
		return 0;
	case OPT_PROC:
		add_op(ctx, SETUP_PROC, o, NULL, a[0]);
		return 0;
	case OPT_DEV:
		add_op(ctx, SETUP_DEV, o, NULL, a[0]);
		return 0;
	case OPT_TMPFS:
		op = add_op(ctx, SETUP_TMPFS, o, NULL, a[0]);
		op->perms = take_perms(ctx, 0755);
		op->size = ctx->next_size;
		ctx->next_size = 0;
		return 0;
	case OPT_MQUEUE:
		add_op(ctx, SETUP_MQUEUE, o, NULL, a[0]);
		return 0;
	case OPT_DIR:
		op = add_op(ctx, SETUP_DIR, o, NULL, a[0]);
		op->perms = take_perms(ctx, 0755);
		return 0;
	case OPT_FILE:
		return add_fd_op(ctx, SETUP_FILE, o, a[0], a[1], true, SETUP_PERMS_UNSET);
	case OPT_BIND_DATA:
		/* 0600: what mkstemp() gave before --perms existed */
		return add_fd_op(ctx, SETUP_BIND_DATA, o, a[0], a[1], true, 0600);
	case OPT_RO_BIND_DATA:
		return add_fd_op(ctx, SETUP_RO_BIND_DATA, o, a[0], a[1], true, 0600);
	case OPT_SYMLINK:
		add_op(ctx, SETUP_SYMLINK, o, a[0], a[1]);
		return 0;
	case OPT_SECCOMP: {
		int fd;

		if (cfg->seccomp_fds.n > 0 && !cfg->seccomp_legacy)
			return fail(ctx,
				    IS_BWRAP ?
					    "--seccomp cannot be combined with --add-seccomp-fd" :
					    "--seccomp: cannot be combined with "
					    "--add-seccomp-fd");
		if (cfg->seccomp_legacy)
			warn_only_last(o->name);
		if (parse_fd(ctx, o, a[0], &fd) < 0)
			return -1;
		if (cfg->seccomp_legacy)
			cfg->seccomp_fds.v[0] = fd;
		else
			int_list_push(&cfg->seccomp_fds, fd);
		cfg->seccomp_legacy = true;
		return 0;
	}
	case OPT_ADD_SECCOMP_FD: {
		int fd;

		if (cfg->seccomp_legacy)
			return fail(ctx,
				    IS_BWRAP ?
					    "--add-seccomp-fd cannot be combined with --seccomp" :
					    "--add-seccomp-fd: cannot be combined with "
					    "--seccomp");
		if (parse_fd(ctx, o, a[0], &fd) < 0)
			return -1;
		int_list_push(&cfg->seccomp_fds, fd);
		return 0;
	}
	case OPT_BLOCK_FD:
		return parse_fd_once(ctx, o, a[0], &cfg->block_fd);
	case OPT_USERNS_BLOCK_FD:
		return parse_fd_once(ctx, o, a[0], &cfg->userns_block_fd);
	case OPT_INFO_FD:
		return parse_fd_once(ctx, o, a[0], &cfg->info_fd);
	case OPT_JSON_STATUS_FD:
		return parse_fd_once(ctx, o, a[0], &cfg->json_status_fd);
	case OPT_NEW_SESSION:
		cfg->new_session = true;
		return 0;
	case OPT_DIE_WITH_PARENT:
		cfg->die_with_parent = true;
		return 0;
	case OPT_AS_PID_1:
		cfg->as_pid_1 = true;
		return 0;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		return parse_cap(ctx, o, a[0]);
	case OPT_PERMS:
		if (ctx->next_perms != -1)
			return fail(ctx, IS_BWRAP ? "--perms given twice for the same action" :
						    "--perms: given twice before the same option");
		return parse_mode(ctx, o, a[0], &ctx->next_perms);
	case OPT_SIZE:
		if (ctx->next_size != 0)
			return fail(ctx, IS_BWRAP ? "--size given twice for the same action" :
						    "--size: given twice before the same --tmpfs");
		return parse_tmpfs_size(ctx, a[0], &ctx->next_size);
	case OPT_CHMOD: {
		int mode;

		if (parse_mode(ctx, o, a[0], &mode) < 0)
			return -1;
		op = add_op(ctx, SETUP_CHMOD, o, NULL, a[1]);
		op->perms = mode;
		return 0;
	}
	case OPT_SECCOMP_PROFILE:
		seccomp_request_add_profile(&cfg->seccomp_req, a[0]);
		return 0;
	case OPT_SECCOMP_ALLOW:
		seccomp_request_add_adjust(&cfg->seccomp_req, SECCOMP_ADJUST_ALLOW, a[0]);
		return 0;
	case OPT_SECCOMP_DENY:
		seccomp_request_add_adjust(&cfg->seccomp_req, SECCOMP_ADJUST_DENY, a[0]);
		return 0;
	case OPT_SECCOMP_EXPORT:
		cfg->seccomp_export = a[0];
		return 0;
	case OPT_SECCOMP_LIST:
	case OPT_SECCOMP_SHOW: {
		struct seccomp_request req = { 0 };
		int r;

		if (o->key == OPT_SECCOMP_LIST) {
			r = seccomp_request_list(stdout, NULL, ctx->err);
		} else {
			seccomp_request_add_profile(&req, a[0]);
			r = seccomp_request_show(stdout, &req, ctx->err);
			seccomp_request_free(&req);
		}
		if (r < 0) {
			ctx->failed = true;
			return -1;
		}
		ctx->exit_now = true;
		ctx->exit_status = 0;
		return 0;
	}
	case OPT_PASS_FD: {
		int fd;

		if (parse_fd(ctx, o, a[0], &fd) < 0)
			return -1;
		int_list_push(&cfg->pass_fds, fd);
		return 0;
	}
	case OPT_HOST_UID:
	case OPT_HOST_GID:
		if (parse_id(ctx, o, a[0], &id) < 0)
			return -1;
		if (o->key == OPT_HOST_UID) {
			cfg->host_uid = id;
			cfg->host_uid_set = true;
		} else {
			cfg->host_gid = id;
			cfg->host_gid_set = true;
		}
		return 0;
	default:
		return fail(ctx, "internal error: option --%s has no handler", o->name);
	}
}

/* bubblewrap checks after every option but a modifier that the modifiers found their
 * option; `next` is the option that followed them, or NULL for the command. */
static int check_modifiers(struct parse_ctx *ctx, const char *next)
{
	const char *what = next ? next : "the command";
	const char *dash = next ? "--" : "";

	if (ctx->next_perms >= 0) {
		if (IS_BWRAP)
			return fail(ctx,
				    "--perms must be followed by an option that creates a file");
		return fail(ctx,
			    "--perms: must be followed by an option that creates a file (--dir, "
			    "--file, --bind-data, --ro-bind-data, --tmpfs), not by %s%s",
			    dash, what);
	}
	if (ctx->next_size != 0) {
		if (IS_BWRAP)
			return fail(ctx, "--size must be followed by --tmpfs");
		return fail(ctx, "--size: must be followed by --tmpfs, not by %s%s", dash, what);
	}
	return 0;
}

static int check_layers(struct parse_ctx *ctx, const char *next)
{
	if (ctx->layers == 0)
		return 0;
	if (IS_BWRAP)
		return fail(ctx, "%s", overlay_src_msg);
	return fail(ctx,
		    "--overlay-src: must be followed by another --overlay-src or by --overlay, "
		    "--tmp-overlay or --ro-overlay, not by %s%s",
		    next ? "--" : "", next ? next : "the command");
}

static int on_option(struct parse_ctx *ctx, struct argp_state *state, int key, char *arg)
{
	const struct argp_option *o = option_by_key(key);
	struct level *lv = ctx->lv;
	const char *word = lv->argv[lv->word];
	const char *a[3] = { arg, NULL, NULL };
	int i, n;

	/* getopt accepts unambiguous abbreviations and --opt=value; bubblewrap neither. */
	if (!o || option_by_word(word) != o)
		return unknown_option(ctx, word);
	n = option_nargs(o);
	for (i = 1; i < n; i++) {
		if (state->next >= state->argc)
			return missing_args(ctx, o);
		a[i] = state->argv[state->next++];
	}
	if (handle(ctx, o, a) < 0)
		return -1;
	if (ctx->exit_now)
		return 0;
	if (key != OPT_PERMS && key != OPT_SIZE && check_modifiers(ctx, o->name) < 0)
		return -1;
	if (key != OPT_OVERLAY_SRC && check_layers(ctx, o->name) < 0)
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
		if (IS_BWRAP)
			return 0;
		return fail(ctx,
			    "--args: unexpected '%s' among the arguments read from the fd: the "
			    "command must be on the command line",
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
	const struct argp_option *o = option_by_word(word);

	if (o && o->arg)
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

static const struct argp parser_argp = {
	.options = option_table,
	.parser = parser_cb,
};

/* --args FD: the NUL-separated words in FD are parsed as if they stood here. bubblewrap
 * allows no --args among them, so this recurses exactly once. */
static int parse_args_fd(struct parse_ctx *ctx, const struct argp_option *o, const char *s)
{
	struct level sub = { .word = 1, .nested = true };
	struct level *saved = ctx->lv;
	char *data = NULL, *p, *end, **words;
	size_t len = 0;
	int fd, n, r;

	if (ctx->lv->nested)
		return fail(ctx, IS_BWRAP ?
					 "--args not supported in arguments file" :
					 "--args: not allowed among the arguments read by --args");
	if (parse_fd(ctx, o, s, &fd) < 0)
		return -1;
	if (read_all_fd(fd, &data, &len) < 0) {
		int e = errno;

		ctx->failed = true;
		if (IS_BWRAP)
			return error_set_errno(ctx->err, e, "Can't read --args data");
		return error_set_errno(ctx->err, e,
				       "cannot read the arguments of --args from fd %d", fd);
	}
	/* The words now live in `data`; the fd must not leak into the sandbox. */
	close(fd);
	own(ctx->cfg, data);

	/* read_all_fd NUL-terminates, so the last word ends even without a trailing NUL. */
	end = data + len;
	for (n = 0, p = data; p < end; p += strlen(p) + 1)
		n++;
	words = xcalloc((size_t)n + 2, sizeof(*words));
	own(ctx->cfg, words);
	words[0] = (char *)(ctx->argv0 ? ctx->argv0 : face->prog);
	for (n = 0, p = data; p < end; p += strlen(p) + 1)
		words[++n] = p;

	sub.argv = words;
	sub.argc = n + 1;
	ctx->lv = &sub;
	r = argp_parse(&parser_argp, sub.argc, sub.argv, ARGP_FLAGS, NULL, ctx);
	ctx->lv = saved;
	if (ctx->failed || ctx->exit_now)
		return ctx->failed ? -1 : 0;
	if (r)
		return fail(ctx, "cannot parse the arguments of --args: %s", strerror(r));
	return 0;
}

int options_parse(struct config *cfg, int argc, char **argv, int *exit_now, struct error *err)
{
	struct level top = { .argv = argv, .argc = argc, .word = 1 };
	struct parse_ctx ctx = {
		.cfg = cfg,
		.err = err,
		.lv = &top,
		.argv0 = argc > 0 ? argv[0] : NULL,
		.next_perms = -1,
	};
	char **cmd;
	int r;

	*exit_now = 0;
	err->exit_code = 0;
	err->msg[0] = '\0';
	if (argc < 1 || !argv)
		return fail(&ctx, "no arguments at all, not even the program name");

	r = argp_parse(&parser_argp, argc, argv, ARGP_FLAGS, NULL, &ctx);
	if (ctx.exit_now) {
		*exit_now = 1;
		err->exit_code = ctx.exit_status;
		return 0;
	}
	if (ctx.failed)
		return -1;
	if (r)
		return fail(&ctx, "cannot parse the command line: %s", strerror(r));

	/* bubblewrap checks only --overlay-src here; a --perms or --size left before the
	 * command it silently ignores, which the hutch face reports instead. */
	if (check_layers(&ctx, NULL) < 0)
		return -1;
	if (!IS_BWRAP && check_modifiers(&ctx, NULL) < 0)
		return -1;

	if (ctx.cmd_argc < 1 && cfg->seccomp_export) {
		/* --seccomp-export without a command: write the program and stop there */
		*exit_now = 1;
		err->exit_code = 0;
		return 0;
	}
	if (ctx.cmd_argc < 1) {
		if (IS_BWRAP) {
			/* bubblewrap prints its usage on stderr and exits 1 */
			print_usage(stderr, ctx.argv0);
			*exit_now = 1;
			err->exit_code = face->exit_usage;
			return 0;
		}
		return fail(&ctx, "no command given\nhint: run '%s --help' for the list of options",
			    face->prog);
	}
	cmd = xcalloc((size_t)ctx.cmd_argc + 1, sizeof(*cmd));
	memcpy(cmd, ctx.cmd, (size_t)ctx.cmd_argc * sizeof(*cmd));
	own(cfg, cmd);
	cfg->argv = cmd;
	cfg->argc = ctx.cmd_argc;
	return 0;
}

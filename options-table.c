/* options-table: every option of both faces as one row of data, and the handlers of the few
 * whose behaviour fits no generic kind. Pure; called by the parser (options.c) in the parent. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "options-table.h"
#include "seccomp-request.h"

/* offsetof(struct config, f), and a compile error unless f has type T: a row cannot point a
 * kind at a field of another type. */
#define CFG(f, T) \
	(offsetof(struct config, f) + 0 * sizeof(_Generic(((struct config *)0)->f, T : 1)))

/* The kinds, as row fields (options-table.h says what each does). */
#define CALL(fn)       .kind = OPTION_CALL, .call = (fn)
#define SET_BOOL(f, v) .kind = OPTION_SET_BOOL, .field = CFG(f, bool), .value = (v)
#define SET_NS(f, v)   .kind = OPTION_SET_NS, .field = CFG(f, enum ns_req), .value = (v)
/* bubblewrap keeps one fd per such option: repeated, the last wins after a warning. */
#define FD_ONCE(f)     .kind = OPTION_FD, .field = CFG(f, int), .flags = OPTION_LAST_WINS
#define FD_LIST(f)     .kind = OPTION_FD_LIST, .field = CFG(f, struct int_list)
#define STRING(f)      .kind = OPTION_STRING, .field = CFG(f, const char *)
#define STRING_ONCE(f) STRING(f), .flags = OPTION_LAST_WINS
#define ID(f)	       .kind = OPTION_ID, .field = CFG(f, uint32_t), .field_set = CFG(f##_set, bool)
#define ID_ONCE(f)     ID(f), .flags = OPTION_LAST_WINS
#define ENV(t)	       .kind = OPTION_ENV, .value = (t)
/* A setup op; the roles name what each argument becomes, in order. */
#define OP(t, ...) .kind = OPTION_SETUP_OP, .op.type = (t), .op.role = { __VA_ARGS__ }
#define TRY	   .op.setup_flags = SETUP_FLAG_ALLOW_MISSING
/* Takes a --perms given before it, else this mode (bubblewrap's historical default). */
#define PERMS(mode) .op.takes_perms = true, .op.perms = (mode)
#define SIZE	    .op.takes_size = true
#define LAYERS(n)   .op.layers = (n)
/* Stands for ordinary options, expanded in place (shortcuts.c says which). */
#define SHORTCUT CALL(options_expand_shortcut)

static int opt_help(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	options_print_usage(stdout, ctx->argv0);
	ctx->exit_now = true;
	ctx->exit_status = 0;
	return 0;
}

static int opt_version(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	options_print_version();
	ctx->exit_now = true;
	ctx->exit_status = 0;
	return 0;
}

/* --join is a mode of its own that main() takes before the parser (join.c); here it came
 * after other options, which it cannot take. */
static int opt_join(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	return options_fail(ctx, "--join must be the first option and takes no other: hutch "
				 "--join PID [--] COMMAND [ARG...]");
}

/* --check: the diagnosis runs in main() (check.c), after the parse; nothing after it counts. */
static int opt_check(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	ctx->cfg->check = true;
	ctx->exit_now = true;
	ctx->exit_status = 0;
	return 0;
}

static int opt_argv0(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	if (ctx->cfg->argv0)
		return options_fail(ctx, msg(MSG_ARGV0_TWICE));
	ctx->cfg->argv0 = a[0];
	return 0;
}

static int opt_level_prefix(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	/* Takes effect at once, like bubblewrap's: later messages carry the level. */
	ctx->cfg->level_prefix = true;
	util_set_level_prefix(true);
	return 0;
}

static int opt_unshare_all(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct config *cfg = ctx->cfg;

	(void)o;
	(void)a;
	/* The -try variants for user and cgroup: kernels without them still work. */
	if (cfg->unshare_user == NS_NO)
		cfg->unshare_user = NS_TRY;
	if (cfg->unshare_cgroup == NS_NO)
		cfg->unshare_cgroup = NS_TRY;
	cfg->unshare_ipc = cfg->unshare_pid = cfg->unshare_net = cfg->unshare_uts = true;
	return 0;
}

static int opt_file_label(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	if (ctx->cfg->file_label)
		options_warn_only_last(o->name);
	/* It goes into mount(2)'s option string in double quotes: a quote (or a control
	 * character) could end it there and add options of its own. No SELinux context
	 * holds either. */
	for (const char *c = a[0]; *c; c++)
		if (*c == '"' || iscntrl((unsigned char)*c))
			return options_fail(ctx, msg(MSG_FILE_LABEL_QUOTE), a[0]);
	ctx->cfg->file_label = a[0];
	return 0;
}

/* --landlock, --landlock-try, --no-landlock: the last one wins, like the shortcut's. */
static int opt_landlock(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)a;
	ctx->cfg->landlock = (enum landlock_req)o->value;
	ctx->cfg->landlock_origin = ctx->lv->shortcut;
	return 0;
}

static int opt_landlock_path(struct parse_ctx *ctx, const struct option_row *o,
			     const char *const *a)
{
	struct config *cfg = ctx->cfg;

	cfg->landlock_paths = xrealloc(cfg->landlock_paths,
				       (cfg->n_landlock_paths + 1) * sizeof(*cfg->landlock_paths));
	cfg->landlock_paths[cfg->n_landlock_paths++] =
		(struct landlock_path){ .path = a[0], .writable = o->value != 0 };
	return 0;
}

static int opt_seccomp(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct config *cfg = ctx->cfg;
	int fd;

	if (cfg->seccomp_fds.n > 0 && !cfg->seccomp_legacy)
		return options_fail(ctx, msg(MSG_SECCOMP_AFTER_ADD_FD));
	if (cfg->seccomp_legacy)
		options_warn_only_last(o->name);
	if (options_arg_fd(ctx, o, a[0], &fd) < 0)
		return -1;
	if (cfg->seccomp_legacy)
		cfg->seccomp_fds.v[0] = fd;
	else
		options_push_fd(&cfg->seccomp_fds, fd);
	cfg->seccomp_legacy = true;
	return 0;
}

static int opt_add_seccomp_fd(struct parse_ctx *ctx, const struct option_row *o,
			      const char *const *a)
{
	int fd;

	if (ctx->cfg->seccomp_legacy)
		return options_fail(ctx, msg(MSG_ADD_FD_AFTER_SECCOMP));
	if (options_arg_fd(ctx, o, a[0], &fd) < 0)
		return -1;
	options_push_fd(&ctx->cfg->seccomp_fds, fd);
	return 0;
}

/* --cap-add (row.value 1) and --cap-drop (0). */
static int opt_cap(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct config *cfg = ctx->cfg;
	int cap = caps_parse_name(a[0], ctx->err);

	if (cap == -1) {
		char why[sizeof(ctx->err->msg)];

		/* caps_parse_name wrote err->msg: copy it out before rewriting it. */
		snprintf(why, sizeof(why), "%s", ctx->err->msg);
		return options_fail(ctx, msg(MSG_OPTION_REASON), o->name, why);
	}
	/* bubblewrap's rule: the options apply in order; see caps_keep_initial in config.h. */
	cfg->caps_explicit = true;
	if (o->value) {
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

static int opt_perms(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	if (ctx->next_perms != -1)
		return options_fail(ctx, msg(MSG_PERMS_TWICE));
	return options_arg_mode(ctx, o, a[0], &ctx->next_perms);
}

/* tmpfs sizes are capped at half the address space, as bubblewrap does, to stay clear of
 * the kernel's own limits. */
#define MAX_TMPFS_BYTES ((uint64_t)(SIZE_MAX >> 1))

static int opt_size(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	const char *s = a[0];
	uint64_t v = 0;
	int bad;

	(void)o;
	if (ctx->next_size != 0)
		return options_fail(ctx, msg(MSG_SIZE_TWICE));
	if (face->size_any_base) {
		/* bubblewrap: strtoull base 0, so 0x10 and 010 (octal) are sizes too. */
		char *end = NULL;

		errno = 0;
		v = strtoull(s, &end, 0);
		bad = errno || !isdigit((unsigned char)s[0]) || !end || *end;
	} else {
		bad = parse_size(s, &v) < 0;
	}
	if (bad || v == 0)
		return options_fail(ctx, msg(MSG_SIZE_INVALID), s);
	if (v > MAX_TMPFS_BYTES)
		return options_fail(ctx, msg(MSG_SIZE_TOO_LARGE), s, (size_t)MAX_TMPFS_BYTES);
	ctx->next_size = v;
	return 0;
}

static int opt_seccomp_profile(struct parse_ctx *ctx, const struct option_row *o,
			       const char *const *a)
{
	(void)o;
	seccomp_request_add_profile(&ctx->cfg->seccomp_req, a[0]);
	return 0;
}

/* --seccomp-allow and --seccomp-deny: row.value is the enum seccomp_adjust_type. */
static int opt_seccomp_adjust(struct parse_ctx *ctx, const struct option_row *o,
			      const char *const *a)
{
	seccomp_request_add_adjust(&ctx->cfg->seccomp_req, (enum seccomp_adjust_type)o->value,
				   a[0]);
	return 0;
}

/* --seccomp-list and --seccomp-show print, then stop like --help. */
static int printed(struct parse_ctx *ctx, int r)
{
	if (r < 0) {
		ctx->failed = true;
		return -1;
	}
	ctx->exit_now = true;
	ctx->exit_status = 0;
	return 0;
}

static int opt_seccomp_list(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	(void)o;
	(void)a;
	return printed(ctx, seccomp_request_list(stdout, NULL, ctx->err));
}

static int opt_seccomp_show(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct seccomp_request req = { 0 };
	int r;

	(void)o;
	seccomp_request_add_profile(&req, a[0]);
	r = seccomp_request_show(stdout, &req, ctx->err);
	seccomp_request_free(&req);
	return printed(ctx, r);
}

/* --memory, --memory-swap, --pids, --cpus, --cpu-weight, --io-weight, --cgroup-parent. */
static int opt_cgroup(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	if (cgroup_option_parse(&ctx->cfg->cgroup, o->name, a[0], ctx->err) < 0) {
		ctx->failed = true;
		return -1;
	}
	return 0;
}

static int opt_rlimit(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct config *cfg = ctx->cfg;
	struct rlimit_req r;

	(void)o;
	if (rlimit_parse(a[0], &r, ctx->err) < 0) {
		ctx->failed = true;
		return -1;
	}
	cfg->rlimits = xrealloc(cfg->rlimits, (cfg->n_rlimits + 1) * sizeof(*cfg->rlimits));
	cfg->rlimits[cfg->n_rlimits++] = r;
	return 0;
}

static int opt_timeout(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	if (ctx->cfg->timeout_ms)
		options_warn_only_last(o->name);
	if (timeout_parse(a[0], &ctx->cfg->timeout_ms, &ctx->cfg->grace_ms, ctx->err) < 0) {
		ctx->failed = true;
		return -1;
	}
	return 0;
}

/* --net MODE, --net-helper NAME, --publish SPEC, --net-allow SPEC (row.value says which). */
enum { NET_OPT_MODE, NET_OPT_HELPER, NET_OPT_PUBLISH, NET_OPT_ALLOW };

static int opt_net(struct parse_ctx *ctx, const struct option_row *o, const char *const *a)
{
	struct net_request *req = &ctx->cfg->net;
	int r = 0;

	switch (o->value) {
	case NET_OPT_MODE:
		if (req->mode != NET_UNSET)
			options_warn_only_last(o->name);
		r = net_parse_mode(a[0], &req->mode, ctx->err);
		break;
	case NET_OPT_HELPER:
		if (req->helper_set)
			options_warn_only_last(o->name);
		r = net_parse_helper(a[0], &req->helper, ctx->err);
		req->helper_set = r == 0;
		break;
	case NET_OPT_PUBLISH:
		r = net_request_add_publish(req, a[0], ctx->err);
		break;
	case NET_OPT_ALLOW:
		r = net_request_add_allow(req, a[0], ctx->err);
		break;
	}
	if (r < 0)
		ctx->failed = true;
	return r;
}

/* --help prints this in this order, bubblewrap's usage() order for bubblewrap's options. */
const struct option_row options_table[] = {
	{ "help", NULL, IN_BOTH, "Print this help", CALL(opt_help) },
	{ "version", NULL, IN_BOTH, "Print version", CALL(opt_version) },
	{ "args", "FD", IN_BOTH, "Parse NUL-separated args from FD", CALL(options_read_args) },
	{ "argv0", "VALUE", IN_BOTH, "Set argv[0] to the value VALUE before running the program",
	  CALL(opt_argv0) },
	{ "level-prefix", NULL, IN_BOTH, "Prepend e.g. <3> to diagnostic messages",
	  CALL(opt_level_prefix) },
	{ "unshare-all", NULL, IN_BOTH, "Unshare every namespace we support by default",
	  CALL(opt_unshare_all) },
	{ "share-net", NULL, IN_BOTH,
	  "Retain the network namespace (can only combine with --unshare-all)",
	  SET_BOOL(unshare_net, false) },
	{ "unshare-user", NULL, IN_BOTH,
	  "Create new user namespace (may be automatically implied if not setuid)",
	  SET_NS(unshare_user, NS_YES) },
	{ "unshare-user-try", NULL, IN_BOTH,
	  "Create new user namespace if possible else continue by skipping it",
	  SET_NS(unshare_user, NS_TRY) },
	{ "unshare-ipc", NULL, IN_BOTH, "Create new ipc namespace", SET_BOOL(unshare_ipc, true) },
	{ "unshare-pid", NULL, IN_BOTH, "Create new pid namespace", SET_BOOL(unshare_pid, true) },
	{ "unshare-net", NULL, IN_BOTH, "Create new network namespace",
	  SET_BOOL(unshare_net, true) },
	{ "unshare-uts", NULL, IN_BOTH, "Create new uts namespace", SET_BOOL(unshare_uts, true) },
	{ "unshare-cgroup", NULL, IN_BOTH, "Create new cgroup namespace",
	  SET_NS(unshare_cgroup, NS_YES) },
	{ "unshare-cgroup-try", NULL, IN_BOTH,
	  "Create new cgroup namespace if possible else continue by skipping it",
	  SET_NS(unshare_cgroup, NS_TRY) },
	{ "userns", "FD", IN_BOTH, "Use this user namespace (cannot combine with --unshare-user)",
	  FD_ONCE(userns_fd) },
	{ "userns2", "FD", IN_BOTH,
	  "After setup switch to this user namespace, only useful with --userns",
	  FD_ONCE(userns2_fd) },
	{ "disable-userns", NULL, IN_BOTH, "Disable further use of user namespaces inside sandbox",
	  SET_BOOL(disable_userns, true) },
	{ "assert-userns-disabled", NULL, IN_BOTH,
	  "Fail unless further use of user namespace inside sandbox is disabled",
	  SET_BOOL(assert_userns_disabled, true) },
	{ "pidns", "FD", IN_BOTH,
	  "Use this pid namespace (as parent namespace if using --unshare-pid)",
	  FD_ONCE(pidns_fd) },
	{ "uid", "UID", IN_BOTH, "Custom uid in the sandbox (requires --unshare-user or --userns)",
	  ID_ONCE(uid) },
	{ "gid", "GID", IN_BOTH, "Custom gid in the sandbox (requires --unshare-user or --userns)",
	  ID_ONCE(gid) },
	{ "hostname", "NAME", IN_BOTH, "Custom hostname in the sandbox (requires --unshare-uts)",
	  STRING_ONCE(hostname) },
	{ "chdir", "DIR", IN_BOTH, "Change directory to DIR", STRING_ONCE(chdir_path) },
	{ "clearenv", NULL, IN_BOTH, "Unset all environment variables", ENV(ENV_CLEAR) },
	{ "setenv", "VAR VALUE", IN_BOTH, "Set an environment variable", ENV(ENV_SET) },
	{ "unsetenv", "VAR", IN_BOTH, "Unset an environment variable", ENV(ENV_UNSET) },
	{ "lock-file", "DEST", IN_BOTH, "Take a lock on DEST while sandbox is running",
	  OP(SETUP_LOCK_FILE, ARG_DEST) },
	{ "sync-fd", "FD", IN_BOTH, "Keep this fd open while sandbox is running",
	  FD_ONCE(sync_fd) },
	{ "bind", "SRC DEST", IN_BOTH, "Bind mount the host path SRC on DEST",
	  OP(SETUP_BIND, ARG_SRC, ARG_DEST) },
	{ "bind-try", "SRC DEST", IN_BOTH, "Equal to --bind but ignores non-existent SRC",
	  OP(SETUP_BIND, ARG_SRC, ARG_DEST), TRY },
	{ "dev-bind", "SRC DEST", IN_BOTH,
	  "Bind mount the host path SRC on DEST, allowing device access",
	  OP(SETUP_DEV_BIND, ARG_SRC, ARG_DEST) },
	{ "dev-bind-try", "SRC DEST", IN_BOTH, "Equal to --dev-bind but ignores non-existent SRC",
	  OP(SETUP_DEV_BIND, ARG_SRC, ARG_DEST), TRY },
	{ "ro-bind", "SRC DEST", IN_BOTH, "Bind mount the host path SRC readonly on DEST",
	  OP(SETUP_RO_BIND, ARG_SRC, ARG_DEST) },
	{ "ro-bind-try", "SRC DEST", IN_BOTH, "Equal to --ro-bind but ignores non-existent SRC",
	  OP(SETUP_RO_BIND, ARG_SRC, ARG_DEST), TRY },
	{ "bind-fd", "FD DEST", IN_BOTH, "Bind open directory or path fd on DEST",
	  OP(SETUP_BIND_FD, ARG_FD, ARG_DEST) },
	{ "ro-bind-fd", "FD DEST", IN_BOTH, "Bind open directory or path fd read-only on DEST",
	  OP(SETUP_RO_BIND_FD, ARG_FD, ARG_DEST) },
	{ "remount-ro", "DEST", IN_BOTH, "Remount DEST as readonly; does not recursively remount",
	  OP(SETUP_REMOUNT_RO, ARG_DEST) },
	/* Not bubblewrap's: both faces (the bwrap face's --proc stays bubblewrap's). */
	{ "mask", "PATH", IN_BOTH,
	  "Hide PATH in the sandbox under an empty read-only file or directory",
	  OP(SETUP_MASK, ARG_DEST) },
	/* Layers stay in command-line order (bottom first) right before their overlay. */
	{ "overlay-src", "SRC", IN_BOTH, "Read files from SRC in the following overlay",
	  OP(SETUP_OVERLAY_SRC, ARG_SRC), .flags = OPTION_LAYER },
	{ "overlay", "RWSRC WORKDIR DEST", IN_BOTH,
	  "Mount overlayfs on DEST, with RWSRC as the host path for writes and\n"
	  "WORKDIR an empty directory on the same filesystem as RWSRC",
	  OP(SETUP_OVERLAY, ARG_SRC, ARG_WORKDIR, ARG_DEST), LAYERS(1) },
	{ "tmp-overlay", "DEST", IN_BOTH,
	  "Mount overlayfs on DEST, with writes going to an invisible tmpfs",
	  OP(SETUP_TMP_OVERLAY, ARG_DEST), LAYERS(1) },
	{ "ro-overlay", "DEST", IN_BOTH, "Mount overlayfs read-only on DEST",
	  OP(SETUP_RO_OVERLAY, ARG_DEST), LAYERS(2) },
	{ "exec-label", "LABEL", IN_BOTH, "Exec label for the sandbox", STRING_ONCE(exec_label) },
	{ "file-label", "LABEL", IN_BOTH, "File label for temporary sandbox content",
	  CALL(opt_file_label) },
	{ "proc", "DEST", IN_BOTH, "Mount new procfs on DEST", OP(SETUP_PROC, ARG_DEST) },
	{ "dev", "DEST", IN_BOTH, "Mount new dev on DEST", OP(SETUP_DEV, ARG_DEST) },
	{ "tmpfs", "DEST", IN_BOTH, "Mount new tmpfs on DEST", OP(SETUP_TMPFS, ARG_DEST),
	  PERMS(0755), SIZE },
	{ "mqueue", "DEST", IN_BOTH, "Mount new mqueue on DEST", OP(SETUP_MQUEUE, ARG_DEST) },
	{ "dir", "DEST", IN_BOTH, "Create dir at DEST", OP(SETUP_DIR, ARG_DEST), PERMS(0755) },
	/* --file's default mode is the face's, which the executor knows. */
	{ "file", "FD DEST", IN_BOTH, "Copy from FD to destination DEST",
	  OP(SETUP_FILE, ARG_FD, ARG_DEST), PERMS(SETUP_PERMS_UNSET) },
	/* 0600: what mkstemp() gave before --perms existed */
	{ "bind-data", "FD DEST", IN_BOTH, "Copy from FD to file which is bind-mounted on DEST",
	  OP(SETUP_BIND_DATA, ARG_FD, ARG_DEST), PERMS(0600) },
	{ "ro-bind-data", "FD DEST", IN_BOTH,
	  "Copy from FD to file which is readonly bind-mounted on DEST",
	  OP(SETUP_RO_BIND_DATA, ARG_FD, ARG_DEST), PERMS(0600) },
	{ "symlink", "SRC DEST", IN_BOTH, "Create symlink at DEST with target SRC",
	  OP(SETUP_SYMLINK, ARG_SRC, ARG_DEST) },
	{ "seccomp", "FD", IN_BOTH, "Load and use seccomp rules from FD (not repeatable)",
	  CALL(opt_seccomp) },
	{ "add-seccomp-fd", "FD", IN_BOTH, "Load and use seccomp rules from FD (repeatable)",
	  CALL(opt_add_seccomp_fd) },
	{ "block-fd", "FD", IN_BOTH, "Block on FD until some data to read is available",
	  FD_ONCE(block_fd) },
	{ "userns-block-fd", "FD", IN_BOTH, "Block on FD until the user namespace is ready",
	  FD_ONCE(userns_block_fd) },
	{ "info-fd", "FD", IN_BOTH, "Write information about the running container to FD",
	  FD_ONCE(info_fd) },
	{ "json-status-fd", "FD", IN_BOTH,
	  "Write container status to FD as multiple JSON documents", FD_ONCE(json_status_fd) },
	{ "new-session", NULL, IN_BOTH, "Create a new terminal session",
	  SET_BOOL(new_session, true) },
	{ "die-with-parent", NULL, IN_BOTH,
	  "Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's parent dies.",
	  SET_BOOL(die_with_parent, true) },
	{ "as-pid-1", NULL, IN_BOTH, "Do not install a reaper process with PID=1",
	  SET_BOOL(as_pid_1, true) },
	{ "cap-add", "CAP", IN_BOTH, "Add cap CAP when running as privileged user", CALL(opt_cap),
	  .value = 1 },
	{ "cap-drop", "CAP", IN_BOTH, "Drop cap CAP when running as privileged user", CALL(opt_cap),
	  .value = 0 },
	{ "perms", "OCTAL", IN_BOTH, "Set permissions of next argument (--bind-data, --file, etc.)",
	  CALL(opt_perms), .flags = OPTION_MODIFIER },
	{ "size", "BYTES", IN_BOTH, "Set size of next argument (only for --tmpfs)", CALL(opt_size),
	  .flags = OPTION_MODIFIER },
	{ "chmod", "OCTAL PATH", IN_BOTH, "Change permissions of PATH (must already exist)",
	  OP(SETUP_CHMOD, ARG_MODE, ARG_DEST) },

	/* Landlock, a second wall (landlock.c): both faces, off unless asked (or --base). */
	{ "landlock", NULL, IN_BOTH,
	  "Restrict the command with Landlock to the paths the plan mounts (refuse without it)",
	  CALL(opt_landlock), .value = LANDLOCK_REQ_ON },
	{ "landlock-try", NULL, IN_BOTH,
	  "The same where the kernel has Landlock (ABI 2 or later), else go on without",
	  CALL(opt_landlock), .value = LANDLOCK_REQ_TRY },
	{ "no-landlock", NULL, IN_BOTH, "No Landlock (after --base: so that sandboxes nest inside)",
	  CALL(opt_landlock), .value = LANDLOCK_REQ_OFF },
	{ "landlock-ro", "PATH", IN_BOTH,
	  "Under Landlock, let the command read, list and execute below the host PATH too\n"
	  "(reached through a descriptor it was given)",
	  CALL(opt_landlock_path), .value = 0 },
	{ "landlock-rw", "PATH", IN_BOTH,
	  "Under Landlock, let the command read and write below the host PATH too",
	  CALL(opt_landlock_path), .value = 1 },

	/* The hutch face's own options; the bwrap face rejects them as unknown. */
	{ "pass-fd", "FD", IN_HUTCH,
	  "Let COMMAND inherit FD (repeatable); other fds above 2 are closed", FD_LIST(pass_fds) },
	{ "seccomp-profile", "NAME|PATH", IN_HUTCH,
	  "Apply a seccomp profile: a shipped NAME or a PATH (repeatable: merged)",
	  CALL(opt_seccomp_profile) },
	{ "seccomp-allow", "SYSCALL", IN_HUTCH,
	  "Allow SYSCALL whatever the profile says (repeatable)", CALL(opt_seccomp_adjust),
	  .value = SECCOMP_ADJUST_ALLOW },
	{ "seccomp-deny", "SYSCALL[:ERRNO]", IN_HUTCH,
	  "Make SYSCALL fail with ERRNO, EPERM by default (repeatable)", CALL(opt_seccomp_adjust),
	  .value = SECCOMP_ADJUST_DENY },
	{ "seccomp-export", "FILE", IN_HUTCH,
	  "Write the BPF program of the profile to FILE (for bwrap --seccomp)",
	  STRING(seccomp_export) },
	{ "seccomp-list", NULL, IN_HUTCH, "List the shipped seccomp profiles",
	  CALL(opt_seccomp_list) },
	{ "seccomp-show", "NAME|PATH", IN_HUTCH, "Print the effective rules of a seccomp profile",
	  CALL(opt_seccomp_show) },
	{ "join", "PID", IN_HUTCH,
	  "Run COMMAND in the running sandbox of PID (the first option, alone)", CALL(opt_join) },
	{ "check", NULL, IN_HUTCH,
	  "Say whether this machine and user can run sandboxes, and the fix of what is missing",
	  CALL(opt_check) },
	{ "host-uid", "UID", IN_HUTCH,
	  "The host uid the sandbox maps onto (root's: 65534 unless told; others: their own)",
	  ID(host_uid) },
	{ "host-gid", "GID", IN_HUTCH,
	  "The host gid the sandbox maps onto (default: the number of --host-uid)", ID(host_gid) },
	{ "dry-run", NULL, IN_HUTCH, "Print the plan (every mount, id map, fd...) and run nothing",
	  SET_BOOL(dry_run, true) },

	/* Shortcuts: each stands for ordinary options, in place (hutch(1), SHORTCUTS). */
	{ "base", NULL, IN_HUTCH,
	  "Read-only /usr, /bin.., /etc; new /proc, /dev, /tmp; an empty home", SHORTCUT },
	{ "cwd-rw", NULL, IN_HUTCH, "Bind the working directory writable and start there",
	  SHORTCUT },
	{ "cwd-ro", NULL, IN_HUTCH, "Bind the working directory read-only and start there",
	  SHORTCUT },
	{ "home-ro", NULL, IN_HUTCH, "Bind the home directory read-only", SHORTCUT },
	{ "home-hidden", NULL, IN_HUTCH, "An empty tmpfs on the home directory", SHORTCUT },
	{ "x11", NULL, IN_HUTCH, "The X11 sockets, DISPLAY and the Xauthority file", SHORTCUT },
	{ "wayland", NULL, IN_HUTCH, "The Wayland socket of WAYLAND_DISPLAY", SHORTCUT },
	{ "audio", NULL, IN_HUTCH, "The PulseAudio and PipeWire sockets", SHORTCUT },
	{ "dbus-session", NULL, IN_HUTCH, "The D-Bus session bus (a wide door: see hutch(1))",
	  SHORTCUT },
	{ "gpu", NULL, IN_HUTCH, "The GPU devices: /dev/dri, /dev/nvidia*", SHORTCUT },

	/* Limits and the sandbox's lifetime: both faces (bubblewrap has none of them). */
	{ "memory", "SIZE", IN_BOTH, "Limit the sandbox's memory (a cgroup; K, M, G, T or max)",
	  CALL(opt_cgroup) },
	{ "memory-swap", "SIZE", IN_BOTH, "Limit its memory plus swap (at least --memory)",
	  CALL(opt_cgroup) },
	{ "pids", "N", IN_BOTH, "Limit its processes and threads to N (or max)", CALL(opt_cgroup) },
	{ "cpus", "FRACTION", IN_BOTH, "Limit its CPU time to FRACTION of one CPU (0.5, 2)",
	  CALL(opt_cgroup) },
	{ "cpu-weight", "N", IN_BOTH, "Its CPU weight against its siblings (1..10000, 100)",
	  CALL(opt_cgroup) },
	{ "io-weight", "N", IN_BOTH, "Its I/O weight against its siblings (1..10000, 100)",
	  CALL(opt_cgroup) },
	{ "cgroup-parent", "DIR", IN_BOTH,
	  "Make the sandbox's cgroup below DIR (repeatable: one per hierarchy)", CALL(opt_cgroup) },
	{ "limits-try", NULL, IN_BOTH,
	  "Where no cgroup can be made, stand in with rlimits and say so",
	  SET_BOOL(cgroup.try, true) },
	{ "rlimit", "NAME=SOFT[:HARD]", IN_BOTH,
	  "Set a resource limit as prlimit(1) names it (repeatable)", CALL(opt_rlimit) },
	{ "timeout", "DURATION[:GRACE]", IN_BOTH,
	  "Stop the whole sandbox after DURATION: SIGTERM, SIGKILL after GRACE (5s)",
	  CALL(opt_timeout) },
	{ "keep-children", NULL, IN_HUTCH, "Leave what the command started running when it exits",
	  SET_BOOL(keep_children, true) },
	/* The network: hutch's own. */
	{ "net", "MODE", IN_HUTCH,
	  "The sandbox's network: none (loopback only), host (shared) or user (its own,\n"
	  "connected by pasta or slirp4netns)",
	  CALL(opt_net), .value = NET_OPT_MODE },
	{ "net-helper", "pasta|slirp4netns", IN_HUTCH,
	  "The helper of --net user (default: pasta if installed, else slirp4netns)", CALL(opt_net),
	  .value = NET_OPT_HELPER },
	{ "publish", "[HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]", IN_HUTCH,
	  "Forward HOSTPORT of the host (127.0.0.1 unless HOSTIP) into the sandbox (repeatable)",
	  CALL(opt_net), .value = NET_OPT_PUBLISH },
	{ "net-host-loopback", NULL, IN_HUTCH,
	  "Let --net user reach the host's loopback at the gateway address 10.0.2.2",
	  SET_BOOL(net.host_loopback, true) },
	{ "net-allow", "HOST[:PORT]|CIDR[:PORT]", IN_HUTCH,
	  "Reach only these destinations (and the DNS forwarder); others are refused (repeatable)",
	  CALL(opt_net), .value = NET_OPT_ALLOW },
	{ "stats", NULL, IN_BOTH, "Print the sandbox's resource usage on stderr at the end",
	  SET_BOOL(stats, true) },
};

const unsigned options_table_len = sizeof(options_table) / sizeof(options_table[0]);

/* unit-options: the option parser and the capability helpers, for both
 * faces. Links libhutch.a; TAP on stdout. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../caps.h"
#include "../options-table.h"
#include "../options.h"
#include "../setup-op.h"
#include "../util.h"
#include "tap.h"

static struct config cfg;
static struct error err;
static int exit_now;

#define W(...) ((const char *[]){ "prog", __VA_ARGS__, NULL })
#define BWRAP  (face->id == FACE_BWRAP)

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Parses words (NULL-terminated, argv[0] included) into the global cfg. */
static int run(const char **w)
{
	int n = 0;

	while (w[n])
		n++;
	config_free(&cfg);
	config_init(&cfg);
	memset(&err, 0, sizeof(err));
	return options_parse(&cfg, n, (char **)w, &exit_now, &err);
}

/* Like run(), with stdout and stderr captured into *out and *errout (either may be NULL). */
static int run_captured(const char **w, char **out, char **errout)
{
	int saved[2], mem[2], i, r;
	char *text[2] = { NULL, NULL };

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		saved[i] = fcntl(i + 1, F_DUPFD_CLOEXEC, 3);
		mem[i] = memfd_create("capture", MFD_CLOEXEC);
		dup2(mem[i], i + 1);
	}
	r = run(w);
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		dup2(saved[i], i + 1);
		close(saved[i]);
		lseek(mem[i], 0, SEEK_SET);
		if (read_all_fd(mem[i], &text[i], NULL) < 0)
			text[i] = strdup("");
		close(mem[i]);
	}
	if (out)
		*out = text[0];
	else
		free(text[0]);
	if (errout)
		*errout = text[1];
	else
		free(text[1]);
	return r;
}

/* Parse must fail; for the bwrap face the message must be bwrap's exactly, for the hutch
 * face it must contain `hutch_part`. */
static void fails(const char **w, const char *bwrap_msg, const char *hutch_part, const char *name)
{
	int r = run_captured(w, NULL, NULL);

	if (!ok(r == -1, "%s: %s: parse fails", face->prog, name)) {
		printf("#   returned %d\n", r);
		return;
	}
	if (BWRAP && bwrap_msg)
		is_str(err.msg, bwrap_msg, "  bwrap message");
	else if (!BWRAP && hutch_part)
		ok(strstr(err.msg, hutch_part) != NULL, "  hutch message '%s' contains '%s'",
		   err.msg, hutch_part);
	is_int(err.exit_code, 0, "  usage error (exit_code 0)");
}

static void parses(const char **w, const char *name)
{
	int r = run_captured(w, NULL, NULL);

	if (!ok(r == 0 && !exit_now, "%s: %s: parses", face->prog, name))
		printf("#   returned %d: %s\n", r, err.msg);
}

static struct setup_op *op_at(unsigned i)
{
	struct setup_op *op = cfg.ops.head;

	while (op && i--)
		op = op->next;
	return op;
}

static void test_command(void)
{
	parses(W("true"), "bare command");
	is_int(cfg.argc, 1, "  argc 1");
	is_str(cfg.argv[0], "true", "  argv[0]");
	ok(cfg.argv[1] == NULL, "  argv NULL-terminated");
	is_int(cfg.ops.count, 0, "  no ops");
	ok(cfg.userns_fd == -1 && cfg.userns2_fd == -1 && cfg.pidns_fd == -1 && cfg.info_fd == -1 &&
		   cfg.json_status_fd == -1 && cfg.sync_fd == -1 && cfg.block_fd == -1 &&
		   cfg.userns_block_fd == -1,
	   "  every fd defaults to -1");
	ok(!cfg.caps_explicit && cfg.caps == 0 && cfg.caps_keep_initial == UINT64_MAX,
	   "  capabilities untouched");
	ok(cfg.unshare_user == NS_NO && !cfg.unshare_pid && !cfg.unshare_net, "  no namespaces");

	parses(W("--unshare-pid", "cmd", "--unshare-net", "-x"), "options stop at the command");
	ok(cfg.unshare_pid && !cfg.unshare_net, "  options after the command are its arguments");
	is_int(cfg.argc, 3, "  argc 3");
	is_str(cfg.argv[1], "--unshare-net", "  argv[1]");
	is_str(cfg.argv[2], "-x", "  argv[2]");

	parses(W("--unshare-ipc", "--", "--bind", "a"), "-- ends the options");
	ok(cfg.unshare_ipc && cfg.ops.count == 0, "  nothing after -- was parsed");
	is_int(cfg.argc, 2, "  argc 2");
	is_str(cfg.argv[0], "--bind", "  command is --bind");

	parses(W("--", "-"), "-- then '-' is a command");
	is_str(cfg.argv[0], "-", "  argv[0] is -");

	parses(W("--chdir", "--", "cmd"), "-- as an option argument");
	is_str(cfg.chdir_path, "--", "  chdir --");
	is_str(cfg.argv[0], "cmd", "  command after it");

	parses(W("--setenv", "A", "", "cmd"), "empty argument");
	is_str(cfg.env_head->value, "", "  empty value kept");
}

static void test_no_command(void)
{
	char *out = NULL, *errout = NULL;
	int r = run_captured(W("--unshare-pid"), &out, &errout);

	if (BWRAP) {
		ok(r == 0 && exit_now == 1, "bwrap: no command: exit now");
		is_int(err.exit_code, 1, "  with status 1");
		ok(starts_with(errout, "usage: prog [OPTIONS...] [--] COMMAND [ARGS...]\n\n"),
		   "  usage on stderr");
		is_str(out, "", "  nothing on stdout");
	} else {
		is_int(r, -1, "hutch: no command: error");
		ok(starts_with(err.msg, "no command given\nhint: run 'hutch --help'"),
		   "  message '%s'", err.msg);
		is_int(err.exit_code, 0, "  usage error");
	}
	free(out);
	free(errout);
	r = run_captured(W("--"), NULL, NULL);
	ok(BWRAP ? r == 0 && exit_now && err.exit_code == 1 : r == -1, "%s: '--' alone: no command",
	   face->prog);
	r = run_captured((const char *[]){ "prog", NULL }, NULL, NULL);
	ok(BWRAP ? r == 0 && exit_now && err.exit_code == 1 : r == -1, "%s: no arguments at all",
	   face->prog);
}

static void test_help_version(void)
{
	static const char *const names[] = { "help",
					     "version",
					     "args",
					     "argv0",
					     "level-prefix",
					     "unshare-all",
					     "share-net",
					     "unshare-user",
					     "unshare-user-try",
					     "unshare-ipc",
					     "unshare-pid",
					     "unshare-net",
					     "unshare-uts",
					     "unshare-cgroup",
					     "unshare-cgroup-try",
					     "userns",
					     "userns2",
					     "disable-userns",
					     "assert-userns-disabled",
					     "pidns",
					     "uid",
					     "gid",
					     "hostname",
					     "chdir",
					     "clearenv",
					     "setenv",
					     "unsetenv",
					     "lock-file",
					     "sync-fd",
					     "bind",
					     "bind-try",
					     "dev-bind",
					     "dev-bind-try",
					     "ro-bind",
					     "ro-bind-try",
					     "bind-fd",
					     "ro-bind-fd",
					     "remount-ro",
					     "overlay-src",
					     "overlay",
					     "tmp-overlay",
					     "ro-overlay",
					     "exec-label",
					     "file-label",
					     "proc",
					     "dev",
					     "tmpfs",
					     "mqueue",
					     "dir",
					     "file",
					     "bind-data",
					     "ro-bind-data",
					     "symlink",
					     "seccomp",
					     "add-seccomp-fd",
					     "block-fd",
					     "userns-block-fd",
					     "info-fd",
					     "json-status-fd",
					     "new-session",
					     "die-with-parent",
					     "as-pid-1",
					     "cap-add",
					     "cap-drop",
					     "perms",
					     "size",
					     "chmod",
					     NULL };
	char *out = NULL, *errout = NULL;
	unsigned i, missing = 0;
	int r;

	r = run_captured(W("--help", "--no-such-option"), &out, &errout);
	ok(r == 0 && exit_now == 1 && err.exit_code == 0, "%s: --help exits 0 at once", face->prog);
	if (BWRAP)
		ok(starts_with(out, "usage: prog [OPTIONS...] [--] COMMAND [ARGS...]\n\n"),
		   "  bwrap usage line names argv[0]");
	else
		ok(starts_with(out, "usage: hutch [OPTIONS...] [--] COMMAND [ARGS...]\n\n"),
		   "  hutch usage line");
	for (i = 0; names[i]; i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "\n    --%s ", names[i]);
		if (!strstr(out, needle)) {
			printf("#   --help lacks --%s\n", names[i]);
			missing++;
		}
	}
	is_int(missing, 0, "  every bubblewrap option in --help");
	ok(strstr(out, "    --bind SRC DEST              Bind mount the host path SRC on DEST\n") !=
		   NULL,
	   "  bubblewrap's column layout");
	ok(strstr(out,
		  "    --overlay RWSRC WORKDIR DEST Mount overlayfs on DEST, with RWSRC as the "
		  "host path for writes and\n                                 WORKDIR an "
		  "empty directory") != NULL,
	   "  continuation line indented");
	ok(BWRAP == !strstr(out, "--pass-fd"), "  --pass-fd listed in the hutch face only");
	ok(BWRAP == !strstr(out, "when hutch's parent dies"), "  hutch names itself");
	is_str(errout, "", "  nothing on stderr");
	free(out);
	free(errout);

	r = run_captured(W("--dev-bind", "/", "/", "--version", "--bogus"), &out, NULL);
	ok(r == 0 && exit_now == 1 && err.exit_code == 0, "%s: --version exits 0 at once",
	   face->prog);
	if (BWRAP)
		ok(starts_with(out, "bubblewrap 0.11.1 (hutch ") && out[strlen(out) - 1] == '\n',
		   "  '%.*s': bubblewrap version first", (int)strcspn(out, "\n"), out);
	else
		ok(starts_with(out, "hutch ") && strchr(out, '\n') == out + strlen(out) - 1,
		   "  '%.*s'", (int)strcspn(out, "\n"), out);
	free(out);

	fails(W("--bogus", "--help"), "Unknown option --bogus",
	      "cannot use '--bogus': unknown option", "an error before --help wins");
}

static void test_unknown(void)
{
	fails(W("--foo", "cmd"), "Unknown option --foo",
	      "cannot use '--foo': unknown option\nhint: run 'hutch --help'", "unknown option");
	fails(W("--unshare-a", "cmd"), "Unknown option --unshare-a",
	      "cannot use '--unshare-a': unknown option", "unique abbreviation refused");
	fails(W("--bin", "/", "/", "cmd"), "Unknown option --bin",
	      "cannot use '--bin': unknown option", "ambiguous abbreviation refused");
	fails(W("--bind=/", "/", "cmd"), "Unknown option --bind=/",
	      "cannot use '--bind=/': unknown option", "--opt=value refused");
	fails(W("--help=x"), "Unknown option --help=x", "cannot use '--help=x': unknown option",
	      "--flag=value refused");
	fails(W("-x", "cmd"), "Unknown option -x", "cannot use '-x': unknown option",
	      "short option");
	fails(W("-xyz", "cmd"), "Unknown option -xyz", "cannot use '-xyz': unknown option",
	      "short cluster");
	fails(W("-", "cmd"), "Unknown option -", "cannot use '-': unknown option", "lone dash");
}

struct missing_case {
	const char *const *w;
	const char *msg;
};

static void test_missing_args(void)
{
	const struct missing_case cases[] = {
		{ (const char *const[]){ "--args", NULL }, "--args takes an argument" },
		{ (const char *const[]){ "--argv0", NULL }, "--argv0 takes one argument" },
		{ (const char *const[]){ "--chdir", NULL }, "--chdir takes one argument" },
		{ (const char *const[]){ "--remount-ro", NULL },
		  "--remount-ro takes one argument" },
		{ (const char *const[]){ "--bind", NULL }, "--bind takes two arguments" },
		{ (const char *const[]){ "--bind", "a", NULL }, "--bind takes two arguments" },
		{ (const char *const[]){ "--bind-try", "a", NULL },
		  "--bind-try takes two arguments" },
		{ (const char *const[]){ "--ro-bind", "a", NULL },
		  "--ro-bind takes two arguments" },
		{ (const char *const[]){ "--ro-bind-try", NULL },
		  "--ro-bind-try takes two arguments" },
		{ (const char *const[]){ "--dev-bind", "a", NULL },
		  "--dev-bind takes two arguments" },
		{ (const char *const[]){ "--dev-bind-try", "a", NULL },
		  "--dev-bind-try takes two arguments" },
		{ (const char *const[]){ "--bind-fd", "3", NULL },
		  "--bind-fd takes two arguments" },
		{ (const char *const[]){ "--ro-bind-fd", "3", NULL },
		  "--bind-fd takes two arguments" },
		{ (const char *const[]){ "--overlay", "a", "b", NULL },
		  "--overlay takes three arguments" },
		{ (const char *const[]){ "--overlay", NULL }, "--overlay takes three arguments" },
		{ (const char *const[]){ "--overlay-src", NULL },
		  "--overlay-src must be followed by another --overlay-src or one of --overlay, "
		  "--tmp-overlay, or --ro-overlay" },
		{ (const char *const[]){ "--tmp-overlay", NULL },
		  "--tmp-overlay takes an argument" },
		{ (const char *const[]){ "--ro-overlay", NULL }, "--ro-overlay takes an argument" },
		{ (const char *const[]){ "--setenv", "A", NULL }, "--setenv takes two arguments" },
		{ (const char *const[]){ "--unsetenv", NULL }, "--unsetenv takes an argument" },
		{ (const char *const[]){ "--file", "3", NULL }, "--file takes two arguments" },
		{ (const char *const[]){ "--bind-data", "3", NULL },
		  "--bind-data takes two arguments" },
		{ (const char *const[]){ "--ro-bind-data", "3", NULL },
		  "--ro-bind-data takes two arguments" },
		{ (const char *const[]){ "--symlink", "a", NULL },
		  "--symlink takes two arguments" },
		{ (const char *const[]){ "--chmod", "0755", NULL }, "--chmod takes two arguments" },
		{ (const char *const[]){ "--proc", NULL }, "--proc takes an argument" },
		{ (const char *const[]){ "--dev", NULL }, "--dev takes an argument" },
		{ (const char *const[]){ "--tmpfs", NULL }, "--tmpfs takes an argument" },
		{ (const char *const[]){ "--mqueue", NULL }, "--mqueue takes an argument" },
		{ (const char *const[]){ "--dir", NULL }, "--dir takes an argument" },
		{ (const char *const[]){ "--lock-file", NULL }, "--lock-file takes an argument" },
		{ (const char *const[]){ "--sync-fd", NULL }, "--sync-fd takes an argument" },
		{ (const char *const[]){ "--block-fd", NULL }, "--block-fd takes an argument" },
		{ (const char *const[]){ "--userns-block-fd", NULL },
		  "--userns-block-fd takes an argument" },
		{ (const char *const[]){ "--info-fd", NULL }, "--info-fd takes an argument" },
		{ (const char *const[]){ "--json-status-fd", NULL },
		  "--json-status-fd takes an argument" },
		{ (const char *const[]){ "--seccomp", NULL }, "--seccomp takes an argument" },
		{ (const char *const[]){ "--add-seccomp-fd", NULL },
		  "--add-seccomp-fd takes an argument" },
		{ (const char *const[]){ "--userns", NULL }, "--userns takes an argument" },
		{ (const char *const[]){ "--userns2", NULL }, "--userns2 takes an argument" },
		{ (const char *const[]){ "--pidns", NULL }, "--pidns takes an argument" },
		{ (const char *const[]){ "--uid", NULL }, "--uid takes an argument" },
		{ (const char *const[]){ "--gid", NULL }, "--gid takes an argument" },
		{ (const char *const[]){ "--hostname", NULL }, "--hostname takes an argument" },
		{ (const char *const[]){ "--exec-label", NULL }, "--exec-label takes an argument" },
		{ (const char *const[]){ "--file-label", NULL }, "--file-label takes an argument" },
		{ (const char *const[]){ "--cap-add", NULL }, "--cap-add takes an argument" },
		{ (const char *const[]){ "--cap-drop", NULL }, "--cap-drop takes an argument" },
		{ (const char *const[]){ "--perms", NULL }, "--perms takes an argument" },
		{ (const char *const[]){ "--size", NULL }, "--size takes an argument" },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w[8] = { "prog" };
		char part[64];
		unsigned j;

		for (j = 0; cases[i].w[j]; j++)
			w[j + 1] = cases[i].w[j];
		snprintf(part, sizeof(part), "%s: missing argument", cases[i].w[0]);
		fails(w, cases[i].msg, part, cases[i].w[0]);
	}
	if (BWRAP)
		fails(W("--pass-fd", "3", "cmd"), "Unknown option --pass-fd", NULL,
		      "--pass-fd is not a bwrap option");
	else
		fails(W("--pass-fd"), NULL, "--pass-fd: missing argument", "--pass-fd");
}

static void test_flags(void)
{
	parses(W("--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
		 "--unshare-uts", "--unshare-cgroup", "--disable-userns",
		 "--assert-userns-disabled", "--new-session", "--die-with-parent", "--as-pid-1",
		 "--level-prefix", "cmd"),
	       "every flag");
	ok(cfg.unshare_user == NS_YES && cfg.unshare_ipc && cfg.unshare_pid && cfg.unshare_net &&
		   cfg.unshare_uts && cfg.unshare_cgroup == NS_YES,
	   "  namespaces set");
	ok(cfg.disable_userns && cfg.assert_userns_disabled && cfg.new_session &&
		   cfg.die_with_parent && cfg.as_pid_1 && cfg.level_prefix,
	   "  booleans set");
	util_set_level_prefix(false);

	parses(W("--unshare-all", "cmd"), "--unshare-all");
	ok(cfg.unshare_user == NS_TRY && cfg.unshare_cgroup == NS_TRY && cfg.unshare_ipc &&
		   cfg.unshare_pid && cfg.unshare_net && cfg.unshare_uts,
	   "  user-try, ipc, pid, net, uts, cgroup-try");
	parses(W("--unshare-all", "--share-net", "cmd"), "--unshare-all --share-net");
	ok(!cfg.unshare_net && cfg.unshare_pid, "  net shared again, pid still unshared");
	parses(W("--share-net", "--unshare-all", "cmd"), "--share-net --unshare-all");
	ok(cfg.unshare_net, "  order matters: net unshared");
	parses(W("--unshare-user", "--unshare-all", "--unshare-cgroup", "cmd"),
	       "explicit beats -try");
	ok(cfg.unshare_user == NS_YES && cfg.unshare_cgroup == NS_YES, "  user and cgroup YES");
	parses(W("--unshare-user-try", "--unshare-cgroup-try", "cmd"), "-try variants");
	ok(cfg.unshare_user == NS_TRY && cfg.unshare_cgroup == NS_TRY, "  user and cgroup TRY");
	parses(W("--unshare-user-try", "--unshare-user", "cmd"), "-try then explicit");
	ok(cfg.unshare_user == NS_YES, "  user YES");
}

struct fd_case {
	const char *opt;
	size_t off;
};

static void test_fd_options(void)
{
	static const struct fd_case cases[] = {
		{ "--userns", offsetof(struct config, userns_fd) },
		{ "--userns2", offsetof(struct config, userns2_fd) },
		{ "--pidns", offsetof(struct config, pidns_fd) },
		{ "--sync-fd", offsetof(struct config, sync_fd) },
		{ "--block-fd", offsetof(struct config, block_fd) },
		{ "--userns-block-fd", offsetof(struct config, userns_block_fd) },
		{ "--info-fd", offsetof(struct config, info_fd) },
		{ "--json-status-fd", offsetof(struct config, json_status_fd) },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opt = cases[i].opt;
		char *errout = NULL, want[128], part[64];
		int r;

		r = run_captured(W(opt, "7", opt, "12", "cmd"), NULL, &errout);
		ok(r == 0 && *(int *)((char *)&cfg + cases[i].off) == 12, "%s: %s twice: last wins",
		   face->prog, opt);
		if (BWRAP)
			snprintf(want, sizeof(want),
				 "bwrap: Only the last %s option will take effect\n", opt);
		else
			snprintf(want, sizeof(want),
				 "hutch: warning: only the last %s takes effect\n", opt);
		is_str(errout, want, "  warning");
		free(errout);
		snprintf(part, sizeof(part), "%s: invalid file descriptor 'x'", opt);
		fails(W(opt, "x", "cmd"), "Invalid fd: x", part, "  bad fd");
		fails(W(opt, "-1", "cmd"), "Invalid fd: -1", "invalid file descriptor '-1'",
		      "  negative fd");
		fails(W(opt, "", "cmd"), "Invalid fd: ", "invalid file descriptor ''",
		      "  empty fd");
		fails(W(opt, "3x", "cmd"), "Invalid fd: 3x", "invalid file descriptor '3x'",
		      "  trailing junk");
	}
	if (!BWRAP) {
		parses(W("--pass-fd", "5", "--pass-fd", "9", "--pass-fd", "5", "cmd"),
		       "--pass-fd is repeatable");
		ok(cfg.pass_fds.n == 3 && cfg.pass_fds.v[0] == 5 && cfg.pass_fds.v[1] == 9 &&
			   cfg.pass_fds.v[2] == 5,
		   "  in order");
		fails(W("--pass-fd", "z", "cmd"), NULL, "--pass-fd: invalid file descriptor 'z'",
		      "--pass-fd bad fd");
	}
}

static void test_ids_and_strings(void)
{
	char *errout = NULL;
	int r;

	parses(W("--uid", "0", "--gid", "4294967294", "cmd"), "--uid/--gid");
	ok(cfg.uid_set && cfg.uid == 0 && cfg.gid_set && cfg.gid == 4294967294u, "  values");
	fails(W("--uid", "-1", "cmd"), "Invalid uid: -1", "--uid: invalid uid '-1'", "--uid -1");
	fails(W("--uid", "4294967295", "cmd"), "Invalid uid: 4294967295", "invalid uid",
	      "--uid (uid_t)-1");
	fails(W("--gid", "1x", "cmd"), "Invalid gid: 1x", "--gid: invalid gid '1x'", "--gid 1x");
	r = run_captured(W("--uid", "1", "--uid", "2", "cmd"), NULL, &errout);
	ok(r == 0 && cfg.uid == 2, "%s: --uid twice: last wins", face->prog);
	ok(strstr(errout, "--uid") != NULL, "  warned");
	free(errout);

	r = run_captured(W("--chdir", "/a", "--chdir", "/b", "cmd"), NULL, &errout);
	ok(r == 0, "%s: --chdir twice parses", face->prog);
	is_str(cfg.chdir_path, "/b", "  last --chdir wins");
	is_str(errout,
	       BWRAP ? "bwrap: Only the last --chdir option will take effect\n" :
		       "hutch: warning: only the last --chdir takes effect\n",
	       "  warning at parse time");
	free(errout);

	parses(W("--hostname", "box", "--argv0", "zero", "--exec-label", "x", "--file-label", "y",
		 "cmd"),
	       "string options");
	is_str(cfg.hostname, "box", "  hostname");
	is_str(cfg.argv0, "zero", "  argv0");
	is_str(cfg.exec_label, "x", "  exec label");
	is_str(cfg.file_label, "y", "  file label");
	/* The label is quoted inside mount(2)'s option string: nothing may end the quote. */
	fails(W("--file-label", "a\",size=1", "cmd"),
	      "Invalid --file-label a\",size=1: quotes and control characters are not allowed",
	      "holds a quote", "--file-label with a quote");
	fails(W("--file-label", "a\nb", "cmd"), NULL, "holds a quote",
	      "--file-label with a newline");
	parses(W("--file-label", "system_u:object_r:t:s0:c1,c2", "cmd"),
	       "--file-label with MLS categories (commas)");
	/* --host-uid/--host-gid: hutch face only. */
	if (!BWRAP) {
		parses(W("--host-uid", "65534", "--host-gid", "65533", "cmd"), "--host-uid/gid");
		ok(cfg.host_uid_set && cfg.host_uid == 65534 && cfg.host_gid_set &&
			   cfg.host_gid == 65533,
		   "  host ids");
		fails(W("--host-uid", "-1", "cmd"), NULL, "host-uid", "--host-uid -1");
	} else {
		fails(W("--host-uid", "1", "cmd"), "Unknown option --host-uid", NULL,
		      "--host-uid is the hutch face's");
	}
	r = run_captured(W("--hostname", "a", "--hostname", "b", "cmd"), NULL, &errout);
	ok(r == 0 && strcmp(cfg.hostname, "b") == 0 && strstr(errout, "--hostname"),
	   "%s: --hostname twice: warned, last wins", face->prog);
	free(errout);
	fails(W("--argv0", "a", "--argv0", "b", "cmd"), "--argv0 used multiple times",
	      "--argv0: given twice", "--argv0 twice");

	parses(W("--setenv", "A", "1", "--unsetenv", "B", "--clearenv", "--setenv", "C", "3",
		 "cmd"),
	       "environment ops");
	ok(cfg.env_head && cfg.env_head->type == ENV_SET && !strcmp(cfg.env_head->name, "A") &&
		   !strcmp(cfg.env_head->value, "1"),
	   "  1: setenv A=1");
	ok(cfg.env_head->next && cfg.env_head->next->type == ENV_UNSET &&
		   !strcmp(cfg.env_head->next->name, "B"),
	   "  2: unsetenv B");
	ok(cfg.env_head->next->next && cfg.env_head->next->next->type == ENV_CLEAR,
	   "  3: clearenv");
	ok(cfg.env_tail && cfg.env_tail->type == ENV_SET && !strcmp(cfg.env_tail->name, "C") &&
		   !cfg.env_tail->next,
	   "  4: setenv C=3, last");
	ok(getenv("A") == NULL || strcmp(getenv("A"), "1") != 0, "  real environment untouched");
}

struct op_case {
	const char *const *w;
	enum setup_op_type type;
	const char *src, *dest;
	int fd, perms;
	unsigned flags;
};

static void test_ops(void)
{
	const struct op_case cases[] = {
		{ (const char *const[]){ "--bind", "s", "d", NULL }, SETUP_BIND, "s", "d", -1, -1,
		  0 },
		{ (const char *const[]){ "--bind-try", "s", "d", NULL }, SETUP_BIND, "s", "d", -1,
		  -1, SETUP_FLAG_ALLOW_MISSING },
		{ (const char *const[]){ "--ro-bind", "s", "d", NULL }, SETUP_RO_BIND, "s", "d", -1,
		  -1, 0 },
		{ (const char *const[]){ "--ro-bind-try", "s", "d", NULL }, SETUP_RO_BIND, "s", "d",
		  -1, -1, SETUP_FLAG_ALLOW_MISSING },
		{ (const char *const[]){ "--dev-bind", "s", "d", NULL }, SETUP_DEV_BIND, "s", "d",
		  -1, -1, 0 },
		{ (const char *const[]){ "--dev-bind-try", "s", "d", NULL }, SETUP_DEV_BIND, "s",
		  "d", -1, -1, SETUP_FLAG_ALLOW_MISSING },
		{ (const char *const[]){ "--bind-fd", "5", "d", NULL }, SETUP_BIND_FD, NULL, "d", 5,
		  -1, 0 },
		{ (const char *const[]){ "--ro-bind-fd", "6", "d", NULL }, SETUP_RO_BIND_FD, NULL,
		  "d", 6, -1, 0 },
		{ (const char *const[]){ "--remount-ro", "d", NULL }, SETUP_REMOUNT_RO, NULL, "d",
		  -1, -1, 0 },
		{ (const char *const[]){ "--tmpfs", "d", NULL }, SETUP_TMPFS, NULL, "d", -1, 0755,
		  0 },
		{ (const char *const[]){ "--proc", "d", NULL }, SETUP_PROC, NULL, "d", -1, -1, 0 },
		{ (const char *const[]){ "--dev", "d", NULL }, SETUP_DEV, NULL, "d", -1, -1, 0 },
		{ (const char *const[]){ "--mqueue", "d", NULL }, SETUP_MQUEUE, NULL, "d", -1, -1,
		  0 },
		{ (const char *const[]){ "--dir", "d", NULL }, SETUP_DIR, NULL, "d", -1, 0755, 0 },
		{ (const char *const[]){ "--symlink", "t", "d", NULL }, SETUP_SYMLINK, "t", "d", -1,
		  -1, 0 },
		{ (const char *const[]){ "--chmod", "0640", "d", NULL }, SETUP_CHMOD, NULL, "d", -1,
		  0640, 0 },
		{ (const char *const[]){ "--file", "7", "d", NULL }, SETUP_FILE, NULL, "d", 7,
		  SETUP_PERMS_UNSET, 0 },
		{ (const char *const[]){ "--bind-data", "8", "d", NULL }, SETUP_BIND_DATA, NULL,
		  "d", 8, 0600, 0 },
		{ (const char *const[]){ "--ro-bind-data", "9", "d", NULL }, SETUP_RO_BIND_DATA,
		  NULL, "d", 9, 0600, 0 },
		{ (const char *const[]){ "--lock-file", "d", NULL }, SETUP_LOCK_FILE, NULL, "d", -1,
		  -1, 0 },
		{ (const char *const[]){ "--mask", "d", NULL }, SETUP_MASK, NULL, "d", -1, -1, 0 },
		{ (const char *const[]){ "--tmp-overlay", "d", NULL }, SETUP_TMP_OVERLAY, NULL, "d",
		  -1, -1, 0 },
		{ (const char *const[]){ "--ro-overlay", "d", NULL }, SETUP_RO_OVERLAY, NULL, "d",
		  -1, -1, 0 },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct op_case *c = &cases[i];
		const char *w[10] = { "prog" };
		struct setup_op *op;
		unsigned j, n = 1, layer;

		/* overlays need their layers first */
		if (c->type == SETUP_TMP_OVERLAY || c->type == SETUP_RO_OVERLAY) {
			w[n++] = "--overlay-src";
			w[n++] = "L1";
			w[n++] = "--overlay-src";
			w[n++] = "L2";
		}
		layer = (n - 1) / 2;
		for (j = 0; c->w[j]; j++)
			w[n++] = c->w[j];
		w[n++] = "cmd";
		parses(w, c->w[0]);
		op = op_at(layer);
		if (!ok(op && cfg.ops.count == layer + 1, "  one op"))
			continue;
		ok(op->type == c->type, "  type %s", setup_op_name(op->type));
		is_str(op->option, c->w[0] + 2, "  option name");
		is_str(op->src, c->src, "  src");
		is_str(op->dest, c->dest, "  dest");
		is_int(op->fd, c->fd, "  fd");
		is_int(op->perms, c->perms, "  perms (bubblewrap's default)");
		is_int(op->flags, c->flags, "  flags");
		is_int((long long)op->size, 0, "  no size");
		is_int(cfg.argc, 1, "  command follows");
	}

	parses(W("--overlay-src", "low", "--overlay-src", "mid", "--overlay", "rw", "work", "/mnt",
		 "cmd"),
	       "--overlay with layers");
	ok(cfg.ops.count == 3 && op_at(0)->type == SETUP_OVERLAY_SRC &&
		   !strcmp(op_at(0)->src, "low") && op_at(1)->type == SETUP_OVERLAY_SRC &&
		   !strcmp(op_at(1)->src, "mid"),
	   "  layers first, bottom to top");
	ok(op_at(2)->type == SETUP_OVERLAY && !strcmp(op_at(2)->src, "rw") &&
		   !strcmp(op_at(2)->workdir, "work") && !strcmp(op_at(2)->dest, "/mnt"),
	   "  then the overlay: src=rwsrc, workdir, dest");

	parses(W("--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		 "--symlink", "usr/lib", "/lib", "--dir", "/run", "cmd"),
	       "ops keep command-line order");
	ok(cfg.ops.count == 6 && op_at(0)->type == SETUP_RO_BIND && op_at(1)->type == SETUP_PROC &&
		   op_at(2)->type == SETUP_DEV && op_at(3)->type == SETUP_TMPFS &&
		   op_at(4)->type == SETUP_SYMLINK && op_at(5)->type == SETUP_DIR &&
		   cfg.ops.tail == op_at(5),
	   "  order and tail");

	fails(W("--bind-fd", "x", "/d", "cmd"), "Invalid fd: x",
	      "--bind-fd: invalid file descriptor", "--bind-fd bad fd");
	fails(W("--ro-bind-fd", "-2", "/d", "cmd"), "Invalid fd: -2",
	      "--ro-bind-fd: invalid file descriptor", "--ro-bind-fd bad fd");
	fails(W("--file", "x", "/d", "cmd"), "Invalid fd: x", "--file: invalid file descriptor",
	      "--file bad fd");
	fails(W("--bind-data", "", "/d", "cmd"), "Invalid fd: ", "--bind-data: invalid file",
	      "--bind-data bad fd");
	fails(W("--ro-bind-data", "1.5", "/d", "cmd"), "Invalid fd: 1.5", "--ro-bind-data: invalid",
	      "--ro-bind-data bad fd");
	fails(W("--chmod", "8", "/d", "cmd"), "--chmod takes an octal argument <= 07777",
	      "--chmod: invalid octal mode '8': expected 0..07777", "--chmod 8");
	fails(W("--chmod", "10000", "/d", "cmd"), "--chmod takes an octal argument <= 07777",
	      "--chmod: invalid octal mode '10000'", "--chmod 10000");
	parses(W("--chmod", "07777", "/d", "--chmod", "0", "/e", "cmd"), "--chmod bounds");
	ok(op_at(0)->perms == 07777 && op_at(1)->perms == 0, "  07777 and 0");
}

static void test_modifiers(void)
{
	static const char *const creators[] = { "--dir", "--file", "--bind-data", "--ro-bind-data",
						"--tmpfs" };
	unsigned i;

	for (i = 0; i < 5; i++) {
		const char *opt = creators[i];
		bool fd = i >= 1 && i <= 3;
		const char *w[] = { "prog",	     "--perms",		"0701", opt,
				    fd ? "3" : "/d", fd ? "/d" : "cmd", "cmd",	NULL };

		if (!fd)
			w[6] = NULL;
		parses(w, opt);
		ok(cfg.ops.count == 1 && op_at(0)->perms == 0701, "  --perms 0701 attached to %s",
		   opt);
	}
	parses(W("--perms", "0700", "--dir", "/a", "--dir", "/b", "cmd"), "--perms applies once");
	ok(op_at(0)->perms == 0700 && op_at(1)->perms == 0755, "  only to the next op");
	parses(W("--perms", "0700", "--size", "4096", "--tmpfs", "/t", "cmd"),
	       "--perms --size --tmpfs");
	ok(op_at(0)->perms == 0700 && op_at(0)->size == 4096, "  both attached");
	parses(W("--size", "100", "--perms", "01777", "--tmpfs", "/t", "cmd"),
	       "--size --perms --tmpfs");
	ok(op_at(0)->perms == 01777 && op_at(0)->size == 100, "  both attached");
	parses(W("--size", "100", "--tmpfs", "/t", "--tmpfs", "/u", "cmd"), "--size applies once");
	ok(op_at(0)->size == 100 && op_at(1)->size == 0, "  only to the next tmpfs");
	parses(W("--perms", "0", "--dir", "/d", "cmd"), "--perms 0");
	ok(op_at(0)->perms == 0, "  mode 0 is a mode");

	fails(W("--perms", "0755", "--ro-bind", "/", "/", "cmd"),
	      "--perms must be followed by an option that creates a file",
	      "--perms: must be followed by an option that creates a file",
	      "--perms then --ro-bind");
	fails(W("--perms", "0755", "--chmod", "0700", "/x", "cmd"),
	      "--perms must be followed by an option that creates a file", "not by --chmod",
	      "--perms then --chmod");
	fails(W("--perms", "0755", "--unshare-pid", "cmd"),
	      "--perms must be followed by an option that creates a file", "not by --unshare-pid",
	      "--perms then a flag");
	fails(W("--perms", "0755", "--perms", "0700", "--dir", "/d", "cmd"),
	      "--perms given twice for the same action", "--perms: given twice", "--perms twice");
	fails(W("--perms", "9x", "--dir", "/d", "cmd"), "--perms takes an octal argument <= 07777",
	      "--perms: invalid octal mode '9x': expected 0..07777", "--perms 9x");
	fails(W("--perms", "", "--dir", "/d", "cmd"), "--perms takes an octal argument <= 07777",
	      "--perms: invalid octal mode ''", "--perms ''");
	fails(W("--perms", "-1", "--dir", "/d", "cmd"), "--perms takes an octal argument <= 07777",
	      "--perms: invalid octal mode '-1'", "--perms -1");
	fails(W("--perms", "17777", "--dir", "/d", "cmd"),
	      "--perms takes an octal argument <= 07777", "--perms: invalid octal mode '17777'",
	      "--perms 17777");
	fails(W("--size", "10", "--dir", "/d", "cmd"), "--size must be followed by --tmpfs",
	      "--size: must be followed by --tmpfs, not by --dir", "--size then --dir");
	fails(W("--perms", "0700", "--size", "10", "--dir", "/d", "cmd"),
	      "--size must be followed by --tmpfs", "--size: must be followed by --tmpfs",
	      "--perms --size then --dir: perms taken, size left");
	fails(W("--size", "10", "--size", "20", "--tmpfs", "/d", "cmd"),
	      "--size given twice for the same action", "--size: given twice", "--size twice");
	fails(W("--size", "0", "--tmpfs", "/d", "cmd"), "--size takes a non-zero number of bytes",
	      "--size: invalid size '0'", "--size 0");
	fails(W("--size", "-5", "--tmpfs", "/d", "cmd"), "--size takes a non-zero number of bytes",
	      "--size: invalid size '-5'", "--size -5");
	fails(W("--size", "99999999999999999999", "--tmpfs", "/d", "cmd"),
	      "--size takes a non-zero number of bytes", "--size: invalid size", "--size overflow");
	fails(W("--size", "9223372036854775808", "--tmpfs", "/d", "cmd"),
	      "--size (for tmpfs) is limited to 9223372036854775807", "is too large",
	      "--size above half the address space");
	if (BWRAP) {
		parses(W("--size", "0x10", "--tmpfs", "/d", "cmd"),
		       "--size 0x10 (strtoull base 0)");
		is_int((long long)op_at(0)->size, 16, "  16 bytes");
		parses(W("--size", "010", "--tmpfs", "/d", "cmd"), "--size 010");
		is_int((long long)op_at(0)->size, 8, "  octal, as bubblewrap");
		fails(W("--size", "1k", "--tmpfs", "/d", "cmd"),
		      "--size takes a non-zero number of bytes", NULL, "--size 1k is not bwrap's");
		/* bubblewrap ignores a modifier left before the command or -- */
		parses(W("--perms", "0700", "cmd"), "dangling --perms before the command ignored");
		parses(W("--size", "10", "--", "cmd"), "dangling --size before -- ignored");
	} else {
		parses(W("--size", "1k", "--tmpfs", "/d", "--size", "2M", "--tmpfs", "/e", "cmd"),
		       "--size with suffixes");
		ok(op_at(0)->size == 1024 && op_at(1)->size == 2u << 20, "  1k and 2M");
		fails(W("--perms", "0700", "cmd"), NULL,
		      "--perms: must be followed by an option that creates a file",
		      "dangling --perms");
		fails(W("--size", "10", "--", "cmd"), NULL, "--size: must be followed by --tmpfs",
		      "dangling --size");
	}

	/* --overlay-src */
	fails(W("--overlay", "rw", "wd", "/d", "cmd"),
	      "--overlay requires at least one --overlay-src",
	      "--overlay: needs at least one --overlay-src", "--overlay without layers");
	fails(W("--tmp-overlay", "/d", "cmd"), "--tmp-overlay requires at least one --overlay-src",
	      "--tmp-overlay: needs at least one --overlay-src", "--tmp-overlay without layers");
	fails(W("--overlay-src", "a", "--ro-overlay", "/d", "cmd"),
	      "--ro-overlay requires at least two --overlay-src",
	      "--ro-overlay: needs at least two --overlay-src", "--ro-overlay with one layer");
	fails(W("--overlay-src", "a", "--bind", "/", "/", "cmd"),
	      "--overlay-src must be followed by another --overlay-src or one of --overlay, "
	      "--tmp-overlay, or --ro-overlay",
	      "not by --bind", "--overlay-src then --bind");
	fails(W("--overlay-src", "a", "cmd"),
	      "--overlay-src must be followed by another --overlay-src or one of --overlay, "
	      "--tmp-overlay, or --ro-overlay",
	      "not by the command", "--overlay-src before the command");
	fails(W("--overlay-src", "a", "--perms", "0700", "--tmp-overlay", "/d", "cmd"),
	      "--overlay-src must be followed by another --overlay-src or one of --overlay, "
	      "--tmp-overlay, or --ro-overlay",
	      "not by --perms", "--overlay-src then --perms");
	fails(W("--perms", "0700", "--overlay-src", "a", "--tmp-overlay", "/d", "cmd"),
	      "--perms must be followed by an option that creates a file", "not by --overlay-src",
	      "--perms then --overlay-src");
	parses(W("--overlay-src", "a", "--tmp-overlay", "/d", "--overlay-src", "b", "--tmp-overlay",
		 "/e", "cmd"),
	       "layers are used up by their overlay");
	ok(cfg.ops.count == 4 && op_at(1)->type == SETUP_TMP_OVERLAY &&
		   op_at(3)->type == SETUP_TMP_OVERLAY,
	   "  two overlays with one layer each");
	fails(W("--overlay-src", "a", "--tmp-overlay", "/d", "--ro-overlay", "/e", "cmd"),
	      "--ro-overlay requires at least two --overlay-src", "--ro-overlay: needs",
	      "layers do not carry over");
}

static void test_caps(void)
{
	/* ALL is every bit in the config; the planner keeps the kernel's (unit-plan). */
	uint64_t all = UINT64_MAX;

	parses(W("--cap-add", "CAP_NET_ADMIN", "--cap-add", "sys_admin", "--cap-add", "Chown",
		 "--cap-add", "cap_kill", "cmd"),
	       "--cap-add in any case, with or without CAP_");
	ok(cfg.caps_explicit, "  explicit");
	is_int((long long)cfg.caps,
	       (long long)((1ull << CAP_NET_ADMIN) | (1ull << CAP_SYS_ADMIN) | (1ull << CAP_CHOWN) |
			   (1ull << CAP_KILL)),
	       "  four bits");
	is_int((long long)cfg.caps_keep_initial, -1, "  initial set kept");
	parses(W("--cap-add", "ALL", "--cap-drop", "CAP_SYS_ADMIN", "cmd"), "ALL then drop one");
	is_int((long long)cfg.caps, (long long)(all & ~(1ull << CAP_SYS_ADMIN)), "  all but one");
	is_int((long long)cfg.caps_keep_initial, (long long)~(1ull << CAP_SYS_ADMIN),
	       "  dropped from the initial set too");
	parses(W("--cap-drop", "CAP_SYS_ADMIN", "--cap-add", "ALL", "cmd"), "order matters");
	is_int((long long)cfg.caps, (long long)all, "  all");
	parses(W("--cap-add", "all", "--cap-drop", "All", "--cap-add", "net_raw", "cmd"),
	       "any-case ALL");
	is_int((long long)cfg.caps, (long long)(1ull << CAP_NET_RAW), "  only net_raw");
	is_int((long long)cfg.caps_keep_initial, 0, "  --cap-drop ALL empties the initial set");
	parses(W("--cap-drop", "net_raw", "cmd"), "drop only");
	ok(cfg.caps_explicit && cfg.caps == 0, "  explicit, empty added set");
	parses(W("--cap-add", "21", "cmd"), "number, as libcap takes it");
	is_int((long long)cfg.caps, (long long)(1ull << 21), "  bit 21");
	fails(W("--cap-add", "foo", "cmd"), "unknown cap: foo",
	      "--cap-add: unknown capability 'foo'", "unknown cap");
	fails(W("--cap-drop", "CAP_", "cmd"), "unknown cap: CAP_",
	      "--cap-drop: unknown capability 'CAP_'", "bare prefix");
	fails(W("--cap-drop", "", "cmd"), "unknown cap: ", "--cap-drop: unknown capability ''",
	      "empty cap");
}

static void test_seccomp(void)
{
	char *errout = NULL;
	int r;

	parses(W("--add-seccomp-fd", "4", "--add-seccomp-fd", "5", "cmd"), "--add-seccomp-fd");
	ok(cfg.seccomp_fds.n == 2 && cfg.seccomp_fds.v[0] == 4 && cfg.seccomp_fds.v[1] == 5 &&
		   !cfg.seccomp_legacy,
	   "  two programs in order");
	r = run_captured(W("--seccomp", "4", "--seccomp", "6", "cmd"), NULL, &errout);
	ok(r == 0 && cfg.seccomp_legacy && cfg.seccomp_fds.n == 1 && cfg.seccomp_fds.v[0] == 6,
	   "%s: --seccomp twice: last wins", face->prog);
	ok(strstr(errout, "--seccomp") != NULL, "  warned");
	free(errout);
	fails(W("--seccomp", "3", "--add-seccomp-fd", "4", "cmd"),
	      "--add-seccomp-fd cannot be combined with --seccomp",
	      "--add-seccomp-fd: cannot be combined with --seccomp",
	      "--seccomp then --add-seccomp-fd");
	fails(W("--add-seccomp-fd", "4", "--seccomp", "3", "cmd"),
	      "--seccomp cannot be combined with --add-seccomp-fd",
	      "--seccomp: cannot be combined with --add-seccomp-fd",
	      "--add-seccomp-fd then --seccomp");
	fails(W("--seccomp", "x", "cmd"), "Invalid fd: x", "--seccomp: invalid file descriptor",
	      "--seccomp bad fd");
}

/* A pipe holding `len` bytes of `data`, write end closed; returns the read end. */
static int pipe_with(const char *data, size_t len)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (len && write_all(p[1], data, len) < 0)
		return -1;
	close(p[1]);
	return p[0];
}

static void test_args(void)
{
	static const char content[] = "--dir\0/from-args\0--setenv\0K\0V";
	static const char dangling[] = "--dir\0/from-args\0--perms\0000700";
	char fdstr[16];
	int fd;

	fd = pipe_with(content, sizeof(content) - 1);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	parses(W("--ro-bind", "/", "/", "--args", fdstr, "--tmpfs", "/t", "cmd", "arg"),
	       "--args through a pipe");
	ok(cfg.ops.count == 3 && op_at(0)->type == SETUP_RO_BIND && op_at(1)->type == SETUP_DIR &&
		   !strcmp(op_at(1)->dest, "/from-args") && op_at(2)->type == SETUP_TMPFS,
	   "  parsed in place, in order");
	ok(cfg.env_head && !strcmp(cfg.env_head->name, "K") && !strcmp(cfg.env_head->value, "V"),
	   "  --setenv from the fd");
	ok(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "  the fd was closed after reading");
	is_int(cfg.argc, 2, "  command after --args");
	close(fd);

	/* --perms last in the file: bubblewrap checks it after --args, so --tmpfs is too late */
	fd = pipe_with(dangling, sizeof(dangling) - 1);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fails(W("--args", fdstr, "--tmpfs", "/t", "cmd"),
	      "--perms must be followed by an option that creates a file", "not by --args",
	      "a modifier cannot cross the end of --args");
	close(fd);

	fd = memfd_create("args", MFD_CLOEXEC);
	write_all(fd, "--tmpfs\0/m\0--unshare-pid\0", 25);
	lseek(fd, 0, SEEK_SET);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	parses(W("--perms", "0711", "--args", fdstr, "cmd"), "--args from a memfd");
	ok(cfg.unshare_pid && cfg.ops.count == 1 && op_at(0)->perms == 0711,
	   "  --perms before --args attaches inside it");

	fd = pipe_with("--args\0003\0", 9);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fails(W("--args", fdstr, "cmd"), "--args not supported in arguments file",
	      "--args: not allowed among the arguments read by --args", "nested --args");
	fd = pipe_with("--args", 6);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fails(W("--args", fdstr, "cmd"), "--args not supported in arguments file", "--args",
	      "nested --args without its fd");
	fd = pipe_with("--bind\0/a", 9);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fails(W("--args", fdstr, "/b", "cmd"), "--bind takes two arguments",
	      "--bind: missing argument", "arguments do not continue past the fd's words");
	fd = pipe_with("--bogus", 7);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fails(W("--args", fdstr, "cmd"), "Unknown option --bogus",
	      "cannot use '--bogus': unknown option", "unknown option in --args");
	fd = pipe_with("", 0);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	parses(W("--args", fdstr, "cmd"), "empty --args");

	fd = pipe_with("--dir\0/x\0true\0--bogus\0", 23);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	if (BWRAP) {
		parses(W("--args", fdstr, "--dir", "/y", "cmd"), "non-option in --args ends it");
		ok(cfg.ops.count == 2 && !strcmp(op_at(1)->dest, "/y") && cfg.argc == 1 &&
			   !strcmp(cfg.argv[0], "cmd"),
		   "  rest of the fd ignored, as bubblewrap does");
	} else {
		fails(W("--args", fdstr, "cmd"), NULL, "--args: unexpected 'true'",
		      "a command inside --args");
	}

	fails(W("--args", "999", "cmd"), "Can't read --args data: Bad file descriptor",
	      "cannot read the arguments of --args from fd 999: Bad file descriptor",
	      "unreadable --args fd");
	fails(W("--args", "x", "cmd"), "Invalid fd: x", "--args: invalid file descriptor 'x'",
	      "--args bad fd");
}

static void test_many(void)
{
	enum { N = 4000 };
	const char **w = calloc(3 * N + 3, sizeof(*w));
	char *buf, *p;
	size_t i, n = 0;
	char fdstr[16];
	int fd;

	w[n++] = "prog";
	for (i = 0; i < N; i++) {
		w[n++] = "--ro-bind";
		w[n++] = "/usr";
		w[n++] = "/usr";
	}
	w[n++] = "cmd";
	w[n] = NULL;
	parses(w, "4000 --ro-bind on the command line");
	is_int(cfg.ops.count, N, "  4000 ops");
	free(w);

	buf = malloc(N * 24);
	for (p = buf, i = 0; i < N; i++)
		p += sprintf(p, "--ro-bind%c/lib%zu%c/lib%c", 0, i, 0, 0);
	fd = memfd_create("many", MFD_CLOEXEC);
	write_all(fd, buf, (size_t)(p - buf));
	lseek(fd, 0, SEEK_SET);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	parses(W("--args", fdstr, "cmd"), "4000 --ro-bind through --args");
	ok(cfg.ops.count == N && !strcmp(op_at(N - 1)->src, "/lib3999"), "  4000 ops, last intact");
	free(buf);
}

static void test_setup_list(void)
{
	struct setup_list list = { 0 };
	struct setup_op *a, *b;

	a = setup_list_append(&list, SETUP_TMPFS, "tmpfs");
	b = setup_list_append(&list, SETUP_RO_BIND_DATA, NULL);
	ok(list.head == a && list.tail == b && a->next == b && list.count == 2, "list links");
	ok(a->fd == -1 && a->perms == SETUP_PERMS_UNSET && a->size == 0 && a->flags == 0 &&
		   !a->src && !a->dest && !a->workdir,
	   "appended op is zeroed, fd -1, perms unset");
	is_str(b->option, "ro-bind-data", "option defaults to the type's name");
	setup_list_free(&list);
	ok(!list.head && !list.tail && list.count == 0, "freed list is empty");
	is_str(setup_op_name(SETUP_BIND), "bind", "setup_op_name bind");
	is_str(setup_op_name(SETUP_LOCK_FILE), "lock-file", "setup_op_name lock-file");
	is_str(setup_op_name(SETUP_MASK), "mask", "setup_op_name mask");
	is_str(setup_op_name(SETUP_RO_OVERLAY), "ro-overlay", "setup_op_name ro-overlay");
	is_str(setup_op_name((enum setup_op_type)999), "?", "setup_op_name out of range");
}

static void test_caps_names(void)
{
	struct error e;
	uint64_t all = caps_all();
	long last = -1;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f) {
		if (fscanf(f, "%ld", &last) != 1)
			last = -1;
		fclose(f);
	}
	if (last >= 0)
		is_int((long long)all,
		       last >= 63 ? -1 : (long long)((UINT64_C(1) << (last + 1)) - 1),
		       "caps_all matches cap_last_cap");
	else
		skip("no /proc/sys/kernel/cap_last_cap");
	ok(all & 1 && all & (1ull << CAP_SYS_ADMIN), "caps_all has CHOWN and SYS_ADMIN");
	is_int(caps_parse_name("CAP_NET_ADMIN", &e), CAP_NET_ADMIN, "CAP_NET_ADMIN");
	is_int(caps_parse_name("net_admin", &e), CAP_NET_ADMIN, "net_admin");
	is_int(caps_parse_name("Net_Admin", &e), CAP_NET_ADMIN, "Net_Admin");
	is_int(caps_parse_name("cap_Net_Admin", &e), CAP_NET_ADMIN, "cap_Net_Admin");
	is_int(caps_parse_name("ALL", &e), -2, "ALL");
	is_int(caps_parse_name("aLl", &e), -2, "aLl");
	is_int(caps_parse_name("nope", &e), -1, "unknown");
	face_set(FACE_BWRAP);
	caps_parse_name("nope", &e);
	is_str(e.msg, "unknown cap: nope", "bwrap text for an unknown cap");
	face_set(FACE_HUTCH);
	caps_parse_name("nope", &e);
	ok(strstr(e.msg, "unknown capability 'nope'") != NULL, "hutch text: '%s'", e.msg);
}

static uint64_t status_mask(const char *text, const char *field)
{
	const char *p = strstr(text, field);

	return p ? strtoull(p + strlen(field), NULL, 16) : UINT64_MAX;
}

/* Forks, applies, and reports /proc/self/status's capability lines through a pipe. */
static char *apply_in_child(uint64_t keep, bool ambient)
{
	int p[2];
	pid_t pid;
	char *out = NULL;
	int status;

	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		char *text = NULL;
		int fd;

		caps_child_apply(keep, caps_all(), ambient, false);
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read_all_fd(fd, &text, NULL) < 0)
			_exit(2);
		write_all(p[1], text, strlen(text));
		_exit(0);
	}
	close(p[1]);
	if (read_all_fd(p[0], &out, NULL) < 0)
		out = NULL;
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void test_caps_apply(void)
{
	uint64_t keep = (1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_CHOWN);
	char *s;

	if (getuid() != 0 || prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) != 1) {
		skip("caps_child_apply needs root with CAP_SETPCAP");
		skip("caps_child_apply needs root with CAP_SETPCAP");
		return;
	}
	s = apply_in_child(keep, true);
	if (ok(s != NULL, "caps_child_apply(keep, ambient) in a child")) {
		ok(status_mask(s, "CapInh:") == keep && status_mask(s, "CapPrm:") == keep &&
			   status_mask(s, "CapEff:") == keep && status_mask(s, "CapBnd:") == keep &&
			   status_mask(s, "CapAmb:") == keep,
		   "  every set is exactly keep");
		free(s);
	}
	s = apply_in_child(keep, false);
	if (ok(s != NULL, "caps_child_apply(keep, no ambient) in a child")) {
		ok(status_mask(s, "CapEff:") == keep && status_mask(s, "CapBnd:") == keep &&
			   status_mask(s, "CapAmb:") == 0,
		   "  ambient empty");
		free(s);
	}
	s = apply_in_child(0, true);
	if (ok(s != NULL, "caps_child_apply(0) in a child")) {
		ok(status_mask(s, "CapEff:") == 0 && status_mask(s, "CapBnd:") == 0 &&
			   status_mask(s, "CapAmb:") == 0,
		   "  nothing left");
		free(s);
	}
}

static int words_in(const char *args)
{
	int n = 0;

	for (const char *p = args; p && *p; p++)
		n += p == args || *p == ' ';
	return n;
}

/* Says why the row's shape does not fit its kind, or NULL: a row added wrong fails here
 * rather than on a user's command line. */
static const char *row_problem(const struct option_row *o)
{
	int n = words_in(o->args), i, roles = 0;

	if (!o->name[0] || o->name[0] == '-' || strchr(o->name, '='))
		return "bad name";
	if (!o->doc || !o->doc[0])
		return "no help text";
	if (!(o->faces & OPTION_IN(FACE_HUTCH)) || (o->faces & ~IN_BOTH))
		return "the hutch face must know every option, and there are two faces";
	if (n > OPTION_MAX_ARGS)
		return "more arguments than OPTION_MAX_ARGS";
	if ((o->kind == OPTION_CALL) != (o->call != NULL))
		return "a handler without OPTION_CALL, or OPTION_CALL without one";
	if ((o->flags & OPTION_LAST_WINS) && o->kind != OPTION_FD && o->kind != OPTION_STRING &&
	    o->kind != OPTION_ID)
		return "OPTION_LAST_WINS on a kind that keeps no single value";
	if ((o->flags & OPTION_MODIFIER) && o->kind != OPTION_CALL)
		return "a modifier is a handler";
	if ((o->flags & OPTION_LAYER) && o->kind != OPTION_SETUP_OP)
		return "a layer is a setup op";
	switch (o->kind) {
	case OPTION_SET_BOOL:
	case OPTION_SET_NS:
		return n == 0 ? NULL : "a flag takes no argument";
	case OPTION_FD:
	case OPTION_FD_LIST:
	case OPTION_STRING:
	case OPTION_ID:
		return n == 1 ? NULL : "this kind takes one argument";
	case OPTION_ENV: {
		int want = o->value == ENV_SET ? 2 : o->value == ENV_UNSET ? 1 : 0;

		return n == want ? NULL : "the environment op's arguments";
	}
	case OPTION_SETUP_OP:
		for (i = 0; i < OPTION_MAX_ARGS; i++) {
			if ((i < n) != (o->op.role[i] != ARG_NONE))
				return "one role per argument";
			roles |= 1 << o->op.role[i];
		}
		if (!(roles & (1 << ARG_DEST)) && o->op.type != SETUP_OVERLAY_SRC)
			return "a setup op without a destination";
		if (o->op.takes_size && !o->op.takes_perms)
			return "--size without --perms";
		return NULL;
	case OPTION_CALL:
		return NULL;
	}
	return "unknown kind";
}

static void test_table(void)
{
	unsigned i, j, bad = 0;

	ok(options_table_len >= 70, "the table has %u rows", options_table_len);
	for (i = 0; i < options_table_len; i++) {
		const struct option_row *o = &options_table[i];
		const char *why = row_problem(o);

		for (j = 0; !why && j < i; j++)
			if (strcmp(options_table[j].name, o->name) == 0)
				why = "given twice";
		if (why) {
			printf("#   --%s: %s\n", o->name, why);
			bad++;
		}
	}
	is_int(bad, 0, "every row's shape fits its kind");
}

/* Per face: --help lists exactly the rows of the face, and the bwrap face calls the hutch
 * face's own options unknown, arguments given or not. */
static void test_table_faces(void)
{
	unsigned i, wrong_help = 0, wrong_unknown = 0;
	char *out = NULL;

	run_captured(W("--help"), &out, NULL);
	for (i = 0; i < options_table_len; i++) {
		const struct option_row *o = &options_table[i];
		bool in = o->faces & OPTION_IN(face->id);
		char needle[64], word[64], msg[96];

		snprintf(needle, sizeof(needle), "\n    --%s%s", o->name, o->args ? " " : "  ");
		if (in != (out && strstr(out, needle) != NULL)) {
			printf("#   --%s %s in --help\n", o->name, in ? "missing" : "wrongly");
			wrong_help++;
		}
		if (in)
			continue;
		snprintf(word, sizeof(word), "--%s", o->name);
		snprintf(msg, sizeof(msg), "Unknown option %s", word);
		if (run_captured(W(word, "5", "5", "5", "cmd"), NULL, NULL) != -1 ||
		    strcmp(err.msg, msg) != 0) {
			printf("#   %s: '%s'\n", word, err.msg);
			wrong_unknown++;
		}
	}
	free(out);
	ok(wrong_help == 0, "%s: --help lists the rows of its face", face->prog);
	ok(wrong_unknown == 0, "%s: %s", face->prog,
	   BWRAP ? "the hutch face's options are unknown" : "knows every row");
}

int main(void)
{
	static const enum face_id faces[] = { FACE_HUTCH, FACE_BWRAP };
	unsigned i;

	config_init(&cfg);
	for (i = 0; i < 2; i++) {
		face_set(faces[i]);
		printf("# face %s\n", face->prog);
		test_command();
		test_no_command();
		test_help_version();
		test_unknown();
		test_missing_args();
		test_flags();
		test_fd_options();
		test_ids_and_strings();
		test_ops();
		test_modifiers();
		test_caps();
		test_seccomp();
		test_args();
		test_many();
		test_table_faces();
	}
	face_set(FACE_HUTCH);
	test_table();
	test_setup_list();
	test_caps_names();
	test_caps_apply();
	config_free(&cfg);
	return done_testing();
}

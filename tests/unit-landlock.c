/* unit-landlock: the Landlock rules derived from a plan (landlock.c, pure) and the options
 * around them, in both faces: which paths get a rule, with which rights for which ABI, and
 * what the planner says of --landlock-ro without Landlock. Links libhutch.a; TAP on stdout. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../landlock.h"
#include "../options.h"
#include "../plan.h"
#include "../util.h"
#include "tap.h"

#define W(...) ((const char *[]){ "prog", __VA_ARGS__, NULL })

static struct config cfg;
static struct host_facts host;
static struct plan pl;
static struct error err;

static int parse_and_plan(const char **w)
{
	int n = 0, exit_now = 0;

	while (w[n])
		n++;
	plan_free(&pl);
	config_free(&cfg);
	config_init(&cfg);
	memset(&err, 0, sizeof(err));
	memset(&host, 0, sizeof(host));
	host.uid = host.euid = host.gid = host.egid = 1000;
	host.caps_all = (UINT64_C(1) << 41) - 1;
	host.has_userns = host.has_cgroupns = true;
	host.umask = 022;
	host.cwd = "/home/u";
	if (options_parse(&cfg, n, (char **)w, &exit_now, &err) < 0)
		return -1;
	return plan_make(&cfg, &host, &pl, &err);
}

/* The rules as "PATH=rw|ro[,host]" joined by ' '. */
static const char *rules(void)
{
	static char buf[2048];
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < pl.landlock.n && o < sizeof(buf); i++) {
		const struct landlock_rule *r = &pl.landlock.rules[i];
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s=%s%s", i ? " " : "", r->path,
				      r->writable ? "rw" : "ro", r->host ? ",host" : "");
	}
	return buf;
}

static void rules_are(const char **w, const char *want, const char *name)
{
	if (!ok(parse_and_plan(w) == 0, "%s: %s: plans", face->prog, name)) {
		printf("#   %s\n", err.msg);
		return;
	}
	ok(pl.landlock.on, "  Landlock on");
	is_str(rules(), want, "  the rules");
}

static void test_rights(void)
{
	const uint64_t ro = 1 | 4 | 8; /* execute, read file, read dir */

	is_int((long long)landlock_fs_handled(0), 0, "ABI 0: nothing handled");
	is_int((long long)landlock_fs_handled(1), 0x1fff, "ABI 1: execute .. make_sym");
	is_int((long long)landlock_fs_handled(2), 0x3fff, "ABI 2: + refer");
	is_int((long long)landlock_fs_handled(3), 0x7fff, "ABI 3: + truncate");
	is_int((long long)landlock_fs_handled(4), 0x7fff, "ABI 4: nothing new for files");
	is_int((long long)landlock_fs_handled(5), 0xffff, "ABI 5: + ioctl_dev");
	is_int((long long)landlock_fs_handled(7), 0xffff, "ABI 7: the same");
	is_int((long long)landlock_fs_rights(7, false, true), (long long)ro,
	       "read-only directory: execute, read_file, read_dir");
	is_int((long long)landlock_fs_rights(7, false, false), 1 | 4,
	       "read-only file: execute, read_file (no directory right: EINVAL otherwise)");
	is_int((long long)landlock_fs_rights(7, true, true), 0xffff, "writable directory: all");
	is_int((long long)landlock_fs_rights(7, true, false), 1 | 2 | 4 | 0x4000 | 0x8000,
	       "writable file: execute, write, read, truncate, ioctl_dev");
	is_int((long long)landlock_fs_rights(2, true, false), 1 | 2 | 4,
	       "writable file, ABI 2: no truncate nor ioctl_dev (not handled)");
}

static void test_rules(void)
{
	rules_are(W("--landlock", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
		    "--dir", "/x", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "true"),
		  "/=rw /usr=ro /proc=rw /dev=rw /tmp=rw",
		  "each mount with its rights, nothing for a symlink or a directory");
	rules_are(W("--landlock", "--ro-bind", "/", "/", "--bind", "/home/u/p", "/home/u/p",
		    "true"),
		  "/=ro /home/u/p=rw", "a read-only bind of / replaces the base tmpfs's rule");
	rules_are(W("--landlock", "--bind", "/a", "/x/y", "--tmpfs", "/x", "--ro-bind", "/b",
		    "x//z/./", "true"),
		  "/=rw /x=rw /x/z=ro", "a mount hides those below it; destinations normalised");
	rules_are(W("--landlock", "--tmpfs", "/a", "--ro-bind", "/b", "/a", "true"), "/=rw /a=ro",
		  "a mount on the same path replaces the rule");
	rules_are(W("--landlock", "--bind", "/a", "/a", "--remount-ro", "/a", "--remount-ro", "/",
		    "true"),
		  "/=ro /a=ro", "--remount-ro makes the mount it names read-only");
	rules_are(W("--landlock", "--bind", "/a", "/a", "--remount-ro", "/a/sub", "true"),
		  "/=rw /a=ro", "--remount-ro of a path below a mount: that mount");
	rules_are(W("--landlock", "--ro-bind-data", "3", "/f", "--bind-data", "4", "/g",
		    "--overlay-src", "/l1", "--overlay-src", "/l2", "--ro-overlay", "/o", "true"),
		  "/=rw /f=ro /g=rw /o=ro", "data binds and overlays");
	rules_are(W("--landlock", "--landlock-ro", "/srv/data", "--landlock-rw", "/srv/out",
		    "--tmpfs", "/srv/data", "true"),
		  "/=rw /srv/data=rw /srv/data=ro,host /srv/out=rw,host",
		  "host paths stay apart from the root's");
	/* make's jobserver fifo is bound read-only and written to. */
	struct setup_list ops = { 0 };
	struct setup_op *op = setup_list_append(&ops, SETUP_RO_BIND, "ro-bind");
	op->src = op->dest = "/tmp/GMfifo1";
	op->origin = "MAKEFLAGS";
	struct landlock_plan lp = { 0 };
	ok(landlock_plan_rules(&ops, NULL, 0, &lp, &err) == 0 && lp.n == 2 && lp.rules[1].writable,
	   "make's jobserver fifo gets a writable rule");
	landlock_plan_free(&lp);
	setup_list_free(&ops);
}

static void test_options(void)
{
	ok(parse_and_plan(W("--ro-bind", "/", "/", "true")) == 0 && !pl.landlock.asked,
	   "%s: off by default", face->prog);
	ok(parse_and_plan(W("--landlock", "--no-landlock", "true")) == 0 && !pl.landlock.asked,
	   "%s: --no-landlock after --landlock: off", face->prog);
	ok(parse_and_plan(W("--landlock-try", "true")) == 0 && pl.landlock.on &&
		   !pl.landlock.required,
	   "%s: --landlock-try: on, not required", face->prog);
	ok(parse_and_plan(W("--landlock", "true")) == 0 && pl.landlock.required,
	   "%s: --landlock: required", face->prog);
	ok(parse_and_plan(W("--landlock-ro", "/x", "true")) == -1 &&
		   strstr(err.msg, "--landlock-ro: needs --landlock"),
	   "%s: --landlock-ro without Landlock refused: %s", face->prog, err.msg);
	ok(parse_and_plan(W("--landlock", "--unshare-pid", "--unshare-net", "true")) == 0 &&
		   pl.landlock.scope_signal && pl.landlock.scope_abstract,
	   "%s: own PID and network namespaces: signals and abstract sockets scoped", face->prog);
	ok(parse_and_plan(W("--landlock", "true")) == 0 && !pl.landlock.scope_signal &&
		   !pl.landlock.scope_abstract,
	   "%s: the host's PID and network namespaces: nothing scoped", face->prog);
}

static void test_base(void)
{
	ok(parse_and_plan(W("--base", "true")) == 0 && pl.landlock.on && !pl.landlock.required &&
		   pl.landlock.origin && strcmp(pl.landlock.origin, "base") == 0,
	   "--base says --landlock-try");
	ok(parse_and_plan(W("--base", "--no-landlock", "true")) == 0 && !pl.landlock.asked,
	   "--base --no-landlock: off");
	ok(parse_and_plan(W("--no-landlock", "--base", "true")) == 0 && pl.landlock.on,
	   "--no-landlock --base: the later --base turns it on");
}

int main(void)
{
	static const enum face_id faces[] = { FACE_HUTCH, FACE_BWRAP };

	config_init(&cfg);
	test_rights();
	for (unsigned i = 0; i < 2; i++) {
		face_set(faces[i]);
		printf("# face %s\n", face->prog);
		test_rules();
		test_options();
	}
	face_set(FACE_HUTCH);
	test_base();
	plan_free(&pl);
	config_free(&cfg);
	return done_testing();
}

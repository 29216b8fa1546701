/* unit-plan: the planner (plan.c), pure: every rule between options and every decision, for
 * both faces and for made-up hosts (root or not, a kernel with or without some namespaces,
 * fds the caller left closed). Links libhutch.a; TAP on stdout. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../jobserver.h"
#include "../options.h"
#include "../plan.h"
#include "../setup-op.h"
#include "../util.h"
#include "tap.h"

static struct config cfg;
static struct host_facts host;
static struct plan pl;
static struct error err;

#define W(...)		  ((const char *[]){ "prog", __VA_ARGS__, NULL })
#define BWRAP		  (face->id == FACE_BWRAP)
#define CAP_SYS_ADMIN_BIT (UINT64_C(1) << 21)

/* A made-up caller: an ordinary user (1000), or root with every capability. */
static void host_user(void)
{
	memset(&host, 0, sizeof(host));
	host.uid = host.euid = 1000;
	host.gid = host.egid = 1000;
	host.caps_all = (UINT64_C(1) << 41) - 1;
	host.has_userns = host.has_cgroupns = true;
	host.umask = 022;
	host.cwd = "/home/u";
}

static void host_root(void)
{
	host_user();
	host.uid = host.euid = host.gid = host.egid = 0;
	host.caps = host.caps_all;
	host.privileged = true;
	host.cwd = "/root";
}

static int parse(const char **w)
{
	int n = 0, exit_now = 0;

	while (w[n])
		n++;
	config_free(&cfg);
	config_init(&cfg);
	memset(&err, 0, sizeof(err));
	return options_parse(&cfg, n, (char **)w, &exit_now, &err);
}

static int make(void)
{
	plan_free(&pl);
	memset(&err, 0, sizeof(err));
	return plan_make(&cfg, &host, &pl, &err);
}

static void passes(const char **w, const char *name)
{
	if (!ok(parse(w) == 0 && make() == 0, "%s: %s: plans", face->prog, name))
		printf("#   %s\n", err.msg);
}

/* The rule's message: bubblewrap's exactly in the bwrap face, containing hutch_part in ours. */
static void fails(const char **w, const char *bwrap_msg, const char *hutch_part, const char *name)
{
	if (!ok(parse(w) == 0, "%s: %s: parses", face->prog, name)) {
		printf("#   %s\n", err.msg);
		return;
	}
	if (!ok(make() == -1, "%s: %s: refused", face->prog, name))
		return;
	if (BWRAP)
		is_str(err.msg, bwrap_msg, "  bwrap message");
	else
		ok(strstr(err.msg, hutch_part) != NULL, "  hutch message '%s' contains '%s'",
		   err.msg, hutch_part);
}

/* bubblewrap's rules, in bubblewrap's order. */
static void test_rules(void)
{
	host_user();
	passes(W("--unshare-all", "--hostname", "h", "--as-pid-1", "cmd"), "a plain valid config");
	fails(W("--userns-block-fd", "3", "--info-fd", "4", "cmd"),
	      "--userns-block-fd requires --unshare-user",
	      "--userns-block-fd requires --unshare-user", "--userns-block-fd alone");
	fails(W("--unshare-all", "--userns-block-fd", "3", "--info-fd", "4", "cmd"),
	      "--userns-block-fd requires --unshare-user",
	      "--userns-block-fd requires --unshare-user", "--unshare-user-try is not enough");
	fails(W("--unshare-user", "--userns-block-fd", "3", "cmd"),
	      "--userns-block-fd requires --info-fd", "--userns-block-fd requires --info-fd",
	      "--userns-block-fd without --info-fd");
	passes(W("--unshare-user", "--userns-block-fd", "3", "--info-fd", "4", "cmd"),
	       "--userns-block-fd with both");
	fails(W("--unshare-user", "--userns", "3", "cmd"), "--userns not compatible --unshare-user",
	      "--userns cannot be combined with --unshare-user", "--userns + --unshare-user");
	fails(W("--unshare-user-try", "--userns", "3", "cmd"),
	      "--userns not compatible --unshare-user-try",
	      "--userns cannot be combined with --unshare-user-try", "--userns + -try");
	fails(W("--unshare-all", "--userns", "3", "cmd"),
	      "--userns not compatible --unshare-user-try", "--unshare-user-try",
	      "--userns + --unshare-all");
	passes(W("--userns", "3", "--userns2", "4", "--uid", "5", "--gid", "6", "cmd"),
	       "--userns with --uid/--gid");
	fails(W("--disable-userns", "cmd"), "--disable-userns requires --unshare-user",
	      "--disable-userns requires --unshare-user", "--disable-userns alone");
	fails(W("--unshare-all", "--disable-userns", "cmd"),
	      "--disable-userns requires --unshare-user",
	      "--disable-userns requires --unshare-user", "--disable-userns + -try");
	fails(W("--unshare-user", "--disable-userns", "--userns-block-fd", "3", "--info-fd", "4",
		"cmd"),
	      "--disable-userns is not compatible with  --userns-block-fd",
	      "--disable-userns cannot be combined with --userns-block-fd",
	      "--disable-userns + --userns-block-fd");
	passes(W("--unshare-user", "--disable-userns", "--assert-userns-disabled", "cmd"),
	       "--disable-userns with --unshare-user");
	passes(W("--uid", "5", "--gid", "5", "cmd"), "user: a user namespace is implied");
	host_root();
	if (BWRAP) {
		fails(W("--uid", "5", "cmd"),
		      "Specifying --uid requires --unshare-user or --userns", NULL,
		      "root: --uid without a user namespace");
		fails(W("--gid", "5", "cmd"),
		      "Specifying --gid requires --unshare-user or --userns", NULL,
		      "root: --gid without a user namespace");
		passes(W("--uid", "0", "--gid", "0", "cmd"), "root: --uid 0 is no change");
	} else {
		passes(W("--uid", "5", "--gid", "5", "cmd"), "root: the hutch face implies one");
	}
	passes(W("--unshare-user", "--uid", "5", "--gid", "6", "cmd"), "root: with --unshare-user");
	passes(W("--unshare-user-try", "--uid", "5", "cmd"), "root: with --unshare-user-try");
	host_user();
	fails(W("--hostname", "h", "cmd"), "Specifying --hostname requires --unshare-uts",
	      "--hostname requires --unshare-uts", "--hostname alone");
	passes(W("--unshare-uts", "--hostname", "h", "cmd"), "--hostname + --unshare-uts");
	fails(W("--as-pid-1", "cmd"), "Specifying --as-pid-1 requires --unshare-pid",
	      "--as-pid-1 requires --unshare-pid", "--as-pid-1 alone");
	fails(W("--unshare-pid", "--as-pid-1", "--lock-file", "/l", "cmd"),
	      "Specifying --as-pid-1 and --lock-file is not permitted",
	      "--as-pid-1 cannot be combined with --lock-file", "--as-pid-1 + --lock-file");
	passes(W("--unshare-pid", "--lock-file", "/l", "cmd"), "--lock-file alone");
	/* bubblewrap's order: the --userns-block-fd rule comes before the --hostname one */
	fails(W("--hostname", "h", "--userns-block-fd", "3", "cmd"),
	      "--userns-block-fd requires --unshare-user", "--userns-block-fd", "first rule wins");
}

/* Configs built by hand, which the parser would never produce: the op list's own rules. */
static void test_op_rules(void)
{
	struct setup_op *op;

	host_user();
	config_free(&cfg);
	config_init(&cfg);
	setup_list_append(&cfg.ops, SETUP_OVERLAY_SRC, NULL)->src = "a";
	ok(make() == -1, "%s: dangling layer at the end", face->prog);
	if (BWRAP)
		is_str(err.msg,
		       "--overlay-src must be followed by another --overlay-src or one of "
		       "--overlay, --tmp-overlay, or --ro-overlay",
		       "  message");
	setup_list_append(&cfg.ops, SETUP_RO_OVERLAY, NULL);
	ok(make() == -1 && strstr(err.msg, "--ro-overlay"), "  --ro-overlay with one layer");
	config_free(&cfg);
	config_init(&cfg);
	setup_list_append(&cfg.ops, SETUP_OVERLAY, NULL);
	ok(make() == -1 && strstr(err.msg, "--overlay"), "%s: --overlay without layers",
	   face->prog);
	config_free(&cfg);
	config_init(&cfg);
	op = setup_list_append(&cfg.ops, SETUP_BIND, NULL);
	op->perms = 0700;
	ok(make() == -1 && strstr(err.msg, "--perms"), "%s: perms on a bind", face->prog);
	op->perms = SETUP_PERMS_UNSET;
	op->size = 10;
	ok(make() == -1 && strstr(err.msg, "--size"), "%s: size on a bind", face->prog);
	op->size = 0;
	ok(make() == 0, "%s: plain bind", face->prog);
	op = setup_list_append(&cfg.ops, SETUP_DIR, NULL);
	op->perms = 010000;
	ok(make() == -1, "%s: perms out of range", face->prog);
	op->perms = 0700;
	cfg.seccomp_legacy = true;
	cfg.seccomp_fds.v = malloc(2 * sizeof(int));
	cfg.seccomp_fds.v[0] = 3;
	cfg.seccomp_fds.v[1] = 4;
	cfg.seccomp_fds.n = 2;
	ok(make() == -1 && strstr(err.msg, "--add-seccomp-fd"), "%s: --seccomp with two fds",
	   face->prog);
	config_free(&cfg);
}

/* User namespaces and the ids on each side of them. */
static void test_ids(void)
{
	host_user();
	passes(W("cmd"), "user, no options");
	ok(pl.ids.new_userns && pl.ids.write_maps && !pl.ids.parent_maps && !pl.ids.nested,
	   "  a user namespace, whose maps the child writes");
	ok(pl.clone_flags == (CLONE_NEWNS | CLONE_NEWUSER), "  mount and user namespaces");
	ok(pl.ids.outer_uid == 1000 && pl.ids.first_uid == 1000 && pl.ids.final_uid == 1000,
	   "  uid 1000 all the way");
	ok(!pl.rootfs.make_slave, "  the kernel makes the copied mounts slaves");

	passes(W("--dev", "/dev", "cmd"), "user, --dev");
	ok(pl.ids.first_uid == 0 && pl.ids.final_uid == 1000 && pl.ids.nested,
	   "  root in the first namespace (devpts), 1000 in a nested one");
	passes(W("--dev", "/dev", "--uid", "0", "--gid", "0", "cmd"), "user, --dev --uid 0");
	ok(!pl.ids.nested, "  no nested namespace when the final ids are 0");
	passes(W("--unshare-user", "--disable-userns", "cmd"), "--disable-userns");
	ok(pl.ids.nested && pl.ids.disable, "  always a nested namespace");
	passes(W("--userns", "5", "--uid", "7", "cmd"), "--userns");
	ok(!pl.ids.new_userns && pl.ids.userns_fd == 5 && pl.ids.uid_set && pl.ids.final_uid == 7 &&
		   !(pl.clone_flags & CLONE_NEWUSER),
	   "  joined, not created; switch to uid 7 there");

	host_root();
	passes(W("cmd"), "root, no options");
	if (BWRAP)
		ok(!pl.ids.new_userns && pl.rootfs.make_slave,
		   "  bwrap face: no user namespace, so hutch makes / a slave itself");
	else
		ok(pl.ids.new_userns && pl.ids.write_maps && pl.ids.outer_uid == 0,
		   "  hutch face: a user namespace mapping root onto root");
	host.privileged = false; /* uid 0 without CAP_SYS_ADMIN: inside another sandbox */
	passes(W("cmd"), "uid 0 without CAP_SYS_ADMIN");
	ok(pl.ids.new_userns, "  needs a user namespace like anyone");
	host_root();
	host.has_userns = false;
	passes(W("--unshare-user-try", "cmd"), "root, --unshare-user-try, no user namespaces");
	ok(pl.ids.new_userns == !BWRAP, "  tried and skipped (the hutch face always wants one)");
}

/* --host-uid/--host-gid. */
static void test_host_ids(void)
{
	if (BWRAP)
		return; /* hutch's own options */
	host_root();
	passes(W("--host-uid", "65534", "--host-gid", "65534", "cmd"), "root, --host-uid 65534");
	ok(pl.ids.parent_maps && !pl.ids.write_maps && pl.ids.outer_uid == 65534 &&
		   pl.ids.outer_gid == 65534,
	   "  the parent maps the sandbox onto 65534");
	ok(!pl.proc.in_place && pl.status.go_early,
	   "  so a parent stays, and the child waits for the maps first");
	passes(W("--host-uid", "0", "cmd"), "root, --host-uid 0 (its own)");
	ok(!pl.ids.parent_maps && pl.ids.write_maps, "  nothing to do for the parent");
	host_user();
	fails(W("--host-uid", "0", "cmd"), NULL, "only root may choose other host ids",
	      "user, --host-uid 0");
	passes(W("--host-uid", "1000", "--host-gid", "1000", "cmd"), "user, its own ids");
	host_root();
	fails(W("--userns", "3", "--host-uid", "5", "cmd"), NULL, "need a new user namespace",
	      "--host-uid with --userns");
}

static void test_namespaces(void)
{
	host_user();
	passes(W("--unshare-all", "cmd"), "--unshare-all");
	ok(pl.clone_flags == (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
			      CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP),
	   "  every namespace");
	ok(pl.loopback && pl.rootfs.own_pidns && pl.rootfs.own_netns,
	   "  loopback up; /proc and /proc/sys/net its own");
	host.has_cgroupns = false;
	passes(W("--unshare-all", "cmd"), "--unshare-all, no cgroup namespaces");
	ok(!(pl.clone_flags & CLONE_NEWCGROUP), "  cgroup tried and skipped");
	passes(W("--unshare-all", "--share-net", "cmd"), "--share-net");
	ok(!(pl.clone_flags & CLONE_NEWNET) && !pl.loopback, "  the host's network");
	passes(W("--pidns", "5", "--unshare-pid", "cmd"), "--pidns with --unshare-pid");
	ok(!(pl.clone_flags & CLONE_NEWPID) && pl.proc.pidns_fd == 5 && pl.proc.pidns_nested &&
		   pl.rootfs.own_pidns,
	   "  joined by forking, a new one below it");
}

/* Who stays where: in place, a parent, a reaper. */
static void test_processes(void)
{
	host_user();
	passes(W("cmd"), "no PID namespace, no status fd");
	ok(pl.proc.in_place == !BWRAP && !pl.proc.need_reaper,
	   "  in place in the hutch face; the bwrap face stays the parent (bubblewrap's shape)");
	passes(W("--info-fd", "1", "cmd"), "--info-fd");
	ok(!pl.proc.in_place && pl.status.go_early && pl.status.info_fd == 1,
	   "  a parent, which writes it before the child goes on");
	passes(W("--unshare-pid", "cmd"), "--unshare-pid");
	ok(!pl.proc.in_place && pl.proc.need_reaper && pl.proc.reaper_is_pid1 &&
		   !pl.status.go_early,
	   "  pid 1 reaps; the go comes right before the command");
	passes(W("--unshare-pid", "--as-pid-1", "cmd"), "--as-pid-1");
	ok(!pl.proc.need_reaper && pl.proc.as_pid_1, "  no reaper");
	passes(W("--sync-fd", "1", "cmd"), "--sync-fd");
	ok(pl.proc.need_reaper && !pl.proc.reaper_is_pid1, "  a reaper without a PID ns");
	passes(W("--lock-file", "/l", "cmd"), "--lock-file");
	ok(pl.proc.need_reaper, "  a reaper holds the lock");
	host.pgrp_leader = true;
	passes(W("--new-session", "cmd"), "--new-session by a process group leader");
	ok(!pl.proc.in_place, "  forks (setsid fails in a group leader)");
	host.pgrp_leader = false;
	passes(W("--new-session", "cmd"), "--new-session otherwise");
	ok(pl.proc.in_place == !BWRAP && pl.proc.new_session, "  as usual");
	passes(W("--die-with-parent", "--chdir", "/x", "--argv0", "a0", "cmd", "arg"), "process");
	ok(pl.proc.die_with_parent && strcmp(pl.proc.chdir, "/x") == 0 &&
		   strcmp(pl.proc.argv0, "a0") == 0 && pl.proc.argc == 2 &&
		   strcmp(pl.proc.argv[1], "arg") == 0 &&
		   strcmp(pl.proc.caller_cwd, "/home/u") == 0,
	   "  carried into the plan");
	ok(pl.proc.close_inherited == !BWRAP, "  inherited fds closed in the hutch face only");
}

static void test_caps(void)
{
	host_user();
	passes(W("--cap-add", "ALL", "cmd"), "user, --cap-add ALL");
	is_int((long long)pl.caps.keep, (long long)host.caps_all, "  every cap this kernel knows");
	ok(pl.caps.ambient && !pl.caps.as_they_are, "  ambient: uid 1000 keeps them on exec");
	passes(W("--uid", "0", "--cap-add", "CAP_NET_ADMIN", "cmd"), "user, --uid 0, one cap");
	ok(pl.caps.keep == (UINT64_C(1) << 12) && !pl.caps.ambient, "  no ambient for uid 0");
	passes(W("cmd"), "user, no cap options");
	ok(pl.caps.keep == 0, "  none");
	host_root();
	passes(W("cmd"), "root, no cap options");
	if (BWRAP)
		ok(pl.caps.keep == host.caps && pl.caps.as_they_are,
		   "  bwrap face: root keeps its own, sets untouched");
	else
		ok(pl.caps.keep == 0, "  hutch face: none, root's included");
	passes(W("--cap-drop", "CAP_SYS_ADMIN", "cmd"), "root, --cap-drop");
	if (BWRAP)
		ok(pl.caps.keep == (host.caps & ~CAP_SYS_ADMIN_BIT) && !pl.caps.as_they_are,
		   "  bwrap face: root's minus one");
	else
		ok(pl.caps.keep == 0, "  hutch face: none");
}

/* An fd an option names that is closed when hutch starts. */
static void test_closed_fds(void)
{
	host_user();
	host.closed[0] = (struct closed_fd){ 3, 9 /* EBADF */ };
	host.closed[1] = (struct closed_fd){ 4, 9 };
	host.nclosed = 2;
	fails(W("--info-fd", "3", "cmd"), "Write to info_fd: Bad file descriptor",
	      "cannot use fd 3 (--info-fd)", "--info-fd on a closed fd");
	if (!BWRAP)
		is_int(err.exit_code, 0, "  a usage error");
	fails(W("--add-seccomp-fd", "3", "cmd"), "Can't read seccomp data: Bad file descriptor",
	      "cannot use fd 3 (--add-seccomp-fd)", "--add-seccomp-fd on a closed fd");
	fails(W("--bind-fd", "3", "/x", "cmd"),
	      "Can't find source path /proc/self/fd/3: No such file or directory",
	      "cannot use fd 3 (--bind-fd)", "--bind-fd on a closed fd");
	fails(W("--file", "3", "/f", "cmd"), "Can't write data to file /f: Bad file descriptor",
	      "cannot use fd 3 (--file)", "--file on a closed fd");
	if (BWRAP) {
		passes(W("--sync-fd", "3", "--block-fd", "4", "cmd"), "--sync-fd on a closed fd");
		ok(pl.proc.sync_fd == -1 && pl.proc.block_fd == -1 && !pl.proc.need_reaper,
		   "  ignored, as bubblewrap: no reaper for it");
	} else {
		fails(W("--sync-fd", "3", "cmd"), NULL, "cannot use fd 3 (--sync-fd)",
		      "--sync-fd on a closed fd");
		fails(W("--pass-fd", "3", "cmd"), NULL, "cannot use fd 3 (--pass-fd)",
		      "--pass-fd on a closed fd");
	}
	passes(W("--info-fd", "5", "cmd"), "another fd, open");
}

/* A number that serves two options: hutch closes it after one, then reuses it. */
static void test_fd_jobs(void)
{
	host_user();
	fails(W("--sync-fd", "0", "--bind-data", "0", "/x", "cmd"),
	      "fd 0 cannot be used for both --sync-fd and --bind-data",
	      "cannot use fd 0 for both --sync-fd and --bind-data", "--sync-fd and --bind-data");
	fails(W("--add-seccomp-fd", "5", "--block-fd", "5", "cmd"),
	      "fd 5 cannot be used for both --block-fd and --add-seccomp-fd",
	      "for both --block-fd and --add-seccomp-fd", "--block-fd and --add-seccomp-fd");
	if (!BWRAP)
		fails(W("--add-seccomp-fd", "11", "--pass-fd", "11", "cmd"), NULL,
		      "for both --add-seccomp-fd and --pass-fd", "--add-seccomp-fd and --pass-fd");
	passes(W("--info-fd", "5", "--json-status-fd", "5", "cmd"), "info and json on one fd");
	passes(W("--bind-fd", "5", "/a", "--bind-fd", "5", "/b", "cmd"), "one fd bound twice");
}

static void test_rootfs(void)
{
	host_user();
	host.umask = 027;
	host.tty = "/dev/pts/3";
	passes(W("--file-label", "x", "--ro-bind", "/", "/", "cmd"), "rootfs");
	ok(pl.rootfs.ops == &cfg.ops && pl.rootfs.ops->count == 1, "  the ops, in order");
	is_int(pl.rootfs.file_mode, BWRAP ? 0666 : 0640,
	       "  --file's mode: 0666 (bwrap), less the umask (hutch)");
	ok(strcmp(pl.rootfs.host_tty, "/dev/pts/3") == 0 &&
		   strcmp(pl.rootfs.file_label, "x") == 0 && !pl.rootfs.own_pidns,
	   "  the tty, the label; the host's proc to bind");
}

/* Parses and plans in the hutch face; the planner's message contains part. */
static void net_fails(const char **w, const char *part, const char *name)
{
	if (!ok(parse(w) == 0, "net: %s: parses", name)) {
		printf("#   %s\n", err.msg);
		return;
	}
	if (ok(make() == -1, "net: %s: refused", name) &&
	    !ok(strstr(err.msg, part) != NULL, "  message contains '%s'", part))
		printf("#   %s\n", err.msg);
}

/* --net and its options (hutch face only: the bwrap face does not know them). */
static void test_net(void)
{
	if (BWRAP) {
		ok(parse(W("--net", "user", "cmd")) == -1, "bwrap face: --net is unknown");
		return;
	}
	host_user();
	host.pasta_path = "/usr/bin/pasta";
	host.slirp4netns_path = "/usr/bin/slirp4netns";
	passes(W("cmd"), "no --net");
	ok(pl.net.mode == NET_HOST && !(pl.clone_flags & CLONE_NEWNET), "  the host's network");
	passes(W("--unshare-net", "cmd"), "--unshare-net");
	ok(pl.net.mode == NET_NONE && (pl.clone_flags & CLONE_NEWNET) && pl.loopback,
	   "  none: a namespace of its own with lo up");
	passes(W("--net", "none", "cmd"), "--net none");
	ok(pl.net.mode == NET_NONE && (pl.clone_flags & CLONE_NEWNET), "  none");
	passes(W("--unshare-all", "--net", "user", "cmd"), "--unshare-all --net user");
	passes(W("--net", "user", "cmd"), "--net user");
	ok(pl.net.mode == NET_USER && (pl.clone_flags & CLONE_NEWNET) &&
		   pl.net.helper == NET_HELPER_PASTA && !pl.proc.in_place,
	   "  pasta by default; a parent stays for the helper");
	ok(pl.net.filter && !pl.net.host_loopback, "  the gateway closed by the filter");
	ok(!pl.net.dns_bind && pl.rootfs.ops == &cfg.ops,
	   "  no resolv.conf bind: /etc not the host's");
	passes(W("--net", "user", "--net-host-loopback", "cmd"), "--net-host-loopback");
	ok(!pl.net.filter && pl.net.host_loopback, "  no filter needed");
	passes(W("--net", "user", "--net-host-loopback", "--net-allow", "10.0.2.2:80", "cmd"),
	       "--net-allow");
	ok(pl.net.filter && pl.net.n_allow == 1 && pl.net.allow[0].port == 80, "  filtered");
	passes(W("--net", "user", "--ro-bind", "/", "/", "cmd"), "--net user, the host's /etc");
	ok(pl.net.dns_bind && pl.rootfs.ops == &pl.net.ops && pl.rootfs.ops->count == 2 &&
		   strcmp(pl.rootfs.ops->tail->dest, "/etc/resolv.conf") == 0 &&
		   pl.rootfs.ops->tail->type == SETUP_RO_BIND_DATA,
	   "  resolv.conf bound last over the host's");
	passes(W("--net", "user", "--ro-bind", "/", "/", "--tmpfs", "/etc", "cmd"),
	       "--net user, /etc of its own");
	ok(!pl.net.dns_bind, "  no resolv.conf bind");
	passes(W("--net", "user", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "//etc/",
		 "cmd"),
	       "--net user, the host's /etc bound");
	ok(pl.net.dns_bind, "  resolv.conf bound");
	passes(W("--net", "user", "--ro-bind", "/", "/", "--ro-bind", "/tmp/r", "/etc/resolv.conf",
		 "cmd"),
	       "--net user, its own resolv.conf");
	ok(!pl.net.dns_bind, "  the caller's resolv.conf stays");
	passes(W("--net", "user", "--net-helper", "slirp4netns", "cmd"),
	       "--net-helper slirp4netns");
	ok(pl.net.helper == NET_HELPER_SLIRP4NETNS &&
		   strcmp(pl.net.helper_path, "/usr/bin/slirp4netns") == 0,
	   "  slirp4netns");
	host.pasta_path = NULL;
	passes(W("--net", "user", "cmd"), "no pasta");
	ok(pl.net.helper == NET_HELPER_SLIRP4NETNS, "  slirp4netns instead");
	net_fails(W("--net", "user", "--net-helper", "pasta", "cmd"), "install the package passt",
		  "--net-helper pasta, not installed");
	is_int(err.exit_code, face->exit_setup, "  a setup failure");
	host.slirp4netns_path = NULL;
	net_fails(W("--net", "user", "cmd"), "neither pasta nor slirp4netns",
		  "no helper installed");
	is_int(err.exit_code, face->exit_setup, "  a setup failure");
	host.pasta_path = "/usr/bin/pasta";
	host.slirp4netns_path = "/usr/bin/slirp4netns";
	net_fails(W("--net", "user", "--net-helper", "slirp4netns", "--publish", "8080:80", "cmd"),
		  "needs the helper pasta", "--publish with slirp4netns");
	net_fails(W("--publish", "8080:80", "cmd"), "--publish requires --net user",
		  "--publish without --net user");
	net_fails(W("--net", "none", "--net-allow", "1.2.3.4", "cmd"),
		  "--net-allow requires --net user", "--net-allow with --net none");
	net_fails(W("--net-host-loopback", "cmd"), "--net-host-loopback requires --net user",
		  "--net-host-loopback alone");
	net_fails(W("--net-helper", "pasta", "cmd"), "--net-helper requires --net user",
		  "--net-helper alone");
	net_fails(W("--unshare-all", "--net", "host", "cmd"), "--net host cannot be combined",
		  "--unshare-all --net host");
	net_fails(W("--net", "user", "--net-allow", "10.0.2.2:80", "--cap-add", "CAP_NET_ADMIN",
		    "cmd"),
		  "cannot keep CAP_NET_ADMIN", "--net-allow with --cap-add CAP_NET_ADMIN");
	net_fails(W("--net", "user", "--cap-add", "ALL", "cmd"), "could remove the network filter",
		  "--net user (filtered gateway) with --cap-add ALL");
	passes(W("--net", "user", "--net-host-loopback", "--cap-add", "CAP_NET_ADMIN", "cmd"),
	       "--net-host-loopback without a filter: CAP_NET_ADMIN may stay");
	passes(W("--unshare-all", "--share-net", "--net", "host", "cmd"),
	       "--unshare-all --share-net --net host");

	/* The words themselves (the parser). */
	ok(parse(W("--net", "bridge", "cmd")) == -1 && strstr(err.msg, "none, host or user"),
	   "--net bridge: unknown mode");
	ok(parse(W("--net", "user", "--net-helper", "vde", "cmd")) == -1, "--net-helper vde");
	static const struct {
		const char *spec;
		bool good;
		const char *addr;
		unsigned hport, sport;
		bool udp;
	} pubs[] = {
		{ "8080:80", true, "127.0.0.1", 8080, 80, false },
		{ "0.0.0.0:8080:80/udp", true, "0.0.0.0", 8080, 80, true },
		{ "[::1]:8443:443/tcp", true, "::1", 8443, 443, false },
		{ "80", false, NULL, 0, 0, false },
		{ "0:80", false, NULL, 0, 0, false },
		{ "65536:80", false, NULL, 0, 0, false },
		{ "8080:80/sctp", false, NULL, 0, 0, false },
		{ "localhost:8080:80", false, NULL, 0, 0, false },
		{ "::1:8080:80", false, NULL, 0, 0, false },
	};
	for (unsigned i = 0; i < sizeof(pubs) / sizeof(pubs[0]); i++) {
		int r = parse(W("--net", "user", "--publish", pubs[i].spec, "cmd"));
		if (!pubs[i].good) {
			ok(r == -1 && strstr(err.msg, "--publish"), "--publish %s: refused",
			   pubs[i].spec);
			continue;
		}
		const struct net_publish *p = cfg.net.publish;
		ok(r == 0 && cfg.net.n_publish == 1 && strcmp(p->host_addr, pubs[i].addr) == 0 &&
			   p->host_port == pubs[i].hport && p->sandbox_port == pubs[i].sport &&
			   p->udp == pubs[i].udp,
		   "--publish %s", pubs[i].spec);
	}
	ok(parse(W("--net", "user", "--publish", "8080:80", "--publish", "127.0.0.2:8080:81",
		   "cmd")) == -1 &&
		   strstr(err.msg, "published twice"),
	   "--publish: one host port twice");
	static const struct {
		const char *spec;
		bool good;
		const char *host;
		int prefix;
		unsigned port;
		bool numeric;
	} allows[] = {
		{ "10.0.2.2:80", true, "10.0.2.2", -1, 80, true },
		{ "192.168.0.0/16", true, "192.168.0.0", 16, 0, true },
		{ "10.0.0.0/8:443", true, "10.0.0.0", 8, 443, true },
		{ "api.example.com:443", true, "api.example.com", -1, 443, false },
		{ "2001:db8::1", true, "2001:db8::1", -1, 0, true },
		{ "[2001:db8::/32]:443", true, "2001:db8::", 32, 443, true },
		{ "10.0.0.0/33", false, NULL, 0, 0, false },
		{ "host:0", false, NULL, 0, 0, false },
		{ "bad host", false, NULL, 0, 0, false },
		{ "name/8", false, NULL, 0, 0, false },
		{ "[::1", false, NULL, 0, 0, false },
	};
	for (unsigned i = 0; i < sizeof(allows) / sizeof(allows[0]); i++) {
		int r = parse(W("--net", "user", "--net-allow", allows[i].spec, "cmd"));
		if (!allows[i].good) {
			ok(r == -1 && strstr(err.msg, "--net-allow"), "--net-allow %s: refused",
			   allows[i].spec);
			continue;
		}
		const struct net_allow *a = cfg.net.allow;
		ok(r == 0 && cfg.net.n_allow == 1 && strcmp(a->host, allows[i].host) == 0 &&
			   a->prefix == allows[i].prefix && a->port == allows[i].port &&
			   a->numeric == allows[i].numeric,
		   "--net-allow %s", allows[i].spec);
	}
}

/* plan_check on words w (hutch face only): how many warnings, and whether one contains part. */
static unsigned warnings(const char **w, const char *part, bool *found)
{
	struct plan_warning v[8];
	unsigned n;

	*found = false;
	if (parse(w) != 0 || make() != 0) {
		printf("#   %s\n", err.msg);
		return 99;
	}
	n = plan_check(&cfg, &pl, v, 8);
	for (unsigned i = 0; i < n && i < 8; i++) {
		printf("#   warning: %s\n", v[i].msg);
		if (part && strstr(v[i].msg, part))
			*found = true;
	}
	return n;
}

#define DEV  "--dev", "/dev", "--proc", "/proc"
#define HOME "--bind", "/home/u", "/home/u"

static void test_warnings(void)
{
	bool f;

	host_user();
	/* the quiet baseline: /dev, /proc, the working directory */
	is_int(warnings(W(DEV, HOME, "--unshare-pid", "cmd"), NULL, &f), 0, "no warning");
	warnings(W(DEV, HOME, "--bind", "/x", "/x", "--ro-bind", "/", "/", "cmd"),
		 "--ro-bind '/' covers all of the earlier --bind '/x'", &f);
	ok(f, "a later --ro-bind / / covers an earlier --bind");
	warnings(W(DEV, HOME, "--tmpfs", "/a/b", "--tmpfs", "/a/", "cmd"), "covers", &f);
	ok(f, "  a parent, spelt with a trailing slash");
	warnings(W(DEV, HOME, "--tmpfs", "/a", "--tmpfs", "/a/b", "cmd"), "covers", &f);
	ok(!f, "  a deeper one covers nothing");
	warnings(W(DEV, HOME, "--tmpfs", "/ab", "--tmpfs", "/a", "cmd"), "covers", &f);
	ok(!f, "  /a is not above /ab");
	warnings(W(DEV, HOME, "--symlink", "x", "/l", "--tmpfs", "/", "cmd"), "--symlink '/l'", &f);
	ok(f, "  a link is covered too");
	warnings(W("--tmpfs", "/tmp", DEV, HOME, "--proc", "/proc/../proc", "cmd"),
		 "earlier --proc", &f);
	ok(f, "  \"..\" is resolved");

	warnings(W(DEV, "cmd"), "working directory '/home/u' will not exist", &f);
	ok(f, "the working directory will not exist");
	warnings(W(DEV, "--bind", "/home", "/home", "cmd"), "working directory", &f);
	ok(!f, "  it is below a bind");
	warnings(W(DEV, "--tmpfs", "/home", "--dir", "/home/u", "cmd"), "working directory", &f);
	ok(!f, "  --dir makes it");
	warnings(W(DEV, "--bind", "/x", "/home/u/sub", "cmd"), "working directory", &f);
	ok(!f, "  a mount point below it makes it");
	warnings(W(DEV, "--bind", "/home", "/home", "--tmpfs", "/home", "cmd"), "working directory",
		 &f);
	ok(f, "  a tmpfs on its parent takes it away");
	warnings(W(DEV, HOME, "--chdir", "/nowhere", "cmd"), "--chdir '/nowhere' will not exist",
		 &f);
	ok(f, "  --chdir's too");

	warnings(W("--proc", "/proc", HOME, "cmd"), "no usable /dev/null", &f);
	ok(f, "no /dev/null");
	warnings(W("--ro-bind", "/", "/", "cmd"), "no usable /dev/null", &f);
	ok(f, "  a bind of the host's /dev is nodev");
	warnings(W("--ro-bind", "/", "/", "--dev-bind", "/dev", "/dev", "cmd"), "/dev/null", &f);
	ok(!f, "  --dev-bind passes the host's");
	warnings(W("--dev", "/dev", "--tmpfs", "/dev", HOME, "cmd"), "/dev/null", &f);
	ok(f, "  --dev covered by a tmpfs");

	warnings(W("--dev", "/dev", HOME, "--unshare-pid", "cmd"), "PID namespace without", &f);
	ok(f, "a PID namespace without --proc");
	warnings(W("--dev", "/dev", HOME, "cmd"), "PID namespace", &f);
	ok(!f, "  no PID namespace: no warning");
}

static void test_jobserver(void)
{
	struct jobserver_req js;

	ok(jobserver_parse(" -j4 --jobserver-auth=3,4", &js) && js.rd == 3 && js.wr == 4 &&
		   !js.fifo,
	   "--jobserver-auth=R,W");
	ok(jobserver_parse("j --jobserver-fds=5,6", &js) && js.rd == 5 && js.wr == 6,
	   "--jobserver-fds=R,W (make before 4.2)");
	ok(jobserver_parse("-j --jobserver-auth=fifo:/tmp/GMfifo1 -- X=1", &js) && js.rd == -1 &&
		   strncmp(js.fifo, "/tmp/GMfifo1", 12) == 0,
	   "--jobserver-auth=fifo:PATH");
	ok(jobserver_parse("--jobserver-auth=3,4 --jobserver-auth=7,8", &js) && js.rd == 7,
	   "  the last one wins, as in make");
	ok(!jobserver_parse("-- X=--jobserver-auth=3,4", &js), "  not among the variables");
	ok(!jobserver_parse("--jobserver-auth=3", &js) && !jobserver_parse(NULL, &js),
	   "  nothing else");

	struct env_op clear = { ENV_CLEAR, NULL, NULL, NULL, NULL };
	struct env_op set = { ENV_SET, "MAKEFLAGS", "x", NULL, NULL };
	ok(jobserver_makeflags("a", NULL) && !jobserver_makeflags("a", &clear),
	   "the command's MAKEFLAGS: --clearenv drops it");
	clear.next = &set;
	is_str(jobserver_makeflags("a", &clear), "x", "  --setenv after it sets it");

	host_user();
	host.jobserver_open[0] = host.jobserver_open[1] = true;
	parse(W("cmd"));
	jobserver_config(&cfg, "-j --jobserver-auth=3,4");
	ok(make() == 0 && pl.proc.jobserver_fds[0] == (BWRAP ? -1 : 3) &&
		   pl.proc.jobserver_fds[1] == (BWRAP ? -1 : 4) && !pl.proc.jobserver_clash,
	   "the open jobserver fds are kept (hutch face)");
	host.jobserver_open[1] = false;
	ok(make() == 0 && pl.proc.jobserver_fds[1] == -1, "  not a closed one");
	host.jobserver_open[1] = true;
	parse(W("--info-fd", "4", "cmd"));
	jobserver_config(&cfg, "--jobserver-auth=3,4");
	ok(make() == 0 && pl.proc.jobserver_fds[1] == -1 && pl.proc.jobserver_clash == !BWRAP,
	   "  not one another option names");
	parse(W("cmd"));
	jobserver_config(&cfg, "--jobserver-auth=fifo:/tmp/GMfifo9");
	ok(cfg.ops.count == 1 && cfg.ops.head->type == SETUP_RO_BIND &&
		   strcmp(cfg.ops.head->dest, "/tmp/GMfifo9") == 0 &&
		   (cfg.ops.head->flags & SETUP_FLAG_ALLOW_MISSING),
	   "a fifo is bound read-only where it is (if it exists)");
}

int main(void)
{
	static const enum face_id faces[] = { FACE_HUTCH, FACE_BWRAP };

	config_init(&cfg);
	for (unsigned i = 0; i < 2; i++) {
		face_set(faces[i]);
		printf("# face %s\n", face->prog);
		test_rules();
		test_op_rules();
		test_ids();
		test_host_ids();
		test_namespaces();
		test_processes();
		test_caps();
		test_closed_fds();
		test_fd_jobs();
		test_rootfs();
		test_net();
		test_jobserver();
	}
	face_set(FACE_HUTCH);
	test_warnings();
	plan_free(&pl);
	config_free(&cfg);
	return done_testing();
}

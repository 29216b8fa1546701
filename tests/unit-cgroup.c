/* unit-cgroup: the pure half of the cgroup module (cgroup-probe.c): option values, the layout
 * of hybrid, pure v2, v1-only and container hosts from fixture texts of /proc/self/mountinfo
 * and /proc/self/cgroup, the places, names, limit files, stat files, reasons and rlimits.
 * Links libhutch.a; TAP on stdout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../cgroup.h"
#include "../util.h"
#include "tap.h"

/* ---- fixtures ------------------------------------------------------------------------------ */

/* This project's CI machine: every controller in its own v1 hierarchy, cgroup2 holding only
 * hugetlb at /sys/fs/cgroup/unified, the caller in a memory cgroup of its own. */
static const char hybrid_mi[] =
	"24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_cg[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n"
				"5:devices:/\n4:memory:/process_api/d07c\n3:cpuset:/\n"
				"2:cpuacct:/\n1:cpu:/\n0::/\n";

/* Ubuntu / Fedora with systemd: one cgroup2 tree with every controller, the caller in a scope
 * of its user manager. */
static const char v2_mi[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";
static const char v2_cg[] = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n";

/* A v1-only host of systemd's legacy layout: cpu,cpuacct and net_cls,net_prio co-mounted (and
 * reached through symlinks /sys/fs/cgroup/cpu -> cpu,cpuacct), no cgroup2 mount. */
static const char v1_mi[] =
	"25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup "
	"cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
	"29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - "
	"cgroup cgroup rw,cpu,cpuacct\n"
	"30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - "
	"cgroup cgroup rw,net_cls,net_prio\n"
	"31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup "
	"cgroup rw,memory\n"
	"32 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup "
	"rw,pids\n"
	"33 25 0:30 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:17 - cgroup "
	"cgroup rw,freezer\n";
static const char v1_cg[] = "6:freezer:/\n5:pids:/user.slice/user-1000.slice/session-2.scope\n"
			    "4:memory:/user.slice/user-1000.slice/session-2.scope\n"
			    "3:net_cls,net_prio:/\n2:cpu,cpuacct:/user.slice\n"
			    "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
			    "0::/user.slice/user-1000.slice/session-2.scope\n";

/* A container with its own cgroup namespace: the tree's root is the container's cgroup. */
static const char ns_mi[] = "500 400 0:60 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - "
			    "cgroup2 cgroup rw,nsdelegate\n";
static const char ns_cg[] = "0::/\n";

/* A v1 container without a cgroup namespace: the mounts show the container's subtree only. */
static const char docker_mi[] =
	"600 500 0:70 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:20 "
	"- cgroup cgroup rw,memory\n"
	"601 500 0:71 /docker/abc /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime master:21 - "
	"cgroup cgroup rw,pids\n";
static const char docker_cg[] = "4:memory:/docker/abc/sub\n3:pids:/docker/abcd\n";

static struct cgroup_layout L;
static char *buf;

static int layout(const char *mi, const char *cg)
{
	struct error err = { 0 };
	int r;

	cgroup_layout_free(&L);
	free(buf);
	buf = xstrdup(mi);
	r = cgroup_layout_parse(buf, cg, &L, &err);
	if (r < 0)
		printf("# %s\n", err.msg);
	return r;
}

/* The mountpoint and own path of the hierarchy holding ctl: "MOUNT|OWN", "-" when none. */
static const char *where(unsigned ctl)
{
	static char out[512];
	int i = cgroup_layout_find(&L, ctl);

	if (i < 0)
		return "-";
	snprintf(out, sizeof(out), "%s|%s", L.h[i].mountpoint, L.h[i].own ? L.h[i].own : "(null)");
	return out;
}

/* ---- option values --------------------------------------------------------------------------- */

static int opt(struct cgroup_request *req, const char *o, const char *v)
{
	struct error err = { 0 };

	return cgroup_option_parse(req, o, v, &err);
}

static void test_options(void)
{
	struct cgroup_request r = { 0 };
	struct error err = { 0 };

	ok(opt(&r, "memory", "64M") == 0 && r.memory == 64ull << 20 && (r.set & CGROUP_SET_MEMORY),
	   "--memory 64M");
	ok(opt(&r, "memory", "1g") == 0 && r.memory == 1ull << 30, "--memory 1g");
	ok(opt(&r, "memory", "4096") == 0 && r.memory == 4096, "--memory in bytes");
	ok(opt(&r, "memory", "2T") == 0 && r.memory == 2ull << 40, "--memory 2T");
	ok(opt(&r, "memory", "max") == 0 && r.memory == CGROUP_MAX, "--memory max");
	ok(opt(&r, "memory", "12X") < 0, "--memory 12X refused");
	ok(opt(&r, "memory", "0") < 0, "--memory 0 refused");
	ok(opt(&r, "memory", "") < 0, "--memory '' refused");
	ok(opt(&r, "memory", "-1") < 0, "--memory -1 refused");
	ok(opt(&r, "memory", "1M5") < 0, "--memory 1M5 refused");
	ok(opt(&r, "memory", "99999999999T") < 0, "--memory overflowing refused");
	cgroup_option_parse(&r, "memory", "12X", &err);
	ok(strstr(err.msg, "--memory") && strstr(err.msg, "'12X'"),
	   "the message names the option "
	   "and the value: %s",
	   err.msg);
	ok(opt(&r, "memory-swap", "128M") == 0 && r.memory_swap == 128ull << 20 &&
		   (r.set & CGROUP_SET_SWAP),
	   "--memory-swap 128M");
	ok(opt(&r, "pids", "100") == 0 && r.pids == 100 && (r.set & CGROUP_SET_PIDS), "--pids 100");
	ok(opt(&r, "pids", "max") == 0 && r.pids == CGROUP_MAX, "--pids max");
	ok(opt(&r, "pids", "0") < 0, "--pids 0 refused");
	ok(opt(&r, "pids", "1k") < 0, "--pids 1k refused");
	ok(opt(&r, "pids", "+5") < 0, "--pids +5 refused");

	static const struct {
		const char *v;
		long long quota; /* -1: refused */
	} cpus[] = {
		{ "0.5", 50000 },
		{ "2", 200000 },
		{ "1.25", 125000 },
		{ "0.01", 1000 },
		{ "0.12345", 12345 },
		{ "10000", 1000000000 },
		{ "0.001", -1 },
		{ "0.00999", -1 },
		{ ".5", -1 },
		{ "1.", -1 },
		{ "1.123456", -1 },
		{ "10001", -1 },
		{ "abc", -1 },
		{ "-1", -1 },
		{ "1e3", -1 },
		{ "", -1 },
		{ "0", -1 },
		{ "1,5", -1 },
		{ "99999999999999999999", -1 },
	};
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct cgroup_request c = { 0 };
		int rr = opt(&c, "cpus", cpus[i].v);
		if (cpus[i].quota < 0)
			ok(rr < 0 && !(c.set & CGROUP_SET_CPUS), "--cpus '%s' refused", cpus[i].v);
		else
			ok(rr == 0 && (long long)c.cpu_quota_us == cpus[i].quota &&
				   (c.set & CGROUP_SET_CPUS),
			   "--cpus %s is %lld us per 100 ms", cpus[i].v, cpus[i].quota);
	}

	ok(opt(&r, "cpu-weight", "1") == 0 && r.cpu_weight == 1, "--cpu-weight 1");
	ok(opt(&r, "cpu-weight", "10000") == 0 && r.cpu_weight == 10000, "--cpu-weight 10000");
	ok(opt(&r, "cpu-weight", "0") < 0 && opt(&r, "cpu-weight", "10001") < 0,
	   "--cpu-weight 0 and 10001 refused");
	ok(opt(&r, "io-weight", "500") == 0 && r.io_weight == 500 && (r.set & CGROUP_SET_IO_WEIGHT),
	   "--io-weight 500");
	ok(opt(&r, "io-weight", "x") < 0, "--io-weight x refused");

	struct cgroup_request p = { 0 };
	ok(!cgroup_request_wanted(&p), "no option: no cgroup wanted");
	ok(opt(&p, "cgroup-parent", "/a") == 0 && p.nparents == 1 && cgroup_request_wanted(&p),
	   "--cgroup-parent alone wants a cgroup");
	ok(opt(&p, "cgroup-parent", "") < 0, "--cgroup-parent '' refused");
	for (int i = 1; i < CGROUP_MAX_PARENTS; i++)
		opt(&p, "cgroup-parent", "/b");
	ok(opt(&p, "cgroup-parent", "/c") < 0, "--cgroup-parent at most %d times",
	   CGROUP_MAX_PARENTS);
	ok(opt(&p, "frobnicate", "1") < 0, "an unknown option is an internal error");
}

static void test_validate(void)
{
	struct error err = { 0 };
	struct cgroup_request r = { 0 };

	opt(&r, "memory-swap", "1G");
	ok(cgroup_request_validate(&r, &err) < 0 && strstr(err.msg, "needs --memory"),
	   "--memory-swap without --memory refused");
	opt(&r, "memory", "2G");
	ok(cgroup_request_validate(&r, &err) < 0 && strstr(err.msg, "smaller than --memory"),
	   "--memory-swap below --memory refused");
	opt(&r, "memory", "1G");
	ok(cgroup_request_validate(&r, &err) == 0, "--memory-swap equal to --memory: no swap");
	opt(&r, "memory", "max");
	ok(cgroup_request_validate(&r, &err) < 0,
	   "--memory max with a finite --memory-swap refused");
	opt(&r, "memory-swap", "max");
	ok(cgroup_request_validate(&r, &err) == 0, "--memory max --memory-swap max");

	struct cgroup_request c = { 0 };
	opt(&c, "memory", "1M");
	opt(&c, "cpus", "1");
	opt(&c, "io-weight", "5");
	is_int(cgroup_request_ctls(&c), CGROUP_CTL_MEMORY | CGROUP_CTL_CPU | CGROUP_CTL_IO,
	       "controllers of --memory --cpus --io-weight");
	struct cgroup_request d = { 0 };
	opt(&d, "pids", "5");
	opt(&d, "cpu-weight", "5");
	is_int(cgroup_request_ctls(&d), CGROUP_CTL_PIDS | CGROUP_CTL_CPU,
	       "controllers of --pids --cpu-weight");
}

/* ---- layouts ----------------------------------------------------------------------------------- */

static void test_hybrid(void)
{
	ok(layout(hybrid_mi, hybrid_cg) == 0, "hybrid: parsed");
	is_int(L.n, 10, "hybrid: 9 v1 hierarchies and the v2 tree");
	ok(L.v2 >= 0 && strcmp(L.h[L.v2].mountpoint, "/sys/fs/cgroup/unified") == 0,
	   "hybrid: cgroup2 at /sys/fs/cgroup/unified");
	is_str(where(CGROUP_CTL_MEMORY), "/sys/fs/cgroup/memory|process_api/d07c",
	       "hybrid: memory in v1, below the caller's own cgroup");
	is_str(where(CGROUP_CTL_PIDS), "/sys/fs/cgroup/pids|", "hybrid: pids in v1, at the top");
	is_str(where(CGROUP_CTL_CPU), "/sys/fs/cgroup/cpu|", "hybrid: cpu");
	is_str(where(CGROUP_CTL_CPUACCT), "/sys/fs/cgroup/cpuacct|", "hybrid: cpuacct in v1");
	is_str(where(CGROUP_CTL_IO), "/sys/fs/cgroup/blkio|", "hybrid: io is v1 blkio");
	is_str(where(CGROUP_CTL_FREEZER), "/sys/fs/cgroup/freezer|", "hybrid: freezer in v1");
	is_int(L.v1_only,
	       CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS | CGROUP_CTL_CPU | CGROUP_CTL_CPUACCT |
		       CGROUP_CTL_IO | CGROUP_CTL_FREEZER,
	       "hybrid: every controller bound to v1");
	cgroup_layout_set_v2(&L, "hugetlb memory\n");
	is_int(L.h[L.v2].ctls, CGROUP_CTL_V2_CORE,
	       "hybrid: v2 offers only its core functions (memory is v1's)");
	is_str(L.h[L.v2].own, "", "hybrid: the caller is at the v2 root");
	is_str(cgroup_ctl_name(CGROUP_CTL_IO, 1), "blkio", "v1 name of io");
	is_str(cgroup_ctl_name(CGROUP_CTL_IO, 2), "io", "v2 name of io");
}

static void test_v2(void)
{
	ok(layout(v2_mi, v2_cg) == 0, "v2: parsed");
	is_int(L.n, 1, "v2: one hierarchy");
	is_int(L.v1_only, 0, "v2: nothing bound to v1");
	is_str(where(CGROUP_CTL_MEMORY), "-", "v2: memory unknown before cgroup.controllers");
	cgroup_layout_set_v2(&L, "cpuset cpu io memory hugetlb pids rdma misc\n");
	is_str(where(CGROUP_CTL_MEMORY),
	       "/sys/fs/cgroup|user.slice/user-1000.slice/user@1000.service/app.slice/x.scope",
	       "v2: memory in the tree, the caller's scope as its own cgroup");
	is_str(where(CGROUP_CTL_PIDS), where(CGROUP_CTL_IO), "v2: pids and io in the same tree");
	ok(cgroup_layout_find(&L, CGROUP_CTL_CPUACCT) == L.v2 &&
		   cgroup_layout_find(&L, CGROUP_CTL_FREEZER) == L.v2,
	   "v2: cpu.stat and cgroup.freeze stand for cpuacct and freezer");
	cgroup_layout_set_v2(&L, "cpu pids\n");
	is_str(where(CGROUP_CTL_MEMORY), "-", "v2: memory missing when not offered");
}

static void test_v1(void)
{
	ok(layout(v1_mi, v1_cg) == 0, "v1: parsed");
	is_int(L.v2, -1, "v1: no cgroup2 mount, no v2 hierarchy (even with a 0:: line)");
	is_str(where(CGROUP_CTL_CPU), "/sys/fs/cgroup/cpu,cpuacct|user.slice",
	       "v1: cpu co-mounted with cpuacct");
	ok(cgroup_layout_find(&L, CGROUP_CTL_CPU) == cgroup_layout_find(&L, CGROUP_CTL_CPUACCT),
	   "v1: cpu and cpuacct are one hierarchy");
	is_str(where(CGROUP_CTL_MEMORY),
	       "/sys/fs/cgroup/memory|user.slice/user-1000.slice/session-2.scope",
	       "v1: memory below the session");
	is_str(where(CGROUP_CTL_IO), "-", "v1: no blkio mounted");
	is_int(L.n, 6, "v1: six mounted hierarchies (name=systemd and net_cls,net_prio too)");
}

static void test_containers(void)
{
	ok(layout(ns_mi, ns_cg) == 0, "cgroupns: parsed");
	cgroup_layout_set_v2(&L, "memory pids");
	is_str(where(CGROUP_CTL_MEMORY), "/sys/fs/cgroup|",
	       "cgroupns: the namespace's root is ours");

	ok(layout(docker_mi, docker_cg) == 0, "v1 container: parsed");
	is_str(where(CGROUP_CTL_MEMORY), "/sys/fs/cgroup/memory|sub",
	       "v1 container: the mount shows /docker/abc, we are below it");
	is_str(where(CGROUP_CTL_PIDS), "/sys/fs/cgroup/pids|(null)",
	       "v1 container: /docker/abcd is not below /docker/abc");

	/* A cgroup namespace whose root is below the mount's: mountinfo writes the root as "/..". */
	ok(layout("70 60 0:80 /.. /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n") == 0,
	   "outside root: parsed");
	is_str(L.h[0].own, NULL, "outside root: our cgroup is not visible through the mount");

	/* Two mounts of one hierarchy: the one showing our cgroup, closest to it. */
	ok(layout("1 0 0:5 /a /mnt/a rw - cgroup cgroup rw,pids\n"
		  "2 0 0:5 / /mnt/all rw - cgroup cgroup rw,pids\n"
		  "3 0 0:5 /x /mnt/x rw - cgroup cgroup rw,pids\n"
		  "4 0 0:5 /x/y /mnt/x\\040y rw - cgroup cgroup rw,pids\n",
		  "1:pids:/x/y/z\n") == 0,
	   "bind mounts: parsed");
	is_str(where(CGROUP_CTL_PIDS), "/mnt/x y|z", "bind mounts: the closest, its name decoded");
	ok(layout("1 0 0:5 /a /mnt/a rw - cgroup cgroup rw,pids\n", "1:pids:/b\n") == 0 &&
		   L.n == 1 && !L.h[0].own,
	   "a mount that does not show our cgroup still counts, without own");
	ok(layout(hybrid_mi, "4:memory:/gone (deleted)\n") == 0, "deleted: parsed");
	is_str(where(CGROUP_CTL_MEMORY), "/sys/fs/cgroup/memory|(null)",
	       "deleted: a removed cgroup is not ours to use");
	ok(layout(hybrid_mi, "4:memory:/a\n1:memory:/b\n") == 0 && L.n == 2,
	   "two lines of one hierarchy do not confuse the parser");
	ok(layout("garbage\n", hybrid_cg) < 0, "a mountinfo line not understood: error");
	ok(layout(hybrid_mi, "4:memory\n") < 0, "a cgroup line not understood: error");
	ok(layout(hybrid_mi, "4:memory:relative\n") < 0, "a relative cgroup path: error");
	ok(layout(hybrid_mi, "") == 0 && L.n == 0, "no cgroup lines: nothing");
}

/* ---- places ------------------------------------------------------------------------------------- */

static const char *rel_of(const struct cgroup_parents *p, const char *mountpoint)
{
	for (unsigned i = 0; i < L.n; i++)
		if (strcmp(L.h[i].mountpoint, mountpoint) == 0)
			return p->rel[i] ? p->rel[i] : "(null)";
	return "(no such mount)";
}

static int resolve(struct cgroup_parents *p, const char *a, const char *b)
{
	const char *v[2] = { a, b };
	struct error err = { 0 };
	int r;

	cgroup_parents_free(p);
	r = cgroup_parents_resolve(&L, v, a ? (b ? 2 : 1) : 0, p, &err);
	if (r < 0)
		printf("# %s\n", err.msg);
	return r;
}

static void test_parents(void)
{
	struct cgroup_parents p;

	memset(&p, 0, sizeof(p));
	layout(hybrid_mi, hybrid_cg);
	ok(resolve(&p, NULL, NULL) == 0, "no --cgroup-parent");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "process_api/d07c",
	       "default: our memory cgroup");
	is_str(rel_of(&p, "/sys/fs/cgroup/pids"), "", "default: our pids cgroup (the top)");
	ok(!p.given[0], "default: not given");

	ok(resolve(&p, "/hutch-test", NULL) == 0, "a cgroup path");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "hutch-test", "cgroup path in memory");
	is_str(rel_of(&p, "/sys/fs/cgroup/unified"), "hutch-test", "cgroup path in v2");

	ok(resolve(&p, "sub//dir/", NULL) == 0, "a relative path");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "process_api/d07c/sub/dir",
	       "relative: below our memory cgroup");
	is_str(rel_of(&p, "/sys/fs/cgroup/pids"), "sub/dir", "relative: below our pids cgroup");

	ok(resolve(&p, "/sys/fs/cgroup/memory/a/b", NULL) == 0, "a mountpoint path");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "a/b", "mountpoint path: that hierarchy");
	is_str(rel_of(&p, "/sys/fs/cgroup/pids"), "", "mountpoint path: the others stay ours");

	ok(resolve(&p, "/sys/fs/cgroup/memory/a", "/top") == 0,
	   "a mountpoint path and a cgroup path");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "a", "both: memory from its mountpoint path");
	is_str(rel_of(&p, "/sys/fs/cgroup/pids"), "top", "both: the rest from the cgroup path");
	ok(resolve(&p, "/sys/fs/cgroup/memory", NULL) == 0 &&
		   strcmp(rel_of(&p, "/sys/fs/cgroup/memory"), "") == 0,
	   "the mountpoint itself: the hierarchy's top");
	ok(resolve(&p, "/sys/fs/cgroup/memoryX/a", NULL) == 0 &&
		   strcmp(rel_of(&p, "/sys/fs/cgroup/memory"), "sys/fs/cgroup/memoryX/a") == 0,
	   "a path that only starts like a mountpoint is a cgroup path");
	ok(resolve(&p, "/a", "/b") < 0, "two cgroup paths refused");
	ok(resolve(&p, "/sys/fs/cgroup/pids/a", "/sys/fs/cgroup/pids/b") < 0,
	   "two paths in one hierarchy refused");
	ok(resolve(&p, "/a/../b", NULL) < 0, "'..' refused");
	ok(resolve(&p, "./b", NULL) < 0, "'.' refused");
	ok(resolve(&p, "/sys/fs/cgroup/memory/..", NULL) < 0, "'..' after a mountpoint refused");

	layout(docker_mi, docker_cg);
	ok(resolve(&p, "/docker/abc/x", NULL) == 0, "container: a cgroup path");
	is_str(rel_of(&p, "/sys/fs/cgroup/memory"), "x", "container: below the mount's root");
	ok(resolve(&p, "/elsewhere", NULL) == 0 &&
		   strcmp(rel_of(&p, "/sys/fs/cgroup/memory"), "(null)") == 0,
	   "container: a cgroup the mount cannot show has no place");
	ok(resolve(&p, "rel", NULL) == 0 &&
		   strcmp(rel_of(&p, "/sys/fs/cgroup/pids"), "(null)") == 0,
	   "container: relative to a cgroup we cannot see: no place");
	cgroup_parents_free(&p);
}

/* ---- names, stat, limit files --------------------------------------------------------------- */

static void test_names(void)
{
	char name[80];
	pid_t pid;
	unsigned long long start, ns;
	bool caller;

	cgroup_name_format(name, sizeof(name), 4242, 123456789ULL, 4026531836ULL);
	is_str(name, "hutch.4242.123456789.4026531836", "name format");
	ok(cgroup_name_parse(name, &pid, &start, &ns, &caller) == 0 && pid == 4242 &&
		   start == 123456789ULL && ns == 4026531836ULL && !caller,
	   "name parsed back");
	ok(cgroup_name_parse("hutch.1.0.7.caller", &pid, &start, &ns, &caller) == 0 && caller &&
		   start == 0,
	   "a caller leaf's name");
	static const char *bad[] = {
		"hutch.0.1.2",		 "hutch.01.1.2", "hutch.1.2",
		"hutch.1.2.3.x",	 "hutchx.1.2.3", "hutch.1.2.3.caller.x",
		"hutch.99999999999.1.2", "hutch.-1.2.3", "hutch.1.2.3 ",
		"hutch-test-1",		 "hutch..1.2",	 "hutch.1.02.3",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(cgroup_name_parse(bad[i], &pid, &start, &ns, &caller) < 0, "not a name: '%s'",
		   bad[i]);

	const char *stat =
		"1234 (a) b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 "
		"987654 10000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
	char state = 0;
	ok(cgroup_stat_parse(stat, &state, &start) == 0 && start == 987654 && state == 'S',
	   "state and start time of a stat line whose name has ') '");
	ok(cgroup_stat_parse("9 (z) Z 1 9 9 0 -1 4194380 1 0 0 0 0 0 0 0 20 0 1 0 55 0 0\n", &state,
			     &start) == 0 &&
		   state == 'Z' && start == 55,
	   "a zombie's state");
	ok(cgroup_stat_parse("1 (x) S 1 2", &state, &start) < 0, "a short stat line");
	ok(cgroup_stat_parse("no parens", &state, &start) < 0, "a stat line without a name");
	ok(cgroup_stat_parse("1 (x)", &state, &start) < 0, "a stat line that ends at the name");

	ok(cgroup_procs_only("4242\n", 4242), "cgroup.procs: hutch alone");
	ok(!cgroup_procs_only("4242\n77\n", 4242), "cgroup.procs: hutch and another");
	ok(!cgroup_procs_only("77\n4242\n", 4242), "cgroup.procs: another first");
	ok(!cgroup_procs_only("", 4242), "cgroup.procs: empty");
	ok(!cgroup_procs_only("42420\n", 4242), "cgroup.procs: a longer pid");
	ok(!cgroup_procs_only("4242", 4242), "cgroup.procs: cut short (no newline)");
}

static const char *writes(const struct cgroup_request *r, int version, unsigned ctls)
{
	static char out[1024];
	struct cgroup_write w[8];
	unsigned n = cgroup_limit_writes(r, version, ctls, w);
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s%s=%s", i ? " " : "",
				      w[i].group ? "?" : "", w[i].file, w[i].value);
	return out;
}

static void test_writes(void)
{
	struct cgroup_request r = { 0 };
	const unsigned all = CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS | CGROUP_CTL_CPU | CGROUP_CTL_IO;

	opt(&r, "memory", "64M");
	opt(&r, "memory-swap", "96M");
	is_str(writes(&r, 2, all), "memory.max=67108864 memory.swap.max=33554432",
	       "v2 memory: swap.max is the swap alone");
	is_str(writes(&r, 1, all),
	       "memory.limit_in_bytes=67108864 memory.memsw.limit_in_bytes=100663296",
	       "v1 memory: memsw is memory plus swap, after the memory limit");
	opt(&r, "memory-swap", "max");
	is_str(writes(&r, 2, all), "memory.max=67108864 memory.swap.max=max", "v2 swap max");
	is_str(writes(&r, 1, all), "memory.limit_in_bytes=67108864 memory.memsw.limit_in_bytes=-1",
	       "v1 memsw unlimited is -1");
	is_str(writes(&r, 2, CGROUP_CTL_PIDS), "", "only the controllers of the place");

	struct cgroup_request p = { 0 };
	opt(&p, "pids", "max");
	opt(&p, "cpus", "0.5");
	is_str(writes(&p, 2, all), "pids.max=max cpu.max=50000 100000", "v2 pids max, cpu.max");
	is_str(writes(&p, 1, all), "pids.max=max cpu.cfs_quota_us=50000", "v1 pids max, cfs quota");

	struct cgroup_request w = { 0 };
	opt(&w, "cpu-weight", "100");
	opt(&w, "io-weight", "200");
	is_str(writes(&w, 2, all), "cpu.weight=100 ?io.weight=default 200 ?io.bfq.weight=200",
	       "v2 weights (io: iocost or BFQ)");
	is_str(writes(&w, 1, all), "cpu.shares=1024 ?blkio.weight=1000 ?blkio.bfq.weight=200",
	       "v1 weights: shares 1024 is weight 100; CFQ's scale is 5 times");
	opt(&w, "cpu-weight", "1");
	opt(&w, "io-weight", "1");
	is_str(writes(&w, 1, all), "cpu.shares=10 ?blkio.weight=10 ?blkio.bfq.weight=1",
	       "v1 weights at the bottom, clamped");
	opt(&w, "cpu-weight", "10000");
	opt(&w, "io-weight", "10000");
	is_str(writes(&w, 1, all), "cpu.shares=102400 ?blkio.weight=1000 ?blkio.bfq.weight=1000",
	       "v1 weights at the top, clamped");
	is_str(writes(&w, 2, all), "cpu.weight=10000 ?io.weight=default 10000 ?io.bfq.weight=1000",
	       "v2 weights at the top (BFQ clamped to 1000)");
}

static void test_stats(void)
{
	uint64_t v = 0;
	const char *cpu = "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n";
	const char *ev = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n";

	ok(cgroup_keyed_value(cpu, "user_usec", &v) == 0 && v == 1000, "cpu.stat user_usec");
	ok(cgroup_keyed_value(cpu, "system_usec", &v) == 0 && v == 500, "cpu.stat system_usec");
	ok(cgroup_keyed_value(ev, "oom_kill", &v) == 0 && v == 1, "memory.events oom_kill");
	ok(cgroup_keyed_value(ev, "oom", &v) == 0 && v == 2, "'oom' is not 'oom_kill'");
	ok(cgroup_keyed_value("max 3\n", "max", &v) == 0 && v == 3, "pids.events max");
	ok(cgroup_keyed_value("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n", "oom_kill", &v) ==
			   0 &&
		   v == 4,
	   "v1 memory.oom_control oom_kill");
	ok(cgroup_keyed_value(ev, "nothing", &v) < 0, "a missing key");
	ok(cgroup_keyed_value("populated 0\nfrozen 1", "frozen", &v) == 0 && v == 1,
	   "a last line without newline");
	ok(cgroup_keyed_value("max x\n", "max", &v) < 0, "a value that is no number");
	is_int(cgroup_list_ctls("cpuset cpu io memory hugetlb pids rdma misc\n"),
	       CGROUP_CTL_CPU | CGROUP_CTL_IO | CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS,
	       "cgroup.controllers of a systemd host");
	is_int(cgroup_list_ctls(""), 0, "an empty subtree_control");
	is_int(cgroup_list_ctls("blkio cpuacct"), 0, "v1 names are not v2 controllers");
}

static void test_reasons(void)
{
	struct cgroup_usage u = { 0 };
	int killed = SIGKILL, failed = 1 << 8, fine = 0;

	u.have = CGROUP_HAVE_OOM | CGROUP_HAVE_PIDS_EVENTS;
	u.oom_kills = 1;
	is_int(cgroup_end_reason(&u, killed), CGROUP_END_OOM, "killed, an OOM kill: oom");
	is_int(cgroup_end_reason(&u, fine), CGROUP_END_NORMAL,
	       "exit 0 despite an OOM kill: normal");
	u.pids_refused = 3;
	is_int(cgroup_end_reason(&u, failed), CGROUP_END_OOM, "both: oom first");
	u.oom_kills = 0;
	is_int(cgroup_end_reason(&u, failed), CGROUP_END_PIDS, "exit 1 and refused forks: pids");
	u.pids_refused = 0;
	is_int(cgroup_end_reason(&u, failed), CGROUP_END_NORMAL, "exit 1 alone: the command's");
	u.have = 0;
	u.oom_kills = 5;
	is_int(cgroup_end_reason(&u, killed), CGROUP_END_NORMAL, "counters not read: normal");
	is_str(cgroup_end_key(CGROUP_END_OOM), "oom", "key oom");
	is_str(cgroup_end_key(CGROUP_END_PIDS), "pids", "key pids");
	is_str(cgroup_end_key(CGROUP_END_NORMAL), NULL, "no key for a normal end");
	ok(strstr(cgroup_end_message(CGROUP_END_OOM), "--memory") != NULL,
	   "oom message names --memory");
	ok(strstr(cgroup_end_message(CGROUP_END_PIDS), "--pids") != NULL,
	   "pids message names --pids");
}

static void test_rlimits(void)
{
	struct cgroup_request r = { 0 };
	struct cgroup_rlimits rl;
	unsigned lost;

	opt(&r, "memory", "64M");
	opt(&r, "memory-swap", "128M");
	opt(&r, "pids", "10");
	opt(&r, "cpus", "1");
	cgroup_rlimits_plan(&r, ~0u, &rl, &lost);
	ok(rl.n == 2 && rl.v[0].resource == RLIMIT_AS && rl.v[0].value == 64u << 20 &&
		   rl.v[1].resource == RLIMIT_NPROC && rl.v[1].value == 10,
	   "rlimits: --memory as RLIMIT_AS, --pids as RLIMIT_NPROC");
	is_int(lost, CGROUP_SET_SWAP | CGROUP_SET_CPUS,
	       "rlimits: swap and cpus cannot be expressed");
	cgroup_rlimits_plan(&r, CGROUP_SET_PIDS, &rl, &lost);
	ok(rl.n == 1 && rl.v[0].resource == RLIMIT_NPROC && lost == 0,
	   "rlimits: only what was not placed");
	opt(&r, "memory", "max");
	cgroup_rlimits_plan(&r, CGROUP_SET_MEMORY, &rl, &lost);
	ok(rl.n == 0 && lost == 0, "rlimits: --memory max needs none");
}

static void test_messages(void)
{
	char text[1024];
	struct error err;
	struct cgroup_request r = { 0 };

	cgroup_ctl_list(CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS | CGROUP_CTL_IO | CGROUP_CTL_CPUACCT,
			'+', text, sizeof(text));
	is_str(text, "+memory +pids +io",
	       "subtree_control list: v2 names, core functions left out");
	cgroup_ctl_list(CGROUP_CTL_CPU, '-', text, sizeof(text));
	is_str(text, "-cpu", "subtree_control list: to disable");
	cgroup_ctl_words(CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS | CGROUP_CTL_IO, 1, text,
			 sizeof(text));
	is_str(text, "memory, pids and blkio", "controllers in words (v1)");
	cgroup_ctl_words(CGROUP_CTL_PIDS, 2, text, sizeof(text));
	is_str(text, "pids", "one controller in words");

	layout(hybrid_mi, hybrid_cg);
	cgroup_layout_set_v2(&L, "hugetlb");
	error_set(&err, "cannot create the sandbox's cgroup: x");
	cgroup_hint_delegation(&L, CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS, 65534, 4321, false, &err);
	ok(strstr(err.msg,
		  "\nhint: as root, delegate a directory in each cgroup v1 hierarchy once: "
		  "mkdir -p /sys/fs/cgroup/pids/hutch-65534 /sys/fs/cgroup/memory/hutch-65534 "
		  "&& chown -R 65534 /sys/fs/cgroup/pids/hutch-65534 "
		  "/sys/fs/cgroup/memory/hutch-65534") != NULL,
	   "hybrid hint: the root commands for each v1 hierarchy in need: %s", err.msg);
	ok(strstr(err.msg, "--cgroup-parent /hutch-65534") &&
		   strstr(err.msg, "echo $$ | tee /sys/fs/cgroup/pids/hutch-65534/cgroup.procs "
				   "/sys/fs/cgroup/memory/hutch-65534/cgroup.procs"),
	   "hybrid hint: then --cgroup-parent, or the shell moved there");
	ok(!strstr(err.msg, "systemd-run") && !strstr(err.msg, "cpu"),
	   "hybrid hint: nothing of v2, nothing of controllers not in need");
	ok(strstr(err.msg, "--limits-try") != NULL, "hint: --limits-try");

	layout(v2_mi, v2_cg);
	cgroup_layout_set_v2(&L, "cpuset cpu io memory pids");
	error_set(&err, "x");
	cgroup_hint_delegation(&L, CGROUP_CTL_MEMORY | CGROUP_CTL_PIDS, 1000, 4321, true, &err);
	ok(strstr(err.msg, "\nhint: on a systemd host, run hutch in a delegated scope: systemd-run "
			   "--user --scope -p Delegate=yes hutch ...") != NULL,
	   "v2 hint: a delegated user scope: %s", err.msg);
	ok(strstr(err.msg,
		  "D=/sys/fs/cgroup/hutch-1000; mkdir -p $D/shell && echo '+memory +pids' > "
		  "/sys/fs/cgroup/cgroup.subtree_control && chown 1000 $D $D/cgroup.procs "
		  "$D/cgroup.subtree_control $D/cgroup.threads") &&
		   strstr(err.msg, "echo 4321 > $D/shell/cgroup.procs"),
	   "v2 hint: the root commands of a delegated directory");
	ok(!strstr(err.msg, "--limits-try") && !strstr(err.msg, "chown -R"),
	   "v2 hint: no --limits-try once given, nothing of v1");
	error_set(&err, "x");
	cgroup_hint_delegation(&L, CGROUP_CTL_PIDS, 0, 1, true, &err);
	ok(strstr(err.msg, "systemd-run --scope") != NULL, "v2 hint for root: the system manager");

	opt(&r, "memory", "64M");
	opt(&r, "pids", "10");
	opt(&r, "cpus", "0.5");
	cgroup_try_warning(&r, r.set,
			   "cannot create the sandbox's cgroup: /x is not writable\nhint: y", text,
			   sizeof(text));
	is_str(text,
	       "--limits-try: no cgroup for the sandbox (/x is not writable); rlimits instead: "
	       "--memory as RLIMIT_AS (address space), --pids as RLIMIT_NPROC (all the user's "
	       "processes); not applied: --cpus",
	       "the --limits-try warning: one line");
}

int main(void)
{
	face_set(FACE_HUTCH);
	test_options();
	test_validate();
	test_hybrid();
	test_v2();
	test_v1();
	test_containers();
	test_parents();
	test_names();
	test_writes();
	test_stats();
	test_reasons();
	test_rlimits();
	test_messages();
	cgroup_layout_free(&L);
	free(buf);
	return done_testing();
}

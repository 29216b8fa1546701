/* dryrun: the plan as text, section by section in the order a launch takes its steps. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "cgroup.h"
#include "dryrun.h"
#include "net-request.h"
#include "rlimit.h"

static void namespaces(FILE *out, const struct plan *p)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} ns[] = {
		{ CLONE_NEWUSER, "user" },     { CLONE_NEWNS, "mount" }, { CLONE_NEWPID, "pid" },
		{ CLONE_NEWNET, "net" },       { CLONE_NEWIPC, "ipc" },	 { CLONE_NEWUTS, "uts" },
		{ CLONE_NEWCGROUP, "cgroup" },
	};

	fputs("namespaces: new", out);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (p->clone_flags & ns[i].flag)
			fprintf(out, " %s", ns[i].name);
	if (p->limits.unshare_cgroup_late)
		fputs(" cgroup (after joining its cgroup)", out);
	if (p->proc.pidns_implied)
		fputs("; pid because of --timeout, a cgroup limit or --stats (without it the "
		      "command could stop or kill hutch by its parent's pid)",
		      out);
	if (p->ids.userns_fd >= 0)
		fprintf(out, "; joins the user namespace of fd %d (--userns)", p->ids.userns_fd);
	if (p->proc.pidns_fd >= 0)
		fprintf(out, "; joins the PID namespace of fd %d (--pidns)", p->proc.pidns_fd);
	fputc('\n', out);
}

static void ids(FILE *out, const struct plan *p)
{
	const struct ids_plan *ids = &p->ids;

	if (!ids->new_userns) {
		fprintf(out, "ids: uid %u gid %u, no user namespace of its own\n",
			(unsigned)ids->final_uid, (unsigned)ids->final_gid);
		return;
	}
	fprintf(out,
		"id maps: uid %u -> host uid %u, gid %u -> host gid %u (one id each, written "
		"by the %s)%s\n",
		(unsigned)ids->first_uid, (unsigned)ids->outer_uid, (unsigned)ids->first_gid,
		(unsigned)ids->outer_gid, ids->parent_maps ? "parent" : "sandbox itself",
		ids->root_as_nobody ? "; root's sandbox runs as nobody on the host (--host-uid)" :
				      "");
	if (ids->nested)
		fprintf(out,
			"  then a nested user namespace: uid %u gid %u on uid 0 of the first%s\n",
			(unsigned)ids->final_uid, (unsigned)ids->final_gid,
			ids->disable ? "; no further user namespaces (--disable-userns)" : "");
}

/* The host path a source resolves to (relative to the caller's directory), for the reader. */
static void host_path(FILE *out, const struct setup_op *op, const char *cwd)
{
	char buf[PATH_MAX], *abs = NULL, *real;

	if (op->src[0] != '/' && cwd && asprintf(&abs, "%s/%s", cwd, op->src) < 0)
		abs = NULL;
	real = realpath(abs ? abs : op->src, NULL);
	if (real) {
		fprintf(out, "host %s", real);
		free(real);
	} else {
		int e = errno;

		snprintf(buf, sizeof(buf), "%s", abs ? abs : op->src);
		fprintf(out, "host %s: %s%s", buf, strerror(e),
			(op->flags & SETUP_FLAG_ALLOW_MISSING) ? " (skipped)" :
								 " (the launch will fail)");
	}
	free(abs);
}

static void fd_path(FILE *out, int fd)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0) {
		fprintf(out, "fd %d (not open)", fd);
		return;
	}
	buf[n] = '\0';
	fprintf(out, "fd %d, %s", fd, buf);
}

static int op_mode(const struct setup_op *op, int dflt)
{
	return op->perms == SETUP_PERMS_UNSET ? dflt : op->perms;
}

/* What --proc hides and makes read-only in a face with proc_masks (rootfs-ops.c). */
static void proc_masks(FILE *out, const char *dest)
{
	const char *d = strcmp(dest, "/") == 0 ? "" : dest;

	fputs("; read-only:", out);
	for (const char *const *n = setup_proc_readonly; *n; n++)
		fprintf(out, " %s/%s", d, *n);
	fputs("; masked where the kernel has them (an empty read-only file or tmpfs):", out);
	for (const char *const *n = setup_proc_masked; *n; n++)
		fprintf(out, " %s/%s", d, *n);
}

static void one_op(FILE *out, const struct setup_op *op, const struct plan *p)
{
	const struct rootfs_plan *r = &p->rootfs;
	const char *dest = op->dest;

	switch (op->type) {
	case SETUP_BIND:
	case SETUP_RO_BIND:
	case SETUP_DEV_BIND:
		fprintf(out, "bind %s on %s (", op->src, dest);
		host_path(out, op, r->caller_cwd);
		fprintf(out, "): %s",
			op->type == SETUP_RO_BIND  ? "ro,nosuid,nodev" :
			op->type == SETUP_DEV_BIND ? "rw,nosuid (devices work)" :
						     "rw,nosuid,nodev");
		break;
	case SETUP_BIND_FD:
	case SETUP_RO_BIND_FD:
		fputs("bind (", out);
		fd_path(out, op->fd);
		fprintf(out, ") on %s: %s", dest,
			op->type == SETUP_RO_BIND_FD ? "ro,nosuid,nodev" : "rw,nosuid,nodev");
		break;
	case SETUP_REMOUNT_RO:
		fprintf(out, "remount %s read-only", dest);
		break;
	case SETUP_TMPFS:
		fprintf(out, "tmpfs on %s: mode=%04o", dest, op_mode(op, 0755));
		if (op->size)
			fprintf(out, ",size=%llu", (unsigned long long)op->size);
		fputs(",nosuid,nodev", out);
		break;
	case SETUP_PROC:
		fprintf(out, "proc on %s: %s, nosuid,nodev,noexec", dest,
			r->own_pidns ? "a new one, of the sandbox's PID namespace" :
				       "the host's (no PID namespace of its own)");
		if (face->proc_masks)
			proc_masks(out, dest);
		else
			fputs(", /proc/sys and others read-only", out);
		break;
	case SETUP_DEV:
		fprintf(out,
			"dev on %s: a tmpfs (nosuid,nodev) with the host's null zero full random "
			"urandom tty bound in, a new devpts on pts, shm, the std* links",
			dest);
		break;
	case SETUP_MQUEUE:
		fprintf(out, "mqueue on %s: nosuid,nodev,noexec", dest);
		break;
	case SETUP_DIR:
		fprintf(out, "directory %s, mode %04o", dest, op_mode(op, 0755));
		break;
	case SETUP_SYMLINK:
		fprintf(out, "symlink %s -> %s", dest, op->src);
		break;
	case SETUP_CHMOD:
		fprintf(out, "chmod %04o %s", op_mode(op, 0), dest);
		break;
	case SETUP_FILE:
		fprintf(out, "file %s, mode %04o, with the data of fd %d", dest,
			op_mode(op, (int)r->file_mode), op->fd);
		break;
	case SETUP_BIND_DATA:
	case SETUP_RO_BIND_DATA:
		fprintf(out, "file with the data of fd %d, mode %04o, bound on %s: %s", op->fd,
			op_mode(op, 0600), dest,
			op->type == SETUP_RO_BIND_DATA ? "ro,nosuid,nodev" : "rw,nosuid,nodev");
		break;
	case SETUP_OVERLAY_SRC:
		fprintf(out, "overlay layer %s (", op->src);
		host_path(out, op, r->caller_cwd);
		fputc(')', out);
		break;
	case SETUP_OVERLAY:
		fprintf(out, "overlay on %s, writes to host %s (work dir %s): nosuid,nodev", dest,
			op->src, op->workdir);
		break;
	case SETUP_TMP_OVERLAY:
		fprintf(out, "overlay on %s, writes to a tmpfs: nosuid,nodev", dest);
		break;
	case SETUP_RO_OVERLAY:
		fprintf(out, "overlay on %s, read-only: nosuid,nodev", dest);
		break;
	case SETUP_LOCK_FILE:
		fprintf(out, "lock %s, held while the sandbox runs", dest);
		break;
	case SETUP_MASK:
		fprintf(out, "mask %s: an empty file or directory over it: ro,nosuid,nodev,noexec",
			dest);
		break;
	}
}

static void rootfs(FILE *out, const struct plan *p)
{
	unsigned i = 0;

	fprintf(out, "root: a new tmpfs (nosuid,nodev)%s, then in command-line order:\n",
		p->rootfs.make_slave ? ", the host's mounts made slaves first" : "");
	for (const struct setup_op *op = p->rootfs.ops->head; op; op = op->next) {
		fprintf(out, "  %2u. --%s: ", ++i, op->option);
		one_op(out, op, p);
		if (op->origin)
			fprintf(out, " [from %s%s]", strcmp(op->origin, "MAKEFLAGS") ? "--" : "",
				op->origin);
		fputc('\n', out);
	}
	fputs("  then pivot_root into it; the host's root is detached\n", out);
}

static void environment(FILE *out, const struct plan *p)
{
	const struct process_plan *pr = &p->proc;

	if (pr->chdir)
		fprintf(out, "working directory: %s (--chdir)\n", pr->chdir);
	else
		fprintf(out, "working directory: %s if it exists inside, else $HOME, else /\n",
			pr->caller_cwd ? pr->caller_cwd : "(unknown)");
	fputs("environment: hutch's own", out);
	for (const struct env_op *e = pr->env; e; e = e->next) {
		if (e->type == ENV_SET)
			fprintf(out, "; set %s=%s", e->name, e->value);
		else if (e->type == ENV_UNSET)
			fprintf(out, "; unset %s", e->name);
		else
			fputs("; cleared", out);
		if (e->origin)
			fprintf(out, " [--%s]", e->origin);
	}
	fputs("; PWD set to the working directory\n", out);
	if (p->hostname)
		fprintf(out, "hostname: %s\n", p->hostname);
}

static void capabilities(FILE *out, const struct plan *p)
{
	const struct caps_plan *c = &p->caps;
	bool any = false;

	fputs("capabilities: ", out);
	if (c->as_they_are) {
		fputs("root's own, as they are (only the bounding set is set)\n", out);
		return;
	}
	for (int i = 0; i < 64; i++) {
		char *name;

		if (!(c->keep & (UINT64_C(1) << i)))
			continue;
		name = cap_to_name((cap_value_t)i);
		fprintf(out, "%s%s", any ? "," : "", name ? name : "?");
		cap_free(name);
		any = true;
	}
	if (!any)
		fputs("none", out);
	else
		fprintf(out, " (bounding, permitted, effective, inheritable%s)",
			c->ambient ? ", ambient" : "");
	fputs("; no_new_privs\n", out);
}

static void seccomp(FILE *out, const struct config *cfg, const struct plan *p)
{
	const struct seccomp_set *s = &p->seccomp;
	size_t first = 0;

	fputs("seccomp: profile ", out);
	if (cfg->seccomp_req.n_profiles == 0)
		fprintf(out, "'%s'", face->default_seccomp ? face->default_seccomp : "none");
	for (unsigned i = 0; i < cfg->seccomp_req.n_profiles; i++)
		fprintf(out, "%s'%s'", i ? " + " : "", cfg->seccomp_req.profiles[i]);
	if (cfg->seccomp_req.n_adjusts)
		fprintf(out, " with %u --seccomp-allow/--seccomp-deny", cfg->seccomp_req.n_adjusts);
	if (s->first_is_profile) {
		fprintf(out, ": %zu BPF instructions", s->progs[0].len);
		first = 1;
	} else {
		fputs(": allows everything, nothing loaded", out);
	}
	for (size_t i = first; i < s->n; i++)
		fprintf(out, "; a program of %zu instructions (--%s)", s->progs[i].len,
			cfg->seccomp_legacy ? "seccomp" : "add-seccomp-fd");
	if (cfg->seccomp_export)
		fprintf(out, "; --seccomp-export %s not written (dry run)", cfg->seccomp_export);
	fputs(", loaded last, right before exec\n", out);
}

static void landlock(FILE *out, const struct plan *p)
{
	const struct landlock_plan *l = &p->landlock;

	if (!l->asked) {
		fputs("landlock: off\n", out);
		return;
	}
	if (!l->on) {
		fprintf(out, "landlock: off: --landlock-try%s%s%s, but this kernel %s\n",
			l->origin ? " [from --" : "", l->origin ? l->origin : "",
			l->origin ? "]" : "",
			l->abi == 1 ? "has ABI 1 only (no rename between directories)" :
				      "has no Landlock");
		return;
	}
	fprintf(out, "landlock: ABI %d (--landlock%s%s%s%s): %d filesystem rights handled", l->abi,
		l->required ? "" : "-try", l->origin ? " [from --" : "", l->origin ? l->origin : "",
		l->origin ? "]" : "", __builtin_popcountll(landlock_fs_handled(l->abi)));
	if (l->abi == 1)
		fputs(" (ABI 1: no file moves or links between directories)", out);
	if (l->scope_signal || l->scope_abstract)
		fprintf(out, "; scoped to the sandbox:%s%s%s", l->scope_signal ? " signals" : "",
			l->scope_signal && l->scope_abstract ? " and" : "",
			l->scope_abstract ? " abstract unix sockets" : "");
	if (l->abi >= 7)
		fputs("; the command's denials audited", out);
	fputs("; no sandbox can be built inside (no mount, no pivot_root)\n", out);
	for (unsigned i = 0; i < l->n; i++) {
		const struct landlock_rule *r = &l->rules[i];

		fprintf(out, "  %s%s: %s (", r->host ? "host " : "", r->path,
			landlock_rights_name(r->writable));
		if (r->option)
			fprintf(out, "--%s", r->option);
		else
			fputs("the root's tmpfs", out);
		if (r->origin)
			fprintf(out, " [from %s%s]", strcmp(r->origin, "MAKEFLAGS") ? "--" : "",
				r->origin);
		fputs(")\n", out);
	}
	fputs("  and the file (not a directory) each of fds 0, 1, 2 and --pass-fd holds, with the "
	      "fd's own access, for /proc/self/fd (/dev/stdout)\n",
	      out);
}

static void fds(FILE *out, const struct plan *p)
{
	const struct process_plan *pr = &p->proc;
	const struct jobserver_req *js = pr->jobserver;

	if (!pr->close_inherited) {
		fputs("fds: every inherited fd passes to the command\n", out);
	} else {
		fputs("fds: 0 1 2", out);
		for (unsigned i = 0; i < pr->pass_fds->n; i++)
			fprintf(out, " %d", pr->pass_fds->v[i]);
		if (pr->pass_fds->n)
			fputs(" (--pass-fd)", out);
		if (pr->jobserver_fds[0] >= 0 || pr->jobserver_fds[1] >= 0)
			fprintf(out, " %d %d (make's jobserver)", pr->jobserver_fds[0],
				pr->jobserver_fds[1]);
		fputs(" pass to the command; every other inherited fd is closed\n", out);
	}
	if (js && js->word) {
		fprintf(out, "make's jobserver: MAKEFLAGS says %s: ", js->word);
		if (js->fifo)
			fprintf(out, "the fifo is bound read-only at its own path (last op)\n");
		else if (pr->jobserver_fds[0] >= 0 || pr->jobserver_fds[1] >= 0)
			fputs("its fds are kept open\n", out);
		else if (pr->jobserver_clash)
			fputs("its fds are named by another option: closed\n", out);
		else
			fputs("its fds are not open here (a recipe line without '+' or $(MAKE))\n",
			      out);
	}
}

static void size(FILE *out, const char *name, uint64_t v)
{
	if (v == CGROUP_MAX)
		fprintf(out, " %s=max", name);
	else
		fprintf(out, " %s=%llu", name, (unsigned long long)v);
}

static void limits(FILE *out, const struct plan *p)
{
	const struct limits_plan *l = &p->limits;
	const struct cgroup_request *c = l->cgroup;
	bool any = false;

	fputs("limits:", out);
	if (c) {
		fputs(" a cgroup of its own:", out);
		if (c->set & CGROUP_SET_MEMORY)
			size(out, "memory", c->memory);
		if (c->set & CGROUP_SET_SWAP)
			size(out, "memory+swap", c->memory_swap);
		if (c->set & CGROUP_SET_PIDS)
			size(out, "pids", c->pids);
		if (c->set & CGROUP_SET_CPUS)
			fprintf(out, " cpu=%llu/%uus", (unsigned long long)c->cpu_quota_us,
				CGROUP_CPU_PERIOD_US);
		if (c->set & CGROUP_SET_CPU_WEIGHT)
			fprintf(out, " cpu-weight=%u", c->cpu_weight);
		if (c->set & CGROUP_SET_IO_WEIGHT)
			fprintf(out, " io-weight=%u", c->io_weight);
		for (unsigned i = 0; i < c->nparents; i++)
			fprintf(out, " below %s", c->parents[i]);
		if (c->try)
			fputs(" (rlimits stand in if none can be made)", out);
		fputc(';', out);
		any = true;
	}
	for (unsigned i = 0; i < l->n_rlimits; i++) {
		const struct rlimit_req *r = &l->rlimits[i];

		fprintf(out, " rlimit %s=%llu", rlimit_name(r->resource),
			(unsigned long long)r->soft);
		if (r->has_hard)
			fprintf(out, ":%llu", (unsigned long long)r->hard);
		fputc(';', out);
		any = true;
	}
	if (l->timeout_ms) {
		fprintf(out, " timeout %llu ms, then SIGKILL after %llu ms;",
			(unsigned long long)l->timeout_ms, (unsigned long long)l->grace_ms);
		any = true;
	}
	if (!any)
		fputs(" none;", out);
	fprintf(out, " what the command leaves running %s\n",
		l->kill_leftovers ? "is killed when it ends" : "stays");
}

static void process(FILE *out, const struct plan *p)
{
	const struct process_plan *pr = &p->proc;

	const struct net_plan *n = &p->net;
	if (n->mode != NET_USER) {
		fprintf(out, "network: %s\n",
			(p->clone_flags & CLONE_NEWNET) ?
				"none: a namespace of its own with loopback up" :
				"the host's");
	} else {
		fprintf(out,
			"network: user: a namespace of its own, connected by %s (%s) as the "
			"caller, address %s/%d, gateway %s, DNS %s%s; the host's loopback %s\n",
			net_helper_program(n->helper), n->helper_path, NET_SANDBOX_ADDR, NET_PREFIX,
			NET_GATEWAY_ADDR, NET_DNS_ADDR,
			n->dns_bind ? " (bound over /etc/resolv.conf)" : "",
			n->host_loopback ? "reachable through the gateway" : "closed");
		for (unsigned i = 0; i < n->n_publish; i++)
			fprintf(out,
				"network: publish %s (host %s port %u -> sandbox port %u/%s)\n",
				n->publish[i].spec, n->publish[i].host_addr,
				n->publish[i].host_port, n->publish[i].sandbox_port,
				n->publish[i].udp ? "udp" : "tcp");
		for (unsigned i = 0; i < n->n_allow; i++)
			fprintf(out, "network: allow %s (names resolved at launch)\n",
				n->allow[i].spec);
		if (n->n_allow)
			fputs("network: everything else refused (TCP reset, ICMP unreachable); DNS to "
			      "the forwarder only\n",
			      out);
	}
	fprintf(out, "processes: %s%s%s%s\n",
		pr->in_place ? "hutch becomes the command (no process stays outside)" :
			       "hutch stays outside and reports the command's status",
		pr->need_reaper ? (pr->reaper_is_pid1 ? "; a reaper is pid 1" : "; a reaper") : "",
		pr->die_with_parent ? "; dies with its parent" : "",
		pr->new_session ? "; a new session" : "");
	fputs("command:", out);
	for (int i = 0; i < pr->argc; i++)
		fprintf(out, " '%s'", pr->argv[i]);
	if (pr->argv0)
		fprintf(out, " (argv[0] '%s')", pr->argv0);
	fputc('\n', out);
}

void dryrun_print(FILE *out, const struct config *cfg, const struct plan *p)
{
	fprintf(out, "%s: dry run: this is the plan; nothing was run\n", face->prog);
	namespaces(out, p);
	ids(out, p);
	rootfs(out, p);
	environment(out, p);
	capabilities(out, p);
	seccomp(out, cfg, p);
	landlock(out, p);
	fds(out, p);
	limits(out, p);
	process(out, p);
	fflush(out);
}

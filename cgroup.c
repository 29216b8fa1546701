/* cgroup: the sandbox's cgroup on this host (cgroup.h), the impure half: made, joined, killed,
 * read and removed by the parent. Every path below a hierarchy's mountpoint is resolved from
 * the mountpoint's fd without following symlinks or leaving the mount: a delegated tree is
 * the user's to change. See cgroups(7), cgroup_namespaces(7), clone(2) (CLONE_INTO_CGROUP) and
 * the kernel's cgroup-v2.rst ("Delegation Containment", "no internal process constraint"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "cgroup.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* One hierarchy the sandbox joined. */
struct place {
	int hier;	   /* index in the layout */
	unsigned ctls;	   /* controllers whose limits are written here */
	bool optional;	   /* joined for kill, clone and accounting only: best effort */
	int parent_fd;	   /* O_PATH: where the cgroup is made */
	int fd;		   /* O_PATH: the sandbox's cgroup; -1 until made */
	char *path;	   /* its absolute path, for messages */
	unsigned enabled;  /* v2: controllers hutch enabled in the parent's subtree_control */
	bool caller_moved; /* v2: hutch moved itself into NAME.caller to enable them */
};

struct cgroup_sandbox {
	struct cgroup_request req;
	struct cgroup_layout layout;
	struct place p[CGROUP_MAX_HIERS];
	unsigned n;
	int v2; /* index in p of the v2 place, -1 */
	char name[80];
	unsigned unplaced;
};

static int self_identity(pid_t *pid, unsigned long long *start, unsigned long long *pidns)
{
	char text[1024], state;
	struct stat st;

	*pid = getpid();
	if (cgroup_read_at(AT_FDCWD, "/proc/self/stat", text, sizeof(text)) < 0 ||
	    cgroup_stat_parse(text, &state, start) < 0)
		return -1;
	if (stat("/proc/self/ns/pid", &st) < 0)
		return -1;
	*pidns = (unsigned long long)st.st_ino;
	return 0;
}

/* ---- making the sandbox's cgroup ------------------------------------------------------------ */

struct identity {
	pid_t pid;
	unsigned long long start, pidns;
	uid_t uid;
};

static const struct cgroup_hier *hier_of(const struct cgroup_sandbox *cg, const struct place *pl)
{
	return &cg->layout.h[pl->hier];
}

/* The CGROUP_SET_* values carried by these controllers. */
static unsigned sets_of(unsigned ctls)
{
	unsigned s = 0;

	if (ctls & CGROUP_CTL_MEMORY)
		s |= CGROUP_SET_MEMORY | CGROUP_SET_SWAP;
	if (ctls & CGROUP_CTL_PIDS)
		s |= CGROUP_SET_PIDS;
	if (ctls & CGROUP_CTL_CPU)
		s |= CGROUP_SET_CPUS | CGROUP_SET_CPU_WEIGHT;
	if (ctls & CGROUP_CTL_IO)
		s |= CGROUP_SET_IO_WEIGHT;
	return s;
}

/* Make sure the parent's subtree_control has the place's v2 controllers (module comment). */
static int enable_v2(struct cgroup_sandbox *cg, struct place *pl, bool given,
		     const struct identity *id, const char *parent_path, struct error *err)
{
	char sub[512], avail[512], list[128], caller[96], words[128], pid[24];
	unsigned want = pl->ctls & ~CGROUP_CTL_V2_CORE, missing;
	int leaf, e;

	if (cgroup_read_at(pl->parent_fd, "cgroup.subtree_control", sub, sizeof(sub)) < 0)
		return error_set_errno(err, errno,
				       "cannot create the sandbox's cgroup: cannot read "
				       "%s/cgroup.subtree_control",
				       parent_path);
	missing = want & ~cgroup_list_ctls(sub);
	if (!missing)
		return 0;
	cgroup_ctl_words(missing, 2, words, sizeof(words));
	if (cgroup_read_at(pl->parent_fd, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    (missing & ~cgroup_list_ctls(avail))) {
		error_set(
			err,
			"cannot create the sandbox's cgroup: the %s controller%s not delegated to "
			"%s (missing from its cgroup.controllers)",
			words, missing & (missing - 1) ? "s are" : " is", parent_path);
		cgroup_hint_delegation(&cg->layout, cgroup_request_ctls(&cg->req), id->uid,
				       getppid(), cg->req.try, err);
		return -1;
	}
	cgroup_ctl_list(missing, '+', list, sizeof(list));
	if (cgroup_write_at(pl->parent_fd, "cgroup.subtree_control", list) == 0) {
		pl->enabled = missing;
		return 0;
	}
	if (errno == EBUSY && !given) {
		/* The caller's own cgroup has processes. If hutch is the only one, it moves
		 * itself into a leaf beside the sandbox's cgroup (a delegated scope whose main
		 * process is hutch: systemd-run --scope -p Delegate=yes hutch ...). */
		char procs[64];

		snprintf(pid, sizeof(pid), "%d", (int)id->pid);
		snprintf(caller, sizeof(caller), "%s.caller", cg->name);
		if (cgroup_read_at(pl->parent_fd, "cgroup.procs", procs, sizeof(procs)) == 0 &&
		    cgroup_procs_only(procs, id->pid) &&
		    mkdirat(pl->parent_fd, caller, 0755) == 0) {
			leaf = openat(pl->parent_fd, caller,
				      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (leaf >= 0 && cgroup_write_at(leaf, "cgroup.procs", pid) == 0) {
				pl->caller_moved = true;
				close(leaf);
				if (cgroup_write_at(pl->parent_fd, "cgroup.subtree_control",
						    list) == 0) {
					pl->enabled = missing;
					return 0;
				}
				return error_set_errno(err, errno,
						       "cannot create the sandbox's cgroup: cannot "
						       "enable %s in %s/cgroup.subtree_control",
						       list, parent_path);
			}
			if (leaf >= 0)
				close(leaf);
			unlinkat(pl->parent_fd, caller, AT_REMOVEDIR);
			errno = EBUSY;
		}
		error_set(err,
			  "cannot create the sandbox's cgroup: %s has processes other than hutch, "
			  "and cgroup v2 lets no cgroup with processes enable controllers (%s) for "
			  "its children",
			  parent_path, words);
		cgroup_hint_delegation(&cg->layout, cgroup_request_ctls(&cg->req), id->uid,
				       getppid(), cg->req.try, err);
		return -1;
	}
	e = errno;
	if (e == EBUSY)
		error_set(err,
			  "cannot create the sandbox's cgroup: --cgroup-parent %s has processes, "
			  "and cgroup v2 lets no cgroup with processes enable controllers (%s) for "
			  "its children",
			  parent_path, words);
	else
		error_set_errno(err, e,
				"cannot create the sandbox's cgroup: cannot enable %s in "
				"%s/cgroup.subtree_control",
				list, parent_path);
	if (e == EACCES || e == EPERM || e == EBUSY)
		cgroup_hint_delegation(&cg->layout, cgroup_request_ctls(&cg->req), id->uid,
				       getppid(), cg->req.try, err);
	return -1;
}

/* The limits of the place; writes of one group are alternatives (cgroup.h). */
static int write_limits(struct cgroup_sandbox *cg, struct place *pl, struct error *err)
{
	struct cgroup_write w[8];
	unsigned n = cgroup_limit_writes(&cg->req, hier_of(cg, pl)->version, pl->ctls, w);
	unsigned group_done = 0, group_seen = 0;

	for (unsigned i = 0; i < n; i++) {
		if (cgroup_write_at(pl->fd, w[i].file, w[i].value) == 0) {
			group_done |= 1u << w[i].group;
			continue;
		}
		if (w[i].group && errno == ENOENT) {
			group_seen |= 1u << w[i].group;
			continue;
		}
		if (errno == ENOENT && (strstr(w[i].file, "swap") || strstr(w[i].file, "memsw")))
			return error_set(err,
					 "cannot set the sandbox's --memory-swap: this kernel does "
					 "not account swap (no %s in %s)\nhint: boot with "
					 "swapaccount=1, or leave out --memory-swap",
					 w[i].file, pl->path);
		return error_set_errno(err, errno, "cannot set %s to '%s' in %s", w[i].file,
				       w[i].value, pl->path);
	}
	if (group_seen & ~group_done)
		return error_set(err,
				 "cannot set the sandbox's --io-weight: this kernel has no I/O "
				 "weight in %s (it needs the BFQ I/O scheduler or the io.cost "
				 "controller)",
				 pl->path);
	return 0;
}

/* The common ancestor of two paths below a mount ("" when only the top). */
static void common_ancestor(const char *a, const char *b, char *out, size_t size)
{
	size_t n = 0, last = 0;

	while (a[n] && a[n] == b[n]) {
		n++;
		if (a[n] == '/' || (a[n] == '\0' && (b[n] == '/' || b[n] == '\0')))
			last = n;
	}
	if (last >= size)
		last = 0;
	memcpy(out, a, last);
	out[last] = '\0';
}

static int make_place(struct cgroup_sandbox *cg, struct place *pl, const char *rel, bool given,
		      const struct identity *id, struct error *err)
{
	const struct cgroup_hier *h = hier_of(cg, pl);
	char words[128], parent_path[PATH_MAX], anc[PATH_MAX];
	struct statfs sf;
	int rootfd, e;

	cgroup_ctl_words(pl->ctls ? pl->ctls : h->ctls, h->version, words, sizeof(words));
	if (!rel) {
		/* A mount of part of the tree (a container's): the cgroup is outside it. */
		if (given)
			return error_set(
				err,
				"cannot create the sandbox's cgroup: --cgroup-parent names "
				"a cgroup the mount at %s does not show (cgroup v%d, %s)",
				h->mountpoint, h->version, words);
		return error_set(err,
				 "cannot create the sandbox's cgroup: the caller's cgroup in the "
				 "cgroup v%d %s hierarchy is not below its mount at %s\nhint: pass "
				 "--cgroup-parent",
				 h->version, words, h->mountpoint);
	}
	snprintf(parent_path, sizeof(parent_path), "%s%s%s", h->mountpoint, *rel ? "/" : "", rel);
	rootfd = open(h->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || fstatfs(rootfd, &sf) < 0 ||
	    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC)) {
		e = rootfd < 0 ? errno : ENOTDIR;
		if (rootfd >= 0)
			close(rootfd);
		return error_set_errno(err, e, "cannot create the sandbox's cgroup: cannot open %s",
				       h->mountpoint);
	}
	pl->parent_fd = cgroup_open_below(rootfd, rel);
	e = errno;
	/* Delegation containment (v2): moving a process, or cloning it, between two cgroups
	 * needs write access to cgroup.procs of their common ancestor. */
	if (pl->parent_fd >= 0 && h->version == 2) {
		int afd;
		if (!h->own) {
			close(rootfd);
			error_set(
				err,
				"cannot create the sandbox's cgroup: the caller's cgroup v2 is not "
				"visible under %s",
				h->mountpoint);
			return -1;
		}
		common_ancestor(h->own, rel, anc, sizeof(anc));
		afd = cgroup_open_below(rootfd, anc);
		if (afd < 0 || faccessat(afd, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
			e = errno;
			if (afd >= 0)
				close(afd);
			close(rootfd);
			error_set_errno(err, e,
					"cannot create the sandbox's cgroup: the caller's cgroup "
					"and %s meet at %s%s%s, whose cgroup.procs is not writable "
					"for uid %u",
					parent_path, h->mountpoint, *anc ? "/" : "", anc,
					(unsigned)id->uid);
			/* cgroup-v2.rst, "Delegation Containment". */
			cgroup_error_append(
				err,
				"\nhint: cgroup v2 moves a process only within a "
				"subtree whose top cgroup.procs the mover may write: run "
				"hutch from a shell below %s (as root: mkdir %s/shell; "
				"echo %d > %s/shell/cgroup.procs)",
				parent_path, parent_path, (int)getppid(), parent_path);
			cgroup_hint_delegation(&cg->layout, cgroup_request_ctls(&cg->req), id->uid,
					       getppid(), cg->req.try, err);
			return -1;
		}
		close(afd);
	}
	close(rootfd);
	if (pl->parent_fd < 0) {
		if (e == ELOOP || e == EXDEV)
			return error_set(err,
					 "cannot create the sandbox's cgroup: %s: a symlink or a "
					 "mount on the way, refused",
					 parent_path);
		return error_set_errno(err, e, "cannot create the sandbox's cgroup: cannot open %s",
				       parent_path);
	}
	cgroup_remove_stale(pl->parent_fd, parent_path, h->version, id->pidns);
	if (mkdirat(pl->parent_fd, cg->name, 0755) < 0) {
		e = errno;
		error_set_errno(err, e,
				"cannot create the sandbox's cgroup: cannot make a cgroup in %s "
				"(cgroup v%d, %s) as uid %u",
				parent_path, h->version, words, (unsigned)id->uid);
		if (e == EACCES || e == EPERM || e == EROFS)
			cgroup_hint_delegation(&cg->layout, cgroup_request_ctls(&cg->req), id->uid,
					       getppid(), cg->req.try, err);
		return -1;
	}
	pl->path = xasprintf("%s/%s", parent_path, cg->name);
	pl->fd = openat(pl->parent_fd, cg->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pl->fd < 0)
		return error_set_errno(
			err, errno, "cannot create the sandbox's cgroup: cannot open %s", pl->path);
	if (h->version == 2 && (pl->ctls & ~CGROUP_CTL_V2_CORE) &&
	    enable_v2(cg, pl, given, id, parent_path, err) < 0)
		return -1;
	return write_limits(cg, pl, err);
}

/* Undo what make_place did for one place; 0, or -1 with err. */
static int unmake_place(struct cgroup_sandbox *cg, struct place *pl, struct error *err)
{
	const struct cgroup_hier *h = hier_of(cg, pl);
	int ret = 0;

	if (pl->fd >= 0 || pl->path) {
		if (cgroup_remove_tree(pl->parent_fd, cg->name, h->version, 2000) < 0)
			ret = error_set_errno(err, errno, "cannot remove the sandbox's cgroup %s",
					      pl->path ? pl->path : cg->name);
	}
	if (pl->caller_moved) {
		char list[128], caller[96], pid[24];
		/* Back where hutch was: first its controllers off (a cgroup with controllers
		 * enabled for its children takes no process). */
		cgroup_ctl_list(pl->enabled, '-', list, sizeof(list));
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		snprintf(caller, sizeof(caller), "%s.caller", cg->name);
		if ((pl->enabled &&
		     cgroup_write_at(pl->parent_fd, "cgroup.subtree_control", list) < 0) ||
		    cgroup_write_at(pl->parent_fd, "cgroup.procs", pid) < 0 ||
		    unlinkat(pl->parent_fd, caller, AT_REMOVEDIR) < 0) {
			if (ret == 0)
				ret = error_set_errno(
					err, errno,
					"cannot move hutch back from the cgroup %s.caller",
					pl->path ? pl->path : cg->name);
		}
	}
	if (pl->fd >= 0)
		close(pl->fd);
	if (pl->parent_fd >= 0)
		close(pl->parent_fd);
	free(pl->path);
	pl->fd = pl->parent_fd = -1;
	pl->path = NULL;
	return ret;
}

/* A --cgroup-parent naming a hierarchy through a symlink to its mountpoint
 * (/sys/fs/cgroup/cpu -> cpu,cpuacct) is rewritten to the mountpoint. */
static char *canonical_parent(const struct cgroup_layout *l, const char *arg)
{
	char prefix[PATH_MAX], real[PATH_MAX];
	size_t len = strlen(arg);

	if (arg[0] != '/' || len >= sizeof(prefix))
		return xstrdup(arg);
	for (unsigned i = 0; i < l->n; i++) {
		size_t n = strlen(l->h[i].mountpoint);
		if (strncmp(arg, l->h[i].mountpoint, n) == 0 && (arg[n] == '/' || !arg[n]))
			return xstrdup(arg);
	}
	memcpy(prefix, arg, len + 1);
	for (char *cut = prefix + len; cut > prefix; cut = strrchr(prefix, '/')) {
		*cut = '\0';
		if (!*prefix || !realpath(prefix, real))
			continue;
		for (unsigned i = 0; i < l->n; i++)
			if (strcmp(real, l->h[i].mountpoint) == 0)
				return xasprintf("%s%s", real, arg + (cut - prefix));
	}
	return xstrdup(arg);
}

static struct place *add_place(struct cgroup_sandbox *cg, int hier, unsigned ctls, bool optional)
{
	for (unsigned i = 0; i < cg->n; i++)
		if (cg->p[i].hier == hier) {
			cg->p[i].ctls |= ctls;
			cg->p[i].optional &= optional;
			return &cg->p[i];
		}
	struct place *pl = &cg->p[cg->n++];
	memset(pl, 0, sizeof(*pl));
	pl->hier = hier;
	pl->ctls = ctls;
	pl->optional = optional;
	pl->fd = pl->parent_fd = -1;
	return pl;
}

/* Try each place from `from` on; a place that fails is dropped if optional, becomes unplaced
 * with --limits-try (the first reason kept in tryerr), else fails the whole. */
static int make_places(struct cgroup_sandbox *cg, unsigned from, const struct cgroup_parents *pp,
		       const struct identity *id, struct error *tryerr, struct error *err)
{
	for (unsigned i = from; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		struct error e2;

		if (make_place(cg, pl, pp->rel[pl->hier], pp->given[pl->hier] && cg->req.nparents,
			       id, err) == 0)
			continue;
		unmake_place(cg, pl, &e2);
		if (!pl->optional && !cg->req.try)
			return -1;
		if (!pl->optional) {
			cg->unplaced |= sets_of(pl->ctls) & cg->req.set;
			if (!tryerr->msg[0])
				*tryerr = *err;
		}
		memmove(pl, pl + 1, (cg->n - i - 1) * sizeof(*pl));
		cg->n--;
		i--;
	}
	return 0;
}

int cgroup_create(const struct cgroup_request *req, struct cgroup_sandbox **out, struct error *err)
{
	struct cgroup_sandbox *cg = xcalloc(1, sizeof(*cg));
	struct cgroup_parents pp;
	struct identity id;
	struct error tryerr = { 0 };
	char *mi = NULL, *pc = NULL, *parents[CGROUP_MAX_PARENTS] = { NULL };
	unsigned need = cgroup_request_ctls(req), missing = 0;
	bool account;
	int ret = -1;

	memset(&pp, 0, sizeof(pp));
	cg->req = *req;
	cg->v2 = -1;
	if (cgroup_read_all_at(AT_FDCWD, "/proc/self/mountinfo", &mi) < 0 ||
	    cgroup_read_all_at(AT_FDCWD, "/proc/self/cgroup", &pc) < 0) {
		error_set_errno(err, errno,
				"cannot create the sandbox's cgroup: cannot read /proc/self");
		goto out;
	}
	if (cgroup_layout_parse(mi, pc, &cg->layout, err) < 0)
		goto out;
	if (cg->layout.v2 >= 0) {
		/* What the v2 tree offers, unless v1 holds all we need. */
		char path[PATH_MAX], ctl[512];
		unsigned v1 = 0;
		for (unsigned i = 0; i < cg->layout.n; i++)
			if (cg->layout.h[i].version == 1)
				v1 |= cg->layout.h[i].ctls;
		snprintf(path, sizeof(path), "%s/cgroup.controllers",
			 cg->layout.h[cg->layout.v2].mountpoint);
		if ((need & ~v1) && cgroup_read_at(AT_FDCWD, path, ctl, sizeof(ctl)) == 0)
			cgroup_layout_set_v2(&cg->layout, ctl);
	}
	for (unsigned k = 0; k < req->nparents; k++)
		parents[k] = canonical_parent(&cg->layout, req->parents[k]);
	if (cgroup_parents_resolve(&cg->layout, (const char *const *)parents, req->nparents, &pp,
				   err) < 0)
		goto out;
	id.uid = geteuid();
	if (self_identity(&id.pid, &id.start, &id.pidns) < 0) {
		error_set_errno(err, errno,
				"cannot create the sandbox's cgroup: cannot read /proc/self/stat");
		goto out;
	}
	cgroup_name_format(cg->name, sizeof(cg->name), id.pid, id.start, id.pidns);

	for (unsigned b = 1; b < (1u << CGROUP_NCTL); b <<= 1) {
		int h = (need & b) ? cgroup_layout_find(&cg->layout, b) : -2;
		if (h == -1)
			missing |= b;
		else if (h >= 0)
			add_place(cg, h, b, false);
	}
	if (missing) {
		char words[128];
		cgroup_ctl_words(missing, 1, words, sizeof(words));
		error_set(
			err,
			"cannot create the sandbox's cgroup: this kernel has no %s controller in a "
			"mounted cgroup hierarchy (see /proc/cgroups and /proc/self/mountinfo)%s",
			words, req->try ? "" : "\nhint: --limits-try uses rlimits instead");
		if (!req->try)
			goto out;
		cg->unplaced |= sets_of(missing) & req->set;
		tryerr = *err;
	}
	/* --account: the v2 cgroup even without a v2 controller, for cpu.stat (and clone3 into it,
	 * cgroup.kill); each hierarchy joined costs a mkdir and an rmdir of a launch.
	 * --cgroup-parent without a limit: that cgroup, not optional. */
	account = req->account || !need;
	if (cg->layout.v2 >= 0 && account)
		add_place(cg, cg->layout.v2, 0, need != 0);
	if (make_places(cg, 0, &pp, &id, &tryerr, err) < 0)
		goto out;
	for (unsigned i = 0; i < cg->n; i++)
		if (cg->p[i].hier == cg->layout.v2)
			cg->v2 = (int)i;
	if (cg->v2 < 0 && account) {
		/* No v2 cgroup: v1's cpuacct counts CPU time, its freezer holds still what is
		 * killed. */
		unsigned n0 = cg->n, extra = CGROUP_CTL_FREEZER | CGROUP_CTL_CPUACCT;
		for (unsigned b = CGROUP_CTL_CPUACCT; b <= CGROUP_CTL_FREEZER; b <<= 1) {
			int h = (extra & b) ? cgroup_layout_find(&cg->layout, b) : -1;
			if (h >= 0 && cg->layout.h[h].version == 1)
				add_place(cg, h, 0, true);
		}
		if (make_places(cg, n0, &pp, &id, &tryerr, err) < 0)
			goto out;
		if (!need && !cg->n && !req->try) {
			error_set(err,
				  "cannot create the sandbox's cgroup: no cgroup v2 tree, and no "
				  "cgroup v1 freezer or cpuacct hierarchy to make it in");
			goto out;
		}
	}
	if (cg->unplaced) {
		char msg[1024];

		cgroup_try_warning(req, cg->unplaced, tryerr.msg, msg, sizeof(msg));
		warn("%s", msg);
	}
	*out = steal_pointer(&cg);
	ret = 0;
out:
	for (unsigned k = 0; k < req->nparents; k++)
		free(parents[k]);
	cgroup_parents_free(&pp);
	free(mi);
	free(pc);
	if (cg) {
		struct error e2;
		for (unsigned i = cg->n; i-- > 0;)
			unmake_place(cg, &cg->p[i], &e2);
		cgroup_layout_free(&cg->layout);
		free(cg);
	}
	return ret;
}

unsigned cgroup_unplaced(const struct cgroup_sandbox *cg)
{
	return cg->unplaced;
}

void cgroup_rlimits(const struct cgroup_sandbox *cg, struct cgroup_rlimits *rl)
{
	unsigned lost;

	cgroup_rlimits_plan(&cg->req, cg->unplaced, rl, &lost);
}

int cgroup_clone_fd(const struct cgroup_sandbox *cg)
{
	return cg->v2 >= 0 ? cg->p[cg->v2].fd : -1;
}

const char *cgroup_path(const struct cgroup_sandbox *cg, unsigned i)
{
	return i < cg->n ? cg->p[i].path : NULL;
}

int cgroup_attach(struct cgroup_sandbox *cg, pid_t pid, bool in_v2, struct error *err)
{
	char s[24];

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (unsigned i = 0; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		struct error e2;

		if ((int)i == cg->v2 && in_v2)
			continue;
		if (cgroup_write_at(pl->fd, "cgroup.procs", s) == 0)
			continue;
		if (pl->optional) {
			/* A cgroup the sandbox is not in must not stand for it (cgroup.kill). */
			if (unmake_place(cg, pl, &e2) < 0)
				warn("%s", e2.msg);
			if ((int)i == cg->v2)
				cg->v2 = -1;
			else if (cg->v2 > (int)i)
				cg->v2--;
			memmove(pl, pl + 1, (cg->n - i - 1) * sizeof(*pl));
			cg->n--;
			i--;
			continue;
		}
		error_set_errno(err, errno, "cannot move the sandbox into its cgroup %s", pl->path);
		if (errno == EACCES && hier_of(cg, pl)->version == 2)
			cgroup_error_append(
				err,
				"\nhint: cgroup v2 moves a process only within a subtree whose "
				"top cgroup.procs the mover may write (delegation containment)");
		return -1;
	}
	return 0;
}

/* ---- kill, usage, destroy ---------------------------------------------------------------------- */

/* Freeze (or thaw) the sandbox: v2 cgroup.freeze, v1 freezer.state. Whether it is frozen. */
static bool freeze(struct cgroup_sandbox *cg, bool on)
{
	for (unsigned i = 0; i < cg->n; i++) {
		struct place *pl = &cg->p[i];
		int v = hier_of(cg, pl)->version;
		const char *file = v == 2 ? "cgroup.freeze" : "freezer.state";
		char st[256];

		if (v == 1 && !(hier_of(cg, pl)->ctls & CGROUP_CTL_FREEZER))
			continue;
		if (cgroup_write_at(pl->fd, file,
				    on ? (v == 2 ? "1" : "FROZEN") : (v == 2 ? "0" : "THAWED")) < 0)
			continue;
		if (!on)
			return false;
		/* Freezing takes a moment (every task must reach the freezer). */
		for (long delay = 100, waited = 0; waited < 200000; waited += delay, delay *= 2) {
			uint64_t frozen = 0;
			if (v == 2 ? cgroup_read_at(pl->fd, "cgroup.events", st, sizeof(st)) == 0 &&
					     cgroup_keyed_value(st, "frozen", &frozen) == 0 &&
					     frozen :
				     cgroup_read_at(pl->fd, "freezer.state", st, sizeof(st)) == 0 &&
					     strncmp(st, "FROZEN", 6) == 0)
				return true;
			cgroup_sleep_us(delay);
		}
		cgroup_write_at(pl->fd, file, v == 2 ? "0" : "THAWED");
		return false;
	}
	return false;
}

int cgroup_kill(struct cgroup_sandbox *cg, int sig)
{
	struct place *pl = cg->v2 >= 0 ? &cg->p[cg->v2] : cg->n ? &cg->p[0] : NULL;
	long long deadline = cgroup_now_ms() + 2000;
	size_t left;
	int r;

	if (!pl)
		return 0;
	/* v2: cgroup.kill, then until the tree is empty (its own round by round otherwise). */
	if (sig == SIGKILL && cg->v2 >= 0)
		return cgroup_kill_tree(pl->fd, 2, 2000);
	/* Frozen, no process forks or exits while the list is read and signalled. */
	for (long delay = 200;; delay = delay < 20000 ? delay * 2 : delay) {
		bool frozen = freeze(cg, true);

		r = cgroup_signal_tree(pl->fd, sig, &left);
		if (frozen)
			freeze(cg, false);
		if (r < 0 || sig != SIGKILL || left == 0)
			return r;
		if (cgroup_now_ms() > deadline) {
			errno = EBUSY;
			return -1;
		}
		cgroup_sleep_us(delay);
	}
}

static bool read_value(int fd, const char *file, const char *key, uint64_t *v)
{
	char buf[1024];

	if (cgroup_read_at(fd, file, buf, sizeof(buf)) < 0)
		return false;
	if (!key) {
		if (buf[0] == 'm') /* "max" */
			return false;
		errno = 0;
		*v = strtoull(buf, NULL, 10);
		return errno == 0 && buf[0] >= '0' && buf[0] <= '9';
	}
	return cgroup_keyed_value(buf, key, v) == 0;
}

void cgroup_usage_read(const struct cgroup_sandbox *cg, struct cgroup_usage *u)
{
	memset(u, 0, sizeof(*u));
	for (unsigned i = 0; i < cg->n; i++) {
		const struct place *pl = &cg->p[i];
		unsigned c = hier_of(cg, pl)->ctls;
		bool v2 = hier_of(cg, pl)->version == 2;
		uint64_t a, b;

		if (v2) {
			if (read_value(pl->fd, "cpu.stat", "user_usec", &a) &&
			    read_value(pl->fd, "cpu.stat", "system_usec", &b)) {
				u->cpu_user_us = a;
				u->cpu_system_us = b;
				u->have |= CGROUP_HAVE_CPU;
			}
		} else if ((c & CGROUP_CTL_CPUACCT) && !(u->have & CGROUP_HAVE_CPU)) {
			long hz = sysconf(_SC_CLK_TCK);
			if (read_value(pl->fd, "cpuacct.usage_user", NULL, &a) &&
			    read_value(pl->fd, "cpuacct.usage_sys", NULL, &b)) {
				u->cpu_user_us = a / 1000;
				u->cpu_system_us = b / 1000;
				u->have |= CGROUP_HAVE_CPU;
			} else if (hz > 0 && read_value(pl->fd, "cpuacct.stat", "user", &a) &&
				   read_value(pl->fd, "cpuacct.stat", "system", &b)) {
				u->cpu_user_us = a * 1000000 / (uint64_t)hz;
				u->cpu_system_us = b * 1000000 / (uint64_t)hz;
				u->have |= CGROUP_HAVE_CPU;
			}
		}
		/* v2: the files are there when the parent enabled the controller, asked or not. */
		if (v2 || (c & CGROUP_CTL_MEMORY)) {
			if (read_value(pl->fd, v2 ? "memory.peak" : "memory.max_usage_in_bytes",
				       NULL, &a)) {
				u->memory_peak = a;
				u->have |= CGROUP_HAVE_MEMORY_PEAK;
			}
			if (read_value(pl->fd, v2 ? "memory.events" : "memory.oom_control",
				       "oom_kill", &a)) {
				u->oom_kills = a;
				u->have |= CGROUP_HAVE_OOM;
			}
		}
		if (v2 || (c & CGROUP_CTL_PIDS)) {
			if (read_value(pl->fd, "pids.peak", NULL, &a)) {
				u->pids_peak = a;
				u->have |= CGROUP_HAVE_PIDS_PEAK;
			}
			if (read_value(pl->fd, "pids.events", "max", &a)) {
				u->pids_refused = a;
				u->have |= CGROUP_HAVE_PIDS_EVENTS;
			}
		}
	}
}

int cgroup_destroy(struct cgroup_sandbox *cg, struct error *err)
{
	struct error e2;
	int ret = 0;

	if (!cg)
		return 0;
	/* The v2 cgroup first: cgroup.kill empties every hierarchy at once. */
	if (cg->v2 >= 0 && unmake_place(cg, &cg->p[cg->v2], err) < 0)
		ret = -1;
	for (unsigned i = cg->n; i-- > 0;) {
		if ((int)i == cg->v2)
			continue;
		if (unmake_place(cg, &cg->p[i], ret ? &e2 : err) < 0)
			ret = -1;
	}
	cgroup_layout_free(&cg->layout);
	free(cg);
	return ret;
}

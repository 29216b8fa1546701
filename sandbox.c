/* hutch: a rootless sandbox. main() parses, validates and plans in the parent, then clones
 * into the namespaces; child() is the whole setup sequence, one call per step. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "caps.h"
#include "net.h"
#include "options.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "setup-op.h"
#include "userns.h"
#include "util.h"

/* Everything the child needs beyond the config, decided in the parent. */
struct plan {
	unsigned long clone_flags;
	bool new_userns;     /* we create a user namespace (always when unprivileged) */
	bool nested;	     /* the final ids need a second, nested user namespace */
	bool deny_setgroups; /* unprivileged: required before writing gid_map */
	uid_t outer_uid, final_uid;
	gid_t outer_gid, final_gid;
	uint64_t caps;	     /* the command's capabilities */
	bool ambient;	     /* ... kept across exec as a non-root uid */
	struct rootfs_plan rootfs;
	char *caller_cwd;
	struct seccomp_set seccomp;
};

/* Never setuid, setgid or file capabilities: hutch needs no privilege and must not lend
 * any (DEVELOPERS.md, security rules). */
static void refuse_privileged_install(void)
{
	struct stat st;
	const char *why = NULL;

	if (getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid())
		why = "it runs with privileges it was not started with (setuid, setgid or file "
		      "capabilities)";
	else if (stat("/proc/self/exe", &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
		why = "its binary is installed setuid or setgid";
	else if (getxattr("/proc/self/exe", "security.capability", NULL, 0) >= 0)
		why = "its binary has file capabilities";
	if (why) {
		die_status(face->exit_setup,
			   FACE_MSG("refusing to run: %s; hutch needs no privileges: remove them "
				    "(chmod u-s,g-s; setcap -r)",
				    "refusing to run: %s; this bwrap (hutch) must not be setuid"),
			   why);
	}
}

static bool ns_available(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return access(path, F_OK) == 0;
}

static void make_plan(const struct config *cfg, struct plan *p)
{
	bool root = geteuid() == 0;
	struct error err = { 0 };

	p->outer_uid = geteuid();
	p->outer_gid = getegid();
	p->new_userns = cfg->unshare_user == NS_YES || !root ||
			(cfg->unshare_user == NS_TRY && ns_available("user"));
	p->final_uid = cfg->uid_set ? cfg->uid : getuid();
	p->final_gid = cfg->gid_set ? cfg->gid : getgid();
	/* Setup runs as root of the first namespace (0 -> caller); a nested namespace then maps
	 * the requested ids onto it, so uid_map inside is one line, as in bubblewrap. */
	p->nested = p->new_userns && (p->final_uid != 0 || p->final_gid != 0);
	/* The child writes its own maps, which the kernel allows for a single line mapping its
	 * own id only once setgroups is denied, root or not (user_namespaces(7)). */
	p->deny_setgroups = true;

	p->clone_flags = CLONE_NEWNS;
	if (p->new_userns)
		p->clone_flags |= CLONE_NEWUSER;
	if (cfg->unshare_pid)
		p->clone_flags |= CLONE_NEWPID;
	if (cfg->unshare_net)
		p->clone_flags |= CLONE_NEWNET;
	if (cfg->unshare_ipc)
		p->clone_flags |= CLONE_NEWIPC;
	if (cfg->unshare_uts)
		p->clone_flags |= CLONE_NEWUTS;
	if (cfg->unshare_cgroup == NS_YES ||
	    (cfg->unshare_cgroup == NS_TRY && ns_available("cgroup")))
		p->clone_flags |= CLONE_NEWCGROUP;

	/* bubblewrap's rule: real root keeps what it has, minus --cap-drop, plus --cap-add;
	 * everyone else starts from nothing. The hutch face drops root's too. */
	uint64_t initial = (root && !p->new_userns && face->root_keeps_caps) ? caps_all() : 0;
	p->caps = (initial & cfg->caps_keep_initial) | cfg->caps;
	p->ambient = p->caps != 0 && p->final_uid != 0;

	p->rootfs.make_slave = !p->new_userns;
	p->rootfs.host_tty = isatty(STDOUT_FILENO) ? ttyname(STDOUT_FILENO) : NULL;
	p->caller_cwd = get_current_dir_name();
	p->rootfs.caller_cwd = p->caller_cwd;

	for (unsigned i = 0; i < cfg->pass_fds.n; i++)
		if (fcntl(cfg->pass_fds.v[i], F_GETFD) < 0)
			die_status(face->exit_usage, "--pass-fd %d: not an open descriptor",
				   cfg->pass_fds.v[i]);
	if (seccomp_read_programs(&cfg->seccomp_fds, &p->seccomp, &err) < 0)
		die_error(&err);
}

/* The setup sequence. Order matters; each step says why it sits where it does. */
static noreturn void child(const struct config *cfg, const struct plan *p, const sigset_t *mask)
{
	/* First, so a parent that dies during setup takes the sandbox with it. */
	if (cfg->die_with_parent)
		process_child_die_with_parent();
	/* Our /proc/<pid>, while the host's /proc is still the one at /proc. */
	_cleanup_close_ int procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 && p->new_userns)
		die_errno(FACE_MSG("cannot open /proc/self", "Can't open /proc/self"));
	/* Until the maps exist we are the overflow uid and may not mount anything. */
	if (p->new_userns)
		userns_child_map_self(procfd, 0, 0, p->outer_uid, p->outer_gid, p->deny_setgroups);
	/* The new root, in command-line order, then pivot_root and detach the host. */
	rootfs_child_build(cfg, &p->rootfs);
	/* Loopback and hostname need the capabilities of the first namespace. */
	if (cfg->unshare_net)
		net_child_loopback_up();
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		die_errno(FACE_MSG("cannot set the hostname to '%s'", "Can't set hostname %s"),
			  cfg->hostname);
	/* Land on the final ids; after this we hold no power over the first namespace. */
	if (p->nested)
		userns_child_enter_nested(procfd, p->final_uid, p->final_gid);
	/* Environment, working directory and session of the command. */
	process_child_env_and_cwd(cfg, p->caller_cwd);
	if (cfg->new_session && setsid() < 0)
		die_errno(FACE_MSG("cannot start a new session", "setsid"));
	/* Before capabilities: with no_new_privs nothing exec'd can gain privileges again. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(FACE_MSG("cannot set no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS) failed"));
	caps_child_apply(p->caps, p->ambient);
	/* pid 1 of the namespace stays behind to reap and forward; the command goes on. */
	if (cfg->unshare_pid && !cfg->as_pid_1)
		process_child_fork_reaper();
	if (face->close_inherited_fds)
		process_child_close_fds(&cfg->pass_fds);
	/* Last: the filters need not allow anything hutch itself still does. */
	seccomp_child_load(&p->seccomp);
	process_child_exec(cfg, mask);
}

static noreturn void namespaces_failed(const struct plan *p, int e)
{
	if (face->id == FACE_BWRAP)
		die_status_errno(face->exit_setup, e, "Creating new namespace failed");
	warn("cannot create the sandbox namespaces: %s", strerror(e));
	if (p->new_userns && (e == EPERM || e == ENOSPC || e == EACCES || e == EINVAL))
		hint_userns(e);
	exit(face->exit_setup);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct plan plan = { 0 };
	struct error err = { 0 };
	int exit_now = 0, report_rd = -1;
	sigset_t mask;
	pid_t ppid = getppid();

	face_select(argv[0]);
	refuse_privileged_install();
	config_init(&cfg);
	if (options_parse(&cfg, argc, argv, &exit_now, &err) < 0)
		die_error(&err);
	if (exit_now)
		return err.exit_code;
	util_set_level_prefix(cfg.level_prefix);
	if (setup_validate(&cfg, &err) < 0)
		die_error(&err);
	make_plan(&cfg, &plan);

	if (cfg.die_with_parent) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != ppid)
			return face->exit_setup;
	}
	/* Without a PID namespace nothing needs a process outside the sandbox: unshare here and
	 * become the command (no fork, no waiting parent, signals reach the command directly). */
	bool in_place = !cfg.unshare_pid && cfg.info_fd < 0 && cfg.json_status_fd < 0;
	pid_t pid = 0;
	if (in_place) {
		sigprocmask(SIG_BLOCK, NULL, &mask);
		if (unshare((int)plan.clone_flags) < 0)
			pid = -1;
	} else {
		pid = process_spawn(plan.clone_flags, &mask, &report_rd);
	}
	if (pid < 0)
		namespaces_failed(&plan, errno);
	if (pid == 0)
		child(&cfg, &plan, &mask);
	process_parent_wait(pid, report_rd);
}

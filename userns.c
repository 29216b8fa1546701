/* userns: id maps written by the process that created the namespace. A process may map its
 * own effective id with a single line without privilege in the parent namespace; for the
 * gid map it must first deny setgroups (user_namespaces(7)). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

static void write_proc_self(int procfd, const char *file, const char *content)
{
	if (write_file_at(procfd, file, content) < 0)
		die_errno(msg(MSG_ID_MAP_WRITE), file);
}

/* The uid map, which the kernel refuses (EPERM) to a process mapping uid 0 of the enclosing
 * namespace without CAP_SETFCAP there (Linux 5.12+, user_namespaces(7)): what a root command
 * inside another sandbox, all capabilities dropped, meets when it runs hutch. */
static void write_uid_map(int procfd, const char *content, uid_t outside_uid)
{
	if (write_file_at(procfd, "uid_map", content) == 0)
		return;
	int e = errno;
	if (e != EPERM || outside_uid != 0 || !face->hints)
		die_errno(msg(MSG_ID_MAP_WRITE), "uid_map");
	error_line("cannot write /proc/self/uid_map: %s", strerror(e));
	hint("mapping uid 0 of the namespace hutch runs in needs CAP_SETFCAP there, which a "
	     "command inside a sandbox does not have");
	hint("run this hutch as another uid (the outer sandbox's --uid 1000), or give the outer "
	     "command the capability (--cap-add CAP_SETFCAP)");
	die_exit(face->exit_setup);
}

void userns_child_map_self(int procfd, uid_t inside_uid, gid_t inside_gid, uid_t outside_uid,
			   gid_t outside_gid, bool deny_setgroups)
{
	char line[64];

	if (deny_setgroups)
		write_proc_self(procfd, "setgroups", "deny\n");
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inside_uid, (unsigned)outside_uid);
	write_uid_map(procfd, line, outside_uid);
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inside_gid, (unsigned)outside_gid);
	write_proc_self(procfd, "gid_map", line);
}

void userns_child_enter_nested(int procfd, int procsysfd, uid_t uid, gid_t gid, bool disable)
{
	uid_t cur_uid = geteuid();
	gid_t cur_gid = getegid();

	/* user.max_user_namespaces is per user namespace; the nested one counts against it. */
	if (disable && write_file_at(procsysfd, "user/max_user_namespaces", "1") < 0)
		die_errno(msg(MSG_DISABLE_USERNS));
	if (unshare(CLONE_NEWUSER) < 0)
		die_errno(msg(MSG_USERNS_NESTED), (unsigned)uid);
	userns_child_map_self(procfd, uid, gid, cur_uid, cur_gid, true);
}

void userns_child_become(uid_t uid, gid_t gid)
{
	/* The maps were written for us from outside: our kernel ids are still the caller's
	 * until we set them again through the new maps (credentials(7)). */
	if (setresgid(gid, gid, gid) < 0)
		die_errno(msg(MSG_SETGID), (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		die_errno(msg(MSG_SETUID), (unsigned)uid);
}

void userns_child_assert_disabled(void)
{
	if (unshare(CLONE_NEWUSER) == 0)
		die(msg(MSG_DISABLE_USERNS_CHECK));
}

void userns_child_switch_ids(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	/* setgid first: after setuid to a non-root uid we could no longer change it. Keep the
	 * permitted capabilities across setuid; the final capability step needs them. */
	if (gid != getgid() && setresgid(gid, gid, gid) < 0)
		die_errno(msg(MSG_SETGID), (unsigned)gid);
	if (uid == getuid())
		return;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die_errno(msg(MSG_KEEPCAPS));
	if (setresuid(uid, uid, uid) < 0)
		die_errno(msg(MSG_SETUID), (unsigned)uid);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	/* setuid cleared the effective set (capabilities(7)); take it back from permitted. */
	if (capget(&hdr, data) < 0)
		die_errno(msg(MSG_USERNS_CAPGET));
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (capset(&hdr, data) < 0)
		die_errno(msg(MSG_USERNS_CAPSET));
}

/* userns: id maps written by the process that created the namespace. A process may map its
 * own effective id with a single line without privilege in the parent namespace; for the
 * gid map it must first deny setgroups (user_namespaces(7)). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

static void write_proc_self(int procfd, const char *file, const char *content)
{
	if (write_file_at(procfd, file, content) < 0)
		die_errno(FACE_MSG("cannot write /proc/self/%s", "setting up uid map: write %s"),
			  file);
}

void userns_child_map_self(int procfd, uid_t inside_uid, gid_t inside_gid, uid_t outside_uid,
			   gid_t outside_gid, bool deny_setgroups)
{
	char line[64];

	if (deny_setgroups)
		write_proc_self(procfd, "setgroups", "deny\n");
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inside_uid, (unsigned)outside_uid);
	write_proc_self(procfd, "uid_map", line);
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inside_gid, (unsigned)outside_gid);
	write_proc_self(procfd, "gid_map", line);
}

void userns_child_enter_nested(int procfd, uid_t uid, gid_t gid)
{
	uid_t cur_uid = geteuid();
	gid_t cur_gid = getegid();

	if (unshare(CLONE_NEWUSER) < 0)
		die_errno(FACE_MSG("cannot create the nested user namespace for uid %u",
				   "unshare user ns%.0u"),
			  (unsigned)uid);
	userns_child_map_self(procfd, uid, gid, cur_uid, cur_gid, true);
}

/* userns: uid/gid maps, setgroups, and the nested user namespace of the final ids.
 * Called by the setup child (its own maps; see user_namespaces(7), "Defining user and group
 * ID mappings") before the root is built, and again after it. */
#ifndef HUTCH_USERNS_H
#define HUTCH_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

/* procfd: an O_PATH fd of our /proc/<pid> directory, opened before pivot_root (the
 * sandbox may have no /proc). The map files are opened through it after each unshare,
 * since a map file belongs to the namespace the process is in when it is opened. */

/* In a fresh user namespace: map `inside` to the caller's real ids (one line each). With
 * deny_setgroups, write "deny" to setgroups first (required when unprivileged). */
void userns_child_map_self(int procfd, uid_t inside_uid, gid_t inside_gid, uid_t outside_uid,
			   gid_t outside_gid, bool deny_setgroups);

/* Land on uid/gid through a nested user namespace mapping them to our current ids. With
 * disable, first limit the current namespace to one more user namespace (procsysfd: the
 * host's /proc/sys), which the nested one uses up: none can be created inside. */
void userns_child_enter_nested(int procfd, int procsysfd, uid_t uid, gid_t gid, bool disable);

/* After the parent wrote our maps onto other host ids: take those ids (setresgid, setresuid
 * to uid/gid inside), so that our kernel ids are the mapped ones. Dies on failure. */
void userns_child_become(uid_t uid, gid_t gid);

/* Die unless creating a user namespace now fails (--assert-userns-disabled). */
void userns_child_assert_disabled(void);

/* In a joined namespace (--userns): become uid/gid if we are not already. */
void userns_child_switch_ids(uid_t uid, gid_t gid);

#endif

/* net-helper: the user-mode network helper of --net user (pasta or slirp4netns), which runs
 * outside the sandbox with the caller's privileges and connects the sandbox's network
 * namespace to the host's. Called by the parent. */
#ifndef HUTCH_NET_HELPER_H
#define HUTCH_NET_HELPER_H

#include <sys/types.h>

struct net_plan;

/* Before clone: what would make the helper fail later (/dev/net/tun not usable, a host port
 * already taken), told in hutch's words with the way out. Exits with the setup status. */
void net_parent_precheck(const struct net_plan *n);

/* After clone, before the command may run: start the helper against the namespaces of child
 * (it dies with this process, PR_SET_PDEATHSIG, and is killed when the sandbox ends) and wait
 * until the sandbox's interface has its address and routes. Returns the helper's pid. Dies
 * with the helper's own reason when it fails. */
pid_t net_parent_start_helper(const struct net_plan *n, pid_t child);

#endif

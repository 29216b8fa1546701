/* net-filter: the sandbox's own nftables table for --net user (the host's gateway closed
 * unless --net-host-loopback, and --net-allow's list), sent as one nf_tables netlink batch.
 * Called by the setup child, in its network namespace, while it still holds CAP_NET_ADMIN in
 * the user namespace that owns it. */
#ifndef HUTCH_NET_FILTER_H
#define HUTCH_NET_FILTER_H

#include <stddef.h>

struct net_plan;

/* Build the batch for n into buf (at most size bytes); returns its length, or 0 when it does
 * not fit. Pure (unit-tested for its shape). */
size_t net_filter_batch(const struct net_plan *n, unsigned char *buf, size_t size, unsigned seq);

/* Load it. Dies with the kernel's reason on failure (fail closed: no command runs with a
 * list it was not given). */
void net_child_filter(const struct net_plan *n);

#endif

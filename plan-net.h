/* plan-net: the planner's part for --net and its options (plan.c calls it), and what
 * plan_load fetches for them. Private to the planner. */
#ifndef HUTCH_PLAN_NET_H
#define HUTCH_PLAN_NET_H

#include "config.h"
#include "plan.h"
#include "util.h"

/* Pure: --net and its options; bubblewrap's --unshare-net/--share-net when --net is not
 * given. Fills p->net. */
int plan_net(const struct config *cfg, const struct host_facts *h, struct plan *p,
	     struct error *err);

/* Impure (plan_load): --net-allow's names resolved once, the resolv.conf's data. */
int plan_net_load(struct net_plan *n, struct error *err);

#endif

/* net-request: what the user asked of the sandbox's network (--net, --net-helper, --publish,
 * --net-host-loopback, --net-allow), parsed and checked. Pure; called by the option parser
 * and the planner in the parent. */
#ifndef HUTCH_NET_REQUEST_H
#define HUTCH_NET_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

enum net_mode {
	NET_UNSET = 0, /* no --net: --unshare-net / --share-net decide, as in bubblewrap */
	NET_NONE,      /* a network namespace with loopback only */
	NET_HOST,      /* the caller's network namespace */
	NET_USER,      /* a network namespace connected by a user-mode helper */
};

enum net_helper { NET_HELPER_AUTO = 0, NET_HELPER_PASTA, NET_HELPER_SLIRP4NETNS };

/* --publish [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp] */
struct net_publish {
	char host_addr[46]; /* numeric, 127.0.0.1 unless given */
	bool host_v6;
	uint16_t host_port, sandbox_port;
	bool udp;
	const char *spec; /* as given, for messages */
};

/* --net-allow HOST[:PORT] or CIDR[:PORT]; an IPv6 address or CIDR in brackets when a port
 * follows ([2001:db8::/32]:443). */
struct net_allow {
	char host[256];	  /* a name (resolved at launch) or a numeric address */
	int prefix;	  /* -1: the whole address (/32, /128) */
	uint16_t port;	  /* 0: every port */
	bool numeric;	  /* host is an address literal */
	const char *spec; /* as given */
};

struct net_request {
	enum net_mode mode;
	enum net_helper helper;
	bool helper_set;
	bool host_loopback; /* --net-host-loopback */
	struct net_publish *publish;
	unsigned n_publish;
	struct net_allow *allow;
	unsigned n_allow;
};

/* --net MODE / --net-helper NAME: 0 or -1 with err filled. */
int net_parse_mode(const char *s, enum net_mode *out, struct error *err);
int net_parse_helper(const char *s, enum net_helper *out, struct error *err);

/* One --publish / --net-allow word, appended to req. 0 or -1 with err filled. */
int net_request_add_publish(struct net_request *req, const char *spec, struct error *err);
int net_request_add_allow(struct net_request *req, const char *spec, struct error *err);

void net_request_free(struct net_request *req);

/* The helper's package and program names. */
const char *net_helper_program(enum net_helper h);
const char *net_helper_package(enum net_helper h);

#endif

/* net-filter: nf_tables rules as raw netlink (linux/netfilter/nf_tables.h). Written here
 * rather than through libnftnl: libmnl, which libnftnl needs, has no static library on Debian,
 * and hutch is linked statically for its launch time; the messages are kernel ABI. The rules
 * are the equivalent of:
 *
 *   table inet hutch { chain output { type filter hook output priority 0; policy accept;
 *     oif 1 accept                                  # lo
 *     ct state established,related accept           # replies (--publish), ongoing flows
 *     ip daddr 10.0.2.2 tcp: reject with tcp reset  # unless --net-host-loopback
 *     ip daddr 10.0.2.2 reject with icmpx host-unreachable
 *     --net-allow only:
 *     ip daddr 10.0.2.3 udp/tcp dport 53 accept     # the DNS forwarder, DNS only
 *     ip6 daddr { fe80::/10, ff00::/8 } icmpv6 accept  # neighbour discovery only
 *     ip[6] daddr DEST [th dport PORT] accept       # each destination
 *     meta l4proto tcp reject with tcp reset        # refused fast: ECONNREFUSED
 *     reject with icmpx host-unreachable            # others: EHOSTUNREACH or EPERM
 *   } } */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net-filter.h"
#include "plan.h"
#include "util.h"

/* A message buffer with a stack of open nests. */
struct nlbuf {
	unsigned char *buf;
	size_t size, len;
	bool overflow;
	size_t nest[8];
	int depth;
	unsigned seq;
	size_t msg; /* offset of the open message's header */
};

static void *put(struct nlbuf *b, size_t n)
{
	size_t aligned = NLMSG_ALIGN(n);

	if (b->overflow || b->len + aligned > b->size) {
		b->overflow = true;
		return NULL;
	}
	void *p = b->buf + b->len;
	memset(p, 0, aligned);
	b->len += aligned;
	return p;
}

static void attr(struct nlbuf *b, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a = put(b, NLA_HDRLEN + n);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy((unsigned char *)a + NLA_HDRLEN, data, n);
}

static void attr_str(struct nlbuf *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static void attr_be32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	uint32_t be = htonl(v);

	attr(b, type, &be, sizeof(be));
}

static void nest_start(struct nlbuf *b, uint16_t type)
{
	size_t at = b->len;
	struct nlattr *a = put(b, NLA_HDRLEN);

	if (!a)
		return;
	a->nla_type = type | NLA_F_NESTED;
	b->nest[b->depth++] = at;
}

static void nest_end(struct nlbuf *b)
{
	if (b->overflow)
		return;
	struct nlattr *a = (struct nlattr *)(b->buf + b->nest[--b->depth]);
	a->nla_len = (uint16_t)(b->len - b->nest[b->depth]);
}

static void msg_start(struct nlbuf *b, uint16_t type, uint16_t flags, int family, uint16_t res)
{
	size_t at = b->len;
	struct nlmsghdr *h = put(b, NLMSG_HDRLEN);
	struct nfgenmsg *g = put(b, sizeof(*g));

	if (!h || !g)
		return;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = b->seq++;
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res);
	b->msg = at;
}

static void msg_end(struct nlbuf *b)
{
	if (b->overflow)
		return;
	struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + b->msg);
	h->nlmsg_len = (uint32_t)(b->len - b->msg);
}

#define NFT_TYPE(m) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (m)))
#define TABLE	    "hutch"
#define CHAIN	    "output"

/* ---- expressions ---- */

static void expr_start(struct nlbuf *b, const char *name)
{
	nest_start(b, NFTA_LIST_ELEM);
	attr_str(b, NFTA_EXPR_NAME, name);
	nest_start(b, NFTA_EXPR_DATA);
}

static void expr_end(struct nlbuf *b)
{
	nest_end(b);
	nest_end(b);
}

static void e_meta(struct nlbuf *b, uint32_t key)
{
	expr_start(b, "meta");
	attr_be32(b, NFTA_META_DREG, NFT_REG_1);
	attr_be32(b, NFTA_META_KEY, key);
	expr_end(b);
}

static void e_cmp(struct nlbuf *b, uint32_t op, const void *data, size_t n)
{
	expr_start(b, "cmp");
	attr_be32(b, NFTA_CMP_SREG, NFT_REG_1);
	attr_be32(b, NFTA_CMP_OP, op);
	nest_start(b, NFTA_CMP_DATA);
	attr(b, NFTA_DATA_VALUE, data, n);
	nest_end(b);
	expr_end(b);
}

static void e_payload(struct nlbuf *b, uint32_t base, uint32_t offset, uint32_t len)
{
	expr_start(b, "payload");
	attr_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
	attr_be32(b, NFTA_PAYLOAD_BASE, base);
	attr_be32(b, NFTA_PAYLOAD_OFFSET, offset);
	attr_be32(b, NFTA_PAYLOAD_LEN, len);
	expr_end(b);
}

static void e_bitwise(struct nlbuf *b, const void *mask, size_t n)
{
	static const unsigned char zero[16];

	expr_start(b, "bitwise");
	attr_be32(b, NFTA_BITWISE_SREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_DREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_LEN, (uint32_t)n);
	nest_start(b, NFTA_BITWISE_MASK);
	attr(b, NFTA_DATA_VALUE, mask, n);
	nest_end(b);
	nest_start(b, NFTA_BITWISE_XOR);
	attr(b, NFTA_DATA_VALUE, zero, n);
	nest_end(b);
	expr_end(b);
}

static void e_accept(struct nlbuf *b)
{
	expr_start(b, "immediate");
	attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	nest_start(b, NFTA_IMMEDIATE_DATA);
	nest_start(b, NFTA_DATA_VERDICT);
	attr_be32(b, NFTA_VERDICT_CODE, NF_ACCEPT);
	nest_end(b);
	nest_end(b);
	expr_end(b);
}

static void e_reject(struct nlbuf *b, uint32_t type, uint8_t code)
{
	expr_start(b, "reject");
	attr_be32(b, NFTA_REJECT_TYPE, type);
	attr(b, NFTA_REJECT_ICMP_CODE, &code, 1);
	expr_end(b);
}

static void e_l4proto(struct nlbuf *b, uint8_t proto)
{
	e_meta(b, NFT_META_L4PROTO);
	e_cmp(b, NFT_CMP_EQ, &proto, 1);
}

/* ip/ip6 daddr within addr/prefix. */
static void e_daddr(struct nlbuf *b, int family, const uint8_t *addr, int prefix)
{
	uint8_t proto = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	size_t n = family == AF_INET ? 4 : 16;
	uint8_t mask[16] = { 0 }, net[16];

	e_meta(b, NFT_META_NFPROTO);
	e_cmp(b, NFT_CMP_EQ, &proto, 1);
	e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, family == AF_INET ? 16 : 24, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		int bits = prefix - (int)i * 8;
		mask[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		net[i] = addr[i] & mask[i];
	}
	if ((size_t)prefix < n * 8)
		e_bitwise(b, mask, n);
	e_cmp(b, NFT_CMP_EQ, net, n);
}

/* ---- rules ---- */

static void rule_start(struct nlbuf *b)
{
	msg_start(b, NFT_TYPE(NFT_MSG_NEWRULE), NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK,
		  NFPROTO_INET, 0);
	attr_str(b, NFTA_RULE_TABLE, TABLE);
	attr_str(b, NFTA_RULE_CHAIN, CHAIN);
	nest_start(b, NFTA_RULE_EXPRESSIONS);
}

static void rule_end(struct nlbuf *b)
{
	nest_end(b);
	msg_end(b);
}

/* Refuse what reaches this point fast: TCP with a reset (ECONNREFUSED), the rest with an
 * ICMP host-unreachable (the sender sees EHOSTUNREACH, or EPERM on the first datagram). When
 * daddr is set, only traffic to it. */
static void rules_reject(struct nlbuf *b, const uint8_t *gw)
{
	rule_start(b);
	if (gw)
		e_daddr(b, AF_INET, gw, 32);
	e_l4proto(b, IPPROTO_TCP);
	e_reject(b, NFT_REJECT_TCP_RST, 0);
	rule_end(b);
	rule_start(b);
	if (gw)
		e_daddr(b, AF_INET, gw, 32);
	e_reject(b, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_HOST_UNREACH);
	rule_end(b);
}

static void rule_accept_dest(struct nlbuf *b, const struct net_dest *d, uint8_t proto)
{
	rule_start(b);
	e_daddr(b, d->family, d->addr, d->prefix);
	if (d->port) {
		uint16_t port = htons(d->port);
		e_l4proto(b, proto);
		e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		e_cmp(b, NFT_CMP_EQ, &port, 2);
	}
	e_accept(b);
	rule_end(b);
}

static void rule_accept_icmpv6(struct nlbuf *b, const struct net_dest *d)
{
	rule_start(b);
	e_daddr(b, d->family, d->addr, d->prefix);
	e_l4proto(b, IPPROTO_ICMPV6);
	e_accept(b);
	rule_end(b);
}

size_t net_filter_batch(const struct net_plan *n, unsigned char *buf, size_t size, unsigned seq)
{
	struct nlbuf b = { .buf = buf, .size = size, .seq = seq };
	uint8_t gw[4], dns[4];
	uint32_t lo = 1; /* the loopback device is ifindex 1 in every network namespace */
	uint32_t ct_mask = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	uint32_t zero = 0;

	inet_pton(AF_INET, NET_GATEWAY_ADDR, gw);
	inet_pton(AF_INET, NET_DNS_ADDR, dns);
	msg_start(&b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	msg_end(&b);

	msg_start(&b, NFT_TYPE(NFT_MSG_NEWTABLE), NLM_F_CREATE | NLM_F_ACK, NFPROTO_INET, 0);
	attr_str(&b, NFTA_TABLE_NAME, TABLE);
	msg_end(&b);

	msg_start(&b, NFT_TYPE(NFT_MSG_NEWCHAIN), NLM_F_CREATE | NLM_F_ACK, NFPROTO_INET, 0);
	attr_str(&b, NFTA_CHAIN_TABLE, TABLE);
	attr_str(&b, NFTA_CHAIN_NAME, CHAIN);
	nest_start(&b, NFTA_CHAIN_HOOK);
	attr_be32(&b, NFTA_HOOK_HOOKNUM, NF_INET_LOCAL_OUT);
	attr_be32(&b, NFTA_HOOK_PRIORITY, 0);
	nest_end(&b);
	attr_be32(&b, NFTA_CHAIN_POLICY, NF_ACCEPT);
	attr_str(&b, NFTA_CHAIN_TYPE, "filter");
	msg_end(&b);

	rule_start(&b);
	e_meta(&b, NFT_META_OIF);
	e_cmp(&b, NFT_CMP_EQ, &lo, sizeof(lo));
	e_accept(&b);
	rule_end(&b);

	rule_start(&b);
	expr_start(&b, "ct");
	attr_be32(&b, NFTA_CT_DREG, NFT_REG_1);
	attr_be32(&b, NFTA_CT_KEY, NFT_CT_STATE);
	expr_end(&b);
	e_bitwise(&b, &ct_mask, sizeof(ct_mask));
	e_cmp(&b, NFT_CMP_NEQ, &zero, sizeof(zero));
	e_accept(&b);
	rule_end(&b);

	if (!n->host_loopback)
		rules_reject(&b, gw);
	if (n->n_allow) {
		/* The forwarder answers DNS on port 53; its other ports are the helper's way
		 * to the real address 10.0.2.3 outside. */
		struct net_dest d = { .family = AF_INET, .prefix = 32, .port = 53 };
		memcpy(d.addr, dns, 4);
		rule_accept_dest(&b, &d, IPPROTO_UDP);
		rule_accept_dest(&b, &d, IPPROTO_TCP);
		/* IPv6 link-local and multicast: neighbour discovery only (ICMPv6); pasta
		 * forwards other traffic there to the host's own segment. */
		d = (struct net_dest){ .family = AF_INET6, .prefix = 10, .addr = { 0xfe, 0x80 } };
		rule_accept_icmpv6(&b, &d);
		d = (struct net_dest){ .family = AF_INET6, .prefix = 8, .addr = { 0xff } };
		rule_accept_icmpv6(&b, &d);
		for (unsigned i = 0; i < n->n_dests; i++) {
			rule_accept_dest(&b, &n->dests[i], IPPROTO_TCP);
			if (n->dests[i].port)
				rule_accept_dest(&b, &n->dests[i], IPPROTO_UDP);
		}
		rules_reject(&b, NULL);
	}

	msg_start(&b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	msg_end(&b);
	return b.overflow ? 0 : b.len;
}

void net_child_filter(const struct net_plan *n)
{
	enum { SEQ0 = 1 };
	size_t size = 16384 + (size_t)n->n_dests * 1024;
	_cleanup_free_ unsigned char *buf = xmalloc(size);
	size_t len = net_filter_batch(n, buf, size, SEQ0);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_close_ int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (len == 0)
		die("cannot build the sandbox's network filter: too many --net-allow destinations");
	if (s < 0)
		die_errno("cannot open a netfilter netlink socket for the network filter "
			  "(--net user)");
	if (sendto(s, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		die_errno("cannot send the sandbox's network filter (--net user)");
	/* Every message but the batch's begin and end asked for an ack; an error ends it. */
	unsigned want = 0;
	for (size_t off = 0; off < len;) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
		if (h->nlmsg_flags & NLM_F_ACK)
			want++;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	unsigned char rbuf[8192];
	while (want > 0) {
		ssize_t r = recv(s, rbuf, sizeof(rbuf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno(
				"cannot read the kernel's answer on the network filter (--net user)");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)r);
		     h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error)
				die_status_errno(face->exit_setup, -e->error,
						 "cannot load the sandbox's network filter "
						 "(nftables, --net user)");
			want--;
		}
	}
}

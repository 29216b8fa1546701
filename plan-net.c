/* plan-net: --net, --net-helper, --publish, --net-host-loopback and --net-allow in the plan
 * (pure), and what plan_load fetches for them (the names of --net-allow, resolv.conf). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net-request.h"
#include "plan-net.h"
#include "setup-op.h"

/* dest as a path without repeated or trailing slashes equals want. */
static bool dest_is(const char *dest, const char *want)
{
	if (!dest)
		return false;
	while (*dest && *want) {
		if (*dest != *want)
			return false;
		if (*dest == '/')
			while (dest[1] == '/')
				dest++;
		dest++;
		want++;
	}
	while (*dest == '/')
		dest++;
	return !*dest && !*want;
}

/* The sandbox's /etc is the host's: the last op that puts something on "/" or "/etc" binds
 * the host's "/" or "/etc" there, and no op puts its own file on /etc/resolv.conf. */
static bool etc_is_hosts(const struct setup_list *ops)
{
	bool hosts = false;

	for (const struct setup_op *op = ops->head; op; op = op->next) {
		bool bind = op->type == SETUP_BIND || op->type == SETUP_RO_BIND ||
			    op->type == SETUP_DEV_BIND;
		if (dest_is(op->dest, "/"))
			hosts = bind && dest_is(op->src, "/");
		else if (dest_is(op->dest, "/etc"))
			hosts = bind && dest_is(op->src, "/etc");
		else if (dest_is(op->dest, "/etc/resolv.conf"))
			return false;
	}
	return hosts;
}

/* --net and its options; bubblewrap's --unshare-net/--share-net when --net is not given. */
int plan_net(const struct config *cfg, const struct host_facts *h, struct plan *p,
	     struct error *err)
{
	const struct net_request *req = &cfg->net;
	struct net_plan *n = &p->net;

	n->mode = req->mode != NET_UNSET ? req->mode : cfg->unshare_net ? NET_NONE : NET_HOST;
	if (req->mode == NET_HOST && cfg->unshare_net)
		return error_set(err, "--net host cannot be combined with --unshare-net (or with "
				      "--unshare-all without --share-net)");
	const char *needs_user = req->n_publish	    ? "--publish" :
				 req->n_allow	    ? "--net-allow" :
				 req->host_loopback ? "--net-host-loopback" :
				 req->helper_set    ? "--net-helper" :
						      NULL;
	if (needs_user && n->mode != NET_USER)
		return error_set(err, "%s requires --net user", needs_user);
	if (n->mode != NET_USER)
		return 0;
	n->helper = req->helper;
	if (n->helper == NET_HELPER_AUTO)
		n->helper = h->pasta_path || !h->slirp4netns_path ? NET_HELPER_PASTA :
								    NET_HELPER_SLIRP4NETNS;
	n->helper_path = n->helper == NET_HELPER_PASTA ? h->pasta_path : h->slirp4netns_path;
	if (!n->helper_path) {
		err->exit_code = face->exit_setup;
		if (!req->helper_set)
			return error_set(err,
					 "cannot start the network of --net user: neither pasta "
					 "nor slirp4netns is installed\nhint: install the package "
					 "passt (pasta) or slirp4netns");
		return error_set(err,
				 "cannot start the network helper %s (--net-helper): it is not "
				 "installed\nhint: install the package %s",
				 net_helper_program(n->helper), net_helper_package(n->helper));
	}
	/* slirp4netns publishes through an API socket, a file that would outlive a hutch
	 * killed by SIGKILL. */
	if (n->helper == NET_HELPER_SLIRP4NETNS && req->n_publish)
		return error_set(
			err,
			"--publish %s: needs the helper pasta (slirp4netns publishes ports "
			"through a socket file hutch does not leave behind)\nhint: install "
			"the package passt, or drop --net-helper slirp4netns",
			req->publish[0].spec);
	n->host_loopback = req->host_loopback;
	n->publish = req->publish;
	n->n_publish = req->n_publish;
	n->allow = req->allow;
	n->n_allow = req->n_allow;
	/* The gateway is not the host's loopback unless asked: pasta would otherwise take it
	 * for an outside address, so the table refuses it in the sandbox. */
	n->filter = req->n_allow > 0 || !req->host_loopback;
	n->dns_bind = etc_is_hosts(&cfg->ops);
	return 0;
}

/* --net-allow's names resolved, once, here: what they name later does not matter. */
static int resolve_allow(struct net_plan *n, struct error *err)
{
	for (unsigned i = 0; i < n->n_allow; i++) {
		const struct net_allow *a = &n->allow[i];
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
					  .ai_flags = a->numeric ? AI_NUMERICHOST : 0 };
		struct addrinfo *res = NULL;
		int r = getaddrinfo(a->host, NULL, &hints, &res);
		if (r != 0) {
			err->exit_code = face->exit_setup;
			return error_set(err, "cannot resolve '%s' (--net-allow %s): %s", a->host,
					 a->spec,
					 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		}
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			struct net_dest d = { .family = ai->ai_family, .port = a->port };
			if (ai->ai_family == AF_INET) {
				memcpy(d.addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
				d.prefix = a->prefix >= 0 ? a->prefix : 32;
			} else if (ai->ai_family == AF_INET6) {
				memcpy(d.addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr,
				       16);
				d.prefix = a->prefix >= 0 ? a->prefix : 128;
			} else {
				continue;
			}
			n->dests = xrealloc(n->dests, (n->n_dests + 1) * sizeof(*n->dests));
			n->dests[n->n_dests++] = d;
		}
		freeaddrinfo(res);
	}
	return 0;
}

/* The resolv.conf of --net user: the helper's DNS forwarder. */
static int dns_data(struct net_plan *n, struct error *err)
{
	static const char conf[] = "nameserver " NET_DNS_ADDR "\n";
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_set_errno(err, errno, "cannot create a pipe");
	if (write_all(fds[1], conf, sizeof(conf) - 1) < 0) {
		close(fds[0]);
		close(fds[1]);
		return error_set_errno(err, errno, "cannot write the sandbox's resolv.conf");
	}
	close(fds[1]);
	n->ops.tail->fd = fds[0];
	return 0;
}

int plan_net_load(struct net_plan *n, struct error *err)
{
	if (n->n_allow && resolve_allow(n, err) < 0)
		return -1;
	if (n->dns_bind && dns_data(n, err) < 0)
		return -1;
	return 0;
}

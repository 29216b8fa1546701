/* net-request: the network options' words, parsed (pure). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-request.h"

int net_parse_mode(const char *s, enum net_mode *out, struct error *err)
{
	if (strcmp(s, "none") == 0)
		*out = NET_NONE;
	else if (strcmp(s, "host") == 0)
		*out = NET_HOST;
	else if (strcmp(s, "user") == 0)
		*out = NET_USER;
	else
		return error_set(err, "--net: unknown mode '%s': expected none, host or user", s);
	return 0;
}

int net_parse_helper(const char *s, enum net_helper *out, struct error *err)
{
	if (strcmp(s, "pasta") == 0)
		*out = NET_HELPER_PASTA;
	else if (strcmp(s, "slirp4netns") == 0)
		*out = NET_HELPER_SLIRP4NETNS;
	else
		return error_set(
			err, "--net-helper: unknown helper '%s': expected pasta or slirp4netns", s);
	return 0;
}

const char *net_helper_program(enum net_helper h)
{
	return h == NET_HELPER_SLIRP4NETNS ? "slirp4netns" : "pasta";
}

const char *net_helper_package(enum net_helper h)
{
	return h == NET_HELPER_SLIRP4NETNS ? "slirp4netns" : "passt";
}

/* A port 1..65535, digits only. */
static int parse_port(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static bool is_v4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_v6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

int net_request_add_publish(struct net_request *req, const char *spec, struct error *err)
{
	struct net_publish p = { .spec = spec };
	char buf[128];
	const char *proto;
	char *last, *prev;

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", spec);
	proto = strchr(buf, '/');
	if (proto) {
		if (strcmp(proto, "/udp") == 0)
			p.udp = true;
		else if (strcmp(proto, "/tcp") != 0)
			goto bad;
		*(char *)proto = '\0';
	}
	last = strrchr(buf, ':');
	if (!last || parse_port(last + 1, strlen(last + 1), &p.sandbox_port) < 0)
		goto bad;
	*last = '\0';
	prev = strrchr(buf, ':');
	const char *hport = prev ? prev + 1 : buf;
	if (parse_port(hport, strlen(hport), &p.host_port) < 0)
		goto bad;
	if (prev) {
		*prev = '\0';
		char *a = buf;
		size_t al = strlen(a);
		/* An IPv6 address in brackets: [::1]:8080:80 */
		if (al >= 2 && a[0] == '[' && a[al - 1] == ']') {
			a[al - 1] = '\0';
			a++;
			if (!is_v6(a))
				goto bad_addr;
			p.host_v6 = true;
		} else if (!is_v4(a)) {
			goto bad_addr;
		}
		if (strlen(a) >= sizeof(p.host_addr))
			goto bad_addr;
		memcpy(p.host_addr, a, strlen(a) + 1);
	} else {
		/* "Publish judiciously": the host's loopback unless an address is given. */
		snprintf(p.host_addr, sizeof(p.host_addr), "127.0.0.1");
	}
	for (unsigned i = 0; i < req->n_publish; i++)
		if (req->publish[i].host_port == p.host_port && req->publish[i].udp == p.udp)
			return error_set(
				err, "--publish: host port %u/%s is published twice ('%s', '%s')",
				p.host_port, p.udp ? "udp" : "tcp", req->publish[i].spec, spec);
	req->publish = xrealloc(req->publish, (req->n_publish + 1) * sizeof(*req->publish));
	req->publish[req->n_publish++] = p;
	return 0;
bad_addr:
	return error_set(err,
			 "--publish: invalid host address in '%s': expected a numeric IPv4 "
			 "address or an IPv6 address in brackets",
			 spec);
bad:
	return error_set(
		err,
		"--publish: invalid '%s': expected [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp] "
		"with ports 1..65535",
		spec);
}

/* A host name as DNS allows it: letters, digits, '-', '.', '_' (RFC 1123, and underscores
 * some zones use). */
static bool is_name(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_'))
			return false;
	return true;
}

int net_request_add_allow(struct net_request *req, const char *spec, struct error *err)
{
	struct net_allow a = { .prefix = -1, .spec = spec };
	char buf[300];
	char *host = buf, *port = NULL, *slash;

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", spec);
	if (buf[0] == '[') {
		/* [IPV6[/PREFIX]][:PORT] */
		char *close = strchr(buf, ']');
		if (!close)
			goto bad;
		*close = '\0';
		host = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			goto bad;
	} else {
		char *colon = strchr(buf, ':');
		/* A bare IPv6 address (two colons or more) takes no port. */
		if (colon && strchr(colon + 1, ':') == NULL) {
			*colon = '\0';
			port = colon + 1;
		}
	}
	if (port && parse_port(port, strlen(port), &a.port) < 0)
		goto bad;
	slash = strchr(host, '/');
	if (slash) {
		*slash = '\0';
		const char *pre = slash + 1;
		long v = 0;
		if (!*pre || strlen(pre) > 3)
			goto bad;
		for (const char *c = pre; *c; c++) {
			if (*c < '0' || *c > '9')
				goto bad;
			v = v * 10 + (*c - '0');
		}
		a.prefix = (int)v;
	}
	if (is_v4(host)) {
		a.numeric = true;
		if (a.prefix > 32)
			goto bad;
	} else if (is_v6(host)) {
		a.numeric = true;
		if (a.prefix > 128)
			goto bad;
	} else if (!is_name(host) || slash) {
		goto bad;
	}
	snprintf(a.host, sizeof(a.host), "%s", host);
	req->allow = xrealloc(req->allow, (req->n_allow + 1) * sizeof(*req->allow));
	req->allow[req->n_allow++] = a;
	return 0;
bad:
	return error_set(err,
			 "--net-allow: invalid '%s': expected HOST[:PORT] or CIDR[:PORT] (an IPv6 "
			 "address in brackets when a port follows: [2001:db8::/32]:443)",
			 spec);
}

void net_request_free(struct net_request *req)
{
	free(req->publish);
	free(req->allow);
	memset(req, 0, sizeof(*req));
}

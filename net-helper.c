/* net-helper: pasta (passt) or slirp4netns, started and watched by the parent. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net-helper.h"
#include "plan.h"
#include "util.h"

/* How long a helper may take to configure the sandbox's interface. */
#define HELPER_START_MS 10000

static noreturn void tun_unusable(int e)
{
	struct stat st;

	warn("cannot open /dev/net/tun for the network of --net user: %s", strerror(e));
	if (e == ENOENT || e == ENODEV || e == ENXIO)
		hint("this kernel has no TUN device here: load it (modprobe tun) or use --net none "
		     "or --net host");
	else if (stat("/dev/net/tun", &st) == 0 && (e == EACCES || e == EPERM))
		hint("/dev/net/tun is mode %04o here (owner uid %u) and the helper runs as uid "
		     "%u: ask the administrator to make it 0666, as Debian ships it (chmod 0666 "
		     "/dev/net/tun, or a udev rule KERNEL==\"tun\", MODE=\"0666\"), or use --net "
		     "none or --net host",
		     (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)geteuid());
	exit(face->exit_setup);
}

/* A published host port that is taken (or not ours to take) fails here, by its number,
 * rather than as a helper's log line. The socket is closed again at once; the helper binds
 * it a few milliseconds later. */
static void check_port(const struct net_publish *p)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	socklen_t len;
	int one = 1;

	memset(&sa, 0, sizeof(sa));
	if (p->host_v6) {
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_port = htons(p->host_port);
		inet_pton(AF_INET6, p->host_addr, &sa.v6.sin6_addr);
		len = sizeof(sa.v6);
	} else {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_port = htons(p->host_port);
		inet_pton(AF_INET, p->host_addr, &sa.v4.sin_addr);
		len = sizeof(sa.v4);
	}
	_cleanup_close_ int s = socket(p->host_v6 ? AF_INET6 : AF_INET,
				       (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s < 0)
		die_errno("cannot create a socket to check port %u (--publish %s)", p->host_port,
			  p->spec);
	/* As the helper binds: a port in TIME_WAIT is free for a listener. */
	if (!p->udp)
		(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, len) == 0)
		return;
	int e = errno;
	warn("cannot publish port %u/%s on %s (--publish %s): %s", p->host_port,
	     p->udp ? "udp" : "tcp", p->host_addr, p->spec, strerror(e));
	if (e == EADDRINUSE)
		hint("another socket holds port %u on this host: choose another host port",
		     p->host_port);
	else if (e == EACCES)
		hint("ports below net.ipv4.ip_unprivileged_port_start need privileges: choose a "
		     "higher host port");
	else if (e == EADDRNOTAVAIL)
		hint("%s is not an address of this host", p->host_addr);
	exit(face->exit_setup);
}

void net_parent_precheck(const struct net_plan *n)
{
	/* Opened as the helper will open it (same credentials), then closed: the kernel's
	 * answer, now, before there is a sandbox. */
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		tun_unusable(errno);
	close(fd);
	for (unsigned i = 0; i < n->n_publish; i++)
		check_port(&n->publish[i]);
}

/* ---- the helper's command line ---- */

struct argv_buf {
	char *v[64 + 4 * 32];
	unsigned n;
};

static void arg(struct argv_buf *a, const char *s)
{
	if (a->n + 1 < sizeof(a->v) / sizeof(a->v[0]))
		a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void pasta_argv(const struct net_plan *n, pid_t child, struct argv_buf *a)
{
	char buf[128];

	arg(a, "pasta");
	/* Ours to watch: in the foreground, and its pid (written once the namespace is
	 * configured) on fd 3, which is how we know it is ready. */
	arg(a, "--foreground");
	arg(a, "--quiet");
	arg(a, "--pid");
	arg(a, "/proc/self/fd/3");
	/* Run as the caller: pasta would otherwise drop root to nobody, who may not enter
	 * root's namespaces. */
	snprintf(buf, sizeof(buf), "%u:%u", (unsigned)geteuid(), (unsigned)getegid());
	arg(a, "--runas");
	arg(a, buf);
	/* slirp4netns' addresses, so the sandbox looks the same whichever helper runs. */
	arg(a, "--config-net");
	arg(a, "--address");
	arg(a, NET_SANDBOX_ADDR);
	arg(a, "--netmask");
	snprintf(buf, sizeof(buf), "%d", NET_PREFIX);
	arg(a, buf);
	arg(a, "--gateway");
	arg(a, NET_GATEWAY_ADDR);
	arg(a, "--dns-forward");
	arg(a, NET_DNS_ADDR);
	if (!n->host_loopback)
		arg(a, "--no-map-gw");
	/* Only the ports asked for; pasta's default forwards every port bound inside. */
	unsigned tcp = 0, udp = 0;
	for (unsigned i = 0; i < n->n_publish; i++) {
		const struct net_publish *p = &n->publish[i];
		arg(a, p->udp ? "--udp-ports" : "--tcp-ports");
		snprintf(buf, sizeof(buf), "%s/%u:%u", p->host_addr, p->host_port, p->sandbox_port);
		arg(a, buf);
		if (p->udp)
			udp++;
		else
			tcp++;
	}
	if (!tcp) {
		arg(a, "--tcp-ports");
		arg(a, "none");
	}
	if (!udp) {
		arg(a, "--udp-ports");
		arg(a, "none");
	}
	arg(a, "--tcp-ns");
	arg(a, "none");
	arg(a, "--udp-ns");
	arg(a, "none");
	snprintf(buf, sizeof(buf), "%d", (int)child);
	arg(a, buf);
}

static void slirp_argv(const struct net_plan *n, pid_t child, struct argv_buf *a)
{
	char buf[32];

	arg(a, "slirp4netns");
	arg(a, "--configure");
	arg(a, "--mtu=65520");
	if (!n->host_loopback)
		arg(a, "--disable-host-loopback");
	/* "1" on fd 3 once configured; it exits when fd 4 (our pipe) reports hang-up. */
	arg(a, "--ready-fd=3");
	arg(a, "--exit-fd=4");
	snprintf(buf, sizeof(buf), "%d", (int)child);
	arg(a, buf);
	arg(a, "tap0");
}

/* ---- start and wait ---- */

/* In the helper's process, between fork and exec: nothing of hutch's but the fds it is
 * given; dead when hutch dies, whatever kills it. */
static noreturn void helper_exec(const char *path, char *const *argv, pid_t parent, int err_fd,
				 int ready_wr, int exit_rd)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	util_set_die_hook(NULL, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(127);
	/* Its own process group: a ^C at the terminal is hutch's to pass on to the command, not
	 * a reason for the network to vanish under it. */
	(void)setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_fd, 2) < 0 ||
	    dup2(ready_wr, 3) < 0 || (exit_rd >= 0 && dup2(exit_rd, 4) < 0))
		_exit(127);
	if (exit_rd < 0)
		close(4);
	if (fds_set_cloexec_from(5) < 0)
		_exit(127);
	execv(path, argv);
	dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* The helper's last words (its stderr went to err_fd), for the message: the last line. */
static void last_line(int err_fd, char *out, size_t size)
{
	char buf[4096];
	ssize_t r = pread(err_fd, buf, sizeof(buf) - 1, 0);
	size_t n = r > 0 ? (size_t)r : 0;

	buf[n] = '\0';
	/* pasta's logging to a missing syslog adds noise lines of its own. */
	char *best = NULL;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, "syslog"))
			best = line;
	snprintf(out, size, "%s", best ? best : "no message");
}

static noreturn void helper_failed(const struct net_plan *n, pid_t pid, int err_fd,
				   const char *what)
{
	char line[512];
	int st = 0;

	last_line(err_fd, line, sizeof(line));
	if (pid > 0 && waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	warn("cannot start the network helper %s (--net user): %s: %s",
	     net_helper_program(n->helper), what, line);
	if (strstr(line, "tun"))
		hint("it could not use /dev/net/tun: see its mode and the tun module");
	exit(face->exit_setup);
}

pid_t net_parent_start_helper(const struct net_plan *n, pid_t child)
{
	struct argv_buf a = { .n = 0 };
	int ready[2], exitp[2] = { -1, -1 };
	pid_t parent = getpid();

	if (n->helper == NET_HELPER_PASTA)
		pasta_argv(n, child, &a);
	else
		slirp_argv(n, child, &a);
	/* Its stderr into an anonymous file: read only when it fails. */
	_cleanup_close_ int err_fd = memfd_create("hutch-net-helper", MFD_CLOEXEC);
	if (err_fd < 0)
		die_errno("cannot create a file for the network helper's messages");
	if (pipe2(ready, O_CLOEXEC) < 0 ||
	    (n->helper == NET_HELPER_SLIRP4NETNS && pipe2(exitp, O_CLOEXEC) < 0))
		die_errno("cannot create a pipe");
	pid_t pid = fork();
	if (pid < 0)
		die_errno("cannot fork the network helper");
	if (pid == 0)
		helper_exec(n->helper_path, a.v, parent, err_fd, ready[1], exitp[0]);
	close(ready[1]);
	if (exitp[0] >= 0)
		close(exitp[0]);
	/* exitp[1] stays open, close-on-exec, until we exit: then slirp4netns sees the
	 * hang-up and exits too (its --exit-fd), even when the death signal could not fire. */
	for (unsigned i = 0; i < a.n; i++)
		free(a.v[i]);

	struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
	int r;
	do
		r = poll(&pfd, 1, HELPER_START_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		helper_failed(n, pid, err_fd, "it did not configure the sandbox's network in time");
	char b[32];
	ssize_t got;
	do
		got = read(ready[0], b, sizeof(b));
	while (got < 0 && errno == EINTR);
	close(ready[0]);
	if (got <= 0)
		helper_failed(n, pid, err_fd, "it exited");
	return pid;
}

/* util: messages, allocators, I/O and number helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static bool level_prefix;
static int report_fd = -1;
/* The rest of the message state (docs/architecture.md, "Conventions": the log is
 * file-scope state). */
static struct {
	char last_error[1024];
	void (*die_hook)(void *);
	void *die_arg;
} log_state;

void util_set_level_prefix(bool on)
{
	level_prefix = on;
}

void util_set_report_fd(int fd)
{
	report_fd = fd;
}

int util_report_fd(void)
{
	return report_fd;
}

/* syslog levels for --level-prefix: 3 error, 4 warning, 6 info (bubblewrap's choice). */
__attribute__((format(printf, 3, 0))) static void vmessage(int level, const char *prefix,
							   const char *fmt, va_list ap, int errnum)
{
	char buf[2048];
	size_t n = 0;
	int r;

	if (!*fmt && !errnum)
		return; /* a message this face does not print (face-messages.h) */
	if (level_prefix) {
		r = snprintf(buf, sizeof(buf), "<%d>", level);
		n = r > 0 ? (size_t)r : 0;
	}
	r = snprintf(buf + n, sizeof(buf) - n, "%s: %s", face->prog, prefix);
	if (r > 0)
		n += (size_t)r;
	if (n < sizeof(buf)) {
		r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (errnum && n < sizeof(buf)) {
		r = snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(errnum));
		if (r > 0)
			n += (size_t)r;
	}
	if (n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write, so concurrent messages of the parent and child do not interleave. */
	(void)write_all(STDERR_FILENO, buf, n);
	/* An error's text, for the parent's --json-status-fd error document (exit_reported). */
	if (level == 3 && report_fd >= 0) {
		size_t skip = level_prefix ? (size_t)snprintf(NULL, 0, "<%d>", level) : 0;
		snprintf(log_state.last_error, sizeof(log_state.last_error), "%.*s",
			 (int)(n - 1 - skip), buf + skip);
	}
}

static noreturn void exit_reported(int status)
{
	/* Tell the parent this exit is hutch's, not the command's, and why (monitor.c). */
	if (report_fd >= 0) {
		(void)write_all(report_fd, "F", 1);
		(void)write_all(report_fd, log_state.last_error, strlen(log_state.last_error));
	}
	/* The parent's own failure after it made something that must not outlive it. */
	if (log_state.die_hook)
		log_state.die_hook(log_state.die_arg);
	_exit(status);
}

void util_set_die_hook(void (*fn)(void *), void *arg)
{
	log_state.die_hook = fn;
	log_state.die_arg = arg;
}

noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, 0);
	va_end(ap);
	exit_reported(face->exit_setup);
}

noreturn void die_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, e);
	va_end(ap);
	exit_reported(face->exit_setup);
}

noreturn void die_errno_hint(const char *hint_text, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, e);
	va_end(ap);
	if (*fmt)
		hint("%s", hint_text);
	exit_reported(face->exit_setup);
}

void error_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, 0);
	va_end(ap);
}

noreturn void die_exit(int status)
{
	exit_reported(status);
}

noreturn void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, 0);
	va_end(ap);
	exit_reported(status);
}

noreturn void die_status_errno(int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(3, "", fmt, ap, errnum);
	va_end(ap);
	exit_reported(status);
}

noreturn void die_error(const struct error *err)
{
	die_status(err->exit_code ? err->exit_code : face->exit_usage, "%s", err->msg);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(4, "", fmt, ap, 0);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(6, "", fmt, ap, 0);
	va_end(ap);
}

void hint(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (!face->hints)
		return;
	(void)write_all(STDERR_FILENO, "hint: ", 6);
	(void)write_all(STDERR_FILENO, buf, (size_t)n);
}

static bool read_sysctl_int(const char *path, long *out)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	*out = strtol(buf, NULL, 10);
	return true;
}

/* The kernel's current_chrooted(), guessed from mountinfo for a hint: two mounts on "/"
 * (one stacked on the root), or none whose root is the filesystem's own (a chroot into a
 * directory shows no mount on "/", or one whose root field is that directory). */
static bool root_is_stacked_or_chrooted(void)
{
	char line[1024];
	int on_root = 0, whole = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char root[512], mp[512];

		if (sscanf(line, "%*d %*d %*s %511s %511s", root, mp) != 2 || strcmp(mp, "/") != 0)
			continue;
		on_root++;
		whole += strcmp(root, "/") == 0;
	}
	fclose(f);
	return on_root != 1 || whole != 1;
}

void hint_userns(int errnum)
{
	long v;

	if (errnum == ENOSPC ||
	    (read_sysctl_int("/proc/sys/user/max_user_namespaces", &v) && v == 0))
		hint("user namespaces are limited to zero or exhausted: raise the sysctl "
		     "user.max_user_namespaces");
	if (read_sysctl_int("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0)
		hint("unprivileged user namespaces are disabled: sysctl "
		     "kernel.unprivileged_userns_clone=1");
	if (read_sysctl_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) && v != 0)
		hint("AppArmor restricts unprivileged user namespaces "
		     "(kernel.apparmor_restrict_unprivileged_userns=1): give hutch an AppArmor "
		     "profile with the 'userns' rule, or set the sysctl to 0");
	if (errnum == EPERM && root_is_stacked_or_chrooted())
		hint("the kernel refuses user namespaces to a process whose root is not the root "
		     "of its mount namespace (a chroot, or a mount stacked on /): run hutch outside "
		     "it%s",
		     geteuid() == 0 ? "; as root the hutch face always creates a user namespace, "
				      "the bwrap face (hutch run as 'bwrap') does not" :
				      "");
	if (errnum == EPERM || errnum == ENOSYS)
		hint("inside a container, its seccomp profile may forbid clone(CLONE_NEWUSER)/unshare; "
		     "run the container with a profile that allows them");
}

int error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int error_set_errno(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

static noreturn void oom(void)
{
	static const char msg[] = ": out of memory\n";

	(void)write_all(STDERR_FILENO, face->prog, strlen(face->prog));
	(void)write_all(STDERR_FILENO, msg, sizeof(msg) - 1);
	exit_reported(face->exit_setup);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

void fclosep(void *f)
{
	FILE **fp = f;

	if (*fp)
		fclose(*fp);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all_fd(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *content)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	int r, e;

	if (fd < 0)
		return -1;
	r = write_all(fd, content, strlen(content));
	e = errno;
	if (close(fd) < 0 && r == 0)
		return -1;
	errno = e;
	return r;
}

int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || *s == ' ' || *s == '+' || (*s == '-' && min >= 0)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end) {
		if (!errno)
			errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_uint64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end) {
		if (!errno)
			errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

int fds_set_cloexec_from(int from)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
#endif
	/* Before Linux 5.11: walk /proc/self/fd (the list is read first, then changed). */
	char buf[4096];
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0) {
		/* No /proc: the classic loop over the fd limit. */
		long max = sysconf(_SC_OPEN_MAX);
		for (long fd = from; fd < (max > 0 ? max : 65536); fd++)
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		return 0;
	}
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			long fd;

			off += d->reclen;
			if (parse_int(d->name, 0, INT_MAX, &fd) == 0 && fd >= from && fd != dfd)
				fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		}
	}
	close(dfd);
	return 0;
}

/* close_range(2) from lo to hi, or close(2) on each number where the kernel lacks it (before
 * 5.9). A process that never execs gets nothing from close-on-exec: this is how it lets go. */
static int close_span(unsigned lo, unsigned hi)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	unsigned top = max > 0 && (unsigned long)max - 1 < hi ? (unsigned)max - 1 : hi;

	for (unsigned fd = lo; fd <= top && fd >= lo; fd++)
		close((int)fd);
	return 0;
}

int fds_close_except(const int *keep, size_t n)
{
	int sorted[64];
	size_t m = 0;

	if (n > sizeof(sorted) / sizeof(sorted[0])) {
		errno = E2BIG;
		return -1;
	}
	/* Insertion sort of the kept numbers above 2, without duplicates. */
	for (size_t i = 0; i < n; i++) {
		size_t j = m;

		if (keep[i] < 3)
			continue;
		while (j > 0 && sorted[j - 1] > keep[i])
			j--;
		if (j > 0 && sorted[j - 1] == keep[i])
			continue;
		memmove(sorted + j + 1, sorted + j, (m - j) * sizeof(int));
		sorted[j] = keep[i];
		m++;
	}
	unsigned lo = 3;
	for (size_t i = 0; i < m; i++) {
		if ((unsigned)sorted[i] > lo && close_span(lo, (unsigned)sorted[i] - 1) < 0)
			return -1;
		lo = (unsigned)sorted[i] + 1;
	}
	return close_span(lo, ~0U);
}

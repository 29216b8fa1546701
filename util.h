/* util: messages (texts and exit codes from face.h), allocators, fd and number helpers.
 * Called by every hutch process: the parent, the setup child and the pid-1 reaper. */
#ifndef HUTCH_UTIL_H
#define HUTCH_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include <unistd.h>

#include "face.h"

/* Pure code reports errors through this (fixed buffer, no allocation, never exits). */
struct error {
	int exit_code; /* 0: the face's exit_usage */
	char msg[1024];
};
__attribute__((format(printf, 2, 3))) int error_set(struct error *err, const char *fmt, ...);
/* Like error_set, appends ": strerror(errnum)". */
__attribute__((format(printf, 3, 4))) int error_set_errno(struct error *err, int errnum,
							  const char *fmt, ...);

/* Messages: "PROG: TEXT\n" on stderr; an empty TEXT (a catalog text the face leaves out)
 * prints nothing. die* exit with the face's setup status unless given. */
__attribute__((format(printf, 1, 2))) noreturn void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) noreturn void die_errno(const char *fmt, ...);
/* die_errno, then a hint line (hutch face: face->hints). */
__attribute__((format(printf, 2, 3))) noreturn void die_errno_hint(const char *hint_text,
								   const char *fmt, ...);
__attribute__((format(printf, 2, 3))) noreturn void die_status(int status, const char *fmt, ...);
__attribute__((format(printf, 3, 4))) noreturn void die_status_errno(int status, int errnum,
								     const char *fmt, ...);
noreturn void die_error(const struct error *err);
/* An error line that does not end the process, for an error followed by hint lines or by
 * the monitor's cleanup; die_exit() then ends it with the error's status. */
__attribute__((format(printf, 1, 2))) void error_line(const char *fmt, ...);
noreturn void die_exit(int status);
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void hint(const char *fmt, ...);
/* An informational line ("PROG: TEXT", level 6 with --level-prefix). */
__attribute__((format(printf, 1, 2))) void info(const char *fmt, ...);
/* Print the hint lines for known reasons clone(CLONE_NEWUSER) fails with errno. */
void hint_userns(int errnum);

/* --level-prefix: prefix messages with syslog "<N>" levels. */
void util_set_level_prefix(bool on);

/* After clone: die() also writes its exit status to this fd, so the parent can tell a
 * setup failure from the command's own exit status. -1: none. */
void util_set_report_fd(int fd);
/* fn(arg) runs before die() ends this process (NULL: none): the parent's cleanup of what must
 * not outlive it (the sandbox, its cgroup). A forked child clears it first thing. */
void util_set_die_hook(void (*fn)(void *), void *arg);
int util_report_fd(void);

/* Allocation that dies on OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_	 __attribute__((cleanup(freep)))
#define _cleanup_close_	 __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
void fclosep(void *f);

static inline void *steal_pointer_impl(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) steal_pointer_impl(pp)
static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* I/O that retries on EINTR and short counts. Return 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Reads until EOF; *out is NUL-terminated, *len excludes the NUL. */
int read_all_fd(int fd, char **out, size_t *len);
int write_file_at(int dirfd, const char *path, const char *content);

/* Strict number parsing: whole string, no sign surprises, range checked. 0 or -1. */
int parse_int(const char *s, long min, long max, long *out);
int parse_uint64(const char *s, uint64_t *out);
/* Sizes for --size: digits with an optional k/m/g/t suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out);

/* Close-on-exec on every fd >= from (close_range with a fallback). */
int fds_set_cloexec_from(int from);
/* Close every fd above 2 except the n in keep (at most 64), now: for processes that never
 * exec (pid 1), where close-on-exec does nothing. 0 or -1 with errno. */
int fds_close_except(const int *keep, size_t n);

#endif

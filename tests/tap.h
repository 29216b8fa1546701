/* tap: a header-only Test Anything Protocol helper for the unit tests.
 * Included by one test program each; all state is file-scope in that program. */
#ifndef HUTCH_TAP_H
#define HUTCH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned;

static inline void plan(int n)
{
	tap_planned = 1;
	printf("1..%d\n", n);
}

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	char name[2048];

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	/* One TAP line per test: a newline in a name would end it early. */
	for (char *p = name; *p; p++)
		if (*p == '\n')
			*p = '|';
	printf("%sok %d - %s\n", cond ? "" : "not ", ++tap_run, name);
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline int is_int(long long got, long long want, const char *name)
{
	if (ok(got == want, "%s", name))
		return 1;
	printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return 0;
}

static inline int is_str(const char *got, const char *want, const char *name)
{
	int same = got && want ? strcmp(got, want) == 0 : got == want;

	if (ok(same, "%s", name))
		return 1;
	printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return 0;
}

static inline void skip(const char *reason)
{
	printf("ok %d # skip %s\n", ++tap_run, reason);
}

/* Prints the plan if plan() was not called; returns the exit status for main(). */
static inline int done_testing(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_run);
	if (tap_failed)
		printf("# %d of %d tests failed\n", tap_failed, tap_run);
	fflush(stdout);
	return tap_failed > 0;
}

#endif

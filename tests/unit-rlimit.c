/* unit-rlimit: --rlimit and --timeout values (rlimit.c), and rlimit_apply in a child.
 * Links libhutch.a; TAP on stdout. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../rlimit.h"
#include "../util.h"
#include "tap.h"

static void good(const char *arg, int res, rlim_t soft, bool has_hard, rlim_t hard)
{
	struct rlimit_req r;
	struct error err = { 0 };

	if (!ok(rlimit_parse(arg, &r, &err) == 0, "--rlimit %s parses", arg)) {
		printf("#   %s\n", err.msg);
		return;
	}
	ok(r.resource == res && r.soft == soft && r.has_hard == has_hard &&
		   (!has_hard || r.hard == hard),
	   "  resource %d, soft %llu, hard %s%llu", res, (unsigned long long)soft,
	   has_hard ? "" : "unset ", (unsigned long long)hard);
}

static void bad(const char *arg, const char *part)
{
	struct rlimit_req r;
	struct error err = { 0 };

	ok(rlimit_parse(arg, &r, &err) == -1 && strstr(err.msg, part),
	   "--rlimit %s refused: '%s' contains '%s'", arg, err.msg, part);
}

static void dur(const char *arg, int want_ok, uint64_t d, uint64_t g)
{
	uint64_t dd = 0, gg = 0;
	struct error err = { 0 };
	int r = timeout_parse(arg, &dd, &gg, &err);

	if (want_ok)
		ok(r == 0 && dd == d && gg == g,
		   "--timeout %s: %llu ms, grace %llu ms (got %llu, %llu)", arg,
		   (unsigned long long)d, (unsigned long long)g, (unsigned long long)dd,
		   (unsigned long long)gg);
	else
		ok(r == -1 && strstr(err.msg, "--timeout: invalid value"), "--timeout %s refused",
		   arg);
}

int main(void)
{
	good("nofile=64", RLIMIT_NOFILE, 64, false, 0);
	good("NOFILE=64:128", RLIMIT_NOFILE, 64, true, 128);
	good("as=1G", RLIMIT_AS, 1ULL << 30, false, 0);
	good("stack=8m:unlimited", RLIMIT_STACK, 8ULL << 20, true, RLIM_INFINITY);
	good("core=0", RLIMIT_CORE, 0, false, 0);
	good("cpu=unlimited", RLIMIT_CPU, RLIM_INFINITY, false, 0);
	good("nproc=100:100", RLIMIT_NPROC, 100, true, 100);
	good("memlock=64K", RLIMIT_MEMLOCK, 64 << 10, false, 0);
	bad("nofile", "NAME=SOFT");
	bad("=5", "NAME=SOFT");
	bad("files=5", "unknown resource 'files'");
	bad("nofile=5K", "for nofile (open files)");
	bad("as=-1", "for as");
	bad("as=1X", "for as");
	bad("nofile=10:5", "soft limit is above");
	bad("nofile=", "for nofile");
	bad("nofile=5:", "for nofile");
	bad("as=99999999999999999999", "for as");
	is_str(rlimit_name(RLIMIT_NOFILE), "nofile", "rlimit_name");

	dur("10", 1, 10000, TIMEOUT_GRACE_DEFAULT_MS);
	dur("1.5s", 1, 1500, TIMEOUT_GRACE_DEFAULT_MS);
	dur("250ms:1s", 1, 250, 1000);
	dur("2m:0", 1, 120000, 0);
	dur("1h", 1, 3600000, TIMEOUT_GRACE_DEFAULT_MS);
	dur("0", 0, 0, 0);
	dur("-1", 0, 0, 0);
	dur("5x", 0, 0, 0);
	dur("5s:", 0, 0, 0);
	dur("", 0, 0, 0);
	dur("inf", 0, 0, 0);
	dur("1e30", 0, 0, 0);

	/* rlimit_apply in a child: a lower nofile shows in getrlimit. */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit_req r;
		struct error err = { 0 };
		struct rlimit now;

		if (rlimit_parse("nofile=17:19", &r, &err) < 0 || rlimit_apply(&r, &err) < 0 ||
		    getrlimit(RLIMIT_NOFILE, &now) < 0)
			_exit(2);
		_exit(now.rlim_cur == 17 && now.rlim_max == 19 ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "rlimit_apply sets soft and hard");
	return done_testing();
}

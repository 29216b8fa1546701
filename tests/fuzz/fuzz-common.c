/* fuzz-common: the parts of the fuzz targets that are the same for each (see fuzz.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../options.h"
#include "../../plan.h"
#include "../../setup-op.h"
#include "fuzz.h"

static int report_fd = STDERR_FILENO;

void fuzz_init(void)
{
	/* libFuzzer's -close_fd_mask=2 points fd 2 at /dev/null after this runs: keep the real
	 * stderr for the findings */
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);

	if (fd >= 0)
		report_fd = fd;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(report_fd, "fuzz: finding: ");
	vdprintf(report_fd, fmt, ap);
	dprintf(report_fd, "\n");
	va_end(ap);
	abort();
}

/* Pure code must return its errors: die(), die_error() and the x-allocators end the process
 * with _exit(), which libFuzzer would take for a normal end of the run. This definition wins
 * over the C library's for the objects linked here (libFuzzer itself calls _Exit and exit). */
void _exit(int status)
{
	fuzz_fail("_exit(%d) called: pure code must return an error, not end the process", status);
}

int fuzz_memfd(const uint8_t *data, size_t len)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if ((len && write(fd, data, len) != (ssize_t)len) || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void fuzz_parse_options(enum face_id id, int argc, char **argv)
{
	struct config cfg;
	struct error err;
	int exit_now = 0, r;

	face_set(id);
	util_set_level_prefix(false);
	config_init(&cfg);
	memset(&err, 0, sizeof(err));
	r = options_parse(&cfg, argc, argv, &exit_now, &err);
	if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
		fuzz_fail("the error message is not terminated");
	if (r < 0 && err.msg[0] == '\0')
		fuzz_fail("options_parse failed without a message");
	if (r == 0 && !exit_now) {
		if (cfg.argc < 1 || !cfg.argv || cfg.argv[cfg.argc] != NULL)
			fuzz_fail("options_parse succeeded without a NULL-terminated command");
		for (int i = 0; i < cfg.argc; i++)
			if (!cfg.argv[i])
				fuzz_fail("word %d of the command is NULL", i);
		/* the planner's rules, for an ordinary user and for root (made-up hosts, as in
		 * tests/unit-plan.c: plan_make is pure) */
		for (int root = 0; root < 2; root++) {
			struct host_facts host;
			struct plan plan;

			memset(&host, 0, sizeof(host));
			host.uid = host.euid = host.gid = host.egid = root ? 0 : 1000;
			host.caps_all = (UINT64_C(1) << 41) - 1;
			host.caps = root ? host.caps_all : 0;
			host.privileged = root;
			host.has_userns = host.has_cgroupns = true;
			host.umask = 022;
			host.cwd = root ? "/root" : "/home/u";
			memset(&err, 0, sizeof(err));
			r = plan_make(&cfg, &host, &plan, &err);
			plan_free(&plan);
			if (r < 0 && err.msg[0] == '\0')
				fuzz_fail("plan_make failed without a message");
		}
	}
	config_free(&cfg);
}

/* seccomp: raw BPF programs (bubblewrap's --seccomp and --add-seccomp-fd). The kernel
 * runs every installed filter and takes the most restrictive answer, so the programs keep
 * their command-line order (seccomp(2), "Filter return values"). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "options.h"
#include "seccomp.h"

int seccomp_read_programs(const struct int_list *fds, struct seccomp_set *out, struct error *err)
{
	out->progs = fds->n ? xcalloc(fds->n, sizeof(*out->progs)) : NULL;
	out->n = 0;
	for (unsigned i = 0; i < fds->n; i++) {
		char *data = NULL;
		size_t len = 0;

		int r = read_all_fd(fds->v[i], &data, &len);
		int e = errno;

		/* Consumed: like bubblewrap, the program's fd does not reach the command. */
		close(fds->v[i]);
		if (r < 0) {
			if (face->id == FACE_BWRAP)
				return error_set_errno(err, e, "Can't read seccomp data");
			return error_set_errno(err, e, "cannot read the seccomp program from fd %d",
					       fds->v[i]);
		}
		if (len % 8 != 0 || len == 0) {
			free(data);
			return error_set(err, "%s",
					 FACE_MSG("invalid seccomp data: the length is not a "
						  "multiple of 8",
						  "Invalid seccomp data, must be multiple of 8"));
		}
		out->progs[out->n].insns = data;
		out->progs[out->n].len = len / 8;
		out->n++;
	}
	return 0;
}

void seccomp_child_load(const struct seccomp_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sock_fprog prog = {
			.len = (unsigned short)set->progs[i].len,
			.filter = set->progs[i].insns,
		};
		if (set->progs[i].len > 0xffff) {
			errno = EINVAL;
			die_errno_face("prctl(PR_SET_SECCOMP)", "cannot load seccomp program %zu",
				       i + 1);
		}
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
			if (errno == EINVAL && face->id == FACE_BWRAP)
				die("Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)");
			die_errno_face("prctl(PR_SET_SECCOMP)", "cannot load seccomp program %zu",
				       i + 1);
		}
	}
}

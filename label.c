/* label: SELinux through its kernel interfaces only (selinuxfs and /proc/PID/attr), so no
 * libselinux is needed: a context is valid when selinuxfs' "context" file accepts it, and
 * the context of the next exec is written to attr/exec (proc(5)). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "label.h"
#include "util.h"

bool label_selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static bool context_valid(const char *label)
{
	_cleanup_close_ int fd = open("/sys/fs/selinux/context", O_RDWR | O_CLOEXEC);

	return fd >= 0 && write_all(fd, label, strlen(label) + 1) == 0;
}

int label_check(const char *exec_label, const char *file_label, struct error *err)
{
	const char *labels[] = { exec_label, file_label };

	for (size_t i = 0; i < 2; i++) {
		if (!labels[i])
			continue;
		if (!label_selinux_enabled())
			return error_set(err, "%s", msg(MSG_LABEL_UNSUPPORTED));
		if (!context_valid(labels[i])) {
			err->exit_code = face->exit_setup;
			return error_set_errno(err, errno ? errno : EINVAL, msg(MSG_LABEL_INVALID),
					       labels[i]);
		}
	}
	return 0;
}

void label_child_exec(const char *exec_label, int procfd)
{
	if (!exec_label)
		return;
	if (write_file_at(procfd, "attr/exec", exec_label) < 0)
		die_errno(msg(MSG_LABEL_EXEC), exec_label);
}

/* caps: capability names (through libcap) and the command's final capability sets.
 * caps_parse_name runs in the parser, caps_all in the parent; caps_child_apply in the child. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "util.h"

/* Highest capability number the running kernel knows, or -1 if /proc does not say. */
static int read_cap_last_cap(void)
{
	char buf[16];
	ssize_t n;
	long v;
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (parse_int(buf, 0, 63, &v) < 0)
		return -1;
	return (int)v;
}

uint64_t caps_all(void)
{
	int last = read_cap_last_cap();

	if (last < 0) {
		/* No /proc (yet): libcap probes the kernel with prctl(PR_CAPBSET_READ). */
		last = (int)cap_max_bits() - 1;
		if (last < 0 || last > 63)
			last = CAP_LAST_CAP;
	}
	return last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

static int unknown_cap(const char *name, struct error *err)
{
	return error_set(err, msg(MSG_CAP_UNKNOWN_REASON), name);
}

int caps_parse_name(const char *name, struct error *err)
{
	char buf[64];
	cap_value_t cap;
	size_t i, off = 0;

	if (strcasecmp(name, "ALL") == 0)
		return -2;
	/* libcap takes "cap_net_admin" in any case and numbers; we also take "net_admin". */
	if (cap_from_name(name, &cap) == 0 && cap >= 0 && cap < 64)
		return cap;
	if (strncasecmp(name, "cap_", 4) != 0) {
		memcpy(buf, "cap_", 4);
		off = 4;
	}
	if (strlen(name) + off >= sizeof(buf) || !*name)
		return unknown_cap(name, err);
	for (i = 0; name[i]; i++)
		buf[off + i] = (char)tolower((unsigned char)name[i]);
	buf[off + i] = '\0';
	if (cap_from_name(buf, &cap) == 0 && cap >= 0 && cap < 64)
		return cap;
	return unknown_cap(name, err);
}

static bool has_cap(uint64_t set, int cap)
{
	return (set >> cap) & 1;
}

/* Raise every cap of keep (up to last) in the ambient set; raising needs the cap in both the
 * permitted and the inheritable sets (capabilities(7)). bubblewrap ignores EPERM and EINVAL
 * (a cap it may not raise; a kernel without ambient capabilities); the hutch face fails. */
static void raise_ambient(uint64_t keep, int last)
{
	for (int cap = 0; cap <= last; cap++) {
		if (!has_cap(keep, cap))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0)
			continue;
		if (face->caps_best_effort && (errno == EPERM || errno == EINVAL))
			continue;
		die_errno(msg(MSG_CAP_AMBIENT_RAISE), cap);
	}
}

void caps_child_apply(uint64_t keep, uint64_t all, bool ambient, bool bounding_only)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int last = 63;
	int cap;

	keep &= all;
	while (last > 0 && !has_cap(all, last))
		last--;
	if (face->caps_ambient_always)
		ambient = true;

	/* Bounding set first: PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, which
	 * the capset below may take away (prctl(2)). A caller without CAP_SETPCAP fails only
	 * if there is work to do: EPERM for a cap already out of the set is fine. */
	for (cap = 0; cap <= last; cap++) {
		if (has_cap(keep, cap))
			continue;
		/* One syscall per cap in the usual case; the READ only explains an EPERM. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    !(errno == EPERM && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0))
			die_errno(msg(MSG_CAP_BOUND_DROP), cap);
	}

	/* bubblewrap leaves real root's sets alone when no --cap-add/--cap-drop was given, but
	 * still tries the ambient raise (which succeeds only for caps root has inheritable). */
	if (bounding_only) {
		if (ambient)
			raise_ambient(keep, last);
		return;
	}

	/* Clear the ambient set before lowering permitted/inheritable, so no ambient cap
	 * outlives this call even when `ambient` is false. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die_errno(msg(MSG_CAP_AMBIENT_CLEAR));

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = data[0].inheritable = (uint32_t)keep;
	data[1].effective = data[1].permitted = data[1].inheritable = (uint32_t)(keep >> 32);
	if (capset(&hdr, data) < 0) {
		/* bubblewrap ignores EPERM for real root (drop_all_caps): asked for capabilities
		 * root does not have (--cap-add ALL where root lacks some, as in a container), it
		 * goes on with those root has. The same here, but only when every one of those is
		 * among the asked ones, so no capability the caller dropped is kept. */
		if (errno == EPERM && face->caps_best_effort && getuid() == 0 &&
		    (caps_current_permitted() & ~keep) == 0) {
			if (ambient)
				raise_ambient(keep, last);
			return;
		}
		die_errno(msg(MSG_CAP_SET_COMMAND));
	}

	/* A non-root command keeps its capabilities across execve() only through the ambient
	 * set (capabilities(7)). */
	if (ambient)
		raise_ambient(keep, last);
}

void caps_child_clear(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	/* Emptying permitted also empties the ambient set (capabilities(7)). */
	memset(data, 0, sizeof(data));
	if (capset(&hdr, data) < 0)
		die_errno(msg(MSG_CAP_CLEAR_REAPER));
}

uint64_t caps_current_permitted(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (capget(&hdr, data) < 0)
		return UINT64_MAX;
	return ((uint64_t)data[1].permitted << 32) | data[0].permitted;
}

uint64_t caps_current_effective(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (capget(&hdr, data) < 0)
		return 0;
	return ((uint64_t)data[1].effective << 32) | data[0].effective;
}

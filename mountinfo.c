/* mountinfo: /proc/self/mountinfo read (decoded) and, for the mount fallback, which mounts of
 * a bound tree still need their flags. Pure (unit-mountinfo); called by the setup child
 * (mount.c, on kernels without mount_setattr). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mount.h"
#include "mountinfo.h"
#include "util.h"

/* mountinfo escapes ' ', '\t', '\n' and '\\' in paths as \ooo (seq_path_root() with
 * " \t\n\\"); decode in place. -1 on a backslash the kernel would not have written. */
static int mountinfo_unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (*s != '\\') {
			*out++ = *s++;
			continue;
		}
		if (s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' || s[3] < '0' ||
		    s[3] > '7')
			return -1;
		*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
		s += 4;
	}
	*out = '\0';
	return 0;
}

static int mountinfo_id(const char *s, int *out)
{
	long v;

	if (parse_int(s, 0, INT_MAX, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

int mountinfo_parse(char *buf, struct mountinfo_entry **out, size_t *count)
{
	struct mountinfo_entry *ents = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;

	*out = NULL;
	*count = 0;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent major:minor root mountpoint options ... (proc_pid_mountinfo(5));
		 * fields are separated by single spaces, which paths never hold unescaped. */
		char *f[6];
		char *p = line;
		int k;

		for (k = 0; k < 6 && p; k++) {
			f[k] = p;
			p = strchr(p, ' ');
			if (p)
				*p++ = '\0';
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = xrealloc(ents, cap * sizeof(*ents));
		}
		if (k < 6 || mountinfo_id(f[0], &ents[n].id) < 0 ||
		    mountinfo_id(f[1], &ents[n].parent) < 0 || f[4][0] != '/' ||
		    mountinfo_unescape(f[4]) < 0) {
			/* A line not understood may be a mount below the tree: never skipped. */
			free(ents);
			errno = EINVAL;
			return -1;
		}
		ents[n].mountpoint = f[4];
		ents[n].options = f[5];
		n++;
	}
	*out = ents;
	*count = n;
	return 0;
}

static bool option_set(const char *options, const char *word)
{
	size_t len = strlen(word);

	for (const char *o = options;;) {
		size_t l = strcspn(o, ",");

		if (l == len && strncmp(o, word, len) == 0)
			return true;
		if (!o[l])
			return false;
		o += l + 1;
	}
}

/* Does the comma-separated per-mount option list show every flag of attrs? */
static bool options_have(const char *options, unsigned attrs)
{
	return (!(attrs & HMNT_RDONLY) || option_set(options, "ro")) &&
	       (!(attrs & HMNT_NOSUID) || option_set(options, "nosuid")) &&
	       (!(attrs & HMNT_NODEV) || option_set(options, "nodev")) &&
	       (!(attrs & HMNT_NOEXEC) || option_set(options, "noexec"));
}

static int cmp_by_id(const void *a, const void *b, void *data)
{
	const struct mountinfo_entry *ents = data;
	int x = ents[*(const size_t *)a].id, y = ents[*(const size_t *)b].id;

	return (x > y) - (x < y);
}

/* The index of the entry with mount id `id`, or -1. */
static long find_id(const struct mountinfo_entry *ents, const size_t *by_id, size_t n, int id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ents[by_id[mid]].id == id)
			return (long)by_id[mid];
		if (ents[by_id[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int mountinfo_plan(const struct mountinfo_entry *ents, size_t n, int top, unsigned attrs,
		   struct mountinfo_todo **todo, size_t *ntodo)
{
	_cleanup_free_ size_t *by_id = xcalloc(n + 1, sizeof(*by_id));
	_cleanup_free_ bool *covered = xcalloc(n + 1, sizeof(*covered));
	_cleanup_free_ struct mountinfo_todo *list = xcalloc(n + 1, sizeof(*list));
	size_t count = 0;

	*todo = NULL;
	*ntodo = 0;
	for (size_t i = 0; i < n; i++)
		by_id[i] = i;
	qsort_r(by_id, n, sizeof(*by_id), cmp_by_id, (void *)ents);
	for (size_t i = 1; i < n; i++)
		if (ents[by_id[i]].id == ents[by_id[i - 1]].id) {
			errno = EINVAL; /* one mount listed twice: the read raced a change */
			return -1;
		}
	/* A mount stacked on the root of its parent (same mount point: only the root of the
	 * parent has the parent's own path) covers that parent. */
	for (size_t i = 0; i < n; i++) {
		long p = find_id(ents, by_id, n, ents[i].parent);

		if (p >= 0 && (size_t)p != i && strcmp(ents[p].mountpoint, ents[i].mountpoint) == 0)
			covered[p] = true;
	}
	long t = find_id(ents, by_id, n, top);
	if (t < 0) {
		errno = ENOENT;
		return -1;
	}
	long tp = find_id(ents, by_id, n, ents[t].parent);
	/* The tree must be the only mount at its mount point: neither covered (the new mount
	 * would not be what is seen there) nor stacked on another mount there (that one, not
	 * the tree, would move into place). */
	if (covered[t] ||
	    (tp >= 0 && tp != t && strcmp(ents[tp].mountpoint, ents[t].mountpoint) == 0)) {
		errno = EBUSY;
		return -1;
	}
	const char *top_mp = ents[t].mountpoint;
	size_t top_len = strcmp(top_mp, "/") == 0 ? 0 : strlen(top_mp);
	for (size_t i = 0; i < n; i++) {
		bool below = (long)i == t, hidden = covered[i];
		long j = (long)i;

		/* Up the parent chain to the top, at most n steps (a loop is no tree). A lookup
		 * of the mount point reaches a mount when it reaches the spot it is mounted on
		 * and nothing covers it; the spot is in the parent, and reached when the parent
		 * is (the spot is the parent's root: a stack) or when the parent is reached and
		 * not covered (the spot is inside the parent). */
		for (size_t steps = 0; !below && j >= 0 && steps < n; steps++) {
			long p = ents[j].parent == ents[j].id ?
					 -1 :
					 find_id(ents, by_id, n, ents[j].parent);

			if (p < 0)
				break;
			if (covered[p] && strcmp(ents[p].mountpoint, ents[j].mountpoint) != 0)
				hidden = true;
			j = p;
			below = j == t;
		}
		if (!below)
			continue;
		/* A covered mount, or one inside it, is skipped: nothing can reach it.
		 * - hutch cannot: every path to it crosses the root of the covered mount, and
		 *   a lookup that reaches a mount point goes on to the top of its stack; ".."
		 *   from the cover's root climbs past the covered mount's root as well.
		 * - The sandbox cannot either. Without CAP_SYS_ADMIN over its mount namespace it
		 *   cannot unmount or move the cover. In a user namespace the cover is a copy
		 *   of a mount of the more privileged namespace, MNT_LOCKED, which the kernel
		 *   refuses to unmount or move even with that capability (umount(2), EINVAL), and
		 *   an unmount propagated from the host never takes a locked mount off what it
		 *   covers. With CAP_SYS_ADMIN over mounts that are not locked (real root, no
		 *   user namespace, --cap-add CAP_SYS_ADMIN) mount flags are no boundary: it can
		 *   remount any mount it sees read-write.
		 * What remains is the host's own doing: root without a user namespace, where the
		 * copies are slaves of the host's mounts and not locked, an unmount of the cover
		 * on the host propagates and shows the covered mount with the host's flags. */
		if (hidden)
			continue;
		const char *mp = ents[i].mountpoint, *rel = "";
		if ((long)i != t) {
			if (strncmp(mp, top_mp, top_len) != 0 || mp[top_len] != '/' ||
			    !mp[top_len + 1]) {
				errno = EXDEV; /* below the top's mount, but not below its path */
				return -1;
			}
			rel = mp + top_len + 1;
		}
		if (!options_have(ents[i].options, attrs))
			list[count++] = (struct mountinfo_todo){ ents[i].id, rel };
	}
	*todo = steal_pointer(&list);
	*ntodo = count;
	return 0;
}

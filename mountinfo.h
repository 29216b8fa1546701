/* mountinfo: /proc/self/mountinfo read (decoded) and, for the mount fallback, which mounts of
 * a bound tree still need their flags (HMNT_* of mount.h). Pure; called by the setup child. */
#ifndef HUTCH_MOUNTINFO_H
#define HUTCH_MOUNTINFO_H

#include <stddef.h>

struct mountinfo_entry {
	int id, parent;
	char *mountpoint; /* decoded (mountinfo writes \040 for ' ', \011, \012, \134) */
	char *options;	  /* per-mount options: "ro,nosuid,nodev,relatime" */
};
/* Split buf (modified: the entries point into it) into entries, *out malloc'd. -1 EINVAL when
 * a line is not understood: it could be a mount that needs changing. */
int mountinfo_parse(char *buf, struct mountinfo_entry **out, size_t *n);

struct mountinfo_todo {
	int id;		 /* mount id */
	const char *rel; /* its mount point relative to the top's ("" for the top), in ents */
};
/* The mounts of the tree whose top has mount id `top` that do not show every flag of attrs,
 * into *todo (malloc'd), or -1 with errno: ENOENT top is not listed, EBUSY the top is covered
 * or stacked on another mount at its mount point, EXDEV a mount of the tree has its mount point
 * outside the top's path, EINVAL a mount id listed twice. A mount covered by another at its
 * mount point, and every mount inside it, is left out: nothing can reach it (mountinfo.c says
 * why). */
int mountinfo_plan(const struct mountinfo_entry *ents, size_t n, int top, unsigned attrs,
		   struct mountinfo_todo **todo, size_t *ntodo);

#endif

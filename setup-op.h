/* setup-op: the ordered list of root-filesystem operations and the rules between options.
 * Pure code, called by the parser and the validator in the parent before any clone. */
#ifndef HUTCH_SETUP_OP_H
#define HUTCH_SETUP_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

enum setup_op_type {
	SETUP_BIND,	    /* --bind SRC DEST            src, dest */
	SETUP_RO_BIND,	    /* --ro-bind SRC DEST         src, dest */
	SETUP_DEV_BIND,	    /* --dev-bind SRC DEST        src, dest */
	SETUP_BIND_FD,	    /* --bind-fd FD DEST          fd, dest */
	SETUP_RO_BIND_FD,   /* --ro-bind-fd FD DEST       fd, dest */
	SETUP_REMOUNT_RO,   /* --remount-ro DEST          dest */
	SETUP_TMPFS,	    /* --tmpfs DEST               dest, perms, size */
	SETUP_PROC,	    /* --proc DEST                dest */
	SETUP_DEV,	    /* --dev DEST                 dest */
	SETUP_MQUEUE,	    /* --mqueue DEST              dest */
	SETUP_DIR,	    /* --dir DEST                 dest, perms */
	SETUP_SYMLINK,	    /* --symlink TARGET DEST      src = link target, dest */
	SETUP_CHMOD,	    /* --chmod OCTAL PATH         perms, dest */
	SETUP_FILE,	    /* --file FD DEST             fd, dest, perms */
	SETUP_BIND_DATA,    /* --bind-data FD DEST        fd, dest, perms */
	SETUP_RO_BIND_DATA, /* --ro-bind-data FD DEST     fd, dest, perms */
	SETUP_OVERLAY_SRC,  /* --overlay-src SRC          src (a layer of the next overlay) */
	SETUP_OVERLAY,	    /* --overlay RWSRC WORKDIR DEST  src = rwsrc, workdir, dest */
	SETUP_TMP_OVERLAY,  /* --tmp-overlay DEST         dest */
	SETUP_RO_OVERLAY,   /* --ro-overlay DEST          dest */
	SETUP_LOCK_FILE,    /* --lock-file DEST           dest (opened and locked after setup) */
	SETUP_MASK,	    /* --mask PATH                dest (an empty read-only file or dir) */
};

/* --bind-try and friends: a missing source is skipped silently. */
#define SETUP_FLAG_ALLOW_MISSING 0x1u

#define SETUP_PERMS_UNSET (-1)

struct setup_op {
	enum setup_op_type type;
	unsigned flags;
	const char *src;     /* host path, link target or overlay layer; not owned */
	const char *dest;    /* path inside the sandbox, as given; not owned */
	const char *workdir; /* --overlay only */
	int fd;		     /* -1 unless the option takes an fd */
	int perms;	     /* SETUP_PERMS_UNSET or 0..07777 */
	uint64_t size;	     /* --size in bytes, 0: unset */
	const char *option;  /* the option's name without dashes, for messages: "ro-bind" */
	const char *origin;  /* the shortcut it came from ("base"), or NULL */
	struct setup_op *next;
};

struct setup_list {
	struct setup_op *head;
	struct setup_op *tail;
	unsigned count;
};

/* The OCI runtime spec's default maskedPaths and readonlyPaths under /proc (as runc's and
 * crun's default spec, and moby's, list them), relative to the proc mount, NULL-terminated:
 * what --proc hides and makes read-only in a face with proc_masks (face.h). */
extern const char *const setup_proc_masked[];
extern const char *const setup_proc_readonly[];

/* Appends a zeroed op (fd = -1, perms unset) of this type and returns it. */
struct setup_op *setup_list_append(struct setup_list *list, enum setup_op_type type,
				   const char *option);
void setup_list_free(struct setup_list *list);

/* Human name of an op type: the option without dashes ("ro-bind"). */
const char *setup_op_name(enum setup_op_type type);

/* The rules of the op list itself (modifiers and overlay layers where they belong); the
 * rules between options are the planner's (plan.c). 0 or -1 with err filled. */
int setup_validate_ops(const struct setup_list *ops, struct error *err);

#endif

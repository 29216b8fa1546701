/* setup-op: the ordered list of root-filesystem operations and the rules between options.
 * Pure code: the parser appends, setup_validate_ops() checks, nothing here touches the kernel
 * except getuid()/getgid(), which bubblewrap's --uid/--gid rule compares against. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "setup-op.h"
#include "util.h"

static const char *const op_names[] = {
	[SETUP_BIND] = "bind",
	[SETUP_RO_BIND] = "ro-bind",
	[SETUP_DEV_BIND] = "dev-bind",
	[SETUP_BIND_FD] = "bind-fd",
	[SETUP_RO_BIND_FD] = "ro-bind-fd",
	[SETUP_REMOUNT_RO] = "remount-ro",
	[SETUP_TMPFS] = "tmpfs",
	[SETUP_PROC] = "proc",
	[SETUP_DEV] = "dev",
	[SETUP_MQUEUE] = "mqueue",
	[SETUP_DIR] = "dir",
	[SETUP_SYMLINK] = "symlink",
	[SETUP_CHMOD] = "chmod",
	[SETUP_FILE] = "file",
	[SETUP_BIND_DATA] = "bind-data",
	[SETUP_RO_BIND_DATA] = "ro-bind-data",
	[SETUP_OVERLAY_SRC] = "overlay-src",
	[SETUP_OVERLAY] = "overlay",
	[SETUP_TMP_OVERLAY] = "tmp-overlay",
	[SETUP_RO_OVERLAY] = "ro-overlay",
	[SETUP_LOCK_FILE] = "lock-file",
	[SETUP_MASK] = "mask",
};

/* moby's oci/defaults.go has these and /sys/firmware and /sys/devices/virtual/powercap, which
 * are not proc's (hutch(1), --mask: a bound /sys is the caller's to mask). A name the running
 * kernel does not have is skipped, as runc skips it. */
const char *const setup_proc_masked[] = {
	"asound",     "acpi",	     "interrupts",  "kcore", "keys", "latency_stats",
	"timer_list", "timer_stats", "sched_debug", "scsi",  NULL,
};

/* sys, sysrq-trigger, irq and bus are what every face's --proc covers already (rootfs-ops.c);
 * fs is the OCI list's one more. */
const char *const setup_proc_readonly[] = { "bus", "fs", "irq", "sys", "sysrq-trigger", NULL };

const char *setup_op_name(enum setup_op_type type)
{
	if ((unsigned)type >= sizeof(op_names) / sizeof(op_names[0]) || !op_names[type])
		return "?";
	return op_names[type];
}

struct setup_op *setup_list_append(struct setup_list *list, enum setup_op_type type,
				   const char *option)
{
	struct setup_op *op = xcalloc(1, sizeof(*op));

	op->type = type;
	op->fd = -1;
	op->perms = SETUP_PERMS_UNSET;
	op->option = option ? option : setup_op_name(type);
	if (list->tail)
		list->tail->next = op;
	else
		list->head = op;
	list->tail = op;
	list->count++;
	return op;
}

void setup_list_free(struct setup_list *list)
{
	struct setup_op *op = list->head;

	while (op) {
		struct setup_op *next = op->next;

		free(op);
		op = next;
	}
	list->head = list->tail = NULL;
	list->count = 0;
}

static bool is_overlay(enum setup_op_type type)
{
	return type == SETUP_OVERLAY || type == SETUP_TMP_OVERLAY || type == SETUP_RO_OVERLAY;
}

static bool takes_perms(enum setup_op_type type)
{
	switch (type) {
	case SETUP_TMPFS:
	case SETUP_DIR:
	case SETUP_FILE:
	case SETUP_BIND_DATA:
	case SETUP_RO_BIND_DATA:
	case SETUP_CHMOD:
		return true;
	default:
		return false;
	}
}

static int layers_error(enum setup_op_type type, unsigned need, struct error *err)
{
	const char *name = setup_op_name(type);

	return error_set(err, msg(MSG_OVERLAY_LAYERS), name, need == 1 ? "one" : "two",
			 need == 1 ? "" : "s");
}

static int dangling_layers(struct error *err)
{
	return error_set(err, msg(MSG_OVERLAY_SRC_DANGLING));
}

/* The parser already enforces these while it builds the list; checking the list itself keeps
 * the executor's assumptions (layers precede their overlay, modifiers only where they fit)
 * true for any config, including ones built by hand. */
int setup_validate_ops(const struct setup_list *ops, struct error *err)
{
	const struct setup_op *op;
	unsigned layers = 0;

	for (op = ops->head; op; op = op->next) {
		if (op->type == SETUP_OVERLAY_SRC) {
			layers++;
			continue;
		}
		if (op->type == SETUP_RO_OVERLAY && layers < 2)
			return layers_error(op->type, 2, err);
		if (is_overlay(op->type) && layers < 1)
			return layers_error(op->type, 1, err);
		if (!is_overlay(op->type) && layers > 0)
			return dangling_layers(err);
		layers = 0;
		if (op->perms != SETUP_PERMS_UNSET &&
		    (!takes_perms(op->type) || op->perms < 0 || op->perms > 07777))
			return error_set(err, msg(MSG_PERMS_DANGLING));
		if (op->size && op->type != SETUP_TMPFS)
			return error_set(err, msg(MSG_SIZE_DANGLING));
	}
	if (layers > 0)
		return dangling_layers(err);
	return 0;
}

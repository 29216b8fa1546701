/* face: the one table of differences between the hutch and bwrap faces, and the message
 * catalog of each (face-messages.h). Everything else reads it, never tests the face. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "face.h"

static const char *const hutch_msgs[MSG_COUNT] = {
#define MSG(id, hutch_text, bwrap_text) [MSG_##id] = hutch_text,
#include "face-messages.h"
#undef MSG
};

static const char *const bwrap_msgs[MSG_COUNT] = {
#define MSG(id, hutch_text, bwrap_text) [MSG_##id] = bwrap_text,
#include "face-messages.h"
#undef MSG
};

static const char *const msg_names[MSG_COUNT] = {
#define MSG(id, hutch_text, bwrap_text) [MSG_##id] = #id,
#include "face-messages.h"
#undef MSG
};

static const struct face face_table[FACE_COUNT] = {
	[FACE_HUTCH] = {
		.id = FACE_HUTCH,
		.prog = "hutch",
		.msgs = hutch_msgs,
		.option_bit = 1u << FACE_HUTCH,
		.exit_usage = 64, /* EX_USAGE, as argp uses */
		.exit_setup = 125,
		.exit_exec = 126,
		.exit_notfound = 127,
		.exit_timeout = 124,
		.exit_cputime = 123,
		.exit_pids = 122,
		.exit_oom = 121,
		.default_seccomp = "default",
		.close_inherited_fds = true,
		.closed_fd_is_error = true,
		.refuse_empty_seccomp = true,
		.root_keeps_caps = false,
		.root_userns = true,
		.root_as_nobody = true,
		.caps_ambient_always = false,
		.caps_best_effort = false,
		.file_umask = true,
		.proc_cover_all = true,
		.proc_masks = true,
		.source_missing_early = false,
		.kill_leftovers = true,
		.die_with_parent = true,
		.in_place = true,
		.forward_signals = true,
		.setup_signal_is_failure = true,
		.status_extra_docs = true,
		.args_tail_dropped = false,
		.modifiers_checked_at_end = true,
		.usage_without_command = false,
		.size_any_base = false,
		.missing_arg_by_option = false,
		.help_own_words = true,
		.mark_mounts = true,
		.join_option = true,
		.exec_diagnosis = true,
		.plan_warnings = true,
		.hints = true,
	},
	[FACE_BWRAP] = {
		.id = FACE_BWRAP,
		.prog = "bwrap",
		.msgs = bwrap_msgs,
		.option_bit = 1u << FACE_BWRAP,
		.exit_usage = 1,
		.exit_setup = 1,
		.exit_exec = 1,
		.exit_notfound = 1,
		/* The limits are new to this face: the same statuses as the hutch face. */
		.exit_timeout = 124,
		.exit_cputime = 123,
		.exit_pids = 122,
		.exit_oom = 121,
		.default_seccomp = NULL,
		.close_inherited_fds = false,
		.closed_fd_is_error = false,
		.refuse_empty_seccomp = false, /* the kernel refuses it at load time (EINVAL) */
		.root_keeps_caps = true,
		.root_userns = false,
		.root_as_nobody = false,
		/* bubblewrap raises what it keeps in the ambient set whatever the uid, 0 included
		 * (set_ambient_capabilities), so the command's children keep them across execve. */
		.caps_ambient_always = true,
		.caps_best_effort = true,
		.file_umask = false,
		.proc_cover_all = false, /* only those still writable for the sandbox's ids */
		.proc_masks = false,	 /* bubblewrap's /proc exactly */
		.source_missing_early = true,
		.kill_leftovers = false, /* bubblewrap's pid 1 stays while anything is left */
		.die_with_parent = false,
		.in_place = false, /* bubblewrap stays as the parent: 128+N, SIGTERM ends it */
		.forward_signals = false,
		.setup_signal_is_failure = false, /* bubblewrap reports the process's own status */
		.status_extra_docs = false,	  /* bubblewrap's documents alone unless asked */
		.args_tail_dropped = true, /* bubblewrap stops reading the words there */
		.modifiers_checked_at_end = false,
		.usage_without_command = true,
		.size_any_base = true,
		.missing_arg_by_option = true,
		.help_own_words = false,
		.mark_mounts = false, /* bubblewrap's names: flatpak compares mount tables */
		.join_option = false,
		.exec_diagnosis = false, /* "execvp CMD: ERROR" */
		.plan_warnings = false, /* bubblewrap says none of them */
		.hints = false,
	},
};

const struct face *face = &face_table[FACE_HUTCH];

void face_set(enum face_id id)
{
	face = &face_table[id];
}

const struct face *face_get(enum face_id id)
{
	return &face_table[id];
}

const char *face_msg_name(enum msg_id id)
{
	return msg_names[id];
}

const char *face_msg(enum msg_id id, const char *hutch_text)
{
	(void)hutch_text; /* there for the compiler's format check only */
	return face->msgs[id];
}

static bool named_bwrap(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	base = base ? base + 1 : path;
	return base && strcmp(base, "bwrap") == 0;
}

void face_select(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	char exe[PATH_MAX];
	ssize_t n;

	base = base ? base + 1 : argv0;
	/* The name it was started under decides: `bwrap` (a link or copy of hutch) is the bwrap
	 * face, `hutch` the hutch face. Started under any other name (a program re-running
	 * itself through /proc/self/exe, as bubblewrap's own tests and sandboxes nested in
	 * sandboxes do), the executable's own file name decides: a bwrap installed as a hard
	 * link or copy nests as bubblewrap does. */
	if (base && (strcmp(base, "bwrap") == 0 || strcmp(base, "hutch") == 0)) {
		face_set(strcmp(base, "bwrap") == 0 ? FACE_BWRAP : FACE_HUTCH);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	face_set(named_bwrap(exe) ? FACE_BWRAP : FACE_HUTCH);
}

void face_print_table(void)
{
	const struct face *h = &face_table[FACE_HUTCH], *b = &face_table[FACE_BWRAP];

#define INT_ROW(f)  printf("%s %d %d\n", #f, h->f, b->f)
#define BOOL_ROW(f) printf("%s %d %d\n", #f, (int)h->f, (int)b->f)
	printf("prog %s %s\n", h->prog, b->prog);
	printf("default_seccomp %s %s\n", h->default_seccomp ? h->default_seccomp : "-",
	       b->default_seccomp ? b->default_seccomp : "-");
	INT_ROW(exit_usage);
	INT_ROW(exit_setup);
	INT_ROW(exit_exec);
	INT_ROW(exit_notfound);
	INT_ROW(exit_timeout);
	INT_ROW(exit_cputime);
	INT_ROW(exit_pids);
	INT_ROW(exit_oom);
	BOOL_ROW(close_inherited_fds);
	BOOL_ROW(closed_fd_is_error);
	BOOL_ROW(refuse_empty_seccomp);
	BOOL_ROW(root_keeps_caps);
	BOOL_ROW(root_userns);
	BOOL_ROW(root_as_nobody);
	BOOL_ROW(caps_ambient_always);
	BOOL_ROW(caps_best_effort);
	BOOL_ROW(file_umask);
	BOOL_ROW(proc_cover_all);
	BOOL_ROW(proc_masks);
	BOOL_ROW(source_missing_early);
	BOOL_ROW(kill_leftovers);
	BOOL_ROW(die_with_parent);
	BOOL_ROW(in_place);
	BOOL_ROW(forward_signals);
	BOOL_ROW(setup_signal_is_failure);
	BOOL_ROW(status_extra_docs);
	BOOL_ROW(args_tail_dropped);
	BOOL_ROW(modifiers_checked_at_end);
	BOOL_ROW(usage_without_command);
	BOOL_ROW(size_any_base);
	BOOL_ROW(missing_arg_by_option);
	BOOL_ROW(help_own_words);
	BOOL_ROW(mark_mounts);
	BOOL_ROW(join_option);
	BOOL_ROW(exec_diagnosis);
	BOOL_ROW(plan_warnings);
	BOOL_ROW(hints);
#undef INT_ROW
#undef BOOL_ROW
	/* The messages by name (their texts: face-messages.h). */
	for (int i = 0; i < MSG_COUNT; i++)
		printf("msg %s\n", msg_names[i]);
}

/* face: the one table of differences between the hutch and bwrap faces (behaviour fields and
 * every message text of each face). Read by every hutch process: parent, setup child, pid 1. */
#ifndef HUTCH_FACE_H
#define HUTCH_FACE_H

#include <stdbool.h>

/* The faces differ only through this table: no code outside face.c asks which face it runs
 * (no face->id test); it reads a field or a message below. */
enum face_id { FACE_HUTCH = 0, FACE_BWRAP = 1, FACE_COUNT };

/* The message catalog: one id per message, its text in each face in face-messages.h. */
enum msg_id {
#define MSG(id, hutch_text, bwrap_text) MSG_##id,
#include "face-messages.h"
#undef MSG
	MSG_COUNT
};

struct face {
	enum face_id id;	 /* for face-selection code and the table dump only */
	const char *prog;	 /* prefix of every message: "hutch" or "bwrap" */
	const char *const *msgs; /* the text of each msg_id in this face */
	unsigned option_bit;	 /* options-table.h's OPTION_IN bit of this face */
	/* Exit statuses. */
	int exit_usage;	   /* bad command line */
	int exit_setup;	   /* the sandbox could not be set up */
	int exit_exec;	   /* the command exists but could not be executed */
	int exit_notfound; /* the command was not found */
	int exit_timeout;  /* --timeout ended the sandbox */
	int exit_cputime;  /* the command used up --rlimit cpu (SIGXCPU) */
	int exit_pids;	   /* the command failed after --pids refused a fork */
	int exit_oom;	   /* the OOM killer killed in the sandbox's cgroup */
	/* Defaults and policy. */
	const char *default_seccomp; /* profile applied unless told otherwise; NULL: none */
	bool close_inherited_fds;    /* fds > 2 not named by --pass-fd are closed before exec */
	bool closed_fd_is_error; /* an option naming a closed fd is an error (bwrap: per option) */
	bool refuse_empty_seccomp; /* an empty --add-seccomp-fd program is refused when parsed */
	bool root_keeps_caps;	   /* real root without --unshare-user keeps its capabilities */
	bool root_userns;	   /* real root gets a user namespace too (no host capability) */
	bool root_as_nobody;	   /* ... mapped onto nobody unless --host-uid says otherwise */
	bool caps_ambient_always;  /* kept capabilities go in the ambient set whatever the uid */
	bool caps_best_effort;	   /* root's capset/ambient EPERM keeps what it can (bubblewrap) */
	bool file_umask;	   /* --file without --perms: 0666 less the caller's umask */
	bool proc_cover_all;	   /* --proc covers sys, sysrq-trigger, irq, bus whatever the ids */
	bool proc_masks; /* --proc hides and covers the OCI default paths (setup-op.h's lists) */
	bool source_missing_early; /* a bind source behind a missing link fails when resolved */
	/* Process shape. */
	bool kill_leftovers;	      /* what the command leaves running dies with it */
	bool die_with_parent;	      /* --die-with-parent always */
	bool in_place;		      /* no helper needed: hutch becomes the command (no parent) */
	bool forward_signals;	      /* SIGINT, SIGTERM... to hutch go on to the command */
	bool setup_signal_is_failure; /* setup or pid 1 killed before the status: say so, fail */
	bool status_extra_docs;	      /* --json-status-fd always gets hutch's extra documents */
	/* Command line. */
	bool args_tail_dropped;	       /* --args: words after the command in the fd are dropped */
	bool modifiers_checked_at_end; /* a --perms/--size left dangling at the end is an error */
	bool usage_without_command;    /* no command: print the usage on stderr, exit_usage */
	bool size_any_base;	       /* --size reads 0x10 and 010 as C does (strtoull base 0) */
	bool missing_arg_by_option;    /* each option words its missing-argument message itself */
	bool help_own_words; /* --help: the option texts of options-table.c's help_hutch */
	/* Messages. */
	bool mark_mounts;    /* what it mounts is named "hutch" (the mark --join looks for) */
	bool join_option;    /* hutch --join PID COMMAND */
	bool exec_diagnosis; /* a failed exec names the missing interpreter */
	bool plan_warnings;  /* the planner's warnings (a covered op, no /dev/null...) said */
	bool hints;	     /* "hint:" lines after an error (bubblewrap's clients parse
				      * stderr: none there) */
};

/* File-scope state allowed (docs/architecture.md, "Conventions"): the face (and with it the
 * program name). */
extern const struct face *face;
void face_select(const char *argv0);
void face_set(enum face_id id);
/* The table entry of a face, for the tests that walk the table. */
const struct face *face_get(enum face_id id);

/* Each hutch text as a named array, so that the compiler checks every call site's arguments
 * against it through face_msg's format_arg; the other face's text has the same conversions
 * or a prefix of them (tests/unit-face.c), so one call serves both. */
#define MSG(id, hutch_text, bwrap_text) \
	static const char MSG_##id##_hutch_text[] __attribute__((unused)) = hutch_text;
#include "face-messages.h"
#undef MSG

__attribute__((format_arg(2))) const char *face_msg(enum msg_id id, const char *hutch_text);
/* The current face's text of message `id` (MSG_X), as a printf format. */
#define msg(id) face_msg(id, id##_hutch_text)

/* "CANNOT_OPEN" for MSG_CANNOT_OPEN. */
const char *face_msg_name(enum msg_id id);

/* Prints the table, one "field hutch bwrap" line each (the test build's --face-table). */
void face_print_table(void);

#endif

/* options-table: the one table of options (name, arguments, faces, help text, what each does)
 * and what the parser's files share. Private to options*.c; the parent's parser calls it. */
#ifndef HUTCH_OPTIONS_TABLE_H
#define HUTCH_OPTIONS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "setup-op.h"
#include "util.h"

/* The most words an option takes (--overlay RWSRC WORKDIR DEST). */
#define OPTION_MAX_ARGS 3

/* What an option does, when it fits a generic kind; OPTION_CALL otherwise. `field` is an
 * offset into struct config (the table's CFG() checks its type). */
enum option_kind {
	OPTION_CALL,	 /* a handler of its own: row.call */
	OPTION_SET_BOOL, /* bool field = row.value */
	OPTION_SET_NS,	 /* enum ns_req field = NS_YES; NS_TRY only over NS_NO */
	OPTION_FD,	 /* int field = FD (-1: not given) */
	OPTION_FD_LIST,	 /* FD appended to a struct int_list field */
	OPTION_STRING,	 /* const char * field = the argument (NULL: not given) */
	OPTION_ID,	 /* uint32_t field = UID or GID, bool field_set = true */
	OPTION_ENV,	 /* an environment op of type row.value, on the arguments */
	OPTION_SETUP_OP, /* a setup op appended: row.op */
};

/* What each argument of a setup op becomes. */
enum option_arg_role {
	ARG_NONE,
	ARG_SRC,     /* op->src */
	ARG_DEST,    /* op->dest */
	ARG_WORKDIR, /* op->workdir */
	ARG_FD,	     /* op->fd, a number */
	ARG_MODE,    /* op->perms, an octal mode */
};

struct option_op {
	enum setup_op_type type;
	unsigned char role[OPTION_MAX_ARGS]; /* enum option_arg_role of each argument */
	unsigned setup_flags;		     /* SETUP_FLAG_* */
	bool takes_perms;		     /* a --perms before it applies; else `perms` */
	int perms;	      /* the default mode (SETUP_PERMS_UNSET: the executor's) */
	bool takes_size;      /* a --size before it applies */
	unsigned char layers; /* the --overlay-src layers it needs (and takes) */
};

/* Row flags. */
#define OPTION_LAST_WINS 0x1u /* repeated: the last value wins, with bubblewrap's warning */
#define OPTION_MODIFIER	 0x2u /* modifies the next option (--perms, --size): no check after it */
#define OPTION_LAYER	 0x4u /* an overlay layer: waits for its overlay, no check after it */

/* The faces that know an option: the others reject it as unknown. */
#define OPTION_IN(face_id) (1u << (face_id))
#define IN_HUTCH	   OPTION_IN(FACE_HUTCH)
#define IN_BOTH		   (OPTION_IN(FACE_HUTCH) | OPTION_IN(FACE_BWRAP))

struct argp;
struct parse_ctx;

struct option_row {
	const char *name; /* without the dashes */
	const char *args; /* the names of its arguments, one per word ("SRC DEST"), or NULL */
	unsigned faces;	  /* OPTION_IN() bits */
	/* --help's text; a '\n' continues on an indented line, "bwrap" names the face. */
	const char *doc;
	enum option_kind kind;
	unsigned flags;	  /* OPTION_LAST_WINS, OPTION_MODIFIER, OPTION_LAYER */
	size_t field;	  /* offsetof(struct config, ...) */
	size_t field_set; /* OPTION_ID: the bool that says it was given */
	int value;	  /* OPTION_SET_BOOL, OPTION_ENV, or the handler's */
	struct option_op op;
	/* OPTION_CALL; a[] holds the arguments (NULL past the last). */
	int (*call)(struct parse_ctx *ctx, const struct option_row *o, const char *const *a);
};

/* In bubblewrap's usage() order, then the hutch face's own; --help prints it as it stands. */
extern const struct option_row options_table[];
extern const unsigned options_table_len;

/* One argv being parsed: the command line, or the words read by --args. */
struct level {
	char **argv;
	int argc;
	int word;	      /* index of the word the next option starts at */
	bool nested;	      /* the words of --args or of a shortcut */
	const char *shortcut; /* the shortcut these words stand for ("base"), or NULL */
};

/* What the parser carries from one option to the next: modifiers wait here for their option
 * (docs/architecture.md, "Conventions"). */
struct parse_ctx {
	struct config *cfg;
	struct error *err;
	struct level *lv;
	const struct argp *argp; /* options_table as argp's */
	const char *argv0;
	int next_perms;			     /* --perms waiting for its option, or -1 */
	uint64_t next_size;		     /* --size waiting for --tmpfs, or 0 */
	unsigned layers;		     /* --overlay-src layers waiting for their overlay */
	struct shortcut_host *shortcut_host; /* read at the first shortcut, or NULL */
	char **cmd;			     /* first word of the command, in the top-level argv */
	int cmd_argc;
	bool failed;
	bool exit_now;
	int exit_status;
};

/* options.c: what the handlers share with the generic kinds. */
__attribute__((format(printf, 2, 3))) int options_fail(struct parse_ctx *ctx, const char *fmt, ...);
void options_warn_only_last(const char *name);
int options_arg_fd(struct parse_ctx *ctx, const struct option_row *o, const char *s, int *out);
int options_arg_mode(struct parse_ctx *ctx, const struct option_row *o, const char *s, int *out);
void options_push_fd(struct int_list *l, int v);
/* --args FD: its words parsed as if they stood on the command line there. */
int options_read_args(struct parse_ctx *ctx, const struct option_row *o, const char *const *a);
/* A shortcut (--base, --x11...): the options it stands for (shortcuts.c), parsed right here. */
int options_expand_shortcut(struct parse_ctx *ctx, const struct option_row *o,
			    const char *const *a);

/* options-help.c */
void options_print_usage(FILE *out, const char *argv0);
void options_print_version(void);

#endif

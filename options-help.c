/* options-help: --help and --version of both faces, printed from the option table.
 * Called by the parser (options-table.c's handlers) in the parent. */
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#include <stdio.h>
#include <string.h>

#include "options-table.h"

/* The hutch face's own words where bubblewrap's text says something else of hutch (it is never
 * setuid, it always creates a user namespace, --die-with-parent is always on...) or speaks of
 * containers. Kept apart from the option table so each face's help reads as one text. */
static const struct {
	const char *name, *doc;
} hutch_docs[] = {
	{ "help", "Print this help and exit" },
	{ "version", "Print the version and exit" },
	{ "args", "Read more options from FD, NUL-separated" },
	{ "level-prefix", "Prefix each message with its syslog level: <3> error, <4> warning" },
	{ "unshare-all", "Create every namespace hutch supports (cgroup if it can)" },
	{ "share-net", "Keep the host's network namespace (with --unshare-all)" },
	{ "unshare-user", "Create a new user namespace (hutch always does, unless --userns)" },
	{ "unshare-user-try", "Create a new user namespace (hutch always does, unless --userns)" },
	{ "userns", "Enter the user namespace of FD instead of creating one" },
	{ "lock-file", "Hold a lock on DEST while the sandbox runs" },
	{ "sync-fd", "Keep FD open while the sandbox runs" },
	{ "remount-ro", "Remount DEST read-only (its own mount only, not those below it)" },
	{ "file", "Copy the data read from FD into a new file at DEST" },
	{ "bind-data", "Copy the data read from FD into a file bound on DEST" },
	{ "ro-bind-data", "Copy the data read from FD into a file bound read-only on DEST" },
	{ "seccomp", "Load a compiled seccomp program from FD instead of the profile (once)" },
	{ "add-seccomp-fd", "Load a compiled seccomp program from FD as well (repeatable)" },
	{ "info-fd", "Write the sandbox's pid and namespaces as JSON to FD" },
	{ "json-status-fd", "Write the sandbox's status to FD as JSON documents" },
	{ "new-session", "Run COMMAND in a new session (setsid), away from the terminal" },
	{ "die-with-parent", "Kill the sandbox when hutch's parent dies (always on in hutch)" },
	{ "as-pid-1", "Run COMMAND as pid 1 of the new PID namespace, without a reaper" },
	{ "cap-add", "Keep capability CAP in the sandbox (ALL: every one)" },
	{ "cap-drop", "Drop capability CAP in the sandbox (ALL: every one)" },
};

static const char *option_doc(const struct option_row *o)
{
	if (!face->help_own_words)
		return o->doc;
	for (size_t i = 0; i < sizeof(hutch_docs) / sizeof(hutch_docs[0]); i++)
		if (strcmp(hutch_docs[i].name, o->name) == 0)
			return hutch_docs[i].doc;
	return o->doc;
}

/* Prints `doc`, indenting continuation lines; the hutch face names itself where bubblewrap's
 * text says "bwrap". */
static void print_doc(FILE *out, const char *doc)
{
	const char *p;

	for (p = doc; *p; p++) {
		if (*p == '\n') {
			fprintf(out, "\n%33s", "");
		} else if (face->help_own_words && strncmp(p, "bwrap", 5) == 0) {
			fputs(face->prog, out);
			p += 4;
		} else {
			fputc(*p, out);
		}
	}
	fputc('\n', out);
}

void options_print_usage(FILE *out, const char *argv0)
{
	unsigned i;

	fprintf(out, msg(MSG_HELP_USAGE), face->prog, argv0 ? argv0 : face->prog);
	for (i = 0; i < options_table_len; i++) {
		const struct option_row *o = &options_table[i];
		char left[64];

		if (!(o->faces & face->option_bit))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->args ? " " : "",
			 o->args ? o->args : "");
		fprintf(out, "    %-28s ", left);
		print_doc(out, option_doc(o));
	}
	fflush(out);
}

void options_print_version(void)
{
	printf(msg(MSG_HELP_VERSION), PACKAGE_VERSION);
	fflush(stdout);
}

/* options-help: --help and --version of both faces, printed from the option table.
 * Called by the parser (options-table.c's handlers) in the parent. */
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif
/* The bubblewrap release whose options and messages the bwrap face reproduces. */
#define BWRAP_COMPAT_VERSION "0.11.1"

#include <stdio.h>
#include <string.h>

#include "options-table.h"

/* Prints `doc`, indenting continuation lines; the hutch face names itself where bubblewrap's
 * text says "bwrap". */
static void print_doc(FILE *out, const char *doc)
{
	const char *p;

	for (p = doc; *p; p++) {
		if (*p == '\n') {
			fprintf(out, "\n%33s", "");
		} else if (!IS_BWRAP && strncmp(p, "bwrap", 5) == 0) {
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

	if (IS_BWRAP)
		fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n",
			argv0 ? argv0 : "bwrap");
	else
		fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", face->prog);
	for (i = 0; i < options_table_len; i++) {
		const struct option_row *o = &options_table[i];
		char left[64];

		if (!(o->faces & OPTION_IN(face->id)))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->args ? " " : "",
			 o->args ? o->args : "");
		fprintf(out, "    %-28s ", left);
		print_doc(out, o->doc);
	}
	fflush(out);
}

void options_print_version(void)
{
	if (IS_BWRAP)
		printf("bubblewrap " BWRAP_COMPAT_VERSION " (hutch " PACKAGE_VERSION ")\n");
	else
		printf("hutch " PACKAGE_VERSION "\n");
	fflush(stdout);
}

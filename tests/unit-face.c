/* unit-face: walks the face table's message catalog (face-messages.h): every id has a text in
 * both faces, one call serves both (the same printf conversions, or the bwrap text a prefix),
 * and every hutch text follows the grammar `cannot VERB OBJECT[: REASON]` then `hint:` lines. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "face.h"
#include "tap.h"

/* The argument types a format takes, one letter each: i int, I long, L long long, z size_t,
 * s string, p pointer, f double. A '*' width or precision takes an int. */
static int conversions(const char *fmt, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = fmt; *p; p++) {
		char len = 0;

		if (*p != '%')
			continue;
		if (*++p == '%')
			continue;
		while (strchr("-+ #0'", *p))
			p++;
		for (; *p == '*' || isdigit((unsigned char)*p); p++)
			if (*p == '*' && n < cap)
				out[n++] = 'i';
		if (*p == '.')
			for (p++; *p == '*' || isdigit((unsigned char)*p); p++)
				if (*p == '*' && n < cap)
					out[n++] = 'i';
		if (*p == 'l' && p[1] == 'l')
			len = 'L', p += 2;
		else if (*p == 'l' || *p == 'z')
			len = *p == 'l' ? 'I' : 'z', p++;
		else if (*p == 'h')
			p += p[1] == 'h' ? 2 : 1; /* promoted to int */
		if (!*p || n + 1 >= cap)
			return -1;
		if (strchr("diouxXc", *p))
			out[n++] = len ? len : 'i';
		else if (*p == 's' && !len)
			out[n++] = 's';
		else if (*p == 'p' && !len)
			out[n++] = 'p';
		else if (strchr("eEfgG", *p) && !len)
			out[n++] = 'f';
		else
			return -1; /* %n, %m, wide strings...: none of them belongs in a message */
	}
	out[n] = '\0';
	return (int)n;
}

/* The first line: `cannot VERB ...` (a failure), `--OPTION...` (a usage error naming its
 * option first) or `warning: ...`; the following lines `hint: ...`. A _REASON text is the
 * REASON of another message; a HELP_ text is --help's and --version's, not a message. */
static bool grammar(const char *name, const char *t, const char **why)
{
	size_t l = strlen(name);
	const char *nl = strchr(t, '\n');
	size_t first = nl ? (size_t)(nl - t) : strlen(t);

	if (strncmp(name, "HELP_", 5) == 0)
		return true;
	*why = "starts with a capital letter or a blank";
	if (!islower((unsigned char)t[0]) && t[0] != '-')
		return false;
	*why = "ends with a stop or a blank";
	if (first == 0 || t[first - 1] == '.' || isspace((unsigned char)t[first - 1]))
		return false;
	*why = "names the program itself";
	if (strstr(t, "hutch: ") || strstr(t, "bwrap: "))
		return false;
	for (; nl; nl = strchr(nl + 1, '\n')) {
		*why = "a second line that is not a hint";
		if (strncmp(nl + 1, "hint: ", 6) != 0)
			return false;
	}
	if (l > 7 && strcmp(name + l - 7, "_REASON") == 0)
		return true;
	*why = "neither `cannot VERB ...`, `--OPTION...` nor `warning: ...`";
	if (strncmp(t, "--", 2) == 0 && (islower((unsigned char)t[2]) || t[2] == '%'))
		return true;
	if (strncmp(t, "warning: ", 9) == 0)
		return true;
	if (strncmp(t, "cannot ", 7) != 0)
		return false;
	const char *v = t + 7, *e = v;
	while (islower((unsigned char)*e) || *e == '_')
		e++;
	*why = "`cannot` without a VERB and an OBJECT";
	return e > v && *e == ' ' && e[1] != '\0';
}

int main(void)
{
	const struct face *h = face_get(FACE_HUTCH), *b = face_get(FACE_BWRAP);

	plan(4 * MSG_COUNT + 6);
	for (int i = 0; i < MSG_COUNT; i++) {
		const char *name = face_msg_name(i), *ht = h->msgs[i], *bt = b->msgs[i];
		char hc[32], bc[32];
		const char *why = "";

		if (!ok(ht && *ht && bt, "%s: a hutch text and a bwrap text (\"\": silent)",
			name)) {
			ok(0, "%s: conversions", name);
			ok(0, "%s: one call serves both", name);
			ok(0, "%s: grammar", name);
			continue;
		}
		int hn = conversions(ht, hc, sizeof(hc)), bn = conversions(bt, bc, sizeof(bc));
		ok(hn >= 0 && bn >= 0, "%s: conversions a message may use ('%s', '%s')", name,
		   hn >= 0 ? hc : "?", bn >= 0 ? bc : "?");
		ok(hn >= 0 && bn >= 0 && bn <= hn && strncmp(hc, bc, (size_t)bn) == 0,
		   "%s: the bwrap text takes the hutch text's arguments or the first of them "
		   "('%s' / '%s')",
		   name, hn >= 0 ? hc : "?", bn >= 0 ? bc : "?");
		bool g = grammar(name, ht, &why);
		ok(g, "%s: the hutch text follows the grammar%s%s: \"%s\"", name, g ? "" : ": ",
		   g ? "" : why, ht);
	}
	/* The table itself. */
	ok(strcmp(h->prog, "hutch") == 0 && strcmp(b->prog, "bwrap") == 0, "programs' names");
	ok(h->option_bit != b->option_bit && h->option_bit && b->option_bit, "option bits differ");
	ok(b->exit_usage == 1 && b->exit_setup == 1 && b->exit_exec == 1 && b->exit_notfound == 1,
	   "bwrap's statuses are bubblewrap's 1");
	ok(h->exit_setup == 125 && h->exit_exec == 126 && h->exit_notfound == 127,
	   "hutch's statuses are 125, 126, 127");
	face_set(FACE_BWRAP);
	ok(strcmp(msg(MSG_EXEC), b->msgs[MSG_EXEC]) == 0, "msg() reads the bwrap face's text");
	face_set(FACE_HUTCH);
	ok(strcmp(msg(MSG_EXEC), h->msgs[MSG_EXEC]) == 0, "msg() reads the hutch face's text");
	return done_testing();
}

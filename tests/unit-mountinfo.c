/* unit-mountinfo: the fallback's reading of /proc/self/mountinfo (mountinfo_parse) and its
 * plan of which mounts of a bound tree still need their flags (mountinfo_plan). Links
 * libhutch.a; TAP on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mount.h"
#include "../mountinfo.h"
#include "../util.h"
#include "tap.h"

static struct mountinfo_entry *ents;
static size_t n;
static char *buf;

/* Parse text (a copy: the entries point into it); the result of mountinfo_parse. */
static int parse(const char *text)
{
	free(ents);
	free(buf);
	ents = NULL;
	n = 0;
	buf = xstrdup(text);
	return mountinfo_parse(buf, &ents, &n);
}

static struct mountinfo_todo *todo;
static size_t ntodo;

/* Plan for top over the text; "ID:REL ID:REL" of the result, or "E<errno name>". */
static const char *plan_for(const char *text, int top, unsigned attrs)
{
	static char out[1024];
	size_t o = 0;

	out[0] = '\0';
	if (parse(text) < 0)
		return "Eparse";
	free(todo);
	todo = NULL;
	if (mountinfo_plan(ents, n, top, attrs, &todo, &ntodo) < 0)
		return errno == ENOENT ? "ENOENT" :
		       errno == EBUSY  ? "EBUSY" :
		       errno == EXDEV  ? "EXDEV" :
		       errno == EINVAL ? "EINVAL" :
					 "E?";
	for (size_t i = 0; i < ntodo; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%d:%s", i ? " " : "", todo[i].id,
				      todo[i].rel);
	return out;
}

#define RO_ALL (HMNT_RDONLY | HMNT_NOSUID | HMNT_NODEV)

static void test_parse(void)
{
	ok(parse("") == 0 && n == 0, "an empty mountinfo has no entries");
	ok(parse("22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		 "36 35 98:0 /a\\040b /m/a\\040b/t\\011b/n\\012b/s\\134b ro,nosuid shared:1 - ext4 "
		 "/dev/x rw\n") == 0 &&
		   n == 2,
	   "two lines, two entries");
	is_int(ents[0].id, 22, "the mount id");
	is_int(ents[0].parent, 27, "the parent id");
	is_str(ents[0].mountpoint, "/proc", "the mount point");
	is_str(ents[0].options, "rw,relatime", "the per-mount options");
	is_str(ents[1].mountpoint, "/m/a b/t\tb/n\nb/s\\b",
	       "\\040 \\011 \\012 \\134 decode to space, tab, newline, backslash");
	is_str(ents[1].options, "ro,nosuid", "... and the options after it");
	errno = 0;
	ok(parse("22 27 0:21 / /proc\n") < 0 && errno == EINVAL,
	   "a line without its options is refused (EINVAL)");
	ok(parse("22 27 0:21 / /a\\x41 rw - proc proc rw\n") < 0,
	   "an escape the kernel does not write is refused");
	ok(parse("22 27 0:21 / /a\\04 rw - proc proc rw\n") < 0, "a short escape is refused");
	ok(parse("2x 27 0:21 / /proc rw - proc proc rw\n") < 0, "a mount id that is no number");
	ok(parse("22 -1 0:21 / /proc rw - proc proc rw\n") < 0, "a negative parent id");
	ok(parse("22 27 0:21 / proc rw - proc proc rw\n") < 0, "a relative mount point");
	ok(parse("22  27 0:21 / /proc rw - proc proc rw\n") < 0,
	   "two spaces in a row (an empty field)");
}

static void test_plan(void)
{
	/* The scratch root (1), the stage's bind (10) with submounts, and a neighbour. */
	static const char tree[] = "1 0 0:1 / / rw - tmpfs tmpfs rw\n"
				   "10 1 0:2 / /stage rw,relatime - ext4 x rw\n"
				   "11 10 0:3 / /stage/a\\040b rw - tmpfs t rw\n"
				   "12 11 0:4 / /stage/a\\040b/in ro,nosuid,nodev - tmpfs t rw\n"
				   "13 10 0:5 / /stage/done ro,nosuid,nodev,noexec - tmpfs t rw\n"
				   "20 1 0:6 / /stage2 rw - tmpfs t rw\n"
				   "21 20 0:7 / /stage2/x rw - tmpfs t rw\n";

	is_str(plan_for(tree, 10, RO_ALL), "10: 11:a b",
	       "the top and a submount lacking flags, relative to the top, decoded");
	is_str(plan_for(tree, 10, HMNT_NOSUID), "10: 11:a b", "nosuid only: the same two");
	is_str(plan_for(tree, 10, HMNT_NOEXEC), "10: 11:a b 12:a b/in",
	       "noexec: the one with it left");
	is_str(plan_for(tree, 20, RO_ALL), "20: 21:x",
	       "a neighbour with a prefix of the name apart");
	is_str(plan_for(tree, 1, RO_ALL), "1: 10:stage 11:stage/a b 20:stage2 21:stage2/x",
	       "the top at /: every mount below, relative to /");
	is_str(plan_for(tree, 99, RO_ALL), "ENOENT", "a top not listed fails (ENOENT)");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"10 1 0:2 / /stage rw - t t rw\n"
			"11 10 0:3 / /elsewhere rw - t t rw\n",
			10, RO_ALL),
	       "EXDEV", "a mount of the tree outside the top's path fails (EXDEV)");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"10 1 0:2 / /stage rw - t t rw\n"
			"10 1 0:3 / /stage/x rw - t t rw\n",
			10, RO_ALL),
	       "EINVAL", "a mount id listed twice fails (EINVAL)");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"10 1 0:2 / /stage rw - t t rw\n"
			"11 10 0:3 / /stage rw - t t rw\n",
			10, RO_ALL),
	       "EBUSY", "a top covered by another mount fails (EBUSY)");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"9 1 0:2 / /stage rw - t t rw\n"
			"10 9 0:3 / /stage rw - t t rw\n",
			10, RO_ALL),
	       "EBUSY", "a top stacked on another mount at its mount point fails (EBUSY)");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"10 1 0:2 / /stage rw - t t rw\n"
			"30 31 0:3 / /stage/x rw - t t rw\n"
			"31 30 0:4 / /stage/y rw - t t rw\n",
			10, RO_ALL),
	       "10:", "mounts whose parents form a loop are not below the top (and end)");

	/* A on sub (with C inside), covered by B (with D inside); E is stacked on D; F is
	 * inside E. Reachable: B, D's cover E, F. Not: A, C (inside A), D (covered). */
	static const char stack[] = "1 0 0:1 / / rw - t t rw\n"
				    "10 1 0:2 / /s rw - t t rw\n"
				    "40 10 0:3 / /s/sub rw - t A rw\n"
				    "41 40 0:4 / /s/sub/inA rw - t C rw\n"
				    "42 40 0:5 / /s/sub rw - t B rw\n"
				    "43 42 0:6 / /s/sub/inB rw - t D rw\n"
				    "44 43 0:7 / /s/sub/inB rw - t E rw\n"
				    "45 44 0:8 / /s/sub/inB/f rw - t F rw\n";

	is_str(plan_for(stack, 10, RO_ALL), "10: 42:sub 44:sub/inB 45:sub/inB/f",
	       "a stack: the tops of stacks and what is inside them; nothing covered");
	is_str(plan_for("1 0 0:1 / / rw - t t rw\n"
			"10 1 0:2 / /s rw - t t rw\n"
			"42 40 0:5 / /s/sub rw - t B rw\n"
			"40 10 0:3 / /s/sub rw - t A rw\n",
			10, RO_ALL),
	       "10: 42:sub", "... listed in any order (a child before its parent)");
}

int main(void)
{
	face_set(FACE_HUTCH);
	test_parse();
	test_plan();
	free(ents);
	free(buf);
	free(todo);
	return done_testing();
}

/* fuzz-seccomp-profile: libFuzzer target for the seccomp profile parser and compiler, with a
 * differential check: every program that compiles must be one the kernel accepts and must give,
 * for every system call number of every ABI, the verdict the profile's rules give
 * (tests/seccomp-ref.c); a profile that does not compile must be one the rules say cannot; a
 * profile said to allow everything (hutch then loads no filter) must deny nothing.
 * What seccomp_profile_print writes must parse and compile to a program that agrees too
 * (checked for one input in four).
 *
 * Input: a profile text ("fuzz.profile"). A line "%%% NAME" starts another in-memory file,
 * which the profile can include as NAME; "%%% adjust" starts lines "allow NAME" and
 * "deny NAME[:ERRNO]", applied as --seccomp-allow/--seccomp-deny after parsing. A first
 * line "#native ARCH" compiles for ARCH (a libseccomp name) instead of x86_64. The shipped
 * profiles can be included as default, strict, none and groups/common.inc, next to the
 * profile or from the directory "lib". */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../seccomp-compile.h"
#include "../../seccomp-profile.h"
#include "../seccomp-ref.h"
#include "fuzz.h"

#ifndef FUZZ_PROFILE_DIR
#error "FUZZ_PROFILE_DIR: the directory of the shipped profiles (make fuzz passes it)"
#endif

#define MAX_FILES 8

struct mem_file {
	const char *name;
	const char *text;
	size_t len;
};

static struct mem_file shipped[4];
static size_t n_shipped;
/* the sections of the current input */
static struct mem_file files[MAX_FILES];
static size_t n_files;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_shipped(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	char *text = NULL;
	size_t cap = 0, len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		fuzz_fail("cannot open the shipped profile %s: %s", path, strerror(errno));
	text = malloc(1 << 16);
	if (!text)
		abort();
	cap = 1 << 16;
	len = fread(text, 1, cap, f);
	fclose(f);
	shipped[n_shipped++] = (struct mem_file){ name, text, len };
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("HUTCH_FUZZ_PROFILE_DIR");

	(void)argc;
	(void)argv;
	fuzz_init();
	if (!dir || !*dir)
		dir = FUZZ_PROFILE_DIR;
	load_shipped(dir, "default.profile");
	load_shipped(dir, "strict.profile");
	load_shipped(dir, "none.profile");
	load_shipped(dir, "groups/common.inc");
	return 0;
}

static FILE *mem_open(void *data, const char *path)
{
	(void)data;
	for (size_t i = 0; i < n_files; i++)
		if (strcmp(files[i].name, path) == 0)
			return fmemopen((void *)files[i].text, files[i].len, "r");
	if (strncmp(path, "lib/", 4) == 0)
		path += 4;
	for (size_t i = 0; i < n_shipped; i++)
		if (strcmp(shipped[i].name, path) == 0)
			return fmemopen((void *)shipped[i].text, shipped[i].len, "r");
	errno = ENOENT;
	return NULL;
}

static FILE *no_open(void *data, const char *path)
{
	(void)data;
	(void)path;
	errno = ENOENT;
	return NULL;
}

static const struct seccomp_profile_source mem_src = { mem_open, NULL, "lib" };
static const struct seccomp_profile_source no_src = { no_open, NULL, NULL };

/* Splits text (NUL-terminated copy of the input) at lines "%%% NAME". */
static void split(char *text, size_t len, const char **adjust)
{
	char *p = text, *end = text + len;

	*adjust = NULL;
	n_files = 0;
	files[n_files++] = (struct mem_file){ "fuzz.profile", text, len };
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;

		if (line_end - p > 4 && memcmp(p, "%%% ", 4) == 0 && n_files < MAX_FILES) {
			struct mem_file *prev = &files[n_files - 1];

			prev->len = (size_t)(p - prev->text);
			*line_end = '\0';
			if (strcmp(p + 4, "adjust") == 0) {
				*adjust = nl ? nl + 1 : end;
				/* the adjust lines end the input */
				return;
			}
			files[n_files++] = (struct mem_file){ p + 4, nl ? nl + 1 : end,
							      (size_t)(end - (nl ? nl + 1 : end)) };
		}
		p = nl ? nl + 1 : end;
	}
}

static void apply_adjust(struct seccomp_profile *p, char *lines)
{
	char *save = NULL;

	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct error err;
		int r;

		memset(&err, 0, sizeof(err));
		if (strncmp(l, "allow ", 6) == 0)
			r = seccomp_profile_adjust(p, true, l + 6, "--seccomp-allow", &err);
		else if (strncmp(l, "deny ", 5) == 0)
			r = seccomp_profile_adjust(p, false, l + 5, "--seccomp-deny", &err);
		else
			continue;
		if (r < 0 && err.msg[0] == '\0')
			fuzz_fail("seccomp_profile_adjust failed without a message");
	}
}

static uint32_t native_of(const char *text)
{
	static const char tag[] = "#native ";
	char name[32];
	uint32_t token;
	size_t n;

	if (strncmp(text, tag, sizeof(tag) - 1) != 0)
		return SCMP_ARCH_X86_64;
	text += sizeof(tag) - 1;
	n = strcspn(text, "\n");
	if (n >= sizeof(name))
		return SCMP_ARCH_X86_64;
	memcpy(name, text, n);
	name[n] = '\0';
	token = seccomp_arch_resolve_name(name);
	return token ? token : SCMP_ARCH_X86_64;
}

static uint64_t hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	return h;
}

/* The program compiled from `p` (or from its printed form) agrees with the rules of `ref`. */
static void check_program(const struct seccomp_profile *ref, uint32_t native,
			  const struct seccomp_prog *prog, uint64_t seed, const char *what)
{
	struct seccomp_ref_report rep;

	if (seccomp_ref_check(ref, native, prog, seed, &rep))
		fuzz_fail("%s: %u of %u verdicts differ from the rules; first: %s", what,
			  rep.mismatches, rep.checks, rep.first);
}

/* What seccomp_profile_print writes means the same as the profile. */
static void check_print(const struct seccomp_profile *p, uint32_t native, uint64_t seed)
{
	struct seccomp_profile q;
	struct seccomp_prog prog = { NULL, 0 };
	struct error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len), *in;

	if (!out)
		abort();
	seccomp_profile_print(out, p);
	fclose(out);
	seccomp_profile_init(&q);
	memset(&err, 0, sizeof(err));
	in = fmemopen(buf, len, "r");
	if (!in)
		abort();
	if (seccomp_profile_parse(&q, in, "printed.profile", &no_src, &err) < 0)
		fuzz_fail("the printed profile does not parse: %s\n%s", err.msg, buf);
	fclose(in);
	if (seccomp_compile_profile(&q, native, &prog, &err) < 0) {
		if (!strstr(err.msg, "too complex"))
			fuzz_fail("the printed profile does not compile: %s\n%s", err.msg, buf);
	} else {
		check_program(p, native, &prog, seed, "the printed profile");
	}
	free(prog.insns);
	seccomp_profile_free(&q);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_profile p;
	struct seccomp_prog prog = { NULL, 0 };
	struct error err;
	const char *adjust, *want;
	char *text = malloc(size + 1);
	uint32_t native;
	uint64_t seed = hash(data, size);
	FILE *f;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	native = native_of(text);
	split(text, size, &adjust);

	seccomp_profile_init(&p);
	memset(&err, 0, sizeof(err));
	f = fmemopen((void *)files[0].text, files[0].len, "r");
	if (!f)
		abort();
	r = seccomp_profile_parse(&p, f, files[0].name, &mem_src, &err);
	fclose(f);
	if (r < 0 && err.msg[0] == '\0')
		fuzz_fail("seccomp_profile_parse failed without a message");
	if (r == 0 && adjust)
		apply_adjust(&p, (char *)adjust);
	if (r == 0) {
		want = seccomp_ref_compile_error(&p, native);
		memset(&err, 0, sizeof(err));
		r = seccomp_compile_profile(&p, native, &prog, &err);
		if (r < 0 && err.msg[0] == '\0')
			fuzz_fail("seccomp_compile_profile failed without a message");
		if (r < 0 && !want && !strstr(err.msg, "too complex"))
			fuzz_fail("does not compile, though the rules allow it: %s", err.msg);
		if (r == 0 && want)
			fuzz_fail("compiles, though the rules say it cannot: %s", want);
		if (r == 0 && seccomp_profile_allows_all(&p) && !seccomp_ref_allows_all(&p, native))
			fuzz_fail("'allows all' (no filter is loaded), but the rules deny a call");
		if (r == 0) {
			check_program(&p, native, &prog, seed, "the program");
			/* printing is quadratic in the rules: one input in four is enough */
			if (seed % 4 == 0)
				check_print(&p, native, seed);
		}
	}
	free(prog.insns);
	seccomp_profile_free(&p);
	free(text);
	return 0;
}

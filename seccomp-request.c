/* seccomp-request: what --seccomp-profile, --seccomp-allow, --seccomp-deny, --seccomp-show,
 * --seccomp-list and --seccomp-export ask for, turned into one BPF program: the program built
 * into hutch for a shipped profile as it is, else parsing and compiling here. The shipped
 * profiles are only those built in (seccomp-request.h): no file and no environment variable
 * can stand in for them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp-abi.h"
#include "seccomp-compile.h"
#include "seccomp-profile.h"
#include "seccomp-request.h"

void seccomp_request_add_profile(struct seccomp_request *req, const char *arg)
{
	req->profiles = xrealloc(req->profiles, (req->n_profiles + 1) * sizeof(*req->profiles));
	req->profiles[req->n_profiles++] = arg;
}

void seccomp_request_add_adjust(struct seccomp_request *req, enum seccomp_adjust_type type,
				const char *arg)
{
	req->adjusts = xrealloc(req->adjusts, (req->n_adjusts + 1) * sizeof(*req->adjusts));
	req->adjusts[req->n_adjusts].type = type;
	req->adjusts[req->n_adjusts++].arg = arg;
}

void seccomp_request_free(struct seccomp_request *req)
{
	free(req->profiles);
	free(req->adjusts);
	req->profiles = NULL;
	req->adjusts = NULL;
	req->n_profiles = req->n_adjusts = 0;
}

static bool is_path(const char *arg)
{
	return strchr(arg, '/') != NULL;
}

static bool valid_name(const char *s)
{
	if (s[0] == '\0' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static const struct seccomp_shipped *shipped_of(const struct seccomp_shipped *s)
{
	return s ? s : &seccomp_shipped;
}

/* The shipped text at path ("default.profile", "groups/common.inc"), or NULL. */
static const struct seccomp_shipped_text *shipped_text(const struct seccomp_shipped *s,
						       const char *path)
{
	for (size_t i = 0; i < s->n_texts; i++)
		if (strcmp(s->texts[i].path, path) == 0)
			return &s->texts[i];
	return NULL;
}

static const struct seccomp_shipped_prog *shipped_prog(const struct seccomp_shipped *s,
						       const char *name)
{
	for (size_t i = 0; i < s->n_progs; i++)
		if (strcmp(s->progs[i].name, name) == 0)
			return &s->progs[i];
	return NULL;
}

/* The names of the shipped profiles, ", "-separated, into buf (for messages). */
static const char *shipped_names(const struct seccomp_shipped *s, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n_progs && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", s->progs[i].name);
	return buf;
}

static int not_found(const char *name, const struct seccomp_shipped *s, bool implicit,
		     struct error *err)
{
	char names[256];

	if (implicit) {
		err->exit_code = face->exit_setup;
		return error_set(err,
				 "cannot find seccomp profile '%s': this hutch was built without "
				 "it\nhint: --seccomp-profile none runs without a filter",
				 name);
	}
	if (!valid_name(name))
		return error_set(err, "bad seccomp profile name '%s' (a path needs a '/': ./%s)",
				 name, name);
	return error_set(err,
			 "cannot find seccomp profile '%s': the shipped ones are %s (a file in "
			 "the current directory is ./%s)",
			 name, shipped_names(s, names, sizeof(names)), name);
}

/* The text as a stream (fmemopen refuses an empty buffer: /dev/null then). */
static FILE *text_open(const struct seccomp_shipped_text *t)
{
	if (t->len == 0)
		return fopen("/dev/null", "re");
	return fmemopen((void *)t->text, t->len, "r");
}

/* Where `include` finds a file: "<shipped>/PATH" is the shipped text at PATH, anything
 * else a file. */
static FILE *open_file(void *data, const char *path)
{
	const struct seccomp_shipped *s = data;
	size_t n = strlen(SECCOMP_SHIPPED_DIR "/");

	if (strncmp(path, SECCOMP_SHIPPED_DIR "/", n) == 0) {
		const struct seccomp_shipped_text *t = shipped_text(s, path + n);

		if (!t) {
			errno = ENOENT;
			return NULL;
		}
		return text_open(t);
	}
	return fopen(path, "re");
}

/* `none` works without its file, so a broken installation can still be told to run without
 * a filter. */
static const char none_text[] = "arch native compat\ndefault allow\n";

/* req with its fallback in place when it names no profile; *implicit says so. */
static struct seccomp_request with_fallback(const struct seccomp_request *req, const char **one,
					    bool *implicit)
{
	struct seccomp_request r = *req;

	*implicit = r.n_profiles == 0 && r.fallback;
	if (*implicit) {
		one[0] = r.fallback;
		r.profiles = one;
		r.n_profiles = 1;
	}
	return r;
}

static int request_parse(const struct seccomp_request *req, bool implicit,
			 struct seccomp_profile *p, struct error *err)
{
	const struct seccomp_shipped *s = shipped_of(req->shipped);
	struct seccomp_profile_source src = { open_file, (void *)s, SECCOMP_SHIPPED_DIR };

	if (req->n_profiles == 0 && req->n_adjusts > 0)
		return error_set(err, "%s needs a profile to adjust: add --seccomp-profile NAME",
				 req->adjusts[0].type == SECCOMP_ADJUST_ALLOW ? "--seccomp-allow" :
										"--seccomp-deny");
	for (unsigned i = 0; i < req->n_profiles; i++) {
		const char *arg = req->profiles[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_fclose_ FILE *f = NULL;

		if (is_path(arg)) {
			path = xstrdup(arg);
			f = fopen(path, "re");
		} else if (valid_name(arg)) {
			_cleanup_free_ char *rel = xasprintf("%s.profile", arg);
			const struct seccomp_shipped_text *t = shipped_text(s, rel);

			if (t) {
				path = xasprintf(SECCOMP_SHIPPED_DIR "/%s", rel);
				f = text_open(t);
			}
		}
		if (!path && strcmp(arg, "none") == 0) {
			f = fmemopen((void *)none_text, sizeof(none_text) - 1, "r");
			if (!f || seccomp_profile_parse(p, f, "none", &src, err) < 0)
				return f ? -1 : error_set_errno(err, errno, "fmemopen");
			continue;
		}
		if (!path)
			return not_found(arg, s, implicit, err);
		if (!f)
			return error_set_errno(err, errno, "cannot open seccomp profile '%s'",
					       path);
		if (seccomp_profile_parse(p, f, path, &src, err) < 0)
			return -1;
	}
	for (unsigned i = 0; i < req->n_adjusts; i++) {
		bool allow = req->adjusts[i].type == SECCOMP_ADJUST_ALLOW;

		if (seccomp_profile_adjust(p, allow, req->adjusts[i].arg,
					   allow ? "--seccomp-allow" : "--seccomp-deny", err) < 0)
			return -1;
	}
	return 0;
}

int seccomp_request_build(const struct seccomp_request *request, struct seccomp_prog *out,
			  bool *allows_all, struct error *err)
{
	const char *one[1];
	bool implicit;
	struct seccomp_request req = with_fallback(request, one, &implicit);
	struct seccomp_profile p;
	int r;

	out->insns = NULL;
	out->len = 0;
	*allows_all = false;
	if (req.n_profiles == 0 && req.n_adjusts == 0)
		return 0;
	/* The common case: one shipped profile as it is, compiled at build time. */
	if (req.n_profiles == 1 && req.n_adjusts == 0 && !is_path(req.profiles[0])) {
		const struct seccomp_shipped *s = shipped_of(req.shipped);
		const char *name = req.profiles[0];
		const struct seccomp_shipped_prog *prog;

		if (!valid_name(name))
			return not_found(name, s, implicit, err);
		prog = shipped_prog(s, name);
		if (!prog) {
			_cleanup_free_ char *rel = xasprintf("%s.profile", name);

			if (!shipped_text(s, rel) && strcmp(name, "none") == 0)
				goto compile; /* compile its text */
			if (!shipped_text(s, rel))
				return not_found(name, s, implicit, err);
			err->exit_code = face->exit_setup;
			return error_set(err,
					 "cannot load seccomp profile '%s': it was built in "
					 "without its compiled program",
					 name);
		}
		if (s->arch != seccomp_abi_native()) {
			err->exit_code = face->exit_setup;
			return error_set(err,
					 "cannot load seccomp profile '%s': it was compiled for "
					 "another architecture (%s): rebuild hutch",
					 name, seccomp_names_arch(s->arch));
		}
		out->insns = xmalloc(prog->len * sizeof(struct sock_filter));
		memcpy(out->insns, prog->insns, prog->len * sizeof(struct sock_filter));
		out->len = prog->len;
		*allows_all = prog->allows_all;
		return 0;
	}
compile:
	seccomp_profile_init(&p);
	r = request_parse(&req, implicit, &p, err);
	if (r == 0)
		r = seccomp_compile_profile(&p, 0, out, err);
	if (r == 0)
		*allows_all = seccomp_profile_allows_all(&p);
	seccomp_profile_free(&p);
	return r;
}

int seccomp_request_show(FILE *out, const struct seccomp_request *request, struct error *err)
{
	const char *one[1];
	bool implicit;
	struct seccomp_request req = with_fallback(request, one, &implicit);
	struct seccomp_profile p;
	int r;

	if (req.n_profiles == 0)
		return error_set(err, "no seccomp profile to show");
	seccomp_profile_init(&p);
	r = request_parse(&req, implicit, &p, err);
	if (r == 0) {
		fputs("# effective rules of", out);
		for (unsigned i = 0; i < req.n_profiles; i++)
			fprintf(out, "%s %s", i ? "," : "", req.profiles[i]);
		for (unsigned i = 0; i < req.n_adjusts; i++)
			fprintf(out, " %s %s",
				req.adjusts[i].type == SECCOMP_ADJUST_ALLOW ? "--seccomp-allow" :
									      "--seccomp-deny",
				req.adjusts[i].arg);
		fputc('\n', out);
		seccomp_profile_print(out, &p);
		if (fflush(out) != 0 || ferror(out))
			r = error_set_errno(err, errno, "cannot print the seccomp profile");
	}
	seccomp_profile_free(&p);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first comment line of a profile text, without the '#'. */
static void describe(const struct seccomp_shipped_text *t, char *buf, size_t size)
{
	const char *s = t->text, *end = t->text + t->len;

	buf[0] = '\0';
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *e = eol ? eol : end;

		s += strspn(s, " \t");
		if (s >= e) {
			s = e + 1;
			continue;
		}
		if (*s != '#')
			return;
		while (s < e && (*s == '#' || *s == ' ' || *s == '\t'))
			s++;
		snprintf(buf, size, "%.*s", (int)(e - s), s);
		return;
	}
}

/* Is name in names[0..n)? */
static bool listed(char **names, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(names[k], name) == 0)
			return true;
	return false;
}

int seccomp_request_list(FILE *out, const struct seccomp_shipped *shipped, struct error *err)
{
	const struct seccomp_shipped *s = shipped_of(shipped);
	char **names = xcalloc(s->n_texts + s->n_progs + 1, sizeof(*names));
	size_t n = 0;

	/* Every profile: each compiled one, and each NAME.profile at the top (not in groups/). */
	for (size_t i = 0; i < s->n_progs; i++)
		if (!listed(names, n, s->progs[i].name))
			names[n++] = xstrdup(s->progs[i].name);
	for (size_t i = 0; i < s->n_texts; i++) {
		const char *p = s->texts[i].path;
		size_t l = strlen(p);
		_cleanup_free_ char *name = NULL;

		if (strchr(p, '/') || l <= 8 || strcmp(p + l - 8, ".profile") != 0)
			continue;
		name = xasprintf("%.*s", (int)(l - 8), p);
		if (!listed(names, n, name))
			names[n++] = steal_pointer(&name);
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *rel = xasprintf("%s.profile", names[i]);
		const struct seccomp_shipped_text *t = shipped_text(s, rel);
		char desc[256] = "";

		if (t)
			describe(t, desc, sizeof(desc));
		fprintf(out, "%s\t%s%s\n", names[i], desc,
			shipped_prog(s, names[i]) ? "" : " (not compiled)");
		free(names[i]);
	}
	free(names);
	if (fflush(out) != 0 || ferror(out))
		return error_set_errno(err, errno, "cannot list seccomp profiles");
	return 0;
}

int seccomp_request_export(const struct seccomp_prog *prog, const char *path, struct error *err)
{
	bool to_stdout = strcmp(path, "-") == 0;
	_cleanup_close_ int fd = -1;

	if (prog->len == 0)
		return error_set(err, "cannot export the seccomp profile to '%s': no profile",
				 path);
	if (!to_stdout) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			return error_set_errno(err, errno, "cannot write '%s'", path);
	}
	if (write_all(to_stdout ? STDOUT_FILENO : fd, prog->insns,
		      prog->len * sizeof(struct sock_filter)) < 0)
		return error_set_errno(err, errno, "cannot write '%s'", path);
	if (!to_stdout && close(steal_fd(&fd)) < 0)
		return error_set_errno(err, errno, "cannot write '%s'", path);
	return 0;
}

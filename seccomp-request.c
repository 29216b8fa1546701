/* seccomp-request: what --seccomp-profile, --seccomp-allow, --seccomp-deny, --seccomp-show,
 * --seccomp-list and --seccomp-export ask for, turned into one BPF program: a read of a
 * prebuilt .bpf for a shipped profile as it is, else parsing and compiling here. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* DIR/NAME+EXT of the first directory of the list that has it, or NULL. */
static char *find_in_dirs(const char *dirs, const char *name, const char *ext)
{
	while (*dirs) {
		size_t n = strcspn(dirs, ":");

		if (n > 0) {
			char *path = xasprintf("%.*s/%s%s", (int)n, dirs, name, ext);

			if (access(path, F_OK) == 0)
				return path;
			free(path);
		}
		dirs += n + (dirs[n] == ':');
	}
	return NULL;
}

static int not_found(const char *name, const char *dirs, bool implicit, struct error *err)
{
	if (implicit) {
		err->exit_code = face->exit_setup;
		return error_set(err,
				 "cannot find seccomp profile '%s' in '%s'\nhint: reinstall "
				 "hutch or set HUTCH_SECCOMP_DIR; --seccomp-profile none runs "
				 "without a filter",
				 name, dirs);
	}
	if (!valid_name(name))
		return error_set(err, "bad seccomp profile name '%s' (a path needs a '/': ./%s)",
				 name, name);
	return error_set(err,
			 "cannot find seccomp profile '%s' in '%s' (a file in the current "
			 "directory is ./%s)",
			 name, dirs, name);
}

static FILE *open_file(void *data, const char *path)
{
	(void)data;
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
	const char *dirs = req->dir ? req->dir : seccomp_profile_dir();
	struct seccomp_profile_source src = { open_file, NULL, dirs };

	if (req->n_profiles == 0 && req->n_adjusts > 0)
		return error_set(err, "%s needs a profile to adjust: add --seccomp-profile NAME",
				 req->adjusts[0].type == SECCOMP_ADJUST_ALLOW ? "--seccomp-allow" :
										"--seccomp-deny");
	for (unsigned i = 0; i < req->n_profiles; i++) {
		const char *arg = req->profiles[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_fclose_ FILE *f = NULL;

		if (is_path(arg))
			path = xstrdup(arg);
		else if (valid_name(arg))
			path = find_in_dirs(dirs, arg, ".profile");
		if (!path && strcmp(arg, "none") == 0) {
			f = fmemopen((void *)none_text, sizeof(none_text) - 1, "r");
			if (!f || seccomp_profile_parse(p, f, "none", &src, err) < 0)
				return f ? -1 : error_set_errno(err, errno, "fmemopen");
			continue;
		}
		if (!path)
			return not_found(arg, dirs, implicit, err);
		f = fopen(path, "re");
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
		const char *dirs = req.dir ? req.dir : seccomp_profile_dir();
		const char *name = req.profiles[0];
		_cleanup_free_ char *path = NULL;
		uint32_t flags = 0;

		if (!valid_name(name))
			return not_found(name, dirs, implicit, err);
		path = find_in_dirs(dirs, name, ".bpf");
		if (!path) {
			_cleanup_free_ char *src = find_in_dirs(dirs, name, ".profile");

			if (!src && strcmp(name, "none") == 0) /* built in: compile its text */
				goto compile;
			if (!src)
				return not_found(name, dirs, implicit, err);
			err->exit_code = face->exit_setup;
			return error_set(err,
					 "cannot load seccomp profile '%s': '%s' was not "
					 "compiled (no %s.bpf beside it)",
					 name, src, name);
		}
		r = seccomp_bpf_read(path, out, &flags, err);
		*allows_all = r == 0 && (flags & SECCOMP_BPF_ALLOWS_ALL);
		return r;
	}
compile:
	seccomp_profile_init(&p);
	r = request_parse(&req, implicit, &p, err);
	if (r == 0)
		r = seccomp_profile_compile(&p, 0, out, err);
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

/* The first comment line of a profile, without the '#'. */
static void describe(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512];

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");

		if (*s == '\n' || *s == '\0')
			continue;
		if (*s != '#')
			return;
		s += strspn(s, "# \t");
		s[strcspn(s, "\n")] = '\0';
		snprintf(buf, size, "%s", s);
		return;
	}
}

int seccomp_request_list(FILE *out, const char *dirs, struct error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	bool any_dir = false;
	const char *d;

	if (!dirs)
		dirs = seccomp_profile_dir();
	for (d = dirs; *d;) {
		size_t len = strcspn(d, ":");
		_cleanup_free_ char *dir = xasprintf("%.*s", (int)len, d);
		DIR *dp = len ? opendir(dir) : NULL;
		struct dirent *e;

		d += len + (d[len] == ':');
		if (!dp)
			continue;
		any_dir = true;
		while ((e = readdir(dp))) {
			size_t l = strlen(e->d_name), k;
			size_t ext = l > 8 && strcmp(e->d_name + l - 8, ".profile") == 0 ? 8 :
				     l > 4 && strcmp(e->d_name + l - 4, ".bpf") == 0	 ? 4 :
											   0;
			char *name;

			if (!ext)
				continue;
			name = xasprintf("%.*s", (int)(l - ext), e->d_name);
			for (k = 0; k < n; k++)
				if (strcmp(names[k], name) == 0)
					break;
			if (k < n || !valid_name(name)) {
				free(name);
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				names = xrealloc(names, cap * sizeof(*names));
			}
			names[n++] = name;
		}
		closedir(dp);
	}
	if (!any_dir)
		return error_set(err, "cannot list seccomp profiles: no directory of '%s' exists",
				 dirs);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *src = find_in_dirs(dirs, names[i], ".profile");
		_cleanup_free_ char *bpf = find_in_dirs(dirs, names[i], ".bpf");
		char desc[256] = "";

		if (src)
			describe(src, desc, sizeof(desc));
		fprintf(out, "%s\t%s%s\n", names[i], desc, bpf ? "" : " (not compiled)");
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

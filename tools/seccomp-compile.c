/* seccomp-compile: the build-time compiler of the shipped seccomp profiles. Reads profile text
 * (hutch-seccomp(5)), writes the prebuilt .bpf container hutch loads at run time without
 * libseccomp, or the raw program bubblewrap's --seccomp reads; --embed writes the C source
 * that builds the containers and the texts into hutch (seccomp-shipped.c). Not installed.
 * Runs on the build machine, for its architecture unless --arch says otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "seccomp-profile.h"
#include "seccomp-request.h"

/* libhutch.a's seccomp-request.o (--raw) refers to the profiles built into the binary. This
 * program is what builds them, so it has none of its own. */
const struct seccomp_shipped seccomp_shipped = { NULL, 0, NULL, 0 };

static const char usage[] =
	"usage: seccomp-compile [OPTION]... PROFILE...\n"
	"Compile the profiles (merged in order) to BPF.\n"
	"\n"
	"  -o, --output FILE   write to FILE (\"-\": stdout; default: stdout)\n"
	"  -r, --raw           the raw program (bubblewrap --seccomp) instead of the .bpf "
	"container\n"
	"  -a, --arch ARCH     compile for ARCH (libseccomp name, e.g. aarch64) and its compat\n"
	"                      ABIs instead of this machine's\n"
	"  -I, --include DIRS  where `include` looks after the including file's directory\n"
	"                      (':'-separated; default: none)\n"
	"  -s, --show          print the effective rules instead of compiling\n"
	"  -d, --dump          print the program as assembly (debugging)\n"
	"  -b, --bench N       time N loads of the prebuilt container against N compilations\n"
	"  -h, --help          this text\n"
	"\n"
	"       seccomp-compile --embed -o FILE.c NAME=PATH...\n"
	"Write C source defining the shipped profiles (seccomp-request.h) from files: NAME.bpf\n"
	"a container made above, any other NAME a text (default.profile, groups/common.inc).\n";

static FILE *open_file(void *data, const char *path)
{
	(void)data;
	return fopen(path, "re");
}

static int parse_all(struct seccomp_profile *p, char **files, int n, const char *dirs,
		     struct error *err)
{
	struct seccomp_profile_source src = { open_file, NULL, dirs };

	for (int i = 0; i < n; i++) {
		_cleanup_fclose_ FILE *f = fopen(files[i], "re");

		if (!f)
			return error_set_errno(err, errno, "cannot open '%s'", files[i]);
		if (seccomp_profile_parse(p, f, files[i], &src, err) < 0)
			return -1;
	}
	return 0;
}

/* OUT.tmp then rename, so a failed build leaves no file make would take as up to date. */
static int write_output(const char *out, const struct seccomp_prog *prog,
			const struct seccomp_profile *p, uint32_t arch, bool raw, struct error *err)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, r;

	if (raw)
		return seccomp_request_export(prog, out, err);
	if (strcmp(out, "-") == 0)
		return seccomp_bpf_write(STDOUT_FILENO, prog, p, arch, err);
	tmp = xasprintf("%s.tmp", out);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return error_set_errno(err, errno, "cannot create '%s'", tmp);
	r = seccomp_bpf_write(fd, prog, p, arch, err);
	if (close(fd) < 0 && r == 0)
		r = error_set_errno(err, errno, "cannot write '%s'", tmp);
	if (r == 0 && rename(tmp, out) < 0)
		r = error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, out);
	if (r < 0)
		unlink(tmp);
	return r;
}

/* s as a C string literal, a line of output (indented) for each line of s. */
static void c_string(FILE *f, const unsigned char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			fputs(i + 1 < len ? "\\n\"\n\t\"" : "\\n", f);
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '?')
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int read_file(const char *path, char **data, size_t *len, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read_all_fd(fd, data, len) < 0)
		return error_set_errno(err, errno, "cannot read '%s'", path);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);

	return l > n && strcmp(s + l - n, suffix) == 0;
}

struct embed_file {
	char *name; /* "default" for a container (NAME.bpf given), else the text's path */
	const char *path;
	bool bpf;
	char *data;
	size_t len;
};

static void embed_entry(FILE *f, const char *name, const char *array, int k, const char *len)
{
	fputs("\t{ ", f);
	c_string(f, (const unsigned char *)name, strlen(name));
	fprintf(f, ", %s%d, sizeof(%s%d)%s },\n", array, k, array, k, len);
}

/* --embed: the C source of seccomp_shipped from NAME=PATH arguments, written to out (through
 * out.tmp). Each container is checked as hutch will check it and needs its NAME.profile
 * among the texts (--seccomp-show prints it). */
static int embed(const char *out, char **args, int n, struct error *err)
{
	_cleanup_free_ struct embed_file *files = xcalloc((size_t)n + 1, sizeof(*files));
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", out);
	int r = 0, n_texts = 0, n_bpfs = 0;
	FILE *f = NULL;

	if (strcmp(out, "-") == 0)
		return error_set(err, "--embed needs -o FILE");
	for (int i = 0; i < n && r == 0; i++) {
		char *eq = strchr(args[i], '=');
		struct embed_file *e = &files[i];

		if (!eq || eq == args[i] || !eq[1]) {
			r = error_set(err, "--embed: '%s' is not NAME=PATH", args[i]);
			break;
		}
		e->path = eq + 1;
		e->bpf = ends_with(args[i], ".bpf") && eq - args[i] > 4;
		e->name = xasprintf("%.*s", (int)(eq - args[i]) - (e->bpf ? 4 : 0), args[i]);
		r = read_file(e->path, &e->data, &e->len, err);
		if (r == 0 && e->bpf) {
			struct seccomp_prog prog = { 0 };

			r = seccomp_bpf_decode(e->data, e->len, e->path, &prog, NULL, err);
			free(prog.insns);
		}
	}
	for (int i = 0; i < n && r == 0; i++) {
		bool text = false;
		_cleanup_free_ char *want = xasprintf("%s.profile", files[i].name);

		for (int k = 0; k < n && files[i].bpf; k++)
			text = text || (!files[k].bpf && strcmp(files[k].name, want) == 0);
		if (files[i].bpf && !text)
			r = error_set(err, "--embed: '%s.bpf' without '%s'", files[i].name, want);
	}
	if (r == 0 && !(f = fopen(tmp, "we")))
		r = error_set_errno(err, errno, "cannot create '%s'", tmp);
	if (r == 0) {
		fputs("/* Generated by tools/seccomp-compile --embed: the shipped seccomp profiles "
		      "built into\n * hutch, their texts and their programs compiled at build time. "
		      "Edit seccomp-profiles/\n * instead. */\n#include \"seccomp-request.h\"\n",
		      f);
		for (int i = 0; i < n; i++) {
			const struct embed_file *e = &files[i];

			if (e->bpf) {
				fprintf(f, "\nstatic const unsigned char bpf%d[] = {", n_bpfs++);
				for (size_t k = 0; k < e->len; k++)
					fprintf(f, "%s0x%02x,", k % 12 ? " " : "\n\t",
						(unsigned char)e->data[k]);
				fputs("\n};\n", f);
			} else {
				fprintf(f, "\nstatic const char text%d[] =\n\t", n_texts++);
				c_string(f, (const unsigned char *)e->data, e->len);
				fputs(";\n", f);
			}
		}
		fputs("\nstatic const struct seccomp_shipped_text texts[] = {\n", f);
		for (int i = 0, k = 0; i < n; i++)
			if (!files[i].bpf)
				embed_entry(f, files[i].name, "text", k++, " - 1");
		fputs("\t{ 0 }\n};\n\nstatic const struct seccomp_shipped_bpf bpfs[] = {\n", f);
		for (int i = 0, k = 0; i < n; i++)
			if (files[i].bpf)
				embed_entry(f, files[i].name, "bpf", k++, "");
		fprintf(f,
			"\t{ 0 }\n};\n\nconst struct seccomp_shipped seccomp_shipped = { texts, %d, "
			"bpfs, %d };\n",
			n_texts, n_bpfs);
		if (ferror(f))
			r = error_set(err, "cannot write '%s'", tmp);
	}
	if (f && fclose(f) != 0 && r == 0)
		r = error_set_errno(err, errno, "cannot write '%s'", tmp);
	if (r == 0 && rename(tmp, out) < 0)
		r = error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, out);
	if (r < 0 && f)
		unlink(tmp);
	for (int i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	return r;
}

/* One line per instruction: the offsets of struct seccomp_data by name, jumps as targets. */
static void disassemble(const struct seccomp_prog *prog)
{
	const struct sock_filter *f = prog->insns;

	for (size_t i = 0; i < prog->len; i++) {
		unsigned code = f[i].code, k = f[i].k;

		printf("%4zu: ", i);
		if (code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (k == 0)
				printf("ld nr\n");
			else if (k == 4)
				printf("ld arch\n");
			else
				printf("ld arg%u.%s\n", (k - 16) / 8, (k - 16) % 8 ? "hi" : "lo");
		} else if (code == (BPF_ALU | BPF_AND | BPF_K)) {
			printf("and #0x%x\n", k);
		} else if (code == (BPF_JMP | BPF_JA)) {
			printf("ja %zu\n", i + 1 + k);
		} else if (BPF_CLASS(code) == BPF_JMP) {
			const char *op = BPF_OP(code) == BPF_JEQ ? "jeq" :
					 BPF_OP(code) == BPF_JGT ? "jgt" :
					 BPF_OP(code) == BPF_JGE ? "jge" :
								   "jset";

			printf("%s #0x%x, %zu, %zu\n", op, k, i + 1 + f[i].jt, i + 1 + f[i].jf);
		} else if (code == (BPF_RET | BPF_K)) {
			uint32_t act = k & SECCOMP_RET_ACTION_FULL;

			if (act == SECCOMP_RET_ERRNO)
				printf("ret errno %u\n", k & SECCOMP_RET_DATA);
			else
				printf("ret %s\n", act == SECCOMP_RET_ALLOW	   ? "allow" :
						   act == SECCOMP_RET_KILL_PROCESS ? "kill" :
						   act == SECCOMP_RET_LOG	   ? "log" :
						   act == SECCOMP_RET_TRAP	   ? "trap" :
										     "?");
		} else {
			printf("op 0x%x %u %u 0x%x\n", code, f[i].jt, f[i].jf, k);
		}
	}
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* What hutch pays per launch: reading the prebuilt container, against parsing and
 * compiling the profile text. */
static int bench(long n, char **files, int nfiles, const char *dirs,
		 const struct seccomp_prog *prog, const struct seccomp_profile *p,
		 struct error *err)
{
	char tmp[] = "/tmp/seccomp-bench-XXXXXX";
	int fd = mkostemp(tmp, O_CLOEXEC);
	double t0, t_load, t_compile;

	if (fd < 0)
		return error_set_errno(err, errno, "cannot create a temporary file");
	if (seccomp_bpf_write(fd, prog, p, 0, err) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	t0 = now_us();
	for (long i = 0; i < n; i++) {
		struct seccomp_prog q;

		if (seccomp_bpf_read(tmp, &q, NULL, err) < 0) {
			unlink(tmp);
			return -1;
		}
		free(q.insns);
	}
	t_load = (now_us() - t0) / (double)n;
	unlink(tmp);
	t0 = now_us();
	for (long i = 0; i < n; i++) {
		struct seccomp_profile q;
		struct seccomp_prog qp;
		int r;

		seccomp_profile_init(&q);
		r = parse_all(&q, files, nfiles, dirs, err);
		if (r == 0)
			r = seccomp_profile_compile(&q, 0, &qp, err);
		seccomp_profile_free(&q);
		if (r < 0)
			return -1;
		free(qp.insns);
	}
	t_compile = (now_us() - t0) / (double)n;
	printf("instructions: %zu\n", prog->len);
	printf("load prebuilt .bpf: %.1f us per launch\n", t_load);
	printf("parse + compile:    %.1f us per launch\n", t_compile);
	printf("saved:              %.1f us per launch (x%.0f)\n", t_compile - t_load,
	       t_compile / (t_load > 0 ? t_load : 1));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'a' },
		{ "include", required_argument, NULL, 'I' },
		{ "show", no_argument, NULL, 's' },
		{ "dump", no_argument, NULL, 'd' },
		{ "bench", required_argument, NULL, 'b' },
		{ "embed", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "-", *dirs = "";
	bool raw = false, show = false, dump = false, do_embed = false;
	struct seccomp_profile p;
	struct seccomp_prog prog = { 0 };
	struct error err = { 0 };
	uint32_t arch = 0;
	long n_bench = 0;
	int c, r;

	face_set(FACE_HUTCH);
	while ((c = getopt_long(argc, argv, "o:ra:I:sdb:eh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'a':
			arch = seccomp_arch_resolve_name(optarg);
			if (arch == 0) {
				fprintf(stderr, "seccomp-compile: unknown architecture '%s'\n",
					optarg);
				return 64;
			}
			break;
		case 'I':
			dirs = optarg;
			break;
		case 's':
			show = true;
			break;
		case 'd':
			dump = true;
			break;
		case 'b':
			if (parse_int(optarg, 1, 1000000, &n_bench) < 0) {
				fprintf(stderr, "seccomp-compile: bad count '%s'\n", optarg);
				return 64;
			}
			break;
		case 'e':
			do_embed = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 64;
		}
	}
	if (optind == argc) {
		fputs(usage, stderr);
		return 64;
	}
	if (do_embed) {
		r = embed(out, argv + optind, argc - optind, &err);
		if (r < 0)
			fprintf(stderr, "seccomp-compile: %s\n", err.msg);
		return r < 0 ? 1 : 0;
	}
	seccomp_profile_init(&p);
	r = parse_all(&p, argv + optind, argc - optind, dirs, &err);
	if (r == 0 && show) {
		seccomp_profile_print(stdout, &p);
		seccomp_profile_free(&p);
		return 0;
	}
	if (r == 0)
		r = seccomp_profile_compile(&p, arch, &prog, &err);
	if (r == 0 && dump)
		disassemble(&prog);
	else if (r == 0 && n_bench > 0)
		r = bench(n_bench, argv + optind, argc - optind, dirs, &prog, &p, &err);
	else if (r == 0)
		r = write_output(out, &prog, &p, arch, raw, &err);
	if (r < 0)
		fprintf(stderr, "seccomp-compile: %s\n", err.msg);
	free(prog.insns);
	seccomp_profile_free(&p);
	return r < 0 ? 1 : 0;
}

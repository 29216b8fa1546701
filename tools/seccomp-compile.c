/* seccomp-compile: the build-time compiler of the shipped seccomp profiles. Reads profile text
 * (hutch-seccomp(5)) and writes the raw program (struct sock_filter[], what bubblewrap's
 * --seccomp reads), or with --embed the C source that builds the texts and their programs into
 * hutch (seccomp-shipped.c). The compiler is libhutch.a's, the one a profile given at run time
 * goes through. Not installed. Runs on the build machine, for its architecture unless --arch
 * says otherwise. */
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

#include "seccomp-abi.h"
#include "seccomp-compile.h"
#include "seccomp-profile.h"
#include "seccomp-request.h"

/* libhutch.a's seccomp-request.o refers to the profiles built into the binary. This
 * program is what builds them, so it has none of its own. */
const struct seccomp_shipped seccomp_shipped = { NULL, 0, NULL, 0, 0 };

static const char usage[] =
	"usage: seccomp-compile [OPTION]... PROFILE...\n"
	"Compile the profiles (merged in order) to a raw BPF program (bubblewrap --seccomp).\n"
	"\n"
	"  -o, --output FILE   write to FILE (\"-\": stdout; default: stdout)\n"
	"  -a, --arch ARCH     compile for ARCH (libseccomp name, e.g. aarch64) and its compat\n"
	"                      ABIs instead of this machine's\n"
	"  -I, --include DIRS  where `include` looks after the including file's directory\n"
	"                      (':'-separated; default: none)\n"
	"  -s, --show          print the effective rules instead of compiling\n"
	"  -d, --dump          print the program as assembly (debugging)\n"
	"  -b, --bench N       time N compilations (what a launch would pay without the\n"
	"                      program built in)\n"
	"  -h, --help          this text\n"
	"\n"
	"       seccomp-compile [--arch ARCH] --embed -o FILE.c PATH=FILE...\n"
	"Write C source defining the shipped profiles (seccomp-request.h): each text FILE under\n"
	"its PATH below seccomp-profiles/ (default.profile, groups/common.inc), and each\n"
	"NAME.profile at the top compiled, as NAME.\n";

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
static int write_output(const char *out, const struct seccomp_prog *prog, struct error *err)
{
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (strcmp(out, "-") == 0)
		return seccomp_request_export(prog, out, err);
	tmp = xasprintf("%s.tmp", out);
	r = seccomp_request_export(prog, tmp, err);
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
	const char *name; /* the text's path below seccomp-profiles/ */
	const char *path; /* where it is read */
	char *data;
	size_t len;
	bool compiled; /* a profile (NAME.profile at the top): prog holds its program */
	struct seccomp_prog prog;
	bool allows_all;
};

/* The profile of e, compiled for arch. */
static int embed_compile(struct embed_file *e, uint32_t arch, struct error *err)
{
	struct seccomp_profile p;
	char *names[1] = { (char *)e->path };
	int r;

	seccomp_profile_init(&p);
	r = parse_all(&p, names, 1, "", err);
	if (r == 0)
		r = seccomp_compile_profile(&p, arch, &e->prog, err);
	e->allows_all = r == 0 && seccomp_profile_allows_all(&p);
	e->compiled = r == 0;
	seccomp_profile_free(&p);
	return r;
}

/* --embed: the C source of seccomp_shipped from PATH=FILE arguments, written to out (through
 * out.tmp): each text, and for each NAME.profile at the top (not in groups/), its program. */
static int embed(const char *out, char **args, int n, uint32_t arch, struct error *err)
{
	_cleanup_free_ struct embed_file *files = xcalloc((size_t)n + 1, sizeof(*files));
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", out);
	int r = 0, n_progs = 0;
	FILE *f = NULL;

	if (strcmp(out, "-") == 0)
		return error_set(err, "--embed needs -o FILE");
	for (int i = 0; i < n && r == 0; i++) {
		char *eq = strchr(args[i], '=');
		struct embed_file *e = &files[i];

		if (!eq || eq == args[i] || !eq[1]) {
			r = error_set(err, "--embed: '%s' is not PATH=FILE", args[i]);
			break;
		}
		*eq = '\0';
		e->name = args[i];
		e->path = eq + 1;
		r = read_file(e->path, &e->data, &e->len, err);
		if (r == 0 && !strchr(e->name, '/') && ends_with(e->name, ".profile")) {
			r = embed_compile(e, arch, err);
			n_progs++;
		}
	}
	if (r == 0 && !(f = fopen(tmp, "we")))
		r = error_set_errno(err, errno, "cannot create '%s'", tmp);
	if (r == 0) {
		fputs("/* Generated by tools/seccomp-compile --embed: the shipped seccomp profiles "
		      "built into\n * hutch, their texts and their programs compiled at build time. "
		      "Edit seccomp-profiles/\n * instead. */\n#include <linux/filter.h>\n\n"
		      "#include \"seccomp-request.h\"\n",
		      f);
		for (int i = 0; i < n; i++) {
			const struct embed_file *e = &files[i];
			const struct sock_filter *insns = e->prog.insns;

			fprintf(f, "\nstatic const char text%d[] =\n\t", i);
			c_string(f, (const unsigned char *)e->data, e->len);
			fputs(";\n", f);
			if (!e->compiled)
				continue;
			fprintf(f, "\nstatic const struct sock_filter prog%d[] = {\n", i);
			for (size_t k = 0; k < e->prog.len; k++)
				fprintf(f, "\t{ 0x%02x, %u, %u, 0x%08x },\n", insns[k].code,
					insns[k].jt, insns[k].jf, insns[k].k);
			fputs("};\n", f);
		}
		fputs("\nstatic const struct seccomp_shipped_text texts[] = {\n", f);
		for (int i = 0; i < n; i++) {
			fputs("\t{ ", f);
			c_string(f, (const unsigned char *)files[i].name, strlen(files[i].name));
			fprintf(f, ", text%d, sizeof(text%d) - 1 },\n", i, i);
		}
		fputs("\t{ 0 }\n};\n\nstatic const struct seccomp_shipped_prog progs[] = {\n", f);
		for (int i = 0; i < n; i++) {
			if (!files[i].compiled)
				continue;
			fputs("\t{ ", f);
			c_string(f, (const unsigned char *)files[i].name,
				 strlen(files[i].name) - strlen(".profile"));
			fprintf(f, ", prog%d, %zu, %s },\n", i, files[i].prog.len,
				files[i].allows_all ? "true" : "false");
		}
		fprintf(f,
			"\t{ 0 }\n};\n\nconst struct seccomp_shipped seccomp_shipped = { texts, %d, "
			"progs, %d, 0x%x };\n",
			n, n_progs, arch ? arch : seccomp_abi_native());
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
		free(files[i].data);
		free(files[i].prog.insns);
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

/* What hutch pays per launch: copying the program built into it, against parsing and compiling
 * the profile text. */
static int bench(long n, char **files, int nfiles, const char *dirs,
		 const struct seccomp_prog *prog, struct error *err)
{
	size_t size = prog->len * sizeof(struct sock_filter);
	double t0, t_copy, t_compile;

	t0 = now_us();
	for (long i = 0; i < n; i++) {
		void *q = xmalloc(size);

		memcpy(q, prog->insns, size);
		/* (the copy must not be optimised away) */
		__asm__ volatile("" : : "r"(q) : "memory");
		free(q);
	}
	t_copy = (now_us() - t0) / (double)n;
	t0 = now_us();
	for (long i = 0; i < n; i++) {
		struct seccomp_profile q;
		struct seccomp_prog qp;
		int r;

		seccomp_profile_init(&q);
		r = parse_all(&q, files, nfiles, dirs, err);
		if (r == 0)
			r = seccomp_compile_profile(&q, 0, &qp, err);
		seccomp_profile_free(&q);
		if (r < 0)
			return -1;
		free(qp.insns);
	}
	t_compile = (now_us() - t0) / (double)n;
	printf("instructions: %zu\n", prog->len);
	printf("built-in program (a copy): %7.2f us per launch\n", t_copy);
	printf("parse + compile:           %7.1f us per launch\n", t_compile);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
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
	bool show = false, dump = false, do_embed = false;
	struct seccomp_profile p;
	struct seccomp_prog prog = { 0 };
	struct error err = { 0 };
	uint32_t arch = 0;
	long n_bench = 0;
	int c, r;

	face_set(FACE_HUTCH);
	while ((c = getopt_long(argc, argv, "o:a:I:sdb:eh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
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
		r = embed(out, argv + optind, argc - optind, arch, &err);
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
		r = seccomp_compile_profile(&p, arch, &prog, &err);
	if (r == 0 && dump)
		disassemble(&prog);
	else if (r == 0 && n_bench > 0)
		r = bench(n_bench, argv + optind, argc - optind, dirs, &prog, &err);
	else if (r == 0)
		r = write_output(out, &prog, &err);
	if (r < 0)
		fprintf(stderr, "seccomp-compile: %s\n", err.msg);
	free(prog.insns);
	seccomp_profile_free(&p);
	return r < 0 ? 1 : 0;
}

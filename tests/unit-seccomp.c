/* unit-seccomp: the profile parser (every error path, through fmemopen), the compiler (its
 * programs run in a small BPF interpreter against the programs libseccomp makes of the same
 * profiles, tests/seccomp-oracle.c, and against the meaning of the rules on every ABI,
 * tests/seccomp-ref.c, which also knows the multiplexers), the printer, the shipped
 * profiles, the programs built in and the requests of the command line. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../seccomp-compile.h"
#include "../seccomp-profile.h"
#include "../seccomp-request.h"
#include "../seccomp.h"
#include "../util.h"
#include "seccomp-oracle.h"
#include "seccomp-ref.h"
#include "tap.h"

/* --- libseccomp calls, counted (this executable's definitions win over the library's) ---- */

static unsigned libseccomp_calls;

#define FORWARD(ret, name, params, args)                           \
	ret name params                                            \
	{                                                          \
		static ret(*real) params;                          \
		if (!real)                                         \
			*(void **)&real = dlsym(RTLD_NEXT, #name); \
		libseccomp_calls++;                                \
		return real args;                                  \
	}

/* Every libseccomp function hutch calls (the test links libseccomp dynamically). */
FORWARD(int, seccomp_syscall_resolve_name, (const char *name), (name))
FORWARD(int, seccomp_syscall_resolve_name_arch, (uint32_t arch, const char *name), (arch, name))
FORWARD(char *, seccomp_syscall_resolve_num_arch, (uint32_t arch, int num), (arch, num))
FORWARD(uint32_t, seccomp_arch_native, (void), ())
FORWARD(uint32_t, seccomp_arch_resolve_name, (const char *arch_name), (arch_name))

/* --- an in-memory file system for includes ---------------------------------------------- */

static const struct {
	const char *path, *text;
} files[] = {
	{ "a.profile", "default allow\ninclude b\n" },
	{ "b.profile", "include a\n" },
	{ "self.profile", "include ./x/../self.profile\n" },
	{ "inc/groups.inc", "group @rw\nread write\nend\n" },
	{ "inc/user.profile", "include groups.inc\nallow @rw\n" },
	{ "dir/shared.inc", "group @shared\nclose\nend\n" },
	{ "usesdir.profile", "include shared.inc\nallow @shared\n" },
	{ "twice.profile", "default allow\ninclude inc/groups.inc\ninclude inc/groups.inc\n" },
	{ "deep.profile", "include deep1\n" },
	{ "deep1.profile", "include deep2\n" },
	{ "deep2.profile", "include deep3\n" },
	{ "deep3.profile", "include deep4\n" },
	{ "deep4.profile", "include deep5\n" },
	{ "deep5.profile", "include deep6\n" },
	{ "deep6.profile", "include deep7\n" },
	{ "deep7.profile", "include deep8\n" },
	{ "deep8.profile", "include deep9\n" },
	{ "deep9.profile", "include deep10\n" },
	{ "deep10.profile", "include deep11\n" },
	{ "deep11.profile", "include deep12\n" },
	{ "deep12.profile", "include deep13\n" },
	{ "deep13.profile", "include deep14\n" },
	{ "deep14.profile", "include deep15\n" },
	{ "deep15.profile", "include deep16\n" },
	{ "deep16.profile", "include deep17\n" },
	{ "deep17.profile", "allow read\n" },
};

static FILE *mem_open(void *data, const char *path)
{
	(void)data;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].path, path) == 0)
			return fmemopen((void *)files[i].text, strlen(files[i].text), "r");
	errno = ENOENT;
	return NULL;
}

static const struct seccomp_profile_source mem_src = { mem_open, NULL, "dir" };

static int parse_text(struct seccomp_profile *p, const char *name, const char *text,
		      struct error *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!f)
		return error_set_errno(err, errno, "fmemopen");
	r = seccomp_profile_parse(p, f, name, &mem_src, err);
	fclose(f);
	return r;
}

/* The error message parsing `text` as t.profile gives ("" when it parses). */
static const char *parse_error_of(const char *text)
{
	static struct error err;
	struct seccomp_profile p;

	memset(&err, 0, sizeof(err));
	seccomp_profile_init(&p);
	if (parse_text(&p, "t.profile", text, &err) == 0)
		err.msg[0] = '\0';
	seccomp_profile_free(&p);
	return err.msg;
}

static const char *file_error_of(const char *name)
{
	static struct error err;
	struct seccomp_profile p;
	FILE *f = mem_open(NULL, name);

	memset(&err, 0, sizeof(err));
	seccomp_profile_init(&p);
	if (seccomp_profile_parse(&p, f, name, &mem_src, &err) == 0)
		err.msg[0] = '\0';
	fclose(f);
	seccomp_profile_free(&p);
	return err.msg;
}

static void test_parse_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "default allow\nallow read foo\n", "t.profile:2: unknown system call 'foo'" },
		{ "allow read\n# comment\n\n  errno EPERM nosuchcall # x\n",
		  "t.profile:4: unknown system call 'nosuchcall'" },
		{ "alow read\n", "t.profile:1: unknown action 'alow' (expected allow, errno, kill, "
				 "log or trap)" },
		{ "default deny\n", "t.profile:1: unknown action 'deny' (expected allow, errno, "
				    "kill, log or trap)" },
		{ "errno EFOO read\n", "t.profile:1: unknown errno 'EFOO'" },
		{ "errno 4096 read\n", "t.profile:1: errno '4096' is out of range (0 to 4095)" },
		{ "errno\n", "t.profile:1: 'errno' needs a number or a name such as EPERM" },
		{ "default\n", "t.profile:1: 'default' needs an action" },
		{ "default allow read\n",
		  "t.profile:1: unexpected 'read' after the default action" },
		{ "allow\n", "t.profile:1: no system call after 'allow'" },
		{ "allow arg0 == 1\n", "t.profile:1: no system call after 'allow'" },
		{ "allow read arg6 == 1\n",
		  "t.profile:1: bad argument index 'arg6' (arg0 to arg5)" },
		{ "allow read arg == 1\n", "t.profile:1: bad argument index 'arg' (arg0 to arg5)" },
		{ "allow read arg0 =~ 1\n",
		  "t.profile:1: unknown operator '=~' (expected ==, !=, <, "
		  "<=, > or >=)" },
		{ "allow read arg0\n", "t.profile:1: missing operator after 'arg0'" },
		{ "allow read arg0 ==\n", "t.profile:1: missing value after '=='" },
		{ "allow read arg0 == x1\n", "t.profile:1: bad value 'x1' (a number: 42, 0x2a or "
					     "052)" },
		{ "allow read arg0 == 0x1g\n", "t.profile:1: bad value '0x1g' (a number: 42, 0x2a "
					       "or 052)" },
		{ "allow read arg0 == 18446744073709551616\n",
		  "t.profile:1: bad value '18446744073709551616' (a number: 42, 0x2a or 052)" },
		{ "allow read arg0 == -1\n", "t.profile:1: bad value '-1' (a number: 42, 0x2a or "
					     "052)" },
		{ "allow read arg0 &0xff < 1\n", "t.profile:1: a masked comparison takes == or !=, "
						 "not '<'" },
		{ "allow read arg0 &zz == 1\n", "t.profile:1: bad mask 'zz' (a number: 42, 0x2a or "
						"052)" },
		{ "allow read arg0 &\n", "t.profile:1: missing mask after '&'" },
		{ "allow read arg0 &0xff == 0x100\n",
		  "t.profile:1: value 0x100 has bits outside the "
		  "mask 0xff: it never matches" },
		{ "allow read arg0 == 1 write\n",
		  "t.profile:1: expected a condition (argN OP VALUE), "
		  "not 'write'" },
		{ "allow read arg0 == 1 arg1 == 1 arg2 == 1 arg3 == 1 arg4 == 1 arg5 == 1 arg0 == 2\n",
		  "t.profile:1: too many conditions (at most 6)" },
		{ "include nothere\n",
		  "t.profile:1: cannot open include 'nothere': No such file or "
		  "directory" },
		{ "include\n", "t.profile:1: expected 'include NAME'" },
		{ "include a b\n", "t.profile:1: expected 'include NAME'" },
		{ "group @x\nread\n", "t.profile:1: unterminated group '@x' (no 'end')" },
		{ "\ngroup @x\nread\nallow read\nend\n",
		  "t.profile:4: unknown system call 'allow' (in group '@x' of line 2: missing "
		  "'end'?)" },
		{ "group @x\ngroup @y\n", "t.profile:2: group inside group '@x' of line 1: missing "
					  "'end'?" },
		{ "allow @nope\n", "t.profile:1: unknown group '@nope'" },
		{ "group @x\n@x\nend\n", "t.profile:2: group '@x' includes itself" },
		{ "group @x\nread\nend\ngroup @x\nwrite\nend\n",
		  "t.profile:4: group '@x' is already defined at t.profile:1" },
		{ "group x\nend\n", "t.profile:1: bad group name 'x' (expected @NAME)" },
		{ "group @a.b\nend\n",
		  "t.profile:1: bad group name '@a.b' (letters, digits, - and _)" },
		{ "group\n", "t.profile:1: expected 'group @NAME'" },
		{ "end\n", "t.profile:1: 'end' without 'group'" },
		{ "group @x\nend extra\n", "t.profile:2: unexpected 'extra' after 'end'" },
		{ "arch\n", "t.profile:1: 'arch' needs at least one architecture" },
		{ "arch native vax\n", "t.profile:1: unknown architecture 'vax'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = parse_error_of(cases[i].text);

		if (!ok(strcmp(got, cases[i].msg) == 0, "error: %s", cases[i].msg))
			printf("#   got:  '%s'\n", got);
	}

	/* `?name` is optional: skipped when unknown, a rule when known. */
	is_str(parse_error_of("allow ?nosuchcall read\n"), "", "?name: an unknown call is skipped");
	is_str(parse_error_of("allow ?\n"), "", "?: an empty optional name is skipped");
	{
		const char nul[] = "allow read\n\0\n";
		struct seccomp_profile p;
		struct error err = { 0 };
		FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");

		seccomp_profile_init(&p);
		ok(seccomp_profile_parse(&p, f, "nul.profile", &mem_src, &err) < 0, "a NUL byte is "
										    "refused");
		is_str(err.msg, "nul.profile:2: a NUL byte: this is not a profile",
		       "... with its "
		       "line");
		fclose(f);
		seccomp_profile_free(&p);
	}
	is_str(file_error_of("a.profile"),
	       "b.profile:1: include loop: 'a.profile' is already being "
	       "read",
	       "include loop through two files");
	is_str(file_error_of("self.profile"),
	       "self.profile:1: include loop: 'self.profile' is "
	       "already being read",
	       "include loop through another spelling of the same path");
	is_str(file_error_of("deep.profile"),
	       "deep15.profile:1: includes nested too deeply (at most "
	       "16)",
	       "includes nest at most 16 deep");
	is_str(file_error_of("inc/user.profile"), "", "include: next to the including file");
	is_str(file_error_of("usesdir.profile"), "", "include: then in the profile directories");
	is_str(file_error_of("twice.profile"), "",
	       "a file included twice defines its groups again");
}

static void test_parse_rules(void)
{
	struct seccomp_profile p;
	struct error err = { 0 };
	const struct seccomp_profile_rule *r;

	seccomp_profile_init(&p);
	ok(parse_text(&p, "r.profile",
		      "default errno ENOSYS   # comment\n"
		      "arch native i386 x32\n"
		      "group @rw\n  read write\n  ?nosuchcall\nend\n"
		      "allow @rw close\n"
		      "errno EACCES openat arg2 &0x3 == 1\n"
		      "errno 13 ioctl arg1 &0xffffffff != 0x5412 arg0 <= 2\n"
		      "kill ptrace\nlog getpid\ntrap getppid\n"
		      "default allow\n",
		      &err) == 0,
	   "a profile with every construct parses");
	is_int(p.n_rules, 8, "one rule per call, groups expanded, unknown ?names skipped");
	ok(p.has_default && p.def.type == SECCOMP_PROFILE_ALLOW, "the last 'default' line wins");
	is_int(p.n_arches, 3, "arch: three architectures");
	ok(p.arches[0] == SECCOMP_PROFILE_ARCH_NATIVE && p.arches[1] == SCMP_ARCH_X86 &&
		   p.arches[2] == SCMP_ARCH_X32,
	   "arch: native, i386 (= x86), x32");
	r = &p.rules[0];
	ok(strcmp(r->syscall, "read") == 0 && r->action.type == SECCOMP_PROFILE_ALLOW &&
		   r->line == 7 && strcmp(r->file, "r.profile") == 0,
	   "rule 1: allow read, from r.profile:7");
	ok(strcmp(p.rules[2].syscall, "close") == 0, "rule 3: close");
	r = &p.rules[3];
	ok(r->action.type == SECCOMP_PROFILE_ERRNO && r->action.errnum == EACCES &&
		   r->n_conds == 1 && r->conds[0].arg == 2 && r->conds[0].mask == 3 &&
		   r->conds[0].value == 1 && r->conds[0].op == SECCOMP_PROFILE_EQ,
	   "errno EACCES openat arg2 &0x3 == 1");
	r = &p.rules[4];
	ok(r->action.errnum == 13 && r->n_conds == 2 && r->conds[0].op == SECCOMP_PROFILE_NE &&
		   r->conds[0].mask == 0xffffffff && r->conds[0].value == 0x5412 &&
		   r->conds[1].op == SECCOMP_PROFILE_LE && r->conds[1].mask == UINT64_MAX,
	   "two conditions, numeric errno");
	ok(p.rules[5].action.type == SECCOMP_PROFILE_KILL &&
		   p.rules[6].action.type == SECCOMP_PROFILE_LOG &&
		   p.rules[7].action.type == SECCOMP_PROFILE_TRAP,
	   "kill, log, trap");
	ok(seccomp_profile_adjust(&p, false, "mount:EACCES", "--seccomp-deny", &err) == 0 &&
		   p.rules[8].action.errnum == EACCES && strcmp(p.rules[8].syscall, "mount") == 0 &&
		   strcmp(p.rules[8].file, "--seccomp-deny") == 0,
	   "--seccomp-deny mount:EACCES");
	ok(seccomp_profile_adjust(&p, true, "@rw", "--seccomp-allow", &err) == 0 && p.n_rules == 11,
	   "--seccomp-allow @rw: a group of the profile");
	ok(seccomp_profile_adjust(&p, false, "umount2", "--seccomp-deny", &err) == 0 &&
		   p.rules[11].action.errnum == EPERM,
	   "--seccomp-deny without errno: EPERM");
	ok(seccomp_profile_adjust(&p, false, "nope", "--seccomp-deny", &err) < 0, "unknown call");
	is_str(err.msg, "--seccomp-deny: unknown system call 'nope'", "... its message");
	seccomp_profile_adjust(&p, false, "read:EFOO", "--seccomp-deny", &err);
	is_str(err.msg, "--seccomp-deny: unknown errno 'EFOO'", "--seccomp-deny read:EFOO");
	seccomp_profile_adjust(&p, false, "read:99999", "--seccomp-deny", &err);
	is_str(err.msg, "--seccomp-deny: errno '99999' is out of range (0 to 4095)",
	       "--seccomp-deny read:99999");
	seccomp_profile_adjust(&p, true, "read:EPERM", "--seccomp-allow", &err);
	is_str(err.msg, "--seccomp-allow: 'read:EPERM': only --seccomp-deny takes ':ERRNO'",
	       "--seccomp-allow read:EPERM");
	seccomp_profile_adjust(&p, true, "?read", "--seccomp-allow", &err);
	is_str(err.msg, "--seccomp-allow: unknown system call '?read'", "--seccomp-allow ?read");
	seccomp_profile_free(&p);
}

/* --- the programs run in hutch's classic BPF interpreter (seccomp.c) ------------------- */

struct data {
	uint32_t nr, arch;
	uint64_t ip;
	uint64_t args[6];
};

/* The filter's answer, or 0xdeadbeef for a program the kernel would refuse to run. */
static uint32_t bpf_run(const struct seccomp_prog *prog, const struct data *d)
{
	struct seccomp_data sd = { .nr = (int)d->nr,
				   .arch = d->arch,
				   .instruction_pointer = d->ip };
	uint32_t verdict;

	memcpy(sd.args, d->args, sizeof(sd.args));
	return seccomp_bpf_run(prog->insns, prog->len, &sd, &verdict, NULL) < 0 ? 0xdeadbeef :
										  verdict;
}

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define X32_BIT	     0x40000000u

static int compile_text(const char *text, struct seccomp_prog *out, struct error *err)
{
	struct seccomp_profile p;
	int r;

	seccomp_profile_init(&p);
	r = parse_text(&p, "c.profile", text, err);
	if (r == 0)
		r = seccomp_compile_profile(&p, SCMP_ARCH_X86_64, out, err);
	seccomp_profile_free(&p);
	return r;
}

static uint32_t verdict3(const struct seccomp_prog *prog, uint32_t arch, uint32_t nr,
			 const uint64_t *args)
{
	struct data d = { nr, arch, 0, { args[0], args[1], args[2], 0, 0, 0 } };

	return bpf_run(prog, &d);
}

static uint32_t verdict(const struct seccomp_prog *prog, uint32_t arch, uint32_t nr, uint64_t a0,
			uint64_t a1)
{
	uint64_t args[3] = { a0, a1, 0 };

	return verdict3(prog, arch, nr, args);
}

/* --- the semantics, checked against a reference on random profiles ------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t interesting[] = {
	0,
	1,
	2,
	5,
	0x5412,
	0x5413,
	0x541c,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0x100000000ULL,
	0x100005412ULL,
	UINT64_MAX,
	UINT64_MAX - 1,
	0x8000000000000000ULL,
};
static const uint64_t masks[] = { 0xffffffff, 0xff,	 0xf0, 0x80000000, 0xffffffff00000000ULL,
				  1,	      0x7e020000 };

static uint64_t pick_value(void)
{
	uint64_t v = interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];

	switch (rnd() % 4) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return rnd() % 4 == 0 ? rnd() : v;
	}
	return v;
}

/* --- libseccomp as the oracle (tests/seccomp-oracle.c) -------------------------------------- */

/* Argument values worth trying for p: each condition's value, its neighbours, the value with
 * the bits outside the mask set, with the lowest bit of the mask flipped, and the edges of 32
 * and 64 bits. At most `max`. */
static size_t oracle_values(const struct seccomp_profile *p, uint64_t *v, size_t max)
{
	static const uint64_t edges[] = { 0,	      1,	   0x7fffffff, 0x80000000,
					  0xffffffff, 0x100000000, INT64_MAX,  UINT64_MAX };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		v[n++] = edges[i];
	for (size_t i = 0; i < p->n_rules; i++)
		for (unsigned k = 0; k < p->rules[i].n_conds; k++) {
			const struct seccomp_profile_cond *c = &p->rules[i].conds[k];
			uint64_t cand[] = { c->value, c->value - 1, c->value + 1,
					    c->value | ~c->mask, c->value ^ (c->mask & -c->mask) };

			for (size_t j = 0; j < sizeof(cand) / sizeof(cand[0]); j++) {
				size_t m;

				for (m = 0; m < n && v[m] != cand[j]; m++)
					;
				if (m == n && n < max)
					v[n++] = cand[j];
			}
		}
	return n;
}

struct oracle_result {
	unsigned profiles, skipped, checks, mismatches;
	char first[8192];
};

static void oracle_compare(const struct seccomp_prog *ours, const struct seccomp_prog *theirs,
			   const struct seccomp_data *d, const char *abi, struct oracle_result *res)
{
	uint32_t a, b;

	res->checks++;
	if (seccomp_bpf_run(ours->insns, ours->len, d, &a, NULL) < 0)
		a = 0xdeadbeef;
	if (seccomp_bpf_run(theirs->insns, theirs->len, d, &b, NULL) < 0)
		b = 0xdeadbeef;
	if (a != b && !res->mismatches++)
		snprintf(res->first, sizeof(res->first),
			 "%s nr 0x%x args 0x%llx 0x%llx 0x%llx: hutch 0x%x, libseccomp 0x%x", abi,
			 (unsigned)d->nr, (unsigned long long)d->args[0],
			 (unsigned long long)d->args[1], (unsigned long long)d->args[2], a, b);
}

/* hutch's program for p (compiled for x86_64) against libseccomp's: the same verdict for every
 * number of x86_64, i386 and x32 and far beyond, and where either program reads the
 * arguments, for every combination of the values on arguments 0 to 2 (`samples` random ones
 * when there are more). Where rules have conditions, the verdicts of each ABI's numbers come
 * from libseccomp's program for that ABI alone (see tests/seccomp-oracle.c); the others, from
 * its program for them all.
 * Not compared: x32 numbers below 512 that x32 lacks (the kernel fails them whatever the
 * filter says; hutch answers as for x86_64's call of that number, libseccomp the default),
 * x32's arguments above 32 bits (libseccomp ignores them), and with `skip_mux`, i386's
 * socketcall and ipc, where libseccomp lets an unconditional rule on the multiplexer win over
 * those a socket call implies. `max`: see oracle_compile. */
static void oracle_check(const struct seccomp_profile *p, const struct seccomp_prog *ours,
			 bool skip_mux, unsigned samples, unsigned max, struct oracle_result *res)
{
	static const struct {
		const char *name;
		uint32_t token, audit, base;
	} abis[] = {
		{ "x86_64", SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0 },
		{ "i386", SCMP_ARCH_X86, AUDIT_ARCH_I386, 0 },
		{ "x32", SCMP_ARCH_X32, AUDIT_ARCH_X86_64, X32_BIT },
	};
	static const uint32_t far[] = { 0xffffffff, 0x7fffffff, 0x80000000, 0xbfffffff,
					0x3fffffff, 0xc0000000, 0x4fffffff, 0x00010000 };
	struct seccomp_prog all = { 0 }, own[3] = { { 0 } };
	struct error err = { 0 };
	uint64_t v[128];
	size_t nv = oracle_values(p, v, 128);
	int r = oracle_compile(p, SCMP_ARCH_X86_64, 0, 2, max, &all, NULL, &err);
	bool conds = false;

	for (size_t i = 0; i < p->n_rules; i++)
		conds = conds || p->rules[i].n_conds;
	/* (without conditions, the program for them all does not go wrong) */
	for (size_t a = 0; a < 3 && r == 0 && conds; a++)
		r = oracle_compile(p, SCMP_ARCH_X86_64, abis[a].token, 2, max, &own[a], NULL, &err);
	if (r > 0)
		res->skipped++;
	if (r < 0 && !res->mismatches++)
		snprintf(res->first, sizeof(res->first), "libseccomp: %.400s", err.msg);
	if (r == 0)
		res->profiles++;
	for (size_t a = 0; a < 3 && r == 0; a++)
		for (uint32_t i = 0; i < 1024 + sizeof(far) / sizeof(far[0]); i++) {
			uint32_t nr = i < 1024 ? abis[a].base | i : far[i - 1024];
			const struct seccomp_prog *theirs = i < 1024 && own[a].len ? &own[a] : &all;
			struct seccomp_data d = { .nr = (int)nr, .arch = abis[a].audit };
			bool ra = false, rb = false;
			uint32_t x;
			size_t combos = nv * nv * nv;

			if (i < 1024 && (a == 2 || skip_mux)) {
				char *name =
					seccomp_syscall_resolve_num_arch(abis[a].token, (int)nr);
				bool skip = a == 2 ? !name && i < 512 :
						     name && (strcmp(name, "socketcall") == 0 ||
							      strcmp(name, "ipc") == 0);

				free(name);
				if (skip)
					continue;
			}
			oracle_compare(ours, theirs, &d, abis[a].name, res);
			seccomp_bpf_run(ours->insns, ours->len, &d, &x, &ra);
			seccomp_bpf_run(theirs->insns, theirs->len, &d, &x, &rb);
			if (!ra && !rb) /* neither looked at the arguments */
				continue;
			for (size_t c = 0; c < (combos < samples ? combos : samples); c++) {
				size_t k = combos <= samples ? c : (size_t)(rnd() % combos);

				for (unsigned arg = 0; arg < 3; arg++, k /= nv)
					d.args[arg] = v[k % nv];
				if (a > 0) /* i386: 32-bit registers; x32: see above */
					for (unsigned arg = 0; arg < 3; arg++)
						d.args[arg] &= 0xffffffff;
				oracle_compare(ours, theirs, &d, abis[a].name, res);
			}
			memset(d.args, 0, sizeof(d.args));
		}
	free(all.insns);
	for (size_t a = 0; a < 3; a++)
		free(own[a].insns);
}

/* oracle_check on the profile `text` parses to. */
static void oracle_text(const char *text, const struct seccomp_prog *ours, bool skip_mux,
			unsigned samples, unsigned max, struct oracle_result *res)
{
	struct seccomp_profile p;
	struct error err = { 0 };

	unsigned before = res->mismatches;

	seccomp_profile_init(&p);
	if (parse_text(&p, "c.profile", text, &err) == 0)
		oracle_check(&p, ours, skip_mux, samples, max, res);
	seccomp_profile_free(&p);
	if (before == 0 && res->mismatches) /* the profile, on TAP comment lines */
		for (const char *l = text; *l;) {
			size_t n = strcspn(l, "\n"), o = strlen(res->first);

			snprintf(res->first + o, sizeof(res->first) - o, "\n# %.*s", (int)n, l);
			l += n + (l[n] == '\n');
		}
}

struct rcond {
	unsigned arg, op;
	uint64_t mask, value;
};
struct rrule {
	uint32_t action;
	unsigned n;
	struct rcond c[3];
};

static bool ref_cond(const struct rcond *c, const uint64_t *args)
{
	uint64_t x = args[c->arg] & c->mask;

	switch (c->op) {
	case 0:
		return x == c->value;
	case 1:
		return x != c->value;
	case 2:
		return x < c->value;
	case 3:
		return x <= c->value;
	case 4:
		return x > c->value;
	default:
		return x >= c->value;
	}
}

/* The last rule whose conditions all hold decides; else the default. */
static uint32_t ref_eval(const struct rrule *rules, unsigned n, uint32_t def, const uint64_t *args)
{
	for (unsigned i = n; i-- > 0;) {
		unsigned k;

		for (k = 0; k < rules[i].n; k++)
			if (!ref_cond(&rules[i].c[k], args))
				break;
		if (k == rules[i].n)
			return rules[i].action;
	}
	return def;
}

static const char *action_text(uint32_t a)
{
	switch (a) {
	case SECCOMP_RET_ALLOW:
		return "allow";
	case RET_ERRNO(EPERM):
		return "errno EPERM";
	case RET_ERRNO(EACCES):
		return "errno EACCES";
	case RET_ERRNO(ENOSYS):
		return "errno ENOSYS";
	}
	return "kill";
}

/* Random profiles for two calls, compiled for x86_64, i386 and x32; their programs must agree
 * with ref_eval everywhere. */
static void test_semantics(void)
{
	static const uint32_t actions[] = { SECCOMP_RET_ALLOW, RET_ERRNO(EPERM), RET_ERRNO(EACCES),
					    RET_ERRNO(ENOSYS), SECCOMP_RET_KILL_PROCESS };
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	static const char *const calls[] = { "read", "write" };
	/* read and write on x86_64 (x32 adds its bit) and on i386 */
	static const uint32_t nr64[] = { 0, 1 }, nr32[] = { 3, 4 };
	unsigned profiles = 0, checks = 0, mismatches = 0, errors = 0;
	char first[8192] = "";
	struct oracle_result oracle = { 0 };

	for (int iter = 0; iter < 1000; iter++) {
		struct rrule rules[2][5];
		unsigned n[2] = { 0, 0 }, arg[2];
		uint32_t def = actions[rnd() % 4];
		char text[4096];
		size_t len;
		struct seccomp_prog prog;
		struct error err = { 0 };
		unsigned total = 2 + (unsigned)(rnd() % 7);

		arg[0] = (unsigned)(rnd() % 3);
		arg[1] = (unsigned)(rnd() % 3);
		len = (size_t)snprintf(text, sizeof(text), "arch native i386 x32\ndefault %s\n",
				       action_text(def));
		for (unsigned i = 0; i < total; i++) {
			unsigned s = (unsigned)(rnd() % 2);
			struct rrule *r;

			if (n[s] == 5)
				continue;
			r = &rules[s][n[s]++];
			r->action = actions[rnd() % 5];
			r->n = (unsigned)(rnd() % 3);
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %s",
						action_text(r->action), calls[s]);
			for (unsigned k = 0; k < r->n; k++) {
				struct rcond *c = &r->c[k];

				c->arg = rnd() % 2 ? arg[s] : (unsigned)(rnd() % 3);
				c->mask = UINT64_MAX;
				if (rnd() % 3 == 0) {
					c->mask = masks[rnd() % (sizeof(masks) / sizeof(masks[0]))];
					c->op = (unsigned)(rnd() % 2);
					c->value = pick_value() & c->mask;
					len += (size_t)snprintf(text + len, sizeof(text) - len,
								" arg%u &0x%llx %s 0x%llx", c->arg,
								(unsigned long long)c->mask,
								ops[c->op],
								(unsigned long long)c->value);
				} else {
					c->op = (unsigned)(rnd() % 6);
					c->value = pick_value();
					len += (size_t)snprintf(text + len, sizeof(text) - len,
								" arg%u %s 0x%llx", c->arg,
								ops[c->op],
								(unsigned long long)c->value);
				}
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len, "\n");
		}
		if (getenv("UNIT_SECCOMP_TRACE")) {
			fprintf(stderr, "=== %d\n%s", iter, text);
			fflush(stderr);
		}
		if (compile_text(text, &prog, &err) < 0) {
			if (!errors++)
				printf("# compile error: %s\n# %s\n", err.msg, text);
			continue;
		}
		profiles++;
		oracle_text(text, &prog, true, 300, 150, &oracle);
		for (int t = 0; t < 300; t++) {
			unsigned s = (unsigned)(t % 2);
			uint64_t args[6] = { pick_value(), pick_value(), pick_value(), 0, 0, 0 };
			uint64_t lo[6] = { args[0] & 0xffffffff,
					   args[1] & 0xffffffff,
					   args[2] & 0xffffffff,
					   0,
					   0,
					   0 };
			uint32_t want, got;

			/* x86_64: all 64 bits count. */
			want = ref_eval(rules[s], n[s], def, args);
			got = verdict3(&prog, AUDIT_ARCH_X86_64, nr64[s], args);
			checks++;
			if (got != want && !mismatches++)
				snprintf(
					first, sizeof(first),
					"x86_64 %s args 0x%llx 0x%llx 0x%llx: got 0x%x want 0x%x\n%s",
					calls[s], (unsigned long long)args[0],
					(unsigned long long)args[1], (unsigned long long)args[2],
					got, want, text);
			/* x32: 64-bit registers, all 64 bits count too. */
			got = verdict3(&prog, AUDIT_ARCH_X86_64, X32_BIT | nr64[s], args);
			checks++;
			if (got != want && !mismatches++)
				snprintf(first, sizeof(first), "x32 %s: got 0x%x want 0x%x\n%s",
					 calls[s], got, want, text);
			/* i386: the kernel passes 32-bit values (the upper half is zero). */
			want = ref_eval(rules[s], n[s], def, lo);
			got = verdict3(&prog, AUDIT_ARCH_I386, nr32[s], lo);
			checks++;
			if (got != want && !mismatches++)
				snprintf(first, sizeof(first), "i386 %s: got 0x%x want 0x%x\n%s",
					 calls[s], got, want, text);
		}
		free(prog.insns);
	}
	is_int(errors, 0, "random profiles: all compile");
	if (!is_int(mismatches, 0, "random profiles: the filter agrees with the reference"))
		printf("# %u of %u checks differ; first:\n# %s\n", mismatches, checks, first);
	printf("# %u profiles, %u checks\n", profiles, checks);
	if (!is_int(oracle.mismatches, 0,
		    "random profiles: libseccomp's program gives the same verdicts"))
		printf("# %u of %u checks differ; first: %s\n", oracle.mismatches, oracle.checks,
		       oracle.first);
	printf("# %u profiles (%u too complex for libseccomp), %u checks against libseccomp\n",
	       oracle.profiles, oracle.skipped, oracle.checks);
}

/* Random profiles of unconditional rules over the whole table: every number of x86_64, i386
 * and x32 must get the action of the last rule naming its call, else the default. This is
 * what the compact layouts (a denied call among allowed ones as one jeq; x32 looked up in
 * x86_64's search below 512) must preserve. An x32 number below 512 that x32 lacks fails in
 * the kernel (ENOSYS) whatever the filter answers: those are not checked. socketcall and ipc
 * answer by their first argument on i386: not checked either. */
static void test_table_semantics(void)
{
	static const uint32_t actions[] = { SECCOMP_RET_ALLOW, RET_ERRNO(EPERM), RET_ERRNO(ENOSYS),
					    SECCOMP_RET_KILL_PROCESS };
	static const struct {
		uint32_t token, audit, base;
	} abis[] = {
		{ SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0 },
		{ SCMP_ARCH_X86, AUDIT_ARCH_I386, 0 },
		{ SCMP_ARCH_X32, AUDIT_ARCH_X86_64, X32_BIT },
	};
	static char *names[3][1024];
	char **pool = NULL;
	size_t n_pool = 0;
	unsigned checks = 0, mismatches = 0, errors = 0, longest = 0;
	char first[512] = "";
	struct oracle_result oracle = { 0 };

	for (size_t a = 0; a < 3; a++)
		for (uint32_t nr = 0; nr < 1024; nr++) {
			names[a][nr] = seccomp_syscall_resolve_num_arch(abis[a].token,
									(int)(abis[a].base | nr));
			if (names[a][nr] && a == 0) {
				pool = xrealloc(pool, (n_pool + 1) * sizeof(*pool));
				pool[n_pool++] = names[a][nr];
			}
		}
	{
		/* The compiler's X32_OWN_BASE: below 512, x32 numbers are x86_64's calls. */
		unsigned differ = 0;

		for (uint32_t nr = 0; nr < 512; nr++)
			differ += names[2][nr] &&
				  (!names[0][nr] || strcmp(names[2][nr], names[0][nr]) != 0);
		ok(differ == 0 && names[2][512] && !names[0][512],
		   "x32 below 512 is x86_64's calls; 512 is x32's own (%s)",
		   names[2][512] ? names[2][512] : "none");
	}
	for (size_t a = 0; a < 3; a++) /* i386's own calls too */
		for (uint32_t nr = 0; a == 1 && nr < 1024; nr++)
			if (names[a][nr]) {
				pool = xrealloc(pool, (n_pool + 1) * sizeof(*pool));
				pool[n_pool++] = names[a][nr];
			}
	for (int iter = 0; iter < 200; iter++) {
		static char text[65536];
		static const char *rule_name[400];
		static uint32_t rule_action[400];
		uint32_t def = actions[rnd() % 3];
		unsigned n_rules = 1 + (unsigned)(rnd() % (iter < 100 ? 40 : 400));
		size_t len = (size_t)snprintf(text, sizeof(text),
					      "arch native compat\ndefault %s\n", action_text(def));
		struct seccomp_prog prog;
		struct error err = { 0 };

		for (unsigned i = 0; i < n_rules; i++) {
			rule_name[i] = pool[rnd() % n_pool];
			rule_action[i] = actions[rnd() % 4];
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s ?%s\n",
						action_text(rule_action[i]), rule_name[i]);
		}
		if (compile_text(text, &prog, &err) < 0) {
			if (!errors++)
				printf("# compile error: %s\n", err.msg);
			continue;
		}
		if (prog.len > longest)
			longest = (unsigned)prog.len;
		oracle_text(text, &prog, true, 16, 0, &oracle);
		for (size_t a = 0; a < 3; a++)
			for (uint32_t nr = 0; nr < 1024; nr++) {
				const char *name = names[a][nr];
				uint32_t want = def, got;
				uint64_t args[3] = { rnd(), rnd(), rnd() };

				if (a == 2 && !name && nr < 512)
					continue;
				if (a == 1 && name &&
				    (strcmp(name, "socketcall") == 0 || strcmp(name, "ipc") == 0))
					continue;
				for (unsigned i = 0; name && i < n_rules; i++)
					if (strcmp(rule_name[i], name) == 0)
						want = rule_action[i];
				got = verdict3(&prog, abis[a].audit, abis[a].base | nr, args);
				checks++;
				if (got != want && !mismatches++)
					snprintf(first, sizeof(first),
						 "abi %zu nr %u (%s): got 0x%x want 0x%x", a, nr,
						 name ? name : "-", got, want);
			}
		/* -1 (a tracer skipping the call) and numbers far above every table */
		uint32_t far[] = { 0xffffffff, 0x7fffffff, 0x80000000, 0xbfffffff,
				   0x40000400, 0xc0000000, 0x4fffffff };
		for (size_t k = 0; k < sizeof(far) / sizeof(far[0]); k++) {
			uint64_t args[3] = { 0, 0, 0 };

			checks++;
			if (verdict3(&prog, AUDIT_ARCH_X86_64, far[k], args) != def &&
			    !mismatches++)
				snprintf(first, sizeof(first), "x86_64 nr 0x%x: not the default",
					 far[k]);
		}
		free(prog.insns);
	}
	is_int(errors, 0, "whole-table profiles: all compile");
	if (!is_int(mismatches, 0, "whole-table profiles: every number gets its call's action"))
		printf("# %u of %u checks differ; first: %s\n", mismatches, checks, first);
	printf("# %u checks, longest program %u instructions\n", checks, longest);
	if (!is_int(oracle.mismatches, 0,
		    "whole-table profiles: libseccomp's program gives the same verdicts"))
		printf("# %u of %u checks differ; first: %s\n", oracle.mismatches, oracle.checks,
		       oracle.first);
	printf("# %u profiles (%u too complex for libseccomp), %u checks against libseccomp\n",
	       oracle.profiles, oracle.skipped, oracle.checks);
	for (size_t a = 0; a < 3; a++)
		for (uint32_t nr = 0; nr < 1024; nr++)
			free(names[a][nr]);
	free(pool);
}

/* The interpreter refuses what the kernel would, and seccomp_set_allows answers yes only for
 * one profile hutch compiled that allows every call asked about. */
static void test_interpreter(void)
{
	struct sock_filter off_end[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
	struct sock_filter outside[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
					 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_filter unaligned[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
					   BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_filter mod[] = { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
				     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_filter scratch[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LD | BPF_IMM, 0),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct seccomp_data d = { .nr = 39, .arch = AUDIT_ARCH_X86_64 };
	uint32_t v = 0;

	ok(seccomp_bpf_run(off_end, 1, &d, &v, NULL) < 0,
	   "interpreter: falling off the end is refused");
	ok(seccomp_bpf_run(outside, 2, &d, &v, NULL) < 0,
	   "interpreter: a load past seccomp_data is refused");
	ok(seccomp_bpf_run(unaligned, 2, &d, &v, NULL) < 0,
	   "interpreter: an unaligned load is refused");
	ok(seccomp_bpf_run(mod, 2, &d, &v, NULL) < 0,
	   "interpreter: an operation it does not know is refused");
	ok(seccomp_bpf_run(scratch, 8, &d, &v, NULL) == 0 && v == SECCOMP_RET_ALLOW,
	   "interpreter: scratch memory, X and jumps");
	d.nr = 40;
	ok(seccomp_bpf_run(scratch, 8, &d, &v, NULL) == 0 && v == (SECCOMP_RET_ERRNO | EPERM),
	   "interpreter: ... the other branch");

	struct seccomp_prog prog;
	struct error err = { 0 };
	struct seccomp_call getpid_call = { 39, { 0 } }, uname_call = { 63, { 0 } };

	compile_text("arch native\ndefault allow\nerrno EPERM uname\n", &prog, &err);
	struct seccomp_set set = { &prog, 1, true };
	ok(seccomp_set_allows(&set, &getpid_call, 1), "set_allows: a call the profile allows");
	ok(!seccomp_set_allows(&set, &uname_call, 1), "set_allows: a call the profile denies");
	set.first_is_profile = false;
	ok(!seccomp_set_allows(&set, &getpid_call, 1),
	   "set_allows: never for the caller's own BPF");
	struct seccomp_prog two[2] = { prog, prog };
	struct seccomp_set pair = { two, 2, true };
	ok(!seccomp_set_allows(&pair, &getpid_call, 1), "set_allows: never for two programs");
	free(prog.insns);
}

/* Hand-picked semantics: overrides, masks, the 32-bit ABIs, unknown architectures. */
static void test_compile(void)
{
	struct seccomp_prog prog;
	struct error err = { 0 };

	ok(compile_text("default errno ENOSYS\nallow read\nerrno EPERM read\n", &prog, &err) == 0,
	   "compiles");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 0, 0, 0), RET_ERRNO(EPERM),
	       "a later unconditional rule overrides an earlier one");
	free(prog.insns);

	compile_text("default errno ENOSYS\nallow ioctl\n"
		     "errno EPERM ioctl arg1 &0xffffffff == 0x5412\n",
		     &prog, &err);
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x5412), RET_ERRNO(EPERM),
	       "x86_64: ioctl TIOCSTI is denied");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x100005412ULL), RET_ERRNO(EPERM),
	       "x86_64: ... with a high bit set too (CVE-2019-10063)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x5413), SECCOMP_RET_ALLOW,
	       "x86_64: ioctl TIOCGWINSZ is allowed: the earlier unconditional rule");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x5413ULL | (7ULL << 40)),
	       SECCOMP_RET_ALLOW, "x86_64: ... whatever the upper half");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 54, 0, 0x5412), RET_ERRNO(EPERM),
	       "i386: ioctl TIOCSTI is denied");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 54, 0, 0x5401), SECCOMP_RET_ALLOW,
	       "i386: ioctl TCGETS is allowed");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, X32_BIT | 514, 0, 0x100005412ULL),
	       RET_ERRNO(EPERM), "x32: ioctl TIOCSTI (high-bit form) is denied");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, X32_BIT | 0, 0, 0), RET_ERRNO(ENOSYS),
	       "x32: other calls get the default");
	is_int(verdict(&prog, AUDIT_ARCH_AARCH64, 29, 0, 0x5412), SECCOMP_RET_KILL_PROCESS,
	       "an architecture the profile does not name is killed");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 462, 0, 0), RET_ERRNO(ENOSYS),
	       "a call the profile does not name gets the default");
	free(prog.insns);

	compile_text("arch native\ndefault allow\n", &prog, &err);
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, X32_BIT | 39, 0, 0), SECCOMP_RET_KILL_PROCESS,
	       "arch native only: x32 calls are killed, never let through");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 20, 0, 0), SECCOMP_RET_KILL_PROCESS,
	       "arch native only: i386 calls are killed");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 39, 0, 0), SECCOMP_RET_ALLOW,
	       "arch native only: native calls follow the profile");
	free(prog.insns);

	compile_text("default allow\nerrno EPERM clone arg0 &0x7e020000 != 0\n"
		     "log getpid\ntrap getppid\nkill gettid\nerrno 0 getuid\n",
		     &prog, &err);
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 56, 0x10000000 | 17, 0), RET_ERRNO(EPERM),
	       "masked !=: clone(CLONE_NEWUSER) is denied");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 56, 0x003d0f00 | 17, 0), SECCOMP_RET_ALLOW,
	       "masked !=: clone of a thread is allowed");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 120, 0x40000000 | 17, 0), RET_ERRNO(EPERM),
	       "i386: clone(CLONE_NEWNET) is denied");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 39, 0, 0), SECCOMP_RET_LOG, "log");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 110, 0, 0), SECCOMP_RET_TRAP, "trap");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 186, 0, 0), SECCOMP_RET_KILL_PROCESS, "kill");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 102, 0, 0), RET_ERRNO(0), "errno 0");
	free(prog.insns);

	ok(compile_text("default allow\nerrno EPERM read arg0 == 1 arg1 > 5\nallow read arg1 == 7\n",
			&prog, &err) == 0,
	   "conditions on several arguments");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 0, 1, 6), RET_ERRNO(EPERM), "... both hold");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 0, 1, 7), SECCOMP_RET_ALLOW, "... a later rule");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 0, 2, 6), SECCOMP_RET_ALLOW, "... one fails");
	free(prog.insns);
	ok(compile_text("default allow\nerrno EPERM socket\nallow socket arg0 == 1\n", &prog,
			&err) < 0,
	   "a condition on socket, with i386 in the profile: an error");
	is_str(err.msg,
	       "c.profile:3: the rules for 'socket' have conditions, which x86 cannot "
	       "check: it reaches the call through a multiplexer, with the arguments in "
	       "memory; drop the conditions, or leave x86 out with an 'arch' line",
	       "... i386 reaches socket through socketcall");
	ok(compile_text("default allow\narch native compat\narch native\nerrno EPERM socket\n"
			"allow socket arg0 == 1\n",
			&prog, &err) == 0,
	   "... fine for x86_64 alone (the last 'arch' line wins)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 41, 1, 0), SECCOMP_RET_ALLOW, "socket(AF_UNIX)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 41, 2, 0), RET_ERRNO(EPERM), "socket(AF_INET)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 359, 1, 0), SECCOMP_RET_KILL_PROCESS,
	       "i386 left out: killed");
	free(prog.insns);
	ok(compile_text("default allow\nerrno EPERM socket\nerrno EACCES semget\n", &prog, &err) ==
		   0,
	   "i386: socket calls are also denied through the multiplexers");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 359, 2, 0), RET_ERRNO(EPERM), "socket (359)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 102, 1, 0), RET_ERRNO(EPERM),
	       "socketcall(SYS_SOCKET)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 102, 1 | (7ULL << 32), 0), RET_ERRNO(EPERM),
	       "socketcall(SYS_SOCKET), upper bits set");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 102, 3, 0), SECCOMP_RET_ALLOW,
	       "socketcall(SYS_CONNECT)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 393, 0, 0), RET_ERRNO(EACCES), "semget (393)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 117, 2 | (1 << 16), 0), RET_ERRNO(EACCES),
	       "ipc(SEMGET, version 1)");
	is_int(verdict(&prog, AUDIT_ARCH_I386, 117, 1, 0), SECCOMP_RET_ALLOW, "ipc(SEMOP)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 41, 2, 0), RET_ERRNO(EPERM), "x86_64: socket");
	free(prog.insns);
	{
		char text[8192] = "default errno ENOSYS\nallow ioctl\n";

		for (int i = 0; i < 40; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "errno EPERM ioctl arg1 &0xffffffff == %d\n", 1000 + 7919 * i);
		ok(compile_text(text, &prog, &err) == 0, "forty denied ioctls on an allowed ioctl");
		ok(prog.len < 600, "... cost about four instructions each (%zu in all)", prog.len);
		is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 1000 + 7919 * 39 + (1ULL << 40)),
		       RET_ERRNO(EPERM), "... denied, upper bits or not");
		is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 1001), SECCOMP_RET_ALLOW,
		       "... the others allowed");
		free(prog.insns);
	}

	ok(compile_text("allow read\n", &prog, &err) < 0, "no default: an error");
	is_str(err.msg, "c.profile: no 'default' line: a profile needs a default action",
	       "... naming the file");
}

/* --- the shipped profiles ------------------------------------------------------------------ */

static const char *srcdir(void)
{
	const char *s = getenv("srcdir");

	return s && *s ? s : ".";
}

static int parse_shipped(struct seccomp_profile *p, const char *name, struct error *err)
{
	char path[4096];
	FILE *f;
	int r;

	/* Includes are found next to the profile: the installed directory is not searched. */
	snprintf(path, sizeof(path), "%s/seccomp-profiles/%s.profile", srcdir(), name);
	f = fopen(path, "re");
	if (!f)
		return error_set_errno(err, errno, "cannot open '%s'", path);
	r = seccomp_profile_parse(p, f, path, NULL, err);
	fclose(f);
	return r;
}

/* Every call libseccomp knows on x86_64 and i386 has a rule in `default`: the ENOSYS default
 * is only for calls newer than the profile. */
static void test_default_coverage(const struct seccomp_profile *p)
{
	static const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86 };
	unsigned missing = 0;
	char list[2048] = "";

	for (size_t a = 0; a < 2; a++) {
		for (int nr = 0; nr < 1024; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(arches[a], nr);
			size_t i;

			if (!name)
				continue;
			for (i = 0; i < p->n_rules; i++)
				if (strcmp(p->rules[i].syscall, name) == 0)
					break;
			if (i == p->n_rules && !strstr(list, name)) {
				missing++;
				if (strlen(list) + strlen(name) + 2 < sizeof(list)) {
					strcat(list, " ");
					strcat(list, name);
				}
			}
			free(name);
		}
	}
	if (!is_int(missing, 0, "default: every call libseccomp knows has a verdict"))
		printf("# without a rule:%s\n", list);
}

static void test_shipped(void)
{
	static const char *const names[] = { "default", "strict", "none" };
	struct seccomp_prog progs[3] = { { 0 } };

	for (int i = 0; i < 3; i++) {
		struct seccomp_profile p;
		struct error err = { 0 };
		int r;

		seccomp_profile_init(&p);
		r = parse_shipped(&p, names[i], &err);
		if (!ok(r == 0, "%s: parses", names[i]))
			printf("# %s\n", err.msg);
		r = r == 0 ? seccomp_compile_profile(&p, 0, &progs[i], &err) : -1;
		if (!ok(r == 0, "%s: compiles", names[i]))
			printf("# %s\n", err.msg);
		ok(progs[i].len > 0 && progs[i].len <= BPF_MAXINSNS, "%s: %zu instructions",
		   names[i], progs[i].len);
		/* The kernel converts and JITs every instruction at each launch (about 0.8 us
		 * each here, bench/RESULTS.md): a layout that grows the program is a slowdown.
		 * 293 and 373 before the compact layouts. */
		if (i < 2)
			ok(progs[i].len <= (i == 0 ? 160u : 220u),
			   "%s: compact: %zu instructions (at most %u)", names[i], progs[i].len,
			   i == 0 ? 160u : 220u);
		ok(seccomp_profile_allows_all(&p) == (i == 2), "%s: allows all: %s", names[i],
		   i == 2 ? "yes" : "no");
		if (i == 0)
			test_default_coverage(&p);
		if (progs[i].len) {
			struct oracle_result oracle = { 0 };

			oracle_check(&p, &progs[i], false, 1000000, 0, &oracle);
			if (!ok(oracle.mismatches == 0 && oracle.checks > 2500,
				"%s: libseccomp's program gives the same verdicts (%u checks: "
				"every number of x86_64, i386 and x32, the arguments where "
				"read)",
				names[i], oracle.checks))
				printf("# %u differ; first: %s\n", oracle.mismatches, oracle.first);
		}
		seccomp_profile_free(&p);
	}
	{
		const struct seccomp_prog *d = &progs[0], *s = &progs[1], *n = &progs[2];
		static const struct {
			const char *what;
			uint32_t nr;
			uint64_t a0, a1;
			uint32_t want_default, want_strict;
		} calls[] = {
			{ "read", 0, 0, 0, SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW },
			{ "ioctl TIOCSTI", 16, 0, 0x5412, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "ioctl TIOCSTI|1<<32", 16, 0, 0x100005412ULL, RET_ERRNO(EPERM),
			  RET_ERRNO(EPERM) },
			{ "ioctl TIOCLINUX", 16, 0, 0x541c, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "ioctl TIOCLINUX|1<<63", 16, 0, 0x800000000000541cULL, RET_ERRNO(EPERM),
			  RET_ERRNO(EPERM) },
			{ "ioctl TCGETS", 16, 0, 0x5401, SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW },
			{ "kexec_load", 246, 0, 0, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "bpf", 321, 0, 0, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "keyctl", 250, 0, 0, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "io_uring_setup", 425, 0, 0, RET_ERRNO(EPERM), RET_ERRNO(EPERM) },
			{ "clone3", 435, 0, 0, RET_ERRNO(ENOSYS), RET_ERRNO(ENOSYS) },
			{ "a call newer than the profile (nr 470)", 470, 0, 0, RET_ERRNO(ENOSYS),
			  RET_ERRNO(ENOSYS) },
			{ "clone(CLONE_NEWUSER)", 56, 0x10000000 | 17, 0, SECCOMP_RET_ALLOW,
			  RET_ERRNO(EPERM) },
			{ "clone(thread flags)", 56, 0x3d0f00, 0, SECCOMP_RET_ALLOW,
			  SECCOMP_RET_ALLOW },
			{ "unshare(CLONE_NEWTIME)", 272, 0x80, 0, SECCOMP_RET_ALLOW,
			  RET_ERRNO(EPERM) },
			{ "unshare(CLONE_FILES)", 272, 0x400, 0, SECCOMP_RET_ALLOW,
			  SECCOMP_RET_ALLOW },
			{ "setns", 308, 0, 0, SECCOMP_RET_ALLOW, RET_ERRNO(EPERM) },
			{ "ptrace", 101, 0, 0, SECCOMP_RET_ALLOW, RET_ERRNO(EPERM) },
			{ "personality(0xffffffff)", 135, 0xffffffff, 0, SECCOMP_RET_ALLOW,
			  SECCOMP_RET_ALLOW },
			{ "personality(-1) (the kernel reads 32 bits)", 135, UINT64_MAX, 0,
			  SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW },
			{ "personality(ADDR_NO_RANDOMIZE)", 135, 0x40000, 0, SECCOMP_RET_ALLOW,
			  RET_ERRNO(EPERM) },
			{ "mount", 165, 0, 0, SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW },
		};

		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			is_int(verdict(d, AUDIT_ARCH_X86_64, calls[i].nr, calls[i].a0, calls[i].a1),
			       calls[i].want_default, calls[i].what);
			is_int(verdict(s, AUDIT_ARCH_X86_64, calls[i].nr, calls[i].a0, calls[i].a1),
			       calls[i].want_strict, calls[i].what);
		}
		is_int(verdict(d, AUDIT_ARCH_I386, 54, 0, 0x5412), RET_ERRNO(EPERM),
		       "default, i386: ioctl TIOCSTI");
		is_int(verdict(d, AUDIT_ARCH_I386, 283, 0, 0), RET_ERRNO(EPERM),
		       "default, i386: kexec_load");
		is_int(verdict(d, AUDIT_ARCH_I386, 102, 1, 0), SECCOMP_RET_ALLOW,
		       "default, i386: socketcall");
		is_int(verdict(s, AUDIT_ARCH_I386, 120, 0x10000000 | 17, 0), RET_ERRNO(EPERM),
		       "strict, i386: clone(CLONE_NEWUSER)");
		is_int(verdict(s, AUDIT_ARCH_I386, 346, 0, 0), RET_ERRNO(EPERM),
		       "strict, i386: setns");
		is_int(verdict(s, AUDIT_ARCH_I386, 310, 0x400, 0), SECCOMP_RET_ALLOW,
		       "strict, i386: unshare(CLONE_FILES)");
		is_int(verdict(d, AUDIT_ARCH_X86_64, X32_BIT | 514, 0, 0x5412), RET_ERRNO(EPERM),
		       "default, x32: ioctl TIOCSTI");
		is_int(verdict(d, AUDIT_ARCH_X86_64, X32_BIT | 528, 0, 0), RET_ERRNO(EPERM),
		       "default, x32: kexec_load");
		is_int(verdict(d, AUDIT_ARCH_X86_64, X32_BIT | 0, 0, 0), SECCOMP_RET_ALLOW,
		       "default, x32: read");
		is_int(verdict(d, AUDIT_ARCH_AARCH64, 63, 0, 0), SECCOMP_RET_KILL_PROCESS,
		       "default: another architecture is killed");
		is_int(verdict(n, AUDIT_ARCH_X86_64, 246, 0, 0), SECCOMP_RET_ALLOW,
		       "none: kexec_load is allowed");
	}
	for (int i = 0; i < 3; i++)
		free(progs[i].insns);
}

/* What seccomp_profile_print writes parses back into the same program. */
static void test_print_roundtrip(void)
{
	static const char *const names[] = { "default", "strict" };

	for (int i = 0; i < 2; i++) {
		struct seccomp_profile p, q;
		struct seccomp_prog a = { 0 }, b = { 0 };
		struct error err = { 0 };
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		seccomp_profile_init(&p);
		seccomp_profile_init(&q);
		parse_shipped(&p, names[i], &err);
		seccomp_profile_print(out, &p);
		fclose(out);
		if (!ok(parse_text(&q, "printed", buf, &err) == 0, "%s: the printed rules parse",
			names[i]))
			printf("# %s\n", err.msg);
		seccomp_compile_profile(&p, 0, &a, &err);
		seccomp_compile_profile(&q, 0, &b, &err);
		ok(a.len == b.len && a.len && memcmp(a.insns, b.insns, a.len * 8) == 0,
		   "%s: ... into the same program", names[i]);
		if (i == 1)
			ok(strstr(buf, "errno EPERM ioctl arg1 &0xffffffff == 0x5412\n") &&
				   strstr(buf, "errno EPERM clone arg0 &0x7e020000 != 0\n") &&
				   strstr(buf, "default errno ENOSYS\n") &&
				   !strstr(buf, "allow setns"),
			   "strict: printed with conditions, without overridden rules");
		free(buf);
		free(a.insns);
		free(b.insns);
		seccomp_profile_free(&p);
		seccomp_profile_free(&q);
	}
}

/* --- every number of every ABI against the rules (tests/seccomp-ref.c) -------------------- */

/* Compiles `p` for `native` and compares the program with the rules: 0 when all agree, else
 * prints the first difference. A compile error is right only when the rules say so. */
static int check_profile(const char *what, const struct seccomp_profile *p, uint32_t native)
{
	struct seccomp_prog prog = { NULL, 0 };
	struct seccomp_ref_report rep;
	struct error err = { 0 };
	const char *want = seccomp_ref_compile_error(p, native);
	int r = seccomp_compile_profile(p, native, &prog, &err), bad = 0;

	if (r < 0 && !want) {
		printf("# %s: does not compile: %s\n", what, err.msg);
		bad = 1;
	} else if (r == 0 && want) {
		printf("# %s: compiles, but the rules say: %s\n", what, want);
		bad = 1;
	} else if (r == 0 && seccomp_ref_check(p, native, &prog, 42, &rep)) {
		printf("# %s: %u of %u verdicts differ; first: %s\n", what, rep.mismatches,
		       rep.checks, rep.first);
		bad = 1;
	}
	free(prog.insns);
	return bad;
}

static int check_against_rules(const char *what, const char *text, uint32_t native)
{
	struct seccomp_profile p;
	struct error err = { 0 };
	int bad;

	seccomp_profile_init(&p);
	if (parse_text(&p, "ref.profile", text, &err) < 0) {
		printf("# %s: %s\n", what, err.msg);
		bad = 1;
	} else {
		bad = check_profile(what, &p, native);
	}
	seccomp_profile_free(&p);
	return bad;
}

static void test_reference(void)
{
	static const uint32_t natives[] = { SCMP_ARCH_X86_64,	SCMP_ARCH_AARCH64,
					    SCMP_ARCH_S390X,	SCMP_ARCH_PPC64,
					    SCMP_ARCH_MIPSEL64, SCMP_ARCH_RISCV64,
					    SCMP_ARCH_PARISC64, SCMP_ARCH_X86 };
	static const char *const names[] = { "read",   "write",	  "ioctl", "socketcall",
					     "socket", "connect", "ipc",   "semget",
					     "shmat",  "clone",	  "recv",  "_llseek" };
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	unsigned failed = 0, errors = 0, profiles = 0;

	/* Without a rule the compiler searches an empty list; for x86_64 and x32 two of them
	 * (clang's UBSan reported `NULL + 0` there, which C leaves undefined). */
	ok(!check_against_rules("no rules", "default allow\n", SCMP_ARCH_X86_64),
	   "a profile without rules: every call of every ABI gets the default");
	ok(!check_against_rules("no rules, x32 alone", "arch x32\ndefault errno EPERM\n",
				SCMP_ARCH_X86_64),
	   "... x32 alone");
	ok(!check_against_rules("no ABI", "arch compat\ndefault allow\n", SCMP_ARCH_RISCV64),
	   "... no ABI at all (compat of riscv64): everything is killed");
	{
		/* "allows all" means hutch loads no filter: then no ABI may be killed either
		 * (an `arch native` profile once let i386 calls through that way) */
		static const struct {
			const char *text;
			bool all;
		} cases[] = {
			{ "default allow\n", true },
			{ "arch native compat\ndefault allow\nallow read\n", true },
			{ "arch native\ndefault allow\n", false },
			{ "arch compat\ndefault allow\n", false },
			{ "default allow\nerrno EPERM read arg0 == 5\n", false },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct seccomp_profile p;
			struct error err = { 0 };
			bool all;

			seccomp_profile_init(&p);
			parse_text(&p, "all.profile", cases[i].text, &err);
			all = seccomp_profile_allows_all(&p);
			ok(all == cases[i].all &&
				   (!all || seccomp_ref_allows_all(&p, SCMP_ARCH_X86_64)),
			   "allows all: %s for '%s'", cases[i].all ? "yes" : "no", cases[i].text);
			seccomp_profile_free(&p);
		}
	}

	{
		/* libseccomp names o32's socket calls only as socketcall pseudo-numbers; their
		 * own numbers (Linux 4.3) start at 4000 like the rest of o32's table */
		struct seccomp_profile p;
		struct seccomp_prog prog = { NULL, 0 };
		struct error err = { 0 };
		struct data d = { 4183, AUDIT_ARCH_MIPSEL, 0, { 2, 1, 0, 0, 0, 0 } };

		seccomp_profile_init(&p);
		parse_text(&p, "mips.profile", "default allow\nerrno EPERM socket\n", &err);
		ok(seccomp_compile_profile(&p, SCMP_ARCH_MIPSEL64, &prog, &err) == 0 &&
			   bpf_run(&prog, &d) == RET_ERRNO(EPERM),
		   "mipsel o32: socket (4183) is denied, not only socketcall(SYS_SOCKET)");
		free(prog.insns);
		seccomp_profile_free(&p);
	}
	for (size_t n = 0; n < sizeof(natives) / sizeof(natives[0]); n++) {
		static const char *const shipped[] = { "default", "strict", "none" };

		for (size_t i = 0; i < 3; i++) {
			struct seccomp_profile p;
			struct error err = { 0 };
			char what[64];

			snprintf(what, sizeof(what), "%s for %s", shipped[i],
				 seccomp_names_arch(natives[n]));
			seccomp_profile_init(&p);
			if (parse_shipped(&p, shipped[i], &err) < 0) {
				printf("# %s: %s\n", what, err.msg);
				failed++;
			} else {
				failed += (unsigned)check_profile(what, &p, natives[n]);
			}
			seccomp_profile_free(&p);
		}
	}
	is_int(failed, 0,
	       "the shipped profiles, compiled for 8 architectures, agree with their "
	       "rules on every number of every ABI");

	/* Random profiles around the multiplexers and the 32-bit ABIs. */
	failed = 0;
	for (int iter = 0; iter < 300; iter++) {
		char text[4096];
		size_t len;
		unsigned n_rules = 1 + (unsigned)(rnd() % 8);
		uint32_t native = natives[rnd() % 4];

		len = (size_t)snprintf(
			text, sizeof(text), "%sdefault %s\n", rnd() % 3 ? "" : "arch native\n",
			action_text((uint32_t)(rnd() % 2 ? SECCOMP_RET_ALLOW : RET_ERRNO(EPERM))));
		for (unsigned i = 0; i < n_rules; i++) {
			unsigned n_conds = rnd() % 3 ? 0 : 1 + (unsigned)(rnd() % 2);

			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %s",
						action_text(rnd() % 2 ? SECCOMP_RET_ALLOW :
									RET_ERRNO(EACCES)),
						names[rnd() % (sizeof(names) / sizeof(names[0]))]);
			for (unsigned k = 0; k < n_conds; k++)
				len += (size_t)snprintf(text + len, sizeof(text) - len,
							" arg%u %s 0x%llx", (unsigned)(rnd() % 3),
							ops[rnd() % 6],
							(unsigned long long)pick_value());
			len += (size_t)snprintf(text + len, sizeof(text) - len, "\n");
		}
		{
			struct seccomp_profile p;
			struct error err = { 0 };

			seccomp_profile_init(&p);
			if (parse_text(&p, "r.profile", text, &err) == 0 &&
			    seccomp_ref_compile_error(&p, native))
				errors++;
			seccomp_profile_free(&p);
		}
		profiles++;
		if (check_against_rules("random", text, native)) {
			if (!failed++)
				printf("# %s", text);
		}
	}
	if (!is_int(failed, 0, "random profiles on the multiplexers agree with their rules"))
		printf("# %u of %u profiles\n", failed, profiles);
	ok(errors > 0 && errors < profiles,
	   "... some of them (%u of %u) are refused: conditions behind a multiplexer", errors,
	   profiles);
}

/* What seccomp_profile_print writes means what the profile means, multiplexers included. */
static void test_print_meaning(void)
{
	static const char *const texts[] = {
		/* printed with every unconditional rule first, grouped by action, this once
		 * became: errno EACCES getpid socket / allow socketcall, and socketcall
		 * (SYS_SOCKET) on i386 was allowed */
		"default allow\nerrno EACCES getpid\nallow socketcall\nerrno EACCES socket\n",
		"default errno ENOSYS\nallow ipc\nerrno EPERM semget\nallow semget read\n"
		"errno EPERM read arg0 == 3\nallow read arg1 > 4\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct seccomp_profile p, q;
		struct seccomp_prog prog = { NULL, 0 };
		struct seccomp_ref_report rep = { 0 };
		struct error err = { 0 };
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		seccomp_profile_init(&p);
		seccomp_profile_init(&q);
		parse_text(&p, "p.profile", texts[i], &err);
		seccomp_profile_print(out, &p);
		fclose(out);
		if (parse_text(&q, "printed", buf, &err) < 0 ||
		    seccomp_compile_profile(&q, SCMP_ARCH_X86_64, &prog, &err) < 0)
			printf("# %s\n", err.msg);
		if (!ok(prog.len && seccomp_ref_check(&p, SCMP_ARCH_X86_64, &prog, 7, &rep) == 0,
			"printed profile %zu means the same on every ABI", i + 1))
			printf("# %s\n# printed:\n%s", rep.first, buf);
		free(prog.insns);
		free(buf);
		seccomp_profile_free(&p);
		seccomp_profile_free(&q);
	}
}

/* --- the requests ------------------------------------------------------------------------ */

static char tmpdir[] = "/tmp/unit-seccomp-XXXXXX";

/* srcdir/seccomp-profiles/NAME, read whole (malloc'd). */
static char *shipped_source(const char *name, size_t *len)
{
	char from[4096], *data = NULL;
	int fd;

	snprintf(from, sizeof(from), "%s/seccomp-profiles/%s", srcdir(), name);
	fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_all_fd(fd, &data, len) < 0)
		printf("# cannot read %s\n", from);
	if (fd >= 0)
		close(fd);
	return data;
}

/* A table of shipped profiles like the one built into hutch, from the sources: the texts of
 * default, strict and none and groups/common.inc, and the programs of default and none only. */
static const char *const table_texts[] = { "default.profile", "strict.profile", "none.profile",
					   "groups/common.inc" };
static struct seccomp_shipped_text texts[4];
static struct seccomp_shipped_prog progs[2];
static struct seccomp_shipped table = { texts, 4, progs, 2, SCMP_ARCH_X86_64 };
static const struct seccomp_shipped empty_table = { NULL, 0, NULL, 0, SCMP_ARCH_X86_64 };

static void table_make(struct seccomp_prog *ref)
{
	struct error err = { 0 };

	for (size_t i = 0; i < 4; i++) {
		texts[i].path = table_texts[i];
		texts[i].text = shipped_source(table_texts[i], &texts[i].len);
	}
	for (int i = 0; i < 2; i++) {
		struct seccomp_profile p;
		struct seccomp_prog prog = { 0 };

		seccomp_profile_init(&p);
		parse_shipped(&p, i ? "none" : "default", &err);
		seccomp_compile_profile(&p, 0, &prog, &err);
		progs[i].name = i ? "none" : "default";
		progs[i].insns = prog.insns;
		progs[i].len = prog.len;
		progs[i].allows_all = seccomp_profile_allows_all(&p);
		if (i == 0)
			*ref = prog;
		seccomp_profile_free(&p);
	}
}

static void table_free(void)
{
	for (size_t i = 0; i < 4; i++)
		free((char *)texts[i].text);
	free((void *)progs[1].insns); /* progs[0]'s is ref */
}

static void test_requests(void)
{
	char exported[4096], path[8192];
	struct seccomp_request req = { 0 };
	struct seccomp_prog prog = { 0 }, ref = { 0 };
	struct error err = { 0 };
	bool all = true;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int fd;

	table_make(&ref);
	req.shipped = &table;
	seccomp_request_add_profile(&req, "default");
	libseccomp_calls = 0;
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0, "request 'default' builds");
	is_int(libseccomp_calls, 0, "... from the built-in program: no libseccomp call at all");
	ok(prog.len == ref.len && memcmp(prog.insns, ref.insns, ref.len * 8) == 0 &&
		   prog.insns != ref.insns && !all,
	   "... a copy of the program compiled at build time; it does not allow all");
	snprintf(exported, sizeof(exported), "%s/exported", tmpdir);
	ok(seccomp_request_export(&prog, exported, &err) == 0, "--seccomp-export writes a file");
	fd = open(exported, O_RDONLY | O_CLOEXEC);
	read_all_fd(fd, &buf, &len);
	close(fd);
	unlink(exported);
	ok(len == ref.len * 8 && memcmp(buf, ref.insns, len) == 0, "... holding the raw program");
	free(buf);
	buf = NULL;
	free(prog.insns);

	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_ALLOW, "keyctl");
	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_DENY, "mount:EACCES");
	libseccomp_calls = 0;
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0, "with adjustments: builds");
	ok(libseccomp_calls > 0, "... compiled at run time");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 250, 0, 0), SECCOMP_RET_ALLOW,
	       "--seccomp-allow keyctl overrides the profile");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 165, 0, 0), RET_ERRNO(EACCES),
	       "--seccomp-deny mount:EACCES");
	free(prog.insns);

	out = open_memstream(&buf, &len);
	ok(seccomp_request_show(out, &req, &err) == 0, "--seccomp-show");
	fclose(out);
	ok(strncmp(buf,
		   "# effective rules of default --seccomp-allow keyctl --seccomp-deny "
		   "mount:EACCES\ndefault errno ENOSYS\narch native compat\n",
		   105) == 0 &&
		   strstr(buf, "errno EACCES mount\n") && !strstr(buf, "allow mount") &&
		   strstr(buf, " keyctl"),
	   "... prints the effective rules");
	free(buf);
	buf = NULL;
	seccomp_request_free(&req);

	req.shipped = &table;
	seccomp_request_add_profile(&req, "none");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0 && all,
	   "request 'none': nothing to load");
	free(prog.insns);
	seccomp_request_free(&req);

	req.shipped = &table;
	seccomp_request_add_profile(&req, "strict");
	ok(seccomp_request_build(&req, &prog, &all, &err) < 0, "a shipped text without a program");
	is_str(err.msg,
	       "cannot load seccomp profile 'strict': it was built in without its compiled program",
	       "... is a setup failure, not a silent compilation");
	ok(err.exit_code == face->exit_setup, "... (the setup status)");
	err.exit_code = 0;
	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_DENY, "mount:EACCES");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0,
	   "... compiled from the built-in text when adjusted (include default among the texts)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 308, 0, 0), RET_ERRNO(EPERM),
	       "... with strict's rules (setns)");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x5412), RET_ERRNO(EPERM),
	       "... and default's (TIOCSTI)");
	free(prog.insns);
	seccomp_request_free(&req);

	table.arch = SCMP_ARCH_AARCH64;
	req.shipped = &table;
	seccomp_request_add_profile(&req, "default");
	ok(seccomp_request_build(&req, &prog, &all, &err) < 0 && err.exit_code == face->exit_setup,
	   "programs built in for another architecture: a setup failure");
	is_str(err.msg,
	       "cannot load seccomp profile 'default': it was compiled for another architecture "
	       "(aarch64): rebuild hutch",
	       "... saying so");
	err.exit_code = 0;
	table.arch = SCMP_ARCH_X86_64;
	seccomp_request_free(&req);

	req.shipped = &table;
	snprintf(path, sizeof(path), "%s/seccomp-profiles/strict.profile", srcdir());
	seccomp_request_add_profile(&req, path);
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0, "a profile given as a path");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 308, 0, 0), RET_ERRNO(EPERM), "... compiled");
	free(prog.insns);
	seccomp_request_add_profile(&req, "none");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0 && !all,
	   "two profiles merge into one program");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 470, 0, 0), SECCOMP_RET_ALLOW,
	       "... the later default wins");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 308, 0, 0), RET_ERRNO(EPERM),
	       "... the earlier rules stay");
	free(prog.insns);
	seccomp_request_free(&req);

	/* A profile of one's own includes a shipped group file: it is found among the texts
	 * (after the including file's directory). */
	snprintf(path, sizeof(path), "%s/own.profile", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dprintf(fd, "include groups/common.inc\ndefault allow\nerrno EACCES @privileged\n");
	close(fd);
	req.shipped = &table;
	seccomp_request_add_profile(&req, path);
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0,
	   "a profile of one's own including groups/common.inc builds");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 250, 0, 0), RET_ERRNO(EACCES),
	       "... with the shipped group's members (keyctl)");
	free(prog.insns);
	seccomp_request_free(&req);
	req.shipped = &empty_table;
	seccomp_request_add_profile(&req, path);
	seccomp_request_build(&req, &prog, &all, &err);
	ok(strstr(err.msg, "own.profile:1: cannot open include 'groups/common.inc'") != NULL,
	   "... and fails where it is not built in");
	seccomp_request_free(&req);
	unlink(path);

	req.shipped = &empty_table;
	seccomp_request_add_profile(&req, "none");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0 && all && prog.len > 0,
	   "'none' works even where it is not built in");
	free(prog.insns);
	seccomp_request_add_profile(&req, "none");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0 && all,
	   "... merged with itself too");
	free(prog.insns);
	seccomp_request_free(&req);

	req.shipped = &table;
	req.fallback = "default";
	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_DENY, "mount:EACCES");
	ok(seccomp_request_build(&req, &prog, &all, &err) == 0, "no profile: the fallback");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 165, 0, 0), RET_ERRNO(EACCES),
	       "... with the adjustments");
	is_int(verdict(&prog, AUDIT_ARCH_X86_64, 16, 0, 0x5412), RET_ERRNO(EPERM),
	       "... on the fallback's rules");
	free(prog.insns);
	seccomp_request_free(&req);
	req.shipped = &empty_table;
	req.fallback = "default";
	ok(seccomp_request_build(&req, &prog, &all, &err) < 0 && err.exit_code == face->exit_setup,
	   "a missing fallback is a setup failure");
	is_str(err.msg,
	       "cannot find seccomp profile 'default': this hutch was built without it\nhint: "
	       "--seccomp-profile none runs without a filter",
	       "... with a hint");
	err.exit_code = 0;
	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_DENY, "nosuchcall");
	req.shipped = &table;
	seccomp_request_build(&req, &prog, &all, &err);
	ok(err.exit_code == 0 && strcmp(err.msg, "--seccomp-deny: unknown system call "
						 "'nosuchcall'") == 0,
	   "a bad adjustment of the fallback is a usage error");
	seccomp_request_free(&req);
	req.fallback = NULL;

	req.shipped = &table;
	seccomp_request_add_profile(&req, "nosuch");
	seccomp_request_build(&req, &prog, &all, &err);
	is_str(err.msg,
	       "cannot find seccomp profile 'nosuch': the shipped ones are default, none (a "
	       "file in the current directory is ./nosuch)",
	       "an unknown profile name");
	seccomp_request_free(&req);

	req.shipped = &table;
	seccomp_request_add_profile(&req, "my.profile~");
	seccomp_request_build(&req, &prog, &all, &err);
	is_str(err.msg,
	       "bad seccomp profile name 'my.profile~' (a path needs a '/': ./my.profile~)",
	       "a bad profile name");
	seccomp_request_free(&req);

	req.shipped = &table;
	seccomp_request_add_adjust(&req, SECCOMP_ADJUST_DENY, "read");
	seccomp_request_build(&req, &prog, &all, &err);
	is_str(err.msg, "--seccomp-deny needs a profile to adjust: add --seccomp-profile NAME",
	       "an adjustment without a profile");
	seccomp_request_free(&req);

	req.shipped = &table;
	seccomp_request_add_profile(&req, "/nonexistent/x.profile");
	seccomp_request_build(&req, &prog, &all, &err);
	is_str(err.msg,
	       "cannot open seccomp profile '/nonexistent/x.profile': No such file or "
	       "directory",
	       "a missing profile file");
	seccomp_request_free(&req);

	out = open_memstream(&buf, &len);
	ok(seccomp_request_list(out, &table, &err) == 0, "--seccomp-list");
	fclose(out);
	is_str(buf,
	       "default\tAllowlist in the spirit of Docker's default profile, for nested "
	       "sandboxes too\nnone\tAllows every system call: no filter is loaded\nstrict\tThe "
	       "default profile without new namespaces, debugging of other processes or "
	       "personalities (not compiled)\n",
	       "... lists the shipped profiles, sorted, with their descriptions");
	free(buf);
	buf = NULL;
	table_free();
	free(ref.insns);
}

/* The table built into this test (seccomp-shipped.c, as in hutch): each program is what its
 * text compiles to now, TIOCSTI denied by default, the group file there for includes. */
static void test_built_in(void)
{
	static const char *const names[] = { "default", "strict", "none" };
	struct error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	for (size_t i = 0; i < 3; i++) {
		struct seccomp_request req = { 0 };
		struct seccomp_profile p;
		struct seccomp_prog built = { 0 }, now = { 0 };
		bool all;

		seccomp_request_add_profile(&req, names[i]);
		ok(seccomp_request_build(&req, &built, &all, &err) == 0, "built in: '%s' loads",
		   names[i]);
		ok(all == (i == 2), "... %s", i == 2 ? "allowing all" : "not allowing all");
		seccomp_profile_init(&p);
		parse_shipped(&p, names[i], &err);
		seccomp_compile_profile(&p, 0, &now, &err);
		ok(built.len == now.len && built.len &&
			   memcmp(built.insns, now.insns, now.len * sizeof(*now.insns)) == 0,
		   "... the program seccomp-profiles/%s.profile compiles to", names[i]);
		if (i == 0)
			is_int(verdict(&built, AUDIT_ARCH_X86_64, 16, 0, 0x5412), RET_ERRNO(EPERM),
			       "... denying TIOCSTI");
		seccomp_profile_free(&p);
		free(built.insns);
		free(now.insns);
		seccomp_request_free(&req);
	}
	out = open_memstream(&buf, &len);
	ok(seccomp_request_list(out, NULL, &err) == 0 && strstr(buf, "default\t") &&
		   strstr(buf, "strict\t") && strstr(buf, "none\t") && !strstr(buf, "not compiled"),
	   "built in: --seccomp-list names the three, all compiled");
	fclose(out);
	free(buf);
}

int main(void)
{
	const struct scmp_version *v = seccomp_version(); /* also keeps libseccomp linked */

	printf("# libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
	face_set(FACE_HUTCH);
	alarm(600); /* a hang in libseccomp is a failure, not a stuck `make check` */
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_parse_errors();
	test_parse_rules();
	test_compile();
	test_interpreter();
	test_semantics();
	test_table_semantics();
	test_shipped();
	test_print_roundtrip();
	test_reference();
	test_print_meaning();
	test_requests();
	test_built_in();
	rmdir(tmpdir);
	return done_testing();
}

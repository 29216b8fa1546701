/* seccomp-ref: the meaning of a profile, from its rules alone, to check the compiler against.
 * It is built apart from seccomp-compile.c and seccomp-abi.c on purpose: it maps numbers to
 * names (the compiler maps names to numbers), takes the multiplexers' selectors from the
 * kernel's headers, and tests every rule in order, the last that matches deciding. Where
 * tests/seccomp-oracle.c compares with libseccomp's programs (arguments, on x86's three ABIs),
 * this covers what libseccomp cannot be asked: the multiplexers, every ABI it knows, `arch`
 * and "allows all", the compile errors, and the kernel's checks of the program. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ipc.h>
#include <linux/net.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-ref.h"

#define X32_BIT 0x40000000u
#define SPAN	1024u /* numbers checked from the start of each ABI's table */
#define MAX_VEC 48    /* argument vectors tried per number */

/* Every ABI libseccomp 2.5 knows. */
static const uint32_t all_tokens[] = {
	SCMP_ARCH_X86_64,  SCMP_ARCH_X86,      SCMP_ARCH_X32,	      SCMP_ARCH_ARM,
	SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS,     SCMP_ARCH_MIPS64,      SCMP_ARCH_MIPS64N32,
	SCMP_ARCH_MIPSEL,  SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC,
	SCMP_ARCH_PPC64,   SCMP_ARCH_PPC64LE,  SCMP_ARCH_S390,	      SCMP_ARCH_S390X,
	SCMP_ARCH_PARISC,  SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64,
};
#define N_TOKENS (sizeof(all_tokens) / sizeof(all_tokens[0]))

/* The calls socketcall(2) and ipc(2) reach, with the selector in their first argument. */
static const struct mux_call {
	const char *name;
	uint32_t sel;
} socket_calls[] = {
	{ "socket", SYS_SOCKET },	    { "bind", SYS_BIND },
	{ "connect", SYS_CONNECT },	    { "listen", SYS_LISTEN },
	{ "accept", SYS_ACCEPT },	    { "getsockname", SYS_GETSOCKNAME },
	{ "getpeername", SYS_GETPEERNAME }, { "socketpair", SYS_SOCKETPAIR },
	{ "send", SYS_SEND },		    { "recv", SYS_RECV },
	{ "sendto", SYS_SENDTO },	    { "recvfrom", SYS_RECVFROM },
	{ "shutdown", SYS_SHUTDOWN },	    { "setsockopt", SYS_SETSOCKOPT },
	{ "getsockopt", SYS_GETSOCKOPT },   { "sendmsg", SYS_SENDMSG },
	{ "recvmsg", SYS_RECVMSG },	    { "accept4", SYS_ACCEPT4 },
	{ "recvmmsg", SYS_RECVMMSG },	    { "sendmmsg", SYS_SENDMMSG },
}, ipc_calls[] = {
	{ "semop", SEMOP },   { "semget", SEMGET }, { "semctl", SEMCTL }, { "semtimedop", SEMTIMEDOP },
	{ "msgsnd", MSGSND }, { "msgrcv", MSGRCV }, { "msgget", MSGGET }, { "msgctl", MSGCTL },
	{ "shmat", SHMAT },   { "shmdt", SHMDT },   { "shmget", SHMGET }, { "shmctl", SHMCTL },
};

enum mux { MUX_NONE, MUX_SOCKET, MUX_IPC };

/* strcmp, written out: under libFuzzer every strcmp call feeds its comparison hook, and this
 * file makes millions of them (it is not the code under test). */
static int name_cmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* The selector of `name` on the multiplexer, or -1 when it does not reach it. */
static long mux_selector(enum mux m, const char *name)
{
	const struct mux_call *v = m == MUX_SOCKET ? socket_calls : ipc_calls;
	size_t n = m == MUX_SOCKET ? sizeof(socket_calls) / sizeof(socket_calls[0]) :
				     sizeof(ipc_calls) / sizeof(ipc_calls[0]);

	for (size_t i = 0; m != MUX_NONE && i < n; i++)
		if (name_cmp(v[i].name, name) == 0)
			return v[i].sel;
	return -1;
}

/* The bits of the first argument the kernel reads as the selector: socketcall's `int call`;
 * ipc's `unsigned int call`, whose upper 16 bits are a version. */
static uint64_t mux_mask(enum mux m)
{
	return m == MUX_IPC ? 0xffff : 0xffffffff;
}

/* --- ABIs ---------------------------------------------------------------------------------- */

static uint32_t audit_of(uint32_t token)
{
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

static bool is_wide(uint32_t token)
{
	return audit_of(token) & __AUDIT_ARCH_64BIT;
}

static bool is_le(uint32_t token)
{
	return audit_of(token) & __AUDIT_ARCH_LE;
}

/* The first number of the ABI's table. */
static uint32_t base_of(uint32_t token)
{
	switch (token) {
	case SCMP_ARCH_X32:
		return X32_BIT;
	case SCMP_ARCH_MIPS:
	case SCMP_ARCH_MIPSEL:
		return 4000;
	case SCMP_ARCH_MIPS64:
	case SCMP_ARCH_MIPSEL64:
		return 5000;
	case SCMP_ARCH_MIPS64N32:
	case SCMP_ARCH_MIPSEL64N32:
		return 6000;
	}
	return 0;
}

/* libseccomp's number -> name table of one ABI, read once (kept for the process). */
struct names {
	uint32_t token;
	char *v[SPAN];
	int socketcall, ipc; /* the multiplexers' numbers, or -1 */
};

static const struct names *names_of(uint32_t token)
{
	static struct names *cache[N_TOKENS + 8];
	static size_t n_cache;
	struct names *t;
	uint32_t base = base_of(token);
	int nr;

	for (size_t i = 0; i < n_cache; i++)
		if (cache[i]->token == token)
			return cache[i];
	if (n_cache == sizeof(cache) / sizeof(cache[0]))
		abort(); /* only the tokens of all_tokens are ever asked for */
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->token = token;
	for (uint32_t i = 0; i < SPAN; i++)
		t->v[i] = seccomp_syscall_resolve_num_arch(token, (int)(base + i));
	nr = seccomp_syscall_resolve_name_arch(token, "socketcall");
	t->socketcall = nr >= 0 ? nr : -1;
	nr = seccomp_syscall_resolve_name_arch(token, "ipc");
	t->ipc = nr >= 0 ? nr : -1;
	cache[n_cache++] = t;
	return t;
}

/* The name of `nr` on the ABI, or NULL. Numbers outside the cached span are looked up into
 * *tmp, which the caller frees. */
static const char *name_of(const struct names *t, uint32_t nr, char **tmp)
{
	uint32_t off = nr - base_of(t->token);

	*tmp = NULL;
	if (off < SPAN)
		return t->v[off];
	*tmp = seccomp_syscall_resolve_num_arch(t->token, (int)nr);
	return *tmp;
}

/* The 32-bit ABIs a kernel of `native` also runs, into out[2] (0: none). */
static void compat_of(uint32_t native, uint32_t *out)
{
	static const struct {
		uint32_t native, compat[2];
	} compat[] = {
		{ SCMP_ARCH_X86_64, { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
		{ SCMP_ARCH_AARCH64, { SCMP_ARCH_ARM, 0 } },
		{ SCMP_ARCH_PPC64, { SCMP_ARCH_PPC, 0 } },
		{ SCMP_ARCH_S390X, { SCMP_ARCH_S390, 0 } },
		{ SCMP_ARCH_MIPS64, { SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32 } },
		{ SCMP_ARCH_MIPSEL64, { SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32 } },
		{ SCMP_ARCH_PARISC64, { SCMP_ARCH_PARISC, 0 } },
	};

	out[0] = out[1] = 0;
	for (size_t k = 0; k < sizeof(compat) / sizeof(compat[0]); k++)
		if (compat[k].native == native)
			memcpy(out, compat[k].compat, 2 * sizeof(*out));
}

/* The ABIs of the profile for a kernel of `native` (no `arch` line: native and compat). */
static size_t ref_arches(const struct seccomp_profile *p, uint32_t native, uint32_t *out)
{
	static const uint32_t both[] = { SECCOMP_PROFILE_ARCH_NATIVE, SECCOMP_PROFILE_ARCH_COMPAT };
	const uint32_t *in = p->n_arches ? p->arches : both;
	size_t n_in = p->n_arches ? p->n_arches : 2, n = 0;

	for (size_t i = 0; i < n_in; i++) {
		uint32_t add[2] = { in[i], 0 };

		if (in[i] == SECCOMP_PROFILE_ARCH_NATIVE) {
			add[0] = native;
		} else if (in[i] == SECCOMP_PROFILE_ARCH_COMPAT) {
			compat_of(native, add);
		}
		for (size_t k = 0; k < 2; k++) {
			size_t j;

			if (!add[k])
				continue;
			for (j = 0; j < n && out[j] != add[k]; j++)
				;
			if (j == n)
				out[n++] = add[k];
		}
	}
	return n;
}

/* --- the rules ----------------------------------------------------------------------------- */

static uint32_t action_value(const struct seccomp_profile_action *a)
{
	switch (a->type) {
	case SECCOMP_PROFILE_ALLOW:
		return SECCOMP_RET_ALLOW;
	case SECCOMP_PROFILE_ERRNO:
		return SECCOMP_RET_ERRNO | ((uint32_t)a->errnum & SECCOMP_RET_DATA);
	case SECCOMP_PROFILE_LOG:
		return SECCOMP_RET_LOG;
	case SECCOMP_PROFILE_TRAP:
		return SECCOMP_RET_TRAP;
	case SECCOMP_PROFILE_KILL:
		break;
	}
	return SECCOMP_RET_KILL_PROCESS;
}

static bool cond_holds(const struct seccomp_profile_cond *c, const uint64_t *args)
{
	uint64_t x = args[c->arg] & c->mask;

	switch (c->op) {
	case SECCOMP_PROFILE_EQ:
		return x == c->value;
	case SECCOMP_PROFILE_NE:
		return x != c->value;
	case SECCOMP_PROFILE_LT:
		return x < c->value;
	case SECCOMP_PROFILE_LE:
		return x <= c->value;
	case SECCOMP_PROFILE_GT:
		return x > c->value;
	case SECCOMP_PROFILE_GE:
		return x >= c->value;
	}
	abort();
}

static bool rule_holds(const struct seccomp_profile_rule *r, const uint64_t *args)
{
	for (unsigned k = 0; k < r->n_conds; k++)
		if (!cond_holds(&r->conds[k], args))
			return false;
	return true;
}

/* A profile made ready for many questions: its ABIs, and its rules by name. */
struct ref {
	const struct seccomp_profile *p;
	uint32_t arches[2 * SECCOMP_PROFILE_MAX_ARCHES + 4];
	size_t n_arches;
	size_t *by_name; /* rule indices sorted by (name, index) */
	size_t *mux[3];	 /* rule indices naming a call of each multiplexer, in order */
	size_t n_mux[3];
};

static const struct seccomp_profile *sort_profile;

static int cmp_by_name(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = name_cmp(sort_profile->rules[x].syscall, sort_profile->rules[y].syscall);

	return c ? c : (x > y) - (x < y);
}

static void ref_init(struct ref *ref, const struct seccomp_profile *p, uint32_t native)
{
	size_t n = p->n_rules ? p->n_rules : 1;

	memset(ref, 0, sizeof(*ref));
	ref->p = p;
	ref->n_arches = ref_arches(p, native, ref->arches);
	ref->by_name = calloc(n, sizeof(size_t));
	ref->mux[MUX_SOCKET] = calloc(n, sizeof(size_t));
	ref->mux[MUX_IPC] = calloc(n, sizeof(size_t));
	if (!ref->by_name || !ref->mux[MUX_SOCKET] || !ref->mux[MUX_IPC])
		abort();
	for (size_t i = 0; i < p->n_rules; i++) {
		ref->by_name[i] = i;
		for (int m = MUX_SOCKET; m <= MUX_IPC; m++)
			if (mux_selector((enum mux)m, p->rules[i].syscall) >= 0)
				ref->mux[m][ref->n_mux[m]++] = i;
	}
	sort_profile = p;
	if (p->n_rules)
		qsort(ref->by_name, p->n_rules, sizeof(size_t), cmp_by_name);
}

static void ref_free(struct ref *ref)
{
	free(ref->by_name);
	free(ref->mux[MUX_SOCKET]);
	free(ref->mux[MUX_IPC]);
}

static bool ref_has(const struct ref *ref, uint32_t token)
{
	for (size_t i = 0; i < ref->n_arches; i++)
		if (ref->arches[i] == token)
			return true;
	return false;
}

static bool ref_has_audit(const struct ref *ref, uint32_t audit)
{
	for (size_t i = 0; i < ref->n_arches; i++)
		if (audit_of(ref->arches[i]) == audit)
			return true;
	return false;
}

/* The rules named `name`: by_name[*lo .. *hi). */
static void ref_named(const struct ref *ref, const char *name, size_t *lo, size_t *hi)
{
	size_t a = 0, b = ref->p->n_rules;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (name_cmp(ref->p->rules[ref->by_name[m]].syscall, name) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a;
	     b < ref->p->n_rules && name_cmp(ref->p->rules[ref->by_name[b]].syscall, name) == 0;
	     b++)
		;
	*hi = b;
}

/* The rules that decide number `nr` of `t`, in profile order: those naming its call, and
 * on a multiplexer those naming a call it reaches. *m says which multiplexer. */
struct deciders {
	size_t *v;
	size_t n;
	enum mux m;
};

static void ref_deciders(const struct ref *ref, const struct names *t, const char *name,
			 uint32_t nr, struct deciders *d)
{
	size_t lo = 0, hi = 0, i, j, n = 0;
	const size_t *mv;
	size_t mn;

	d->m = (int)nr == t->socketcall ? MUX_SOCKET : (int)nr == t->ipc ? MUX_IPC : MUX_NONE;
	if (name)
		ref_named(ref, name, &lo, &hi);
	mv = d->m != MUX_NONE ? ref->mux[d->m] : NULL;
	mn = d->m != MUX_NONE ? ref->n_mux[d->m] : 0;
	d->v = malloc((hi - lo + mn + 1) * sizeof(size_t));
	if (!d->v)
		abort();
	/* merge two ascending lists */
	for (i = lo, j = 0; i < hi || j < mn;)
		d->v[n++] = j == mn || (i < hi && ref->by_name[i] < mv[j]) ? ref->by_name[i++] :
									     mv[j++];
	d->n = n;
}

/* The last decider that matches, else the default. */
static uint32_t ref_decide(const struct ref *ref, const struct deciders *d, const char *name,
			   const uint64_t *args)
{
	for (size_t k = d->n; k-- > 0;) {
		const struct seccomp_profile_rule *r = &ref->p->rules[d->v[k]];

		if (name && name_cmp(r->syscall, name) == 0) {
			if (rule_holds(r, args))
				return action_value(&r->action);
		} else if ((args[0] & mux_mask(d->m)) == (uint64_t)mux_selector(d->m, r->syscall)) {
			/* through the multiplexer the call's own arguments are in memory: a rule
			 * with conditions here is a compile error (seccomp_ref_compile_error) */
			return action_value(&r->action);
		}
	}
	return action_value(&ref->p->def);
}

/* Whether the kernel fails `nr` of `token` whatever the filter says: an x32 number below
 * 512 checked through x86_64's rules (hutch-seccomp(5)) for a call x32 does not have. */
static bool ref_irrelevant(const struct ref *ref, uint32_t token, uint32_t nr, const char *name)
{
	const struct names *t64;
	char *tmp;
	const char *name64;
	bool differ;

	if (token != SCMP_ARCH_X32 || !ref_has(ref, SCMP_ARCH_X86_64) || nr - X32_BIT >= 512)
		return false;
	t64 = names_of(SCMP_ARCH_X86_64);
	name64 = name_of(t64, nr - X32_BIT, &tmp);
	differ = !name || !name64 || name_cmp(name, name64) != 0;
	free(tmp);
	return differ;
}

/* The verdict for `nr` of `token` named `name`, whose deciders are `d` (used only when the
 * profile has that ABI). */
static uint32_t ref_eval(const struct ref *ref, uint32_t token, uint32_t nr, const char *name,
			 const struct deciders *d, const uint64_t *in)
{
	uint64_t args[6];

	if (!ref_has_audit(ref, audit_of(token)))
		return SECCOMP_RET_KILL_PROCESS;
	/* -1: a tracer skipped the call; the default, as with libseccomp */
	if (nr == 0xffffffff)
		return action_value(&ref->p->def);
	if (!ref_has(ref, token))
		return SECCOMP_RET_KILL_PROCESS;
	for (int k = 0; k < 6; k++) /* the kernel zero-extends a 32-bit ABI's registers */
		args[k] = is_wide(token) ? in[k] : (uint32_t)in[k];
	return ref_decide(ref, d, name, args);
}

uint32_t seccomp_ref_verdict(const struct seccomp_profile *p, uint32_t native, uint32_t token,
			     uint32_t nr, const uint64_t *args, int *skip)
{
	const struct names *t = names_of(token);
	struct deciders d = { NULL, 0, MUX_NONE };
	struct ref ref;
	char *tmp;
	const char *name = name_of(t, nr, &tmp);
	uint32_t v;

	ref_init(&ref, p, native);
	ref_deciders(&ref, t, name, nr, &d);
	v = ref_eval(&ref, token, nr, name, &d, args);
	if (skip)
		*skip = ref_has(&ref, token) && ref_irrelevant(&ref, token, nr, name);
	free(d.v);
	free(tmp);
	ref_free(&ref);
	return v;
}

const char *seccomp_ref_compile_error(const struct seccomp_profile *p, uint32_t native)
{
	static char why[512];
	uint32_t arches[2 * SECCOMP_PROFILE_MAX_ARCHES + 4];
	size_t n = ref_arches(p, native, arches);

	if (!p->has_default)
		return "no 'default' line";
	/* A rule with conditions for a call an ABI also reaches through a multiplexer, unless
	 * a later unconditional rule for the multiplexer itself hides it. */
	for (size_t a = 0; a < n; a++) {
		const struct names *t = names_of(arches[a]);

		for (int m = MUX_SOCKET; m <= MUX_IPC; m++) {
			const char *mux_name = m == MUX_SOCKET ? "socketcall" : "ipc";
			size_t first = 0;

			if ((m == MUX_SOCKET ? t->socketcall : t->ipc) < 0)
				continue;
			for (size_t i = 0; i < p->n_rules; i++)
				if (p->rules[i].n_conds == 0 &&
				    name_cmp(p->rules[i].syscall, mux_name) == 0)
					first = i + 1;
			for (size_t i = first; i < p->n_rules; i++)
				if (p->rules[i].n_conds &&
				    mux_selector((enum mux)m, p->rules[i].syscall) >= 0) {
					snprintf(
						why, sizeof(why),
						"rule %zu (%s) has conditions and ABI 0x%x reaches "
						"it through %s",
						i, p->rules[i].syscall, arches[a], mux_name);
					return why;
				}
		}
	}
	return NULL;
}

bool seccomp_ref_allows_all(const struct seccomp_profile *p, uint32_t native)
{
	uint32_t arches[2 * SECCOMP_PROFILE_MAX_ARCHES + 4], runs[3] = { native, 0, 0 };
	size_t n = ref_arches(p, native, arches);

	if (!p->has_default || p->def.type != SECCOMP_PROFILE_ALLOW)
		return false;
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].action.type != SECCOMP_PROFILE_ALLOW)
			return false;
	/* an ABI the kernel runs and the profile leaves out is killed */
	compat_of(native, runs + 1);
	for (size_t k = 0; k < 3; k++) {
		size_t i;

		for (i = 0; runs[k] && i < n && arches[i] != runs[k]; i++)
			;
		if (runs[k] && i == n)
			return false;
	}
	return true;
}

/* --- the program --------------------------------------------------------------------------- */

const char *seccomp_ref_filter_invalid(const void *insns, size_t len)
{
	static char why[128];
	const struct sock_filter *f = insns;

	if (len == 0 || len > BPF_MAXINSNS)
		return "length out of range";
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];
		size_t rest = len - pc - 1; /* instructions after this one */
		bool bad = false;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			bad = i->k % 4 || i->k >= sizeof(struct seccomp_data);
			break;
		case BPF_LD | BPF_IMM:
		case BPF_LDX | BPF_IMM:
		case BPF_MISC | BPF_TAX:
		case BPF_MISC | BPF_TXA:
		case BPF_RET | BPF_K:
		case BPF_RET | BPF_A:
		case BPF_ALU | BPF_NEG:
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			bad = i->k >= BPF_MEMWORDS;
			break;
		case BPF_ALU | BPF_ADD | BPF_K:
		case BPF_ALU | BPF_SUB | BPF_K:
		case BPF_ALU | BPF_MUL | BPF_K:
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_ALU | BPF_OR | BPF_K:
		case BPF_ALU | BPF_XOR | BPF_K:
		case BPF_ALU | BPF_ADD | BPF_X:
		case BPF_ALU | BPF_SUB | BPF_X:
		case BPF_ALU | BPF_MUL | BPF_X:
		case BPF_ALU | BPF_DIV | BPF_X:
		case BPF_ALU | BPF_AND | BPF_X:
		case BPF_ALU | BPF_OR | BPF_X:
		case BPF_ALU | BPF_XOR | BPF_X:
		case BPF_ALU | BPF_LSH | BPF_X:
		case BPF_ALU | BPF_RSH | BPF_X:
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
			bad = i->k == 0;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			bad = i->k >= 32;
			break;
		case BPF_JMP | BPF_JA:
			bad = i->k >= rest;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_X:
			bad = i->jt >= rest || i->jf >= rest;
			break;
		default:
			bad = true;
		}
		if (bad) {
			snprintf(why, sizeof(why), "instruction %zu (code 0x%x k 0x%x) is refused",
				 pc, i->code, i->k);
			return why;
		}
	}
	if (BPF_CLASS(f[len - 1].code) != BPF_RET)
		return "the last instruction is not a return";
	return NULL;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct vectors {
	uint64_t v[MAX_VEC][6];
	size_t n;
};

static void vec_add(struct vectors *vs, const uint64_t *args)
{
	if (vs->n < MAX_VEC)
		memcpy(vs->v[vs->n++], args, 6 * sizeof(uint64_t));
}

/* A value of the argument that makes `c` hold, if one exists; `noise` fills the bits the
 * condition does not look at. */
static uint64_t cond_satisfy(const struct seccomp_profile_cond *c, uint64_t noise)
{
	uint64_t low = c->mask & -c->mask;

	switch (c->op) {
	case SECCOMP_PROFILE_EQ:
		return c->value | (noise & ~c->mask);
	case SECCOMP_PROFILE_NE:
		return ((c->value ^ low) & c->mask) | (noise & ~c->mask);
	case SECCOMP_PROFILE_LT:
		return c->value ? c->value - 1 : 0;
	case SECCOMP_PROFILE_GT:
		return c->value + 1;
	default:
		return c->value;
	}
}

/* Argument vectors for one number: random ones, and for each rule that decides it (the
 * last first) one where all its conditions hold and then each condition at its edges. */
static void vectors_for(const struct ref *ref, const struct deciders *d, const char *name,
			uint64_t *seed, struct vectors *vs)
{
	uint64_t base[6], zero[6] = { 0 }, ones[6];

	vs->n = 0;
	for (int k = 0; k < 6; k++) {
		base[k] = next_rand(seed);
		ones[k] = UINT64_MAX;
	}
	vec_add(vs, base);
	vec_add(vs, ones);
	if (d->n) /* with no rule to decide, the arguments do not matter: two will do */
		vec_add(vs, zero);
	for (size_t i = d->n; i-- > 0 && vs->n < MAX_VEC;) {
		const struct seccomp_profile_rule *r = &ref->p->rules[d->v[i]];
		uint64_t s[6];

		memcpy(s, base, sizeof(s));
		if (!name || name_cmp(r->syscall, name) != 0) { /* through a multiplexer */
			uint64_t sel = (uint64_t)mux_selector(d->m, r->syscall);

			s[0] = sel;
			vec_add(vs, s);
			s[0] = sel | (d->m == MUX_IPC ? 1u << 16 : 1ull << 32);
			vec_add(vs, s);
			continue;
		}
		for (unsigned k = 0; k < r->n_conds; k++)
			s[r->conds[k].arg] = cond_satisfy(&r->conds[k], next_rand(seed));
		vec_add(vs, s);
		for (unsigned k = 0; k < r->n_conds; k++) {
			const struct seccomp_profile_cond *c = &r->conds[k];
			uint64_t edges[] = { c->value - 1, c->value + 1,
					     c->value ^ (c->mask & -c->mask), c->value | ~c->mask,
					     c->value ^ (1ull << 32) };

			for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
				uint64_t t[6];

				memcpy(t, s, sizeof(t));
				t[c->arg] = edges[e];
				vec_add(vs, t);
			}
		}
	}
}

/* Runs the program for one call as the kernel of that ABI lays out seccomp_data. */
static int prog_verdict(const struct seccomp_prog *prog, uint32_t token, uint32_t nr,
			const uint64_t *args, uint32_t *verdict)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = (int)nr;
	d.arch = audit_of(token);
	d.instruction_pointer = 0x7f0000001000ull;
	for (int k = 0; k < 6; k++) {
		/* a big-endian kernel has the upper half of each argument first; this
		 * interpreter reads words in this machine's (little-endian) order */
		uint64_t a = is_wide(token) ? args[k] : (uint32_t)args[k];

		d.args[k] = is_le(token) ? a : (a << 32) | (a >> 32);
	}
	return seccomp_bpf_run(prog->insns, prog->len, &d, verdict, NULL);
}

static void report(struct seccomp_ref_report *rep, uint32_t token, uint32_t nr, const char *name,
		   const uint64_t *args, uint32_t got, uint32_t want)
{
	if (rep->mismatches++)
		return;
	snprintf(rep->first, sizeof(rep->first),
		 "ABI 0x%x nr %u (%s) args 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx: the program "
		 "gives 0x%x, the rules 0x%x",
		 token, nr, name ? name : "-", (unsigned long long)args[0],
		 (unsigned long long)args[1], (unsigned long long)args[2],
		 (unsigned long long)args[3], (unsigned long long)args[4],
		 (unsigned long long)args[5], got, want);
}

unsigned seccomp_ref_check(const struct seccomp_profile *p, uint32_t native,
			   const struct seccomp_prog *prog, uint64_t seed,
			   struct seccomp_ref_report *rep)
{
	const char *why = seccomp_ref_filter_invalid(prog->insns, prog->len);
	static struct vectors vs;
	struct ref ref;

	memset(rep, 0, sizeof(*rep));
	seed |= 1;
	if (why) {
		rep->mismatches = 1;
		snprintf(rep->first, sizeof(rep->first), "the kernel would refuse it: %s", why);
		return 1;
	}
	ref_init(&ref, p, native);
	for (size_t a = 0; a < N_TOKENS; a++) {
		uint32_t token = all_tokens[a], base = base_of(token);
		const struct names *t = names_of(token);
		static const uint32_t few[] = { 0, 1, 39, 511, 512, 600, 1023 };
		uint32_t nrs[SPAN + 16];
		size_t n = 0;

		if (ref_has(&ref, token)) {
			for (uint32_t i = 0; i < SPAN; i++)
				nrs[n++] = base + i;
			if (token == SCMP_ARCH_ARM) /* its private calls */
				for (uint32_t i = 0; i < 8; i++)
					nrs[n++] = 0x0f0000 + i;
		} else {
			for (size_t i = 0; i < sizeof(few) / sizeof(few[0]); i++)
				nrs[n++] = base + few[i];
		}
		nrs[n++] = 0xffffffff;
		for (size_t i = 0; i < n; i++) {
			struct deciders d = { NULL, 0, MUX_NONE };
			char *tmp = NULL;
			const char *name = name_of(t, nrs[i], &tmp);
			bool own = ref_has(&ref, token) && nrs[i] != 0xffffffff;

			if (own && ref_irrelevant(&ref, token, nrs[i], name)) {
				rep->skipped++;
				free(tmp);
				continue;
			}
			if (own)
				ref_deciders(&ref, t, name, nrs[i], &d);
			vectors_for(&ref, &d, name, &seed, &vs);
			for (size_t k = 0; k < vs.n; k++) {
				uint32_t want = ref_eval(&ref, token, nrs[i], name, &d, vs.v[k]),
					 got;

				rep->checks++;
				if (prog_verdict(prog, token, nrs[i], vs.v[k], &got) < 0) {
					if (!rep->mismatches++)
						snprintf(rep->first, sizeof(rep->first),
							 "ABI 0x%x nr %u: the program runs off or "
							 "reads outside seccomp_data",
							 token, nrs[i]);
					continue;
				}
				if (got != want)
					report(rep, token, nrs[i], name, vs.v[k], got, want);
			}
			free(d.v);
			free(tmp);
		}
	}
	ref_free(&ref);
	return rep->mismatches;
}

/* seccomp-profile-bpf: profiles to BPF.
 *
 * The program is generated here; libseccomp provides the system call tables of every ABI
 * (names to numbers, i386 and x32 included) and nothing else. Its own generator (2.5) does
 * not fit the profile language, where the last matching rule decides: it drops a call's
 * conditional rules when the call also has an unconditional one, so "allow ioctl except
 * TIOCSTI" must be written as the complement (36 rules; hundreds for ten values), and with
 * several comparisons per call it loops forever, matches values no rule names, or tests a
 * stale accumulator (hutch-seccomp(5), NOTES). Here each call's rules become a decision list,
 * tested from the last to the first: the first that matches returns its action. Calls are
 * found by a binary search over ranges of system call numbers with the same answer. */
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-profile.h"

#define NARGS		6
#define X32_SYSCALL_BIT 0x40000000u
/* Placeholders for "to the next rule" in a rule's jumps, patched once the rule is complete;
 * a real offset inside one condition is at most 4. */
#define FAIL_JT 0xff
#define FAIL_K	0xffffffffu

/* --- instructions --------------------------------------------------------------------------- */

struct code {
	struct sock_filter *v;
	size_t n, cap;
};

static void emit(struct code *c, uint16_t op, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = (struct sock_filter){ op, jt, jf, k };
}

static void code_append(struct code *dst, const struct code *src)
{
	for (size_t i = 0; i < src->n; i++)
		emit(dst, src->v[i].code, src->v[i].jt, src->v[i].jf, src->v[i].k);
}

static void code_free(struct code *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

#define LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define AND_K  (BPF_ALU | BPF_AND | BPF_K)
#define JA     (BPF_JMP | BPF_JA)
#define JEQ    (BPF_JMP | BPF_JEQ | BPF_K)
#define JGT    (BPF_JMP | BPF_JGT | BPF_K)
#define JGE    (BPF_JMP | BPF_JGE | BPF_K)
#define RET    (BPF_RET | BPF_K)

static uint32_t action_value(const struct seccomp_profile_action *a)
{
	switch (a->type) {
	case SECCOMP_PROFILE_ALLOW:
		return SECCOMP_RET_ALLOW;
	case SECCOMP_PROFILE_ERRNO:
		return SECCOMP_RET_ERRNO | ((uint32_t)a->errnum & SECCOMP_RET_DATA);
	case SECCOMP_PROFILE_KILL:
		return SECCOMP_RET_KILL_PROCESS;
	case SECCOMP_PROFILE_LOG:
		return SECCOMP_RET_LOG;
	case SECCOMP_PROFILE_TRAP:
		return SECCOMP_RET_TRAP;
	}
	return SECCOMP_RET_KILL_PROCESS;
}

__attribute__((format(printf, 3, 4))) static int
rule_error(struct error *err, const struct seccomp_profile_rule *r, const char *fmt, ...)
{
	size_t size = sizeof(err->msg);
	va_list ap;
	int n;

	if (r->line)
		n = snprintf(err->msg, size, "%s:%u: ", r->file, r->line);
	else
		n = snprintf(err->msg, size, "%s: ", r->file);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- architectures and their system call numbers -------------------------------------------- */

/* One ABI: the numbers it owns within its AUDIT_ARCH_* (x86_64 and x32 share one). */
struct abi {
	uint32_t token; /* SCMP_ARCH_* */
	uint32_t audit; /* what seccomp_data.arch says */
	bool wide;	/* 64-bit arguments */
	bool le;
	/* libseccomp's number -> name table, read backwards on demand (see abi_nr) */
	char (*names)[SECCOMP_PROFILE_NAME_MAX];
	uint32_t *nrs;
	size_t n;
	bool scanned;
	int socketcall, ipc; /* their numbers on this ABI, or negative */
};

static void abi_init(struct abi *abi, uint32_t token)
{
	memset(abi, 0, sizeof(*abi));
	abi->token = token;
	abi->audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
	abi->wide = abi->audit & __AUDIT_ARCH_64BIT;
	abi->le = abi->audit & __AUDIT_ARCH_LE;
	abi->socketcall = seccomp_syscall_resolve_name_arch(token, "socketcall");
	abi->ipc = seccomp_syscall_resolve_name_arch(token, "ipc");
}

static void abi_free(struct abi *abi)
{
	free(abi->names);
	free(abi->nrs);
}

/* The number of `name` on this ABI, or -1 when it has none. libseccomp gives i386's socket
 * and System V IPC calls only as socketcall/ipc pseudo-numbers (-101 to -224), though Linux
 * 4.3 and 5.1 gave them numbers of their own: those are found by reading its table
 * backwards. Calls the ABI lacks have pseudo-numbers from -10001 down. */
static int64_t abi_nr(struct abi *abi, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(abi->token, name);

	if (nr >= 0)
		return nr;
	/* A direct number is worth looking for only where the multiplexer exists (recv has a
	 * socketcall pseudo-number on x86_64 too, which has neither). */
	if (!(nr <= -101 && nr >= -120 && abi->socketcall >= 0) &&
	    !(nr <= -201 && nr >= -224 && abi->ipc >= 0))
		return -1;
	if (!abi->scanned) {
		uint32_t base = abi->token == SCMP_ARCH_X32 ? X32_SYSCALL_BIT : 0;

		abi->scanned = true;
		for (uint32_t i = 0; i < 1024; i++) {
			char *s = seccomp_syscall_resolve_num_arch(abi->token, (int)(base + i));

			if (!s)
				continue;
			if (strlen(s) < SECCOMP_PROFILE_NAME_MAX) {
				abi->names =
					xrealloc(abi->names, (abi->n + 1) * sizeof(*abi->names));
				abi->nrs = xrealloc(abi->nrs, (abi->n + 1) * sizeof(*abi->nrs));
				snprintf(abi->names[abi->n], sizeof(abi->names[0]), "%s", s);
				abi->nrs[abi->n++] = base + i;
			}
			free(s);
		}
	}
	for (size_t i = 0; i < abi->n; i++)
		if (strcmp(abi->names[i], name) == 0)
			return abi->nrs[i];
	return -1;
}

/* Calls that some ABIs (i386, s390, ppc, mips o32) also reach through socketcall(2) or
 * ipc(2), with the call's number in the first argument and its arguments in memory. */
static const struct {
	const char *name;
	uint32_t call;
} socket_calls[] = {
	{ "socket", 1 },       { "bind", 2 },	       { "connect", 3 },      { "listen", 4 },
	{ "accept", 5 },       { "getsockname", 6 },   { "getpeername", 7 },  { "socketpair", 8 },
	{ "send", 9 },	       { "recv", 10 },	       { "sendto", 11 },      { "recvfrom", 12 },
	{ "shutdown", 13 },    { "setsockopt", 14 },   { "getsockopt", 15 },  { "sendmsg", 16 },
	{ "recvmsg", 17 },     { "accept4", 18 },      { "recvmmsg", 19 },    { "sendmmsg", 20 },
}, ipc_calls[] = {
	{ "semop", 1 },	 { "semget", 2 }, { "semctl", 3 },  { "semtimedop", 4 },
	{ "msgsnd", 11 }, { "msgrcv", 12 }, { "msgget", 13 }, { "msgctl", 14 },
	{ "shmat", 21 },  { "shmdt", 22 },  { "shmget", 23 }, { "shmctl", 24 },
};

/* The multiplexer that also reaches `name` on this ABI, with the condition on its first
 * argument that selects `name`; NULL when there is none. */
static const char *multiplexer(const struct abi *abi, const char *name,
			       struct seccomp_profile_cond *c)
{
	if (abi->socketcall >= 0)
		for (size_t i = 0; i < sizeof(socket_calls) / sizeof(socket_calls[0]); i++)
			if (strcmp(socket_calls[i].name, name) == 0) {
				/* socketcall(int call, ...): the kernel reads 32 bits */
				*c = (struct seccomp_profile_cond){ 0, SECCOMP_PROFILE_EQ,
								    0xffffffff,
								    socket_calls[i].call };
				return "socketcall";
			}
	if (abi->ipc >= 0)
		for (size_t i = 0; i < sizeof(ipc_calls) / sizeof(ipc_calls[0]); i++)
			if (strcmp(ipc_calls[i].name, name) == 0) {
				/* ipc(unsigned int call, ...): the version is in the upper 16
				 * bits */
				*c = (struct seccomp_profile_cond){ 0, SECCOMP_PROFILE_EQ, 0xffff,
								    ipc_calls[i].call };
				return "ipc";
			}
	return NULL;
}

/* The 32-bit ABIs a kernel of `native` also runs. */
static size_t arch_compat(uint32_t native, uint32_t *out)
{
	switch (native) {
	case SCMP_ARCH_X86_64:
		out[0] = SCMP_ARCH_X86;
		out[1] = SCMP_ARCH_X32;
		return 2;
	case SCMP_ARCH_AARCH64:
		out[0] = SCMP_ARCH_ARM;
		return 1;
	case SCMP_ARCH_PPC64:
		out[0] = SCMP_ARCH_PPC;
		return 1;
	case SCMP_ARCH_S390X:
		out[0] = SCMP_ARCH_S390;
		return 1;
	case SCMP_ARCH_MIPS64:
		out[0] = SCMP_ARCH_MIPS;
		out[1] = SCMP_ARCH_MIPS64N32;
		return 2;
	case SCMP_ARCH_MIPSEL64:
		out[0] = SCMP_ARCH_MIPSEL;
		out[1] = SCMP_ARCH_MIPSEL64N32;
		return 2;
	case SCMP_ARCH_PARISC64:
		out[0] = SCMP_ARCH_PARISC;
		return 1;
	}
	return 0;
}

/* The profile's architectures for a kernel of `native`: `native` and `compat` resolved,
 * duplicates removed; no `arch` line means both. */
static size_t resolve_arches(const struct seccomp_profile *p, uint32_t native, uint32_t *out)
{
	static const uint32_t both[] = { SECCOMP_PROFILE_ARCH_NATIVE, SECCOMP_PROFILE_ARCH_COMPAT };
	const uint32_t *in = p->n_arches ? p->arches : both;
	size_t n_in = p->n_arches ? p->n_arches : 2, n = 0;

	for (size_t i = 0; i < n_in; i++) {
		uint32_t tmp[4];
		size_t nt = 1;

		if (in[i] == SECCOMP_PROFILE_ARCH_NATIVE)
			tmp[0] = native;
		else if (in[i] == SECCOMP_PROFILE_ARCH_COMPAT)
			nt = arch_compat(native, tmp);
		else
			tmp[0] = in[i];
		for (size_t k = 0; k < nt; k++) {
			size_t j;

			for (j = 0; j < n; j++)
				if (out[j] == tmp[k])
					break;
			if (j == n && n < SECCOMP_PROFILE_MAX_ARCHES)
				out[n++] = tmp[k];
		}
	}
	return n;
}

/* --- conditions ------------------------------------------------------------------------------ */

/* Offset in struct seccomp_data of the upper or lower half of argument `arg`. */
static uint32_t arg_word(const struct abi *abi, unsigned arg, bool high)
{
	return (uint32_t)(offsetof(struct seccomp_data, args) + 8 * arg) +
	       (high == abi->le ? 4 : 0);
}

static void load_and(struct code *c, uint32_t off, uint32_t mask)
{
	emit(c, LD_ABS, 0, 0, off);
	if (mask != 0xffffffff)
		emit(c, AND_K, 0, 0, mask);
}

/* Code that falls through when the condition holds and jumps to FAIL otherwise. On 32-bit
 * ABIs the upper half of an argument is zero, so the conditions on it are decided here. */
static void emit_cond(struct code *c, const struct abi *abi, const struct seccomp_profile_cond *cd)
{
	uint32_t mh = (uint32_t)(cd->mask >> 32), ml = (uint32_t)cd->mask;
	uint32_t vh = (uint32_t)(cd->value >> 32), vl = (uint32_t)cd->value;
	uint32_t hi = arg_word(abi, cd->arg, true), lo = arg_word(abi, cd->arg, false);
	/* For (arg & mask) == value; != inverts the last jump. */
	bool ne = cd->op == SECCOMP_PROFILE_NE;

	switch (cd->op) {
	case SECCOMP_PROFILE_EQ:
	case SECCOMP_PROFILE_NE:
		if (!abi->wide) {
			if (vh != 0) { /* the upper half would have to be non-zero */
				if (!ne)
					emit(c, JA, 0, 0, FAIL_K);
				return;
			}
			mh = 0;
		}
		if (mh == 0 && ml == 0) { /* (x & 0) == 0: always */
			if (ne)
				emit(c, JA, 0, 0, FAIL_K);
			return;
		}
		if (mh != 0) {
			load_and(c, hi, mh);
			if (!ne)
				emit(c, JEQ, 0, FAIL_JT, vh);
			else if (ml == 0)
				emit(c, JEQ, FAIL_JT, 0, vh);
			else /* the upper halves differ: holds, skip the lower half */
				emit(c, JEQ, 0, ml == 0xffffffff ? 2 : 3, vh);
		}
		if (ml != 0) {
			load_and(c, lo, ml);
			if (ne)
				emit(c, JEQ, FAIL_JT, 0, vl);
			else
				emit(c, JEQ, 0, FAIL_JT, vl);
		}
		return;
	case SECCOMP_PROFILE_GT:
	case SECCOMP_PROFILE_GE:
		if (!abi->wide) {
			if (vh != 0) { /* x < 2^32 <= value */
				emit(c, JA, 0, 0, FAIL_K);
				return;
			}
		} else {
			emit(c, LD_ABS, 0, 0, hi);
			emit(c, JGT, 3, 0, vh);	      /* upper half greater: holds */
			emit(c, JEQ, 0, FAIL_JT, vh); /* smaller: fails */
		}
		emit(c, LD_ABS, 0, 0, lo);
		emit(c, cd->op == SECCOMP_PROFILE_GT ? JGT : JGE, 0, FAIL_JT, vl);
		return;
	case SECCOMP_PROFILE_LT:
	case SECCOMP_PROFILE_LE:
		if (!abi->wide) {
			if (vh != 0) /* x < 2^32 <= value: always */
				return;
		} else {
			emit(c, LD_ABS, 0, 0, hi);
			emit(c, JGT, FAIL_JT, 0, vh); /* upper half greater: fails */
			emit(c, JEQ, 0, 2, vh);	      /* smaller: holds */
		}
		emit(c, LD_ABS, 0, 0, lo);
		/* x < v is !(x >= v); x <= v is !(x > v) */
		emit(c, cd->op == SECCOMP_PROFILE_LT ? JGE : JGT, FAIL_JT, 0, vl);
		return;
	}
}

/* --- one call: its rules as a decision list -------------------------------------------------- */

/* A rule as it applies to one number of one block: its position in the profile decides. */
struct item {
	uint32_t nr;
	size_t order;
	struct seccomp_profile_rule rule; /* a copy; implied multiplexer rules are made up */
	const struct seccomp_profile_rule *origin;
	bool opaque; /* through a multiplexer, whose arguments a filter cannot see */
};

/* Tests the rules from the last to the first; returns the first that matches, else the
 * default. items[0] is the last unconditional rule, or the first rule when none is. */
static void emit_decisions(struct code *c, const struct abi *abi, const struct item *items,
			   size_t n, uint32_t def)
{
	for (size_t j = n; j-- > 0;) {
		const struct seccomp_profile_rule *r = &items[j].rule;
		size_t start = c->n;
		bool can_fail = false;

		for (unsigned k = 0; k < r->n_conds; k++)
			emit_cond(c, abi, &r->conds[k]);
		emit(c, RET, 0, 0, action_value(&r->action));
		for (size_t i = start; i < c->n; i++) {
			struct sock_filter *f = &c->v[i];
			uint32_t to_next = (uint32_t)(c->n - (i + 1));

			if (f->code == JA && f->k == FAIL_K) {
				f->k = to_next;
				can_fail = true;
			} else if (BPF_CLASS(f->code) == BPF_JMP && f->code != JA) {
				if (f->jt == FAIL_JT)
					f->jt = (uint8_t)to_next, can_fail = true;
				if (f->jf == FAIL_JT)
					f->jf = (uint8_t)to_next, can_fail = true;
			}
		}
		if (!can_fail) /* holds on this ABI whatever the arguments */
			return;
	}
	emit(c, RET, 0, 0, def);
}

/* --- one architecture: dispatch on the system call number ------------------------------------ */

/* A number inside a leaf's range with a plain answer of its own. */
struct exception {
	uint32_t nr, value;
};

struct leaf {
	uint32_t lo, hi; /* the numbers it answers */
	bool ret;	 /* a plain answer, else code */
	uint32_t value;
	struct code code;
	/* With a plain answer: single numbers that answer otherwise, each tested with one
	 * jeq before the answer (see fold_singletons) */
	struct exception *exc;
	size_t n_exc;
	uint32_t weight; /* how many of its numbers the kernel emulates (see split) */
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
};

static void leaf_push(struct leaves *l, uint32_t lo, uint32_t hi, bool ret, uint32_t value,
		      struct code *code)
{
	if (ret && l->n > 0 && l->v[l->n - 1].ret && l->v[l->n - 1].value == value &&
	    l->v[l->n - 1].hi + 1 == lo) {
		l->v[l->n - 1].hi = hi; /* same answer as the numbers just below */
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct leaf){ lo, hi, ret, value, { 0 }, NULL, 0, 0 };
	if (code)
		l->v[l->n].code = *code;
	l->n++;
}

/* A single number whose neighbours on both sides give one same plain answer (a call denied
 * among allowed ones, the usual shape) costs two comparisons as a leaf of the search, one as
 * an exception of the merged range: A [s] A becomes A with the exception s. Every instruction
 * is paid at each launch (the kernel converts and JITs the program when it is attached). */
static void fold_singletons(struct leaves *l)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct leaf *cur = &l->v[i];

		if (out >= 2) {
			struct leaf *a = &l->v[out - 2], *s = &l->v[out - 1];

			if (a->ret && s->ret && s->n_exc == 0 && s->lo == s->hi && cur->ret &&
			    cur->n_exc == 0 && cur->value == a->value) {
				a->exc = xrealloc(a->exc, (a->n_exc + 1) * sizeof(*a->exc));
				a->exc[a->n_exc++] = (struct exception){ s->lo, s->value };
				a->hi = cur->hi;
				out--;
				continue;
			}
		}
		l->v[out++] = *cur;
	}
	l->n = out;
}

/* A jump of a pooled subtree to one of its shared returns, resolved once the pool is laid. */
struct pool_ref {
	size_t insn;
	bool jt; /* else jf */
	uint32_t value;
};

struct pooled {
	struct code code;
	struct pool_ref *refs;
	size_t n_refs;
	uint32_t values[8]; /* the distinct answers, in order of first use */
	size_t n_values;
	bool full; /* more than 8 distinct answers */
};

static void pool_ref(struct pooled *pl, size_t insn, bool jt, uint32_t value)
{
	size_t i;

	for (i = 0; i < pl->n_values; i++)
		if (pl->values[i] == value)
			break;
	if (i == pl->n_values) {
		if (pl->n_values == sizeof(pl->values) / sizeof(pl->values[0]))
			pl->full = true;
		else
			pl->values[pl->n_values++] = value;
	}
	pl->refs = xrealloc(pl->refs, (pl->n_refs + 1) * sizeof(*pl->refs));
	pl->refs[pl->n_refs++] = (struct pool_ref){ insn, jt, value };
}

/* When a filter is attached, the kernel runs it once for every number of the native and
 * compat tables with constant data (no argument), to cache the calls it always allows; that
 * emulation is most of the attach cost, paid at each launch. So the search splits where
 * half of those numbers lie on each side, not half of the leaves: a long run of allowed calls
 * sits near the root, a lone denied call deep. Leaves the kernel never emulates (x32, numbers
 * above the table) weigh nothing. */
static size_t split(const struct leaf *leaves, size_t n)
{
	uint64_t total = 0, below = 0, best_gap = UINT64_MAX;
	size_t best = n / 2;

	for (size_t i = 0; i < n; i++)
		total += leaves[i].weight;
	if (total == 0)
		return best;
	for (size_t mid = 1; mid < n; mid++) {
		uint64_t gap;

		below += leaves[mid - 1].weight;
		gap = 2 * below > total ? 2 * below - total : total - 2 * below;
		if (gap < best_gap)
			best_gap = gap, best = mid;
	}
	return best;
}

/* The weights of leaves whose numbers the kernel emulates below `end`. */
static void leaves_weigh(struct leaves *l, uint32_t end)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i].weight = l->v[i].lo >= end ?
					 0 :
					 (l->v[i].hi < end ? l->v[i].hi : end - 1) - l->v[i].lo + 1;
}

/* The search over leaves[0..n) where a plain answer is a jump to the pool (laid after the
 * whole pooled subtree), not an instruction of its own. */
static void emit_pooled(struct pooled *pl, const struct leaf *leaves, size_t n)
{
	size_t mid = split(leaves, n), node;
	const struct leaf *l = leaves, *r = leaves + mid;
	bool l_ret = mid == 1 && l->ret && !l->n_exc, r_ret = n - mid == 1 && r->ret && !r->n_exc;
	size_t l_start;

	if (n == 1 && !leaves[0].ret) { /* a plain answer is laid by the caller */
		code_append(&pl->code, &leaves[0].code);
		return;
	}
	if (n == 1) { /* exceptions (a plain leaf without is a pool jump of its parent's): a
		       * jeq for each, the answer as the last one's jf */
		node = pl->code.n;
		for (size_t i = 0; i < leaves[0].n_exc; i++) {
			node = pl->code.n;
			emit(&pl->code, JEQ, 0, 0, leaves[0].exc[i].nr);
			pool_ref(pl, node, true, leaves[0].exc[i].value);
		}
		pool_ref(pl, node, false, leaves[0].value);
		return;
	}
	node = pl->code.n;
	emit(&pl->code, JGE, 0, 0, r->lo);
	l_start = pl->code.n;
	if (l_ret)
		pool_ref(pl, node, false, l->value);
	else
		emit_pooled(pl, l, mid);
	if (r_ret) {
		pool_ref(pl, node, true, r->value);
	} else {
		/* The right side starts after the left side's code; a subtree of at most 250
		 * instructions keeps that within a conditional jump. */
		pl->code.v[node].jt = (uint8_t)(pl->code.n - l_start);
		emit_pooled(pl, r, n - mid);
	}
}

/* Lays the pool after the code and resolves the jumps to it. False when a jump would be
 * too long (the caller then splits the subtree). */
static bool pool_finish(struct pooled *pl)
{
	size_t base = pl->code.n;

	if (pl->full)
		return false;
	for (size_t i = 0; i < pl->n_values; i++)
		emit(&pl->code, RET, 0, 0, pl->values[i]);
	for (size_t i = 0; i < pl->n_refs; i++) {
		const struct pool_ref *ref = &pl->refs[i];
		size_t k = 0, off;

		while (pl->values[k] != ref->value)
			k++;
		off = base + k - (ref->insn + 1);
		if (off > 255)
			return false;
		if (ref->jt)
			pl->code.v[ref->insn].jt = (uint8_t)off;
		else
			pl->code.v[ref->insn].jf = (uint8_t)off;
	}
	return true;
}

/* A balanced search over the leaves, the number in the accumulator. Subtrees small enough
 * share their returns (one `ret` per answer instead of one per leaf), which roughly halves
 * the program: the kernel converts, JITs and emulates every instruction when the filter is
 * attached, and that is paid at each launch. */
static void emit_tree(struct code *c, const struct leaf *leaves, size_t n)
{
	struct code left = { 0 }, right = { 0 };
	struct pooled pl = { { 0 }, NULL, 0, { 0 }, 0, false };
	size_t mid = split(leaves, n);

	if (n == 1) {
		for (size_t i = 0; i < leaves[0].n_exc; i++) {
			emit(c, JEQ, 0, 1, leaves[0].exc[i].nr);
			emit(c, RET, 0, 0, leaves[0].exc[i].value);
		}
		if (leaves[0].ret)
			emit(c, RET, 0, 0, leaves[0].value);
		else
			code_append(c, &leaves[0].code);
		return;
	}
	emit_pooled(&pl, leaves, n);
	if (pl.code.n + pl.n_values <= 250 && pool_finish(&pl)) {
		code_append(c, &pl.code);
		code_free(&pl.code);
		free(pl.refs);
		return;
	}
	code_free(&pl.code);
	free(pl.refs);
	emit_tree(&left, leaves, mid);
	emit_tree(&right, leaves + mid, n - mid);
	if (left.n <= 255) {
		emit(c, JGE, (uint8_t)left.n, 0, leaves[mid].lo);
	} else { /* too far for a conditional jump */
		emit(c, JGE, 0, 1, leaves[mid].lo);
		emit(c, JA, 0, 0, (uint32_t)left.n);
	}
	code_append(c, &left);
	code_append(c, &right);
	code_free(&left);
	code_free(&right);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void add_item(struct item **items, size_t *n, uint32_t nr, size_t order,
		     const struct seccomp_profile_rule *r)
{
	*items = xrealloc(*items, (*n + 1) * sizeof(**items));
	(*items)[*n] = (struct item){ nr, order, *r, r, false };
	(*n)++;
}

/* The numbers of one span of a block and the answer of those no rule names. */
struct span {
	uint32_t lo, hi, value;
};

/* The abi whose registers a number's conditions read: x32's for x32 numbers. */
static const struct abi *abi_of(struct abi **abis, size_t n_abis, uint32_t nr)
{
	for (size_t a = 0; a < n_abis; a++)
		if (abis[a]->token == SCMP_ARCH_X32 && (nr & X32_SYSCALL_BIT))
			return abis[a];
	return abis[0];
}

/* The leaves for items[0..n_items) (sorted) over the spans, in order. The conditions are
 * read for `abi`, or when it is NULL for the ABI the number belongs to. */
static int build_leaves(struct leaves *leaves, const struct item *items, size_t n_items,
			const struct span *spans, size_t n_spans, struct abi **abis, size_t n_abis,
			const struct abi *abi, uint32_t def, struct error *err)
{
	size_t next = 0;
	int r = 0;

	for (size_t b = 0; b < n_spans && r == 0; b++) {
		uint32_t lo = spans[b].lo, hi = spans[b].hi;

		while (r == 0) {
			size_t j, first;
			struct code code = { 0 };

			while (next < n_items && items[next].nr < lo)
				next++;
			if (next == n_items || items[next].nr > hi) {
				leaf_push(leaves, lo, hi, true, spans[b].value, NULL);
				break;
			}
			if (items[next].nr > lo)
				leaf_push(leaves, lo, items[next].nr - 1, true, spans[b].value,
					  NULL);
			/* The rules of this number; the last unconditional one hides those before
			 * it. */
			for (j = next; j < n_items && items[j].nr == items[next].nr; j++)
				;
			first = next;
			for (size_t k = next; k < j; k++)
				if (items[k].rule.n_conds == 0)
					first = k;
			const struct abi *own = abi ? abi : abi_of(abis, n_abis, items[next].nr);

			for (size_t k = first; k < j && r == 0; k++)
				if (items[k].opaque)
					r = rule_error(
						err, items[k].origin,
						"the rules for '%s' have conditions, which %s "
						"cannot check: it reaches the call through a "
						"multiplexer, with the arguments in memory; drop "
						"the conditions, or leave %s out with an 'arch' "
						"line",
						items[k].rule.syscall,
						seccomp_profile_arch_name(own->token),
						seccomp_profile_arch_name(own->token));
			if (j - first == 1 && items[first].rule.n_conds == 0) {
				leaf_push(leaves, items[next].nr, items[next].nr, true,
					  action_value(&items[first].rule.action), NULL);
			} else {
				emit_decisions(&code, own, items + first, j - first, def);
				leaf_push(leaves, items[next].nr, items[next].nr, false, 0, &code);
			}
			if (items[next].nr == hi)
				break;
			lo = items[next].nr + 1;
			next = j;
		}
	}
	if (r == 0)
		fold_singletons(leaves);
	return r;
}

static void leaves_free(struct leaves *l)
{
	for (size_t i = 0; i < l->n; i++) {
		code_free(&l->v[i].code);
		free(l->v[i].exc);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* x32 numbers below 512 are x86_64's numbers plus X32_SYSCALL_BIT, for the same calls; from
 * 512 on are x32's own entry points for calls with pointers in their arguments (the ABI since
 * Linux 3.4; tests/unit-seccomp checks libseccomp's tables agree). An x32 number below 512
 * that x32 lacks fails in the kernel (ENOSYS) whatever the filter says. */
#define X32_OWN_BASE 512u

/* The code of one AUDIT_ARCH_*: its ABIs (x86_64 and x32 share one). */
static int emit_block(struct code *c, const struct seccomp_profile *p, struct abi **abis,
		      size_t n_abis, struct error *err)
{
	uint32_t def = action_value(&p->def), kill = SECCOMP_RET_KILL_PROCESS;
	struct item *items = NULL;
	struct leaves leaves = { 0 }, x32_leaves = { 0 };
	const struct abi *x86_64 = NULL, *x32 = NULL;
	size_t n_items = 0, i, n_native = 0;
	uint32_t shared = 0, end = 1;
	int r = 0;

	for (size_t a = 0; a < n_abis; a++) {
		for (i = 0; i < p->n_rules; i++) {
			const struct seccomp_profile_rule *rule = &p->rules[i];
			struct seccomp_profile_cond sel;
			const char *mux = multiplexer(abis[a], rule->syscall, &sel);
			int64_t nr = abi_nr(abis[a], rule->syscall);

			if (nr >= 0)
				add_item(&items, &n_items, (uint32_t)nr, i, rule);
			if (!mux)
				continue;
			/* The same rule through the multiplexer: its number selects the call;
			 * the call's own conditions cannot be checked there. */
			nr = strcmp(mux, "ipc") == 0 ? abis[a]->ipc : abis[a]->socketcall;
			add_item(&items, &n_items, (uint32_t)nr, i, rule);
			items[n_items - 1].opaque = rule->n_conds > 0;
			items[n_items - 1].rule.n_conds = 1;
			items[n_items - 1].rule.conds[0] = sel;
		}
		if (abis[a]->token == SCMP_ARCH_X86_64)
			x86_64 = abis[a];
		if (abis[a]->token == SCMP_ARCH_X32)
			x32 = abis[a];
	}
	if (n_items)
		qsort(items, n_items, sizeof(*items), cmp_item);
	if (abis[0]->audit == AUDIT_ARCH_X86_64 && x86_64 && x32)
		shared = X32_OWN_BASE;
	/* Where the table the kernel emulates ends, about: past the highest number a rule names
	 * (the shipped profiles name every call). */
	for (i = 0; i < n_items; i++)
		if (items[i].nr < 1024 && items[i].nr >= end)
			end = items[i].nr + 1;

	if (shared) {
		/* x32 through x86_64's search: its number with the bit cleared is looked up
		 * there below `shared`, in a search of its own above. So the x32 rules below
		 * `shared` (the same rules, by name) are dropped, those above lose the bit. */
		while (n_native < n_items && items[n_native].nr < X32_SYSCALL_BIT)
			n_native++;
		size_t k = n_native;

		for (i = n_native; i < n_items; i++)
			if (items[i].nr >= (X32_SYSCALL_BIT | shared)) {
				items[k] = items[i];
				items[k++].nr &= ~X32_SYSCALL_BIT;
			}
		const struct span native[] = { { 0, X32_SYSCALL_BIT - 1, def } };
		/* -1 (a tracer skipping the call) becomes 0xbfffffff: the default, as
		 * everything above the x32 calls */
		const struct span own[] = { { shared, ~X32_SYSCALL_BIT, def } };

		r = build_leaves(&leaves, items, n_native, native, 1, abis, n_abis, x86_64, def,
				 err);
		if (r == 0)
			r = build_leaves(&x32_leaves, items + n_native, k - n_native, own, 1, abis,
					 n_abis, x32, def, err);
	} else {
		/* The numbers of an ABI the profile leaves out end the process; -1 (a tracer
		 * skipping the call) gets the default, as with libseccomp. */
		struct span spans[3];
		size_t n_spans = 0;

		if (abis[0]->audit == AUDIT_ARCH_X86_64) {
			spans[n_spans++] =
				(struct span){ 0, X32_SYSCALL_BIT - 1, x86_64 ? def : kill };
			spans[n_spans++] =
				(struct span){ X32_SYSCALL_BIT, 0xfffffffe, x32 ? def : kill };
			spans[n_spans++] = (struct span){ 0xffffffff, 0xffffffff, def };
		} else {
			spans[n_spans++] = (struct span){ 0, 0xffffffff, def };
		}
		r = build_leaves(&leaves, items, n_items, spans, n_spans, abis, n_abis, NULL, def,
				 err);
	}
	if (r == 0) {
		/* x32 calls are not cached: the kernel emulates the native and compat tables */
		leaves_weigh(&leaves, abis[0]->token == SCMP_ARCH_X32 ? 0 : end);
		emit(c, LD_ABS, 0, 0, offsetof(struct seccomp_data, nr));
		if (shared) {
			struct code native = { 0 };

			emit_tree(&native, leaves.v, leaves.n);
			emit(c, JGE, 0, native.n <= 255 ? 2 : 3, X32_SYSCALL_BIT);
			emit(c, AND_K, 0, 0, ~X32_SYSCALL_BIT);
			if (native.n <= 255) {
				emit(c, JGE, (uint8_t)native.n, 0, shared);
			} else {
				emit(c, JGE, 0, 1, shared);
				emit(c, JA, 0, 0, (uint32_t)native.n);
			}
			code_append(c, &native);
			code_free(&native);
			emit_tree(c, x32_leaves.v, x32_leaves.n);
		} else {
			emit_tree(c, leaves.v, leaves.n);
		}
	}
	leaves_free(&leaves);
	leaves_free(&x32_leaves);
	free(items);
	return r;
}

int seccomp_profile_compile(const struct seccomp_profile *p, uint32_t arch,
			    struct seccomp_prog *out, struct error *err)
{
	uint32_t tokens[SECCOMP_PROFILE_MAX_ARCHES];
	struct abi abis[SECCOMP_PROFILE_MAX_ARCHES];
	struct code prog = { 0 }, blocks[SECCOMP_PROFILE_MAX_ARCHES];
	uint32_t audits[SECCOMP_PROFILE_MAX_ARCHES];
	size_t n_abis, n_blocks = 0, i;
	int r = 0;

	out->insns = NULL;
	out->len = 0;
	if (!p->has_default)
		return error_set(err, "%s: no 'default' line: a profile needs a default action",
				 p->n_strings ? p->strings[0] : "seccomp profile");
	if (arch == 0)
		arch = seccomp_arch_native();
	n_abis = resolve_arches(p, arch, tokens);
	for (i = 0; i < n_abis; i++)
		abi_init(&abis[i], tokens[i]);
	memset(blocks, 0, sizeof(blocks));

	/* One block per AUDIT_ARCH_*, with the ABIs that share it. */
	for (i = 0; i < n_abis && r == 0; i++) {
		struct abi *group[SECCOMP_PROFILE_MAX_ARCHES] = { NULL };
		size_t ng = 0, b;

		for (b = 0; b < n_blocks; b++)
			if (audits[b] == abis[i].audit)
				break;
		if (b < n_blocks)
			continue;
		for (size_t j = i; j < n_abis; j++)
			if (abis[j].audit == abis[i].audit)
				group[ng++] = &abis[j];
		audits[n_blocks] = abis[i].audit;
		r = emit_block(&blocks[n_blocks++], p, group, ng, err);
	}
	if (r == 0) {
		/* ld arch; per block: jeq AUDIT, the block when equal, else over it (a block
		 * always returns, the arch stays loaded); then kill */
		emit(&prog, LD_ABS, 0, 0, offsetof(struct seccomp_data, arch));
		for (i = 0; i < n_blocks; i++) {
			if (blocks[i].n <= 255) {
				emit(&prog, JEQ, 0, (uint8_t)blocks[i].n, audits[i]);
			} else {
				emit(&prog, JEQ, 1, 0, audits[i]);
				emit(&prog, JA, 0, 0, (uint32_t)blocks[i].n);
			}
			code_append(&prog, &blocks[i]);
		}
		emit(&prog, RET, 0, 0, SECCOMP_RET_KILL_PROCESS);
		if (prog.n > BPF_MAXINSNS)
			r = error_set(err,
				      "cannot compile the seccomp profile: it is too complex: "
				      "%zu instructions (at most %d)",
				      prog.n, BPF_MAXINSNS);
	}
	for (i = 0; i < n_blocks; i++)
		code_free(&blocks[i]);
	for (i = 0; i < n_abis; i++)
		abi_free(&abis[i]);
	if (r < 0) {
		code_free(&prog);
		return -1;
	}
	out->insns = prog.v;
	out->len = prog.n;
	return 0;
}

uint32_t seccomp_profile_this_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return SCMP_ARCH_X32;
#elif defined(__x86_64__)
	return SCMP_ARCH_X86_64;
#elif defined(__i386__)
	return SCMP_ARCH_X86;
#elif defined(__aarch64__)
	return SCMP_ARCH_AARCH64;
#elif defined(__arm__)
	return SCMP_ARCH_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
	return SCMP_ARCH_RISCV64;
#elif defined(__s390x__)
	return SCMP_ARCH_S390X;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return SCMP_ARCH_PPC64LE;
#elif defined(__powerpc64__)
	return SCMP_ARCH_PPC64;
#else
	return seccomp_arch_native();
#endif
}

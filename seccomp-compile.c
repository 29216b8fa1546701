/* seccomp-compile: a profile (seccomp-profile.h) to one classic BPF program for the ABIs it
 * handles (seccomp-abi.h), where the last matching rule decides.
 *
 * The program is generated here; libseccomp provides the system call tables of every ABI
 * and nothing else. Its own generator (2.5.4) does not fit the profile language: it drops a
 * call's conditional rules when the call also has an unconditional one, refuses two
 * comparisons of one argument in a rule, compiles several rules comparing one argument
 * wrongly, and shares code between ABIs that tests a stale accumulator (tests/seccomp-oracle.c,
 * which works around all that to use it as the tests' oracle). Measured on the shipped
 * profiles (bench/seccomp-bench.sh), its binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2) is ten times
 * longer (1555 instructions for default, 145 here), which the kernel pays at each launch:
 * attaching it costs four times as long, for no gain per call.
 *
 * Here each call's rules become a decision list, tested from the last to the first: the first
 * that matches returns its action. Calls are found by a binary search over ranges of system
 * call numbers with the same answer. Called in the parent before clone, and by
 * tools/seccomp-compile at build time. */
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

#include "seccomp-abi.h"
#include "seccomp-compile.h"

#define NARGS 6
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

/* --- conditions ------------------------------------------------------------------------------ */

/* Offset in struct seccomp_data of the upper or lower half of argument `arg`. */
static uint32_t arg_word(const struct seccomp_abi *abi, unsigned arg, bool high)
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
static void emit_cond(struct code *c, const struct seccomp_abi *abi,
		      const struct seccomp_profile_cond *cd)
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
static void emit_decisions(struct code *c, const struct seccomp_abi *abi, const struct item *items,
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

static void add_item(struct item **items, size_t *n, size_t *cap, uint32_t nr, size_t order,
		     const struct seccomp_profile_rule *r)
{
	/* geometric growth: a profile names hundreds of calls on each ABI */
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		*items = xrealloc(*items, *cap * sizeof(**items));
	}
	(*items)[*n] = (struct item){ nr, order, *r, r, false };
	(*n)++;
}

/* The numbers of one span of a block and the answer of those no rule names. */
struct span {
	uint32_t lo, hi, value;
};

/* The abi whose registers a number's conditions read: x32's for x32 numbers. */
static const struct seccomp_abi *abi_of(struct seccomp_abi **abis, size_t n_abis, uint32_t nr)
{
	for (size_t a = 0; a < n_abis; a++)
		if (abis[a]->token == SCMP_ARCH_X32 && (nr & SECCOMP_ABI_X32_BIT))
			return abis[a];
	return abis[0];
}

/* The leaves for items[0..n_items) (sorted) over the spans, in order. The conditions are
 * read for `abi`, or when it is NULL for the ABI the number belongs to. */
static int build_leaves(struct leaves *leaves, const struct item *items, size_t n_items,
			const struct span *spans, size_t n_spans, struct seccomp_abi **abis,
			size_t n_abis, const struct seccomp_abi *abi, uint32_t def,
			struct error *err)
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
			const struct seccomp_abi *own = abi ? abi :
							      abi_of(abis, n_abis, items[next].nr);

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
						seccomp_names_arch(own->token),
						seccomp_names_arch(own->token));
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

/* The code of one AUDIT_ARCH_*: its ABIs (x86_64 and x32 share one). */
static int emit_block(struct code *c, const struct seccomp_profile *p, struct seccomp_abi **abis,
		      size_t n_abis, struct error *err)
{
	uint32_t def = action_value(&p->def), kill = SECCOMP_RET_KILL_PROCESS;
	struct item *items = NULL;
	struct leaves leaves = { 0 }, x32_leaves = { 0 };
	const struct seccomp_abi *x86_64 = NULL, *x32 = NULL;
	size_t n_items = 0, cap_items = 0, i, n_native = 0;
	uint32_t shared = 0, end = 1;
	int r = 0;

	for (size_t a = 0; a < n_abis; a++) {
		for (i = 0; i < p->n_rules; i++) {
			const struct seccomp_profile_rule *rule = &p->rules[i];
			struct seccomp_profile_cond sel;
			const char *mux = seccomp_abi_multiplexer(abis[a], rule->syscall, &sel);
			int64_t nr = seccomp_abi_nr(abis[a], rule->syscall);

			if (nr >= 0)
				add_item(&items, &n_items, &cap_items, (uint32_t)nr, i, rule);
			if (!mux)
				continue;
			/* The same rule through the multiplexer: its number selects the call;
			 * the call's own conditions cannot be checked there. */
			nr = strcmp(mux, "ipc") == 0 ? abis[a]->ipc : abis[a]->socketcall;
			add_item(&items, &n_items, &cap_items, (uint32_t)nr, i, rule);
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
		shared = SECCOMP_ABI_X32_OWN;
	/* Where the table the kernel emulates ends, about: past the highest number a rule names
	 * (the shipped profiles name every call). */
	for (i = 0; i < n_items; i++)
		if (items[i].nr < 1024 && items[i].nr >= end)
			end = items[i].nr + 1;

	if (shared) {
		/* x32 through x86_64's search: its number with the bit cleared is looked up
		 * there below `shared`, in a search of its own above. So the x32 rules below
		 * `shared` (the same rules, by name) are dropped, those above lose the bit. */
		while (n_native < n_items && items[n_native].nr < SECCOMP_ABI_X32_BIT)
			n_native++;
		size_t k = n_native;

		for (i = n_native; i < n_items; i++)
			if (items[i].nr >= (SECCOMP_ABI_X32_BIT | shared)) {
				items[k] = items[i];
				items[k++].nr &= ~SECCOMP_ABI_X32_BIT;
			}
		const struct span native[] = { { 0, SECCOMP_ABI_X32_BIT - 1, def } };
		/* -1 (a tracer skipping the call) becomes 0xbfffffff: the default, as
		 * everything above the x32 calls */
		const struct span own[] = { { shared, ~SECCOMP_ABI_X32_BIT, def } };

		r = build_leaves(&leaves, items, n_native, native, 1, abis, n_abis, x86_64, def,
				 err);
		/* items is NULL when no rule names a call: even NULL + 0 is undefined in C */
		if (r == 0)
			r = build_leaves(&x32_leaves, items ? items + n_native : NULL, k - n_native,
					 own, 1, abis, n_abis, x32, def, err);
	} else {
		/* The numbers of an ABI the profile leaves out end the process; -1 (a tracer
		 * skipping the call) gets the default, as with libseccomp. */
		struct span spans[3];
		size_t n_spans = 0;

		if (abis[0]->audit == AUDIT_ARCH_X86_64) {
			spans[n_spans++] =
				(struct span){ 0, SECCOMP_ABI_X32_BIT - 1, x86_64 ? def : kill };
			spans[n_spans++] =
				(struct span){ SECCOMP_ABI_X32_BIT, 0xfffffffe, x32 ? def : kill };
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
			emit(c, JGE, 0, native.n <= 255 ? 2 : 3, SECCOMP_ABI_X32_BIT);
			emit(c, AND_K, 0, 0, ~SECCOMP_ABI_X32_BIT);
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

int seccomp_compile_profile(const struct seccomp_profile *p, uint32_t arch,
			    struct seccomp_prog *out, struct error *err)
{
	uint32_t tokens[SECCOMP_PROFILE_MAX_ARCHES];
	struct seccomp_abi abis[SECCOMP_PROFILE_MAX_ARCHES];
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
	n_abis = seccomp_abi_resolve(p, arch, tokens);
	for (i = 0; i < n_abis; i++)
		seccomp_abi_init(&abis[i], tokens[i]);
	memset(blocks, 0, sizeof(blocks));

	/* One block per AUDIT_ARCH_*, with the ABIs that share it. */
	for (i = 0; i < n_abis && r == 0; i++) {
		struct seccomp_abi *group[SECCOMP_PROFILE_MAX_ARCHES] = { NULL };
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
		seccomp_abi_free(&abis[i]);
	if (r < 0) {
		code_free(&prog);
		return -1;
	}
	out->insns = prog.v;
	out->len = prog.n;
	return 0;
}

/* seccomp-oracle: profiles compiled by libseccomp, to check hutch's compiler against.
 *
 * libseccomp cannot be handed a profile's rules as they are. In a profile the last matching
 * rule decides; libseccomp 2.5 keeps a call's unconditional action and drops the conditional
 * rules added after it, refuses two comparisons of one argument in a rule (EINVAL), and
 * compiles rules that compare one argument in different ways wrongly (`arg0 <= 0x7ffffffd`
 * and `arg0 >= 0x100000000` also match 0x7ffffffe on x86_64, everything on i386). So each
 * call's rules are first turned into rules that cannot overlap: its arguments are split bit by
 * bit, highest first, until the profile's answer no longer depends on the bits not yet looked
 * at; each piece is one libseccomp rule with one masked comparison per argument it looked at.
 * The pieces are libseccomp's to place: the system call numbers of each ABI, the dispatch on
 * the architecture and the number, and the comparisons of 64-bit arguments are its own. It
 * compares only the lower half of x32's arguments (it takes x32 for a 32-bit ABI, where the
 * kernel passes 64-bit registers): there, only 32-bit values get the profile's verdicts.
 *
 * One more bug of libseccomp 2.5.4 shows with such pieces: in a program for several ABIs it
 * shares code between them and can jump into a comparison without loading the argument
 * word it tests (x86_64 rules testing arg0 then arg2 reach i386's test of arg0 with arg2's
 * upper half in the accumulator). A program for one ABI alone does not do that here, so the
 * tests take each ABI's verdicts from a program of its own (`only`). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "seccomp-oracle.h"

enum tri { NO, YES, MAYBE };

/* What is known of the arguments: the bits of known[a] have the values of value[a]. */
struct known {
	uint64_t known[6], value[6];
	uint64_t width; /* the bits an argument has on the ABI: the others are zero */
};

static int highest_bit(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

/* Whether the condition holds for every argument that agrees with what is known, for none,
 * or depends on more (*bit: the highest bit it still depends on). */
static enum tri cond_holds(const struct seccomp_profile_cond *c, const struct known *kn, int *bit)
{
	uint64_t k = kn->known[c->arg] | ~kn->width, v = kn->value[c->arg] & kn->width;
	uint64_t m = c->mask, lo = v & k & m, hi = (v | ~k) & m;
	enum tri r = MAYBE;

	switch (c->op) {
	case SECCOMP_PROFILE_EQ:
	case SECCOMP_PROFILE_NE:
		if (k & m & (v ^ c->value))
			r = NO;
		else if ((m & ~k) == 0)
			r = YES;
		if (r != MAYBE && c->op == SECCOMP_PROFILE_NE)
			r = r == YES ? NO : YES;
		break;
	case SECCOMP_PROFILE_LT:
		r = hi < c->value ? YES : lo >= c->value ? NO : MAYBE;
		break;
	case SECCOMP_PROFILE_LE:
		r = hi <= c->value ? YES : lo > c->value ? NO : MAYBE;
		break;
	case SECCOMP_PROFILE_GT:
		r = lo > c->value ? YES : hi <= c->value ? NO : MAYBE;
		break;
	case SECCOMP_PROFILE_GE:
		r = lo >= c->value ? YES : hi < c->value ? NO : MAYBE;
		break;
	}
	if (r == MAYBE)
		*bit = highest_bit(m & ~k);
	return r;
}

static enum tri rule_holds(const struct seccomp_profile_rule *r, const struct known *kn,
			   unsigned *arg, int *bit)
{
	enum tri all = YES;

	for (unsigned i = 0; i < r->n_conds; i++) {
		int b;
		enum tri t = cond_holds(&r->conds[i], kn, &b);

		if (t == NO)
			return NO;
		if (t == MAYBE && all == YES) {
			all = MAYBE;
			*arg = r->conds[i].arg;
			*bit = b;
		}
	}
	return all;
}

static uint32_t scmp_action(const struct seccomp_profile_action *a)
{
	switch (a->type) {
	case SECCOMP_PROFILE_ALLOW:
		return SCMP_ACT_ALLOW;
	case SECCOMP_PROFILE_ERRNO:
		return SCMP_ACT_ERRNO((uint32_t)a->errnum);
	case SECCOMP_PROFILE_KILL:
		return SCMP_ACT_KILL_PROCESS;
	case SECCOMP_PROFILE_LOG:
		return SCMP_ACT_LOG;
	case SECCOMP_PROFILE_TRAP:
		return SCMP_ACT_TRAP;
	}
	return SCMP_ACT_KILL_PROCESS;
}

struct call {
	scmp_filter_ctx ctx;
	int nr; /* in libseccomp's numbering of this machine */
	const struct seccomp_profile_rule **rules;
	size_t n;
	uint32_t def;
	unsigned added, max; /* pieces added; at most max (0: no limit) */
};

/* One piece: what is known of the arguments, as one masked comparison per argument. */
static int add_piece(struct call *c, uint32_t action, const struct known *kn)
{
	struct scmp_arg_cmp cmp[6];
	unsigned n = 0;
	int r;

	if (action == c->def) /* libseccomp refuses it (EACCES): the default says it */
		return 0;
	if (c->max && c->added == c->max)
		return -E2BIG;
	for (unsigned a = 0; a < 6; a++) {
		uint64_t m = kn->known[a] & kn->width;

		if (m)
			cmp[n++] = SCMP_CMP(a, SCMP_CMP_MASKED_EQ, m, kn->value[a] & m);
	}
	r = seccomp_rule_add_array(c->ctx, action, c->nr, n, cmp);
	c->added++;
	return r;
}

static int split(struct call *c, struct known *kn)
{
	for (size_t j = c->n; j-- > 0;) {
		const struct seccomp_profile_rule *r = c->rules[j];
		unsigned arg = 0;
		int bit = 0, rc;

		switch (rule_holds(r, kn, &arg, &bit)) {
		case NO:
			continue;
		case YES:
			return add_piece(c, scmp_action(&r->action), kn);
		case MAYBE:
			kn->known[arg] |= 1ULL << bit;
			kn->value[arg] &= ~(1ULL << bit);
			rc = split(c, kn);
			kn->value[arg] |= 1ULL << bit;
			if (rc == 0)
				rc = split(c, kn);
			kn->known[arg] &= ~(1ULL << bit);
			kn->value[arg] &= ~(1ULL << bit);
			return rc;
		}
	}
	return add_piece(c, c->def, kn);
}

/* The ABIs of a profile for a kernel of `native`: `native` and `compat` resolved. */
static size_t oracle_arches(const struct seccomp_profile *p, uint32_t native, uint32_t *out)
{
	uint32_t in[SECCOMP_PROFILE_MAX_ARCHES + 2];
	size_t n_in = 0, n = 0;

	if (p->n_arches == 0) {
		in[n_in++] = SECCOMP_PROFILE_ARCH_NATIVE;
		in[n_in++] = SECCOMP_PROFILE_ARCH_COMPAT;
	}
	for (unsigned i = 0; i < p->n_arches; i++)
		in[n_in++] = p->arches[i];
	for (size_t i = 0; i < n_in; i++) {
		uint32_t t[2];
		size_t nt = 0;

		if (in[i] == SECCOMP_PROFILE_ARCH_NATIVE) {
			t[nt++] = native;
		} else if (in[i] == SECCOMP_PROFILE_ARCH_COMPAT) {
			if (native == SCMP_ARCH_X86_64) {
				t[nt++] = SCMP_ARCH_X86;
				t[nt++] = SCMP_ARCH_X32;
			} else if (native == SCMP_ARCH_AARCH64) {
				t[nt++] = SCMP_ARCH_ARM;
			}
		} else {
			t[nt++] = in[i];
		}
		for (size_t k = 0; k < nt; k++) {
			size_t j;

			for (j = 0; j < n && out[j] != t[k]; j++)
				;
			if (j == n)
				out[n++] = t[k];
		}
	}
	return n;
}

static scmp_filter_ctx abi_context(const struct seccomp_profile *p, uint32_t token, int optimize,
				   unsigned max, unsigned *added, struct error *err)
{
	uint32_t def = scmp_action(&p->def);
	scmp_filter_ctx ctx = seccomp_init(def);
	struct known kn;
	int r = 0;

	if (!ctx)
		return error_set(err, "seccomp_init failed"), NULL;
	if (token != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, token);
		if (r == 0)
			r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize);
	memset(&kn, 0, sizeof(kn));
	/* libseccomp compares the lower half of x32's arguments only (it takes x32 for a 32-bit
	 * ABI, though the kernel passes it 64-bit registers): only values of 32 bits can be
	 * checked there, and the rules are split as for i386. */
	kn.width = token & __AUDIT_ARCH_64BIT ? UINT64_MAX : 0xffffffffULL;
	for (size_t i = 0; i < p->n_rules && r == 0; i++) {
		const char *name = p->rules[i].syscall;
		struct call c = { ctx, seccomp_syscall_resolve_name(name), NULL, 0, def, 0, 0 };
		size_t j;

		for (j = 0; j < i && strcmp(p->rules[j].syscall, name) != 0; j++)
			;
		if (j < i) /* done with its first rule */
			continue;
		c.rules = xcalloc(p->n_rules, sizeof(*c.rules));
		for (j = i; j < p->n_rules; j++)
			if (strcmp(p->rules[j].syscall, name) == 0)
				c.rules[c.n++] = &p->rules[j];
		if (max)
			c.max = max > *added ? max - *added : 1;
		r = split(&c, &kn);
		/* a call this ABI lacks: libseccomp says so and adds nothing */
		if (r == -EDOM || r == -EINVAL) {
			int own = seccomp_syscall_resolve_name_arch(token, name);

			if (own == __NR_SCMP_ERROR || own < 0)
				r = 0;
		}
		if (r == -E2BIG)
			error_set(err, "more than %u rules", max);
		else if (r < 0)
			error_set(err, "libseccomp: %s for '%s' on %s: %s", "rule_add", name,
				  seccomp_names_arch(token), strerror(-r));
		*added += c.added;
		free(c.rules);
	}
	if (r < 0) {
		if (!err->msg[0])
			error_set(err, "libseccomp: cannot set up %s: %s",
				  seccomp_names_arch(token), strerror(-r));
		err->exit_code = r == -E2BIG;
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int oracle_compile(const struct seccomp_profile *p, uint32_t arch, uint32_t only, int optimize,
		   unsigned max, struct seccomp_prog *out, unsigned *n_rules, struct error *err)
{
	uint32_t tokens[SECCOMP_PROFILE_MAX_ARCHES + 2];
	scmp_filter_ctx all = NULL;
	unsigned added = 0;
	size_t n = oracle_arches(p, arch ? arch : seccomp_arch_native(), tokens);
	char *data = NULL;
	size_t len = 0;
	int fd, r = 0;

	out->insns = NULL;
	out->len = 0;
	err->msg[0] = '\0';
	err->exit_code = 0;
	if (only) {
		size_t i;

		for (i = 0; i < n && tokens[i] != only; i++)
			;
		if (i == n) /* not one of p's: no program */
			return 0;
		tokens[0] = only;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		scmp_filter_ctx ctx = abi_context(p, tokens[i], optimize, max, &added, err);

		if (!ctx) {
			r = err->exit_code ? 1 : -1;
			break;
		}
		if (!all) {
			all = ctx;
		} else if ((r = seccomp_merge(all, ctx)) < 0) {
			seccomp_release(ctx);
			error_set(err, "libseccomp: cannot merge %s: %s",
				  seccomp_names_arch(tokens[i]), strerror(-r));
			break;
		}
	}
	fd = r == 0 ? memfd_create("oracle", MFD_CLOEXEC) : -1;
	if (r == 0 && fd < 0)
		r = error_set_errno(err, errno, "memfd_create");
	if (r == 0 && (r = seccomp_export_bpf(all, fd)) < 0)
		error_set(err, "libseccomp: cannot export the program: %s", strerror(-r));
	if (r == 0 && (lseek(fd, 0, SEEK_SET) < 0 || read_all_fd(fd, &data, &len) < 0))
		r = error_set_errno(err, errno, "cannot read the program back");
	if (fd >= 0)
		close(fd);
	if (all)
		seccomp_release(all);
	if (r != 0) {
		free(data);
		return r < 0 ? -1 : 1;
	}
	out->insns = data;
	out->len = len / 8;
	if (n_rules)
		*n_rules = added;
	return 0;
}

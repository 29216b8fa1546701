/* seccomp-profile-print: a parsed profile printed back as profile text, with only the rules
 * still in effect (--seccomp-show). Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-profile.h"

static void print_action(FILE *out, const struct seccomp_profile_action *a)
{
	static const char *const names[] = {
		[SECCOMP_PROFILE_ALLOW] = "allow", [SECCOMP_PROFILE_ERRNO] = "errno",
		[SECCOMP_PROFILE_KILL] = "kill",   [SECCOMP_PROFILE_LOG] = "log",
		[SECCOMP_PROFILE_TRAP] = "trap",
	};
	const char *e;

	fputs(names[a->type], out);
	if (a->type != SECCOMP_PROFILE_ERRNO)
		return;
	e = seccomp_names_errno(a->errnum);
	if (e)
		fprintf(out, " %s", e);
	else
		fprintf(out, " %d", a->errnum);
}

static bool action_eq(const struct seccomp_profile_action *a,
		      const struct seccomp_profile_action *b)
{
	return a->type == b->type && (a->type != SECCOMP_PROFILE_ERRNO || a->errnum == b->errnum);
}

static void print_number(FILE *out, uint64_t v)
{
	fprintf(out, v < 10 ? "%llu" : "0x%llx", (unsigned long long)v);
}

/* Whether rule i is still in effect: no later unconditional rule for the same call. */
static bool rule_effective(const struct seccomp_profile *p, size_t i)
{
	for (size_t j = i + 1; j < p->n_rules; j++)
		if (p->rules[j].n_conds == 0 &&
		    strcmp(p->rules[j].syscall, p->rules[i].syscall) == 0)
			return false;
	return true;
}

void seccomp_profile_print(FILE *out, const struct seccomp_profile *p)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	const struct seccomp_profile_rule *open = NULL; /* the rule the unfinished line began */
	size_t col = 0;

	if (p->has_default) {
		fputs("default ", out);
		print_action(out, &p->def);
		fputc('\n', out);
	}
	fputs("arch", out);
	for (unsigned i = 0; i < p->n_arches; i++)
		fprintf(out, " %s", seccomp_names_arch(p->arches[i]));
	if (p->n_arches == 0)
		fputs(" native compat", out);
	fputc('\n', out);
	/* The rules still in effect, in their order: two rules for different calls can decide
	 * the same number (socket and socketcall, through socketcall on i386), so none moves.
	 * Consecutive rules without conditions and with one action share a line. */
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_profile_rule *r = &p->rules[i];

		if (!rule_effective(p, i))
			continue;
		if (open && (r->n_conds || !action_eq(&r->action, &open->action) ||
			     col + strlen(r->syscall) > 90)) {
			fputc('\n', out);
			open = NULL;
		}
		if (!open) {
			print_action(out, &r->action);
			col = 16;
		}
		fprintf(out, " %s", r->syscall);
		col += strlen(r->syscall) + 1;
		if (r->n_conds == 0) {
			open = r;
			continue;
		}
		for (unsigned k = 0; k < r->n_conds; k++) {
			const struct seccomp_profile_cond *c = &r->conds[k];

			fprintf(out, " arg%u ", c->arg);
			if (c->mask != UINT64_MAX)
				fprintf(out, "&0x%llx ", (unsigned long long)c->mask);
			fprintf(out, "%s ", ops[c->op]);
			print_number(out, c->value);
		}
		fputc('\n', out);
	}
	if (open)
		fputc('\n', out);
}

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
	bool *done = xcalloc(p->n_rules, sizeof(bool));
	bool *live = xcalloc(p->n_rules, sizeof(bool));

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
	for (size_t i = 0; i < p->n_rules; i++)
		live[i] = rule_effective(p, i);
	/* Unconditional rules, one line per action: each is the first rule still in effect for
	 * its call, so moving them ahead of the conditional ones keeps the meaning. */
	for (size_t i = 0; i < p->n_rules; i++) {
		size_t col;

		if (done[i] || !live[i] || p->rules[i].n_conds)
			continue;
		print_action(out, &p->rules[i].action);
		col = 16;
		for (size_t j = i; j < p->n_rules; j++) {
			const struct seccomp_profile_rule *r = &p->rules[j];

			if (done[j] || !live[j] || r->n_conds ||
			    !action_eq(&r->action, &p->rules[i].action))
				continue;
			if (col + strlen(r->syscall) > 90) {
				fputc('\n', out);
				print_action(out, &r->action);
				col = 16;
			}
			fprintf(out, " %s", r->syscall);
			col += strlen(r->syscall) + 1;
			done[j] = true;
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_profile_rule *r = &p->rules[i];

		if (!live[i] || r->n_conds == 0)
			continue;
		print_action(out, &r->action);
		fprintf(out, " %s", r->syscall);
		for (unsigned k = 0; k < r->n_conds; k++) {
			static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
			const struct seccomp_profile_cond *c = &r->conds[k];

			fprintf(out, " arg%u ", c->arg);
			if (c->mask != UINT64_MAX)
				fprintf(out, "&0x%llx ", (unsigned long long)c->mask);
			fprintf(out, "%s ", ops[c->op]);
			print_number(out, c->value);
		}
		fputc('\n', out);
	}
	free(done);
	free(live);
}

/* jobserver: the MAKEFLAGS words that name make's jobserver, and what the hutch face keeps of
 * it. GNU make passes the jobserver to the commands of recursive recipe lines ($(MAKE) or a
 * leading '+') as two inherited fds (make 4.3 and older, and 4.4 with --jobserver-style=pipe)
 * or as a named fifo (4.4's default), and says which in MAKEFLAGS; see make(1), "Sharing Job
 * Slots with GNU make" in its manual. */
#include <stdlib.h>
#include <string.h>

#include "jobserver.h"

const char *jobserver_makeflags(const char *host_value, const struct env_op *env)
{
	const char *v = host_value;

	for (const struct env_op *e = env; e; e = e->next) {
		if (e->type == ENV_CLEAR)
			v = NULL;
		else if (e->name && strcmp(e->name, "MAKEFLAGS") == 0)
			v = e->type == ENV_SET ? e->value : NULL;
	}
	return v;
}

/* "R,W" with both numbers non-negative. */
static bool parse_fds(const char *s, int *rd, int *wr)
{
	char *end;
	long r, w;

	r = strtol(s, &end, 10);
	if (end == s || *end != ',' || r < 0 || r > 1 << 30)
		return false;
	s = end + 1;
	w = strtol(s, &end, 10);
	if (end == s || *end || w < 0 || w > 1 << 30)
		return false;
	*rd = (int)r;
	*wr = (int)w;
	return true;
}

bool jobserver_parse(const char *makeflags, struct jobserver_req *js)
{
	static const char *const keys[] = { "--jobserver-auth=", "--jobserver-fds=" };
	const char *p = makeflags;
	bool found = false;

	js->rd = js->wr = -1;
	js->fifo = js->word = NULL;
	while (p && *p) {
		size_t len;
		char word[4096];

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (len == 0)
			break;
		/* the variable assignments follow a lone "--" */
		if (len == 2 && strncmp(p, "--", 2) == 0)
			break;
		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				const char *v = word + strlen(keys[k]);
				int rd, wr;

				if (strncmp(word, keys[k], strlen(keys[k])) != 0)
					continue;
				/* make uses the last one it sees */
				if (strncmp(v, "fifo:", 5) == 0 && v[5]) {
					js->rd = js->wr = -1;
					js->fifo = p + (v + 5 - word);
					found = true;
				} else if (parse_fds(v, &rd, &wr)) {
					js->rd = rd;
					js->wr = wr;
					js->fifo = NULL;
					found = true;
				}
				if (found)
					js->word = p;
			}
		}
		p += len;
	}
	return found;
}

void jobserver_config(struct config *cfg, const char *makeflags)
{
	struct jobserver_req js;
	const char *v = jobserver_makeflags(makeflags, cfg->env_head);
	char *word, *fifo = NULL;

	if (!jobserver_parse(v, &js))
		return;
	/* js points into v: keep copies for as long as the config lives */
	word = strndup(js.word, strcspn(js.word, " \t"));
	if (!word)
		return;
	config_own(cfg, word);
	if (js.fifo) {
		fifo = strndup(js.fifo, strcspn(js.fifo, " \t"));
		if (!fifo)
			return;
		config_own(cfg, fifo);
	}
	cfg->jobserver = (struct jobserver_req){ js.rd, js.wr, fifo, word };
	/* A relative fifo path would be the caller's, which the sandbox may not share. */
	if (fifo && fifo[0] == '/') {
		struct setup_op *op = setup_list_append(&cfg->ops, SETUP_RO_BIND, "ro-bind-try");

		op->flags = SETUP_FLAG_ALLOW_MISSING;
		op->src = op->dest = fifo;
		op->origin = "MAKEFLAGS";
	}
}

/* config: what the user asked for. */
#include <stdlib.h>
#include <string.h>

#include "config.h"

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->userns_fd = cfg->userns2_fd = cfg->pidns_fd = -1;
	cfg->info_fd = cfg->json_status_fd = cfg->sync_fd = -1;
	cfg->block_fd = cfg->userns_block_fd = -1;
	cfg->caps_keep_initial = UINT64_MAX;
	cfg->jobserver.rd = cfg->jobserver.wr = -1;
}

void config_own(struct config *cfg, void *p)
{
	unsigned n = cfg->n_owned;

	/* Grow at 0, 4, 8, 16...: the capacity is the next power of two, at least 4. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		cfg->owned = xrealloc(cfg->owned, (n ? 2 * n : 4) * sizeof(*cfg->owned));
	cfg->owned[cfg->n_owned++] = p;
}

void config_free(struct config *cfg)
{
	struct env_op *e = cfg->env_head;
	unsigned i;

	while (e) {
		struct env_op *next = e->next;

		free(e);
		e = next;
	}
	setup_list_free(&cfg->ops);
	free(cfg->pass_fds.v);
	free(cfg->seccomp_fds.v);
	free(cfg->rlimits);
	free(cfg->landlock_paths);
	seccomp_request_free(&cfg->seccomp_req);
	net_request_free(&cfg->net);
	for (i = 0; i < cfg->n_owned; i++)
		free(cfg->owned[i]);
	free(cfg->owned);
	config_init(cfg);
}

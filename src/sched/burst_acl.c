/*
 * burst_acl: who may use a cloud pool's nodes. A pool's Accounts= name
 * the accounts whose jobs may use it, each with its subtree: a job may
 * when its account or one of its ancestors is named (unset: every
 * account). The burst decision asks it before starting a node for a job
 * (burst.c), and the host asks it before a pass for the nodes already up
 * (burst_pool_deny -> sched_job.pool_deny), so that a job never runs on
 * a pool's node that the pool would not have started for it. Queues= need
 * no check here: the pool's nodes are members of those queues, so other
 * queues' jobs never see them (sched_node.queue_mask).
 */
#include "config.h"

#include <string.h>

#include "burst.h"

bool
burst_pool_account_ok(const struct burst_pool *p,
		      const char *const *accounts)
{
	if (!p->accounts)
		return true;
	for (size_t i = 0; p->accounts[i]; i++)
		for (size_t k = 0; accounts && accounts[k]; k++)
			if (!strcmp(p->accounts[i], accounts[k]))
				return true;
	return false;
}

uint64_t
burst_pool_deny(const struct burst_pool *pools, size_t npools,
		const char *const *accounts)
{
	uint64_t deny = 0;

	for (size_t i = 0; i < npools && i < 64; i++)
		if (!burst_pool_account_ok(&pools[i], accounts))
			deny |= (uint64_t)1 << i;
	return deny;
}

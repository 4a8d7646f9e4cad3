/*
 * rsh_env: what a job's environment tells MPI launchers, so that a plain
 * `mpirun ./prog` (Open MPI) or `mpiexec ./prog` (MPICH's Hydra) in a
 * batch script starts over every node of the job, with the right slots per
 * node, without ssh and without -hostfile:
 *
 *	HC_RSH_AGENT, OMPI_MCA_plm_rsh_agent, HYDRA_LAUNCHER=rsh,
 *	HYDRA_LAUNCHER_EXEC	hc-rsh (MpiRshAgent), for their remote daemons
 *	HC_RSH_SOCKET		where hc-rsh finds this node's agent (a place,
 *				not a credential: the agent checks callers)
 *	OMPI_MCA_orte_default_hostfile, HYDRA_HOST_FILE
 *				HC_NODEFILE (one hc node name per task slot)
 *
 * The node file holds hc node names. Both launchers compare them with
 * gethostname() and start a matching host by fork; a name that differs
 * (several agents on one machine, n1..n4 on host "vm") is started through
 * hc-rsh too, which routes by hc node name: the launch node's own entry
 * then comes back to this agent and runs in this job's cgroup.
 *
 * Several agents on one machine (rsh_shared_host: several NodeName lines
 * share this node's NodeAddr) also need Open MPI's shared-memory transport
 * (vader) off, as it would pair ranks of different "nodes": the job gets
 * OMPI_MCA_btl=self,tcp rather than ^vader, which would leave Open MPI to
 * probe every other transport it was built with (openib, usnic, uct) in
 * each rank, 1.5 s of an 8-rank start here; and PMIX_MCA_gds=hash, as
 * PMIx's shared-memory store of one node's daemon collides with another's
 * (unless the user set either already).
 * SLURM_* variables are never set: both launchers take them as a sign to
 * launch through srun.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "log.h"
#include "noded.h"
#include "rsh.h"

#ifndef BINDIR
#define BINDIR "/usr/bin"
#endif

bool
rsh_shared_host(const struct noded *nd)
{
	const char *mine = nd->me->addr ? nd->me->addr : nd->me->name;

	for (size_t i = 0; i < nd->conf->node_count; i++) {
		const struct conf_node *n = &nd->conf->nodes[i];
		const char *a = n->addr ? n->addr : n->name;
		if (n != nd->me && strcmp(n->name, nd->me->name) != 0 &&
		    strcmp(a, mine) == 0)
			return true;
	}
	return false;
}

static bool
env_has(char **env, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], key, k) == 0 && env[i][k] == '=')
			return true;
	return false;
}

void
rsh_env_add(struct noded *nd, const struct job *j, char ***envp)
{
	const char *agent = nd->conf->mpi_rsh_agent &&
			    *nd->conf->mpi_rsh_agent ?
			    nd->conf->mpi_rsh_agent : BINDIR "/hc-rsh";

	job_env_set(envp, "HC_RSH_AGENT", agent);
	job_env_set(envp, "HC_RSH_SOCKET", rsh_socket_path(nd));
	job_env_set(envp, "OMPI_MCA_plm_rsh_agent", agent);
	job_env_set(envp, "OMPI_MCA_orte_default_hostfile", j->nodefile);
	job_env_set(envp, "HYDRA_LAUNCHER", "rsh");
	job_env_set(envp, "HYDRA_LAUNCHER_EXEC", agent);
	job_env_set(envp, "HYDRA_HOST_FILE", j->nodefile);
	if (!rsh_shared_host(nd))
		return;
	if (!env_has(*envp, "OMPI_MCA_btl"))
		job_env_set(envp, "OMPI_MCA_btl", "self,tcp");
	if (!env_has(*envp, "PMIX_MCA_gds"))
		job_env_set(envp, "PMIX_MCA_gds", "hash");
}

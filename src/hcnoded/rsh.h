/*
 * rsh: the node agent's side of hc-rsh (src/cmds/hc-rsh.c), split in
 *	rsh.c		the unix socket, the sessions, the checks
 *	rsh_peer.c	who is calling: the job of a pid, from its cgroup
 *	rsh_spawn.c	starting the command on this node
 *	rsh_env.c	what a job's environment tells mpirun/mpiexec
 */
#ifndef HC_RSH_H
#define HC_RSH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "hc_err.h"

struct noded;
struct job;

/* The job id of the caller whose /proc/PID/cgroup text is given, when it
 * lies in a job cgroup of node under prefix: v1 reads the freezer line,
 * v2 the "0::" line; the path must be /PREFIX/NODE/job_ID or below it.
 * 0 when it does not (with err saying why). Pure: unit-tested. */
uint32_t rsh_peer_parse(const char *text, enum cgroup_mode mode,
			const char *prefix, const char *node,
			struct hc_err *err);
/* The same for a live pid (reads /proc/PID/cgroup). */
uint32_t rsh_peer_job(const struct noded *nd, pid_t pid, struct hc_err *err);

/* Start `sh -c command` as one more process of job j on this node, its
 * stdin/stdout/stderr the given fds (borrowed: the caller closes its
 * copies). The pid, or -1 with err. */
pid_t rsh_spawn_local(struct noded *nd, struct job *j, const char *command,
		      const int fds[3], struct hc_err *err);

/* Add the MPI launchers' variables to a job's environment (see
 * rsh_env.c). */
void rsh_env_add(struct noded *nd, const struct job *j, char ***envp);
/* Whether several nodes of hc.conf share this node's NodeAddr (several
 * agents on one machine, as in the test cluster). */
bool rsh_shared_host(const struct noded *nd);
/* The socket hc-rsh reaches this agent at. Borrowed. */
const char *rsh_socket_path(const struct noded *nd);

#endif

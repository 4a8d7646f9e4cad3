/*
 * pmi2: a simple-PMI server, the process-management interface MPICH (and
 * other MPIs built for Slurm's pmi2 or Hydra) speak to their launcher over
 * a socket inherited as PMI_FD. One server serves the ranks of one job
 * step on one node; its fences are completed by whoever joins the step's
 * nodes (hcrun relays them; the unit test's launcher does it by hand).
 *
 * Both wire versions, as the client asks:
 *  - PMI-1 (MPICH's simple PMI, MPICH 4.0 here): newline-ended lines of
 *    space-separated key=value words, opened by
 *	cmd=init pmi_version=1 pmi_subversion=1
 *    then get_maxes, get_appnum, get_my_kvsname, get_universe_size, put,
 *    get, barrier_in, finalize, abort.
 *  - PMI-2: opened either by `cmd=init pmi_version=2` in PMI-1 form (what
 *    MPICH's and Slurm's PMI-2 clients send) or directly by a framed
 *    fullinit; frames are a 6-character decimal length, then `key=value;`
 *    pairs (a ';' in a value is written ";;"): fullinit, job-getid,
 *    info-getjobattr, info-putnodeattr, info-getnodeattr, kvs-put,
 *    kvs-fence, kvs-get, finalize, abort.
 * PMI_process_mapping (the node of every rank, MPICH's "(vector,(start,
 * nodes,ranks-per-node)...)") is answered to a get of that key (PMI-1) and
 * to info-getjobattr (PMI-2).
 *
 * A fence (barrier_in, kvs-fence) completes when every local client has
 * entered it: the puts made here since the last fence go to fence_fn, and
 * the server waits for pmi2_fence_done() with the puts of all nodes.
 */
#ifndef HC_PMI2_H
#define HC_PMI2_H

#include <stddef.h>

#include <jansson.h>

#include "hc_err.h"

struct pmi2_srv;

struct pmi2_info {
	const char *jobid;	/* the kvs name (PMI-1) / jobid (PMI-2) */
	int size;		/* ranks of the step */
	int appnum;
	const char *mapping;	/* PMI_process_mapping */
	const int *ranks;	/* client i is rank ranks[i] */
	int nclients;
};

struct pmi2_ops {
	/* Bytes for client (must all be written, in order). */
	void (*send)(void *arg, int client, const char *data, size_t len);
	/* Every local client entered fence number seq: puts (owned: the
	 * callee decrefs) are this node's {"key":"value"} since the last. */
	void (*fence)(void *arg, unsigned seq, json_t *puts);
	/* A client asked to abort the job, or finalized (code -1). */
	void (*abort)(void *arg, int client, int code, const char *msg);
};

/* info is copied. NULL with err on bad info. */
struct pmi2_srv *pmi2_create(const struct pmi2_info *info,
			     const struct pmi2_ops *ops, void *arg,
			     struct hc_err *err);
void pmi2_destroy(struct pmi2_srv *s);	/* NULL ok */

/* Bytes from client. 0, or -1 with err on a protocol error (the caller
 * closes that client). */
int pmi2_input(struct pmi2_srv *s, int client, const char *data,
	       size_t len, struct hc_err *err);
/* The fence seq is complete; kvs (borrowed) holds the puts of every node. */
void pmi2_fence_done(struct pmi2_srv *s, unsigned seq, const json_t *kvs);
/* The wire version client speaks: 1, 2, or 0 before its init. */
int pmi2_version(const struct pmi2_srv *s, int client);
/* Whether client has finalized: a rank whose connection ends before that
 * died in the middle of the job, and the step should end. */
int pmi2_finalized(const struct pmi2_srv *s, int client);

/* PMI_process_mapping for n ranks where rank r runs on node node_of[r]
 * (node indices from 0). malloc'ed. */
char *pmi2_mapping(const int *node_of, int n);

#endif

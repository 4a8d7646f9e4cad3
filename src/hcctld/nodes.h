/*
 * nodes: the controller's node table. hc.conf declares the nodes (static
 * shape); LMDB keeps what changes (state, flags, reason, inventory).
 * A node's connection (dialled by its agent) delivers heartbeats and job
 * events; a node that misses heartbeats for NodeTimeout goes DOWN with a
 * reason and jobs_on_node_down() ends or requeues its jobs.
 */
#ifndef NODES_H
#define NODES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "sched.h"

struct ctld;
struct rpc_conn;
struct conf_node;
struct hc_conf;
struct hc_err;

struct node_gpu {
	char type[32];		/* "h100" (from Gres, checked by inventory) */
	char model[128];
	char vendor[64];
	char pci_id[16];
	char busid[32];
	uint64_t memory_mb;
	uint32_t job;		/* job id holding it, 0 = free */
};

struct node {
	char *name;
	uint32_t index;			/* position in the table */
	const struct conf_node *cn;	/* its hc.conf entry (borrowed) */
	int base;			/* enum node_base_state */
	unsigned flags;			/* enum node_flag bits */
	char *reason;
	time_t reason_time;
	uid_t reason_uid;
	struct rpc_conn *conn;		/* NULL when not connected */
	time_t last_heartbeat;
	time_t boot_time;
	json_t *inventory;		/* last registration's inventory */
	char *version;
	uint64_t queue_mask;		/* bit q: in queue q */

	uint32_t cpus;			/* usable logical CPUs */
	uint8_t *cpu_job_count;		/* per CPU: jobs using it (0 = free) */
	uint64_t mem_mb, mem_alloc_mb;
	uint32_t gpu_count;
	struct node_gpu gpus[SCHED_MAX_GPUS];
	uint32_t njobs;			/* jobs allocated here */
	bool exclusive_used;
	char **features;		/* NULL-terminated (from hc.conf) */
	int sockets, cores_per_socket, threads_per_core;

	/* Added by nodes.c for its own bookkeeping. */
	uint32_t cpu_cap;		/* entries in cpu_job_count */
	uint32_t cpus_alloc;		/* CPUs with at least one job */
	uint32_t *job_ids;		/* njobs entries: jobs allocated here */
	uint32_t job_cap;
	bool registered;		/* has registered since start */
	bool admin_down;		/* DOWN set by an admin (persisted) */
	bool health_drain;		/* DRAIN set by HealthCheckProgram */
	char *inv_reason;		/* INVALID_INVENTORY: the mismatch */
	json_t *ident;			/* identity record (identity.h) or NULL */
	bool ident_pending;		/* inventory changed: no jobs until
					   hcctl accept node */
	uint64_t gen;			/* bumped on allocation, state and
					   shape changes (sched_snap.h) */
	/* Power saving and cloud pools (power.h); persisted. */
	time_t state_since;		/* power state entered (CLOUD, UP,
					   DOWN by power...) */
	time_t power_deadline;		/* POWERING_UP: ResumeTimeout's end */
	int64_t power_deadline_ms;	/* the same in real-time ms, set at
					   the start (not persisted: after a
					   restart the seconds serve) */
	time_t idle_since;		/* up and without jobs since */
	time_t up_since;		/* started (cost counts from here) */
	bool power_down;		/* DOWN set by a failed start */
	bool power_busy;		/* a power program runs for it */
	uint32_t *boot_jobs;		/* POWERING_UP: the jobs it is for */
	uint32_t nboot_jobs;
};

struct nodes;

struct nodes *nodes_create(struct ctld *c, struct hc_err *err);
void nodes_destroy(struct nodes *ns);

/* Take a new hc.conf: kept nodes keep their runtime state, new ones are
 * added, removed ones must have no jobs (-1, HC_EBUSY naming them). conf
 * must outlive the table. */
int nodes_reconfigure(struct nodes *ns, const struct hc_conf *conf,
		      struct hc_err *err);

size_t nodes_count(const struct nodes *ns);
struct node *nodes_at(struct nodes *ns, size_t i);
struct node *nodes_find(struct nodes *ns, const char *name);
/* Bumped when the table is rebuilt (reconfigure): node indices and queue
 * masks of an older snapshot no longer hold. */
uint64_t nodes_epoch(const struct nodes *ns);

/* Whether jobs may be placed on it now (connected, registered, not DOWN or
 * DRAIN, inventory valid). */
bool node_is_usable(const struct node *n);
/* Recompute base state IDLE/MIXED/ALLOCATED from allocations. */
void node_update_base(struct node *n);

/* Send a frame to a node's agent (body borrowed). -1 if not connected. */
int nodes_send(struct nodes *ns, struct node *n, uint16_t type,
	       const json_t *body);
/* Persist a node's changing state (base, flags, reason) into LMDB. */
int nodes_save(struct nodes *ns, struct node *n);

/* Allocation bookkeeping used by the jobs module. */
void node_alloc(struct node *n, uint32_t job, const uint32_t *cpu_ids,
		uint32_t ncpus, uint64_t mem_mb, const uint32_t *gpu_ids,
		uint32_t ngpus, bool exclusive);
void node_release(struct node *n, uint32_t job, const uint32_t *cpu_ids,
		  uint32_t ncpus, uint64_t mem_mb, bool exclusive);

/* JSON NODE record (msg.h). New reference. */
json_t *node_to_json(const struct node *n);

/* Log "node=NAME state=STATE reason=..." if its state string changed since
 * `before` (a node_state_format() result), and save it. */
void node_state_changed(struct nodes *ns, struct node *n, const char *before,
			int level);

/* Drain n with reason because something failed on it (its Prolog): it
 * gets no new jobs until an admin resumes it; passing health checks do not
 * lift this drain. An admin's drain already there is kept as it is. */
void nodes_drain(struct nodes *ns, struct node *n, const char *reason);

/* Frames arriving on a node's connection after registration. */
void nodes_on_frame(struct nodes *ns, struct node *n, uint16_t type,
		    json_t *body);
/* Its connection closed. */
void nodes_on_disconnect(struct nodes *ns, struct node *n);

#endif

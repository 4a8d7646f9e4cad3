/*
 * noded: the node agent's context object and the seams between its
 * subsystems. main.c creates them in dependency order (discovery, cgroups,
 * jobs, health, the stream listener, the controller connection) and destroys
 * them in reverse.
 */
#ifndef HC_NODED_H
#define HC_NODED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "conf.h"
#include "hc_err.h"

struct discover;
struct cgroup;
struct ctl_conn;
struct jobs;
struct stream;
struct health;
struct stepcred_key;
struct rsh;
struct job;
struct step_reg;
struct usercache;

struct noded_opts {
	const char *conf_path;
	const char *name;
	const char *topology;
	const char *control_addr;
	long control_port;	/* 0 = from hc.conf */
	const char *spool;
	const char *ready_file;
	const char *log_file;
	bool foreground;
	bool print_inventory;	/* --print-inventory: print, exit */
};

struct noded {
	struct noded_opts opts;
	struct event_base *base;
	struct hc_conf *conf;
	const struct conf_node *me;	/* borrowed from conf */
	char *spool;			/* this node's spool dir */
	char *control_addr;
	long control_port;
	time_t boot_time;
	struct discover *disc;
	struct cgroup *cg;
	struct usercache *users;	/* accounts jobs run as (usercache.h) */
	struct jobs *jobs;
	struct health *health;
	struct stream *stream;
	struct rsh *rsh;		/* hc-rsh's unix socket (rsh.c) */
	struct ctl_conn *ctl;
	struct stepcred_key *step_key;	/* from the REGISTER reply */
	struct step_reg *stepreg;	/* job steps here (step.h); lazily */
	EVP_PKEY *node_key;		/* NodeKey: TLS and the inventory's
				 * signature (owned reference) */
	struct event *ev_term, *ev_int, *ev_chld, *ev_hup;
	struct child_watch *children;	/* pids we wait for */
	struct rusage last_rusage;	/* of the child being reported to its
					   child_exit_fn (steps' usage) */
	bool registered_once;
};

/* Children: callers register a pid and are called once with its wait
 * status when SIGCHLD reaps it. */
typedef void (*child_exit_fn)(void *arg, pid_t pid, int status);
void noded_child_watch(struct noded *nd, pid_t pid, child_exit_fn fn,
		       void *arg);
void noded_child_forget(struct noded *nd, void *arg);

/* inventory.c: msg.h's INVENTORY from the discovery; and a comparison with
 * the node's hc.conf line (logged, not fatal). */
json_t *inventory_json(const struct discover *d);
void inventory_check(const struct discover *d, const struct conf_node *me);
/* Add "inventory", "inventory_blob" and "inventory_sig" (invsig.h) to
 * a NODE_REGISTER body: the canonical inventory signed with key (borrowed)
 * and bound to the connection's 32-byte binding. 0, or -1 with err. */
int inventory_sign_into(const struct discover *d, EVP_PKEY *key,
			const uint8_t binding[32], json_t *body,
			struct hc_err *err);
/* The node key: the very key the TLS connection presents (NodeKey, by
 * default SpoolDir/node.key), set by ctl_conn_create(); never made here.
 * Borrowed; NULL with err when none was loaded. */
EVP_PKEY *inventory_key(struct noded *nd, struct hc_err *err);

/* checkpoint.c: an AUDIT_CHECKPOINT from the controller (body borrowed):
 * verified and kept in SpoolDir/checkpoint.json unless behind it. */
void checkpoint_on_frame(struct noded *nd, json_t *cp);

/* ctl_conn.c: the controller connection. */
struct ctl_conn *ctl_conn_create(struct noded *nd, struct hc_err *err);
void ctl_conn_destroy(struct ctl_conn *c);
/* Send a message; while not registered it is queued when queue is true,
 * else dropped. Steals the reference to body. */
void ctl_conn_send(struct ctl_conn *c, uint16_t type, json_t *body,
		   bool queue);
bool ctl_conn_registered(const struct ctl_conn *c);

/* launch.c: the jobs this node runs. */
struct jobs *jobs_create(struct noded *nd, struct hc_err *err);
void jobs_destroy(struct jobs *js);
void jobs_launch(struct jobs *js, json_t *launch);
void jobs_kill(struct jobs *js, json_t *kill);
/* Running ids (for heartbeats) and the REGISTER "jobs" list: the jobs
 * that still run here and the ended ones not yet acknowledged. */
json_t *jobs_ids_json(const struct jobs *js);
json_t *jobs_register_json(struct jobs *js);
/* The registration carrying jobs_register_json() was accepted: the ended
 * jobs it carried are acknowledged. */
void jobs_register_done(struct jobs *js);
/* JOB_EVENT_ACK: the controller saved these jobs' ends. */
void jobs_event_ack(struct jobs *js, json_t *ack);
/* The job if it runs here, else NULL (borrowed: valid until the loop
 * turns). */
struct job *jobs_get_running(const struct jobs *js, uint32_t job_id);
/* Whether job_id runs here (for step credentials). */
bool jobs_running(const struct jobs *js, uint32_t job_id);
/* Step tasks of job_id ended here (step_task.c): a terminating job may
 * end now if nothing is left in it. */
void jobs_step_gone(struct jobs *js, uint32_t job_id);
/* An event for the controller: sent now, or queued until registered. */
void jobs_event_send(struct noded *nd, json_t *ev);

/* job_report.c: ended events kept until the controller acknowledges
 * them (see there). ev is borrowed by add (a reference is kept). */
struct job_reports;
struct job_reports *job_reports_create(struct noded *nd);
void job_reports_destroy(struct job_reports *r);
void job_reports_add(struct job_reports *r, uint32_t id, json_t *ev);
bool job_reports_has(const struct job_reports *r, uint32_t id);
void job_reports_forget(struct job_reports *r, uint32_t id, const char *why);
void job_reports_ack(struct job_reports *r, const json_t *ids);
/* Append the unacknowledged reports to a REGISTER "jobs" list and remember
 * them as carried by it; _done when its reply accepted them. */
void job_reports_register_json(struct job_reports *r, json_t *list);
void job_reports_register_done(struct job_reports *r);

/* health.c: HealthCheckProgram, and Prolog/Epilog runs. */
struct health *health_create(struct noded *nd, struct hc_err *err);
void health_destroy(struct health *h);
/* Registered: send the last health check result again. */
void health_registered(struct health *h);
typedef void (*script_done_fn)(void *arg, int status, const char *first_line);
/* Run program as root with env (NULL-terminated "K=V"), killing it after
 * timeout seconds; done is called once. Returns 0 or -1 (fork failed). */
int health_run_script(struct noded *nd, const char *program, char **env,
		      int timeout, script_done_fn done, void *arg);

/* stream.c: the listener on the node's Port. */
struct stream *stream_create(struct noded *nd, struct hc_err *err);
void stream_destroy(struct stream *s);

/* rsh.c: the unix socket hc-rsh talks to (rsh.h for the rest). */
struct rsh *rsh_create(struct noded *nd, struct hc_err *err);
void rsh_destroy(struct rsh *r);

#endif

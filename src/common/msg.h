/*
 * msg: the catalogue of message types, their size limits and body schemas.
 *
 * Bodies are JSON objects. hc_msg_decode() parses a body and checks it
 * against the type's schema (required fields and their JSON types; unknown
 * fields are ignored for forward compatibility). Every handler may then read
 * the fields it needs without re-checking their JSON type.
 *
 * Replies are HC_MSG_REPLY frames carrying the request's reqid and a body
 *	{"rc": 0 | enum hc_err_code, "error": "text" (when rc != 0), ...}
 * plus the fields listed for the request below.
 *
 * Commands -> hcctld (munge credential required on every frame):
 *  PING            {}                      -> {"version","cluster_name","now"}
 *  SUBMIT          {"job": JOBSPEC}        -> {"job_id"}
 *  JOB_QUERY       {"job_ids"?:[int], "users"?:[int uid], "states"?:[str],
 *                   "queues"?:[str], "names"?:[str], "detail"?:bool,
 *                   "tasks"?:str "7", "1-500" (of the one array named)}
 *                                          -> {"jobs":[JOB]} (an array's
 *                                              id brings its tasks)
 *                  with "format":"rows", "fields"?:[str] (names of the
 *                  short JOB record's fields; all when absent)
 *                                          -> {"fields":[str],
 *                                              "rows":[[value...]...]}
 *  JOB_SIGNAL      {"job_ids"?:[int], "users"?:[int], "states"?:[str],
 *                   "queues"?:[str], "names"?:[str], "signal"?:int
 *                   (absent/0 = cancel), "batch_only"?:bool,
 *                   "array_tasks"?:[str "123_7", "123_[1-500]"]}
 *                                          -> {"results":[{"job_id","rc","error"?}]}
 *  JOB_UPDATE      {"job_id":int, "action":"update"|"hold"|"release"|"requeue",
 *                   "set"?:{"TimeLimit":str,"Nice":str,...},
 *                   "tasks"?:str "7", "[1-500]" (of array job_id)}
 *                                          -> {} ({"tasks":n} with tasks)
 *  NODE_QUERY      {"nodes"?:str hostlist} -> {"nodes":[NODE]}
 *  NODE_UPDATE     {"nodes":str hostlist, "set":{"State":..,"Reason":..}} -> {}
 *  QUEUE_QUERY     {"queues"?:[str]}       -> {"queues":[QUEUE]}
 *  CONFIG_SHOW     {}                      -> {"config":[{"key","value"}]}
 *  RECONFIGURE     {}                      -> {}
 *  SHUTDOWN        {}                      -> {}
 *  BACKUP          {"path":str absolute}   -> {"path","bytes"}
 *  HISTORY_QUERY   {"job_ids"?,"users"?,"states"?,"start"?:int,"end"?:int}
 *                                          -> {"jobs":[JOB]}
 *  AUDIT_QUERY     {"job_id"?:int,"node"?:str,"since"?:int,"event"?:str,
 *                   "checkpoints"?:bool}   -> {"entries":[AUDIT],
 *                                              "checkpoints"?:[CHECKPOINT]}
 *  AUDIT_VERIFY    {"anchors"?:[CHECKPOINT]} -> {"ok":bool,"entries","first",
 *                   "last","checkpoints","anchors","bad_seq","problem"}
 *  AUDIT_TRACE     {"job_id":int}          -> {"job_id","state","nodes":
 *                   [{"name","compute_id","trusted":bool,"why"}],"entries"}
 *  ACCT_UPDATE     {"verb":"create"|"update"|"delete","object":"account"|
 *                   "user"|"qos","name":str,"set"?:{Key:str}} -> {}
 *  ACCT_QUERY      {"object":"account"|"user"|"qos","name"?:str}
 *                                          -> {"records":[{Key:value}]}
 *  REJECTED_QUERY  {}                      -> {"rejected":[{"time","peer",
 *                   "name","reason","detail"}],"counts":{reason:n},"total"}
 *  CLOUD_QUERY     {}                      -> {"pools":[{"name","nodes",
 *                   "cloud","powering_up","up","down","powering_down",
 *                   "max_nodes","cost_per_node_hour","node_hours","cost",
 *                   "burst_after","stopped","stopped_why","backoff_until",
 *                   "can_start","limit"}],"now"}
 *  FAIRSHARE_QUERY {}                      -> {"tree":[{"name","parent",
 *                   "depth","user":bool,"shares","raw_usage","norm_usage",
 *                   "effective_usage","level_fs" (-1: no usage),"factor",
 *                   "rank"}],"queues":[{"name","weight","raw_usage",
 *                   "factor"}],"half_life","now"}
 *  RESV_UPDATE     {"action":"create"|"update"|"delete","name":str,
 *                   "set"?:{"StartTime":str,...}} (admins)
 *                                          -> {"name","nodes"}
 *  RESV_QUERY      {"names"?:[str]}        -> {"reservations":[RESV]}
 *
 * hcnoded -> hcctld (one connection per node, dialled by the node; the first
 * frame is NODE_REGISTER, over mutual TLS, without credential: the node is
 * the one its verified certificate names; no frame on that connection
 * carries a credential):
 *  NODE_REGISTER   {"name","version","boot_time":int,"inventory":INVENTORY,
 *                   "jobs":[{"job_id","state":"running"|"ended", EVENT fields}],
 *                   "inventory_blob":str base64 (the canonical INVENTORY
 *                   bytes), "inventory_sig":str base64 (invsig.h)}
 *                  ("inventory" is the decoded blob; hcctld reads the blob)
 *                  -> {"heartbeat_interval":int,"step_pubkey":str base64,
 *                      "node_timeout":int}
 *  NODE_HEARTBEAT  {"jobs":[int],"load"?:real,"free_mem_mb"?:int} (no reply)
 *  JOB_EVENT       {"job_id","event":"started"|"ended","exit_status"?:int
 *                   (wait(2) status),"start"?:int,"end"?:int,
 *                   "max_rss_kb"?:int,"oom"?:bool,"timeout"?:bool,
 *                   "reason"?:str,"prolog_failed"?:bool (the node's Prolog
 *                   failed: the controller drains the node)}    (no reply)
 *  NODE_HEALTH     {"ok":bool,"message":str}                    (no reply)
 *
 * hcctld -> hcnoded (over the node's connection):
 *  JOB_LAUNCH      LAUNCH (below)                               (no reply;
 *                  the node answers with JOB_EVENT started/ended)
 *  JOB_KILL        {"job_id","signal"?:int (0/absent = terminate: SIGTERM,
 *                   KillWait, SIGKILL of the whole tree),"batch_only"?:bool,
 *                   "reason"?:str}
 *  AUDIT_CHECKPOINT CHECKPOINT (the audit head signed by the controller's
 *                  step key; also sent after each registration)  (no reply;
 *                  the node keeps the last one, refusing a lower seq)
 *  JOB_EVENT_ACK   {"job_ids":[int]}                            (no reply;
 *                  sent once the controller has saved the outcome of these
 *                  jobs' "ended" events: the node may forget them. Until
 *                  then it re-reports them in every NODE_REGISTER, whose
 *                  reply acknowledges the ended jobs it carried)
 *
 * Job steps (hcrun; steps.c in hcctld, step*.c in hcnoded):
 *  STEP_CREATE     {"job_id":int, "nodes"?:int, "ntasks"?:int,
 *                   "cpus_per_task"?:int, "gpus"?:int (per node),
 *                   "distribution"?:"block"|"cyclic", "command"?:str}
 *                  (munge: the job's user or an admin; the job RUNNING)
 *                                  -> {"step_id","ntasks","cred","expires",
 *                                      "nodes":[STEPNODE]}
 *                  rc HC_EBUSY: the job's resources are used by its other
 *                  steps now (hcrun waits and asks again); HC_EINVAL: the
 *                  job never has what the step asks for.
 *  STEP_END        {"job_id","step_id","exit_status"?:int (the highest wait
 *                   status of its tasks),"failed"?:str} -> {}
 *  STEP_QUERY      {"job_ids"?:[int],"all"?:bool (ended steps too)}
 *                                          -> {"steps":[STEP]}
 *  ALLOC_RELEASE   {"job_id","exit_status"?:int,"cancel"?:bool} -> {}
 *                  (ends an interactive allocation: JOBSPEC
 *                   "interactive":true, from hcalloc or hcrun)
 *  ALLOC_ALIVE     {"job_id"} -> {"inactive_limit":secs}: the owner of an
 *                  interactive allocation is still there (InactiveLimit)
 *  STEPNODE: name, addr, port, tasks ([int] global task ids here, in
 *   order), cpu_ids ([int], the step's CPUs of this node), gpu_ids ([int])
 *  STEP: job_id, step_id, uid, command, ntasks, nodelist, state
 *   ("RUNNING"|"COMPLETED"|"FAILED"|"CANCELLED"), start_time, end_time,
 *   exit_code ("code:signal"), max_rss_kb, cpu_secs
 *
 * commands -> hcnoded (a stream on the node's Port; stream.c, step.c):
 *  STEP_HELLO      {"cred":str (base64 step credential, stepcred.h),
 *                   "argv":[str], "env"?:["K=V"], "cwd"?:str,
 *                   "tasks":[int] (global ids this node runs),
 *                   "ntasks":int, "nnodes":int, "node_index":int,
 *                   "cpu_ids"?:[int], "gpu_ids"?:[int],
 *                   "cpu_bind"?:"cores"|"none", "stdin_tasks"?:[int]
 *                   (tasks that get stdin; default [0]; others /dev/null),
 *                   "pty"?:bool (the first task on a pseudo-terminal),
 *                   "rows"?,"cols"?, "output"?:str, "error"?:str, "input"?
 *                   (file patterns the agent opens as the user instead of
 *                   streaming: %t task, %n node index, %N node, %j, %s step),
 *                   "mpi"?:"none"|"pmi2"|"pmix" (default: the node's
 *                   MpiDefault), "pmi_mapping"?:str (PMI_process_mapping
 *                   of the whole step, pmi2.h), "mpi_nodes"?:[str] and
 *                   "mpi_tasks"?:[[int]] (the step's nodes and the tasks of
 *                   each, for a PMIx server)}
 *                  -> {"job_id","step_id"}; then, with reqid 0, no reply:
 *  STEP_IO         {"t":int task,"fd":0|1|2,"d"?:str base64,"eof"?:bool}
 *                  both ways (fd 0: hcrun -> agent; 1, 2: agent -> hcrun)
 *  STEP_SIGNAL     {"signal":int}  hcrun -> agent: to every task here
 *  STEP_WINCH      {"rows":int,"cols":int}  hcrun -> agent (--pty)
 *  STEP_EXIT       {"t":int,"status":int (wait status),"oom"?:bool,
 *                   "error"?:str (the task could not start)} agent -> hcrun
 *  STEP_DONE       {} agent -> hcrun: every task here has exited and its
 *                  output has been sent; the agent closes the stream.
 *  STEP_PMI        agent -> hcrun {"seq":int,"kvs"?:{str:str},"blob"?:str}
 *                  (an MPI step's fence seq on this node: its puts) or
 *                  {"abort":str} (a rank ended the step: hcrun says why and
 *                  kills the step); hcrun -> agents, once every node has
 *                  sent fence seq: {"seq":int,"kvs":{...} (the union),
 *                  "blobs":[str] (each node's blob, in node order)}
 *  A stream that closes before STEP_DONE kills the step's tasks there.
 *
 * Remote launch for hc-rsh (a process inside job J asks its local agent,
 * over the agent's unix socket, to run CMD on HOST; the agent checks the
 * caller by SO_PEERCRED and its cgroup, then):
 *  hcnoded -> hcctld  STEP_CRED_REQ {"req":int (the agent's),"job_id":int,
 *                   "host":str}  (no reply frame; answered by:)
 *  hcctld -> hcnoded  STEP_CRED_GRANT {"req":int,"rc":int,"error"?:str,
 *                   "cred"?:str,"step_id"?:int,"addr"?:str,"port"?:int}
 *                  granted only when J runs on the asking node and HOST is
 *                  in J's allocation; the credential names HOST alone and
 *                  a fresh step id. With it, the caller (hc-rsh, or the
 *                  agent for it) opens a stream to HOST's agent exactly as
 *                  hcrun does: STEP_HELLO with one task, then STEP_IO /
 *                  STEP_SIGNAL / STEP_EXIT / STEP_DONE (step.h:
 *                  step_cred_request() is the agent-side call).
 *  hcnoded -> hcctld  STEP_EVENT {"job_id","step_id","event":"ended",
 *                   "ntasks":int,"exit_status":int,"max_rss_kb"?:int,
 *                   "cpu_ms"?:int}  (no reply: this node's part of a step)
 *
 * JOBSPEC (what hcsub sends; all optional but script):
 *  name, script (str, the batch script text), cwd, stdout, stderr, stdin,
 *  env ([ "K=V" ]), rlimits ({"RLIMIT_NOFILE":int,...}), queue, account,
 *  nodes (int, min), nodes_max (int), ntasks, cpus_per_task, ntasks_per_node,
 *  mem_mb (per node), mem_per_cpu_mb, gres (str "gpu[:type]:N"),
 *  gpus_per_task, constraint (str), time_limit (int minutes; 0 = queue
 *  default), exclusive (bool), hold (bool), begin_time (int epoch), requeue
 *  (bool), open_mode ("append"|"truncate"), signal ({"num":int,"secs":int,
 *  "batch_only":bool}), export (str "ALL"|"NONE"|list), nice (int),
 *  comment, argv ([str], arguments to the script), dependency (str,
 *  "afterok:12,singleton": depend.h), kill_on_invalid_dep (bool; default
 *  KillOnInvalidDep), array (str, job array tasks "0-99%10": array.h),
 *  interactive (bool: an allocation for hcalloc/hcrun, "script" empty;
 *  it holds its nodes until ALLOC_RELEASE, cancel or its time limit)
 *
 * JOB (records in replies; times are epoch seconds, 0 = unset):
 *  job_id, name, user, uid, gid, group, queue, account, state (str as
 *  DESIGN.md: PENDING ...), reason (str, pending/end reason), submit_time,
 *  eligible_time, start_time, end_time, time_limit (minutes), nodes_req,
 *  ntasks, cpus_per_task, cpus (total allocated), mem_mb (per node), gres,
 *  nodelist (hostlist str), exit_code (str "code:signal"), priority, nice,
 *  cwd, stdout, stderr, restart_count, requeue (bool), exclusive (bool),
 *  constraint, max_rss_kb, gpus ({"node": [indices]}), command, comment,
 *  compute_ids (str "id,id": its nodes' compute ids at launch, in
 *  allocation order); arrays: array_job_id, array_task_id (a started
 *  task), array_tasks (str, an array record's pending tasks "7-99%10"),
 *  array_spec (str, --array as asked); planning (a pending job, from the
 *  last scheduling pass): plan_start (its planned start, 0 = none),
 *  plan_nodes (hostlist str of its planned nodes, "" = none)
 *
 * NODE: name, addr, port, state (str "IDLE+DRAIN"), reason, reason_time,
 *  cpus, cpus_alloc, real_memory_mb, mem_alloc_mb, gres (str), gres_alloc
 *  (str), gpus ([{"index","type","model","vendor","pci_id","busid",
 *  "memory_mb"}]), features ([str]), queues ([str]), boot_time,
 *  last_heartbeat, sockets, cores_per_socket, threads_per_core, cpu_model,
 *  arch, version, jobs ([int]), compute_id, previous_ids ([str]),
 *  cert_not_after (epoch, 0 = none), accelerators ([str]: UUID, serial or
 *  "pci:BUSID:VENDOR:DEVICE"), identity_pending (the id waiting for
 *  hcctl accept node, "" when none)
 *
 * QUEUE: name, default (bool), state ("UP"), nodes (hostlist), max_time,
 *  default_time (minutes; -1 = unlimited), total_nodes, node_states
 *  ({"IDLE":n,...}), cpus, cpus_alloc, gres
 *
 * INVENTORY (node registration): sockets, cores, threads, cpus,
 *  memory_mb, cpu_vendor, cpu_model, arch, gpus ([{"index","vendor","model",
 *  "type" (short lower-case model, e.g. "h100"),"pci_id" ("10de:2330"),
 *  "busid","memory_mb","uuid"?,"serial"?}]), topology_digest (sha256 hex
 *  of the XML), hcnoded_version
 *
 * RESV: name, start_time, end_time, duration (minutes), nodes (hostlist),
 *  node_cnt, gpus (Gpus= as asked), users, accounts, flags ("MAINT,DAILY"),
 *  state ("ACTIVE" while the window is open, else "INACTIVE")
 *
 * AUDIT (audit.h): seq, time, actor_uid, event, subject ("job:ID",
 *  "node:NAME", "controller"), details (object), prev, hash
 * CHECKPOINT: seq, hash, time, sig (base64 Ed25519 over the canonical JSON
 *  of {seq, hash, time})
 *
 * LAUNCH: JOBSPEC fields (script, env, cwd, stdout, stderr, stdin, rlimits,
 *  argv, open_mode, signal, export) plus job_id, name, uid, gid, user,
 *  queue, nodelist, nnodes, ntasks, cpus_on_node, cpu_ids ([int], the
 *  node's logical CPUs allocated), mem_mb, gpu_ids ([int]), time_limit
 *  (minutes, 0 = none), restart_count, submit_dir, batch (bool: this node
 *  runs the script), submit_time, node_tasks ([{"node","tasks"}]: the
 *  task slots of every node, in allocation order), interactive (bool: no
 *  script; the first node reports started and every node waits for
 *  JOB_KILL, whose "exit_status" the first node reports as the job's)
 */
#ifndef HC_MSG_H
#define HC_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hc_err.h"

enum hc_msg_type {
	HC_MSG_REPLY = 1,
	HC_MSG_PING = 2,

	HC_MSG_SUBMIT = 10,
	HC_MSG_JOB_QUERY = 11,
	HC_MSG_JOB_SIGNAL = 12,
	HC_MSG_JOB_UPDATE = 13,
	HC_MSG_NODE_QUERY = 14,
	HC_MSG_NODE_UPDATE = 15,
	HC_MSG_QUEUE_QUERY = 16,
	HC_MSG_CONFIG_SHOW = 17,
	HC_MSG_RECONFIGURE = 18,
	HC_MSG_SHUTDOWN = 19,
	HC_MSG_BACKUP = 20,
	HC_MSG_HISTORY_QUERY = 21,
	HC_MSG_STEP_CREATE = 22,
	HC_MSG_STEP_END = 23,
	HC_MSG_STEP_QUERY = 24,
	HC_MSG_ALLOC_RELEASE = 25,
	HC_MSG_ALLOC_ALIVE = 26,

	HC_MSG_AUDIT_QUERY = 30,
	HC_MSG_AUDIT_VERIFY = 31,
	HC_MSG_AUDIT_TRACE = 32,
	HC_MSG_REJECTED_QUERY = 33,
	HC_MSG_CLOUD_QUERY = 34,	/* hcctl show cloud */

	HC_MSG_ACCT_UPDATE = 50,
	HC_MSG_ACCT_QUERY = 51,

	HC_MSG_NODE_REGISTER = 40,
	HC_MSG_NODE_HEARTBEAT = 41,
	HC_MSG_JOB_EVENT = 42,
	HC_MSG_NODE_HEALTH = 43,
	HC_MSG_STEP_EVENT = 44,
	HC_MSG_STEP_CRED_REQ = 45,

	HC_MSG_FAIRSHARE_QUERY = 55,	/* hcctl show fairshare */

	HC_MSG_JOB_LAUNCH = 60,
	HC_MSG_JOB_KILL = 61,
	HC_MSG_JOB_EVENT_ACK = 62,
	HC_MSG_AUDIT_CHECKPOINT = 63,
	HC_MSG_STEP_CRED_GRANT = 64,

	HC_MSG_STEP_HELLO = 80,
	HC_MSG_STEP_IO = 81,
	HC_MSG_STEP_SIGNAL = 82,
	HC_MSG_STEP_EXIT = 83,
	HC_MSG_STEP_DONE = 84,
	HC_MSG_STEP_WINCH = 85,
	HC_MSG_STEP_PMI = 86,

	HC_MSG_RESV_UPDATE = 90,
	HC_MSG_RESV_QUERY = 91,
};

/* Maximum body sizes. Replies may be large (a listing of 100k jobs);
 * requests are small except SUBMIT, which carries the script. */
#define HC_MSG_BODY_SMALL (64u * 1024)
#define HC_MSG_BODY_SUBMIT (8u * 1024 * 1024)
#define HC_MSG_BODY_REPLY (256u * 1024 * 1024)

/* Name of a type ("SUBMIT"), or NULL if the type is unknown. Borrowed. */
const char *hc_msg_name(unsigned type);
/* Maximum body length for a type; 0 if the type is unknown. */
size_t hc_msg_max_body(unsigned type);
/* Every known type in order, for tests that walk them all; *n gets count. */
const uint16_t *hc_msg_types(size_t *n);

/* Parse body as JSON and check it against type's schema. Returns a new
 * reference (caller json_decref()s) or NULL with err (HC_EINVAL/HC_EPROTO)
 * naming the field that is missing or of the wrong type. A body of length 0
 * is treated as {} (and checked against the schema like any other). */
json_t *hc_msg_decode(unsigned type, const char *body, size_t len,
		      struct hc_err *err);

/* Serialise obj compactly into a new malloc'ed string; *lenp gets strlen. */
char *hc_msg_encode(const json_t *obj, size_t *lenp);

/* Make a reply body: {"rc": code, "error": text} for code != 0, or {"rc":0}.
 * Returns a new reference. */
json_t *hc_msg_reply_new(int code, const char *text);

#endif

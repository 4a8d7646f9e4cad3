/*
 * hc-pmix: the PMIx server of one `hcrun --mpi=pmix` step on one node, a
 * helper hcnoded forks for each such step (the OpenPMIx server library
 * allows one server per process), running as the job's user in the job's
 * cgroup, with its own PMIX_SERVER_TMPDIR in the job's TMPDIR.
 *
 * It talks to its agent over stdin/stdout, one JSON object a line:
 *  agent -> helper: {"nspace","hostname","tmpdir","size","node_index",
 *	"nodes":[name],
 *	"node_tasks":[[rank...] per node],"uid","gid"}  (first line)
 *  helper -> agent: {"env":[["K=V"...] per local rank, in order]}
 *  helper -> agent: {"seq":n,"blob":base64}  (a fence's local data; the
 *	agent sends it to hcrun as STEP_PMI, which joins the nodes) or
 *	{"abort":text} (a client called PMIx_Abort)
 *  agent -> helper: {"seq":n,"blobs":[base64 per node]}  (the fence is
 *	complete: the blobs, concatenated in node order, go to the clients)
 * The agent closing the pipe ends the helper. A one-node step completes
 * its fences here. Direct modex is not served: the fences carry every
 * node's data (Open MPI's default, full modex at MPI_Init).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <pmix_server.h>

#include "b64.h"

struct fence {
	pmix_modex_cbfunc_t cb;
	void *cbdata;
	unsigned seq;
	int waiting;
};

struct helper {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;		/* async registrations finished */
	pmix_status_t st;
	int multi;		/* several nodes: fences through the agent */
	struct fence fence;
	unsigned seq;
};

static struct helper H;	/* PMIx's callbacks carry no context of ours */

static void
out_line(json_t *o)
{
	char *t = json_dumps(o, JSON_COMPACT);

	pthread_mutex_lock(&H.lock);
	if (t) {
		fputs(t, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	pthread_mutex_unlock(&H.lock);
	free(t);
	json_decref(o);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("hc-pmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
op_done(pmix_status_t st, void *cbdata)
{
	(void)cbdata;
	pthread_mutex_lock(&H.lock);
	H.st = st;
	H.done = 1;
	pthread_cond_signal(&H.cond);
	pthread_mutex_unlock(&H.lock);
}

static pmix_status_t
wait_op(void)
{
	pthread_mutex_lock(&H.lock);
	while (!H.done)
		pthread_cond_wait(&H.cond, &H.lock);
	H.done = 0;
	pthread_mutex_unlock(&H.lock);
	return H.st;
}

/* --- the server module --- */

static pmix_status_t
on_finalized(const pmix_proc_t *p, void *obj, pmix_op_cbfunc_t cb, void *cbd)
{
	(void)p, (void)obj, (void)cb, (void)cbd;
	return PMIX_OPERATION_SUCCEEDED;
}

static pmix_status_t
on_connected(const pmix_proc_t *p, void *obj, pmix_op_cbfunc_t cb, void *cbd)
{
	(void)p, (void)obj, (void)cb, (void)cbd;
	return PMIX_OPERATION_SUCCEEDED;
}

static pmix_status_t
on_abort(const pmix_proc_t *p, void *obj, int status, const char msg[],
	 pmix_proc_t procs[], size_t nprocs, pmix_op_cbfunc_t cb, void *cbd)
{
	char why[512];

	(void)obj, (void)procs, (void)nprocs, (void)cb, (void)cbd;
	snprintf(why, sizeof(why), "rank %u called PMIx_Abort (status %d): %s",
		 p->rank, status, msg ? msg : "");
	out_line(json_pack("{s:s}", "abort", why));
	return PMIX_OPERATION_SUCCEEDED;
}

static void
release_blob(void *cbdata)
{
	free(cbdata);
}

static pmix_status_t
on_fence(const pmix_proc_t procs[], size_t nprocs, const pmix_info_t info[],
	 size_t ninfo, char *data, size_t ndata, pmix_modex_cbfunc_t cb,
	 void *cbd)
{
	char *b64;

	(void)procs, (void)nprocs, (void)info, (void)ninfo;
	if (!H.multi) {
		char *copy = malloc(ndata ? ndata : 1);
		if (ndata)
			memcpy(copy, data, ndata);
		cb(PMIX_SUCCESS, copy, ndata, cbd, release_blob, copy);
		return PMIX_SUCCESS;
	}
	pthread_mutex_lock(&H.lock);
	H.fence.cb = cb;
	H.fence.cbdata = cbd;
	H.fence.seq = H.seq++;
	H.fence.waiting = 1;
	pthread_mutex_unlock(&H.lock);
	b64 = b64_encode((const uint8_t *)data, ndata);
	out_line(json_pack("{s:I,s:s}", "seq", (json_int_t)H.fence.seq,
			   "blob", b64 ? b64 : ""));
	free(b64);
	return PMIX_SUCCESS;
}

static pmix_status_t
on_dmodex(const pmix_proc_t *p, const pmix_info_t info[], size_t ninfo,
	  pmix_modex_cbfunc_t cb, void *cbd)
{
	(void)p, (void)info, (void)ninfo, (void)cb, (void)cbd;
	return PMIX_ERR_NOT_SUPPORTED;
}

/* The agent: a fence is complete. */
static void
fence_done(json_t *msg)
{
	json_t *blobs = json_object_get(msg, "blobs"), *b;
	size_t i, len = 0, cap = 0;
	char *all = NULL;
	struct fence f;

	pthread_mutex_lock(&H.lock);
	f = H.fence;
	H.fence.waiting = 0;
	pthread_mutex_unlock(&H.lock);
	if (!f.waiting || (unsigned)json_integer_value(json_object_get(msg,
				"seq")) != f.seq)
		return;
	json_array_foreach(blobs, i, b) {
		size_t n = 0;
		uint8_t *d = b64_decode(json_string_value(b), &n);
		if (!d)
			continue;
		if (len + n > cap)
			all = realloc(all, cap = (len + n) * 2 + 64);
		memcpy(all + len, d, n);
		len += n;
		free(d);
	}
	f.cb(PMIX_SUCCESS, all, len, f.cbdata, release_blob, all);
}

/* --- the job map --- */

/* "a,b,c" of the node names, and "0,1;2,3" of their ranks. */
static void
map_strings(json_t *nodes, json_t *tasks, char **names, char **ppn)
{
	size_t i, k, nl = 1, pl = 1;
	json_t *v, *r;

	json_array_foreach(nodes, i, v)
		nl += strlen(json_string_value(v)) + 1;
	json_array_foreach(tasks, i, v)
		pl += json_array_size(v) * 12 + 1;
	*names = calloc(1, nl);
	*ppn = calloc(1, pl);
	json_array_foreach(nodes, i, v) {
		if (i)
			strcat(*names, ",");
		strcat(*names, json_string_value(v));
	}
	json_array_foreach(tasks, i, v) {
		if (i)
			strcat(*ppn, ";");
		json_array_foreach(v, k, r)
			sprintf(*ppn + strlen(*ppn), "%s%lld", k ? "," : "",
				(long long)json_integer_value(r));
	}
}

/* Per-rank data every rank may ask about. */
static void
proc_data(pmix_info_t *slot, pmix_rank_t rank, uint16_t local,
	  uint16_t noderank, uint32_t nodeid, const char *host)
{
	pmix_data_array_t *da;
	pmix_info_t *pi;
	uint32_t appnum = 0;

	PMIX_DATA_ARRAY_CREATE(da, 6, PMIX_INFO);
	pi = da->array;
	PMIX_INFO_LOAD(&pi[0], PMIX_RANK, &rank, PMIX_PROC_RANK);
	PMIX_INFO_LOAD(&pi[1], PMIX_LOCAL_RANK, &local, PMIX_UINT16);
	PMIX_INFO_LOAD(&pi[2], PMIX_NODE_RANK, &noderank, PMIX_UINT16);
	PMIX_INFO_LOAD(&pi[3], PMIX_NODEID, &nodeid, PMIX_UINT32);
	PMIX_INFO_LOAD(&pi[4], PMIX_HOSTNAME, host, PMIX_STRING);
	PMIX_INFO_LOAD(&pi[5], PMIX_APPNUM, &appnum, PMIX_UINT32);
	PMIX_INFO_LOAD(slot, PMIX_PROC_DATA, da, PMIX_DATA_ARRAY);
	PMIX_DATA_ARRAY_FREE(da);
}

static void
register_nspace(json_t *cfg, const char *ns, uint32_t size)
{
	json_t *nodes = json_object_get(cfg, "nodes");
	json_t *tasks = json_object_get(cfg, "node_tasks"), *mine, *v, *r;
	size_t me = (size_t)json_integer_value(json_object_get(cfg,
							       "node_index"));
	char *names, *ppn, *nregex = NULL, *pregex = NULL, peers[8192] = "";
	uint32_t nlocal, appnum = 0;
	pmix_rank_t ldr;
	pmix_info_t *info;
	size_t ninfo, i, k, n = 0;

	mine = json_array_get(tasks, me);
	nlocal = (uint32_t)json_array_size(mine);
	map_strings(nodes, tasks, &names, &ppn);
	if (PMIx_generate_regex(names, &nregex) != PMIX_SUCCESS ||
	    PMIx_generate_ppn(ppn, &pregex) != PMIX_SUCCESS)
		die("cannot make the job map of %s / %s", names, ppn);
	json_array_foreach(mine, k, r) {
		size_t used = strlen(peers);
		snprintf(peers + used, sizeof(peers) - used, "%s%lld",
			 k ? "," : "", (long long)json_integer_value(r));
	}
	ldr = (pmix_rank_t)json_integer_value(json_array_get(mine, 0));
	ninfo = 10 + size;
	PMIX_INFO_CREATE(info, ninfo);
	PMIX_INFO_LOAD(&info[n], PMIX_UNIV_SIZE, &size, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_JOB_SIZE, &size, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_MAX_PROCS, &size, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_APPNUM, &appnum, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_LOCAL_SIZE, &nlocal, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_NODE_SIZE, &nlocal, PMIX_UINT32), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_LOCAL_PEERS, peers, PMIX_STRING), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_LOCALLDR, &ldr, PMIX_PROC_RANK), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_NODE_MAP, nregex, PMIX_REGEX), n++;
	PMIX_INFO_LOAD(&info[n], PMIX_PROC_MAP, pregex, PMIX_REGEX), n++;
	json_array_foreach(tasks, i, v) {
		const char *host = json_string_value(json_array_get(nodes, i));
		json_array_foreach(v, k, r)
			if (n < ninfo)	/* no more ranks than the size */
				proc_data(&info[n++],
					  (pmix_rank_t)json_integer_value(r),
					  (uint16_t)k, (uint16_t)k, (uint32_t)i,
					  host);
	}
	if (PMIx_server_register_nspace(ns, (int)nlocal, info, n, op_done,
					NULL) != PMIX_SUCCESS ||
	    wait_op() != PMIX_SUCCESS)
		die("cannot register namespace %s", ns);
	PMIX_INFO_FREE(info, ninfo);
	free(names), free(ppn), free(nregex), free(pregex);
}

/* Register our ranks and answer the agent with their environments. */
static void
register_clients(json_t *cfg, const char *ns)
{
	json_t *mine = json_array_get(json_object_get(cfg, "node_tasks"),
				      (size_t)json_integer_value(
				      json_object_get(cfg, "node_index")));
	uid_t uid = (uid_t)json_integer_value(json_object_get(cfg, "uid"));
	gid_t gid = (gid_t)json_integer_value(json_object_get(cfg, "gid"));
	json_t *envs = json_array(), *r;
	size_t k;

	json_array_foreach(mine, k, r) {
		pmix_proc_t p;
		char **env = NULL;
		json_t *e = json_array();

		PMIX_PROC_LOAD(&p, ns, (pmix_rank_t)json_integer_value(r));
		if (PMIx_server_register_client(&p, uid, gid, NULL, op_done,
						NULL) != PMIX_SUCCESS ||
		    wait_op() != PMIX_SUCCESS ||
		    PMIx_server_setup_fork(&p, &env) != PMIX_SUCCESS)
			die("cannot register rank %u", p.rank);
		for (size_t i = 0; env && env[i]; i++) {
			json_array_append_new(e, json_string(env[i]));
			free(env[i]);
		}
		free(env);
		json_array_append_new(envs, e);
	}
	out_line(json_pack("{s:o}", "env", envs));
}

int
main(void)
{
	pmix_server_module_t mod = {
		.client_connected = on_connected,
		.client_finalized = on_finalized,
		.abort = on_abort,
		.fence_nb = on_fence,
		.direct_modex = on_dmodex,
	};
	char *line = NULL, ns[PMIX_MAX_NSLEN + 1];
	size_t cap = 0;
	json_t *cfg;
	pmix_info_t *info;
	const char *tmp, *host;

	pthread_mutex_init(&H.lock, NULL);
	pthread_cond_init(&H.cond, NULL);
	if (getline(&line, &cap, stdin) <= 0 ||
	    !(cfg = json_loads(line, 0, NULL)))
		die("no step description on stdin");
	snprintf(ns, sizeof(ns), "%s", json_string_value(json_object_get(cfg,
		 "nspace")));
	tmp = json_string_value(json_object_get(cfg, "tmpdir"));
	if (!tmp || !*ns)
		die("the step description lacks nspace or tmpdir");
	H.multi = json_array_size(json_object_get(cfg, "nodes")) > 1;
	host = json_string_value(json_object_get(cfg, "hostname"));
	PMIX_INFO_CREATE(info, 3);
	PMIX_INFO_LOAD(&info[0], PMIX_SERVER_TMPDIR, tmp, PMIX_STRING);
	PMIX_INFO_LOAD(&info[1], PMIX_SYSTEM_TMPDIR, tmp, PMIX_STRING);
	PMIX_INFO_LOAD(&info[2], PMIX_HOSTNAME, host ? host : "", PMIX_STRING);
	if (PMIx_server_init(&mod, info, host ? 3 : 2) != PMIX_SUCCESS)
		die("PMIx_server_init failed (tmpdir %s)", tmp);
	PMIX_INFO_FREE(info, 3);
	register_nspace(cfg, ns, (uint32_t)json_integer_value(
			json_object_get(cfg, "size")));
	register_clients(cfg, ns);
	while (getline(&line, &cap, stdin) > 0) {
		json_t *m = json_loads(line, 0, NULL);
		if (m && json_object_get(m, "blobs"))
			fence_done(m);
		json_decref(m);
	}
	json_decref(cfg);
	free(line);
	PMIx_server_finalize();
	return 0;
}

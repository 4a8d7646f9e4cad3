/*
 * hc_stephello: present a step credential made here to a node agent, as a
 * forger or a replayer would, and print the agent's answer ("ok" or its
 * refusal). t0730 uses it: with a key of its own (forged), or with the
 * controller's key file for credentials that are expired, for a job that
 * is not running there, for another user, or used twice.
 *
 *	hc_stephello KEYFILE ADDR PORT JOB STEP UID NODES EXPIRES_IN [N
 *		     [TASKS_MAX TASKS]]
 *
 * EXPIRES_IN is seconds from now (negative: already expired); N hellos
 * (default 1) are sent with the same credential, each on a new stream,
 * asking the agent to run `true` as TASKS tasks (default 1), with a
 * credential that allows TASKS_MAX per node (default 0: no bound).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "client.h"
#include "msg.h"
#include "stepcred.h"

int
main(int argc, char **argv)
{
	struct hc_err err = { 0 };
	struct stepcred sc = { 0 };
	struct stepcred_key *key;
	char *cred;
	int n = argc > 9 ? atoi(argv[9]) : 1;
	int ntasks = argc > 11 ? atoi(argv[11]) : 1;

	if (argc < 9) {
		fprintf(stderr, "usage: hc_stephello KEYFILE ADDR PORT JOB "
			"STEP UID NODES EXPIRES_IN [N]\n");
		return 2;
	}
	if (!(key = stepcred_key_load_or_create(argv[1], &err))) {
		fprintf(stderr, "%s\n", err.text);
		return 2;
	}
	sc.job_id = (uint32_t)atol(argv[4]);
	sc.step_id = (uint32_t)atol(argv[5]);
	sc.uid = (uid_t)atol(argv[6]);
	sc.gid = sc.uid;
	snprintf(sc.nodes, sizeof(sc.nodes), "%s", argv[7]);
	sc.expires = time(NULL) + atol(argv[8]);
	sc.tasks_max = argc > 10 ? (uint32_t)atol(argv[10]) : 0;
	cred = stepcred_sign(key, &sc, &err);
	for (int i = 0; i < n && cred; i++) {
		struct hc_client *c = hc_client_connect(argv[2], atoi(argv[3]),
							NULL, 10, &err);
		json_t *tasks = json_array();
		json_t *req;

		for (int t = 0; t < ntasks; t++)
			json_array_append_new(tasks, json_integer(t));
		req = json_pack("{s:s,s:[s],s:o,s:i,s:i,s:i}", "cred", cred,
				"argv", "true", "tasks", tasks, "ntasks",
				ntasks, "nnodes", 1, "node_index", 0);
		json_t *rep = c ? hc_client_call_noauth(c, HC_MSG_STEP_HELLO,
							req, &err) : NULL;

		printf("%s\n", rep ? "ok" : err.text);
		json_decref(rep);
		json_decref(req);
		hc_client_destroy(c);
	}
	free(cred);
	stepcred_key_destroy(key);
	return 0;
}

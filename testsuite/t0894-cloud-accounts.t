#!/bin/bash
# A pool's Accounts= keep its nodes for those accounts' jobs (hc-cloud(7)),
# once up as when starting them: with Accounts=physics, a job of hep (a
# sub-account of physics) starts a node; while that node is up and idle, a
# job of chem that only the pool's template can run is not placed on it,
# starts no node and waits naming the pool; another job of hep runs on it.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 7

cluster_start --nodes 1 --conf-extra "$(cloud_pool burst c[1-2] \
	Accounts=physics SuspendTime=600 BurstAfter=0)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"
hcctl create account physics >/dev/null &&
	hcctl create account hep Parent=physics >/dev/null &&
	hcctl create account chem >/dev/null &&
	hcctl create user "$HC_USER1" Account=hep >/dev/null &&
	hcctl create user "$HC_USER2" Account=chem >/dev/null ||
	bail_out "cannot create the accounts"

first=$(submit_as "$HC_USER1" -A hep --constraint=cloud -c 8 -t 2 \
	-o /dev/null --wrap "true")
ok "a job of a sub-account of physics starts a node and runs" \
	wait_job_state "$first" COMPLETED 30
is "... on c1" "$(job_node "$first")" c1

other=$(submit_as "$HC_USER2" -A chem --constraint=cloud -c 8 -t 2 \
	-o /dev/null --wrap "true")
ok "a job of chem waits, naming the pool" wait_for 10 eval \
	'[ "$(job_field "$other" reason)" = CloudPoolAccounts:burst ]'
sleep 2	# passes' worth: it must not take the idle c1
is "... not placed on the idle node, no node started for it" \
	"$(job_state "$other") $(node_state c1) $(node_state c2)" \
	"PENDING IDLE CLOUD"

again=$(submit_as "$HC_USER1" -A hep --constraint=cloud -c 8 -t 2 \
	-o /dev/null --wrap "true")
ok "another job of hep runs" wait_job_state "$again" COMPLETED 20
is "... on the node up" "$(job_node "$again") $(node_state c2)" "c1 CLOUD"
is "the job of chem still waits" "$(job_state "$other")" PENDING
hccancel "$other"

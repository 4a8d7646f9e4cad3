#!/bin/bash
# Jobs fill a booting node before a new one starts: a one-CPU job that
# arrives while a cloud node boots for another waits for that node
# (NodeBooting) instead of starting a second one, is listed among the
# pool's jobs waiting (hcctl show cloud), and both run on it.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 6

HC_CLOUD_BOOT_DELAY=3
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-2] BurstAfter=0)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"

a=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "sleep 2")
ok "a job only the pool can run starts c1" \
	wait_node_state c1 "CLOUD\+POWERING_UP" 10
b=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "sleep 2")
ok "a second job arriving while c1 boots waits for it" wait_for 5 \
	eval '[ "$(job_field "$b" reason)" = NodeBooting ]'
sleep 1	# a few passes: nothing more may start
is "... and starts no other node" "$(node_state c2)" CLOUD
is "... listed with the first as waiting for the pool" "$(hcctl show cloud \
	--json | jq -c '.pools[] | select(.name == "burst") | .jobs_waiting')" \
	"[$a,$b]"
ok "both run, and complete" eval 'wait_job_state "$a" COMPLETED 30 &&
	wait_job_state "$b" COMPLETED 30'
is "... on c1" "$(job_node "$a") $(job_node "$b")" "c1 c1"

#!/bin/bash
# Arrays and the burst decision: every pending task of an array is offered,
# not only its first, so an array whose tasks each need a cloud node starts
# as many nodes at once as it has tasks (within the pool); tasks that share
# a node start one node, and tasks already waiting for a booting node start
# no other. A job's record names the pool and cloud nodes that ran it, with
# its node-hours and cost (hcctl show job, hcacct, after a restart), and
# hcctl show cloud gives an account's.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 13

cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-4] SuspendTime=3 CostPerNodeHour=3600)"
HC_CLOUD_BOOT_DELAY=2 cloud_ready c1 c2 c3 c4 ||
	bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log

tasks_of() {
	hcacct -a --json 2>/dev/null | jq -r --argjson a "$1" \
		'(if type == "array" then . else .jobs end)[] |
		 select(.array_job_id == $a and .array_task_id != null) |
		 "\(.array_task_id) \(.end_time) \(.nodelist)"'
}
all_done() { [ "$(tasks_of "$1" | awk '$2 > 0' | wc -l)" -eq "$2" ]; }
started() { grep -c "action=resume pool=burst nodes=.* started$" "$LOG"; }
booting_or_up() {
	local n c=0
	for n in c1 c2 c3 c4; do
		[ "$(node_state $n)" != CLOUD ] && c=$((c + 1))
	done
	[ "$c" -eq "$1" ]
}

# Three tasks, each a whole cloud node: three nodes boot together.
id=$(submit_as "$HC_USER1" --array=1-3 -c 16 --constraint=cloud -t 1 \
	-o /dev/null --wrap "sleep 2")
ok "an array of 3 whole-node tasks boots 3 nodes at once" \
	wait_for 2 booting_or_up 3
ok "... and every task runs" wait_for 30 all_done "$id" 3
is "... on 3 different cloud nodes" \
	"$(tasks_of "$id" | awk '{print $3}' | sort -u | grep -c '^c')" 3
is "... with no fourth node" "$(node_state c4)" CLOUD
for n in c1 c2 c3; do wait_node_state $n CLOUD 20; done

# Two tasks that share one node: one node only.
before=$(started)
id=$(submit_as "$HC_USER1" --array=1-2 -c 8 --constraint=cloud -t 1 \
	-o /dev/null --wrap "sleep 1")
ok "two half-node tasks both run" wait_for 30 all_done "$id" 2
is "... on the one node started for them" "$(( $(started) - before ))" 1

# Per-job cloud accounting: a 1-node cloud job's pool, node, node-hours
# (its run time) and cost (CostPerNodeHour=3600: 1 per second).
acct() { hcacct -a --json -j "$1" 2>/dev/null | jq -r \
	"(if type == \"array\" then . else .jobs end)[0] | $2"; }
hcctl create account lab GrpCloudCost=100000 >/dev/null
hcctl create user "$HC_USER2" Account=lab >/dev/null
id=$(submit_as "$HC_USER2" -A lab -c 16 --constraint=cloud -t 1 \
	-o /dev/null --wrap "sleep 2")
wait_job_state "$id" COMPLETED 30
run=$(acct "$id" '.end_time - .start_time')
is "hcacct names the job's pool and cloud node" \
	"$(acct "$id" '"\(.cloud_pool) \(.cloud_nodes) \(.nodelist)"')" \
	"burst $(acct "$id" .nodelist) $(acct "$id" .nodelist)"
is "... its cost is its node-hours at CostPerNodeHour" \
	"$(acct "$id" '"\(.cloud_node_hours * 3600 | round) \(.cloud_cost |
	round)"')" "$run $run"
like "hcacct prints them as columns" \
	"$(hcacct -a -n -j "$id" -o cloudpool,cloudnodehours,cloudcost)" \
	"burst +0\.00[0-9] +$run\.00"
like "hcctl show job prints them" "$(hcctl show job "$id")" \
	"CloudPool=burst CloudNodes=c[0-9] CloudNodeHours=0\.00[0-9] CloudCost=$run\.00"
ctld_restart
is "... and they survive a restart" "$(acct "$id" .cloud_pool)" burst
q='.accounts[] | select(.name == "lab")'
q="$q"' | [.node_hours * 3600, .cost | round] + [.grp_cloud_cost] | @tsv'
is "hcctl show cloud gives the account's node-hours and cost" \
	"$(hcctl show cloud --json | jq -r "$q")" "$(printf '%s\t%s\t100000' \
	"$run" "$run")"
like "... and prints it" "$(hcctl show cloud)" \
	"lab +0\.00 +$run\.00 +- +100000"

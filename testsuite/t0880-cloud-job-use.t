#!/bin/bash
# A job's record holds its cloud use over all its runs and every pool: a
# job on the nodes of two pools names both (CloudPool=a,b) with the use of
# each, and a requeued job's record adds every run's nodes, node-hours and
# cost, as its account was charged; all of it survives a restart.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 15

# CostPerNodeHour 3600 and 7200: 1 and 2 per second.
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool a a1 CostPerNodeHour=3600 SuspendTime=600)" \
	--conf-extra "$(cloud_pool b b1 CostPerNodeHour=7200 SuspendTime=600)"
cloud_ready a1 b1 || bail_out "cannot set the provider up"
hcctl update node a1,b1 State=POWER_UP >/dev/null ||
	bail_out "cannot power the cloud nodes up"
wait_node_state a1 IDLE 30 && wait_node_state b1 IDLE 30 ||
	bail_out "the cloud nodes did not come up"

acct() { hcacct -a --json -j "$1" 2>/dev/null | jq -r \
	"(if type == \"array\" then . else .jobs end)[0] | $2"; }
use='[.cloud_use[] | "\(.pool) \(.nodes) \(.node_hours * 3600 | round)'
use="$use"' \(.cost | round)"] | join(",")'

# One job on both pools' nodes.
id=$(submit_as "$HC_USER1" -N 2 --exclusive --constraint=cloud -t 1 \
	-o /dev/null --wrap "sleep 2")
ok "a job on the nodes of two pools runs" wait_job_state "$id" COMPLETED 30
run=$(acct "$id" '.end_time - .start_time')
is "its record names both pools and their nodes" \
	"$(acct "$id" '"\(.cloud_pool) \(.cloud_nodes)"')" "a,b a1,b1"
is "... with the node-hours and cost of each" "$(acct "$id" "$use")" \
	"a a1 $run $run,b b1 $run $((2 * run))"
is "... and their sums" \
	"$(acct "$id" '[.cloud_node_hours * 3600, .cloud_cost | round] |
	@tsv')" "$(printf '%s\t%s' $((2 * run)) $((3 * run)))"
show=$(hcctl show job "$id")
like "hcctl show job prints the pools" "$show" "CloudPool=a,b \
CloudNodes=a1,b1 CloudNodeHours=0\.00[0-9] CloudCost=$((3 * run))\.00"
like "... and the use of each: a" "$show" \
	"^   CloudUse=a Nodes=a1 NodeHours=0\.00[0-9] Cost=$run\.00$"
like "... and b" "$show" \
	"^   CloudUse=b Nodes=b1 NodeHours=0\.00[0-9] Cost=$((2 * run))\.00$"
like "hcacct prints the use per pool" \
	"$(hcacct -a -n -j "$id" -o cloudpool,clouduse%40)" \
	"a,b +a:0\.00[0-9]:$run\.00,b:0\.00[0-9]:$((2 * run))\.00"

# A job requeued from one pool's node runs again on the other's.
hcctl create account lab GrpCloudCost=1000000 >/dev/null
hcctl create user "$HC_USER2" Account=lab >/dev/null
script='if [ "${HC_RESTART_COUNT:-0}" = 0 ]; then sleep 300; fi; sleep 2'
id=$(submit_as "$HC_USER2" -A lab --requeue -c 16 --constraint=cloud -t 2 \
	-o /dev/null --wrap "$script")
wait_job_state "$id" RUNNING 30
first=$(job_node "$id")
sleep 2
hcctl update node "$first" State=DRAIN Reason=test >/dev/null
hcctl requeue job "$id" >/dev/null
ok "a requeued cloud job runs again and completes" \
	wait_job_state "$id" COMPLETED 30
second=$(job_node "$id")
ok "... on the other pool's node" test "$second" != "$first"
pools="${first%1},${second%1}"
is "its record names both runs' pools and nodes" \
	"$(acct "$id" '"\(.cloud_pool) \(.cloud_nodes)"')" "$pools a1,b1"
last=$(acct "$id" '.end_time - .start_time')
ok "... and counts the node-hours of both runs" test \
	"$(acct "$id" '.cloud_node_hours * 3600 | round')" -ge $((last + 2))
q='.accounts[] | select(.name == "lab") | .cost * 100 | round'
is "... at the cost its account was charged" \
	"$(acct "$id" '.cloud_cost * 100 | round')" \
	"$(hcctl show cloud --json | jq -r "$q")"
before=$(acct "$id" "$use")
ctld_restart
is "the per-pool use survives a restart" "$(acct "$id" "$use")" "$before"
is "... and so do the pools" "$(acct "$id" .cloud_pool)" "$pools"

#!/bin/bash
# A cloud budget holds running jobs ahead (hc-cloud(7)): with
# GrpCloudCost=3 at 1 a node-minute, a job of a 3-minute limit may start
# a node (its worst case, a whole node, is 3) and, on half of it, holds
# 1.5 while it runs, so a second one needing 2 is refused meanwhile: it is not placed on the half node left idle beside it, nor
# does a node start for it, and its reason names the budget; the hold is
# recomputed after a controller restart. Once the first ends, its hold
# goes, it is charged its half of the node for the time it ran, and the
# second runs. The jobs' records say what the account was charged.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 12

# CostPerNodeHour=60: 1 a node-minute.
cluster_start --nodes 1 --conf-extra "$(cloud_pool burst c[1-2] \
	CostPerNodeHour=60 SuspendTime=600 BurstAfter=0)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"
hcctl create account lab GrpCloudCost=3 >/dev/null &&
	hcctl create user "$HC_USER2" Account=lab >/dev/null ||
	bail_out "cannot create the account"

first=$(submit_as "$HC_USER2" -A lab --constraint=cloud -c 8 -t 3 \
	-o /dev/null --wrap "sleep 12")
ok "the first job (holds 1.5 of 3) starts a node and runs" \
	wait_job_state "$first" RUNNING 30
is "... on c1" "$(job_node "$first")" c1

second=$(submit_as "$HC_USER2" -A lab --constraint=cloud -c 8 -t 2 \
	-o /dev/null --wrap "true")
ok "a second job (worst case 2, 1.5 left) waits, naming the budget" \
	wait_for 10 eval \
	'[ "$(job_field "$second" reason)" = GrpCloudCost:lab ]'
sleep 2	# passes' worth: it must not take c1's idle half
is "... not placed beside the first, no node started for it" \
	"$(job_state "$second") $(node_state c2)" "PENDING CLOUD"
held='.accounts[] | select(.name == "lab") | "\(.held_node_hours * 60)'
held="$held"' \(.held_cost)"'
is "hcctl show cloud says what the running job holds" \
	"$(hcctl show cloud --json | jq -r "$held")" "1.5 1.5"

ctld_restart
sleep 2
is "after a restart the running job holds the budget again" \
	"$(job_state "$second") $(job_field "$second" reason)" \
	"PENDING GrpCloudCost:lab"

ok "once the first ends, its hold goes and the second runs" \
	wait_job_state "$second" COMPLETED 40
is "... on the node already up" "$(job_node "$second") $(node_state c2)" \
	"c1 CLOUD"

acct() { hcacct -a --json -j "$1" 2>/dev/null | jq -r \
	"(if type == \"array\" then . else .jobs end)[0] | $2"; }
run=$(acct "$first" '.end_time - .start_time')
is "a job on half a node is charged half of it" \
	"$(acct "$first" '.cloud_node_hours * 7200 | round')" "$run"
total=$(( $(acct "$first" '.cloud_cost * 6000 | round') + \
	$(acct "$second" '.cloud_cost * 6000 | round') ))
lab=$(hcctl show cloud --json |
	jq -r '.accounts[] | select(.name == "lab") | .cost * 6000 | round')
ok "the account is charged what the jobs' records say ($lab, $total)" \
	test "$((lab - total))" -ge -1 -a "$((lab - total))" -le 1
ok "... within its budget" test "$lab" -le 18000
like "... and nothing is held once the jobs ended" "$(hcctl show cloud)" \
	"^lab +0\.00 +0\.[0-9]+ +- +3 +0\.00 +0\.00$"

#!/bin/bash
# Backfill in the real cluster: a big job waiting for a running one gets a
# planned start (hcqueue --start, --json, hcctl show job); a short small
# job that ends before that start runs now; one that would end after it
# waits; and the big job starts no later than the plan said.
. "$(dirname "$0")/lib/cluster.sh"
plan 14

# planned ID: whether the job has a planned start.
planned() {
	[ "$(job_field "$1" plan_start)" -gt 0 ]
}

cluster_start --nodes 2

# A held job has no plan: hcqueue --start lists it after the planned ones.
held=$(submit_as "$HC_USER1" --hold --wrap true)
# r holds all of n1 for up to 2 minutes (it ends after a few seconds).
r=$(submit_as "$HC_USER1" -n 16 -t 2 --wrap "sleep 12")
ok "the running job starts" wait_job_state "$r" RUNNING 20
# big needs both nodes whole: its plan is r's expected end.
big=$(submit_as "$HC_USER1" -N 2 -n 32 -t 1 --wrap "sleep 2")
wait_for 10 planned "$big"
plan_start=$(job_field "$big" plan_start)
r_start=$(job_field "$r" start_time)
diag "r started at $r_start, big planned at $plan_start"
ok "the big job has a planned start at the running job's expected end" \
	test "$plan_start" -ge $((r_start + 115)) -a \
	"$plan_start" -le $((r_start + 125))
is "its planned nodes are both nodes" "$(job_field "$big" plan_nodes)" \
	"n[1-2]"
out=$(hcqueue --start -h -j "$big")
like "hcqueue --start shows its planned start and nodes" "$out" \
	"$big .* PD $(date -d "@$plan_start" +%Y-%m-%dT%H:%M:%S) .*n\[1-2\]"
is "hcqueue --start lists planned jobs first, by start, the held one last" \
	"$(hcqueue --start -h -o %i | tr -d ' ' | tr '\n' ' ')" "$big $held "
like "hcctl show job shows it as StartTime and SchedNodeList" \
	"$(hcctl show job "$big" | tr "\n" " ")" \
	"StartTime=$(date -d "@$plan_start" +%Y-%m-%dT%H:%M:%S).*SchedNodeList=n\[1-2\]"

# A one-minute job ends before big's start: it is backfilled now. A
# three-minute one would hold n2 past it: it waits.
small=$(submit_as "$HC_USER1" -n 1 -t 1 --wrap "sleep 3")
long=$(submit_as "$HC_USER1" -n 1 -t 3 --wrap "sleep 1")
ok "the short small job is backfilled while big waits" \
	wait_job_state "$small" RUNNING 8
is "the big job is still pending" "$(job_state "$big")" PENDING
is "the long small job waits: it would delay the big job" \
	"$(job_state "$long")" PENDING
is "and the big job's plan did not move" "$(job_field "$big" plan_start)" \
	"$plan_start"

ok "the big job runs when the running one ends" \
	wait_job_state "$big" COMPLETED 40
big_start=$(job_field "$big" start_time)
diag "big started at $big_start (planned $plan_start)"
ok "it started no later than planned" test "$big_start" -le "$plan_start"
ok "the long small job runs after it" wait_job_state "$long" COMPLETED 20
ok "and started only once the big job had" \
	test "$(job_field "$long" start_time)" -ge "$big_start"
hccancel "$held" >/dev/null

#!/bin/bash
# An admin drains a node (it gets no new jobs, its state and reason show it)
# and resumes it.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start

ok "root drains n1" hcctl update node n1 State=DRAIN Reason="fan broken"
ok "n1 shows DRAIN" wait_node_state n1 '[A-Z]+\+DRAIN|DRAIN(ED|ING)?'
like "with the reason" "$(hcinfo -N --json | jq -r \
	'(if type == "array" then . else .nodes end)[] | select(.name == "n1")
	 | .reason')" 'fan broken'
ids=""
for i in $(seq 8); do
	ids="$ids $(submit_as "$HC_USER1" -p batch -o /dev/null --wrap 'sleep 1')"
done
on1=""
for id in $ids; do
	wait_job_state "$id" 'RUNNING|COMPLETING|COMPLETED' >/dev/null
	[ "$(job_node "$id")" != n1 ] || on1="$on1 $id"
done
is "no job went to the drained node" "$on1" ""
ok "root resumes n1" hcctl update node n1 State=RESUME
ok "n1 is back to IDLE" wait_node_state n1 'IDLE|MIXED|ALLOCATED'

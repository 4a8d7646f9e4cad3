#!/bin/bash
# A node agent killed -9 goes DOWN after NodeTimeout; its job ends NODE_FAIL,
# and a --requeue job on it is pending again at once (not held).
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start

a=$(submit_as "$HC_USER1" -o /dev/null --wrap 'sleep 300')
b=$(submit_as "$HC_USER1" -o /dev/null --requeue --wrap 'sleep 300')
wait_job_state "$a" RUNNING
ok "a --requeue job runs" wait_job_state "$b" RUNNING
na=$(job_node "$a") nb=$(job_node "$b")
diag "job $a on $na, job $b on $nb"
noded_kill9 "$na"
[ "$nb" = "$na" ] || noded_kill9 "$nb"
ok "the node goes DOWN after NodeTimeout" \
	wait_node_state "$na" 'DOWN(\+.*)?' $((HC_TEST_NODE_TIMEOUT * 3 + 10))
like "with a reason" "$(hcinfo -N -l 2>/dev/null | grep -w "$na")$(
	job_field "$a" reason)" '[A-Za-z]'
ok "its job ends NODE_FAIL" wait_job_state "$a" NODE_FAIL
ok "the --requeue job is pending again (or running elsewhere)" \
	wait_job_state "$b" 'PENDING|CONFIGURING|RUNNING'
is "and it was restarted once" "$(job_field "$b" restart_count)" 1
hccancel "$b" >/dev/null 2>&1

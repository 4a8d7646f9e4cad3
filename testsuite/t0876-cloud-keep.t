#!/bin/bash
# An idle node that the plan needs within SuspendTime is kept up: a job
# that needs both cloud nodes is planned at the end of the job that fills
# one of them (its time limit: a minute), and the other, idle for
# SuspendTime (30 s) with that start less than SuspendTime away, is not
# released; the two-node job then runs on both.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 5

cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-2] SuspendTime=30 BurstAfter=0)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"

hcctl update node c1 State=POWER_UP >/dev/null
wait_node_state c1 IDLE 20 || bail_out "c1 does not come up"
a=$(submit_as "$HC_USER1" --constraint=cloud -c 16 -t 1 --wrap "sleep 33")
wait_job_state "$a" RUNNING 10 || bail_out "the first job does not start"
hcctl update node c2 State=POWER_UP >/dev/null
ok "c2 is up and idle" wait_node_state c2 IDLE 20
t0=$(date +%s)
b=$(submit_as "$HC_USER1" --constraint=cloud -N 2 -t 1 --wrap "hostname")
ok "the two-node job is planned at the first job's end, on both nodes" \
	wait_for 10 eval '[ "$(job_field "$b" plan_nodes)" = "c[1-2]" ]'
sleep $((t0 + 31 - $(date +%s)))	# c2 idle past SuspendTime
is "the idle node the plan needs within SuspendTime is kept" \
	"$(node_state c2)" IDLE
ok "the two-node job runs when the first one ends" \
	wait_job_state "$b" COMPLETED 20
is "... neither node was started again" \
	"$(grep -c "action=resume pool=burst nodes=c[12] pid=[0-9]* program" \
	"$HC_TEST_DIR/log/hcctld.log")" 2

#!/bin/bash
# The node agent restarted under running jobs: it kills what they left in
# their cgroups (the controller no longer counts them) and the controller
# ends them NODE_FAIL (a --requeue one runs again). And the opposite race: a
# job whose JOB_LAUNCH never reached its node before hcctld died never
# started: it goes back to PENDING, runs and completes, no restart counted.
. "$(dirname "$0")/lib/cluster.sh"
plan 9
cluster_start --nodes 1

pidf=$(out_file a.pid)
a=$(submit_as "$HC_USER1" -o /dev/null --wrap "echo \$\$ >$pidf; exec sleep 300")
b=$(submit_as "$HC_USER1" -o /dev/null --requeue --wrap 'sleep 300')
wait_job_state "$a" RUNNING
ok "two jobs run" wait_job_state "$b" RUNNING
wait_for 10 test -s "$pidf"
apid=$(cat "$pidf")
noded_kill9 n1
noded_start n1
ok "the restarted agent kills the job it no longer manages" \
	wait_for 20 eval "! kill -0 $apid 2>/dev/null"
ok "and says so" grep -q "job=$a left running by an earlier run" \
	"$HC_TEST_DIR/log/hcnoded-n1.log"
ok "the controller ends it NODE_FAIL" wait_job_state "$a" NODE_FAIL 20
ok "the --requeue job runs again" wait_job_state "$b" 'CONFIGURING|RUNNING' 20
is "after one restart" "$(job_field "$b" restart_count)" 1
hccancel "$b" >/dev/null 2>&1
wait_job_state "$b" 'CANCELLED.*' 20

# The launch that never arrived: the agent is stopped while hcctld launches
# c, then both die; the new agent has never heard of c.
npid=$(hc_pid hcnoded-n1)
kill -STOP "$npid"
c=$(submit_as "$HC_USER1" -o /dev/null --wrap true)
ok "a job is launched towards a stopped agent" \
	wait_job_state "$c" CONFIGURING 10
ctld_kill9
noded_kill9 n1
ctld_restart
noded_start n1
ok "it runs after the restarts and completes" wait_job_state "$c" COMPLETED
is "no restart counted: it never started" "$(job_field "$c" restart_count)" 0

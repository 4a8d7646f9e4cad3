#!/bin/bash
# A job running while hcctld is killed -9 and restarted is re-attached when
# its node reports in, and completes normally; pending jobs survive too.
. "$(dirname "$0")/lib/cluster.sh"
plan 7
cluster_start

go=$(out_file go)
id=$(submit_as "$HC_USER1" -o "$(out_file 'r-%j.out')" --wrap "
echo started
while [ ! -e $go ]; do sleep 0.1; done
echo finished")
held=$(submit_as "$HC_USER1" --hold --wrap true)
ok "the job runs" wait_job_state "$id" RUNNING
ctld_kill9
nok "hcctld is gone (hcqueue fails)" hcqueue
ctld_restart
ok "hcctld restarts on the same state" test -n "$HC_CONTROL_PORT"
ok "the running job is still RUNNING after the restart" \
	wait_job_state "$id" RUNNING
is "the held job is still pending" "$(job_state "$held")" PENDING
touch "$go"
ok "the job completes normally" wait_job_state "$id" COMPLETED
ok "its output is whole" grep -q finished "$(out_file "r-$id.out")"

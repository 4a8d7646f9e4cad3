#!/bin/bash
# Cancel of pending and running jobs; signals with hccancel -s.
. "$(dirname "$0")/lib/cluster.sh"
plan 9
cluster_start

id=$(submit_as "$HC_USER1" --hold --wrap true)
is "a held job is PENDING" "$(job_state "$id")" PENDING
ok "its owner cancels it" as_user "$HC_USER1" hccancel "$id"
ok "it ends CANCELLED" wait_job_state "$id" CANCELLED

pidf=$(out_file pid)
sig=$(out_file sig)
id=$(submit_as "$HC_USER1" -o /dev/null --wrap "
trap 'echo USR1 >>$sig' USR1
echo \$\$ >$pidf
while :; do sleep 0.2; done")
ok "a running job" wait_job_state "$id" RUNNING
ok "writes its pid" wait_for 10 test -s "$pidf"
ok "hccancel -s USR1 delivers the signal" \
	eval 'as_user "$HC_USER1" hccancel -s USR1 "$id" &&
	wait_for 10 grep -q USR1 "$sig"'
is "and the job keeps running" "$(job_state "$id")" RUNNING
ok "hccancel ends it CANCELLED" \
	eval 'as_user "$HC_USER1" hccancel "$id" && wait_job_state "$id" CANCELLED'
pid=$(cat "$pidf")
ok "its processes are gone" wait_for 10 eval "! kill -0 $pid 2>/dev/null"

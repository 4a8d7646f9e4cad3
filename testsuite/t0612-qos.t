#!/bin/bash
# QOS limits in a real cluster: GrpJobs and GrpRes hold a QOS's jobs
# pending with the QOS named and release them when the QOS frees;
# MaxJobsPerUser holds one user's second job, not another user's; MaxWall
# refuses a longer --time at submit and lowers an unasked one; a QOS's
# Priority (PriorityWeightQOS) starts a later job of the higher QOS first.
. "$(dirname "$0")/lib/cluster.sh"
plan 11
cluster_start --nodes 2 --conf-extra "PriorityWeightQOS=100000"

reason_is() { [ "$(job_field "$1" reason)" = "$2" ]; }
wait_reason() {
	wait_for "$HC_TEST_TIMEOUT" reason_is "$1" "$2" ||
		diag "job $1: reason '$(job_field "$1" reason)', not '$2'"
}
err() { "$@" 2>&1 >/dev/null; }

# GrpJobs: one running job in the QOS at a time.
hcctl create qos one GrpJobs=1 >/dev/null
a=$(submit_as "$HC_USER1" --qos one -t 10 --wrap 'sleep 300')
wait_job_state "$a" RUNNING
b=$(submit_as "$HC_USER2" --qos one -t 10 --wrap 'sleep 300')
ok "GrpJobs holds the QOS's second job" wait_reason "$b" "QOSGrpJobs(qos=one)"
hccancel "$a"
ok "it starts when the first ends" wait_job_state "$b" RUNNING
hccancel "$b"

# GrpRes: 3 CPUs for the whole QOS, whoever asks.
hcctl create qos cpu3 GrpRes=cpu:3 >/dev/null
c=$(submit_as "$HC_USER1" --qos cpu3 -n 2 -t 10 --wrap 'sleep 300')
wait_job_state "$c" RUNNING
d=$(submit_as "$HC_USER2" --qos cpu3 -n 2 -t 10 --wrap 'sleep 300')
ok "GrpRes holds a job past the QOS's CPUs" wait_reason "$d" \
	"QOSGrpRes(qos=cpu3,cpu)"
e=$(submit_as "$HC_USER2" --qos cpu3 -n 1 -t 10 --wrap 'sleep 300')
ok "a job within what is left runs" wait_job_state "$e" RUNNING
hccancel "$c"
ok "the held one starts once CPUs free" wait_job_state "$d" RUNNING
hccancel "$d" "$e"

# MaxJobsPerUser: per user, not per QOS.
hcctl create qos solo MaxJobsPerUser=1 >/dev/null
f=$(submit_as "$HC_USER1" --qos solo -t 10 --wrap 'sleep 300')
wait_job_state "$f" RUNNING
g=$(submit_as "$HC_USER1" --qos solo -t 10 --wrap 'sleep 300')
h=$(submit_as "$HC_USER2" --qos solo -t 10 --wrap 'sleep 300')
ok "another user's job in the QOS runs" wait_job_state "$h" RUNNING
is "the user's own second job waits" "$(job_field "$g" reason)" \
	"QOSMaxJobsPerUser(qos=solo)"
hccancel "$f" "$g" "$h"

# MaxWall: refused when asked for more; an unasked limit is lowered.
hcctl create qos short MaxWall=00:10:00 >/dev/null
like "MaxWall refuses a longer --time" "$(err as_user "$HC_USER1" hcsub \
	--qos short -t 20 --wrap true)" \
	'qos short: MaxWall 00:10:00 exceeded by --time=00:20:00'
i=$(submit_as "$HC_USER1" --qos short -H --wrap true)
like "an unasked time limit becomes MaxWall" "$(hcctl show job "$i")" \
	'TimeLimit=10:00([^:0-9]|$)'
hccancel "$i"

# Priority: both wait behind GrpJobs=1 of their account; the later job's
# QOS ranks it first, so it starts first when the running one ends.
hcctl create qos low Priority=0 >/dev/null
hcctl create qos high Priority=100 >/dev/null
hcctl create account lab GrpJobs=1 QOS=low,high >/dev/null
hcctl create user "$HC_USER1" Account=lab >/dev/null
k=$(submit_as "$HC_USER1" --qos low -t 10 --wrap 'sleep 300')
wait_job_state "$k" RUNNING
l=$(submit_as "$HC_USER1" --qos low -t 10 --wrap 'sleep 300')
m=$(submit_as "$HC_USER1" --qos high -t 10 --wrap 'sleep 300')
wait_reason "$m" "QuotaGrpJobs(account=lab)"
hccancel "$k"
ok "the high-priority QOS's job starts first" wait_job_state "$m" RUNNING
is "the low one still waits" "$(job_state "$l")" PENDING
hccancel "$l" "$m"

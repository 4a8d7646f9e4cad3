#!/bin/bash
# Tree quotas at run time: a job over an ancestor's GPU quota stays PENDING
# with the quota as its reason and starts when the quota frees; GrpJobs,
# GrpResMins budgets and a QOS's MaxJobsPerUser hold jobs the same way;
# accounts, users, QOS and the usage charged survive a controller restart.
. "$(dirname "$0")/lib/cluster.sh"
plan 15
cluster_start

# reason_is ID TEXT: the job's pending reason is TEXT.
reason_is() { [ "$(job_field "$1" reason)" = "$2" ]; }
wait_reason() {
	wait_for "$HC_TEST_TIMEOUT" reason_is "$1" "$2" ||
		diag "job $1: reason '$(job_field "$1" reason)', not '$2'"
}

hcctl create account science GrpRes=gpu:4 >/dev/null
hcctl create account physics Parent=science >/dev/null
hcctl create user "$HC_USER1" Account=physics >/dev/null

# n3 (4 GPUs) and n4 (8) could run both at once: only the quota of
# science, physics's parent, keeps the second waiting.
a=$(submit_as "$HC_USER1" -p gpu --gres=gpu:4 -t 10 --wrap 'sleep 300')
wait_job_state "$a" RUNNING
b=$(submit_as "$HC_USER1" -p gpu --gres=gpu:4 -t 10 --wrap 'sleep 2')
ok "the second 4-GPU job waits on the ancestor's GrpRes" \
	wait_reason "$b" "QuotaGrpRes(account=science,gpu)"
is "it stays PENDING" "$(job_state "$b")" PENDING
like "hcqueue shows the reason" "$(hcqueue -h -j "$b" -o %r)" \
	'QuotaGrpRes\(account=science,gpu\)'
hccancel "$a"
ok "it starts when the quota frees" wait_job_state "$b" RUNNING
wait_job_state "$b" COMPLETED	# 2 s x 4 GPUs charged to physics

# A CPU quota: two 2-CPU jobs released together, room for one.
hcctl update account science GrpRes=gpu:4,cpu:2 >/dev/null
c=$(submit_as "$HC_USER1" -H -n 2 -t 10 --wrap 'sleep 300')
d=$(submit_as "$HC_USER1" -H -n 2 -t 10 --wrap 'sleep 300')
hcctl release job "$c" >/dev/null && hcctl release job "$d" >/dev/null
ok "one runs" wait_job_state "$c" RUNNING
ok "the other waits on cpu" wait_reason "$d" \
	"QuotaGrpRes(account=science,cpu)"
hccancel "$c" "$d"
hcctl update account science GrpRes= >/dev/null

# GrpJobs on the account itself.
hcctl update account physics GrpJobs=1 >/dev/null
e=$(submit_as "$HC_USER1" -t 10 --wrap 'sleep 300')
wait_job_state "$e" RUNNING
f=$(submit_as "$HC_USER1" -t 10 --wrap 'sleep 300')
ok "GrpJobs holds the second job" wait_reason "$f" \
	"QuotaGrpJobs(account=physics)"

# QOS MaxJobsPerUser (a user without an account: DefaultAccount).
hcctl create qos small MaxJobsPerUser=1 >/dev/null
g=$(submit_as "$HC_USER2" --qos small -t 10 --wrap 'sleep 300')
wait_job_state "$g" RUNNING
h=$(submit_as "$HC_USER2" --qos small -t 10 --wrap 'sleep 300')
ok "MaxJobsPerUser holds the user's second job" wait_reason "$h" \
	"QOSMaxJobsPerUser(qos=small)"

# A budget: 10 minutes x 1 CPU do not fit in 5 CPU-minutes.
hcctl create account chem GrpResMins=cpu:5 >/dev/null
hcctl update user "$HC_USER1" Account=physics,chem >/dev/null
i=$(submit_as "$HC_USER1" -A chem -t 10 --wrap 'sleep 300')
ok "GrpResMins holds a job that could overrun the budget" \
	wait_reason "$i" "QuotaGrpResMins(account=chem,cpu)"

used=$(hcctl show account science --json | jq -r '.records[0].UsedResMins')
like "the GPU jobs' use was charged up the tree" "$used" 'gpu:'

ctld_restart
is "accounts survive a restart" "$(hcctl show account science --json |
	jq -r '.records[0].Parent + "|" + .records[0].UsedResMins')" "root|$used"
like "users survive" "$(hcctl show user "$HC_USER1")" \
	'Account=physics,chem'
like "QOS survive" "$(hcctl show qos small)" 'MaxJobsPerUser=1'
ok "the quota still holds after the restart" wait_reason "$f" \
	"QuotaGrpJobs(account=physics)"
hccancel "$e"
ok "and frees when the running job ends" wait_job_state "$f" RUNNING
hccancel "$f" "$g" "$h" "$i"

#!/bin/bash
# Queue fair-share in the real cluster: two queues share one node; while
# the batch queue floods it (its running job charged at every tick), a job
# of the quiet short queue goes before the batch backlog queued earlier,
# and hcqueue --priority and hcctl show fairshare say why.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start --nodes 1 --conf-extra "PriorityWeightQueueFairshare=100000" \
	--conf-extra "PriorityDecayHalfLife=1h" \
	--conf-extra "PriorityCalcPeriod=1" \
	--conf-extra "QueueName=short Nodes=n1 FairShareWeight=1"

queue_usage() {	# queue_usage NAME
	hcctl show fairshare --json | jq -r --arg q "$1" \
		'[.queues[] | select(.name == $q) | .raw_usage] | add // 0'
}
qfs() {		# qfs JOB: its weighted queue fair-share factor
	hcqueue --priority --json -j "$1" |
		jq -r '.jobs[0].priority_factors.queue_fairshare // -1'
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
batch_charged() { gt "$(queue_usage batch)" 16; }
ranked() { gt "$(qfs "$1")" 0 && gt "$(qfs "$2")" 0; }

# The batch queue floods the node: one job runs, two wait behind it.
f1=$(submit_as "$HC_USER1" -p batch -n 16 --wrap "sleep 4")
wait_job_state "$f1" RUNNING
f2=$(submit_as "$HC_USER1" -p batch -n 16 --wrap "sleep 1")
f3=$(submit_as "$HC_USER1" -p batch -n 16 --wrap "sleep 1")
ok "the batch queue's running job is charged to it" \
	wait_for 20 batch_charged
s=$(submit_as "$HC_USER1" -p short -n 16 --wrap "sleep 2")
ok "the jobs are ranked" wait_for 10 ranked "$s" "$f2"
is "the quiet queue's job has the full factor" "$(qfs "$s")" 100000
ok "the flooding queue's backlog ranks below it ($(qfs "$f2"))" \
	gt "$(qfs "$s")" "$(qfs "$f2")"
wait_job_state "$s" RUNNING
is "the short job started before the batch job queued before it" \
	"$(job_state "$f2")" PENDING
like "hcctl show fairshare lists both queues" "$(hcctl show fairshare)" \
	"batch .*
short "
wait_job_state "$f3" COMPLETED

#!/bin/bash
# Node selection policies per queue (NodeSelect=): with one node idle and
# one busy, PACK puts a job on the busy one and SPREAD on the idle one
# (first fit would take n1 for both); AFFINITY gives an
# inference job the small GPUs (L4), a training job the big ones (H100),
# and a CPU job a node without GPUs.
. "$(dirname "$0")/lib/cluster.sh"
plan 9
cluster_start --topology n4="$HC_SRCDIR/testsuite/topologies/gpu4-l4.xml" \
	--conf-extra "QueueName=packq Nodes=n1,n2 NodeSelect=PACK" \
	--conf-extra "QueueName=spreadq Nodes=n1,n2 NodeSelect=SPREAD" \
	--conf-extra "QueueName=affq Nodes=ALL NodeSelect=AFFINITY" \
	--conf-extra "SchedulerParameters=pack.Weight=2,spread.Weight=2"

# run QUEUE CPUS: start a job, wait until it runs, print its id.
run() {
	local id
	id=$(submit_as "$HC_USER1" -p "$1" -c "$2" -o /dev/null \
		--wrap 'sleep 60')
	wait_job_state "$id" RUNNING >/dev/null
	echo "$id"
}
stop() {
	hccancel "$@"
	for id in "$@"; do
		wait_job_state "$id" 'CANCELLED.*' >/dev/null
	done
}

ok "the queues' policies are loaded" grep -q 'scheduler plugins=.*pack' \
	"$HC_TEST_DIR/log/hcctld.log"
f1=$(run spreadq 2)
f2=$(run spreadq 2)
is "SPREAD puts two jobs on two nodes" "$(job_node "$f1") $(job_node "$f2")" \
	"n1 n2"
stop "$f1"			# n1 idle, n2 busy with 2 CPUs
p=$(run packq 4)
is "PACK puts the next job on the busy node (best fit)" "$(job_node "$p")" n2
stop "$p"
s=$(run spreadq 4)
is "SPREAD puts the same job on the idle node" "$(job_node "$s")" n1
stop "$s" "$f2"

inf=$(submit_as "$HC_USER1" -p affq --gres=gpu:1 --workload=inference \
	-o /dev/null --wrap true)
trn=$(submit_as "$HC_USER1" -p affq --gres=gpu:1 --workload=training \
	-o /dev/null --wrap true)
cpu=$(submit_as "$HC_USER1" -p affq -o /dev/null --wrap true)
for id in $inf $trn $cpu; do
	wait_job_state "$id" COMPLETED >/dev/null
done
is "an inference job gets the L4 node" "$(job_node "$inf")" n4
is "a training job gets the H100 node" "$(job_node "$trn")" n3
like "a CPU job keeps off the GPU nodes" "$(job_node "$cpu")" '^n[12]$'
is "the job records its workload" "$(job_field "$trn" workload)" training
err=$(as_user "$HC_USER1" hcsub --workload=gaming --wrap true 2>&1)
like "an unknown workload is refused" "$err" \
	"give training, inference or hpc"

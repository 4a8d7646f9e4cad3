#!/bin/bash
# How hcrun reports tasks it lost: a task killed by its job's memory limit
# is "out of memory"; a node whose agent dies under a running step loses
# its tasks ("lost with its node", exit 255) while the other node's tasks
# are told to end.
. "$(dirname "$0")/lib/cluster.sh"
plan 5
cluster_start --nodes 2

out=$(out_file oom-%j.out)
id=$(submit_as "$HC_USER1" --mem=64 -o "$out" --wrap '
hcrun -n 1 tail /dev/zero; echo rc=$?')
ok "the job ends (its memory cgroup saw the OOM kill)" \
	wait_job_state "$id" "COMPLETED|OUT_OF_MEMORY" 40
f=$(out_file "oom-$id.out")
ok "an OOM-killed task is reported as such" \
	grep -q "task 0 (n[12]): out of memory" "$f"
ok "and hcrun exits 137" grep -qx "rc=137" "$f"

log=$HC_TEST_DIR/out/lost.log
as_user "$HC_USER1" hcrun -N 2 -n 2 sh -c 'touch lost.$HC_PROCID; sleep 30' \
	>"$log" 2>&1 &
pid=$!
wait_for 20 eval "[ -e $HC_TEST_DIR/out/lost.0 ] && [ -e $HC_TEST_DIR/out/lost.1 ]"
noded_kill9 n2
wait "$pid"
is "hcrun exits 255 when a node is lost" "$?" 255
like "and says which task was lost and why" "$(tr '\n' ' ' <"$log")" \
	"n2: connection to its agent lost.*task 1 \(n2\): lost with its node"

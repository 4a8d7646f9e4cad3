#!/bin/bash
# Conservative backfill keeps a promise on its nodes: with BackfillDepth
# covering the queue, a job planned on one node keeps its planned start and
# that node across passes while other jobs come and go, even when another
# node frees first (taking that one could move a later promised job's
# start), and starts no later than promised.
. "$(dirname "$0")/lib/cluster.sh"
plan 14

# planned ID: whether the job has a planned start.
planned() {
	[ "$(job_field "$1" plan_start)" -gt 0 ]
}

cluster_start --nodes 2 --conf-extra "BackfillDepth=1000
BackfillInterval=1"

# rx holds one node whole for up to 2 minutes (ends after ~15 s), ry the
# other for up to 3 (cancelled below).
rx=$(submit_as "$HC_USER1" -n 16 -t 2 --wrap "sleep 15")
ok "the first running job starts" wait_job_state "$rx" RUNNING 20
ry=$(submit_as "$HC_USER1" -n 16 -t 3 --wrap "sleep 120")
ok "the second running job starts" wait_job_state "$ry" RUNNING 20
x=$(job_node "$rx")
y=$(job_node "$ry")
# a (3 minutes) is planned on x at rx's expected end; b (1 minute) then on
# y at ry's, earlier than after a on x.
a=$(submit_as "$HC_USER1" -n 16 -t 3 --wrap "sleep 1")
ok "a gets a planned start" wait_for 10 planned "$a"
b=$(submit_as "$HC_USER1" -n 16 -t 1 --wrap "sleep 1")
ok "b gets a planned start" wait_for 10 planned "$b"
promised=$(job_field "$a" plan_start)
diag "rx on $x, ry on $y; a planned at $promised on" \
	"$(job_field "$a" plan_nodes), b on $(job_field "$b" plan_nodes)"
is "a is planned on the first running job's node" \
	"$(job_field "$a" plan_nodes)" "$x"
is "b is planned on the other node" "$(job_field "$b" plan_nodes)" "$y"

# y frees now. a, planned first, keeps to x; b, promised y, runs there.
hccancel "$ry" >/dev/null
ok "b starts on its own node once it frees" wait_job_state "$b" RUNNING 10
is "b runs on the node it was promised" "$(job_node "$b")" "$y"
# More jobs come and go while a waits; passes run every second.
d=$(submit_as "$HC_USER1" -n 1 -t 5 --hold --wrap true)
hccancel "$d" >/dev/null
c=$(submit_as "$HC_USER1" -n 4 -t 1 --wrap "sleep 2")
ok "another job comes and goes meanwhile" wait_job_state "$c" COMPLETED 20
is "a's planned start did not move" "$(job_field "$a" plan_start)" \
	"$promised"
is "nor its planned node" "$(job_field "$a" plan_nodes)" "$x"

ok "a runs when the first running job ends" wait_job_state "$a" COMPLETED 40
ok "it started no later than promised" \
	test "$(job_field "$a" start_time)" -le "$promised"
is "on the node it was promised" "$(job_node "$a")" "$x"

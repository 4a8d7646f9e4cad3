#!/bin/bash
# Scheduling passes run in a worker on a snapshot: the controller answers
# while a pass plans, and a decision whose job or node changed during the
# pass is dropped, not applied. HC_SCHED_PASS_DELAY_MS (a debugging knob,
# hcctld(8)) makes every pass wait 3 s in the worker, so the test can act
# while one is in flight.
. "$(dirname "$0")/lib/cluster.sh"
plan 11

export HC_SCHED_PASS_DELAY_MS=3000
cluster_start --nodes 2

ms() { echo $(($(date +%s%N) / 1000000)); }

# A submission asks for a pass; it is in flight for 3 s.
a=$(submit_as "$HC_USER1" -t 1 --wrap "sleep 1")
c=$(submit_as "$HC_USER1" -t 1 --wrap "sleep 1")
t0=$(ms)
hcqueue >/dev/null
t1=$(ms)
diag "hcqueue took $((t1 - t0)) ms during the pass"
ok "hcqueue answers within 1 s while a pass is in flight" \
	test $((t1 - t0)) -lt 1000
is "the jobs are still pending: the pass has not come back" \
	"$(job_state "$a") $(job_state "$c")" "PENDING PENDING"

# Hold a while the pass that would start it runs: its decision is dropped.
ok "root holds the first job during the pass" hcctl hold job "$a"
ok "the other job of that pass starts" wait_job_state "$c" COMPLETED 30
is "the held job stays pending" "$(job_state "$a")" PENDING
is "and never got nodes" "$(job_field "$a" nodelist)" ""
is "its reason is Held" "$(job_field "$a" reason)" Held

# Drain every node while a pass would place b: b must not start.
b=$(submit_as "$HC_USER1" -t 1 --wrap "sleep 1")
sleep 0.2
ok "both nodes are drained while the pass runs" \
	sh -c "hcctl update node n1 State=DRAIN Reason=test &&
	       hcctl update node n2 State=DRAIN Reason=test"
# The pass comes back within 3 s, the next one (asked by the drains) 3 s on.
wait_for 10 sh -c "hcqueue -h -j $b -o %r | grep -qv '^ *None'"
is "the job waits instead of starting on a drained node" \
	"$(job_state "$b")" PENDING
hcctl update node n1 State=RESUME >/dev/null
hcctl update node n2 State=RESUME >/dev/null
ok "resumed, it runs" wait_job_state "$b" COMPLETED 30

hcctl release job "$a" >/dev/null
ok "released, the held job runs" wait_job_state "$a" COMPLETED 30

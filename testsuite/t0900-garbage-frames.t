#!/bin/bash
# Malformed frames (bad headers, every truncation, mutated bodies of every
# type with and without a munge credential, random frames) sent to hcctld
# and to a node agent close those connections only: both daemons live on,
# answer, and the cluster still runs a job.
. "$(dirname "$0")/lib/cluster.sh"

garbage=$HC_BUILDDIR/testsuite/hc_garbage
[ -x "$garbage" ] || skip_all "hc_garbage not built (make check builds it)"
count=${HC_GARBAGE_COUNT:-1000}
seed=${HC_GARBAGE_SEED:-$RANDOM}
limit=$((HC_TEST_TIMEOUT * 4))

plan 6
cluster_start --nodes 2
diag "hc_garbage seed $seed (HC_GARBAGE_SEED=$seed reproduces a run)"

ok "hcctld survives garbage frames" \
	timeout "$limit" "$garbage" --count "$count" --seed "$seed" \
	127.0.0.1 "$HC_CONTROL_PORT"
ok "the hcctld process is still the one we started" \
	kill -0 "$(hc_pid hcctld)"

n1_port=$(sed -n 's/^NodeName=n1 .*Port=\([0-9][0-9]*\).*/\1/p' "$HC_CONF")
ok "n1's port is in hc.conf" test -n "$n1_port"
ok "hcnoded n1 survives garbage frames" \
	timeout "$limit" "$garbage" --node --count "$count" --seed "$seed" \
	127.0.0.1 "$n1_port"
ok "the hcnoded n1 process is still the one we started" \
	kill -0 "$(hc_pid hcnoded-n1)"

id=$(submit_as "$HC_USER1" --wrap "echo hi")
ok "the cluster still runs a job ($id)" wait_job_state "$id" COMPLETED

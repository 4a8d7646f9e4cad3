#!/bin/bash
# kill -9 of hcctld in the middle of a burst of submissions: after a restart
# every acknowledged job id is still there, and runs.
. "$(dirname "$0")/lib/cluster.sh"
plan 4
cluster_start

acked=$(out_file acked)
: >"$acked"
chmod 0666 "$acked"
as_user "$HC_USER1" bash -c 'for i in $(seq 2000); do
	id=$(hcsub --parsable -o /dev/null --wrap true) || exit 0
	echo "${id%%;*}" >>'"$acked"'
done' &
burst=$!
wait_for 30 eval "[ \$(wc -l <'$acked') -ge 50 ]"
ctld_kill9
wait "$burst"
n=$(grep -c '^[0-9]' "$acked")
diag "$n submissions acknowledged before the kill"
ok "some submissions were acknowledged" test "$n" -ge 50
ctld_restart
lost=""
while read -r id; do
	[ "$(job_state "$id")" != UNKNOWN ] || lost="$lost $id"
done <"$acked"
is "no acknowledged job is lost" "$lost" ""
ok "the queue drains" wait_for $((HC_TEST_TIMEOUT * 2)) eval \
	'! hcqueue -h -o %T 2>/dev/null | grep -Eq "^(PENDING|CONFIGURING|RUNNING|COMPLETING)$"'
bad=""
while read -r id; do
	[ "$(job_state "$id")" = COMPLETED ] || bad="$bad $id:$(job_state "$id")"
done <"$acked"
is "every acknowledged job ran and completed" "$bad" ""

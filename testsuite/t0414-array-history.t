#!/bin/bash
# afterok on a job array once its tasks have left the table: a task that
# failed and aged out (MinJobAge) still fails the dependency, and so do
# tasks cancelled while pending and an array cancelled whole; afterany
# and afternotok follow.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start --nodes 2 --conf-extra "MinJobAge=1"

sub() { submit_as "$HC_USER1" -o /dev/null "$@"; }
reason_is() {
	[ "$(hcqueue -h -j "$1" -o %r 2>/dev/null | tr -d ' ')" = "$2" ]
}
gone() { ! hcctl show job "$1" >/dev/null 2>&1; }

# Task 0 fails at once and leaves the table long before tasks 1-2 end.
arr=$(sub --array=0-2 --wrap \
	'[ "$HC_ARRAY_TASK_ID" = 0 ] && exit 1; sleep 8')
ok=$(sub --dependency="afterok:$arr" --wrap true)
not=$(sub --dependency="afternotok:$arr" --wrap true)
ok "the failed task leaves the table (MinJobAge=1)" \
	wait_for 30 gone "${arr}_0"
ok "afterok on the array never runs: its failed task still counts" \
	wait_for 40 reason_is "$ok" DependencyNeverSatisfied
ok "afternotok on it runs" wait_job_state "$not" COMPLETED

# Tasks cancelled while pending, and an array cancelled whole.
h=$(sub -H --array=0-3 --wrap true)
as_user "$HC_USER1" hccancel "${h}_[0-1]"
hcctl release job "$h"
d1=$(sub --dependency="afterok:$h" --wrap true)
ok "afterok on an array with tasks cancelled while pending never runs" \
	wait_for 30 reason_is "$d1" DependencyNeverSatisfied
w=$(sub -H --array=0-3 --wrap true)
hccancel "$w"
d2=$(sub --dependency="afterok:$w" --wrap true)
d3=$(sub --dependency="afterany:$w" --wrap true)
ok "afterok on an array cancelled whole never runs" \
	wait_for 30 reason_is "$d2" DependencyNeverSatisfied
ok "afterany on it runs" wait_job_state "$d3" COMPLETED
hccancel "$ok" "$d1" "$d2" 2>/dev/null

#!/bin/bash
# An interactive allocation whose owner is gone without a word (hcalloc or
# hcrun killed with -9) is cancelled after InactiveLimit and its nodes are
# freed; one whose owner lives on, quietly, past the limit is kept.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start --nodes 2 --conf-extra "InactiveLimit=3"

# Other tests run hcalloc as this user too: each is found by its own
# command line.
getid() { hcqueue -h -u "$HC_USER1" -t R -o %i | tr -d ' ' | grep .; }

# A live hcalloc, quiet for longer than the limit, keeps its allocation.
as_user "$HC_USER1" hcalloc -N 1 sleep 8 >/dev/null 2>&1 &
wait_for 20 getid >/dev/null
live=$(getid | tail -1)
sleep 6	# two limits: the keeper's messages hold it
is "a live hcalloc past InactiveLimit keeps its allocation" \
	"$(job_state "${live:-0}")" RUNNING
ok "and releases it at its command's end: COMPLETED" \
	wait_job_state "${live:-0}" COMPLETED 15

# hcalloc killed with -9: the allocation is cancelled, its nodes freed.
as_user "$HC_USER1" hcalloc -N 2 sleep 725 >/dev/null 2>&1 &
wait_for 20 getid >/dev/null
kid=$(getid | tail -1)
pkill -KILL -u "$HC_UID1" -f '^hcalloc -N 2 sleep 725$'
t0=$SECONDS
ok "hcalloc killed with -9: its allocation is cancelled" \
	wait_job_state "${kid:-0}" CANCELLED 20
diag "cancelled $((SECONDS - t0)) s after the kill (limit 3 s, sweep 5 s)"
is "with the reason InactiveLimit" "$(job_field "${kid:-0}" reason)" \
	InactiveLimit
ok "and its nodes are free again" wait_for 15 nodes_all_idle

# hcrun outside a job, killed with -9: the same.
as_user "$HC_USER1" hcrun -N 1 sleep 726 >/dev/null 2>&1 &
wait_for 20 getid >/dev/null
rid=$(getid | tail -1)
pkill -KILL -u "$HC_UID1" -f '^hcrun -N 1 sleep 726$'
ok "hcrun killed with -9: its allocation is cancelled" \
	wait_job_state "${rid:-0}" CANCELLED 20

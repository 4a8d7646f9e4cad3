#!/bin/bash
# A job that goes over its --mem is OOM-killed by its memory cgroup and ends
# OUT_OF_MEMORY; the cgroup's own oom_kill count proves it.
. "$(dirname "$0")/lib/cluster.sh"
plan 4
cluster_start

id=$(submit_as "$HC_USER1" --mem=64 -o "$(out_file 'oom-%j.out')" --wrap '
tail /dev/zero
echo survived
sleep 4')
ok "the job runs" wait_job_state "$id" RUNNING
# Read the job's memory cgroup while it lives (it is removed at the end).
kills=0
read_oom() {
	local f
	f=$(find "/sys/fs/cgroup/memory/$HC_CGROUP_PREFIX" -type d \
		-name "job_$id" 2>/dev/null | head -1)
	[ -n "$f" ] || f=$(find "/sys/fs/cgroup/$HC_CGROUP_PREFIX" \
		-type d -name "job_$id" 2>/dev/null | head -1)
	[ -n "$f" ] || return 1
	if [ -f "$f/memory.oom_control" ]; then
		kills=$(sed -n 's/^oom_kill //p' "$f/memory.oom_control")
	else
		kills=$(sed -n 's/^oom_kill //p' "$f/memory.events")
	fi
	[ "${kills:-0}" -ge 1 ]
}
ok "the memory cgroup counts an OOM kill" wait_for 30 read_oom
diag "oom_kill=$kills"
ok "the job ends OUT_OF_MEMORY" wait_job_state "$id" OUT_OF_MEMORY
ok "the OOM killed only the hog, the script went on" \
	grep -q survived "$(out_file "oom-$id.out")"

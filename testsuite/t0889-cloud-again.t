#!/bin/bash
# A cloud node released and then needed again starts again at once: a job
# for the pool's only node submitted after the node was released resumes it
# within a few seconds, and one submitted while the SuspendProgram still
# runs (POWERING_DOWN; a provider that takes 3 s to release) waits with
# reason CloudNodeReleasing:POOL and resumes it as soon as that program
# ends, not at a later periodic pass; in a pool with another unstarted
# node, that node starts at once instead.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 9

slow=$HC_TEST_DIR/etc/slow-suspend
printf '#!/bin/sh\n[ "$HC_ACTION" = suspend ] && sleep 3\nexec %s "$@"\n' \
	"$HC_CLOUD_PROVIDER" >"$slow"
chmod 0755 "$slow"
cluster_start --nodes 1 --conf-extra "$(cloud_pool burst c1 \
	SuspendTime=1 BurstAfter=0 "SuspendProgram=$slow")" \
	--conf-extra "$(cloud_pool pair "d[1-2]" SuspendTime=1 BurstAfter=0 \
	"SuspendProgram=$slow" Features=pair)"
cloud_ready c1 d1 d2 || bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log
resumes() { grep -c "action=resume pool=burst nodes=c1 pid=[0-9]* program" \
	"$LOG"; }

a=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap true)
wait_job_state "$a" COMPLETED 20 || bail_out "the first job does not run"
ok "c1 is released after SuspendTime" wait_node_state c1 CLOUD 15

t0=$(date +%s)
b=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap true)
ok "a job for the released node starts it again at once" \
	wait_job_state "$b" COMPLETED 5
diag "released -> completed again in $(($(date +%s) - t0)) s"

ok "c1 is being released again (POWERING_DOWN)" \
	wait_node_state c1 '.*POWERING_DOWN.*' 10
c=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap true)
ok "... the job waits saying the node is being released" wait_for 3 \
	eval '[ "$(job_field "$c" reason)" = CloudNodeReleasing:burst ]'
ok "the job submitted meanwhile runs once the release has ended" \
	wait_job_state "$c" COMPLETED 7
gone=$(grep "action=suspend pool=burst nodes=c1 pid=[0-9]* exit=0" "$LOG" |
	tail -1 | cut -c1-23)
up=$(grep "action=resume pool=burst nodes=c1 pid=[0-9]* program" "$LOG" |
	tail -1 | cut -c1-23)
gap=$(awk -v a="$(date -d "${gone/T/ }" +%s.%N)" \
	-v b="$(date -d "${up/T/ }" +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
diag "SuspendProgram ended -> ResumeProgram forked: $gap s"
ok "... started again within 1 s of the release's end" \
	awk -v g="$gap" 'BEGIN { exit !(g >= 0 && g < 1) }'
is "... three starts in all" "$(resumes)" 3

# Two nodes: while the one that ran a job is being released, the next job
# starts the other at once (the release alone takes over 3 s).
d=$(submit_as "$HC_USER1" --constraint=pair -t 1 --wrap true)
wait_job_state "$d" COMPLETED 20 || bail_out "the pair's job does not run"
first=$(job_node "$d")
other=d1
[ "$first" = d1 ] && other=d2
wait_node_state "$first" '.*POWERING_DOWN.*' 10 ||
	bail_out "$first is not released"
e=$(submit_as "$HC_USER1" --constraint=pair -t 1 --wrap true)
ok "a pool's other unstarted node starts at once meanwhile" \
	wait_job_state "$e" COMPLETED 3
is "... the job ran there" "$(job_node "$e")" "$other"

#!/bin/bash
# Job dependencies: a three-stage pipeline that follows Slurm's table of
# outcomes, --kill-on-invalid-dep, singleton, hcqueue %E, hcctl show job,
# hcctl update job Dependency= and a controller restart while pending.
. "$(dirname "$0")/lib/cluster.sh"
plan 31
cluster_start --nodes 2

sub() { submit_as "$HC_USER1" -o /dev/null "$@"; }
reason() { hcqueue -h -j "$1" -o %r 2>/dev/null | tr -d ' '; }
reason_is() { [ "$(reason "$1")" = "$2" ]; }

# Stage 1: one job that succeeds, one that fails.
good=$(sub -J s1good --wrap 'sleep 1; true')
bad=$(sub -J s1bad --wrap 'sleep 1; false')

# Stage 2: what Slurm does with each type against each outcome.
# name | dependency | final state (or the reason it stays pending with)
table="
okgood   afterok:$good                 COMPLETED
okbad    afterok:$bad                  DependencyNeverSatisfied
notgood  afternotok:$good              DependencyNeverSatisfied
notbad   afternotok:$bad               COMPLETED
anygood  afterany:$good                COMPLETED
anybad   afterany:$bad                 COMPLETED
after    after:$good                   COMPLETED
either   afterok:$good?afterok:$bad    COMPLETED
both     afterok:$good,afterok:$bad    DependencyNeverSatisfied
"
declare -A id want
while read -r name dep w; do
	[ -n "$name" ] || continue
	id[$name]=$(sub -J "$name" --dependency="$dep" --wrap true)
	want[$name]=$w
done <<<"$table"
like "a job waiting on a running one is pending with reason Dependency" \
	"$(hcqueue -h -j "${id[okgood]}" -o '%T %r')" \
	"^(PENDING +Dependency|CONFIGURING|RUNNING|COMPLETING|COMPLETED)"

# Stage 3: after two stage-2 jobs that run.
s3=$(sub -J s3 --dependency="afterok:${id[okgood]}:${id[notbad]}" --wrap true)

for name in okgood okbad notgood notbad anygood anybad after either both; do
	if [ "${want[$name]}" = COMPLETED ]; then
		ok "$name (${want[$name]})" \
			wait_job_state "${id[$name]}" COMPLETED
	else
		ok "$name stays pending: ${want[$name]}" \
			wait_for "$HC_TEST_TIMEOUT" reason_is "${id[$name]}" \
			"${want[$name]}"
	fi
done
ok "stage 3 runs after both stage-2 jobs" wait_job_state "$s3" COMPLETED
ok "and starts after they ended" test "$(job_field "$s3" start_time)" \
	-ge "$(job_field "${id[notbad]}" end_time)"
is "a job that can never start is still PENDING" \
	"$(job_state "${id[okbad]}")" PENDING
is "hcqueue %E shows what is left of it" \
	"$(hcqueue -h -j "${id[both]}" -o %E | tr -d ' ')" "afterok:$bad"

# Arrays: the array id stands for all its tasks, 123_7 for one task.
arr=$(sub -J arr --array=0-3 --wrap 'test "$HC_ARRAY_TASK_ID" != 2')
aok=$(sub -J aok --dependency="afterok:$arr" --wrap true)
aany=$(sub -J aany --dependency="afterany:$arr" --wrap true)
t1=$(sub -J t1 --dependency="afterok:${arr}_1" --wrap true)
t2=$(sub -J t2 --dependency="afternotok:${arr}_2" --wrap true)
ok "afterany on an array runs once every task has ended" \
	wait_job_state "$aany" COMPLETED
ok "afterok on an array with a failed task never starts" \
	wait_for "$HC_TEST_TIMEOUT" reason_is "$aok" DependencyNeverSatisfied
ok "afterok on a task that completed runs" wait_job_state "$t1" COMPLETED
ok "afternotok on a task that failed runs" wait_job_state "$t2" COMPLETED

# --kill-on-invalid-dep=yes cancels it, with the reason.
k=$(sub -J kill --dependency="afterok:$bad" --kill-on-invalid-dep=yes \
	--wrap true)
ok "with --kill-on-invalid-dep=yes it is cancelled" \
	wait_job_state "$k" CANCELLED
is "with reason DependencyNeverSatisfied" "$(job_field "$k" reason)" \
	DependencyNeverSatisfied

# Errors: a job that never existed, a bad expression.
like "a dependency on a job that never existed is refused" \
	"$(sub --dependency=afterok:99999 --wrap true 2>&1)" \
	"job 99999 does not exist"
like "afterok: with no id is refused by hcsub" \
	"$(sub --dependency=afterok: --wrap true 2>&1)" \
	"afterok needs a job id: afterok:ID"

# Singleton: the second of a name waits for the first.
s1=$(sub -J single --dependency=singleton --wrap 'sleep 3')
s2=$(sub -J single --dependency=singleton --wrap true)
wait_job_state "$s1" RUNNING >/dev/null
ok "a second singleton waits with reason Dependency" \
	wait_for 10 reason_is "$s2" Dependency
ok "and runs once the first has ended" wait_job_state "$s2" COMPLETED
ok "not before" test "$(job_field "$s2" start_time)" \
	-ge "$(job_field "$s1" end_time)"

# A dependency survives a restart; hcctl update job changes it.
h=$(sub -H -J held --wrap true)
d=$(sub -J waiter --dependency="afterany:$h" --wrap true)
wait_for "$HC_TEST_TIMEOUT" reason_is "$d" Dependency
like "hcctl show job shows the dependency" "$(hcctl show job "$d")" \
	"Dependency=afterany:$h"
ctld_kill9
ctld_restart
ok "after a controller restart it still waits" \
	wait_for "$HC_TEST_TIMEOUT" reason_is "$d" Dependency
is "on the same dependency" "$(hcqueue -h -j "$d" -o %E | tr -d ' ')" \
	"afterany:$h"
nok "another user may not change it" \
	as_user "$HC_USER2" hcctl update job "$d" Dependency=
ok "its owner changes it" \
	as_user "$HC_USER1" hcctl update job "$d" "Dependency=afterok:$good"
ok "and then it runs" wait_job_state "$d" COMPLETED
hccancel "$h" "$aok" "${id[okbad]}" "${id[notgood]}" "${id[both]}" 2>/dev/null

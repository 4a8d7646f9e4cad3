#!/bin/bash
# Array tasks one by one and by range: hcctl hold/release/requeue of
# 123_7 and 123_[1-500] (a held range splits the pending ranges of a
# 1,000,000-task array, never its tasks), an admin's hold, the held ranges
# across a restart, hccancel of held tasks, and hcctl show job of an array
# and of one task.
. "$(dirname "$0")/lib/cluster.sh"
plan 38
cluster_start --nodes 2

u1() { as_user "$HC_USER1" "$@"; }
rows() { hcqueue -h -j "$1" -t PD -o '%i %r' | tr -s ' ' | tr '\n' ';'; }
# rows_are ID WANT: the rows become WANT (reasons come with the next pass).
rows_are() { wait_for 10 sh -c "[ \"\$(hcqueue -h -j $1 -t PD -o '%i %r' |
	tr -s ' ' | tr '\n' ';')\" = '$2' ]"; rows "$1"; }
tasks_done() {
	[ "$(hcacct -a --json 2>/dev/null | jq --argjson a "$1" \
		'[(if type == "array" then . else .jobs end)[] |
		  select(.array_job_id == $a and .array_task_id != null and
		  .state == "COMPLETED")] | length')" -ge "$2" ]
}

# A held 1,000,000-task array: release three tasks, the rest stay held.
id=$(submit_as "$HC_USER1" -H --array=1-1000000 -o /dev/null --wrap true)
t0=$(date +%s%N)
ok "its owner releases three tasks of a held million" \
	u1 hcctl release job "${id}_[1-3]"
t1=$(date +%s%N)
diag "release of 3 of 1,000,000 held tasks: $(((t1 - t0) / 1000000)) ms"
is "the others are held as one range" "$(job_field "$id" array_held)" \
	"4-1000000"
ok "the three run" wait_for 30 tasks_done "$id" 3
ok "releasing two in the middle" u1 hcctl release job "${id}_[500000-500001]"
is "splits the held range in two" "$(job_field "$id" array_held)" \
	"4-499999,500002-1000000"
ok "and they run" wait_for 30 tasks_done "$id" 5
out=$(u1 hcctl hold job "${id}_2" 2>&1)
like "a finished task cannot be held" "$out" "only pending jobs can be held"
hccancel "$id"
ok "cancelling the array ends the held tasks too" wait_for 30 sh -c \
	"! hcqueue -h -t PD -o %i | grep -q '^${id}_'"

# Holding part of a pending array (kept waiting by --begin).
id=$(submit_as "$HC_USER1" --begin=now+1hour --array=0-99%5 -o /dev/null \
	--wrap true)
ok "its owner holds ten tasks" u1 hcctl hold job "${id}_[10-19]"
is "hcqueue shows the pending and the held tasks apart" "$(rows_are "$id" \
	"${id}_[0-9,20-99%5] BeginTime;${id}_[10-19] Held;")" \
	"${id}_[0-9,20-99%5] BeginTime;${id}_[10-19] Held;"
ok "and releases two of them" u1 hcctl release job "${id}_[12-13]"
is "which join the pending ones again" "$(rows_are "$id" \
	"${id}_[0-9,12-13,20-99%5] BeginTime;${id}_[10-11,14-19] Held;")" \
	"${id}_[0-9,12-13,20-99%5] BeginTime;${id}_[10-11,14-19] Held;"
nok "another user may not release them" \
	as_user "$HC_USER2" hcctl release job "${id}_10"
ok "an admin holds one task" hcctl hold job "${id}_50"
out=$(u1 hcctl release job "${id}_50" 2>&1)
like "which its owner may not release" "$out" \
	"held by an administrator; ask one to release them"
ctld_restart
is "held tasks survive a controller restart" \
	"$(job_field "$id" array_held),$(job_field "$id" array_held_admin)" \
	"10-11,14-19,50"
ok "the admin releases it" hcctl release job "${id}_50"
ok "its owner cancels held tasks" u1 hccancel "${id}_[10-11]"
is "they are gone" "$(rows_are "$id" \
	"${id}_[0-9,12-13,20-99%5] BeginTime;${id}_[14-19] Held;")" \
	"${id}_[0-9,12-13,20-99%5] BeginTime;${id}_[14-19] Held;"
show=$(hcctl show job "$id")
like "show job ID prints the array's task ids" "$show" \
	"JobId=$id ArrayJobId=$id ArrayTaskId=0-9,12-13,20-99 JobName=wrap"
like "its throttle and its held tasks" "$show" \
	"ArrayTaskThrottle=5 HeldTasks=14-19"
like "show job ID_TASK of a pending task prints the array" \
	"$(hcctl show job "${id}_3")" "JobId=$id ArrayJobId=$id"
nok "show job of a task it does not have fails" hcctl show job "${id}_100"
out=$(hcctl hold job "${id}_[1-2%3]" 2>&1)
like "a throttle in a task range is refused" "$out" "has no meaning here"
out=$(hcctl hold job "${id}_[5-1]" 2>&1)
like "a reversed task range is refused" "$out" "5-1: range is reversed"
hccancel "$id"

# Requeue of one finished task.
id=$(submit_as "$HC_USER1" --array=0-2 -o /dev/null --wrap true)
ok "a 3-task array completes" wait_for 30 tasks_done "$id" 3
acct() { hcacct -a -n -P -o jobid -j "$1" | sort | tr '\n' ' '; }
is "hcacct -j ID_TASK shows that task" "$(acct "${id}_1")" "${id}_1 "
is "hcacct -j ID_[RANGES] shows those tasks" "$(acct "${id}_[0-1]")" \
	"${id}_0 ${id}_1 "
is "hcacct -j ID shows the array's tasks" "$(acct "$id")" \
	"${id}_0 ${id}_1 ${id}_2 "
like "hcacct -j ID_x is refused" "$(hcacct -j "${id}_x" 2>&1)" \
	"'${id}_x' is not a job id"
ok "its owner requeues task 1" u1 hcctl requeue job "${id}_1"
ok "which runs again" wait_for 30 sh -c \
	"hcctl show job ${id}_1 | grep -q 'JobState=COMPLETED.*' &&
	 hcctl show job ${id}_1 | grep -q 'Restarts=1'"
like "show job ID_TASK prints the task" "$(hcctl show job "${id}_1")" \
	"ArrayJobId=$id ArrayTaskId=1 JobName="
ok "its owner updates one task" u1 hcctl update job "${id}_2" Comment=two
like "which show job ID_TASK shows" "$(hcctl show job "${id}_2")" \
	"Comment=two"
out=$(u1 hcctl requeue job "${id}_[7-9]" 2>&1)
like "a task the array does not have is named" "$out" "has no task \\[7-9\\]"
ok "requeue of the array's id requeues every task" \
	u1 hcctl requeue job "$id"
requeued() { [ "$(hcctl show job --json "$id" | jq '[.jobs[] |
	select(.state == "COMPLETED" and .restart_count >= 1)] |
	length')" = 3 ]; }
ok "and all three run again" wait_for 30 requeued

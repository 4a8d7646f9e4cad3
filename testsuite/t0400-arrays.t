#!/bin/bash
# Job arrays: range errors, every task of 1,000 run exactly once with its
# variables and %A_%a output files, a throttle, and a 1,000,000-task array
# stored as one record.
. "$(dirname "$0")/lib/cluster.sh"
plan 34
cluster_start --nodes 4

out=$(as_user "$HC_USER1" hcsub --array=5-1 --wrap true 2>&1)
like "a reversed range is refused with a hint" "$out" \
	"5-1: range is reversed; write 1-5"
out=$(as_user "$HC_USER1" hcsub --array=0-99999999999 --wrap true 2>&1)
like "a task id above the maximum is refused" "$out" \
	"task id 99999999999 is above the maximum 4000000"

# hcacct's records of array ARRAY's tasks: "task start end" lines.
tasks_of() {
	hcacct -a --json 2>/dev/null | jq -r --argjson a "$1" \
		'(if type == "array" then . else .jobs end)[] |
		 select(.array_job_id == $a and .array_task_id != null) |
		 "\(.array_task_id) \(.start_time) \(.end_time)"'
}
all_done() { [ "$(tasks_of "$1" | awk '$3 > 0' | wc -l)" -eq "$2" ]; }

cat >"$HC_TEST_DIR/out/task.sh" <<'SH'
#!/bin/sh
echo "$HC_ARRAY_JOB_ID $HC_ARRAY_TASK_ID $HC_ARRAY_TASK_COUNT" \
	"$HC_ARRAY_TASK_MIN $HC_ARRAY_TASK_MAX $HC_ARRAY_TASK_STEP"
SH
chmod 755 "$HC_TEST_DIR/out/task.sh"
mkdir -m 777 "$HC_TEST_DIR/out/arr"
id=$(submit_as "$HC_USER1" --array=0-999 -o 'arr/t-%A_%a.out' task.sh)
ok "a 1,000-task array is accepted" test -n "$id"
ok "every task ends" wait_for 120 all_done "$id" 1000
is "each task ran once" "$(tasks_of "$id" | awk '{print $1}' | sort -n |
	uniq | wc -l)" 1000
bad=0
for t in $(seq 0 999); do
	f="$HC_TEST_DIR/out/arr/t-${id}_$t.out"
	[ "$(cat "$f" 2>/dev/null)" = "$id $t 1000 0 999 1" ] || {
		bad=$((bad + 1)); [ $bad -le 3 ] && diag "$f: $(cat "$f" 2>&1)"
	}
done
is "each %A_%a file holds the task's variables" "$bad" 0

id=$(submit_as "$HC_USER1" --array='1-9:2%2' -o /dev/null --wrap 'sleep 1')
ok "a throttled array runs to the end" wait_for 60 all_done "$id" 5
most=$(tasks_of "$id" | awk '{ s[NR] = $2; e[NR] = $3 }
	END { m = 0; for (i in s) { n = 0
		for (k in s) if (s[k] <= s[i] && e[k] > s[i]) n++
		if (n > m) m = n }; print m }')
ok "the throttle %2 never had more than 2 running ($most)" test "$most" -le 2
is "its task ids follow the step" "$(tasks_of "$id" | awk '{print $1}' |
	sort -n | tr '\n' ' ')" "1 3 5 7 9 "

t0=$(date +%s%N)
id=$(submit_as "$HC_USER1" -H --array=0-999999%50 -o /dev/null --wrap true)
t1=$(date +%s%N)
ok "a 1,000,000-task array is accepted in one request" test -n "$id"
diag "submitted in $(((t1 - t0) / 1000000)) ms"
is "and kept as one record of ranges" "$(job_field "$id" array_tasks)" \
	"0-999999%50"
t0=$(date +%s%N)
q=$(hcqueue -h -o '%i %T')
t1=$(date +%s%N)
is "hcqueue folds it on one line" "$(echo "$q" | grep -c "^${id}_")" 1
like "as ID_[ranges%throttle]" "$q" "^${id}_\\[0-999999%50\\] PENDING"
diag "hcqueue took $(((t1 - t0) / 1000000)) ms"
hccancel "$id"
ok "cancelling the held array ends it" wait_job_state "$id" CANCELLED

id=$(submit_as "$HC_USER1" -H --array=1-10 -o /dev/null --wrap true)
is "hcqueue -r shows one line per task" \
	"$(hcqueue -h -r -o '%i' | grep -c "^${id}_")" 10
ok "its owner cancels a range of tasks" \
	as_user "$HC_USER1" hccancel "${id}_[2-4]"
ok "and one task" as_user "$HC_USER1" hccancel "${id}_7"
is "the rest stay pending" "$(hcqueue -h -o '%i' | grep "^${id}_")" \
	"${id}_[1,5-6,8-10]"
nok "another user may not cancel them" \
	as_user "$HC_USER2" hccancel "${id}_[1-10]"
ok "its owner throttles it" \
	as_user "$HC_USER1" hcctl update job "$id" ArrayTaskThrottle=3
is "and hcqueue shows the throttle" "$(hcqueue -h -o '%i' | grep "^${id}_")" \
	"${id}_[1,5-6,8-10%3]"
ok "hccancel of the array id ends it" hccancel "$id"
is "and nothing of it is left pending" \
	"$(hcqueue -h -t PD -o "%i" | grep -c "^${id}_")" 0
printf '#!/bin/sh\n#HC --array=0-2:2\ntrue\n' >"$HC_TEST_DIR/out/d.sh"
did=$(submit_as "$HC_USER1" -H -o /dev/null d.sh)
is "#HC --array in a script makes an array" \
	"$(job_field "$did" array_tasks)" "0-2:2"
printf '#!/bin/sh\n#SBATCH --array=4-5%%1\ntrue\n' >"$HC_TEST_DIR/out/s.sh"
id2=$(submit_as "$HC_USER1" -H -o /dev/null s.sh)
is "and so does #SBATCH --array" "$(job_field "$id2" array_tasks)" "4-5%1"
hccancel "$did" "$id2"

id=$(submit_as "$HC_USER1" -H --array=0-9%2 -o /dev/null --wrap true)
ctld_restart
is "a pending array survives a controller restart" \
	"$(job_field "$id" array_tasks)" "0-9%2"
hcctl release job "$id"
ok "and all its tasks run after it" wait_for 60 all_done "$id" 10

# Tasks split off after a later job still list together, in task order.
id=$(submit_as "$HC_USER1" --array=1-4%2 -o /dev/null --wrap 'sleep 1')
later=$(submit_as "$HC_USER1" -H -o /dev/null --wrap true)
ok "an array throttled to 2 runs its 4 tasks" wait_for 60 all_done "$id" 4
is "hcqueue lists its tasks in order, before a later job" \
	"$(hcqueue -h -t all -o %i | grep -E "^(${id}_|$later\$)" | tr '\n' ' ')" \
	"${id}_1 ${id}_2 ${id}_3 ${id}_4 $later "
hccancel "$later"

id=$(submit_as "$HC_USER1" --array=0-5%2 -o /dev/null --wrap 'sleep 30')
wait_for 30 sh -c "[ \$(hcqueue -h -t R -o %i | grep -c '^${id}_') = 2 ]"
is "hcqueue -j ID lists the array and its running tasks" \
	"$(hcqueue -h -j "$id" -o '%i %t' | tr '\n' ' ')" \
	"${id}_0 R ${id}_1 R ${id}_[2-5%2] PD "
hccancel "$id"
ok "hccancel ID ends the running tasks too" wait_for 30 sh -c \
	"! hcqueue -h -t R,PD -o %i | grep -q '^${id}_'"

# The last task to start is the array record itself (same id).
id=$(submit_as "$HC_USER1" --array=0-1 -o /dev/null --wrap 'sleep 30')
wait_for 30 sh -c "[ \$(hcqueue -h -t R -o %i | grep -c '^${id}_') = 2 ]"
as_user "$HC_USER1" hccancel "${id}_1"
ok "cancelling the task that is the array record ends it" \
	wait_job_state "$id" CANCELLED
is "and leaves the other task running" \
	"$(hcqueue -h -t R -o %i | grep "^${id}_")" "${id}_0"
hccancel "$id" 2>/dev/null
ok "hccancel ID then ends the other" wait_for 30 sh -c \
	"! hcqueue -h -t R,CG -o %i | grep -q '^${id}_'"

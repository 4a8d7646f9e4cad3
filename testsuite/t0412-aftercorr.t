#!/bin/bash
# Workflows over arrays: aftercorr (task i after task i), following a table
# of what Slurm does for each case, with afterok on one task, singleton and
# --kill-on-invalid-dep in the same pipeline.
#
# Slurm's rule for aftercorr:ID (job_scheduler.c, kept here): a task of
# this array waits for the task of ID with its own index and never starts
# if that one did not complete; a task with no counterpart in ID, or a job
# that is not an array, waits for the whole of ID, as afterok would.
. "$(dirname "$0")/lib/cluster.sh"
plan 31
cluster_start --nodes 2

sub() { submit_as "$HC_USER1" -o /dev/null "$@"; }
# task ARRAY T FIELD: a field of task T of ARRAY (hcctl show job ID_T).
task() { hcctl show job --json "$1_$2" 2>/dev/null |
	jq -r --arg f "$3" '.jobs[-1][$f] // empty'; }
# state_is ARRAY T WANT: C completed, N pending DependencyNeverSatisfied,
# X cancelled.
state_is() {
	case $3 in
	C) [ "$(task "$1" "$2" state)" = COMPLETED ] ;;
	X) [ "$(task "$1" "$2" state)" = CANCELLED ] ;;
	N) [ "$(task "$1" "$2" state)" = PENDING ] &&
	   [ "$(task "$1" "$2" reason)" = DependencyNeverSatisfied ] ;;
	esac
}

# Stage 1: an array whose task 2 fails and task 4 is slow; a plain job.
a=$(sub -J a --array=0-5 --wrap \
	'case $HC_ARRAY_TASK_ID in 2) exit 1;; 4) sleep 4;; esac')
p=$(sub -J p --wrap true)

# Stage 2: name | array | dependency | expected state of each task (C, N,
# X) or of the job.
table="
b   0-5  aftercorr:$a                          C C N C C C
c   0-7  aftercorr:$a                          C C N C C C N N
f   0-5  aftercorr:$a --kill-on-invalid-dep=yes C C X C C C
d   -    aftercorr:$p                          C
e   -    aftercorr:$a                          N
"
declare -A id want
while read -r name arr dep rest; do
	[ -n "$name" ] || continue
	kill=
	case $rest in --kill*) kill=${rest%% *}; rest=${rest#* } ;; esac
	if [ "$arr" = - ]; then
		id[$name]=$(sub -J "$name" --dependency="$dep" $kill \
			--wrap true)
	else
		id[$name]=$(sub -J "$name" --array="$arr" --dependency="$dep" \
			$kill --wrap true)
	fi
	want[$name]=$rest
done <<<"$table"

for name in b c f; do
	t=0
	for w in ${want[$name]}; do
		ok "$name: task $t ends $w" wait_for "$HC_TEST_TIMEOUT" \
			state_is "${id[$name]}" "$t" "$w"
		t=$((t + 1))
	done
done
ok "d: aftercorr on a plain job is afterok" \
	wait_job_state "${id[d]}" COMPLETED
ok "e: a plain job's aftercorr on an array with a failed task never runs" \
	wait_for "$HC_TEST_TIMEOUT" sh -c "hcqueue -h -j ${id[e]} -o %r |
	grep -q DependencyNeverSatisfied"

# Task by task, not the whole array: b's task 4 started after a's task 4
# ended, b's task 0 before it.
ok "b_4 starts after a_4 ends" \
	test "$(task "${id[b]}" 4 start_time)" -ge "$(task "$a" 4 end_time)"
ok "b_0 does not wait for a_4" \
	test "$(task "${id[b]}" 0 start_time)" -lt "$(task "$a" 4 end_time)"
like "hcqueue %E shows what b's failed task waits for" \
	"$(hcqueue -h -j "${id[b]}" -t PD -o '%i %E' | tr -s ' ')" \
	"^${id[b]}_2 aftercorr:$a"

# Tasks split off for aftercorr still obey the array's throttle.
th=$(sub -J th --array=0-5%2 --dependency="aftercorr:$p" --wrap 'sleep 1')
ok "a throttled aftercorr array runs to the end" wait_for 60 sh -c \
	"[ \$(hcctl show job --json $th | jq '[.jobs[] |
	 select(.state == \"COMPLETED\")] | length') = 6 ]"
most=$(hcctl show job --json "$th" | jq -r '.jobs[] |
	"\(.start_time) \(.end_time)"' | awk '{ s[NR] = $1; e[NR] = $2 }
	END { m = 0; for (i in s) { n = 0
		for (k in s) if (s[k] <= s[i] && e[k] > s[i]) n++
		if (n > m) m = n }; print m }')
ok "with never more than 2 running ($most)" test "$most" -le 2

# Stage 3: afterok on one task of stage 2, and two singletons.
g=$(sub -J g --dependency="afterok:${id[b]}_4" --wrap true)
s1=$(sub -J one --dependency="singleton,afterok:${id[b]}_5" --wrap 'sleep 2')
s2=$(sub -J one --dependency=singleton --wrap true)
ok "afterok on a task of stage 2 runs" wait_job_state "$g" COMPLETED
ok "the first singleton runs" wait_job_state "$s1" COMPLETED
ok "the second after it" wait_job_state "$s2" COMPLETED
ok "not before the first ended" \
	test "$(job_field "$s2" start_time)" -ge "$(job_field "$s1" end_time)"
hccancel "${id[b]}" "${id[c]}" "${id[e]}" 2>/dev/null

#!/bin/bash
# A requeued job keeps its id, HC_RESTART_COUNT counts its restarts, and
# --open-mode decides whether its output is appended to or truncated.
. "$(dirname "$0")/lib/cluster.sh"
plan 8
cluster_start

script='echo run=${HC_RESTART_COUNT:-0}
if [ "${HC_RESTART_COUNT:-0}" = 0 ]; then sleep 300; fi'
a=$(submit_as "$HC_USER1" --requeue --open-mode=append \
	-o "$(out_file 'a-%j.out')" --wrap "$script")
t=$(submit_as "$HC_USER1" --requeue --open-mode=truncate \
	-o "$(out_file 't-%j.out')" --wrap "$script")
for id in $a $t; do wait_job_state "$id" RUNNING; done
ok "the jobs run" wait_for 10 eval "grep -q run=0 '$(out_file "a-$a.out")' &&
	grep -q run=0 '$(out_file "t-$t.out")'"
ok "root requeues the append job" hcctl requeue job "$a"
ok "its owner requeues the truncate job" as_user "$HC_USER1" hcctl requeue job "$t"
ok "the append job completes on its second run" wait_job_state "$a" COMPLETED
ok "the truncate job completes on its second run" wait_job_state "$t" COMPLETED
is "append: both runs are in the output" \
	"$(tr '\n' ' ' <"$(out_file "a-$a.out")")" "run=0 run=1 "
is "truncate: only the last run is" \
	"$(tr '\n' ' ' <"$(out_file "t-$t.out")")" "run=1 "
is "the restart count is recorded" "$(job_field "$a" restart_count)" 1

#!/bin/bash
# Steps side by side and their ends: two steps run at once within the job's
# CPUs and a third waits for them; hcqueue -s lists the running ones; SIGINT
# to hcrun reaches the tasks, twice kills them; cancelling the job kills
# its steps' tasks; step records survive a controller restart.
. "$(dirname "$0")/lib/cluster.sh"
plan 13
cluster_start --nodes 2

out=$(out_file sig-%j.out)
id=$(submit_as "$HC_USER1" -N 1 -n 2 -o "$out" --wrap '
hcrun -n 1 sh -c "touch a.$HC_JOB_ID; sleep 3; echo one" &
hcrun -n 1 sh -c "touch b.$HC_JOB_ID; sleep 3; echo two" &
while [ ! -e a.$HC_JOB_ID ] || [ ! -e b.$HC_JOB_ID ]; do sleep 0.1; done
hcrun -n 1 echo three
wait
echo ---
hcrun -n 2 sh -c "trap \"echo got INT; exit 3\" INT; touch c.\$HC_PROCID.$HC_JOB_ID; sleep 30 & wait" &
p=$!
while [ ! -e c.0.$HC_JOB_ID ] || [ ! -e c.1.$HC_JOB_ID ]; do sleep 0.1; done
kill -INT $p; wait $p; echo "rc=$?"
echo ---
hcrun -n 1 sh -c "trap \"\" INT; touch d.$HC_JOB_ID; sleep 30" &
p=$!
while [ ! -e d.$HC_JOB_ID ]; do sleep 0.1; done
kill -INT $p; sleep 0.2; kill -INT $p; wait $p; echo "rc=$?"
rm -f ?.$HC_JOB_ID c.?.$HC_JOB_ID
')
ok "the job completes" wait_job_state "$id" COMPLETED 40
f=$(out_file "sig-$id.out")
sec() { awk -v n="$1" '/^---$/{s++; next} s==n' "$f"; }
is "two steps ran at once and the third waited for a CPU" \
	"$(sec 0 | grep -v '^hcrun' | sort | tr '\n' ' ')" "one three two "
ok "the waiting step said so" grep -q "step waits for resources" "$f"
ok "SIGINT reaches every task" test "$(sec 1 | grep -c 'got INT')" = 2
ok "hcrun exits with their status" grep -qx "rc=3" <(sec 1)
ok "two SIGINTs within a second kill the tasks (128+9)" grep -qx "rc=137" <(sec 2)

# A running step, seen by hcqueue -s, killed with its job.
id=$(submit_as "$HC_USER2" -N 2 -n 2 -o /dev/null --wrap \
	'hcrun -N 2 -n 2 sleep 300')
running() { hcqueue -s -h | grep -q "^ *$id\.[0-9]"; }
ok "hcqueue -s lists the running step" wait_for 20 running
line=$(hcqueue -s | grep "^ *$id\.")
like "with its command, user and nodes" "$line" "sleep 300 +$HC_USER2 .* 2 n\[1-2\]"
is "hcqueue -s --json" "$(hcqueue -s --json | jq -r --argjson j "$id" \
	'[.steps[] | select(.job_id == $j)][0].ntasks')" 2
ok "the step's tasks run as the user" eval "pgrep -u $HC_UID2 -x sleep >/dev/null"
hccancel "$id"
ok "cancelling the job ends it" wait_job_state "$id" CANCELLED 20
ok "and kills the step's tasks on every node" \
	wait_for 10 eval "! pgrep -u $HC_UID2 -x sleep >/dev/null"

ctld_restart
like "steps survive a controller restart" \
	"$(hcctl show job "$id" 2>&1 | grep 'Step=')" "Step=$id\.0 State=CANCELLED"

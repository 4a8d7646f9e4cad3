#!/bin/bash
# Job steps inside a batch job: hcrun -N 2 -n 8 starts 8 tasks over 2 nodes
# with the step's variables, labels lines with -l, lays tasks out block or
# cyclic, exits with the worst task's status and says which task failed.
. "$(dirname "$0")/lib/cluster.sh"
plan 15
cluster_start --nodes 2

out=$(out_file steps-%j.out)
id=$(submit_as "$HC_USER1" -N 2 -n 8 -o "$out" --wrap '
hcrun -N 2 -n 8 sh -c "echo \$HC_PROCID \$HC_NODENAME \$HC_LOCALID \$HC_NODEID \$HC_NTASKS \$HC_STEP_ID" | sort -n
echo ---
hcrun -N 2 -n 4 -m cyclic -l printenv HC_NODENAME | sort
echo ---
hcrun -n 4 sh -c "exit \$HC_PROCID"; echo "rc=$?"
echo ---
hcrun -n 2 sh -c "[ \$HC_PROCID = 1 ] && kill -9 \$\$; true"; echo "rc=$?"
echo ---
echo hello | hcrun -n 2 -l cat
echo ---
echo all | hcrun -n 2 -l -i all cat | sort
echo ---
hcrun -n 2 -o "o.%j.%t" printenv HC_PROCID
cat o.$HC_JOB_ID.0 o.$HC_JOB_ID.1; rm -f o.$HC_JOB_ID.?
')
ok "the job completes" wait_job_state "$id" COMPLETED 40
f=$(out_file "steps-$id.out")
sec() { awk -v n="$1" '/^---$/{s++; next} s==n' "$f"; }
blk=$(sec 0 | grep "^[0-9]")
unlike "no step message before the first step" "$(sec 0)" "^hcrun"
is "8 lines, one per task" "$(printf '%s\n' "$blk" | grep -c .)" 8
is "tasks 0-3 on n1, 4-7 on n2 (block)" \
	"$(printf '%s\n' "$blk" | awk '{print $1 $2}' | tr '\n' ' ')" \
	"0n1 1n1 2n1 3n1 4n2 5n2 6n2 7n2 "
is "HC_LOCALID, HC_NODEID, HC_NTASKS" \
	"$(printf '%s\n' "$blk" | awk '$1==5{print $3, $4, $5}')" "1 1 8"
like "HC_STEP_ID is a step id" "$(printf '%s\n' "$blk" | awk 'NR==1{print $6}')" \
	'^[0-9]+$'
is "cyclic with labels: 0,2 on n1 and 1,3 on n2" "$(sec 1 | tr '\n' ' ')" \
	"0: n1 1: n2 2: n1 3: n2 "
ok "hcrun exits with the highest task status (3)" grep -qx "rc=3" <(sec 2)
ok "and says which task failed" grep -q "task 3 (n2): exited with exit code 3" "$f"
ok "a task killed by a signal: 128+9" grep -qx "rc=137" <(sec 3)
ok "and its signal is named" grep -q "task 1 (n2): killed by signal 9 (SIGKILL)" "$f"
is "stdin goes to task 0 only" "$(sec 4)" "0: hello"
is "-i all: to every task" "$(sec 5 | tr '\n' ' ')" "0: all 1: all "
is "-o with %j and %t: one file per task" "$(sec 6 | tr '\n' ' ')" "0 1 "
s=$(hcctl show job "$id" 2>&1)
like "hcctl show job lists the steps" "$s" "Step=$id\.[0-9]+"

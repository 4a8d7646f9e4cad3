#!/bin/bash
# A step's GPUs and CPUs: --gres=gpu:N gives a step N of the job's GPUs, in
# CUDA_VISIBLE_DEVICES, apart from its other steps'; a step asking for more
# than the job has is refused with what is missing; --cpu-bind=cores binds
# each task to CPUs of its own, and without it the tasks keep to the
# step's CPUs; hcctl show job has the steps' usage. A job given GPUs 2 and 3
# sees them as devices 0 and 1 (its cgroup hides the others), and so do its
# steps.
. "$(dirname "$0")/lib/cluster.sh"
plan 11
cluster_start --nodes 1 --topology "n1=$HC_SRCDIR/testsuite/topologies/gpu4-h100.xml"

out=$(out_file gres-%j.out)
id=$(submit_as "$HC_USER1" -n 4 --gres=gpu:4 -o "$out" --wrap '
hcrun -n 1 --gres=gpu:1 sh -c "echo A=\$CUDA_VISIBLE_DEVICES; sleep 2" &
hcrun -n 1 --gres=gpu:2 sh -c "echo B=\$CUDA_VISIBLE_DEVICES; sleep 2" &
wait
echo ---
hcrun -n 1 --gres=gpu:8 true; echo rc=$?
echo ---
hcrun -n 2 --cpu-bind=cores sh -c "grep Cpus_allowed_list /proc/self/status" | awk "{print \$2}"
echo ---
hcrun -n 1 sh -c "grep Cpus_allowed_list /proc/self/status" | awk "{print \$2}"
')
ok "the job completes" wait_job_state "$id" COMPLETED 30
f=$(out_file "gres-$id.out")
sec() { awk -v n="$1" '/^---$/{s++; next} s==n' "$f"; }
a=$(sec 0 | sed -n 's/^A=//p')
b=$(sec 0 | sed -n 's/^B=//p')
like "a step with --gres=gpu:1 sees one GPU" "$a" '^[0-3]$'
like "one with --gres=gpu:2 sees two" "$b" '^[0-3],[0-3]$'
ok "and they are not the same GPUs" eval "! printf '%s\n' '$b' | tr , '\n' | grep -qx '$a'"
like "a step asking for more GPUs than the job has is refused" \
	"$(sec 1 | tr '\n' ' ')" "asks for 8 GPUs per node; job $id has at most 4 .*rc=1"
is "--cpu-bind=cores: each task bound to one CPU" \
	"$(sec 2 | grep -cxE '[0-9]+')" 2
is "without --cpu-bind a step's task keeps to the step's CPUs (one here)" \
	"$(sec 3 | grep -cxE '[0-9]+')" 1
like "hcctl show job shows the steps' usage" \
	"$(hcctl show job "$id")" "MaxRSS=[1-9][0-9]*K CPUTime="

# GPUs 0 and 1 taken by another job: the next gets 2 and 3.
hold=$(submit_as "$HC_USER1" --gres=gpu:2 -o /dev/null --wrap 'sleep 60')
wait_job_state "$hold" RUNNING
id=$(submit_as "$HC_USER1" --gres=gpu:2 -o "$out" --wrap '
echo JOB=$HC_JOB_GPUS CVD=$CUDA_VISIBLE_DEVICES
hcrun -n 1 --gres=gpu:1 sh -c "echo STEP=\$CUDA_VISIBLE_DEVICES"
')
wait_job_state "$id" COMPLETED 30
hccancel "$hold"
f=$(out_file "gres-$id.out")
is "a job given GPUs 2,3 has them in HC_JOB_GPUS" \
	"$(sed -n 's/^JOB=\([^ ]*\) .*/\1/p' "$f")" 2,3
is "... and sees them as CUDA devices 0,1" \
	"$(sed -n 's/.* CVD=//p' "$f")" 0,1
like "... and so does its step with --gres=gpu:1" \
	"$(sed -n 's/^STEP=//p' "$f")" '^[01]$'

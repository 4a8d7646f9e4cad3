#!/bin/bash
# GPU jobs get the GPUs allocated to them (HC_JOB_GPUS, node indices), two
# jobs never share a device, and the devices cgroup lets a job open only its
# own GPUs (character devices with the NVIDIA major made here with mknod).
# As the GPU runtimes then see only those, numbered from 0, that is what
# CUDA_VISIBLE_DEVICES says: a job given GPUs 2 and 3 gets "0,1". Without
# --mem a GPU job gets DefMemPerGPU per GPU, a CPU job DefMemPerCPU per CPU.
. "$(dirname "$0")/lib/cluster.sh"
plan 12
cluster_start --conf-extra "DefMemPerGPU=512M"

dev=$HC_TEST_DIR/dev
mkdir -p "$dev"
chmod 0755 "$dev"
for i in 0 1 2 3 4 5 6 7; do
	mknod -m 0666 "$dev/nvidia$i" c 195 "$i"
done
# Each job waits for the go file so that all six run at once (12 GPUs on
# n3+n4, 2 each), then tries every device: EPERM from the devices cgroup
# for others' GPUs, anything else (ENXIO: no driver) for its own.
go=$(out_file go)
script='echo CVD=$CUDA_VISIBLE_DEVICES
echo GPUS=$HC_JOB_GPUS
echo NODE=$HC_JOB_NODELIST
while [ ! -e '"$go"' ]; do sleep 0.1; done
for i in 0 1 2 3 4 5 6 7; do
	if err=$( (exec 3<'"$dev"'/nvidia$i) 2>&1 ); then echo "open$i=ok"
	elif echo "$err" | grep -q "not permitted"; then echo "open$i=EPERM"
	else echo "open$i=other"; fi
done'
ids=""
for k in 1 2 3 4 5 6; do
	ids="$ids $(submit_as "$HC_USER1" -p gpu --gres=gpu:2 -J g$k \
		-o "$(out_file 'gpu-%j.out')" --wrap "$script")"
done
n=0
for id in $ids; do wait_job_state "$id" RUNNING && n=$((n + 1)); done
is "six 2-GPU jobs run at once on 12 GPUs" "$n" 6
touch "$go"
n=0
for id in $ids; do wait_job_state "$id" COMPLETED && n=$((n + 1)); done
is "all complete" "$n" 6

bad_count=0 shared="" isolated=0 match=0 ordinals=0
declare -A used=()
for id in $ids; do
	f=$(out_file "gpu-$id.out")
	cvd=$(sed -n 's/^CVD=//p' "$f")
	gpus=$(sed -n 's/^GPUS=//p' "$f")
	node=$(sed -n 's/^NODE=//p' "$f")
	[ "$(echo "$gpus" | tr , '\n' | grep -c '^[0-9]')" = 2 ] ||
		bad_count=$((bad_count + 1))
	[ "$cvd" = 0,1 ] && ordinals=$((ordinals + 1))
	for g in ${gpus//,/ }; do
		[ -z "${used[$node:$g]:-}" ] || shared="$shared $node:$g"
		used[$node:$g]=$id
	done
	want=$(job_field "$id" gpus | jq -r --arg n "$node" \
		'(.[$n] // []) | map(tostring) | join(",")' 2>/dev/null)
	[ "$want" = "$gpus" ] && match=$((match + 1))
	# Only the node's own GPUs exist there (a real node has no others).
	ngpu=$(hcinfo -N --json | jq --arg n "$node" \
		'[(if type == "array" then . else .nodes end)[]
		  | select(.name == $n) | .gpus | length] | .[0] // 8')
	ok_dev=1
	for i in $(seq 0 $((ngpu - 1))); do
		r=$(sed -n "s/^open$i=//p" "$f")
		if [[ ",$gpus," == *",$i,"* ]]; then
			[ "$r" != EPERM ] || ok_dev=0
		else
			[ "$r" = EPERM ] || ok_dev=0
		fi
	done
	[ $ok_dev = 1 ] && isolated=$((isolated + 1))
	diag "job $id on $node: HC_JOB_GPUS=$gpus CUDA_VISIBLE_DEVICES=$cvd;\
 $(grep ^open "$f" | tr '\n' ' ')"
done
is "each job gets 2 GPUs in HC_JOB_GPUS" "$bad_count" 0
is "no device is given to two jobs" "$shared" ""
is "HC_JOB_GPUS lists the GPUs the controller allocated" "$match" 6
is "CUDA_VISIBLE_DEVICES numbers them as the job sees them (0,1)" \
	"$ordinals" 6
is "each job can open its own GPUs and no other (devices cgroup)" \
	"$isolated" 6

id=$(submit_as "$HC_USER1" -p gpu --gres=gpu:h100:1 \
	-o "$(out_file 'typed-%j.out')" --wrap 'echo CVD=$CUDA_VISIBLE_DEVICES')
ok "a typed request gpu:h100:1 runs" wait_job_state "$id" COMPLETED
ok "and gets one device" grep -Eqx 'CVD=[0-9]+' "$(out_file "typed-$id.out")"
id=$(submit_as "$HC_USER1" -o "$(out_file 'cpu-%j.out')" -p batch \
	--wrap 'echo CVD=${CUDA_VISIBLE_DEVICES-unset}')
wait_job_state "$id" COMPLETED
ok "a job without GPUs gets no GPU" \
	grep -Eqx 'CVD=(unset|)' "$(out_file "cpu-$id.out")"
first=$(echo $ids | cut -d' ' -f1)
is "a 2-GPU job without --mem gets DefMemPerGPU x 2" \
	"$(job_field "$first" mem_mb)" 1024
is "a job without GPUs keeps DefMemPerCPU x CPUs" "$(job_field "$id" mem_mb)" 64

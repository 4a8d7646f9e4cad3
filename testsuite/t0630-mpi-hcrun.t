#!/bin/bash
# Direct launch of MPI programs by hcrun, without mpirun: --mpi=pmi2 serves
# MPICH ranks through the agents' simple-PMI servers, fences joined by
# hcrun across nodes; the version spoken is logged; MpiDefault makes it the
# default; a rank that dies ends the step with a message saying which.
# --mpi=pmix serves Open MPI ranks through a per-step hc-pmix helper (where
# the build has OpenPMIx), or says that the build has none.
. "$(dirname "$0")/lib/cluster.sh"
command -v mpicc.mpich >/dev/null ||
	skip_all "mpicc.mpich missing (mpich libmpich-dev)"
plan 23
pmix=$HC_BUILDDIR/src/pmix/hc-pmix
[ -x "$pmix" ] && cp "$pmix" "$HC_TEST_DIR/bin/"
cluster_start --nodes 4 --conf-extra "MpiRshAgent=$HC_TEST_DIR/bin/hc-rsh" \
	--conf-extra "MpiDefault=pmi2" \
	--conf-extra "MpiPmixHelper=$HC_TEST_DIR/bin/hc-pmix"
bin=$HC_TEST_DIR/bin
mpicc.mpich -O1 -o "$bin/hello-mpich" "$HC_SRCDIR/testsuite/mpi/hello.c"
ok "the MPI test program builds with MPICH" test -x "$bin/hello-mpich"

# spread ID STEP-OUTPUT: rank r ran on line r+1 of the node file (block
# layout) in the job's cgroup there, and its HC_NODENAME names that node.
spread() {
	local id=$1 f=$2 r node bad=""
	local nodes=($(cat "$HC_TEST_DIR/out/nodefile-$id" 2>/dev/null))
	[ "${#nodes[@]}" -gt 0 ] || bad="no node file copy"
	for r in $(seq 0 $((${#nodes[@]} - 1))); do
		node=$(grep "^rank=$r " "$f" |
			sed -n 's|.*cgroup=/[^/]*/\([^/]*\)/job_\([0-9]*\).*|\1 \2|p')
		[ "$node" = "${nodes[$r]} $id" ] ||
			bad="$bad rank $r: '$node' not '${nodes[$r]} $id';"
		node=$(grep "^rank=$r " "$f" | sed -n 's|.* node=\([^ ]*\) .*|\1|p')
		[ "$node" = "${nodes[$r]}" ] ||
			bad="$bad rank $r: HC_NODENAME '$node' not '${nodes[$r]}';"
	done
	echo "${bad:-none}"
}

run_pmi2() {		# run_pmi2 NODES TASKS-PER-NODE
	local n=$(($1 * $2)) id f sum
	sum=$((n * (n - 1) / 2))
	id=$(submit_as "$HC_USER1" -N "$1" --ntasks-per-node="$2" -t 5 \
		-o "$(out_file 'pmi2-%j.out')" --wrap "
cp \$HC_NODEFILE $HC_TEST_DIR/out/nodefile-\$HC_JOB_ID
hcrun --mpi=pmi2 -n $n $bin/hello-mpich; echo rc=\$?")
	wait_job_state "$id" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 90
	f=$(out_file "pmi2-$id.out")
	is "-N $1 x $2: hcrun --mpi=pmi2 exits 0" "$(grep ^rc= "$f")" rc=0
	is "-N $1 x $2: $n MPICH ranks, MPI_Allreduce sum right" \
		"$(grep -c "^rank=.* size=$n " "$f") $(grep -c \
		"^allreduce=$sum expected=$sum iters=1 ok" "$f")" "$n 1"
	is "-N $1 x $2: each rank in the job's cgroup of its node" \
		"$(spread "$id" "$f")" none
	is "-N $1 x $2: every rank spoke PMI-1 (logged by the agents)" \
		"$(cat "$HC_TEST_DIR"/log/hcnoded-n*.log |
		   grep -c "job=$id step=[0-9]* pmi version=1 rank=")" "$n"
	[ "$(grep -c ^rank= "$f")" = "$n" ] || diag "$(cat "$f")"
}

run_pmi2 2 4
run_pmi2 4 1

run_pmix() {		# run_pmix NODES TASKS-PER-NODE
	local n=$(($1 * $2)) id f sum
	sum=$((n * (n - 1) / 2))
	id=$(submit_as "$HC_USER1" -N "$1" --ntasks-per-node="$2" -t 5 \
		-o "$(out_file 'pmix-%j.out')" --wrap "
cp \$HC_NODEFILE $HC_TEST_DIR/out/nodefile-\$HC_JOB_ID
hcrun --mpi=pmix -n $n $bin/hello-ompi; echo rc=\$?")
	wait_job_state "$id" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 90
	f=$(out_file "pmix-$id.out")
	is "-N $1 x $2: hcrun --mpi=pmix exits 0" "$(grep ^rc= "$f")" rc=0
	is "-N $1 x $2: $n Open MPI ranks, MPI_Allreduce sum right" \
		"$(grep -c "^rank=.* size=$n " "$f") $(grep -c \
		"^allreduce=$sum expected=$sum iters=1 ok" "$f")" "$n 1"
	is "-N $1 x $2: each rank in the job's cgroup of its node" \
		"$(spread "$id" "$f")" none
	[ "$(grep -c ^rank= "$f")" = "$n" ] || diag "$(cat "$f")"
}

if [ -x "$pmix" ] && command -v mpicc.openmpi >/dev/null; then
	mpicc.openmpi -O1 -o "$bin/hello-ompi" \
		"$HC_SRCDIR/testsuite/mpi/hello.c"
	run_pmix 2 4
	run_pmix 4 1
	out=$(as_user "$HC_USER1" hcrun --mpi=pmix -n 1 true 2>&1)
	unlike "--mpi=pmix is not refused in this build" "$out" "without PMIx"
	tmp_empty() { [ -z "$(ls "$HC_TEST_DIR/tmp")" ]; }
	ok "the helper's PMIx tmpdirs went with the jobs' TMPDIRs" \
		wait_for 20 tmp_empty
else
	out=$(as_user "$HC_USER1" hcrun --mpi=pmix -n 1 true 2>&1)
	like "--mpi=pmix: this build has no PMIx, and says what to install" \
		"$out" "built without PMIx support; install libpmix-dev"
	skip "hc-pmix not built (no libpmix-dev)" 7
fi

id=$(submit_as "$HC_USER1" -N 2 --ntasks-per-node=2 -t 5 \
	-o "$(out_file 'die-%j.out')" --wrap "
HELLO_DIE_RANK=3 HELLO_SLEEP=1 hcrun --mpi=pmi2 -n 4 $bin/hello-mpich
echo rc=\$?")
wait_job_state "$id" "COMPLETED|FAILED" 60
f=$(out_file "die-$id.out")
# Rank 3 exits after its MPI_Init; on a loaded machine rank 0 may still be
# connecting to it then and abort the job itself: either way one message
# names the task that took the step down.
like "a rank that dies ends the step, hcrun saying which" "$(cat "$f")" \
	"task (3 ended before MPI_Finalize|0 aborted the MPI job .*); ending the step"
like "... and hcrun fails" "$(grep ^rc= "$f")" "^rc=[1-9]"

id=$(submit_as "$HC_USER1" -N 1 -n 2 -t 5 -o "$(out_file 'def-%j.out')" \
	--wrap "hcrun -n 2 $bin/hello-mpich; echo rc=\$?
hcrun --mpi=none -n 1 env | grep -c ^PMI_FD=")
wait_job_state "$id" "COMPLETED|FAILED" 60
f=$(out_file "def-$id.out")
is "MpiDefault=pmi2: hcrun without --mpi serves PMI" \
	"$(grep -c "^allreduce=1 expected=1 iters=1 ok" "$f") $(grep ^rc= "$f")" \
	"1 rc=0"
is "... and --mpi=none gives a task no PMI_FD" "$(tail -1 "$f")" 0
like "... the agent logged the version spoken" \
	"$(cat "$HC_TEST_DIR"/log/hcnoded-n*.log)" "job=$id step=0 pmi version=1"

out=$(as_user "$HC_USER1" hcrun --mpi=bogus -n 1 true 2>&1)
like "--mpi=bogus is refused, naming the choices" "$out" \
	"--mpi=bogus: use none, pmi2 \\(MPICH\\) or pmix \\(Open MPI\\)"

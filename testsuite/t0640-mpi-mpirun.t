#!/bin/bash
# mpirun (Open MPI) and mpiexec (MPICH's Hydra) in a batch script, with no
# -hostfile and no ssh: ranks start over every node of the job, as many per
# node as HC_NODEFILE says, each in the job's cgroup of its node, through
# hc-rsh called once per node and launcher; the MPI_Allreduce sum is
# checked. A rank that dies fails the job with the launcher's message, and
# cancelling a running MPI job leaves no process behind on any node.
. "$(dirname "$0")/lib/cluster.sh"
for c in mpicc.openmpi mpirun.openmpi mpicc.mpich mpiexec.mpich; do
	command -v $c >/dev/null ||
		skip_all "$c missing (openmpi-bin libopenmpi-dev mpich libmpich-dev)"
done
plan 26
cluster_start --nodes 4 --conf-extra "MpiRshAgent=$HC_TEST_DIR/bin/hc-rsh"
bin=$HC_TEST_DIR/bin
mpicc.openmpi -O1 -o "$bin/hello-ompi" "$HC_SRCDIR/testsuite/mpi/hello.c" &&
	mpicc.mpich -O1 -o "$bin/hello-mpich" "$HC_SRCDIR/testsuite/mpi/hello.c"
ok "the MPI test program builds with Open MPI and MPICH" test -x "$bin/hello-mpich"
export PMIX_MCA_gds=hash	# the submitting shell's, as a user would have

# check_spread ID LAUNCHER FILE: rank r ran on line r+1 of the node file
# (block placement, what both launchers do), in the job's cgroup there;
# under Open MPI its HC_NODENAME names that node too (Hydra hands every
# rank mpiexec's own environment: see hc-rsh(1), NOTES).
check_spread() {
	local id=$1 what=$2 f=$3 r node want bad=""
	local nodes=($(cat "$HC_TEST_DIR/out/nodefile-$id" 2>/dev/null))
	[ "${#nodes[@]}" -gt 0 ] || bad="no node file copy"
	for r in $(seq 0 $((${#nodes[@]} - 1))); do
		node=$(grep "^$what rank=$r " "$f" |
			sed -n 's|.*cgroup=/[^/]*/\([^/]*\)/job_\([0-9]*\).*|\1 \2|p')
		want="${nodes[$r]} $id"
		[ "$node" = "$want" ] || bad="$bad rank $r: '$node' not '$want';"
		[ "$what" = ompi ] || continue
		node=$(grep "^$what rank=$r " "$f" |
			sed -n 's|.* node=\([^ ]*\) .*|\1|p')
		[ "$node" = "${nodes[$r]}" ] ||
			bad="$bad rank $r: HC_NODENAME '$node' not '${nodes[$r]}';"
	done
	is "$what: each rank runs in the job's cgroup of the node HC_NODEFILE gives it" \
		"${bad:-none}" none
}

# rsh_count ID NODE: how many hc-rsh starts the agents logged for NODE.
rsh_count() {
	cat "$HC_TEST_DIR"/log/hcnoded-n*.log |
		grep -c "rsh job=$1 uid=$HC_UID1 host=$2 "
}

run_mpi() {		# run_mpi NODES TASKS-PER-NODE
	local id f n
	id=$(submit_as "$HC_USER1" -N "$1" --ntasks-per-node="$2" -t 5 \
		-o "$(out_file 'mpi-%j.out')" --wrap "
cp \$HC_NODEFILE $HC_TEST_DIR/out/nodefile-\$HC_JOB_ID
mpirun.openmpi $bin/hello-ompi >\$TMPDIR/o 2>&1
echo ompi_rc=\$?
sed 's/^/ompi /' \$TMPDIR/o
mpiexec.mpich $bin/hello-mpich >\$TMPDIR/o 2>&1
echo mpich_rc=\$?
sed 's/^/mpich /' \$TMPDIR/o")
	wait_job_state "$id" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 120
	is "-N $1 x $2: the job completes" "$(job_state "$id")" COMPLETED
	f=$(out_file "mpi-$id.out")
	local want=$(($1 * $2)) sum=$(($1 * $2 * ($1 * $2 - 1) / 2))
	is "-N $1 x $2: mpirun and mpiexec exit 0" \
		"$(grep -E '^(ompi|mpich)_rc=' "$f" | tr '\n' ' ')" \
		"ompi_rc=0 mpich_rc=0 "
	is "-N $1 x $2: $want Open MPI ranks, MPI_Allreduce sum right" \
		"$(grep -c "^ompi rank=.* size=$want " "$f") $(grep -c \
		"^ompi allreduce=$sum expected=$sum iters=1 ok" "$f")" "$want 1"
	is "-N $1 x $2: $want MPICH ranks, MPI_Allreduce sum right" \
		"$(grep -c "^mpich rank=.* size=$want " "$f") $(grep -c \
		"^mpich allreduce=$sum expected=$sum iters=1 ok" "$f")" "$want 1"
	check_spread "$id" ompi "$f"
	check_spread "$id" mpich "$f"
	local counts=""
	for n in $(sort -u "$HC_TEST_DIR/out/nodefile-$id"); do
		counts="$counts $n:$(rsh_count "$id" "$n")"
	done
	like "-N $1 x $2: hc-rsh was called once per node and launcher" \
		"$counts" "^( n[0-9]+:2){$1}\$"
	[ "$(grep -c . "$f")" -gt 0 ] || diag "$(cat "$f")"
}

run_mpi 2 2
run_mpi 4 1

# A rank that dies takes the job down with the launcher's message.
id=$(submit_as "$HC_USER1" -N 2 --ntasks-per-node=2 -t 5 \
	-o "$(out_file 'die-%j.out')" --wrap "
mpirun.openmpi -x HELLO_DIE_RANK=3 -x HELLO_SLEEP=1 $bin/hello-ompi")
ok "a rank that dies fails the job" wait_job_state "$id" FAILED 90
like "... and mpirun says which process exited" \
	"$(cat "$(out_file "die-$id.out")")" "exited|non-zero status"

# A launch hc-rsh refuses (a host outside the job) does not leave Hydra
# waiting for ever for its proxy: hc-rsh ends mpiexec, saying so.
id=$(submit_as "$HC_USER1" -N 1 -n 1 -t 5 -o "$(out_file 'hydra-%j.out')" \
	--wrap "printf '%s\n' \$HC_NODENAME nosuchnode >\$TMPDIR/hosts
HYDRA_HOST_FILE=\$TMPDIR/hosts mpiexec.mpich -n 2 $bin/hello-mpich
echo rc=\$?")
ok "mpiexec whose launch was refused ends, and so does the job" \
	wait_job_state "$id" COMPLETED 60
f=$(out_file "hydra-$id.out")
like "... hc-rsh saying why" "$(cat "$f")" "nosuchnode: not a node of this job"
like "... and that it ended mpiexec" "$(cat "$f")" "hc-rsh: ending mpiexec"

# Cancel while the ranks run: nothing is left on any node.
id=$(submit_as "$HC_USER1" -N 2 --ntasks-per-node=2 -t 5 \
	-o "$(out_file 'cancel-%j.out')" --wrap "
mpirun.openmpi -x HELLO_SLEEP=300 $bin/hello-ompi")
ranks_up() { [ "$(grep -c '^rank=' "$(out_file "cancel-$id.out")")" = 4 ]; }
ok "the MPI job to cancel has its 4 ranks running" wait_for 60 ranks_up
sleep 1	# the ranks are in their sleep now
ranks_run() { [ "$(pgrep -u "$HC_USER1" -f "^$bin/hello-ompi" | wc -l)" = 4 ]; }
ok "the ranks still run" ranks_run
ok "hccancel ends it" as_user "$HC_USER1" hccancel "$id"
ok "it is CANCELLED" wait_job_state "$id" CANCELLED 60
procs_gone() { [ "$(pgrep -u "$HC_USER1" -f "$bin/hello-ompi|orted" | wc -l)" = 0 ]; }
ok "no rank is left on any node" wait_for 30 procs_gone
cg_gone() {
	local d
	for d in /sys/fs/cgroup/freezer/"$HC_CGROUP_PREFIX"/*/job_"$id"; do
		[ -d "$d" ] && return 1
	done
	return 0
}
ok "the job's cgroups are gone on every node" wait_for 30 cg_gone

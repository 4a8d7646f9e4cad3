#!/bin/bash
# The simple-PMI server (src/common/pmi2.c) with real MPICH ranks, without a
# cluster: pmi_launch forks the ranks over pretend nodes, one server each,
# and joins their fences the way hcrun does across node agents. Checks the
# wire version spoken, PMI_process_mapping, the checked MPI_Allreduce, and
# that a rank dying before MPI_Finalize takes the others down.
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"
n=0
failed=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
command -v mpicc.mpich >/dev/null || {
	echo "1..0 # SKIP mpicc.mpich missing (Debian's mpich, libmpich-dev)"
	exit 0
}
echo "1..9"
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-t0620.XXXXXX")
trap 'rm -rf "$dir"' EXIT
launch=$HC_BUILDDIR/testsuite/pmi_launch
mpicc.mpich -O1 -o "$dir/hello" "$HC_SRCDIR/testsuite/mpi/hello.c"
result $? "the MPI test program builds with MPICH"

out=$(timeout 60 "$launch" -n 4 -N 2 "$dir/hello" 2>&1)
result $? "4 MPICH ranks over 2 servers run to the end"
diag "$out"
printf '%s\n' "$out" | grep -q "^allreduce=6 expected=6 iters=1 ok$"
result $? "their MPI_Allreduce sum is right"
[ "$(printf '%s\n' "$out" | grep -c '^rank=.* size=4 ')" = 4 ]
result $? "every rank saw size 4"
[ "$(printf '%s\n' "$out" | grep -c 'pmi_version=1 status=0')" = 4 ]
result $? "MPICH 4.0 spoke PMI-1 (cmd=init pmi_version=1) to every server"
printf '%s\n' "$out" | grep -q "^pmi_launch: mapping=(vector,(0,2,2))$"
result $? "PMI_process_mapping describes 2 nodes of 2 ranks"

out=$(HELLO_ITERS=20 timeout 60 "$launch" -n 8 -N 3 "$dir/hello" 2>&1)
result $? "8 ranks over 3 uneven nodes run (mapping (0,2,3),(2,1,2))"
printf '%s\n' "$out" | grep -q "^allreduce=28 expected=28 iters=20 ok$"
result $? "... and 20 allreduces sum right"

start=$SECONDS
out=$(HELLO_DIE_RANK=2 timeout 60 "$launch" -n 4 -N 2 "$dir/hello" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && [ $((SECONDS - start)) -lt 20 ] &&
	printf '%s\n' "$out" | grep -q "rank 2 aborts.*before MPI_Finalize"
result $? "a rank dying before MPI_Finalize takes the others down, saying so"
diag "$out"
[ "$failed" -eq 0 ]

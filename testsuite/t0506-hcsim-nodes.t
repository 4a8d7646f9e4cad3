#!/bin/bash
# hcsim on the nodes of an hc.conf (--conf with NodeName lines): a job of
# p processors is spread over nodes (testsuite/sim/golden-n.swf on two
# nodes of 4 CPUs: the hand-computed schedules of golden-n.{fcfs,easy,
# conservative}); --procs still means one node; conservative keeps every
# promise across 16 nodes (the planner keeps a promised job to the nodes
# of its plan) on the first 1,200 jobs of the shared trace, which break
# promises when the nodes are not handed back; a node without CPUs= is
# refused; --reservation holds every node. Needs no cluster.
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"
export HC_SCHED_PLUGIN_DIR=$HC_BUILDDIR/plugins/sched/.libs
sim=$HC_BUILDDIR/src/hcsim/hcsim
dir=$HC_SRCDIR/testsuite/sim
trace=$HC_SRCDIR/../shared/fixtures/traces/lublin_256.swf
n=0
failed=0
result() {		# result RC DESC
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..7"
for p in fcfs easy conservative; do
	got=$("$sim" --policy "$p" --check --schedule \
		--conf "$dir/golden-n.conf" "$dir/golden-n.swf" | grep '^job ')
	want=$(cat "$dir/golden-n.$p")
	[ "$got" = "$want" ] && [ "${PIPESTATUS[0]}" -eq 0 ]
	result $? "golden-n $p: the hand-computed schedule on two nodes"
	[ "$got" = "$want" ] ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
done

# One node of 8 CPUs has room for job 7 beside jobs 4 and 6 at 21.
got=$("$sim" --policy conservative --procs 8 --schedule \
	--conf "$dir/golden-n.conf" "$dir/golden-n.swf" | grep '^job 7 ')
[ "$got" = "job 7 submit 21 start 21 end 23 procs 4" ]
result $? "--procs 8 is one node, not the conf's two (got: $got)"

if [ -r "$trace" ]; then
	printf 'NodeName=n[01-16] CPUs=16 RealMemory=64000\n' >"$tmp/m16.conf"
	head -1200 "$trace" >"$tmp/l1200.swf"
	out=$("$sim" --policy conservative --check --conf "$tmp/m16.conf" \
		"$tmp/l1200.swf" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [[ $out == *"jobs 1193"* ]]
	result $? "conservative keeps every promise on 16 nodes (rc $rc)"
else
	echo "ok $((n += 1)) # SKIP no $trace"
fi

printf 'NodeName=z1\n' >"$tmp/bad.conf"
err=$("$sim" --conf "$tmp/bad.conf" "$dir/golden-n.swf" 2>&1)
[ $? -eq 1 ] && [[ $err == *"bad.conf:1: NodeName=z1: hcsim needs its CPUs="* ]]
result $? "a node without CPUs= is refused, naming it (got: $err)"

got=$("$sim" --policy easy --schedule --reservation 0:30 \
	--conf "$dir/golden-n.conf" "$dir/golden-n.swf" | grep '^job 1 ')
[ "$got" = "job 1 submit 0 start 30 end 40 procs 4" ]
result $? "--reservation holds both nodes (got: $got)"

exit $((failed > 0))

#!/bin/bash
# hcsim --cloud: the burst decision of libhcsched in the replay. On
# testsuite/sim/golden-a.swf (EASY): a BurstAfter no wait reaches starts
# no node and gives the schedule of no cloud at all; BurstAfter=0 starts
# nodes, lowers the average wait and costs something; a BurstAfter between
# starts fewer nodes than 0. Needs no cluster.
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"
export HC_SCHED_PLUGIN_DIR=$HC_BUILDDIR/plugins/sched/.libs
sim=$HC_BUILDDIR/src/hcsim/hcsim
trace=$HC_SRCDIR/testsuite/sim/golden-a.swf
n=0
failed=0
t() {	# t DESC CMD...
	n=$((n + 1))
	if "${@:2}"; then echo "ok $n - $1"; else
		echo "not ok $n - $1"; failed=$((failed + 1)); fi
}
run() {	# run AFTER [more options]: hcsim's figures
	local a=$1
	shift
	"$sim" --policy easy "$@" --cloud \
		"pool=b nodes=2 procs=4 boot=2 cost=1000 after=$a suspend=5" \
		"$trace"
}
fig() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

echo "1..7"
none=$("$sim" --policy easy --schedule "$trace" | grep '^job ')
never=$(run 1000d --schedule)
t "a BurstAfter no wait reaches starts no node" \
	test "$(fig "$never" cloud_starts)" = 0
t "... and gives the schedule of no cloud" \
	test "$(echo "$never" | grep '^job ')" = "$none"
zero=$(run 0)
t "BurstAfter=0 starts nodes" test "$(fig "$zero" cloud_starts)" -gt 0
t "... that cost node-hours times CostPerNodeHour" awk -v h="$(fig \
	"$zero" cloud_node_hours)" -v c="$(fig "$zero" cloud_cost)" \
	'BEGIN { exit !(h > 0 && c > 990 * h && c < 1010 * h) }'
t "... and lower the average wait" awk -v a="$(fig "$zero" avg_wait)" \
	-v b="$(fig "$never" avg_wait)" 'BEGIN { exit !(a < b) }'
mid=$(run 5)
t "BurstAfter=5 s starts fewer nodes than 0" \
	test "$(fig "$mid" cloud_starts)" -lt "$(fig "$zero" cloud_starts)"
json=$(run 0 --json)
t "--json carries cloud_node_hours and cloud_cost" \
	eval 'echo "$json" | jq -e ".cloud_node_hours > 0 and .cloud_cost > 0" >/dev/null'
exit $((failed > 0))

#!/bin/bash
# hcsim --cloud: the burst decision of libhcsched in the replay. On
# testsuite/sim/golden-a.swf (EASY): a BurstAfter no wait reaches starts
# no node and gives the schedule of no cloud at all; BurstAfter=0 starts
# nodes, lowers the average wait and costs something; a BurstAfter between
# starts fewer nodes than 0. ResumeRate (rate=) and MaxNodes (max=) bound
# the starts; an hc.conf CloudPool line (--conf) gives BurstAfter and the
# others when --cloud leaves them out. Without its plugins hcsim says where
# they are. Needs no cluster.
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

echo "1..14"
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

# ResumeRate and MaxNodes (the trace lasts well under an hour).
spec="pool=b nodes=2 procs=4 boot=2 cost=1000 after=0 suspend=5"
rate=$("$sim" --policy easy --cloud "$spec rate=1/h" "$trace")
t "BurstAfter=0 alone starts more than one node" \
	test "$(fig "$zero" cloud_starts)" -gt 1
t "ResumeRate=1/h starts one node in the hour" \
	test "$(fig "$rate" cloud_starts)" = 1
t "... and the jobs it held back wait longer" awk \
	-v a="$(fig "$rate" avg_wait)" -v b="$(fig "$zero" avg_wait)" \
	'BEGIN { exit !(a > b) }'
max=$("$sim" --policy easy --cloud "$spec max=1" "$trace")
t "MaxNodes=1 starts fewer nodes, and jobs wait longer" awk \
	-v s="$(fig "$max" cloud_starts)" -v s0="$(fig "$zero" cloud_starts)" \
	-v a="$(fig "$max" avg_wait)" -v b="$(fig "$zero" avg_wait)" \
	'BEGIN { exit !(s < s0 && a > b) }'
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
progs="ResumeProgram=/bin/true SuspendProgram=/bin/true"
printf '%s\n' "NodeName=n1 CPUs=4" "QueueName=batch Nodes=ALL Default=YES" \
	"CloudPool=b Nodes=c[1-2] CPUs=4 RealMemory=1G BurstAfter=300d $progs" \
	>"$tmp/hc.conf"
conf=$("$sim" --policy easy --conf "$tmp/hc.conf" --cloud \
	"nodes=2 procs=4 boot=2 suspend=5" "$trace" 2>&1)
t "--conf's CloudPool gives BurstAfter: no node starts" \
	test "$(fig "$conf" cloud_starts)" = 0
sed -i 's/BurstAfter=300d/BurstAfter=0/' "$tmp/hc.conf"
conf=$("$sim" --policy easy --conf "$tmp/hc.conf" --cloud \
	"nodes=2 procs=4 boot=2 suspend=5" "$trace" 2>&1)
t "... and BurstAfter=0 there starts them" \
	test "$(fig "$conf" cloud_starts)" -gt 0
# Where the plugins are not (hcsim run from a build tree, hc not
# installed): the error says where they are.
out=$("$sim" --plugin-dir=/nonexistent/plugins --policy easy "$trace" 2>&1)
t "without its plugins, hcsim says where to find them" \
	eval 'case $out in *"plugins/sched/.libs in a build tree"*) ;; *) false ;; esac'
exit $((failed > 0))

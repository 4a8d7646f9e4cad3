#!/bin/bash
# hcsim --accounts --cloud: the accounts' cloud budgets (GrpCloudNodeMins,
# GrpCloudCost) bound the burst decision as in hcctld. On
# testsuite/sim/cloud-budget.swf (six jobs of account lab, each on a
# cloud node of its own): without a budget lab spends 6.00; with
# GrpCloudCost=3 on lab, or on its parent, it spends no more than 3, its
# later jobs are refused a node and wait; GrpCloudNodeMins likewise; a
# budget on a sibling changes nothing; the figures name each account's
# use against its budgets. The case t0871 runs on a cluster (a budget of 1
# node-minute, jobs of 1 minute running 2 s) ends here as it does there:
# the first job starts a node, the next is refused. A running job holds
# its worst case (nodes x time limit) ahead: a second job is refused, and
# does not take the idle node, while the first holds the budget, so no
# budget is ever charged past its limit; jobs sharing a node are each
# charged their share of it; `account root` sets a site-wide one. Needs no
# cluster.
. "$(dirname "$0")/lib/hcsim.sh"

trace=$dir/cloud-budget.swf
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
spec="pool=b nodes=2 procs=4 boot=2 cost=60 after=0 suspend=5"
tree() {	# tree FILE [LINE-SUFFIXES: dept= lab= other=]
	local f=$1 dept=$2 lab=$3 other=$4
	printf '%s\n' "account dept $dept" "account lab Parent=dept $lab" \
		"account other Parent=dept $other" "user 1 Account=lab" \
		"user 2 Account=other" >"$f"
}
run() {		# run ACCOUNTS [more options]: hcsim's figures
	local a=$1
	shift
	"$sim" --policy easy --accounts "$a" --cloud "$spec" "$@" "$trace"
}
fig() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
acct() {	# acct FIGURES NAME FIELD: a cloud_account line's field
	echo "$1" | awk -v a="$2" -v f="$3" '$1 == "cloud_account" &&
		$2 == a { for (i = 3; i < NF; i += 2) if ($i == f)
		print $(i + 1) }'
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

echo "1..18"
tree "$tmp/none"
none=$(run "$tmp/none" --schedule)
cost=$(acct "$none" lab cost)
[ "$cost" = 6.00 ] && [ "$(fig "$none" cloud_budget_jobs)" = 0 ]
result $? "without a budget, lab spends 6.00 on six nodes (got: $cost)"
[ "$(echo "$none" | grep '^job ')" = \
	"$("$sim" --policy easy --cloud "$spec" --schedule "$trace" |
		grep '^job ')" ]
result $? "... the schedule of a replay without --accounts"

tree "$tmp/cost" "" GrpCloudCost=3
with=$(run "$tmp/cost")
cost=$(acct "$with" lab cost)
le "$cost" 3 && gt "$(acct "$none" lab cost)" "$cost"
result $? "GrpCloudCost=3 on lab: it spends no more than 3 (got: $cost)"
[ "$(fig "$with" cloud_budget_jobs)" = 4 ] &&
	gt "$(fig "$with" cloud_budget_refusals)" 3
result $? "... its four later jobs are refused a node by the budget"
[ "$(fig "$with" cloud_starts)" -lt "$(fig "$none" cloud_starts)" ] &&
	gt "$(fig "$with" avg_wait)" "$(fig "$none" avg_wait)"
result $? "... fewer nodes start, and jobs wait longer"
[ "$(acct "$with" lab grp_cloud_cost)" = 3 ] &&
	[ "$(acct "$with" root cost)" = "$cost" ] &&
	[ "$(acct "$with" lab refused)" = \
		"$(fig "$with" cloud_budget_refusals)" ] &&
	[ "$(acct "$with" root refused)" = 0 ]
result $? "... each account's use is shown against its budget, and its refusals"

tree "$tmp/mins" "" GrpCloudNodeMins=3
with=$(run "$tmp/mins")
h=$(acct "$with" lab node_hours)
le "$(awk -v h="$h" 'BEGIN { print h * 60 }')" 3 &&
	[ "$(fig "$with" cloud_budget_jobs)" -gt 0 ]
result $? "GrpCloudNodeMins=3: no more than 3 node-minutes (got: $h h)"

tree "$tmp/parent" GrpCloudCost=3
with=$(run "$tmp/parent")
le "$(acct "$with" lab cost)" 3 && [ "$(fig "$with" cloud_budget_jobs)" = 4 ] &&
	[ "$(acct "$with" dept refused)" -gt 0 ]
result $? "a parent's budget binds its subtree, and is named"

tree "$tmp/sibling" "" "" GrpCloudCost=1
with=$(run "$tmp/sibling" --schedule)
[ "$(echo "$with" | grep '^job ')" = "$(echo "$none" | grep '^job ')" ] &&
	[ "$(fig "$with" cloud_budget_jobs)" = 0 ]
result $? "a sibling's budget does not bind lab"

json=$(run "$tmp/cost" --json)
echo "$json" | jq -e '.cloud_budget_jobs == 4 and .cloud_budget_refusals > 0
	and (.cloud_accounts[] | select(.name == "lab") |
	     .cost <= 3 and .grp_cloud_cost == 3 and .refused > 0)' >/dev/null
result $? "--json carries the refusals and each account's use and budget"

# As t0871 on a cluster: GrpCloudNodeMins=1, jobs of 1 minute running 2 s.
printf '%s\n' "; MaxProcs: 4" \
	"1   0 -1 2000 4 -1 -1 4 2000 -1 1 3 -1 -1 -1 -1 -1 -1" \
	"2  10 -1    2 4 -1 -1 4   60 -1 1 1 -1 -1 -1 -1 -1 -1" \
	"3 100 -1    2 4 -1 -1 4   60 -1 1 1 -1 -1 -1 -1 -1 -1" \
	>"$tmp/t0871.swf"
tree "$tmp/one" "" GrpCloudNodeMins=1
one=$("$sim" --policy easy --accounts "$tmp/one" --cloud "$spec" \
	--schedule "$tmp/t0871.swf")
[ "$(fig "$one" cloud_jobs)" = 1 ] &&
	[ "$(fig "$one" cloud_budget_jobs)" = 1 ] &&
	echo "$one" | grep -q '^job 3 submit 100 start 2000 '
result $? "as in hcctld (t0871): the first job starts a node, the next waits"

# Two jobs at once: the first (limit 100 s: 1.67 at 60 an hour) holds its
# worst case while it runs, so the second (as much) does not fit the 1.33
# left: it gets no node, and is not placed on the first one's node once
# that is idle; after the first is charged its 95 s (1.58) the 1.42 left
# still does not fit job 4. Nothing is charged past the budget.
printf '%s\n' "; MaxProcs: 4" \
	"1   0 -1 2000 4 -1 -1 4 2000 -1 1 3 -1 -1 -1 -1 -1 -1" \
	"2  10 -1   95 4 -1 -1 4  100 -1 1 1 -1 -1 -1 -1 -1 -1" \
	"3  20 -1   95 4 -1 -1 4  100 -1 1 1 -1 -1 -1 -1 -1 -1" \
	"4 300 -1   60 4 -1 -1 4  100 -1 1 1 -1 -1 -1 -1 -1 -1" \
	>"$tmp/over.swf"
over=$("$sim" --policy easy --accounts "$tmp/cost" --cloud "$spec" \
	--schedule "$tmp/over.swf")
cost=$(acct "$over" lab cost)
le "$cost" 3 && [ "$(fig "$over" cloud_jobs)" = 1 ] &&
	echo "$over" | grep -q '^job 3 submit 20 start 2000 ' &&
	echo "$over" | grep -q '^job 4 submit 300 start 2095 '
result $? "a running job holds the budget: the next is refused, even the idle node (got: $cost)"
none=$("$sim" --policy easy --accounts "$tmp/none" --cloud "$spec" \
	--schedule "$tmp/over.swf")
gt "$(acct "$none" lab cost)" 3 && [ "$(fig "$none" cloud_jobs)" -gt 1 ]
result $? "... which without the budget run on the cloud, for more than 3"

# Jobs sharing a node: two of 2 processors on one 4-processor node, 60 s
# each, are each charged half of it: 1 node-minute in all (1.00), while
# the pool pays the node's boot and idle time too.
printf '%s
' "; MaxProcs: 4" \
	"1   0 -1 2000 4 -1 -1 4 2000 -1 1 3 -1 -1 -1 -1 -1 -1" \
	"2  10 -1   60 2 -1 -1 2   60 -1 1 1 -1 -1 -1 -1 -1 -1" \
	"3  10 -1   60 2 -1 -1 2   60 -1 1 1 -1 -1 -1 -1 -1 -1" \
	>"$tmp/share.swf"
share=$("$sim" --policy easy --accounts "$tmp/none" --cloud "$spec" \
	"$tmp/share.swf")
[ "$(fig "$share" cloud_starts)" = 1 ] &&
	[ "$(fig "$share" cloud_jobs)" = 2 ] &&
	[ "$(acct "$share" lab cost)" = 1.00 ] &&
	gt "$(fig "$share" cloud_cost)" 1.00
result $? "jobs sharing a node are each charged their share (got: $(acct "$share" lab cost))"

# Never past the budget, whatever it is.
bad=
for c in 1 2 3 4 5; do
	tree "$tmp/c$c" "" GrpCloudCost=$c
	got=$(acct "$(run "$tmp/c$c")" lab cost)
	le "$got" "$c" || bad="$bad $c:$got"
done
[ -z "$bad" ]
result $? "no budget of 1 to 5 is charged past (over:$bad)"

# A site-wide budget: keys on the root that every tree has.
printf 'account root GrpCloudCost=3\n' >"$tmp/root"
with=$(run "$tmp/root")
le "$(acct "$with" root cost)" 3 && [ "$(fig "$with" cloud_budget_jobs)" = 4 ]
result $? "account root: a budget on the whole site"

bad=$(printf 'account a\nuser 1 Account=a GrpCloudCost=3\n' |
	"$sim" --accounts /dev/stdin --cloud "$spec" "$trace" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"/dev/stdin:2: GrpCloudCost: not a key"* ]]
result $? "a budget on a user is refused with its line (got: $bad)"
bad=$(printf 'account a GrpCloudNodeMins=lots\n' |
	"$sim" --accounts /dev/stdin --cloud "$spec" "$trace" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"/dev/stdin:1: GrpCloudNodeMins: lots"* ]]
result $? "a budget that is not a number is refused (got: $bad)"

exit $((failed > 0))

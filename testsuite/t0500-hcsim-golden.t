#!/bin/bash
# hcsim on small hand-computed traces (testsuite/sim/golden-*.swf): each
# policy's schedule must be exactly the one worked out by hand in
# golden-*.{fcfs,easy,conservative} (requested times above the run time,
# runs capped at the requested time, EASY and conservative telling apart),
# --check must hold, --json must carry exactly the documented keys, a
# malformed trace is refused with its line number, and without --policy
# hc.conf's BackfillDepth decides. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..11"
for t in a b; do
	for p in fcfs easy conservative; do
		got=$("$sim" --policy "$p" --check --schedule \
			"$dir/golden-$t.swf" | grep '^job ')
		want=$(cat "$dir/golden-$t.$p")
		[ "$got" = "$want" ]
		result $? "golden-$t $p: the hand-computed schedule"
		[ "$got" = "$want" ] ||
			diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	done
done

keys=$("$sim" --policy easy --json "$dir/golden-a.swf" |
	jq -r 'keys_unsorted | join(",")')
[ "$keys" = "jobs,makespan,utilization,avg_wait,median_wait,p95_wait,avg_bsld,pass_avg_s,pass_max_s" ]
result $? "--json prints exactly the documented keys"

util=$("$sim" --policy fcfs --json "$dir/golden-a.swf" | jq -r .utilization)
# sum run x procs = 20+20+6+4+8+4+18+1+40+5+8+2 = 136; 4 x 41 = 164
[ "$util" = "0.8293" ]
result $? "FCFS utilisation of golden-a is 136 / (4 x 41) (got $util)"

bad=$(printf '; MaxProcs: 4\n1 0 -1 10 2 -1 -1 2 10 -1 1 1 -1 -1 -1 -1 -1 -1\n2 0 -1 ten 2\n' |
	"$sim" --policy easy - 2>&1)
[ $? -ne 0 ] && [[ $bad == *"stdin:3: field 4 (run time): 'ten' is not a number"* ]]
result $? "a malformed line is refused with its number (got: $bad)"

"$sim" --policy sometimes "$dir/golden-a.swf" 2>&1 | grep -q "give fcfs, easy or conservative"
result $? "an unknown policy names the ones there are"

conf=$(mktemp) || exit 1
printf 'ClusterName=sim\nBackfillDepth=0\n' >"$conf"
got=$(HC_CONF=$conf "$sim" --schedule "$dir/golden-b.swf" | grep '^job ')
rm -f "$conf"
[ "$got" = "$(cat "$dir/golden-b.fcfs")" ]
result $? "no --policy: \$HC_CONF's BackfillDepth=0 gives the FCFS schedule"

exit $((failed > 0))

#!/bin/bash
# hcsim replays GrpResMins budgets and QOS (--accounts with qos lines and
# DefaultQOS): the hand-computed schedules of testsuite/sim/golden-m.swf
# (a budget holding a job while CPUs are free, a QOS's GrpJobs,
# MaxJobsPerUser and Priority, MaxWall dropping a job) under every policy
# with --check; without the tree the budget holds nothing; a bad qos line
# is refused with its line. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..6"
for p in fcfs easy conservative; do
	got=$("$sim" --policy "$p" --check --schedule \
		--accounts "$dir/golden-m.accounts" --conf "$dir/golden-m.conf" \
		"$dir/golden-m.swf" | grep '^job ')
	want=$(cat "$dir/golden-m.$p")
	[ "$got" = "$want" ] && [ "${PIPESTATUS[0]}" -eq 0 ]
	result $? "golden-m $p: the hand-computed schedule under budgets and QOS"
	[ "$got" = "$want" ] ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
done

got=$("$sim" --policy easy --accounts "$dir/golden-m.accounts" \
	--conf "$dir/golden-m.conf" "$dir/golden-m.swf" | grep '^dropped ')
[ "$got" = "dropped 1" ]
result $? "MaxWall drops the job asking more (got: $got)"

got=$("$sim" --policy easy --schedule "$dir/golden-m.swf" | grep '^job 3 ')
[ "$got" = "job 3 submit 0 start 0 end 30 procs 1" ]
result $? "without the tree job 3 starts at once (got: $got)"

bad=$(printf 'qos q Preemption=yes\n' |
	"$sim" --accounts /dev/stdin "$dir/golden-m.swf" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"/dev/stdin:1: Preemption: not a key hcsim replays for a qos"* ]]
result $? "a qos key hcsim cannot replay is refused (got: $bad)"

exit $((failed > 0))

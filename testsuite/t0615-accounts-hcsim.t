#!/bin/bash
# hcsim under tree quotas (--accounts): the hand-computed schedule of
# testsuite/sim/golden-q.swf (a job held by its parent account's GrpRes
# while CPUs are free, a GrpJobs of 1) under every policy, --check holding,
# a different schedule without the tree, and a bad tree file refused with
# its line. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..6"
want=$(cat "$dir/golden-q.easy")
for p in fcfs easy conservative; do
	got=$("$sim" --policy "$p" --check --schedule \
		--accounts "$dir/golden-q.accounts" "$dir/golden-q.swf" |
		grep '^job ')
	[ "$got" = "$want" ] && [ "${PIPESTATUS[0]}" -eq 0 ]
	result $? "golden-q $p: the hand-computed schedule under quotas"
	[ "$got" = "$want" ] ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
done

got=$("$sim" --policy easy --schedule "$dir/golden-q.swf" | grep '^job 2 ')
[ "$got" = "job 2 submit 0 start 0 end 5 procs 2" ]
result $? "without the tree, job 2 starts at once (got: $got)"

bad=$(printf 'account a\nuser 1 Account=b\n' |
	"$sim" --accounts /dev/stdin "$dir/golden-q.swf" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"/dev/stdin:2: Account=b: no such account"* ]]
result $? "an unknown account is refused with its line (got: $bad)"

bad=$(printf 'account a GrpSubmit=10\n' |
	"$sim" --accounts /dev/stdin "$dir/golden-q.swf" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"GrpSubmit: not a key hcsim replays"* ]]
result $? "a key hcsim cannot replay is refused (got: $bad)"

exit $((failed > 0))

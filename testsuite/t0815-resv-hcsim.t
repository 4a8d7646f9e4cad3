#!/bin/bash
# hcsim with an advance reservation (--reservation START:END holds the whole
# machine): on testsuite/sim/golden-r.swf each policy's schedule must be
# the one worked out by hand in golden-r.{fcfs,easy,conservative} (jobs
# whose requested time would cross the window wait for its end; EASY
# backfills the jobs that end before it), --check must hold, and without
# the reservation the schedule differs. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..5"
for p in fcfs easy conservative; do
	got=$("$sim" --policy "$p" --check --schedule --reservation 20:30 \
		"$dir/golden-r.swf" | grep '^job ')
	want=$(cat "$dir/golden-r.$p")
	[ "$got" = "$want" ]
	result $? "golden-r $p with a reservation: the hand-computed schedule"
	[ "$got" = "$want" ] ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
done

got=$("$sim" --policy easy --schedule "$dir/golden-r.swf" | grep '^job 2 ')
[[ $got == "job 2 submit 0 start 0 "* ]]
result $? "without the reservation job 2 starts at once (got: $got)"

bad=$("$sim" --policy easy --reservation 30:20 "$dir/golden-r.swf" 2>&1)
[ $? -ne 0 ] && [[ $bad == *"END must come after START"* ]]
result $? "a reservation that ends before it starts is refused (got: $bad)"

exit $((failed > 0))

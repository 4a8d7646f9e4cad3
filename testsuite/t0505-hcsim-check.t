#!/bin/bash
# hcsim --check can fail: with --break-guarantees (a test-only knob: plans
# hold nothing, FCFS lets jobs overtake) each policy's check reports the
# breach on testsuite/sim/golden-a.swf and exits 6, while the same replay
# without the knob passes. EASY's check tells a backfilled job's delay
# (a fault) from a higher-priority arrival's (golden-f under fair-share,
# accepted; see t0765). Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

declare -A want=(
	[fcfs]="job 3 started before job 2, which is ahead of it (FCFS)"
	[easy]="later than its earlier plan 10 (EASY: a backfilled job delayed its reservation)"
	[conservative]="job 2 planned at 21, later than its earlier plan 10"
)

echo "1..7"
for p in fcfs easy conservative; do
	"$sim" --policy "$p" --check "$dir/golden-a.swf" >/dev/null 2>&1
	rc=$?
	err=$("$sim" --policy "$p" --check --break-guarantees \
		"$dir/golden-a.swf" 2>&1 >/dev/null)
	brc=$?
	[ "$rc" -eq 0 ] && [ "$brc" -eq 6 ] &&
		[[ $err == *"${want[$p]}"* ]]
	result $? "$p: --check passes the planner, faults the broken one" \
		"(rc $rc, $brc: $err)"
done

# Without --check the broken planner runs to the end (exit 0): the knob
# alone decides nothing.
"$sim" --policy easy --break-guarantees "$dir/golden-a.swf" >/dev/null
result $? "--break-guarantees without --check exits 0"

# The broken planner's EASY schedule differs from the hand-computed one:
# a backfilled job took the head job's reservation.
got=$("$sim" --policy easy --schedule --break-guarantees \
	"$dir/golden-a.swf" | grep '^job ')
[ "$got" != "$(cat "$dir/golden-a.easy")" ]
result $? "the broken EASY schedule is not the golden one"

# EASY under fair-share: job 4 (no usage) overtakes job 3, whose plan
# moves later; --check accepts it, as a higher-priority arrival.
"$sim" --policy easy --check --conf "$dir/golden-f.conf" \
	"$dir/golden-f.swf" >/dev/null
result $? "EASY --check accepts a reservation moved by a higher priority"

"$sim" --help | grep -q -- "--break-guarantees.*testing --check only"
result $? "--help says --break-guarantees is for testing --check only"

exit $((failed > 0))

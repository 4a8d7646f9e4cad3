#!/bin/bash
# hcsim orders by fair-share as hcctld does (testsuite/sim/golden-f.swf
# under golden-f.conf): running jobs are charged before every pass, so a
# user with no usage overtakes one whose job is still running; FCFS and
# EASY start job 4 first, conservative keeps the start it promised job 3;
# without the weights the trace's order holds. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..4"
# EASY's --check holds a head job's reservation against backfill only; a
# higher-priority arrival (job 4 here) legitimately moves it, and --check
# must accept that (t0505 shows it still faults a real breach).
for p in fcfs easy conservative; do
	got=$("$sim" --policy "$p" --check --schedule --conf "$dir/golden-f.conf" \
		"$dir/golden-f.swf" | grep '^job ')
	want=$(cat "$dir/golden-f.$p")
	[ "$got" = "$want" ] && [ "${PIPESTATUS[0]}" -eq 0 ]
	result $? "golden-f $p: the hand-computed schedule under fair-share"
	[ "$got" = "$want" ] ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
done

got=$("$sim" --policy easy --schedule "$dir/golden-f.swf" | grep '^job 3 ')
[ "$got" = "job 3 submit 5 start 10 end 15 procs 4" ]
result $? "without fair-share, job 3 (queued first) starts at 10 (got: $got)"

exit $((failed > 0))

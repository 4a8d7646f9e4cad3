#!/bin/bash
# Every acknowledged submission was synced to disk before its answer: with
# strace on hcctld, each hcsub's window [start, answer] holds a data sync.
. "$(dirname "$0")/lib/cluster.sh"
command -v strace >/dev/null || skip_all "strace not installed"
plan 3
cluster_start

trace=$HC_TEST_DIR/log/strace.out
strace -f -ttt -e trace=fdatasync,fsync,msync,sync_file_range \
	-o "$trace" -p "$HC_CTLD_PID" 2>"$HC_TEST_DIR/log/strace.err" &
st=$!
wait_for 10 grep -q 'attached' "$HC_TEST_DIR/log/strace.err"
win=$(out_file windows)
N=30
for i in $(seq $N); do
	t1=$(date +%s.%N)
	id=$(submit_as "$HC_USER1" --hold --wrap true) || continue
	t2=$(date +%s.%N)
	echo "$t1 $t2 $id" >>"$win"
done
kill -INT "$st"
wait "$st" 2>/dev/null
is "$N submissions acknowledged" "$(wc -l <"$win")" "$N"
syncs=$(grep -Ec '(fdatasync|fsync|msync|sync_file_range)\(' "$trace")
diag "$syncs data syncs for $N submissions"
ok "hcctld synced at least once per acknowledged submission" \
	test "$syncs" -ge "$N"
unsynced=$(awk 'NR == FNR { if ($0 ~ /(fdatasync|fsync|msync|sync_file_range)\(/ &&
			$0 !~ /unfinished/ || $0 ~ /resumed/) s[++n] = $2; next }
	{ found = 0
	  for (i = 1; i <= n; i++) if (s[i] >= $1 && s[i] <= $2) { found = 1; break }
	  if (!found) print $3 }' "$trace" "$win")
is "every acknowledged submission had a sync before its answer" \
	"$unsynced" ""

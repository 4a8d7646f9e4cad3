#!/bin/bash
# 500 trivial jobs, submitted back to back by two users, all complete.
. "$(dirname "$0")/lib/cluster.sh"
plan 3
cluster_start

N=${HC_TEST_MANY:-500}
ids=$(out_file ids)
for u in "$HC_USER1" "$HC_USER2"; do
	as_user "$u" bash -c 'for i in $(seq '$((N / 2))'); do
		hcsub --parsable -o /dev/null --wrap true || exit 1
	done' >>"$ids.$u" &
	subs="${subs:-} $!"
done
for p in $subs; do wait "$p"; done
cat "$ids.$HC_USER1" "$ids.$HC_USER2" | cut -d';' -f1 >"$ids"
is "$N jobs acknowledged" "$(sort -u "$ids" | grep -c '^[0-9]')" "$N"

not_final() {
	hcqueue -h -o %T 2>/dev/null | grep -Eq 'PENDING|CONFIGURING|RUNNING|COMPLETING|^(PD|CF|R|CG)$'
}
ok "the queue drains" wait_for $((HC_TEST_TIMEOUT * 4)) eval '! not_final'
n=0
while read -r id; do
	[ "$(job_state "$id")" = COMPLETED ] && n=$((n + 1))
done <"$ids"
is "all $N completed" "$n" "$N"

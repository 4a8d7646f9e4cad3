#!/bin/bash
# The audit log: a job's submit/start/end are listed and its trace names
# its node; verify finds an entry edited offline; a chain rewritten offline
# with its hashes recomputed and its checkpoints re-signed passes verify on
# its own and is caught against anchors kept elsewhere (an export taken
# before, a node agent's checkpoint.json).
. "$(dirname "$0")/lib/cluster.sh"
plan 14
cluster_start --nodes 2 --conf-extra "AuditCheckpointEvery=5"
edit="$HC_BUILDDIR/testsuite/hc_lmdb_edit"
state="$HC_TEST_DIR/state"

id=$(submit_as "$HC_USER1" --wrap true)
ok "the job completes" wait_job_state "$id" COMPLETED
out=$(hcctl show audit Job="$id")
like "show audit Job= lists its submit" "$out" "job_submit +job:$id "
like "... its start" "$out" "job_start +job:$id "
like "... and its end" "$out" "job_end +job:$id "
like "trace job names the node that ran it" "$(hcctl trace job "$id")" \
	"Node=n[12] ComputeId=.* Trusted=yes"
like "verify audit: intact" "$(hcctl verify audit)" "audit log intact"
hcctl export audit "$HC_TEST_DIR/audit.jsonl"
ok "export audit writes entries and checkpoints" \
	grep -q '"sig"' "$HC_TEST_DIR/audit.jsonl"
ok "a node agent keeps a checkpoint" wait_for "$HC_TEST_TIMEOUT" \
	test -s "$HC_TEST_DIR/spool/n1/checkpoint.json"

# The checkpoint written at shutdown reaches the node agents before the
# controller closes their connections. Entries past the last checkpoint
# first, so that the shutdown has one to write.
cp=$HC_TEST_DIR/spool/n1/checkpoint.json
cp_seq() { jq -r .seq "$cp" 2>/dev/null; }
head_seq() {
	hcctl export audit "$HC_TEST_DIR/head.jsonl" &&
		jq -s 'map(.seq) | max' "$HC_TEST_DIR/head.jsonl"
}
for i in 1 2 3; do
	id2=$(submit_as "$HC_USER1" --wrap true)
	wait_job_state "$id2" COMPLETED >/dev/null
	[ "$(head_seq)" != "$(cp_seq)" ] && break
done
last=$(head_seq)
ctld_stop
shut=$(grep -Eo 'audit: checkpoint seq=[0-9]+' \
	"$HC_TEST_DIR/log/hcctld.log" | tail -n 1 | grep -Eo '[0-9]+$')
ok "shutdown writes a checkpoint of the head (seq $last)" \
	test "${shut:-0}" -ge "$last"
ok "... and a node agent keeps it" wait_for 5 \
	eval '[ "$(cp_seq)" = "$shut" ]'
"$edit" "$state" 3 || diag "hc_lmdb_edit failed"
ctld_restart
res=$(hcctl verify audit)
like "an entry edited offline is found" "$res" \
	"BROKEN at entry 3: hash mismatch"

ctld_stop
cp "$HC_TEST_DIR/spool/n1/checkpoint.json" "$HC_TEST_DIR/kept.json"
"$edit" "$state" 3 --rewrite || diag "hc_lmdb_edit --rewrite failed"
ctld_restart
like "a rewritten, re-signed chain passes verify alone" \
	"$(hcctl verify audit)" "audit log intact"
like "... but not against the export taken before" \
	"$(hcctl verify audit --anchors "$HC_TEST_DIR/audit.jsonl")" \
	"BROKEN at entry 3: .*rewritten"
like "... nor against a node agent's kept checkpoint" \
	"$(hcctl verify audit --anchors "$HC_TEST_DIR/kept.json")" \
	"BROKEN at entry [0-9]+: .*rewritten"

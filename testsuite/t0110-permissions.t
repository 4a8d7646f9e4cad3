#!/bin/bash
# One user cannot cancel, update, hold or release another's job; the refusal
# is clear and exits 2. The owner and root can.
. "$(dirname "$0")/lib/cluster.sh"
plan 11
cluster_start

id=$(submit_as "$HC_USER1" --hold -J mine --wrap 'sleep 1')
like "user1 submits a held job" "$id" '^[0-9]+$'

out=$(as_user "$HC_USER2" hccancel "$id" 2>&1); rc=$?
is "user2 cannot cancel user1's job: exit 2" "$rc" 2
like "user2 cannot cancel: the message says so" "$out" \
	'[Pp]ermission|not allowed|denied|owner|belongs to|your own'
rc=0; as_user "$HC_USER2" hcctl update job "$id" TimeLimit=5 >/dev/null 2>&1 ||
	rc=$?
is "user2 cannot update user1's job: exit 2" "$rc" 2
rc=0; as_user "$HC_USER2" hcctl release job "$id" >/dev/null 2>&1 || rc=$?
is "user2 cannot release user1's job: exit 2" "$rc" 2
rc=0; as_user "$HC_USER2" hcctl hold job "$id" >/dev/null 2>&1 || rc=$?
is "user2 cannot hold user1's job: exit 2" "$rc" 2
rc=0; as_user "$HC_USER2" hcctl update node n1 State=DRAIN Reason=x \
	>/dev/null 2>&1 || rc=$?
is "user2 cannot drain a node: exit 2" "$rc" 2
is "the job is untouched" "$(job_state "$id")" PENDING
ok "user1 updates her own job" as_user "$HC_USER1" hcctl update job "$id" \
	TimeLimit=5
ok "user1 cancels her own job" as_user "$HC_USER1" hccancel "$id"
ok "it ends CANCELLED" wait_job_state "$id" CANCELLED

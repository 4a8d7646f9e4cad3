#!/bin/bash
# A node agent starts nothing for a stream without a step credential that
# the controller signed for that node, a job running there and its user:
# forged, expired, other-job, other-user and replayed credentials, and
# more tasks on a node than the credential allows, are refused with their reason (and leave a log line); a user cannot get a
# step of another user's job from the controller.
. "$(dirname "$0")/lib/cluster.sh"
plan 11
hello=$HC_BUILDDIR/testsuite/hc_stephello
[ -x "$hello" ] || skip_all "hc_stephello not built (make check builds it)"
cluster_start --nodes 2

id=$(submit_as "$HC_USER1" -o /dev/null --wrap 'sleep 60')
wait_job_state "$id" RUNNING 20 >/dev/null
node=$(job_field "$id" nodelist)
port=${HC_NODE_PORT[$node]}
key=$HC_TEST_DIR/state/step.key
try() { "$hello" "$@" 2>&1 | tr '\n' '|'; }

is "a credential the controller's key signed is admitted" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 900 "$HC_UID1" "$node" 60)" "ok|"
like "a forged one (another key) is refused" \
	"$(try "$HC_TEST_DIR/forger.key" 127.0.0.1 "$port" "$id" 901 \
	"$HC_UID1" "$node" 60)" "bad signature"
like "an expired one is refused" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 902 "$HC_UID1" "$node" -5)" \
	"expired"
like "one for a job not running there is refused" \
	"$(try "$key" 127.0.0.1 "$port" $((id + 50)) 903 "$HC_UID1" "$node" 60)" \
	"job $((id + 50)) is not running on $node"
like "one for another user of the job is refused" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 904 "$HC_UID2" "$node" 60)" \
	"credential for uid $HC_UID2"
like "one for another node is refused" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 905 "$HC_UID1" nother 60)" \
	"not issued for node $node"
like "a replayed one is refused the second time" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 906 "$HC_UID1" "$node" 60 2)" \
	"^ok\|.*already used on $node"
is "a credential's task bound admits that many tasks" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 907 "$HC_UID1" "$node" 60 1 2 2)" \
	"ok|"
like "and refuses more on one node" \
	"$(try "$key" 127.0.0.1 "$port" "$id" 908 "$HC_UID1" "$node" 60 1 2 3)" \
	"may start at most 2 tasks on a node, not 3"
ok "refusals are logged by the agent" \
	grep -q "refused: .*bad signature" "$HC_TEST_DIR/log/hcnoded-$node.log"
o=$(as_user "$HC_USER2" env HC_JOB_ID="$id" hcrun true 2>&1)
like "the controller gives no step of another user's job" "$o" \
	"job $id belongs to another user"
hccancel "$id"

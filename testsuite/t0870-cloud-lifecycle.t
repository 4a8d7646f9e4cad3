#!/bin/bash
# Cloud pools' node lifecycle with the local provider (etc/cloud/local):
# nodes start in CLOUD; a node hcctld did not start is refused; a started
# node (POWER_UP) registers, runs a job and is released after SuspendTime
# idle; a permanent failure leaves the node DOWN with the program's words
# and stops the pool; a node that never registers goes DOWN at
# ResumeTimeout; a transient failure returns the node to the pool.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 30

E=$HC_TEST_DIR/etc
fail_program "$E/bad" 78 "image ami-0 does not exist"
fail_program "$E/full" 75 "no capacity in zone a"
fail_program "$E/silent" 0 "asked for it"
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-2] SuspendTime=3)" \
	--conf-extra "$(cloud_pool bad b[1-2] ResumeProgram=$E/bad)" \
	--conf-extra "$(cloud_pool slow s1 ResumeProgram=$E/silent \
		ResumeTimeout=3)" \
	--conf-extra "$(cloud_pool full f1 ResumeProgram=$E/full)" \
	--conf-extra "$(cloud_pool other o1 ResumeTimeout=4)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"
cert_issue o1 other-ca || bail_out "cannot issue o1's certificate"

is "a cloud node starts in CLOUD" "$(node_state c1)" CLOUD
like "... in it since hcctld started, as far as it knows" \
	"$(hcctl show node c2)" "CloudPool=burst StateSince=[0-9-]+T[^ ]+ \\([0-9]+s\\)"
is "... which hcinfo has for its SINCE" "$(hcinfo -N --json | jq -r \
	'(if type == "array" then . else .nodes end)[] | select(.name == "c2")
	| .state_since > 0')" true

# A node of the pool that hcctld did not start is refused.
HC_CONF=$HC_CONF HC_ACTION=resume "$HC_CLOUD_PROVIDER" c2 >/dev/null
ok "an unstarted cloud node's registration is refused" wait_for 20 \
	grep -q "node=c2 registration refused: node c2 is a node of cloud" \
	"$HC_TEST_DIR/log/hcctld.log"
is "... and it stays CLOUD" "$(node_state c2)" CLOUD
HC_CONF=$HC_CONF HC_ACTION=suspend "$HC_CLOUD_PROVIDER" c2 >/dev/null

ok "POWER_UP starts c1" hcctl update node c1 State=POWER_UP
ok "c1 registers and is IDLE" wait_node_state c1 IDLE 20
id=$(submit_as "$HC_USER1" --constraint=cloud --wrap "hostname")
ok "a job that needs the cloud node runs on it" \
	wait_job_state "$id" COMPLETED 20
is "... on c1" "$(job_node "$id")" c1
ok "c1 is released after SuspendTime idle" wait_node_state c1 CLOUD 20
ok "... and its instance is gone" wait_for 10 eval '! cloud_running c1'

# Permanent failure: DOWN with the reason, the pool stopped.
hcctl update node b1 State=POWER_UP >/dev/null
ok "a permanent failure leaves the node DOWN" wait_node_state b1 DOWN 20
like "... with the program's words" "$(node_reason b1)" \
	"ResumeProgram failed: image ami-0 does not exist"
like "hcctl show node: the pool and the time in the state" \
	"$(hcctl show node b1)" "CloudPool=bad StateSince=[^ ]+ \\([0-9]+s\\)"
out=$(hcctl update node b2 State=POWER_UP 2>&1)
like "... and the pool is stopped" "$out" "pool bad is stopped"

# A node that never registers: DOWN at ResumeTimeout.
hcctl update node s1 State=POWER_UP >/dev/null
ok "a node that never registers goes DOWN" wait_node_state s1 DOWN 20
like "... saying so" "$(node_reason s1)" "ResumeTimeout: not registered within 3s"

# Transient failure: back to the pool.
hcctl update node f1 State=POWER_UP >/dev/null
ok "a transient failure returns the node to the pool" \
	wait_for 20 eval '[ "$(node_reason f1)" != "" ] && [ "$(node_state f1)" = CLOUD ]'
like "... with the reason" "$(node_reason f1)" "transient failure: no capacity in zone a"
pool_json() { hcctl show cloud --json | jq -c --arg p "$1" ".pools[] | select(.name == \$p)"; }
is "hcctl show cloud: the pool backs off" \
	"$(pool_json full | jq '.backoff_until > 0 and .can_start == 0')" true
is "... the stopped pool says why" "$(pool_json bad | jq -r .stopped_why)" \
	"ResumeProgram failed: image ami-0 does not exist"
like "... and the table says so" "$(hcctl show cloud)" \
	"bad +b\\[1-2\\] .*stopped: ResumeProgram failed"
like "... the burst pool's node hours are counted" \
	"$(pool_json burst | jq .node_hours)" "^0\\.0*[1-9]"

# A started node whose certificate another CA issued is refused.
hcctl update node o1 State=POWER_UP >/dev/null
ok "a cloud node with another CA's certificate is refused" \
	wait_for 20 eval 'hcctl show rejected --json | jq -e \
	"[.rejected[] | select(.name == \"o1\" and .reason == \"unknown CA\")]
	 | length > 0" >/dev/null'
ok "... and goes DOWN at ResumeTimeout" wait_node_state o1 DOWN 20
like "... never having been up" "$(node_reason o1)" "ResumeTimeout"

# The pools' breaker, back-off and spend survive a controller restart.
hours=$(pool_json burst | jq .node_hours)
ctld_restart
is "after a restart the stopped pool is still stopped" \
	"$(pool_json bad | jq -r .stopped_why)" \
	"ResumeProgram failed: image ami-0 does not exist"
is "... the pool that backs off still does" \
	"$(pool_json full | jq '.backoff_until > 0')" true
is "... the spend of the period is kept" \
	"$(pool_json burst | jq --argjson h "$hours" '.node_hours >= $h and .node_hours > 0')" true
like "... and named by its month" "$(pool_json burst | jq -r .period)" \
	"^$(date -u +%Y-%m)\$"

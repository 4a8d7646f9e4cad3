#!/bin/bash
# ListProgram reconciliation with the local provider: a starting node the
# provider has no instance of goes back to the pool before its
# ResumeTimeout and its job runs elsewhere; at start-up an instance that
# exists at the provider but is CLOUD here (an orphan) is released.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 8

E=$HC_TEST_DIR/etc
fail_program "$E/silent" 0 "asked for it"
L=ListProgram=$HC_CLOUD_PROVIDER
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool lost l1 ResumeProgram=$E/silent \
		ResumeTimeout=60 CostPerNodeHour=1 $L ListInterval=1)" \
	--conf-extra "$(cloud_pool good g[1-2] CostPerNodeHour=5 $L \
		ListInterval=1h)"
cloud_ready g1 g2 || bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log

# The cheaper pool's program says it started l1, but nothing runs.
id=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "hostname")
ok "l1 is started for the job" wait_node_state l1 "CLOUD\+POWERING_UP" 10
ok "the provider has no l1: back to the pool before ResumeTimeout" \
	wait_for 10 eval '[ "$(node_state l1)" = CLOUD ]'
like "... saying why" "$(node_reason l1)" \
	"ListProgram: the provider has no such instance"
ok "the job is planned again and runs on the other pool" \
	wait_job_state "$id" COMPLETED 30
is "... on g1" "$(job_node "$id")" g1

# An instance started behind the controller's back while it is down is
# released by the ListProgram run at start-up.
ctld_kill9
HC_CONF=$HC_CONF HC_ACTION=resume "$HC_CLOUD_PROVIDER" g2 >/dev/null
ok "(the orphan runs)" cloud_running g2
ctld_restart
ok "at start-up the orphan is released" wait_for 15 eval '! cloud_running g2'
is "... and g2 stays CLOUD" "$(node_state g2)" CLOUD
grep -q "pool=good ListProgram: g2 exist at the provider" "$LOG" ||
	diag "no log line for the orphan"

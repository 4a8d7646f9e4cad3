#!/bin/bash
# ResumeRate holds across a controller restart: the pool's recent starts
# are kept in LMDB, so neither a restart (SIGTERM) nor a crash (kill -9)
# lets the pool start more nodes in the rate's window than it allows.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 9

cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-3] ResumeRate=1/h BurstAfter=0 \
		SuspendTime=600)"
cloud_ready c1 c2 c3 || bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log

a=$(submit_as "$HC_USER1" -c 16 --constraint=cloud -t 5 -o /dev/null \
	--wrap "sleep 300")
ok "a whole-node cloud job starts a node and runs" \
	wait_job_state "$a" RUNNING 30
is "... on c1" "$(job_node "$a")" c1
b=$(submit_as "$HC_USER1" -c 16 --constraint=cloud -t 5 -o /dev/null \
	--wrap "true")
ok "a second one waits for the rate (1/h)" \
	wait_for 10 eval "[ \"\$(job_field $b reason)\" = ResumeRate:burst ]"

ctld_restart
ok "after a restart it still waits for the rate" \
	wait_for 10 eval "[ \"\$(job_field $b reason)\" = ResumeRate:burst ]"
sleep 2	# two scheduling passes more: nothing may start
is "... and no second node starts" "$(node_state c2) $(node_state c3)" \
	"CLOUD CLOUD"

ctld_kill9
ctld_restart
ok "after kill -9 too" \
	wait_for 10 eval "[ \"\$(job_field $b reason)\" = ResumeRate:burst ]"
sleep 2
is "... and still no second node" "$(node_state c2) $(node_state c3)" \
	"CLOUD CLOUD"
is "the first job still runs on c1" "$(job_state "$a") $(job_node "$a")" \
	"RUNNING c1"
is "the ResumeProgram ran once in all, for c1" \
	"$(grep "action=resume pool=burst nodes=.* program=.* started" \
	"$LOG" | sed 's/.*\(nodes=[^ ]*\).*/\1/' | tr '\n' ' ')" "nodes=c1 "
hccancel "$a" "$b"

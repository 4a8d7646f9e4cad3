#!/bin/bash
# The burst decision in the real cluster (etc/cloud/local provider): a job
# that only a cloud template can run starts a node and runs once the node
# registers, and the node is released after SuspendTime; with
# BurstAfter=10min a job that starts on-premise within a minute starts no
# node; a controller killed while a node is POWERING_UP ends with the node
# up once and the job run, the ResumeProgram never run twice.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 15

cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-2] SuspendTime=3 BurstAfter=10min)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log

id=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "hostname")
ok "a job only the cloud template can run starts a node and runs" \
	wait_job_state "$id" COMPLETED 30
is "... on the cloud node" "$(job_node "$id")" c1
is "... one node was started" "$(node_state c2)" CLOUD
ok "the node is released after SuspendTime idle" wait_node_state c1 CLOUD 20

# n1 busy for at most a minute: a job that needs all of it waits less
# than BurstAfter, so no node starts for it.
busy=$(submit_as "$HC_USER1" -c 16 -t 1 --wrap "sleep 30")
wait_job_state "$busy" RUNNING 20
next=$(submit_as "$HC_USER1" -c 16 -t 1 --wrap "true")
sleep 3	# three scheduling passes' worth: nothing may start
is "a wait under BurstAfter starts no cloud node" \
	"$(node_state c1) $(node_state c2)" "CLOUD CLOUD"
is "... the job waits for n1" "$(job_field "$next" reason)" Resources
hccancel "$busy"
ok "... and runs there" wait_job_state "$next" COMPLETED 20
is "... on n1" "$(job_node "$next")" n1

# A restart while a node boots: awaited, not started again.
sed -i 's/^BOOT_DELAY=.*/BOOT_DELAY=3/' "$HC_TEST_DIR/etc/cloud-local.conf"
id=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "hostname")
wait_node_state c1 "CLOUD\+POWERING_UP" 20
ok "a job waiting for a booting node says NodeBooting" wait_for 5 \
	eval '[ "$(job_field "$id" reason)" = NodeBooting ]'
is "hcctl show cloud: it is the pool's pending resume" \
	"$(hcctl show cloud --json | jq -c '.pools[0].jobs_waiting')" "[$id]"
ctld_kill9
ctld_restart
ok "after a restart the booting node's job runs" \
	wait_job_state "$id" COMPLETED 30
is "... the ResumeProgram ran once for it" \
	"$(grep -c "action=resume pool=burst nodes=c1 pid=[0-9]* program" "$LOG")" 2
is "... and no other node started" "$(node_state c2)" CLOUD

# A budget reached stops further starts, with a reason naming it.
hcctl create account lab GrpCloudNodeMins=1 >/dev/null
hcctl create user "$HC_USER2" Account=lab >/dev/null
wait_node_state c1 CLOUD 20
id=$(submit_as "$HC_USER2" -A lab --constraint=cloud -t 1 --wrap "sleep 2")
ok "within its budget an account's job starts a node" \
	wait_job_state "$id" COMPLETED 30
wait_node_state c1 CLOUD 20	# released: a new start is needed
id=$(submit_as "$HC_USER2" -A lab --constraint=cloud -t 1 --wrap "true")
ok "past it, the next job waits, saying which budget" wait_for 10 \
	eval '[ "$(job_field "$id" reason)" = GrpCloudNodeMins:lab ]'
hccancel "$id"

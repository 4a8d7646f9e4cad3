#!/bin/bash
# A multi-node job counts a pool's idle started node: with MaxNodes=2, c1
# up and idle and c2 CLOUD, a 2-node job starts only c2 (no
# CloudNodesLimit wait for c1 to be stopped), c1 is kept past
# SuspendTime while c2 boots, and the job runs on both.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 6

cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c[1-2] BurstAfter=0 MaxNodes=2 \
		SuspendTime=2)"
cloud_ready c1 c2 || bail_out "cannot set the provider up"
LOG=$HC_TEST_DIR/log/hcctld.log

a=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "true")
ok "a one-node job starts c1 and completes" wait_job_state "$a" COMPLETED 20
# c2 boots for longer than c1 may stay idle.
HC_CLOUD_BOOT_DELAY=4 cloud_ready c1 c2
b=$(submit_as "$HC_USER1" --constraint=cloud -N 2 -t 1 --wrap "hostname")
ok "the 2-node job starts c2 for its missing node" \
	wait_node_state c2 "CLOUD\+POWERING_UP" 10
is "... waiting for it" "$(job_field "$b" reason)" NodeBooting
ok "... and runs on c1 and c2" wait_job_state "$b" COMPLETED 30
is "... its nodes" "$(job_field "$b" nodelist)" "c[1-2]"
is "c1 was not stopped while c2 booted" \
	"$(grep -cE "action=suspend pool=burst nodes=c1 " "$LOG")" 0

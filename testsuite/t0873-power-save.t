#!/bin/bash
# On-premise power saving: a PowerSave=YES node idle for SuspendTime is
# powered off through SuspendProgram (IDLE+POWERED_DOWN, other nodes
# untouched), and a job that needs it powers it on through ResumeProgram
# and runs once it registers; a node of SuspendExcNodes is never powered
# off. The programs here stop and start the node's agent, as a BMC would
# power the machine.
. "$(dirname "$0")/lib/cluster.sh"
plan 6

D=$HC_TEST_DIR/cloud-run	# cluster_stop stops the pids left here
E=$HC_TEST_DIR/etc
mkdir -p "$D"
cluster_start --nodes 3 \
	--conf-extra "ResumeProgram=$E/power-on SuspendProgram=$E/power-off" \
	--conf-extra "SuspendTime=3 ResumeTimeout=30 SuspendExcNodes=n3" \
	--conf-extra "QueueName=eco Nodes=n[2-3] PowerSave=YES"
hc_pid hcnoded-n2 >"$D/n2.pid"
cat >"$E/power-off" <<EOS
#!/bin/sh
kill -TERM "\$(cat $D/\$1.pid)" && rm -f "$D/\$1.pid"
EOS
cat >"$E/power-on" <<EOS
#!/bin/sh
hcnoded=$(command -v hcnoded)
setsid "\$hcnoded" -f "$HC_CONF" -n "\$1" -D \\
	--topology "${HC_NODE_TOPO[n2]}" --control-port "$HC_CONTROL_PORT" \\
	--spool "$HC_TEST_DIR/spool/\$1" </dev/null \\
	>>"$HC_TEST_DIR/log/hcnoded-\$1.log" 2>&1 &
echo \$! >"$D/\$1.pid"
EOS
chmod 0755 "$E/power-off" "$E/power-on"

ok "an idle PowerSave node is powered off after SuspendTime" \
	wait_node_state n2 "IDLE\+POWERED_DOWN" 20
is "... a node without PowerSave stays up" "$(node_state n1)" IDLE
is "... and one of SuspendExcNodes too" "$(node_state n3)" IDLE
id=$(submit_as "$HC_USER1" -N 3 -t 1 --wrap "hostname")
ok "a job that needs it powers it on and runs" \
	wait_job_state "$id" COMPLETED 30
is "... on the three nodes" "$(job_field "$id" nodelist)" "n[1-3]"
ok "... and the node is powered off again when idle" \
	wait_node_state n2 "IDLE\+POWERED_DOWN" 20

#!/bin/bash
# A cloud node is new hardware at every start: when it comes back on
# another CPU model it gets a new compute id at once, audited, and is not
# drained (an on-premise node with changed hardware is: t0330's way); the
# jobs it then runs name the new id. hcinfo -N -l gives the time in the
# power state.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 10

E=$HC_TEST_DIR/etc
# The second start of c1 gets another instance type (CPU model).
sed 's/value="Intel(R) Xeon(R) Processor"/value="AMD EPYC 9654"/' \
	"$HC_SRCDIR/testsuite/topologies/cpu16.xml" >"$E/epyc16.xml"
cat >"$E/resume" <<EOF
#!/bin/sh
if [ -f $E/started-once ]; then
	HC_TOPOLOGY=$E/epyc16.xml; export HC_TOPOLOGY
fi
touch $E/started-once
exec $HC_SRCDIR/etc/cloud/local "\$@"
EOF
chmod 0755 "$E/resume"
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool burst c1 ResumeProgram=$E/resume)"
cloud_ready c1 || bail_out "cannot set the provider up"

cid() { hcctl show node c1 --json | jq -r '.compute_id // .nodes[0].compute_id'; }
hcctl update node c1 State=POWER_UP >/dev/null
ok "c1 starts and is IDLE" wait_node_state c1 IDLE 20
first=$(cid)
like "hcinfo -N -l says for how long (SINCE)" \
	"$(hcinfo -N -l -n c1 | awk 'NR == 1 { for (i = 1; i <= NF; i++)
		if ($i == "SINCE") c = i } NR == 2 { print $c }')" "^[0-9]+:[0-9]{2}$"
like "... with a compute id" "$first" "^hc1-"
hcctl update node c1 State=POWER_DOWN >/dev/null
ok "it is released" wait_node_state c1 CLOUD 20
wait_for 10 eval '! cloud_running c1'

id=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap true)
ok "a job starts it again, on other hardware, and runs on it" \
	wait_job_state "$id" COMPLETED 20
second=$(cid)
like "c1 has a new compute id" "$second" "^hc1-"
nok "... not the first one" test "$second" = "$first"
unlike "... and is not drained" "$(node_state c1)" DRAIN
is "the job names the new id" "$(job_field "$id" compute_ids)" "$second"
like "the change is audited, saying it was not drained" \
	"$(hcctl show audit Node=c1 Event=inventory_changed --json)" \
	"\"drained\": *false"

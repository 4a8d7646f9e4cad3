#!/bin/bash
# A step that ends while the controller is down is recorded as ended when
# it is back (the agent keeps the step's end until then), not left RUNNING
# until its job ends; a step running across a restart ends as usual.
. "$(dirname "$0")/lib/cluster.sh"
plan 4
cluster_start --nodes 2

step_state() {	# JOB.STEP -> its State= in hcctl show job
	hcctl show job "${1%.*}" 2>/dev/null |
		sed -n "s/.*Step=$1 State=\([A-Z_]*\).*/\1/p"
}
step_is() { [ "$(step_state "$1")" = "$2" ]; }

id=$(submit_as "$HC_USER1" -N 2 -o steps-%j.out --wrap \
	'hcrun -N 2 -n 2 sleep 3; echo rc=$?
	 until [ -e go ]; do sleep 0.2; done; hcrun -N 1 sleep 6; sleep 60')
f=$(out_file "steps-$id.out")
wait_for 20 step_is "$id.0" RUNNING >/dev/null
ctld_stop
wait_for 20 grep -q "rc=0" "$f"
ctld_start
touch "$HC_TEST_DIR/out/go"	# the next hcrun: the controller is back
ok "a step that ended while the controller was down: COMPLETED" \
	wait_for 15 step_is "$id.0" COMPLETED
ok "the next one runs" wait_for 15 step_is "$id.1" RUNNING
ctld_restart
is "a step running across a restart is still RUNNING" \
	"$(step_state "$id.1")" RUNNING
ok "and ends COMPLETED" wait_for 20 step_is "$id.1" COMPLETED
hccancel "$id"

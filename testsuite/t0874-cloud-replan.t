#!/bin/bash
# A job waiting on a cloud node whose start fails is replanned at once and
# starts elsewhere: the cheapest pool's ResumeProgram fails permanently
# (its node DOWN, the pool stopped), the next one's node never registers
# (DOWN at ResumeTimeout), and the job then runs on the third pool's node,
# never FAILED and never held.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 10

E=$HC_TEST_DIR/etc
fail_program "$E/bad" 78 "image ami-0 does not exist"
fail_program "$E/silent" 0 "asked for it"
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool bad b1 ResumeProgram=$E/bad \
		CostPerNodeHour=1)" \
	--conf-extra "$(cloud_pool slow s1 ResumeProgram=$E/silent \
		ResumeTimeout=3 CostPerNodeHour=2)" \
	--conf-extra "$(cloud_pool good g1 CostPerNodeHour=5)"
cloud_ready g1 || bail_out "cannot set the provider up"

t0=$(date +%s)
id=$(submit_as "$HC_USER1" --constraint=cloud -t 1 --wrap "hostname")
ok "the cheapest pool's node fails for good and goes DOWN" \
	wait_node_state b1 DOWN 20
like "... with the program's words" "$(node_reason b1)" \
	"ResumeProgram failed: image ami-0 does not exist"
ok "the job is replanned at once onto the next pool" \
	wait_node_state s1 "CLOUD\+POWERING_UP" 5
ok "that node never registers and goes DOWN at ResumeTimeout" \
	wait_node_state s1 DOWN 20
ok "the job is then planned on the third pool and runs" \
	wait_job_state "$id" COMPLETED 30
t1=$(date +%s)
is "... on its node" "$(job_node "$id")" g1
# log_time REGEX: the first hcctld.log line matching, in epoch seconds
log_time() {
	local l
	l=$(grep -m1 -E "$1" "$HC_TEST_DIR/log/hcctld.log") || return 1
	date -d "$(echo "$l" | cut -c1-23 | tr T ' ')" +%s.%N
}
silent=$(log_time "action=resume pool=slow nodes=s1 pid=[0-9]+ program")
again=$(log_time "action=resume pool=good nodes=g1 pid=[0-9]+ program")
ok "... replanned within 1 s of ResumeTimeout, not before (bench/cloud)" \
	awk -v a="${silent:-0}" -v b="${again:-99999999999}" \
	'BEGIN { exit !(b - (a + 3) <= 1 && b - (a + 3) >= -0.05) }'
ok "... within the ResumeTimeout and a few seconds" test $((t1 - t0)) -le 15
held() { hcctl show job "$1" --json | jq -r '(if type == "array" then .[0]
	elif has("jobs") then .jobs[0] else . end).held'; }
is "... and was never held" "$(held "$id")" false
unlike "... nor failed" "$(hcacct -j "$id" 2>/dev/null)" "FAILED"

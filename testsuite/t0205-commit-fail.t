#!/bin/bash
# When hcctld cannot commit its state, nothing that rests on the lost writes
# is sent: clients get an error, node agents get no frames (their
# connections are closed), and hcctld stops: its memory is ahead of its
# disk. Restarted, it reloads what is durable, and a job's end that the node
# reported meanwhile is reported again and not lost.
#
# Two failures, each caused by one party so that the test does not hang on
# timing: a submission (the client's reply), then a job's end (the node's
# acknowledgement). Usage charging is put off so that no periodic write
# takes the failure first.
. "$(dirname "$0")/lib/cluster.sh"
shim=$HC_BUILDDIR/testsuite/.libs/failsync.so
[ -f "$shim" ] || skip_all "failsync.so not built (make check builds it)"
plan 10
cluster_start --nodes 1 --conf-extra "PriorityCalcPeriod=86400"
log=$HC_TEST_DIR/log/hcctld.log
fail=$HC_TEST_DIR/run/fail-sync
shim_start() {
	# The shim is no sanitized library: let ASan accept it ahead of itself.
	HC_TEST_FAIL_SYNC=$fail LD_PRELOAD=$shim \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		ctld_start || bail_out "hcctld did not start with failsync.so"
}
_ctld_gone() { ! kill -0 "$HC_CTLD_PID" 2>/dev/null; }
ctld_stop
shim_start
ok "the node registers again" wait_for "$HC_TEST_TIMEOUT" nodes_all_idle

# 1. A client's request meets the failed commit.
touch "$fail"
rc=0
as_user "$HC_USER1" hcsub -o /dev/null --wrap true 2>/dev/null || rc=$?
is "a submission is refused with a server error (5)" "$rc" 5
ok "hcctld stops rather than run ahead of its disk" wait_for 10 _ctld_gone
rm -f "$fail"
shim_start
ok "the node registers after the restart" \
	wait_for "$HC_TEST_TIMEOUT" nodes_all_idle
is "the refused submission left no job behind" \
	"$(hcqueue -h -o %i | tr -d ' ')" ""

# 2. A node's report (a job's end) meets the failed commit.
id=$(submit_as "$HC_USER1" -o /dev/null --wrap 'sleep 2')
ok "a job runs" wait_job_state "$id" RUNNING
seen=$(wc -l <"$log")
touch "$fail"
ok "hcctld stops when it cannot save the job's end" wait_for 20 _ctld_gone
ok "the node's connection is closed, not acknowledged" \
	eval "tail -n +$((seen + 1)) '$log' |
		grep -q 'node connection closed: its frames follow writes'"
rm -f "$fail"
ctld_start || bail_out "hcctld did not start again"
ok "after the restart the job's end, kept by the node, completes it" \
	wait_job_state "$id" COMPLETED
ok "hcctld logged no sanitizer report" \
	eval "! grep -Eq 'runtime error|Sanitizer' '$log'"

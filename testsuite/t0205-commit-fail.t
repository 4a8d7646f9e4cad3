#!/bin/bash
# When hcctld cannot commit its state, nothing that rests on the lost writes
# is sent: clients get an error, node agents get no frames (their
# connections are closed), and hcctld stops: its memory is ahead of its
# disk. Restarted, it reloads what is durable, and a job's end that the node
# reported meanwhile is reported again and not lost.
. "$(dirname "$0")/lib/cluster.sh"
shim=$HC_BUILDDIR/testsuite/.libs/failsync.so
[ -f "$shim" ] || skip_all "failsync.so not built (make check builds it)"
plan 8
cluster_start --nodes 1
log=$HC_TEST_DIR/log/hcctld.log
fail=$HC_TEST_DIR/run/fail-sync
ctld_stop
# The shim is no sanitized library: let ASan accept it ahead of itself.
HC_TEST_FAIL_SYNC=$fail LD_PRELOAD=$shim \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	ctld_start || bail_out "hcctld did not start with failsync.so"
ok "the node registers again" wait_for "$HC_TEST_TIMEOUT" nodes_all_idle
id=$(submit_as "$HC_USER1" -o /dev/null --wrap 'sleep 2')
ok "a job runs" wait_job_state "$id" RUNNING

touch "$fail"
rc=0
as_user "$HC_USER1" hcsub -o /dev/null --wrap true 2>/dev/null || rc=$?
is "a submission is refused with a server error (5)" "$rc" 5
ok "the node's connection is closed, not acknowledged" \
	grep -q "node connection closed: its frames follow writes" "$log"
_ctld_gone() { ! kill -0 "$HC_CTLD_PID" 2>/dev/null; }
ok "hcctld stops rather than run ahead of its disk" wait_for 10 _ctld_gone
rm -f "$fail"
ctld_start || bail_out "hcctld did not start again"
ok "after the restart the job's end, kept by the node, completes it" \
	wait_job_state "$id" COMPLETED
is "the refused submission left no job behind" \
	"$(hcqueue -h -o %i | tr -d ' ' | sort -n | tail -1)" "$id"
ok "hcctld logged no sanitizer report" \
	eval "! grep -Eq 'runtime error|Sanitizer' '$log'"

#!/bin/bash
# A job runs as its (unprivileged) user, writes what it prints to its output
# file, sees the documented environment and a private TMPDIR removed after;
# its node file is the user's alone, and it and the script go with the job.
# On a cgroup v1 host its cpuset confines it to its CPUs without making the
# kernel rebuild the scheduling domains (sched_load_balance 0); on a cgroup
# v2 host its own cgroup's cpuset.cpus does.
. "$(dirname "$0")/lib/cluster.sh"
plan 16
cluster_start

id=$(as_user "$HC_USER1" env HC_TEST_MARK=exported hcsub --parsable \
	-J basic -o "$(out_file 'basic-%j.out')" --wrap '
echo hello
id -u
echo JOBID=$HC_JOB_ID
echo NAME=$HC_JOB_NAME
echo NODELIST=$HC_JOB_NODELIST
echo NNODES=$HC_NNODES
echo QUEUE=$HC_QUEUE
echo MARK=$HC_TEST_MARK
echo TMPDIR=$TMPDIR
[ -d "$TMPDIR" ] && touch "$TMPDIR/x" && echo TMPDIR_WRITABLE
echo TMPOWNER=$(stat -c %u "$TMPDIR")
echo NODEFILE=$HC_NODEFILE $(stat -c %a:%u "$HC_NODEFILE")
cs=$(sed -n "s/^[0-9]*:cpuset://p" /proc/self/cgroup)
echo CPUSET=$cs
echo LB=$(cat "/sys/fs/cgroup/cpuset$cs/cpuset.sched_load_balance")
echo CPUS=$(cat "/sys/fs/cgroup/cpuset$cs/cpuset.cpus")
v2=$(sed -n "s/^0:://p" /proc/self/cgroup)
echo V2CG=$v2
echo V2CPUS=$(cat "/sys/fs/cgroup$v2/cpuset.cpus" 2>/dev/null)
echo ALLOWED=$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status)')
id=${id%%;*}
like "hcsub --parsable prints the job id" "$id" '^[0-9]+$'
ok "the job completes" wait_job_state "$id" COMPLETED
f=$(out_file "basic-$id.out")
ok "its output file exists (-o with %j)" test -f "$f"
is "the output holds what it printed" "$(head -1 "$f" 2>/dev/null)" hello
is "it ran as the submitting user (id -u)" "$(sed -n 2p "$f" 2>/dev/null)" \
	"$HC_UID1"
is "the output file belongs to the user" "$(stat -c %u "$f" 2>/dev/null)" \
	"$HC_UID1"
ok "HC_JOB_ID is the job id" grep -qx "JOBID=$id" "$f"
ok "HC_JOB_NAME is the -J name" grep -qx "NAME=basic" "$f"
ok "HC_JOB_NODELIST names a node" grep -Eqx "NODELIST=n[0-9]+" "$f"
ok "the submitting environment is exported" grep -qx "MARK=exported" "$f"
ok "TMPDIR is private and writable, owned by the user" \
	grep -qx "TMPOWNER=$HC_UID1" "$f"
t=$(sed -n 's/^TMPDIR=//p' "$f" 2>/dev/null)
ok "TMPDIR ($t) is removed after the job" \
	wait_for 10 eval "[ -n '$t' ] && [ '$t' != /tmp ] && [ ! -e '$t' ]"
nf=$(sed -n 's/^NODEFILE=//p' "$f" 2>/dev/null)
like "HC_NODEFILE is in the spool, mode 600, the user's" "$nf" \
	"/job_$id\\.nodefile 600:$HC_UID1\$"
nf=${nf%% *}
ok "the node file and the script are removed after the job" \
	wait_for 10 eval "[ -n '$nf' ] && [ ! -e '$nf' ] &&
	[ ! -e '${nf%.nodefile}.script' ]"
cs=$(sed -n 's/^CPUSET=//p' "$f" 2>/dev/null)
top=$(cat /sys/fs/cgroup/cpuset/cpuset.sched_load_balance 2>/dev/null)
if [ -n "$cs" ] && [ "$cs" != / ] && [ "$top" = 1 ]; then
	is "its cpuset ($cs) does not rebuild the scheduling domains" \
		"$(sed -n 's/^LB=//p' "$f")" 0
	cpus=$(sed -n 's/^CPUS=//p' "$f")
	like "it runs on its cpuset's CPUs ($cpus)" \
		"$(sed -n 's/^ALLOWED=//p' "$f")" "^$cpus\$"
elif [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	like "its cgroup v2 is the job's own" \
		"$(sed -n 's/^V2CG=//p' "$f")" "/job_$id\$"
	cpus=$(sed -n 's/^V2CPUS=//p' "$f")
	like "it runs on its cgroup's CPUs ($cpus)" \
		"$(sed -n 's/^ALLOWED=//p' "$f")" "^${cpus:-none}\$"
else
	skip "no cgroup v1 cpuset for jobs on this host" 2
fi

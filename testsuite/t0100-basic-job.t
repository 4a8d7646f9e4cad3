#!/bin/bash
# A job runs as its (unprivileged) user, writes what it prints to its output
# file, sees the documented environment and a private TMPDIR removed after;
# its node file is the user's alone, and it and the script go with the job.
. "$(dirname "$0")/lib/cluster.sh"
plan 14
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
echo NODEFILE=$HC_NODEFILE $(stat -c %a:%u "$HC_NODEFILE")')
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

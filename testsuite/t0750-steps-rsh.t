#!/bin/bash
# hc-rsh towards another node of the job: the local agent gets a credential
# for that node from the controller and a helper carries the command's
# stream to that node's agent; output, stdin and the exit status come back;
# a node outside the job is refused.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start --nodes 3 --conf-extra "MpiRshAgent=$HC_TEST_DIR/bin/hc-rsh"

out=$(out_file rsh-%j.out)
id=$(submit_as "$HC_USER1" -N 2 -o "$out" --wrap '
other=$(grep -v "^$HC_NODENAME\$" "$HC_NODEFILE" | head -1)
echo OTHER=$other
"$HC_RSH_AGENT" "$other" "echo REMOTE=\$HC_NODENAME ID=\$HC_NODEID; exit 3"
echo rc=$?
echo hello | "$HC_RSH_AGENT" "$other" cat
"$HC_RSH_AGENT" "$other" "kill -9 \$\$"; echo rc=$?
"$HC_RSH_AGENT" n3 true; echo rc=$?
')
ok "the job completes" wait_job_state "$id" COMPLETED 40
f=$(out_file "rsh-$id.out")
other=$(sed -n 's/^OTHER=//p' "$f")
ok "the command ran on the other node, with its HC_NODENAME and HC_NODEID" \
	grep -qx "REMOTE=$other ID=1" "$f"
ok "its exit status came back" grep -qx "rc=3" "$f"
ok "stdin went to it and its output came back" grep -qx hello "$f"
ok "a signal death is 128+N" grep -qx "rc=137" "$f"
ok "a node outside the job is refused (255)" grep -qx "rc=255" "$f"

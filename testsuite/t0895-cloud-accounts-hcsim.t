#!/bin/bash
# hcsim --conf: a CloudPool's Accounts= keep its nodes for those accounts'
# jobs (and their sub-accounts) as in hcctld (t0894). On
# testsuite/sim/cloud-accounts.swf, with Accounts=lab: lab's job starts a
# node, other's job submitted while that node is up and idle does not run
# on it (it waits for the site) and starts none, lab's next job runs on
# it. With Accounts=dept (the parent of both) other's job runs on the idle
# node; with Accounts=other, lab starts no node. Needs no cluster.
. "$(dirname "$0")/lib/hcsim.sh"

echo "1..3"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "account dept" "account lab Parent=dept" \
	"account other Parent=dept" "user 1 Account=lab" \
	"user 2 Account=other" >"$tmp/tree"
run() {		# run ACCOUNTS: the schedule's starts, then cloud_starts
	printf '%s\n' "NodeName=n1 CPUs=4" \
		"QueueName=batch Nodes=ALL Default=YES" \
		"CloudPool=b Nodes=c[1-2] CPUs=4 RealMemory=1G BurstAfter=0 \
SuspendTime=300 Accounts=$1 ResumeProgram=/bin/true \
SuspendProgram=/bin/true" >"$tmp/hc.conf"
	"$sim" --policy easy --schedule --conf "$tmp/hc.conf" \
		--accounts "$tmp/tree" --cloud "nodes=2 procs=4 boot=2" \
		"$dir/cloud-accounts.swf" 2>&1 |
		awk '$1 == "job" { s = s " " $6 } $1 == "cloud_starts" {
		     print s " starts " $2 }'
}
got=$(run lab)
[ "$got" = " 0 12 2000 60 starts 1" ]
result $? "Accounts=lab: other's job waits, lab's runs on the node up \
(got:$got)"
got=$(run dept)
[ "$got" = " 0 12 50 60 starts 1" ]
result $? "Accounts=dept takes its sub-accounts: other's job runs on the \
idle node (got:$got)"
got=$(run other)
[ "$got" = " 0 2000 52 2010 starts 1" ]
result $? "Accounts=other: lab starts no node, other's job does (got:$got)"
exit $((failed > 0))

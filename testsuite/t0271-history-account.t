#!/bin/bash
# hcacct -A ACCOUNT[,ACCOUNT]: only the jobs charged to these accounts (a
# job submitted without -A is charged the default account); an account
# that does not exist matches nothing; a malformed name is refused.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start --nodes 1
hcctl create account lab >/dev/null &&
	hcctl create user "$HC_USER2" Account=lab >/dev/null ||
	bail_out "cannot create the account"

a=$(submit_as "$HC_USER1" -o /dev/null --wrap true)
b=$(submit_as "$HC_USER2" -A lab -o /dev/null --wrap true)
ok "both jobs complete" eval 'wait_job_state "$a" COMPLETED 20 &&
	wait_job_state "$b" COMPLETED 20'
ids() { hcacct -a -n -P -o JobID "$@" | sort -n | tr '\n' ' '; }
is "-A lab: the job charged to lab" "$(ids -A lab)" "$b "
is "-A default: the job submitted without -A" "$(ids -A default)" "$a "
is "-A lab,default: both" "$(ids --account=lab,default)" "$a $b "
is "an account that does not exist matches nothing" "$(ids -A nosuch)" ""
out=$(hcacct -A 'bad/name' 2>&1)
is "a malformed name is refused (exit 1), saying what to give" \
	"$? $(echo "$out" | grep -c "not an account name.*ACCOUNT\[,ACCOUNT")" \
	"1 1"

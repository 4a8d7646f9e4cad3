#!/bin/bash
# The account tree, users and QOS through hcctl: create, show, update and
# delete with the refusals that keep the tree whole; submissions charged to
# the right account and QOS, and the submit-time errors (unknown or
# disallowed account or QOS, MaxWall, GrpSubmit, EnforceAccounts).
. "$(dirname "$0")/lib/cluster.sh"
plan 38
cluster_start --nodes 2

# err CMD...: its stderr (and it must fail).
err() { if "$@" >/dev/null 2>"$HC_TEST_DIR/err"; then echo "(succeeded)"
	else cat "$HC_TEST_DIR/err"; fi; }

ok "create account science" hcctl create account science Shares=4 \
	Description="all of science"
ok "create account physics under science" hcctl create account physics \
	Parent=science GrpRes=cpu:64,mem:64G,gpu:16 MaxWall=1-00:00:00
ok "create qos long" hcctl create qos long Priority=100 MaxWall=3-00:00:00
ok "create user $HC_USER1 in physics" hcctl create user "$HC_USER1" \
	Account=physics
like "show account prints the keys" "$(hcctl show account physics)" \
	'Parent=science.*Shares=1.*GrpRes=cpu:64,mem:65536,gpu:16'
is "show --json gives the record" \
	"$(hcctl show account physics --json | jq -r '.records[0].MaxWall')" \
	"1-00:00:00"
is "a top-level account's parent is root" \
	"$(hcctl show account science --json | jq -r '.records[0].Parent')" root
like "users may show accounts" "$(as_user "$HC_USER2" hcctl show account)" \
	'Account=science'
like "show user" "$(hcctl show user "$HC_USER1")" 'Account=physics'

# Refusals, each saying what to do.
like "users may not create accounts" \
	"$(err as_user "$HC_USER2" hcctl create account mine)" \
	'(admin|not allowed|permission)'
like "an existing name" "$(err hcctl create account physics)" \
	'exists; change it with hcctl update account physics'
like "an unknown parent" "$(err hcctl create account x Parent=nope)" \
	'Parent=nope: no such account'
like "a cycle" "$(err hcctl update account science Parent=physics)" \
	'would be its own ancestor'
like "a bad resource list" "$(err hcctl create account x GrpRes=gpu:4x)" \
	"'4x' is not a count"
like "an unknown key" "$(err hcctl create account x Colour=red)" \
	"unknown key 'Colour'"
like "a user of a missing account" \
	"$(err hcctl create user "$HC_USER2" Account=nope)" 'no account nope'
like "an unknown user name" "$(err hcctl create user nosuchuser42 \
	Account=physics)" 'no such user'
like "delete with children" "$(err hcctl delete account science)" \
	'has child account physics; delete it or move it'
like "delete with members" "$(err hcctl delete account physics)" \
	"user $HC_USER1 belongs to account physics"
like "root stays" "$(err hcctl delete account root)" 'always exists'

# Submissions.
id=$(submit_as "$HC_USER1" -t 10 --wrap 'sleep 30')
is "a member is charged to its account" "$(job_field "$id" account)" physics
is "and to the default QOS" "$(job_field "$id" qos)" normal
like "hcctl show job shows Account= QOS=" "$(hcctl show job "$id")" \
	'Account=physics QOS=normal'
is "hcqueue %a" "$(hcqueue -h -j "$id" -o %a | tr -d ' ')" physics
like "delete with jobs" "$(err hcctl delete account physics)" \
	"pending or running jobs \\($id"
hccancel "$id"
id=$(submit_as "$HC_USER2" --wrap true)
is "a user with no account gets DefaultAccount" \
	"$(job_field "$id" account)" default
like "an unknown account" "$(err as_user "$HC_USER1" hcsub -A nope \
	--wrap true)" 'account nope does not exist'
like "an account the user is not in" "$(err as_user "$HC_USER1" hcsub \
	-A science --wrap true)" "user $HC_USER1 may not use account science"
like "an unknown qos" "$(err as_user "$HC_USER1" hcsub --qos nope \
	--wrap true)" 'qos nope does not exist'
like "MaxWall names the account and the limit" "$(err as_user "$HC_USER1" \
	hcsub -t 2-00:00:00 --wrap true)" \
	'account physics: MaxWall 1-00:00:00 exceeded by --time=2-00:00:00; ask for less'
ok "DefaultQOS and QOS= restrict" hcctl update account physics \
	DefaultQOS=long QOS=long
id=$(submit_as "$HC_USER1" --wrap true)
is "the account's DefaultQOS applies" "$(job_field "$id" qos)" long
wait_job_state "$id" COMPLETED
like "a QOS outside QOS=" "$(err as_user "$HC_USER1" hcsub --qos normal \
	--wrap true)" 'account physics does not allow qos normal'
hcctl create account theory Parent=physics >/dev/null
hcctl update user "$HC_USER1" Account=physics,theory >/dev/null
id=$(submit_as "$HC_USER1" -A theory -H --wrap true)
is "DefaultQOS is inherited down the tree" "$(job_field "$id" qos)" long
hccancel "$id"
id=$(submit_as "$HC_USER1" -H --wrap true)
like "a job moves only to an account its user may use" \
	"$(err as_user "$HC_USER1" hcctl update job "$id" Account=science)" \
	"user $HC_USER1 may not use account science"
hccancel "$id"
hcctl update account physics GrpSubmit=1 >/dev/null
id=$(submit_as "$HC_USER1" -H --wrap true)
like "GrpSubmit" "$(err as_user "$HC_USER1" hcsub --wrap true)" \
	'account physics: GrpSubmit 1 reached'
hccancel "$id"
hcctl update account physics GrpSubmit= >/dev/null

# EnforceAccounts: users without a record are refused, with the fix.
echo "EnforceAccounts=yes" >>"$HC_CONF"
hcctl reconfigure >/dev/null
like "EnforceAccounts refuses users without an account" \
	"$(err as_user "$HC_USER2" hcsub --wrap true)" \
	"hcctl create user $HC_USER2 Account=NAME"
ok "members still submit" submit_as "$HC_USER1" -o /dev/null --wrap true

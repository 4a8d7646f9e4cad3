#!/bin/bash
# Fair-share in the real cluster: usage charged while jobs run makes a
# light user's job overtake a heavy user's on a full node; hcqueue
# --priority shows the factors; hcctl show fairshare the tree; the usage
# survives a controller restart and a kill -9.
. "$(dirname "$0")/lib/cluster.sh"
plan 21
cluster_start --nodes 1 --conf-extra "PriorityWeightFairshare=100000" \
	--conf-extra "PriorityDecayHalfLife=1h" \
	--conf-extra "PriorityCalcPeriod=1"

# usage USER: USER's raw usage in the Fair Tree (0 if not there).
usage() {
	hcctl show fairshare --json | jq -r --arg u "$1" \
		'[.tree[] | select(.user and .name == $u) | .raw_usage] |
		 add // 0'
}
# factor JOB: its weighted fair-share factor from hcqueue --priority.
factor() {
	hcqueue --priority --json -j "$1" |
		jq -r '.jobs[0].priority_factors.fairshare // -1'
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
has_usage() { gt "$(usage "$1")" "$2"; }
ranked() { gt "$(factor "$1")" 0 && gt "$(factor "$2")" 0; }

# hcuser1 fills the node: charged while it runs, before it ends.
id=$(submit_as "$HC_USER1" -n 16 --wrap "sleep 4")
wait_job_state "$id" RUNNING
ok "a running job is charged at every tick" \
	wait_for 20 has_usage "$HC_USER1" 16
is "the job is still running" "$(job_state "$id")" RUNNING

# hcuser1 again holds the node; then both users queue one node-wide job,
# hcuser1 first.
a=$(submit_as "$HC_USER1" -n 16 --wrap "sleep 1")
b=$(submit_as "$HC_USER2" -n 16 --wrap "sleep 3")
ok "both jobs wait" wait_for 10 ranked "$a" "$b"
fa=$(factor "$a") fb=$(factor "$b")
is "the light user ranks first (factor 1 x weight)" "$fb" 100000
ok "the heavy user ranks lower ($fa < $fb)" gt "$fb" "$fa"
like "hcqueue --priority shows the factors" \
	"$(hcqueue --priority)" "FAIRSHARE.*
.*$b +$HC_USER2 "
like "hcctl show fairshare lists both users" \
	"$(hcctl show fairshare)" "$HC_USER1.*
.*$HC_USER2|$HC_USER2.*
.*$HC_USER1"
wait_job_state "$id" COMPLETED
wait_job_state "$b" RUNNING
is "the light user's job started first" "$(job_state "$a")" PENDING
wait_job_state "$a" COMPLETED

# The usage survives restarts (decayed a little: the half-life is 1h).
u1=$(usage "$HC_USER1")
ctld_restart
u2=$(usage "$HC_USER1")
ok "usage survives a restart ($u1 -> $u2)" gt "$u2" "$(awk -v u="$u1" \
	'BEGIN { print u * 0.99 }')"
ok "hcuser2's usage was charged too" has_usage "$HC_USER2" 0
# kill -9 while a job runs: what the ticks charged before it is kept, and
# the job goes on being charged after it.
v0=$(usage "$HC_USER2")
c=$(submit_as "$HC_USER2" -n 16 --wrap "sleep 4")
wait_job_state "$c" RUNNING
ok "the running job is charged" wait_for 20 has_usage "$HC_USER2" \
	"$(awk -v u="$v0" 'BEGIN { print u + 16 }')"
v1=$(usage "$HC_USER2")
ctld_kill9
ctld_restart
ok "usage survives kill -9 ($v1 -> $(usage "$HC_USER2"))" \
	has_usage "$HC_USER2" "$(awk -v u="$v1" 'BEGIN { print u * 0.99 }')"
ok "hcctl show fairshare --json is JSON with queues" \
	eval 'hcctl show fairshare --json | jq -e ".queues[0].name == \"batch\"" >/dev/null'

# An admin resets an account's usage (its whole subtree); no one else may.
acct=$(hcctl show fairshare --json | jq -r --arg u "$HC_USER1" \
	'.tree[] | select(.user and .name == $u) | .parent')
nok "a user may not reset usage" \
	as_user "$HC_USER1" hcctl update account "$acct" RawUsage=0
like "RawUsage takes only 0" \
	"$(hcctl update account "$acct" RawUsage=5 2>&1)" "write RawUsage=0"
ok "root resets account $acct" hcctl update account "$acct" RawUsage=0
is "its users' usage is 0" "$(usage "$HC_USER1")" 0

# The reset takes the account's whole subtree: usage charged under a
# sub-project goes when its parent project is reset.
ok "a project with a sub-project and a member" eval \
	'hcctl create account proj && hcctl create account sub Parent=proj &&
	 hcctl create user "$HC_USER1" Account=sub'
id=$(submit_as "$HC_USER1" -A sub -n 16 --wrap "sleep 2")
wait_job_state "$id" COMPLETED
ok "its usage is charged under the sub-project" wait_for 10 has_usage \
	"$HC_USER1" 16
like "hcctl show fairshare shows the tree" "$(hcctl show fairshare)" \
	" proj .*
  sub .*
   $HC_USER1 "
hcctl update account proj RawUsage=0
is "resetting the project clears the sub-project's users" \
	"$(usage "$HC_USER1")" 0

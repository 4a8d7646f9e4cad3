#!/bin/bash
# Advance reservations: a reservation keeps other jobs off its nodes (a job
# whose time limit would run into the window stays pending with the
# reason), runs its own jobs (--reservation) on them, refuses users it does
# not list, refuses to be made over running jobs unless Flags=IGNORE_JOBS,
# and survives a controller restart.
. "$(dirname "$0")/lib/cluster.sh"
plan 28
cluster_start

# A running job on one CPU node: no reservation may start under it.
busy=$(submit_as "$HC_USER1" -p batch -t 10 -o /dev/null --wrap 'sleep 300')
wait_job_state "$busy" RUNNING >/dev/null
bnode=$(job_node "$busy")
free=n1
[ "$bnode" != n1 ] || free=n2
err=$(hcctl create reservation clash StartTime=now Duration=30 \
	Nodes="$bnode" Users="$HC_USER1" 2>&1)
is "a reservation over a running job is refused" "$?" 1
like "naming the job" "$err" "running jobs $busy .*IGNORE_JOBS"
ok "with Flags=IGNORE_JOBS it is made" hcctl create reservation clash \
	StartTime=now Duration=30 Nodes="$bnode" Users="$HC_USER1" \
	Flags=IGNORE_JOBS
ok "and deleted" hcctl delete reservation clash

# A future window on the GPU nodes, for hcuser1 only.
ok "create a reservation of both GPU nodes from now+1hour" \
	hcctl create reservation gpures StartTime=now+1hour Duration=60 \
	Nodes=n3,n4 Users="$HC_USER1"
long=$(submit_as "$HC_USER2" -p gpu --gres=gpu:1 -t 2:00:00 -o /dev/null \
	--wrap true)
short=$(submit_as "$HC_USER2" -p gpu --gres=gpu:1 -t 30 -o /dev/null \
	--wrap true)
ok "a job that ends before the window runs there" \
	wait_job_state "$short" COMPLETED
_reason_is() { [ "$(job_field "$1" reason)" = "$2" ]; }
_reason_like() { job_field "$1" reason | grep -Eq "^($2)\$"; }
ok "a job that would overlap it stays pending with the reason" \
	wait_for 20 _reason_is "$long" 'ReqNodeNotAvail,Reserved(gpures)'
is "and pending" "$(job_state "$long")" PENDING
rend=$(hcctl show reservation gpures --json | jq -r '.reservations[0].end_time')
is "planned to start when the window ends" "$(job_field "$long" plan_start)" \
	"$rend"

# An open window on the free CPU node.
ok "create an active reservation of $free" hcctl create reservation now_r \
	StartTime=now Duration=1hour Nodes="$free" Users="$HC_USER1"
like "hcctl show reservation lists it" \
	"$(hcctl show reservation now_r | tr '\n' ' ')" \
	"ReservationName=now_r .*Nodes=$free .*State=ACTIVE"
like "hcinfo shows the node reserved" "$(hcinfo -N --json | jq -r --arg n \
	"$free" '(if type == "array" then . else .nodes end)[]
	| select(.name == $n) | .state')" 'RESERVED'
err=$(hcctl create reservation dup StartTime=now+10min Duration=10 \
	Nodes="$free" Users="$HC_USER1" 2>&1)
like "an overlapping reservation of the same node is refused" "$err" \
	"node $free is in reservation now_r"
like "Gpus=4 takes the node with the fewest GPUs that has 4" \
	"$(hcctl create reservation g4 StartTime=now+3hours Duration=10 \
	   Gpus=4 Users="$HC_USER1")" 'nodes n3\)'
like "NodeCnt=1 takes a node without GPUs" \
	"$(hcctl create reservation c1 StartTime=now+3hours Duration=10 \
	   NodeCnt=1 Users="$HC_USER1")" 'nodes n[12]\)'
hcctl delete reservation g4
hcctl delete reservation c1
mine=$(submit_as "$HC_USER1" --reservation=now_r -o /dev/null --wrap true)
ok "a job of the reservation runs" wait_job_state "$mine" COMPLETED
is "on the reservation's node" "$(job_node "$mine")" "$free"
err=$(as_user "$HC_USER2" hcsub --reservation=now_r --wrap true 2>&1)
is "a user it does not list is refused" "$?" 2
like "saying why" "$err" "not allowed in it"
# (Its planned start is the end of now_r's window, or of gpures' when
# that one holds n3 and n4 then.)
all=$(submit_as "$HC_USER2" -p batch -N 4 -t 5 -o /dev/null --wrap true)
ok "a job that needs every node waits for the reserved ones" \
	wait_for 20 _reason_like "$all" \
	'ReqNodeNotAvail,Reserved\((now_r|gpures)\)'
hccancel "$all"

# Restart: the reservations and the pending job's reason come back.
ctld_restart
like "the reservation survives a restart" \
	"$(hcctl show reservation --json | jq -r '.reservations[].name' |
	   sort | tr '\n' ' ')" "gpures now_r"
ok "the overlapping job is still held off" \
	wait_for 20 _reason_is "$long" 'ReqNodeNotAvail,Reserved(gpures)'
hcctl delete reservation gpures
ok "once the reservation is deleted it runs" wait_job_state "$long" COMPLETED

# Update, Accounts=, and time: expiry and DAILY repetition.
hcctl update reservation now_r Duration=2:00:00 >/dev/null
like "update changes the window" "$(hcctl show reservation now_r)" \
	'Duration=2:00:00'
hcctl create reservation acct_r StartTime=now Duration=10 Nodes=n4 \
	Accounts=default >/dev/null
ok "a user of a listed account may use it" \
	submit_as "$HC_USER2" --reservation=acct_r -p gpu -t 5 -o /dev/null \
	--wrap true
t0=$(date +%s)
hcctl create reservation brief StartTime=now Duration=2s Nodes=n3 \
	Users="$HC_USER1" >/dev/null
hcctl create reservation daily StartTime=now Duration=2s Nodes="$bnode" \
	Users="$HC_USER1" Flags=DAILY,IGNORE_JOBS >/dev/null
_gone() { ! hcctl show reservation "$1" >/dev/null 2>&1; }
ok "a reservation is removed when it ends" wait_for 20 _gone brief
like "and audited" "$(hcctl show audit Event=reservation_end)" 'brief'
_rolled() {
	[ "$(hcctl show reservation daily --json |
	     jq -r '.reservations[0].start_time')" -ge $((t0 + 86000)) ]
}
ok "a DAILY one moves on by a day instead" wait_for 20 _rolled
hccancel "$busy"

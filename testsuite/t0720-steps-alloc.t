#!/bin/bash
# Outside an allocation: hcrun asks for one, says when it waits, runs the
# step and releases it; hcalloc gives a shell with HC_JOB_ID in which hcrun
# uses the allocation, driven under script(1) as a person types; a hang-up
# cancels it; hcrun --pty runs a shell on a pseudo-terminal.
. "$(dirname "$0")/lib/cluster.sh"
plan 14
cluster_start --nodes 2
command -v script >/dev/null || { skip "script(1) missing" 14; exit 0; }

o=$(as_user "$HC_USER1" hcrun -N 2 -n 4 -l printenv HC_NODENAME 2>&1)
is "hcrun outside a job runs its tasks on an allocation of its own" \
	"$(printf '%s\n' "$o" | sort | tr '\n' ' ')" "0: n1 1: n1 2: n2 3: n2 "
jid=$(hcqueue -h -t all -u "$HC_USER1" -o %i | tr -d ' ' | tail -1)
ok "the allocation is released: COMPLETED" wait_job_state "$jid" COMPLETED 10
ok "its nodes are free again" wait_for 10 nodes_all_idle

# While the cluster is full, hcrun waits for its allocation and says so.
blk=$(submit_as "$HC_USER2" -N 2 --exclusive -o /dev/null --wrap 'sleep 3')
wait_job_state "$blk" RUNNING 10 >/dev/null
o=$(as_user "$HC_USER1" hcrun -N 2 true 2>&1)
like "hcrun says it waits" "$o" "hcrun: job [0-9]+ queued and waiting for resources"
like "and when it is granted" "$o" "hcrun: job [0-9]+ granted: n\[1-2\]"

# hcalloc + hcrun as a person would type them, on a terminal.
log=$HC_TEST_DIR/out/alloc.log
printf '%s\n' 'echo JOB=$HC_JOB_ID NODES=$HC_NNODES' \
	'hcrun -l -N 2 printenv HC_NODENAME' 'exit' |
	as_user "$HC_USER1" env SHELL=/bin/sh script -qec "hcalloc -N 2" "$log" \
	>/dev/null 2>&1
ok "hcalloc gave a granted allocation" grep -q "hcalloc: job [0-9]* granted" "$log"
aid=$(sed -n 's/.*JOB=\([0-9][0-9]*\) .*/\1/p' "$log" | tail -1)
like "the shell has HC_JOB_ID and HC_NNODES" "$(grep 'JOB=[0-9]' "$log")" \
	"JOB=[0-9]+ NODES=2"
ok "hcrun inside used its nodes" eval "grep -q '0: n1' '$log' && grep -q '1: n2' '$log'"
ok "the shell's exit ends the allocation: COMPLETED" \
	wait_job_state "${aid:-0}" COMPLETED 10

# The terminal goes away: the allocation is cancelled.
as_user "$HC_USER1" env SHELL=/bin/sh script -qec "hcalloc -N 1 sleep 61" \
	/dev/null </dev/null >/dev/null 2>&1 &
getid() { hcqueue -h -u "$HC_USER1" -t R -o %i | tr -d ' ' | grep .; }
wait_for 20 getid >/dev/null
hid=$(getid | tail -1)
# (by its own command line: other tests run hcalloc as this user too)
pkill -HUP -u "$HC_UID1" -f '^hcalloc -N 1 sleep 61$'
ok "a hang-up cancels hcalloc's allocation" \
	wait_job_state "${hid:-0}" CANCELLED 15
ok "and frees its node" wait_for 10 nodes_all_idle

# Ctrl-C typed while hcalloc's command runs cancels the allocation.
log=$HC_TEST_DIR/out/intr.log
(wait_for 20 getid >/dev/null; sleep 0.5; printf '\003'; sleep 2) |
	as_user "$HC_USER1" env SHELL=/bin/sh script -qec "hcalloc -N 1 sleep 60" \
	"$log" >/dev/null 2>&1
cid=$(sed -n 's/.*hcalloc: job \([0-9]*\) granted.*/\1/p' "$log" | head -1)
ok "Ctrl-C cancels hcalloc's allocation" wait_job_state "${cid:-0}" CANCELLED 15

# hcrun --pty: a shell on a pseudo-terminal on the first node.
log=$HC_TEST_DIR/out/pty.log
printf '%s\n' 'tty; echo NODE=$HC_NODENAME; exit' |
	as_user "$HC_USER1" script -qec "hcrun -N 2 --pty /bin/sh" "$log" \
	>/dev/null 2>&1
ok "the remote shell has a terminal" grep -q "/dev/pts/[0-9]" "$log"
ok "on the first allocated node" grep -q "NODE=n1" "$log"

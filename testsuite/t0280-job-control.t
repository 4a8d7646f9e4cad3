#!/bin/bash
# Holding, releasing and changing pending jobs, --begin, --exclusive and the
# default memory (DefMemPerCPU x CPUs, never the whole node).
. "$(dirname "$0")/lib/cluster.sh"
plan 14
cluster_start --nodes 2

id=$(submit_as "$HC_USER1" -H -J held -o /dev/null --wrap true)
like "a held job is pending with reason Held" \
	"$(hcqueue -h -j "$id" -o '%T %R')" "PENDING +\(?Held\)?"
ok "its owner changes its time limit" \
	as_user "$HC_USER1" hcctl update job "$id" TimeLimit=10
is "the new limit shows" "$(job_field "$id" time_limit)" 10
nok "but may not raise it beyond what it was" \
	as_user "$HC_USER1" hcctl update job "$id" TimeLimit=1-00:00:00
ok "root may give it a negative nice" hcctl update job "$id" Nice=-5
nok "an unknown key is refused" hcctl update job "$id" Colour=blue
like "and the error lists the keys that can be set" \
	"$(hcctl update job "$id" Colour=blue 2>&1)" "TimeLimit"
ok "its owner releases it" as_user "$HC_USER1" hcctl release job "$id"
ok "then it runs to completion" wait_job_state "$id" COMPLETED

t0=$(date +%s)
id=$(submit_as "$HC_USER1" --begin=now+3 -o /dev/null --wrap true)
like "a --begin job waits with reason BeginTime" \
	"$(hcqueue -h -j "$id" -o '%R')" "BeginTime"
wait_job_state "$id" COMPLETED 30 >/dev/null
ok "and starts no earlier than asked" \
	test "$(job_field "$id" start_time)" -ge $((t0 + 3))

id=$(submit_as "$HC_USER1" -c 2 -o /dev/null --wrap 'sleep 30')
wait_job_state "$id" RUNNING >/dev/null
is "default memory is DefMemPerCPU x CPUs" "$(job_field "$id" mem_mb)" 128
# Two nodes, one partly used: an exclusive two-node job must wait.
ex=$(submit_as "$HC_USER2" --exclusive -N 2 -o /dev/null --wrap true)
like "an exclusive job waits for whole nodes" \
	"$(hcqueue -h -j "$ex" -o '%T %R')" "PENDING +\(?(Resources|Priority)\)?"
hccancel "$id"
ok "and runs once the node is empty" wait_job_state "$ex" COMPLETED

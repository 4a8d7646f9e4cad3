#!/bin/bash
# A finished job stays visible to hcqueue and hcctl for MinJobAge, then lives
# on in the job history that hcacct reads, purged after JobRetention; the
# history survives a controller restart.
. "$(dirname "$0")/lib/cluster.sh"
plan 9
cluster_start --nodes 2 --conf-extra "MinJobAge=2" --conf-extra "JobRetention=12"

id=$(submit_as "$HC_USER1" -J hist -o /dev/null --wrap 'echo done')
ok "the job completes" wait_job_state "$id" COMPLETED
like "hcqueue shows it while it is younger than MinJobAge" \
	"$(hcqueue -h -j "$id" -o '%i %T' 2>&1)" "^ *$id +COMPLETED"
_gone() { [ -z "$(hcqueue -h -j "$id" -o %i 2>/dev/null)" ]; }
ok "then it leaves hcqueue" wait_for 20 _gone
like "hcacct still shows it, with its exit code" \
	"$(as_user "$HC_USER1" hcacct -n -P -j "$id" -o JobID,State,ExitCode)" \
	"^$id\|COMPLETED\|0:0"
like "hcctl show job no longer does, and points at hcacct" \
	"$(hcctl show job "$id" 2>&1)" "hcacct"
nok "another user does not see it in hcacct" \
	eval "as_user '$HC_USER2' hcacct -n -P -j '$id' -o JobID | grep -q '^$id'"
ctld_restart || bail_out "hcctld did not restart"
like "the history survives a controller restart" \
	"$(as_user "$HC_USER1" hcacct -n -P -j "$id" -o JobID,State)" \
	"^$id\|COMPLETED"
_purged() { [ -z "$(hcacct -a -n -P -j "$id" -o JobID 2>/dev/null)" ]; }
ok "it is purged after JobRetention" wait_for 40 _purged
id2=$(submit_as "$HC_USER1" -o /dev/null --wrap true)
ok "job ids keep growing after the purge" test "$id2" -gt "$id"

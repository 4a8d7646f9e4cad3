#!/bin/bash
# A time limit kills the whole job tree -- including a daemon that forked
# twice, called setsid and re-executed itself under env -i (only the cgroup
# finds it) -- and --signal arrives before the end.
. "$(dirname "$0")/lib/cluster.sh"
plan 6
cluster_start

daemon=$(out_file daemon.sh)
cat >"$daemon" <<'SH'
#!/bin/bash
# daemon.sh start PIDFILE: leave the job's process tree and session.
case $1 in
start) ( setsid env -i /bin/bash "$0" run "$2" </dev/null >/dev/null 2>&1 & )
	exit 0 ;;
run) echo $$ >"$2"; exec -a hc-escaped-daemon sleep 1000 ;;
esac
SH
chmod 0755 "$daemon"
dpid=$(out_file daemon.pid)
sig=$(out_file sig)
t0=$SECONDS
id=$(submit_as "$HC_USER1" -t 1 --signal=B:USR1@50 -o /dev/null --wrap "
trap 'date +%s >>$sig' USR1
$daemon start $dpid
while :; do sleep 0.2; done")
ok "the job runs" wait_job_state "$id" RUNNING
ok "its daemon escaped the session" wait_for 10 test -s "$dpid"
pid=$(cat "$dpid" 2>/dev/null)
ok "the job ends TIMEOUT" wait_job_state "$id" TIMEOUT 150
el=$((SECONDS - t0))
diag "ended after ${el}s"
ok "--signal=B:USR1@50 arrived first" test -s "$sig"
ok "the double-forked, setsid, env -i daemon is killed" \
	wait_for 10 eval "[ -n '$pid' ] && ! kill -0 '$pid' 2>/dev/null"
like "and the time limit held (ended within 60..120 s)" "$el" \
	'^([6-9][0-9]|1[01][0-9]|120)$'
# If the daemon survived, it is ours to end.
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"

#!/bin/bash
# Prolog, Epilog and HealthCheckProgram: the prolog runs as root before the
# job with HC_JOB_ID set (the job reads what it wrote), the epilog after it;
# a failing HealthCheckProgram drains the node with its message and a
# passing one lifts that drain; a failing prolog fails the job with a reason
# and drains the node ("Prolog failed: ...") until an admin resumes it.
. "$(dirname "$0")/lib/cluster.sh"
plan 13

out=$HC_TEST_DIR/out
etc=$HC_TEST_DIR/etc
cat >"$etc/prolog" <<EOF
#!/bin/sh
if [ -e $out/prolog.fail ]; then echo "no scratch for job \$HC_JOB_ID"; exit 3; fi
echo "uid=\$(id -u) job=\$HC_JOB_ID" >$out/prolog.\$HC_JOB_ID
EOF
cat >"$etc/epilog" <<EOF
#!/bin/sh
echo "uid=\$(id -u) job=\$HC_JOB_ID" >$out/epilog.\$HC_JOB_ID
EOF
cat >"$etc/health" <<EOF
#!/bin/sh
if [ -e $out/health.fail ]; then echo "disk /scratch full"; exit 1; fi
exit 0
EOF
chmod 0755 "$etc/prolog" "$etc/epilog" "$etc/health"

cluster_start --nodes 1 --conf-extra "Prolog=$etc/prolog" \
	--conf-extra "Epilog=$etc/epilog" \
	--conf-extra "HealthCheckProgram=$etc/health" \
	--conf-extra "HealthCheckInterval=1"

node_reason() {
	hcinfo -N --json 2>/dev/null | jq -r --arg n "$1" \
		'(if type == "array" then . else .nodes end)[]
		 | select(.name == $n) | .reason // ""'
}

a=$(submit_as "$HC_USER1" -o "$out/a.out" --wrap \
	'cat '"$out"'/prolog.$HC_JOB_ID')
ok "a job runs with a prolog and an epilog" wait_job_state "$a" COMPLETED
is "the prolog ran as root before it, with HC_JOB_ID" \
	"$(cat "$out/a.out" 2>/dev/null)" "uid=0 job=$a"
ok "the epilog ran after it" wait_for 10 test -s "$out/epilog.$a"
is "as root, with HC_JOB_ID" "$(cat "$out/epilog.$a" 2>/dev/null)" \
	"uid=0 job=$a"

touch "$out/health.fail"
ok "a failing health check drains the node" \
	wait_node_state n1 '[A-Z]+\+DRAIN' 15
like "with the program's message as reason" "$(node_reason n1)" \
	'disk /scratch full'
rm -f "$out/health.fail"
ok "a passing one lifts that drain" wait_node_state n1 IDLE 15

touch "$out/prolog.fail"
b=$(submit_as "$HC_USER1" -o /dev/null --wrap true)
ok "a job whose prolog fails fails" wait_job_state "$b" FAILED
like "with the reason in hcctl show job" "$(hcctl show job "$b" 2>&1)" \
	"[Pp]rolog failed: no scratch for job $b"
ok "the node is drained" wait_node_state n1 '[A-Z]+\+DRAIN' 10
like "with reason Prolog failed" "$(node_reason n1)" \
	"^Prolog failed: no scratch for job $b"
rm -f "$out/prolog.fail"
like "passing health checks leave that drain" "$(node_state n1)" '\+DRAIN'
hcctl update node n1 State=RESUME >/dev/null
ok "an admin lifts it" wait_node_state n1 IDLE 10

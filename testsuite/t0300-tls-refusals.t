#!/bin/bash
# Node agents talk to hcctld over mutual TLS only. Nodes with a certificate
# from another CA, with another node's certificate, with a revoked or an
# expired one are refused with their reason (log, hcctl show rejected) and
# never get a job; a node refuses a rogue controller (another CA); a node
# revoked while connected is dropped after hc-ca revoke + hcctl reconfigure.
# A connection that never completes its handshake or a request is closed
# after MessageTimeout.
. "$(dirname "$0")/lib/cluster.sh"
plan 26
cluster_start --nodes 6 --cert n3=other-ca --cert n4=wrongname \
	--cert n5=revoked --cert n6=expired --conf-extra MessageTimeout=2
LOG=$HC_TEST_DIR/log/hcctld.log

ok "the good nodes n1 and n2 are IDLE" nodes_all_idle

# rejected_has REASON NAME: hcctl show rejected lists NAME for REASON.
rejected_has() {
	hcctl show rejected --json | jq -e --arg r "$1" --arg n "$2" \
		'[.rejected[] | select(.reason == $r and .name == $n)]
		 | length > 0' >/dev/null
}
check_refused() {	# check_refused NODE REASON DESC
	ok "$3: in hcctl show rejected" wait_for "$HC_TEST_TIMEOUT" \
		rejected_has "$2" "$1"
	ok "$3: in the log with its reason" \
		grep -Eq "node=$1 refused: reason=\"$2\"" "$LOG"
}
check_refused n3 "unknown CA" "another CA's certificate"
check_refused n4 "name mismatch" "another node's certificate"
check_refused n5 revoked "a revoked certificate"
check_refused n6 expired "an expired certificate"

states=""
for n in n3 n4 n5 n6; do
	states="$states $n=$(node_state $n)"
done
unlike "the refused nodes never became IDLE" "$states" '=(IDLE|MIXED|ALLOC)'

where=$(jobs_where "$HC_USER1" 8)
unlike "no job ran on a refused node" "$where" 'n[3-6]'
like "the counts name every reason" "$(hcctl show rejected)" \
	'refused:.*expired=.*'
nok "show rejected is for administrators" \
	eval "as_user $HC_USER1 hcctl show rejected 2>/dev/null"

# A rogue controller: another CA's certificate for "hcctld".
other=$HC_TEST_DIR/other-ca
mkdir -p "$HC_TEST_DIR/rogue/state"
hc-ca --ca "$other" issue hcctld --controller --out "$HC_TEST_DIR/rogue" \
	>/dev/null
sed -e "s|^StateDir=.*|StateDir=$HC_TEST_DIR/rogue/state|" \
	-e "s|^ControlPort=.*|ControlPort=0|" \
	-e "s|^TrustedCA=.*|TrustedCA=$other/ca.crt|" \
	-e "s|^CRLFile=.*|CRLFile=$other/crl.pem|" \
	-e "s|^ControllerCert=.*|ControllerCert=$HC_TEST_DIR/rogue/hcctld.crt|" \
	-e "s|^ControllerKey=.*|ControllerKey=$HC_TEST_DIR/rogue/hcctld.key|" \
	"$HC_CONF" >"$HC_TEST_DIR/rogue/hc.conf"
_hc_spawn rogue hcctld -f "$HC_TEST_DIR/rogue/hc.conf" -D \
	--port-file "$HC_TEST_DIR/run/rogue.port"
ok "the rogue controller runs" wait_for "$HC_TEST_TIMEOUT" \
	test -s "$HC_TEST_DIR/run/rogue.port"
noded_stop n2
_hc_spawn hcnoded-n2 hcnoded -f "$HC_CONF" -n n2 -D \
	--topology "${HC_NODE_TOPO[n2]}" \
	--control-port "$(cat "$HC_TEST_DIR/run/rogue.port")" \
	--spool "$HC_TEST_DIR/spool/n2"
ok "n2 refuses the rogue controller, saying why" wait_for "$HC_TEST_TIMEOUT" \
	grep -Eq 'controller .* refused: reason="unknown CA"' \
	"$HC_TEST_DIR/log/hcnoded-n2.log"
sleep 1		# retries, with backoff: it must keep refusing
nok "the rogue controller never registered n2" \
	grep -q "node=n2 .*registered" "$HC_TEST_DIR/log/rogue.log"
ok "n2 keeps retrying" kill -0 "$(hc_pid hcnoded-n2)"
_hc_reap rogue TERM
noded_restart n2
ok "n2 comes back to the real controller" wait_node_state n2 IDLE

# Revoked while connected.
ok "hc-ca revokes n1" eval "hc-ca revoke n1 >/dev/null"
ok "hcctl reconfigure reloads the CRL" hcctl reconfigure
ok "n1's live connection is dropped" wait_for "$HC_TEST_TIMEOUT" grep -Eq \
	"node=n1 peer=.* connection closed: .*revoked" "$LOG"
ok "and it is listed as revoked" wait_for "$HC_TEST_TIMEOUT" \
	rejected_has revoked n1

# closed_within SECS [BYTES]: hcctld closes a connection that sent only
# BYTES (printf format) within SECS: cat sees the end of the stream.
closed_within() {
	local rc
	exec 3<>"/dev/tcp/127.0.0.1/$HC_CONTROL_PORT" || return 1
	[ -z "${2:-}" ] || printf "$2" >&3
	timeout "$1" cat <&3 >/dev/null
	rc=$?
	exec 3<&-
	return $rc
}
ok "a connection that sends one TLS byte only is closed" closed_within 6 '\x16'
ok "a connection that sends nothing is closed" closed_within 6
ok "... with a log line naming the peer" grep -Eq \
	"peer=127\.0\.0\.1:[0-9]+ .*within MessageTimeout" "$LOG"
id=$(submit_as "$HC_USER1" -p batch -o /dev/null --wrap 'true')
ok "the cluster still runs jobs" wait_job_state "$id" COMPLETED

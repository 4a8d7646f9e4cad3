#!/bin/bash
# The node key: hcnoded signs its inventory with the very key its TLS
# connection presents (NodeKey, here outside the spool), never makes one,
# and refuses to start when it is missing or group/others can read it. A
# node whose inventory was changed after signing (HC_TEST_TAMPER_INVENTORY=1)
# is refused for a bad signature (log, hcctl show rejected) and gets no job.
. "$(dirname "$0")/lib/cluster.sh"
plan 10
cluster_start --nodes 3
LOG=$HC_TEST_DIR/log/hcctld.log
KEYS=$HC_TEST_DIR/keys

registrations() { grep -c "node=$1 peer=.* registered" "$LOG"; }

# n1's key moves to NodeKey=$KEYS/%n.key; only n1 re-reads hc.conf.
noded_stop n1
mkdir -p "$KEYS" && chmod 700 "$KEYS"
mv "$HC_TEST_DIR/spool/n1/node.key" "$KEYS/n1.key"
echo "NodeKey=$KEYS/%n.key" >>"$HC_CONF"
before=$(registrations n1)
noded_start n1
ok "NodeKey elsewhere: n1 registers again" wait_for "$HC_TEST_TIMEOUT" \
	eval '[ "$(registrations n1)" -gt "$before" ]'
nok "... its signature verifies" grep -q "node=n1 registration refused" "$LOG"
nok "... and no key was made in its spool" \
	test -e "$HC_TEST_DIR/spool/n1/node.key"

# noded_try NAME: run hcnoded NAME in the foreground until it exits.
noded_try() {
	timeout 10 hcnoded -f "$HC_CONF" -n "$1" -D \
		--topology "${HC_NODE_TOPO[$1]}" \
		--control-port "$HC_CONTROL_PORT" \
		--spool "$HC_TEST_DIR/spool/$1" 2>&1 | tr "\n" " "
	echo "exit=${PIPESTATUS[0]}"
}
noded_stop n2
wait_node_state n2 "DOWN.*" >/dev/null
like "a missing NodeKey: hcnoded refuses to start, saying why" \
	"$(noded_try n2)" \
	"private key $KEYS/n2.key: No such file.*hc-ca issue n2.*exit=1"
nok "... and makes no key" test -e "$KEYS/n2.key"
cp "$HC_TEST_DIR/spool/n2/node.key" "$KEYS/n2.key"
chmod 640 "$KEYS/n2.key"
like "a NodeKey group can read: refused, saying why" \
	"$(noded_try n2)" "$KEYS/n2.key has mode 0640.*chmod 600.*exit=1"

# A tampered inventory: n2 with its key fixed, one byte flipped after
# signing.
chmod 600 "$KEYS/n2.key"
export HC_TEST_TAMPER_INVENTORY=1
noded_start n2
unset HC_TEST_TAMPER_INVENTORY
ok "a tampered inventory is refused: in hcctl show rejected" \
	wait_for "$HC_TEST_TIMEOUT" eval "hcctl show rejected --json | jq -e \
	'[.rejected[] | select(.name == \"n2\" and .reason ==
	  \"bad signature\")] | length > 0' >/dev/null"
ok "... in the log with its reason" grep -Eq \
	"node=n2 registration refused: .*signature" "$LOG"
where=$(jobs_where "$HC_USER1" 6)
unlike "... it gets no job" "$where" 'n2'
unlike "... and is not IDLE" "$(node_state n2)" '^(IDLE|MIXED|ALLOC)'

#!/bin/bash
# Compute ids: every node gets one, the same after its agent and the
# controller restart; a job records the ids of its nodes; hardware that
# changes under the same node (n3 loses the GPU on bus 30:
# topologies/gpu4-h100-minus1.xml, gpu4-h100.xml without that bridge) drains
# it "inventory changed: ..." and gives it no job until `hcctl accept node`
# adopts a new id linked to the old one. The cluster id in every compute id
# is the one `hc-ca init` wrote into TrustedCA (OU=cluster-<id>); a CA of
# another cluster is refused on reconfigure while identity records exist.
. "$(dirname "$0")/lib/cluster.sh"
plan 18
cluster_start --nodes 3

node_field() {		# node_field NAME FIELD
	hcctl show node "$1" --json 2>/dev/null | jq -r --arg f "$2" \
		'(if type == "array" then .[0] elif has("nodes") then
		  .nodes[0] else . end)[$f] | if type == "array" then
		  join(",") else . end // empty'
}

id1=$(node_field n1 compute_id)
id3=$(node_field n3 compute_id)
like "n1 has a compute id" "$id1" '^hc1-[0-9a-f]{32}$'
like "n3 has another" "$id3" '^hc1-[0-9a-f]{32}$'
like "hcctl show node shows it" "$(hcctl show node n3)" "ComputeId=$id3 "
like "and n3's accelerators (bus ids: emulated GPUs have no UUID)" \
	"$(hcctl show node n3)" "Accelerators=pci:0000:10:00.0:10de:2330,"
like "hcinfo -N -l shows it" "$(hcinfo -N -l -n n1)" "$id1"

noded_restart n1
wait_node_state n1 IDLE
ctld_restart
wait_node_state n1 IDLE
is "same id after an agent and a controller restart" \
	"$(node_field n1 compute_id)" "$id1"

j=$(submit_as "$HC_USER1" -o /dev/null --wrap true)
wait_job_state "$j" COMPLETED
jn=$(job_field "$j" nodelist)
is "a job's ComputeIds name its node's id" "$(job_field "$j" compute_ids)" \
	"$(node_field "$jn" compute_id)"
like "hcctl show job prints them" "$(hcctl show job "$j")" \
	"ComputeIds=hc1-"

HC_NODE_TOPO[n3]=$HC_SRCDIR/testsuite/topologies/gpu4-h100-minus1.xml
noded_restart n3
ok "n3 with a GPU gone is drained" wait_node_state n3 '.*DRAIN.*'
like "saying what changed" "$(node_field n3 reason)" \
	'^inventory changed: gpu 0000:30:00\.0 gone'
g=$(submit_as "$HC_USER1" -o /dev/null --gres=gpu:1 --wrap true)
ok "it gets no job" wait_job_state "$g" PENDING 5
hcctl accept node n3 >/dev/null
ok "hcctl accept node lifts the drain" wait_node_state n3 '[A-Z]+(\+INVALID_INVENTORY)?'
new3=$(node_field n3 compute_id)
ok "with a new id" test -n "$new3" -a "$new3" != "$id3"
is "linked to the old one" "$(node_field n3 previous_ids)" "$id3"
ok "and accepting again is refused" eval '! hcctl accept node n3 2>/dev/null'
hccancel "$g" >/dev/null 2>&1

ca_id=$(openssl x509 -in "$HC_CA_DIR/ca.crt" -noout -subject -nameopt \
	sep_multiline | sed -n 's/^ *OU=cluster-//p')
like "compute ids use TrustedCA's cluster id" \
	"$(grep ' ready pid=' "$HC_TEST_DIR/log/hcctld.log" | tail -1)" \
	"cluster_id=$ca_id\$"
hc-ca init "$HC_TEST_DIR/ca2" >/dev/null
cp "$HC_CONF" "$HC_TEST_DIR/hc.conf.keep"
sed -i "s|^TrustedCA=.*|TrustedCA=$HC_TEST_DIR/ca2/ca.crt|" "$HC_CONF"
like "a CA of another cluster is refused by reconfigure" \
	"$(hcctl reconfigure 2>&1)" "carries cluster id .* made under"
cp "$HC_TEST_DIR/hc.conf.keep" "$HC_CONF"
ok "and the nodes keep their ids" eval \
	'[ "$(node_field n1 compute_id)" = "$id1" ]'

# cloud.sh: cloud pools in integration tests (sourced after cluster.sh).
#
# The pools use etc/cloud/local, which starts one hcnoded per cloud node on
# this machine; its settings go into etc/cloud-local.conf beside hc.conf.
# Certificates for the pool's names are issued in advance, as a site would.
#
#   . "$(dirname "$0")/lib/cloud.sh"
#   cluster_start --nodes 2 --conf-extra "$(cloud_pool burst c[1-2] \
#	SuspendTime=3)"
#   cloud_ready c1 c2
#
# cloud_pool NAME NODES [KEY=VALUE...]: a CloudPool line with the local
# provider (unless the KEY=VALUEs give a ResumeProgram or a
# SuspendProgram; Features=cloud
# unless they give Features), 16 CPUs and the
# cpu16 topology, the queue batch, and free ports.

HC_CLOUD_PROVIDER=$HC_SRCDIR/etc/cloud/local
HC_CLOUD_RUN=$HC_TEST_DIR/cloud-run

cloud_pool() {
	local name=$1 nodes=$2 port resume=ResumeProgram=$HC_CLOUD_PROVIDER
	shift 2
	local feat=Features=cloud suspend=SuspendProgram=$HC_CLOUD_PROVIDER
	case " $* " in *" ResumeProgram="*) resume="" ;; esac
	case " $* " in *" SuspendProgram="*) suspend="" ;; esac
	case " $* " in *" Features="*) feat="" ;; esac
	port=$(free_port) && free_port >/dev/null && free_port >/dev/null ||
		bail_out "no free port"
	echo "CloudPool=$name Nodes=$nodes CPUs=16 RealMemory=1G" \
		"Topology=$HC_SRCDIR/testsuite/topologies/cpu16.xml" \
		"NodeAddr=127.0.0.1 Port=$port" $feat \
		$resume \
		$suspend "Queues=batch $*"
}

# cloud_ready NODE...: the provider's settings and the nodes' certificates
# (after cluster_start: the provider needs hcctld's port).
cloud_ready() {
	local n
	mkdir -p "$HC_CLOUD_RUN"
	cat >"$HC_TEST_DIR/etc/cloud-local.conf" <<-EOC
	HCNODED=$(command -v hcnoded)
	SPOOL=$HC_TEST_DIR/spool/%n
	RUN_DIR=$HC_CLOUD_RUN
	CONTROL_PORT=$HC_CONTROL_PORT
	BOOT_DELAY=${HC_CLOUD_BOOT_DELAY:-0}
	EOC
	for n in "$@"; do
		[ -f "$HC_TEST_DIR/spool/$n/node.crt" ] || cert_issue "$n" ||
			return 1
	done
}

# cloud_running NODE: whether the provider's instance of NODE runs.
cloud_running() {
	[ -f "$HC_CLOUD_RUN/$1.pid" ] &&
		kill -0 "$(cat "$HC_CLOUD_RUN/$1.pid")" 2>/dev/null
}

# node_reason NAME
node_reason() {
	hcinfo -N --json 2>/dev/null | jq -r --arg n "$1" \
		'(if type == "array" then . else .nodes end)[]
		 | select(.name == $n) | .reason'
}

# A program that fails as told: fail_program FILE EXIT MESSAGE
fail_program() {
	printf '#!/bin/sh\necho "%s"\nexit %s\n' "$3" "$2" >"$1"
	chmod 0755 "$1"
}

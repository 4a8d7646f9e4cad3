# cluster.sh: the integration tests' harness (sourced by testsuite/t*.t).
#
# A test owns its world: a temp dir ($HC_TEST_DIR) with its own munge key and
# munged, hc.conf, hcctld on 127.0.0.1:0 (the port read from --port-file) and
# N hcnoded with hwloc XML topologies, each on a free port. Every wait is a
# poll with a timeout; the EXIT trap stops exactly the pids started here and
# prints the daemons' logs as TAP diagnostics when something failed.
#
#   . "$(dirname "$0")/lib/cluster.sh"
#   plan 3
#   cluster_start
#   id=$(submit_as "$HC_USER1" --wrap true)
#   wait_job_state "$id" COMPLETED
#   ok "it ran" test "$(job_state "$id")" = COMPLETED
#
# Certificates: cluster_start makes a CA ($HC_CA_DIR = $HC_TEST_DIR/ca, with
# hc-ca), hcctld's certificate (etc/hcctld.{crt,key}) and one per node
# (SpoolDir/node.{crt,key}, 0600). `--cert n2=KIND` gives a node a bad one
# instead: other-ca (issued by another CA), expired, revoked, wrongname
# (issued to another declared node); such nodes are not waited for.
#
# Settable (seconds unless said): HC_TEST_TIMEOUT (every wait, default 60),
# HC_TEST_NODE_TIMEOUT (5), HC_TEST_HEARTBEAT (1), HC_TEST_KILL_WAIT (2),
# HC_TEST_WALL (whole test, 480), HC_TEST_KEEP=1 keeps the temp dir,
# HC_USER1/HC_USER2 (hcuser1/hcuser2).

HC_TEST_TIMEOUT=${HC_TEST_TIMEOUT:-60}
HC_TEST_NODE_TIMEOUT=${HC_TEST_NODE_TIMEOUT:-5}
HC_TEST_HEARTBEAT=${HC_TEST_HEARTBEAT:-1}
HC_TEST_KILL_WAIT=${HC_TEST_KILL_WAIT:-2}
HC_TEST_WALL=${HC_TEST_WALL:-480}
HC_USER1=${HC_USER1:-hcuser1}
HC_USER2=${HC_USER2:-hcuser2}
HC_TEST_NAME=$(basename "$0" .t)
export HC_USER1 HC_USER2 HC_TEST_TIMEOUT

# Sources and builds: testsuite/Makefile.am exports absolute paths (distcheck
# runs from a read-only srcdir in a separate builddir); by hand, guess.
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"
export HC_SRCDIR HC_BUILDDIR

# --- TAP ------------------------------------------------------------------

_tap_n=0
_tap_failed=0
_tap_planned=

plan() { _tap_planned=$1; echo "1..$1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
_tap_result() {		# _tap_result RC DESC
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$1"
}
# ok "desc" cmd...: passes when cmd succeeds.
ok() {
	local d=$1 rc=0
	shift
	"$@" || rc=$?
	_tap_result "$rc" "$d" || diag "failed: $* (rc=$rc)"
}
# nok "desc" cmd...: passes when cmd fails.
nok() {
	local d=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" -ne 0 ] && rc=0 || rc=1
	_tap_result "$rc" "$d" || diag "succeeded but should fail: $*"
}
is() {			# is "desc" got expected
	local rc=0
	[ "$2" = "$3" ] || rc=1
	_tap_result "$rc" "$1" || diag "got:      '$2'" "expected: '$3'"
}
like() {		# like "desc" got regex (ERE)
	local rc=0
	printf '%s\n' "$2" | grep -Eq -- "$3" || rc=1
	_tap_result "$rc" "$1" || diag "got:      '$2'" "expected: /$3/"
}
unlike() {
	local rc=0
	printf '%s\n' "$2" | grep -Eq -- "$3" && rc=1
	_tap_result "$rc" "$1" || diag "got:      '$2'" "unexpected: /$3/"
}
skip() {		# skip "why" [N]
	local i
	for i in $(seq "${2:-1}"); do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $1"
	done
}
skip_all() { echo "1..0 # SKIP $*"; _tap_planned=0; exit 0; }
bail_out() {
	echo "Bail out! $*"
	_tap_failed=$((_tap_failed + 1))
	exit 1
}

# --- preconditions ----------------------------------------------------------

[ "$(id -u)" = 0 ] || skip_all "not root (jobs run as other users)"
for _u in "$HC_USER1" "$HC_USER2"; do
	id -u "$_u" >/dev/null 2>&1 ||
		skip_all "test user $_u missing (./hc-local check creates it)"
done
for _p in munged jq perl runuser timeout; do
	command -v "$_p" >/dev/null 2>&1 || [ -x "/usr/sbin/$_p" ] ||
		skip_all "$_p not installed"
done
HC_UID1=$(id -u "$HC_USER1")
HC_UID2=$(id -u "$HC_USER2")

# --- the world --------------------------------------------------------------

HC_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hc-$HC_TEST_NAME.XXXXXX")
chmod 0755 "$HC_TEST_DIR"
mkdir -p "$HC_TEST_DIR"/{etc,state,log,run,munge,spool,tmp,out}
chmod 0755 "$HC_TEST_DIR"/{munge,tmp,spool,log,run}
chmod 1777 "$HC_TEST_DIR/out"
export HC_TEST_DIR
HC_CONF=$HC_TEST_DIR/etc/hc.conf
HC_MUNGE_SOCKET=$HC_TEST_DIR/munge/munge.socket
HC_CONTROL_ADDR=127.0.0.1
HC_CGROUP_PREFIX=hctest-$$-$RANDOM
HC_PORT_LOCKS=${TMPDIR:-/tmp}/hc-test-ports
export HC_CONF HC_MUNGE_SOCKET HC_CONTROL_ADDR HC_CGROUP_PREFIX
HC_CA_DIR=$HC_TEST_DIR/ca
export HC_CA_DIR
# The test users must run the commands even where the build tree's parents
# are closed to them: copy the binaries into the (world-readable) test dir.
mkdir -p "$HC_TEST_DIR/bin"
for _f in "$HC_BUILDDIR"/src/cmds/hc*; do
	[ -f "$_f" ] && [ -x "$_f" ] || continue
	if [ "$(head -c 4 "$_f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		cp "$_f" "$HC_TEST_DIR/bin/"
	fi
done
chmod -R a+rX "$HC_TEST_DIR/bin"
export PATH="$HC_TEST_DIR/bin:$HC_BUILDDIR/src/cmds:$HC_BUILDDIR/src/hcctld:$HC_BUILDDIR/src/hcnoded:$PATH"

declare -A HC_PIDS=()		# name -> pid of what this test started
declare -A HC_NODE_PORT=()
declare -A HC_NODE_TOPO=()
declare -A HC_NODE_CERT=()	# name -> other-ca|expired|revoked|wrongname
HC_NODES=""
_hc_watchdog=""

hc_log() { echo "$(date +%T) $*" >>"$HC_TEST_DIR/log/harness.log"; }

# wait_for SECS cmd...: poll cmd until it succeeds; 1 after SECS.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || { hc_log "timeout: $*"; return 1; }
		sleep 0.1
	done
}

# free_port: a TCP port on 127.0.0.1 that binds now, outside the ephemeral
# range, reserved against parallel tests by a lock dir removed at exit.
free_port() {
	local p i
	mkdir -p "$HC_PORT_LOCKS" 2>/dev/null
	for i in $(seq 100); do
		p=$(perl -MSocket -e '
			my $p = 20000 + int(rand(12000));
			socket(my $s, PF_INET, SOCK_STREAM, 0) or exit 1;
			setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
			bind($s, sockaddr_in($p, inet_aton("127.0.0.1"))) or exit 1;
			print "$p\n";') || continue
		mkdir "$HC_PORT_LOCKS/$p" 2>/dev/null || continue
		echo "$p" >>"$HC_TEST_DIR/run/ports"
		echo "$p"
		return 0
	done
	return 1
}

_hc_topology() {	# default topology file for node N
	local f
	case $1 in
	n3) f=gpu4-h100.xml ;;
	n4) f=gpu8-h100.xml ;;
	*) f=cpu16.xml ;;
	esac
	f=$HC_SRCDIR/testsuite/topologies/$f
	[ -f "$f" ] || f=$HC_SRCDIR/testsuite/topologies/h100-1gpu.xml
	echo "$f"
}

_hc_gres() {		# Gres= for the default topologies
	case $(basename "$1") in
	gpu4-l4*) echo " Gres=gpu:l4:4" ;;
	gpu4-*) echo " Gres=gpu:h100:4" ;;
	gpu8-*) echo " Gres=gpu:h100:8" ;;
	h100-1gpu*) echo " Gres=gpu:h100:1" ;;
	esac
}

_hc_write_conf() {	# _hc_write_conf EXTRA-LINES
	local n extra=$1 gpunodes=""
	{
		echo "# hc.conf of test $HC_TEST_NAME"
		echo "ClusterName=test"
		echo "ControlAddr=127.0.0.1"
		echo "ControlPort=0"
		echo "StateDir=$HC_TEST_DIR/state"
		echo "SpoolDir=$HC_TEST_DIR/spool/%n"
		echo "TmpDir=$HC_TEST_DIR/tmp"
		echo "MungeSocket=$HC_MUNGE_SOCKET"
		echo "PluginDir=$HC_BUILDDIR/plugins/sched/.libs"
		echo "CgroupPrefix=$HC_CGROUP_PREFIX"
		echo "AdminUsers=root"
		echo "NodeTimeout=$HC_TEST_NODE_TIMEOUT"
		echo "HeartbeatInterval=$HC_TEST_HEARTBEAT"
		echo "KillWait=$HC_TEST_KILL_WAIT"
		echo "DefMemPerCPU=64"
		echo "TrustedCA=$HC_CA_DIR/ca.crt"
		echo "CRLFile=$HC_CA_DIR/crl.pem"
		echo "ControllerCert=$HC_TEST_DIR/etc/hcctld.crt"
		echo "ControllerKey=$HC_TEST_DIR/etc/hcctld.key"
		printf '%s\n' "$extra" | grep -Ev '^(NodeName|QueueName)=' || true
		for n in $HC_NODES; do
			echo "NodeName=$n NodeAddr=127.0.0.1" \
				"Port=${HC_NODE_PORT[$n]}$(_hc_gres "${HC_NODE_TOPO[$n]}")"
			case $(basename "${HC_NODE_TOPO[$n]}") in
			gpu*) gpunodes="${gpunodes:+$gpunodes,}$n" ;;
			esac
		done
		echo "QueueName=batch Nodes=$(echo $HC_NODES | tr ' ' ,) Default=YES"
		[ -z "$gpunodes" ] || echo "QueueName=gpu Nodes=$gpunodes"
		printf '%s\n' "$extra" | grep -E '^(NodeName|QueueName)=' || true
	} >"$HC_CONF"
}

# cert_issue NAME [KIND [CA-DIR]]: (re)issue node NAME's key and certificate
# into its spool dir as node.key/node.crt; KIND as for cluster_start --cert.
cert_issue() {
	local n=$1 kind=${2:-good} ca=${3:-$HC_CA_DIR} d=$HC_TEST_DIR/spool/$1
	local name=$n args="--days 30" other
	mkdir -p "$d"
	case $kind in
	good | revoked) ;;
	expired) args="--not-after @$(($(date +%s) - 3600))" ;;
	other-ca)
		ca=$HC_TEST_DIR/other-ca
		[ -f "$ca/ca.crt" ] || hc-ca init "$ca" >/dev/null || return 1 ;;
	wrongname)
		for other in $HC_NODES n0; do
			[ "$other" != "$n" ] && break
		done
		name=$other ;;
	*) bail_out "cert_issue: unknown kind $kind" ;;
	esac
	hc-ca --ca "$ca" issue "$name" $args --out "$d" >/dev/null || return 1
	[ "$name" = "$n" ] || {
		mv -f "$d/$name.key" "$d/$n.key"
		mv -f "$d/$name.crt" "$d/$n.crt"
	}
	mv -f "$d/$n.key" "$d/node.key"
	mv -f "$d/$n.crt" "$d/node.crt"
	if [ "$kind" = revoked ]; then
		hc-ca --ca "$ca" revoke "$n" >/dev/null || return 1
	fi
	hc_log "certificate for $n: $kind (name $name)"
}

# ca_setup: the test's CA, hcctld's certificate, and one per node.
ca_setup() {
	local n
	if [ ! -f "$HC_CA_DIR/ca.crt" ]; then
		hc-ca init "$HC_CA_DIR" >/dev/null || return 1
		hc-ca issue hcctld --controller --out "$HC_TEST_DIR/etc" \
			>/dev/null || return 1
	fi
	for n in $HC_NODES; do
		[ -f "$HC_TEST_DIR/spool/$n/node.crt" ] && continue
		cert_issue "$n" "${HC_NODE_CERT[$n]:-good}" || return 1
	done
}

# _hc_spawn NAME cmd...: start a daemon in the background, logging to
# log/NAME.log; remembers its pid.
_hc_spawn() {
	local name=$1
	shift
	"$@" </dev/null >>"$HC_TEST_DIR/log/$name.log" 2>&1 &
	HC_PIDS[$name]=$!
	hc_log "started $name pid=$! : $*"
}

_hc_alive() { [ -n "${HC_PIDS[$1]:-}" ] && kill -0 "${HC_PIDS[$1]}" 2>/dev/null; }

# _hc_reap NAME SIG: signal and wait until gone (KILL after 5 s).
_hc_reap() {
	local name=$1 sig=$2 pid=${HC_PIDS[$1]:-} i
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null || true
	unset "HC_PIDS[$name]"
	hc_log "stopped $name pid=$pid ($sig)"
}

munge_start() {
	dd if=/dev/urandom of="$HC_TEST_DIR/munge/munge.key" bs=1024 count=1 \
		status=none
	chmod 0600 "$HC_TEST_DIR/munge/munge.key"
	_hc_spawn munged "$(command -v munged || echo /usr/sbin/munged)" -F \
		--key-file="$HC_TEST_DIR/munge/munge.key" \
		--socket="$HC_MUNGE_SOCKET" \
		--log-file="$HC_TEST_DIR/log/munged.log" \
		--seed-file="$HC_TEST_DIR/munge/munged.seed" \
		--pid-file="$HC_TEST_DIR/munge/munged.pid"
	wait_for 10 test -S "$HC_MUNGE_SOCKET" || return 1
}

ctld_start() {		# start hcctld and wait until it serves
	rm -f "$HC_TEST_DIR/run/ctld.port" "$HC_TEST_DIR/run/ctld.ready"
	_hc_spawn hcctld hcctld -f "$HC_CONF" -D \
		--port-file "$HC_TEST_DIR/run/ctld.port" \
		--ready-file "$HC_TEST_DIR/run/ctld.ready"
	wait_for "$HC_TEST_TIMEOUT" test -s "$HC_TEST_DIR/run/ctld.port" ||
		{ diag "hcctld wrote no port file"; return 1; }
	wait_for "$HC_TEST_TIMEOUT" test -e "$HC_TEST_DIR/run/ctld.ready" ||
		{ diag "hcctld did not become ready"; return 1; }
	HC_CONTROL_PORT=$(cat "$HC_TEST_DIR/run/ctld.port")
	export HC_CONTROL_PORT
	# Restarts must come back on the same port: the nodes dial it.
	sed -i "s/^ControlPort=0$/ControlPort=$HC_CONTROL_PORT/" "$HC_CONF"
	HC_CTLD_PID=${HC_PIDS[hcctld]}
	export HC_CTLD_PID
}

noded_start() {		# noded_start NAME
	local n=$1
	mkdir -p "$HC_TEST_DIR/spool/$n"
	_hc_spawn "hcnoded-$n" hcnoded -f "$HC_CONF" -n "$n" -D \
		--topology "${HC_NODE_TOPO[$n]}" \
		--control-port "$HC_CONTROL_PORT" \
		--spool "$HC_TEST_DIR/spool/$n"
}

# node_state NAME: "IDLE", "IDLE+DRAIN", "DOWN+NOT_RESPONDING"...
node_state() {
	hcinfo -N --json 2>/dev/null | jq -r --arg n "$1" \
		'(if type == "array" then . else .nodes end)[]
		 | select(.name == $n) | .state'
}

nodes_all_idle() {
	local n
	for n in $HC_NODES; do
		[ -n "${HC_NODE_CERT[$n]:-}" ] && continue
		[ "$(node_state "$n")" = IDLE ] || return 1
	done
}

wait_node_state() {	# wait_node_state NAME REGEX [SECS]
	_hc_node_is() { node_state "$1" | grep -Eq "^($2)\$"; }
	wait_for "${3:-$HC_TEST_TIMEOUT}" _hc_node_is "$1" "$2"
}

# cluster_start [--nodes N] [--topology n3=FILE ...] [--conf-extra LINE ...]
#	[--cert n2=other-ca|expired|revoked|wrongname ...]
cluster_start() {
	local nnodes=4 extra="" i n
	declare -A topo=()
	while [ $# -gt 0 ]; do
		case $1 in
		--nodes) nnodes=$2; shift 2 ;;
		--topology) topo[${2%%=*}]=${2#*=}; shift 2 ;;
		--cert) HC_NODE_CERT[${2%%=*}]=${2#*=}; shift 2 ;;
		--conf-extra) extra="${extra:+$extra
}$2"; shift 2 ;;
		*) bail_out "cluster_start: unknown option $1" ;;
		esac
	done
	HC_NODES=""
	for i in $(seq "$nnodes"); do
		n=n$i
		HC_NODES="$HC_NODES $n"
		HC_NODE_PORT[$n]=$(free_port) || bail_out "no free port"
		HC_NODE_TOPO[$n]=${topo[$n]:-$(_hc_topology "$n")}
	done
	HC_NODES=${HC_NODES# }
	export HC_NODES
	_hc_write_conf "$extra"
	ca_setup || bail_out "cannot make the test's CA and certificates"
	munge_start || bail_out "munged did not start"
	ctld_start || bail_out "hcctld did not start"
	for n in $HC_NODES; do noded_start "$n"; done
	wait_for "$HC_TEST_TIMEOUT" nodes_all_idle || {
		diag "nodes not IDLE after ${HC_TEST_TIMEOUT}s:" \
			"$(hcinfo -N 2>&1)"
		bail_out "the cluster did not come up"
	}
	hc_log "cluster up: port=$HC_CONTROL_PORT nodes=$HC_NODES"
}

ctld_kill9() {
	_hc_reap hcctld KILL
}

ctld_stop() {
	_hc_reap hcctld TERM
}

# ctld_restart: start hcctld again on the same state and port (after
# ctld_kill9 or ctld_stop; stops it first if it still runs).
ctld_restart() {
	_hc_alive hcctld && _hc_reap hcctld TERM
	ctld_start
}

noded_kill9() { _hc_reap "hcnoded-$1" KILL; }
noded_stop() { _hc_reap "hcnoded-$1" TERM; }
noded_restart() {
	_hc_alive "hcnoded-$1" && _hc_reap "hcnoded-$1" TERM
	noded_start "$1"
}

# The pid of a daemon this test started ("hcctld", "hcnoded-n1", "munged").
hc_pid() { echo "${HC_PIDS[$1]:-}"; }

cluster_stop() {
	local n f
	for n in $HC_NODES; do _hc_reap "hcnoded-$n" TERM; done
	# cloud nodes the test's provider started (lib/cloud.sh)
	for f in "$HC_TEST_DIR"/cloud-run/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	_hc_reap hcctld TERM
	_hc_reap munged TERM
	_hc_cgroup_clean
}

# Our cgroups (CgroupPrefix is unique to this test): kill what is left in
# them (processes our daemons started) and remove them.
_hc_cgroup_clean() {
	local c d
	for c in /sys/fs/cgroup/*/; do
		d=$c$HC_CGROUP_PREFIX
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
			while read -r p; do kill -KILL "$p" 2>/dev/null; done
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# --- users and jobs ---------------------------------------------------------

# as_user USER cmd...: run cmd as USER (runuser) from the shared output dir,
# with the cluster's environment, bounded by HC_TEST_TIMEOUT.
as_user() {
	local u=$1
	shift
	(cd "$HC_TEST_DIR/out" && timeout "$HC_TEST_TIMEOUT" runuser -u "$u" -- \
		env PATH="$PATH" HC_CONF="$HC_CONF" \
		HC_CONTROL_ADDR="$HC_CONTROL_ADDR" \
		HC_CONTROL_PORT="${HC_CONTROL_PORT:-}" \
		HC_MUNGE_SOCKET="$HC_MUNGE_SOCKET" TMPDIR=/tmp "$@")
}

# submit_as USER hcsub-args...: prints the new job id.
submit_as() {
	local u=$1 out
	shift
	out=$(as_user "$u" hcsub --parsable "$@") || return $?
	echo "${out%%;*}"
}

# job_field ID FIELD: one field of the job record (hcctl show job --json).
job_field() {
	hcctl show job "$1" --json 2>/dev/null | jq -r --arg f "$2" \
		'(if type == "array" then .[0] elif has("jobs") then .jobs[0]
		  else . end)[$f] // empty'
}

# _hc_queue_col ID FMT: FMT of the hcqueue row that is job ID itself (its
# %i is ID, or ID_[...] for an array's pending record), not its tasks.
_hc_queue_col() {
	hcqueue -h -j "$1" -o "%i|$2" 2>/dev/null | awk -F'|' -v id="$1" \
		'{ i = $1; gsub(/ /, "", i) }
		 i == id || index(i, id "_[") == 1 { print $2; exit }'
}

# job_state ID: its state (hcqueue while it is visible, then the history).
job_state() {
	local s
	s=$(_hc_queue_col "$1" %T | tr -d ' ')
	[ -n "$s" ] || s=$(job_field "$1" state)
	[ -n "$s" ] || s=$(hcacct -n -P -j "$1" -o State 2>/dev/null |
		head -1 | awk '{print $1}')
	echo "${s:-UNKNOWN}"
}

# wait_job_state ID STATE-REGEX [SECS]
wait_job_state() {
	_hc_job_is() { job_state "$1" | grep -Eq "^($2)\$"; }
	wait_for "${3:-$HC_TEST_TIMEOUT}" _hc_job_is "$1" "$2" || {
		diag "job $1 is $(job_state "$1"), not $2"
		return 1
	}
}

# --- exit -------------------------------------------------------------------

_hc_dump_logs() {
	local f
	for f in "$HC_TEST_DIR"/log/*.log; do
		[ -s "$f" ] || continue
		diag "----- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f" | sed 's/^/# /'
	done
	diag "logs kept in $HC_TEST_DIR"
}

_hc_exit() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$_hc_watchdog" ] && { pkill -P "$_hc_watchdog" 2>/dev/null;
		kill "$_hc_watchdog" 2>/dev/null; }
	cluster_stop 2>/dev/null
	local p
	[ -f "$HC_TEST_DIR/run/ports" ] && for p in $(cat "$HC_TEST_DIR/run/ports"); do
		rmdir "$HC_PORT_LOCKS/$p" 2>/dev/null
	done
	if [ -n "$_tap_planned" ] && [ "$_tap_n" -lt "$_tap_planned" ] &&
		[ "$_tap_planned" != 0 ]; then
		diag "ran $_tap_n of $_tap_planned tests"
		rc=1
	fi
	if [ "$_tap_failed" -gt 0 ] || { [ "$rc" -ne 0 ] && { [ -z "$_tap_planned" ] ||
		[ "$_tap_n" -lt "$_tap_planned" ]; }; }; then
		_hc_dump_logs
	elif [ -z "${HC_TEST_KEEP:-}" ]; then
		rm -rf "$HC_TEST_DIR"
	fi
	# The verdict is the TAP stream's: a last command that returned
	# non-zero after every test passed is no failure.
	if [ "$_tap_failed" -gt 0 ]; then
		rc=1
	elif [ -n "$_tap_planned" ] && [ "$_tap_n" -ge "$_tap_planned" ]; then
		rc=0
	fi
	exit "$rc"
}
trap _hc_exit EXIT
trap 'diag "interrupted"; exit 1' INT TERM

# A whole-test watchdog, so that a hung daemon cannot hang `make check`.
(sleep "$HC_TEST_WALL" && echo "watchdog: $HC_TEST_WALL s" >&2 &&
	kill -TERM $$) >/dev/null 2>&1 &
_hc_watchdog=$!

# --- more job helpers -------------------------------------------------------

# job_node ID: the (first) node a job runs or ran on.
job_node() {
	local n
	n=$(job_field "$1" nodelist)
	[ -n "$n" ] || n=$(_hc_queue_col "$1" %N)
	echo "${n%%,*}" | sed 's/\[\([0-9]*\).*/\1/'
}

# jobs_where USER N: submit N trivial jobs to queue batch as USER, wait for
# each to complete, and print the nodes they ran on (space-separated).
jobs_where() {
	local u=$1 n=$2 ids="" id where="" i
	for i in $(seq "$n"); do
		ids="$ids $(submit_as "$u" -p batch -o /dev/null --wrap true)"
	done
	for id in $ids; do
		wait_job_state "$id" COMPLETED >/dev/null
		where="$where $(job_node "$id")"
	done
	echo "$where"
}

# job_done ID: the job reached a final state.
job_done() {
	case $(job_state "$1") in
	COMPLETED | FAILED | CANCELLED* | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | \
		PREEMPTED) return 0 ;;
	esac
	return 1
}

# out_file NAME: a path in the job output dir (writable by the test users).
out_file() { echo "$HC_TEST_DIR/out/$1"; }

#!/bin/bash
# How hcctld runs a pool's programs (hc.conf(5) POWER PROGRAMS): the nodes
# as a hostlist argument; the pool, template and jobs in a clean
# environment (nothing of hcctld's own); no signal blocked or ignored; per
# node "NODE STATUS [message]" lines deciding for the nodes they name; a
# program past its timeout killed with its whole session; and the
# ResumeFailProgram hook run for a failed start, a silent one
# (ResumeTimeout) included. A program that is not there: hcctld says so
# at start-up, and a node it was to start goes DOWN saying why.
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/cloud.sh"
plan 26

E=$HC_TEST_DIR/etc
R=$HC_TEST_DIR/rec
mkdir -p "$R"
# rec: records its argument, environment and signal mask per action; for
# resume it starts r1 through the local provider and reports r2 and r3.
cat >"$E/rec" <<EOF
#!/bin/sh
f=$R/\$HC_ACTION.\$(echo "\$1" | tr -c 'a-z0-9\n' _)
{ echo "ARGS=\$*"; env | sort; grep -E '^Sig(Blk|Ign):' /proc/self/status
} >"\$f"
[ "\$HC_ACTION" = resume ] || exit 0
case \$1 in
r1) exec $HC_CLOUD_PROVIDER "\$@" ;;
esac
echo "r2 transient no capacity for r2"
echo "r3 permanent image of r3 is gone"
exit 0
EOF
# hang: never ends (killed at its timeout with its session).
cat >"$E/hang" <<EOF
#!/bin/sh
sleep 120 &
echo \$\$ \$! >$R/hang.pids
wait
EOF
fail_program "$E/silent" 0 "asked for it"
chmod 0755 "$E/rec" "$E/hang"
# hcctld's own environment and an ignored signal must not reach them.
export HC_LEAK_CHECK=from-hcctld
trap '' USR2
cluster_start --nodes 1 \
	--conf-extra "$(cloud_pool rec r[1-3] ResumeProgram=$E/rec \
		ResumeFailProgram=$E/rec Features=rec)" \
	--conf-extra "$(cloud_pool quiet q1 ResumeProgram=$E/silent \
		ResumeFailProgram=$E/rec ResumeTimeout=2)" \
	--conf-extra "$(cloud_pool hang h1 ResumeProgram=$E/hang \
		ResumeTimeout=2)" \
	--conf-extra "$(cloud_pool gone g1 ResumeProgram=$E/no-such)"
trap - USR2
unset HC_LEAK_CHECK
cloud_ready r1 || bail_out "cannot set the provider up"

id=$(submit_as "$HC_USER1" --constraint=rec -t 1 --wrap true)
ok "a job only the pool can run starts r1 and runs" \
	wait_job_state "$id" COMPLETED 20
rec=$R/resume.r1
ok "the ResumeProgram ran" test -s "$rec"
f() { sed -n "s/^$1=//p" "$rec"; }
is "its argument is the nodes" "$(f ARGS)" r1
is "HC_ACTION" "$(f HC_ACTION)" resume
is "HC_POOL" "$(f HC_POOL)" rec
is "HC_NODES" "$(f HC_NODES)" r1
is "HC_JOBS names the job" "$(f HC_JOBS)" "$id"
is "HC_TEMPLATE" "$(f HC_TEMPLATE)" "CPUs=16 RealMemory=1024M Features=rec"
is "HC_CPUS" "$(f HC_CPUS)" 16
is "HC_CONF" "$(f HC_CONF)" "$HC_CONF"
is "PATH is the clean one" "$(f PATH)" /usr/sbin:/usr/bin:/sbin:/bin
is "nothing of hcctld's environment" \
	"$(grep -cv -E '^(HC_[A-Z_]+|PATH|PWD|SHLVL|_|ARGS|Sig[A-Za-z]+)[=:]' \
	"$rec")" 0
unlike "... (not its HC_LEAK_CHECK)" "$(cat "$rec")" HC_LEAK_CHECK
# Signals 1-31 (glibc keeps 32 and 33 for itself; a caller may leave them
# ignored, and sigaction cannot change them).
mask() { printf '%d' $((0x$(sed -n "s/^$1:[[:space:]]*//p" "$rec") & 0x7fffffff)); }
is "no signal blocked" "$(mask SigBlk)" 0
is "no signal ignored (USR2 was, in hcctld)" "$(mask SigIgn)" 0

# Per-node lines: r2 transient, r3 permanent, though the exit status is 0.
hcctl update node 'r[2-3]' State=POWER_UP >/dev/null
ok "r3's permanent line leaves it DOWN" wait_node_state r3 DOWN 20
like "... with its message" "$(node_reason r3)" "image of r3 is gone"
ok "r2's transient line returns it to the pool" wait_for 10 eval \
	'[ "$(node_state r2)" = CLOUD ] && [ -n "$(node_reason r2)" ]'
like "... saying so" "$(node_reason r2)" "transient failure: no capacity for r2"
ok "the ResumeFailProgram ran for both" wait_for 10 \
	grep -qx "ARGS=r\\[2-3\\]" "$R/resume_fail.r_2_3_"

# A node that never registers: DOWN at ResumeTimeout, and the hook runs.
hcctl update node q1 State=POWER_UP >/dev/null
ok "a silent start goes DOWN at ResumeTimeout" wait_node_state q1 DOWN 20
ok "... and the ResumeFailProgram runs for it" wait_for 10 \
	grep -qx "ARGS=q1" "$R/resume_fail.q1"

# A program past its timeout is killed, its whole session.
hcctl update node h1 State=POWER_UP >/dev/null
wait_for 10 test -s "$R/hang.pids"
read -r sh_pid sleep_pid <"$R/hang.pids"
ok "a program past its timeout is killed with its children" wait_for 15 \
	eval "! kill -0 $sh_pid 2>/dev/null && ! kill -0 $sleep_pid 2>/dev/null"

# A program that is not there.
like "hcctld's start-up names a missing program" \
	"$(grep 'CloudPool=gone: ResumeProgram=' "$HC_TEST_DIR/log/hcctld.log")" \
	"no such file; install it or fix the path"
hcctl update node g1 State=POWER_UP >/dev/null
ok "a node whose program is missing goes DOWN" wait_node_state g1 DOWN 20
like "... saying why" "$(node_reason g1)" "cannot run the program"

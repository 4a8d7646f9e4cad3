#!/bin/bash
# hc-rsh and the job environment MPI launchers read: HC_NODEFILE with one
# hc node name per task slot, the launchers' variables, no SLURM_*; hc-rsh
# runs a command on a node of the job inside the job (cgroup, user), with
# stdin/stdout and the exit status passed, and refuses callers outside a
# job, hosts outside the job and flags it does not do.
. "$(dirname "$0")/lib/cluster.sh"
plan 27
cluster_start --nodes 2 --conf-extra "MpiRshAgent=$HC_TEST_DIR/bin/hc-rsh"

o=$(out_file 'rsh-%j.out')
id=$(submit_as "$HC_USER1" -N 2 --ntasks-per-node=2 -o "$o" --wrap '
me=$HC_NODENAME
echo "NODEFILE=$(tr "\n" " " <"$HC_NODEFILE")"
echo "AGENT=$HC_RSH_AGENT"
echo "OMPI_AGENT=$OMPI_MCA_plm_rsh_agent"
echo "OMPI_HOSTFILE=$OMPI_MCA_orte_default_hostfile"
echo "HYDRA=$HYDRA_LAUNCHER $HYDRA_LAUNCHER_EXEC $HYDRA_HOST_FILE"
echo "BTL=$OMPI_MCA_btl"
echo "SLURM=$(env | grep -c "^SLUR[M]_")"
echo "BATCH_CG=$(grep freezer /proc/self/cgroup | cut -d: -f3)"
echo "LOCAL=$($HC_RSH_AGENT $me '\''echo $HC_NODENAME $(id -u) $(grep freezer /proc/self/cgroup | cut -d: -f3)'\'')"
$HC_RSH_AGENT -x -o BatchMode=yes $me "exit 3"; echo "EXIT=$?"
echo "STDIN=$(echo piped | $HC_RSH_AGENT $me cat)"
echo "NULLIN=$(echo piped | $HC_RSH_AGENT -n $me cat)"
echo "WORDS=$($HC_RSH_AGENT $me echo "a  b" "c;" echo d | tr "\n" +)"
$HC_RSH_AGENT nosuchnode true 2>&1; echo "FOREIGN=$?"
$HC_RSH_AGENT -L 1:h:2 $me true 2>&1; echo "FORWARD=$?"
$HC_RSH_AGENT $me 2>&1; echo "NOCMD=$?"
$HC_RSH_AGENT $me "kill -TERM \$\$"; echo "KILLED=$?"
other=$(sort -u "$HC_NODEFILE" | grep -vx "$me")
echo "REMOTE=$($HC_RSH_AGENT $other '\''echo $HC_NODENAME $(id -u) $(grep freezer /proc/self/cgroup | cut -d: -f3) $HC_RSH_SOCKET'\'')"
echo "RSTDIN=$(echo piped | $HC_RSH_AGENT $other "cat; exit 5")"
$HC_RSH_AGENT -n $other "exit 6"; echo "REXIT=$?"
')
ok "the job completes" wait_job_state "$id" COMPLETED
f=$(out_file "rsh-$id.out")
nodes=$(job_field "$id" nodelist)
first=$(sed -n 's/^LOCAL=\([^ ]*\).*/\1/p' "$f")
diag "$(cat "$f")"
like "HC_NODEFILE: each node once per task slot, the batch node first" \
	"$(sed -n 's/^NODEFILE=//p' "$f")" "^(n[12]) \\1 (n[12]) \\2 \$"
like "HC_RSH_AGENT is hc-rsh" "$(grep ^AGENT= "$f")" "/hc-rsh\$"
like "Open MPI's rsh agent is hc-rsh" "$(grep ^OMPI_AGENT= "$f")" "/hc-rsh\$"
like "Open MPI's default hostfile is the node file" \
	"$(grep ^OMPI_HOSTFILE= "$f")" "/job_$id\\.nodefile\$"
like "Hydra launches with rsh = hc-rsh and reads the node file" \
	"$(grep ^HYDRA= "$f")" \
	"^HYDRA=rsh [^ ]*/hc-rsh [^ ]*/job_$id\\.nodefile\$"
is "several agents on one host: Open MPI's vader is off" \
	"$(grep ^BTL= "$f")" "BTL=self,tcp"
is "no SLURM_ variable in the job" "$(grep ^SLURM= "$f")" "SLURM=0"
bcg=$(sed -n 's/^BATCH_CG=//p' "$f")
is "hc-rsh to the job's node runs there, as the user, in the job's cgroup" \
	"$(sed -n 's/^LOCAL=//p' "$f")" "$first $HC_UID1 $bcg"
like "the job's cgroup is the job's" "$bcg" "/$first/job_$id\$"
is "the command's exit status comes back" "$(grep ^EXIT= "$f")" "EXIT=3"
is "stdin is forwarded" "$(grep ^STDIN= "$f")" "STDIN=piped"
is "-n gives the command /dev/null" "$(grep ^NULLIN= "$f")" "NULLIN="
is "the words are joined and run by sh -c, as ssh does" \
	"$(grep ^WORDS= "$f")" "WORDS=a b c+d+"
ok "a host outside the job is refused (255)" grep -qx "FOREIGN=255" "$f"
like "... saying why" "$(cat "$f")" "nosuchnode: not a node of this job"
ok "port forwarding is refused (255)" grep -qx "FORWARD=255" "$f"
ok "no command is refused (255)" grep -qx "NOCMD=255" "$f"
is "a command killed by a signal gives 128+N" "$(grep ^KILLED= "$f")" \
	"KILLED=143"
is "the agent logged each start" \
	"$(grep -c "rsh job=$id uid=$HC_UID1 host=$first" \
		"$HC_TEST_DIR/log/hcnoded-$first.log")" 6

other=$(sed -n 's/^REMOTE=\([^ ]*\).*/\1/p' "$f")
is "hc-rsh to the job's other node runs there, as the user, in its cgroup" \
	"$(sed -n 's/^REMOTE=//p' "$f")" \
	"$other $HC_UID1 ${bcg%/$first/job_$id}/$other/job_$id $HC_TEST_DIR/spool/$other/rsh.sock"
is "... with stdin forwarded" "$(grep ^RSTDIN= "$f")" "RSTDIN=piped"
is "... and its exit status returned" "$(grep ^REXIT= "$f")" "REXIT=6"
is "the batch node's agent started each through the other's" \
	"$(grep -c "rsh job=$id uid=$HC_UID1 host=$other .* remote" \
		"$HC_TEST_DIR/log/hcnoded-$first.log")" 3

# From outside any job, pointing at an agent's socket by hand.
sock=$HC_TEST_DIR/spool/n1/rsh.sock
out=$(as_user "$HC_USER1" env HC_RSH_SOCKET="$sock" hc-rsh n1 true 2>&1)
rc=$?
is "outside a job hc-rsh is refused (255)" "$rc" 255
like "... saying it works only inside a job" "$out" "only inside a job"
out=$(as_user "$HC_USER1" hc-rsh n1 true 2>&1)
like "without HC_RSH_SOCKET it says it is not inside a job" "$out" \
	"not inside an hc job"

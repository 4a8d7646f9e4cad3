# hcsim.sh: what the hcsim tests share (sourced by testsuite/t*-hcsim*.t).
# They need no cluster: each replays small traces from testsuite/sim with
# the built hcsim and prints TAP through result(); the script ends with
# `exit $((failed > 0))`.
#
#   . "$(dirname "$0")/lib/hcsim.sh"
#   echo "1..1"
#   "$sim" --policy easy --check "$dir/golden-a.swf" >/dev/null
#   result $? "golden-a replays"
#   exit $((failed > 0))

: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"
export HC_SCHED_PLUGIN_DIR=$HC_BUILDDIR/plugins/sched/.libs
sim=$HC_BUILDDIR/src/hcsim/hcsim
dir=$HC_SRCDIR/testsuite/sim
n=0
failed=0
result() {		# result RC DESC
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

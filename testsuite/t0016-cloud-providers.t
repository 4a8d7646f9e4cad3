#!/bin/bash
# The cloud providers of etc/cloud: shellcheck-clean (when shellcheck is
# installed), and the local provider's typed exits and per-node lines
# without a cluster (hc.conf(5) POWER PROGRAMS).
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
n=0
fails=0
t() {	# t DESC CMD...
	n=$((n + 1))
	if "${@:2}"; then echo "ok $n - $1"; else
		echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
echo "1..6"
P=$HC_SRCDIR/etc/cloud
for f in local aws-ec2 openstack; do
	if command -v shellcheck >/dev/null; then
		t "$f is shellcheck-clean" shellcheck "$P/$f"
	else
		n=$((n + 1)); echo "ok $n # SKIP shellcheck not installed"
	fi
done
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf 'HCNODED=/bin/true\nSPOOL=%s/%%n\nRUN_DIR=%s/run\n' "$d" "$d" \
	>"$d/cloud-local.conf"
out=$(HC_CONF=$d/hc.conf HC_ACTION=resume "$P/local" 'c[1-2]'); rc=$?
t "local: a node without a certificate is a permanent failure (78)" \
	test "$rc" = 78
t "... said per node" test "$(echo "$out" | grep -c '^c[12] permanent no certificate')" = 2
out=$(HC_CONF=$d/hc.conf HC_ACTION=reboot "$P/local" c1); rc=$?
t "local: an unknown action is refused (78)" test "$rc" = 78
exit $((fails > 0))

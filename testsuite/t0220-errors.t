#!/bin/bash
# Table-driven: every documented error (errors.table) gives its message and
# exit status -- bad flags for each command, bad hc.conf lines through
# `hcctld --check-config` or at hcctld's start, refused requests.
. "$(dirname "$0")/lib/cluster.sh"
table=$HC_SRCDIR/testsuite/errors.table
rows=$(grep -Ev '^[[:space:]]*(#|$)' "$table")
plan $(($(printf '%s\n' "$rows" | wc -l) * 2 + 1))
cluster_start

ID=$(submit_as "$HC_USER1" --hold --wrap true)
OTHER=$(submit_as "$HC_USER2" --hold --wrap true)
ok "hcctld --check-config accepts the test's own hc.conf" \
	hcctld --check-config -f "$HC_CONF"

trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }
while IFS= read -r row; do
	who=$(echo "$row" | awk -F' [|] ' '{print $1}' | trim)
	want=$(echo "$row" | awk -F' [|] ' '{print $2}' | trim)
	re=$(echo "$row" | awk -F' [|] ' '{print $3}' | trim)
	cmd=$(echo "$row" | awk -F' [|] ' '{print $4}' | trim)
	cmd=${cmd//\$ID/$ID}
	cmd=${cmd//\$OTHER/$OTHER}
	rc=0
	case $who in
	user1) out=$(as_user "$HC_USER1" bash -c "$cmd" 2>&1 </dev/null) || rc=$? ;;
	root) out=$(bash -c "$cmd" 2>&1 </dev/null) || rc=$? ;;
	noctld) out=$(HC_CONTROL_PORT=1 bash -c "$cmd" 2>&1 </dev/null) || rc=$? ;;
	conf)
		f=$HC_TEST_DIR/etc/bad.conf
		{ cat "$HC_CONF"; echo "$cmd"; } >"$f"
		line=$(wc -l <"$f")
		out=$(hcctld --check-config -f "$f" 2>&1 </dev/null) || rc=$?
		re="$f:$line: .*$re|bad.conf:$line: .*$re"
		[ "$rc" -ne 0 ] && rc=1 ;;
	start)	# refused when hcctld starts (a private state dir and port)
		f=$HC_TEST_DIR/etc/bad-start.conf
		{ sed "s|^StateDir=.*|StateDir=$HC_TEST_DIR/state-bad|;
			s|^ControlPort=.*|ControlPort=0|" "$HC_CONF"
		  echo "$cmd"; } >"$f"
		mkdir -p "$HC_TEST_DIR/state-bad"
		out=$(timeout 20 hcctld -f "$f" -D 2>&1 </dev/null) || rc=$?
		[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && rc=1 ;;
	esac
	is "$who: $cmd: exit $want" "$rc" "$want"
	like "$who: $cmd: message" "$(echo "$out" | grep -v " info: " | head -5)" "$re"
done <<<"$rows"

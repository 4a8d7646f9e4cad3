#!/bin/bash
# hcqueue's table view (rows written by hcctld as JSON text) over jobs whose
# names need escaping, are not ASCII, or are as long as a name may be: every
# format shows each name back byte for byte, and hcctld stays up.
. "$(dirname "$0")/lib/cluster.sh"
plan 11
cluster_start

long=$(printf 'L%.0s' $(seq 4096))
quotes=$(printf '"\\%.0s' $(seq 2048))
ctl=$(printf '\001%.0s' $(seq 4096))
names=(
	'quote"back\slash/'
	$'tab\there, newline\nthere, bell\a'
	$'\x01\x1f\x7f'
	'héllo wörld ☃ 𝄞 日本語'
	"$long"
	"$quotes"
	"$ctl"
)
ids=()
for nm in "${names[@]}"; do
	id=$(as_user "$HC_USER1" hcsub --parsable -o /dev/null -J "$nm" \
		--wrap true) || id=
	ids+=("${id%%;*}")
done
ok "jobs with every kind of name are accepted" \
	test "$(printf '%s\n' "${ids[@]}" | grep -c '^[0-9][0-9]*$')" = \
	"${#names[@]}"
# Many rows at once: the reply's buffer grows several times while written.
for i in $(seq 20); do
	as_user "$HC_USER2" hcsub --parsable -o /dev/null -J "${ctl:0:4000}$i" \
		--wrap true >/dev/null
done

bad=0
for k in "${!names[@]}"; do
	got=$(hcqueue -h -t all -o '%j' -j "${ids[$k]}")
	[ "$got" = "${names[$k]}" ] || { bad=$((bad + 1)); diag "name $k"; }
done
is "hcqueue -o %j shows every name back unchanged" "$bad" 0

all="%i|%j|%u|%T|%t|%M|%l|%D|%R|%P|%C|%b|%S|%V|%N|%r|%a|%Q|%y"
# (stdout away from the TAP stream: a name could read "ok 1")
ok "hcqueue (default format) lists them" eval 'hcqueue -t all >/dev/null'
ok "hcqueue -l lists them" eval 'hcqueue -l -t all >/dev/null'

out=$(hcqueue -h -t all -o "$all") || out=
is "hcqueue with every field: one line per job" \
	"$(printf '%s\n' "$out" | grep -c "^[0-9][0-9]*|.*|$HC_USER2|")" 20
ok "hcqueue with wide, aligned fields" \
	eval "hcqueue -t all -o '%.30i %999j %.5000j %.20u %50R' >/dev/null"
bad=0
for k in "${!names[@]}"; do
	got=$(hcqueue --json -t all -j "${ids[$k]}" |
		jq -j '(if type == "array" then . else .jobs end)[0].name')
	[ "$got" = "${names[$k]}" ] || { bad=$((bad + 1)); diag "json $k"; }
done
is "hcqueue --json shows every name back unchanged" "$bad" 0
n=$(hcqueue -h -t all -o '%j' -u "$HC_USER2" |
	grep -c "^${ctl:0:4000}[0-9]*\$")
is "hcqueue -u shows the 20 long names" "$n" 20
ok "hcctld is still running" kill -0 "$(hc_pid hcctld)"
ok "hcctld answers after it all" eval 'hcinfo >/dev/null'
nok "hcctld logged no sanitizer report" \
	grep -Eq 'runtime error|Sanitizer' "$HC_TEST_DIR/log/hcctld.log"

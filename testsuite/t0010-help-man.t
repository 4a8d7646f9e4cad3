#!/bin/bash
# Every command's --help and its man page agree: each long option --help
# prints is documented in the page's text, and each option the page's
# OPTIONS list documents is one the command knows. --version exits 0 and
# names the version; an unknown flag is named in the error and exits 1
# (255 for hc-rsh, as ssh does: MPI launchers read 255 as "could not
# launch"). Every installed program is listed (bin, sbin). Needs no cluster.
: "${HC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${HC_BUILDDIR:=$HC_SRCDIR}"

# command:manual section:exit status of an unknown flag
cmds="hcsub:1:1 hcqueue:1:1 hccancel:1:1 hcinfo:1:1 hcacct:1:1 hcctl:8:1
	hc-ca:8:1 hcsim:1:1 hcrun:1:1 hcalloc:1:1 hc-rsh:1:255 hcctld:8:1
	hcnoded:8:1"
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
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

echo "1..$(($(echo $cmds | wc -w) * 5 + 1))"

# Every program installed in bin or sbin is in the list above.
unlisted=""
for prog in $(sed -n 's/^s\{0,1\}bin_PROGRAMS *+\{0,1\}= *//p' \
	"$HC_SRCDIR"/src/*/Makefile.am); do
	[[ " $(echo $cmds) " == *" $prog:"* ]] || unlisted="$unlisted $prog"
done
[ -z "$unlisted" ]
result $? "every installed program is checked here"
[ -n "$unlisted" ] && diag "not checked:$unlisted"
for entry in $cmds; do
	IFS=: read -r cmd section badrc <<<"$entry"
	bin=$HC_BUILDDIR/src/cmds/$cmd
	[ -x "$bin" ] || bin=$HC_BUILDDIR/src/$cmd/$cmd
	page=$HC_SRCDIR/doc/$cmd.$section
	# The page's text with roff's \- as plain dashes.
	text=$(sed 's/\\-/-/g' "$page" 2>/dev/null)

	help=$("$bin" --help 2>&1)
	result $? "$cmd --help exits 0"

	missing=""
	for opt in $(printf '%s\n' "$help" |
		grep -oE -- '--[A-Za-z][A-Za-z0-9-]*' | sort -u); do
		printf '%s\n' "$text" |
			grep -qE -- "$opt([^A-Za-z0-9-]|\$)" ||
			missing="$missing $opt"
	done
	[ -z "$missing" ] && [ -n "$text" ]
	result $? "every option of $cmd --help is in $(basename "$page")"
	[ -n "$missing" ] && diag "not documented:$missing"

	# Options the page lists: the first line after each .TP in OPTIONS.
	unknown=""
	for opt in $(printf '%s\n' "$text" |
		awk '/^\.SH/ { on = ($2 == "OPTIONS") }
		     on && prev == ".TP" { print } { prev = $0 }' |
		grep -oE -- '--[A-Za-z][A-Za-z0-9-]*' | sort -u); do
		printf '%s\n' "$help" |
			grep -qE -- "$opt([^A-Za-z0-9-]|\$)" ||
			unknown="$unknown $opt"
	done
	[ -z "$unknown" ]
	result $? "every option $(basename "$page") lists is known to $cmd"
	[ -n "$unknown" ] && diag "not in --help:$unknown"

	out=$("$bin" --version 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && [[ "$out" == "$cmd (hc) "* ]]
	result $? "$cmd --version exits 0 and names the version"
	[ "$rc" -ne 0 ] && diag "rc=$rc: $out"

	out=$("$bin" --no-such-flag 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq "$badrc" ] && [[ "$out" == *" option '--no-such-flag'"* ]]
	result $? "$cmd --no-such-flag exits $badrc and names the option"
	[ "$rc" -ne "$badrc" ] && diag "rc=$rc: $out"
done
[ "$failed" -eq 0 ]

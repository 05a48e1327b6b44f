#!/bin/sh
# Every program and every subcommand answers --version with the one version (the file VERSION,
# which the Makefile compiles in), and -h and --help with its usage on stdout and exit status 0.
# The subcommands are read from each tool's own usage, so a new one is checked without a change
# here — and one its usage forgets to list fails the count below.
. "$(dirname "$0")/lib.sh"

VERSION=$(cat "$ROOT/VERSION")
check "VERSION holds one version" sh -c "echo '$VERSION' | grep -qE '^[0-9]+\.[0-9]+(\.[0-9]+)?([~+][0-9A-Za-z.~+-]*)?\$'"

# answers PROGRAM [SUBCOMMAND...]: checks --version, -h and --help of that command line.
answers() {
	prog=$1; shift
	cmdline="$prog${*:+ $*}" # not "name": check() in lib.sh sets that
	out=$("$B/$prog" "$@" --version 2>"$T/err"); rc=$?
	expect "$cmdline --version: exit 0" 0 $rc
	expect "$cmdline --version: the version" "$prog $VERSION" "$out"
	for h in -h --help; do
		"$B/$prog" "$@" $h > "$T/out" 2>"$T/err"; rc=$?
		expect "$cmdline $h: exit 0" 0 $rc
		check "$cmdline $h: usage on stdout" grep -q "^usage: $prog${*:+ $*}\\b" "$T/out"
		check "$cmdline $h: nothing on stderr" test ! -s "$T/err"
	done
}

# subcommands PROGRAM [SUBCOMMAND]: the subcommands its usage lists, as
# "usage: PROGRAM [SUB] NAME ..." and "       PROGRAM [SUB] NAME ..." lines, or (qrgatectl's list)
# "  NAME ..." lines.
subcommands() {
	"$B/$1" ${2:+"$2"} --help | sed -n "s/^\(usage:\|      \) $1${2:+ $2} \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}\$/\2/p;
		s/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}\$/\1/p" | sort -u
}

answers qrgated
answers qrgatectl
answers qrgate-issue
n=0
for sub in $(subcommands qrgatectl); do
	n=$((n + 1))
	answers qrgatectl "$sub"
	for subsub in $(subcommands qrgatectl "$sub"); do
		n=$((n + 1))
		answers qrgatectl "$sub" "$subsub"
	done
done
for sub in $(subcommands qrgate-issue); do
	n=$((n + 1))
	answers qrgate-issue "$sub"
done
# qrgatectl: 14 commands, token's 4, audit's 4, area's 1, ils's 1, lend's 2 and receipt's 2; qrgate-issue: 6.
expect "subcommands found in the usages" 34 "$n"

# An unknown option is still a usage error (2), with the usage on stderr.
"$B/qrgated" --no-such-option > "$T/out" 2>"$T/err"
expect "qrgated --no-such-option: exit 2" 2 $?
check "qrgated --no-such-option: usage on stderr" grep -q "^usage: qrgated" "$T/err"

# One version, defined once: no source file spells it out.
check "no source file defines the version again" \
	sh -c "! grep -rnF --include='*.[ch]' '\"$VERSION\"' '$ROOT/api' '$ROOT/audit' '$ROOT/config' '$ROOT/core' '$ROOT/daemon' '$ROOT/hal' '$ROOT/pkcs11' '$ROOT/tools'"
finish

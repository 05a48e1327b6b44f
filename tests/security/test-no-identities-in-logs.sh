#!/bin/sh
# No line the daemon logs, at any level, carries a raw subject id, an on-behalf-of id or a name
# (issue 10, item 12; docs/audit.md promises it). Found by a review: --debug logged "subject p-99".
# The whole demo scene is played with --debug, and its every daemon line searched.
. "$(dirname "$0")/../integration/lib.sh"

B="$B" TMPDIR="$T" QRGATED_ARGS=--debug "$ROOT/scripts/demo" > "$T/demo.out" 2>&1
expect "the demo runs with --debug" 0 $?
grep '        gate log | ' "$T/demo.out" > "$T/daemon-lines"
n=$(wc -l < "$T/daemon-lines")
echo "     $n daemon log lines, debug included"
check "debug lines are there (the search is not empty)" grep -q "<7>\|Replay cache" "$T/daemon-lines"
check "the scene's decisions are there" grep -q "granted (QG1 code)" "$T/daemon-lines"
# Every subject and on-behalf-of id the scene's codes carry, and the EU DCC holder's name.
for id in p-7f3a p-11 p-12 p-13 p-14 p-0a1 p-0a2 Mustermann MUSTERMANN Erika ERIKA; do
	check "no daemon line carries '$id'" sh -c "! grep -qF -- '$id' '$T/daemon-lines'"
done
finish

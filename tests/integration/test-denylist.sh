#!/bin/sh
# Signed deny-lists through the real daemon (docs/denylist.md): a list dropped into the watched
# folder is put in force and a revoked code is refused with "revoked" (by its subject, by its
# cti); lists replaced again and again while codes are decided in a loop — each a list of
# 100,000 entries — never let a code through that every list revokes (no decision sees a torn
# list, or none); a forged, truncated, unknown-key and rolled-back list is refused with a
# journal entry and the list in force stays; the rollback is refused across a restart too; a
# list older than denylist.max_age degrades State at that second.
. "$(dirname "$0")/lib.sh"

make_issuer
"$B/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/rogue" >/dev/null
mkdir -p "$T/deny"
write_config "$T/qrgate.conf" "denylist: { directory = \"$T/deny\"; };"
start_bus permissive
start_daemon

state_is() { [ "$(mgr_prop State)" = "s \"$1\"" ]; }
version_is() { [ "$(mgr_prop DenyListVersion)" = "t $1" ]; }
# list VERSION FILE [KEY]: signs $T/entries as deny-list VERSION into FILE (renamed into place).
list() { "$B/qrgate-issue" denylist --key "${3:-$T/city.key}" --kid k1 --iss city --version "$1" --out "$2" "$T/entries" >/dev/null; }
refused() { grep -c "Deny-list .* refused" "$T/daemon.log"; }

check "no list yet: degraded" wait_for 3 state_is degraded
ctl status > "$T/status"
check "no list yet: the fault says nothing is refused as revoked" grep -q "^fault: deny-list: no valid list in force (folder $T/deny): nothing is refused as revoked" "$T/status"
check "no list yet: status says none" grep -q "^deny-list: none in force" "$T/status"

# Version 1: a subject and one code's id.
printf '# revoked\nsubject city p-bad\ncti 0102030405060708090a0b0c0d0e0f10\nsubject city p-always\n' > "$T/entries"
list 1 "$T/deny/city.deny"
check "a list dropped into the folder is put in force" wait_for 5 version_is 1
check "running once a list is in force" wait_for 3 state_is running
check "the journal says which list" grep -q "Deny-list $T/deny/city.deny: version 1 of issuer \"city\", issued .*, 3 entries: in force." "$T/daemon.log"
expect "DenyListEntries" "t 3" "$(mgr_prop DenyListEntries)"
issued=$(mgr_prop DenyListIssued | cut -d' ' -f2)
check "DenyListIssued is now, in microseconds" [ $(( $(date +%s) - issued / 1000000 )) -lt 60 ]
ctl status > "$T/status"
check "status shows the list" grep -q "^deny-list: version 1, issued .*, 3 entries" "$T/status"
expect "a revoked subject's code is refused" "denied revoked" "$(ctl submit "$(mint --sub p-bad --scope library.lend)")"
expect "a revoked code id is refused" "denied revoked" "$(ctl submit "$(mint --sub p-ok --scope library.lend --cti 0102030405060708090a0b0c0d0e0f10)")"
good=$(mint --sub p-ok --scope library.lend)
expect "another code of another subject is granted" "granted" "$(ctl submit "$good")"
check "the refusal's journal line names what matched, not whom" grep -q "denied revoked: the deny-list (version 1) names the code's subject" "$T/daemon.log"
check "the record of the highest version is in the state directory" grep -q "^QGDENYV1 1 [0-9a-f]\{64\}$" "$T/state/denylist-version"

# Replaced while codes are decided: every list revokes p-always, and 100,000 other entries; p-x
# is revoked by the even versions only. A decision that saw half a list (or none) would grant
# p-always.
# A refused code is not used up, so one code serves the whole loop, which runs until told to stop.
seq 100000 | sed 's/^/subject city r-/' > "$T/bulk"
always=$(mint --sub p-always --scope library.lend --ttl 120)
: > "$T/loop.out"
( while [ ! -e "$T/stop" ]; do ctl submit "$always"; done > "$T/loop.out" 2>&1 ) &
LOOP=$!
for v in 2 3 4 5 6; do
	{ echo "subject city p-always"; [ $((v % 2)) = 0 ] && echo "subject city p-x"; cat "$T/bulk"; } > "$T/entries"
	list "$v" "$T/deny/city.deny"
	wait_for 10 version_is "$v" || not_ok "version $v in force"
done
check "the code was still being decided when the last list came" kill -0 "$LOOP"
touch "$T/stop"
wait "$LOOP"
n=$(wc -l < "$T/loop.out")
echo "# $n decisions during five replacements"
check "decisions were made during the replacements" [ "$n" -ge 20 ]
expect "every one refused as revoked: no decision saw a torn list, or none" "$n" "$(grep -c '^denied revoked$' "$T/loop.out")"
expect "version 6 in force" "t 6" "$(mgr_prop DenyListVersion)"
expect "with its 100,002 entries" "t 100002" "$(mgr_prop DenyListEntries)"
expect "version 6 revokes p-x" "denied revoked" "$(ctl submit "$(mint --sub p-x --scope library.lend)")"

# Bad lists: each refused with a journal entry, and version 6 stays.
cp "$T/deny/city.deny" "$T/v6.deny"
before=$(refused)
drop() { cp "$1" "$T/deny/.incoming" && mv "$T/deny/.incoming" "$T/deny/$2"; }
printf 'subject city p-other\n' > "$T/entries"
list 7 "$T/good7.deny"
size=$(stat -c %s "$T/good7.deny")
# forged: one byte of the table changed
cp "$T/good7.deny" "$T/forged.deny"
printf '\001' | dd of="$T/forged.deny" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
drop "$T/forged.deny" forged.deny
check "a forged list is refused" wait_for 5 grep -q "Deny-list $T/deny/forged.deny refused: the table does not match" "$T/daemon.log"
# truncated
head -c $((size - 16)) "$T/good7.deny" > "$T/trunc.deny"
drop "$T/trunc.deny" trunc.deny
check "a truncated list is refused" wait_for 5 grep -q "Deny-list $T/deny/trunc.deny refused: the file is shorter than its header says (truncated)" "$T/daemon.log"
# unknown key
list 7 "$T/rogue7.deny" "$T/rogue.key"
drop "$T/rogue7.deny" rogue.deny
check "a list signed by an unknown key is refused" wait_for 5 grep -q "Deny-list $T/deny/rogue.deny refused: the signature does not verify" "$T/daemon.log"
# rolled back: version 5 again (another content), and version 6 with another content
list 5 "$T/old5.deny"
drop "$T/old5.deny" old.deny
check "an older version is refused (no rollback)" wait_for 5 grep -q "Deny-list $T/deny/old.deny refused: version 5 is not newer than version 6, the highest accepted (no rollback)" "$T/daemon.log"
list 6 "$T/other6.deny"
drop "$T/other6.deny" other.deny
check "another list under the same version is refused" wait_for 5 grep -q "Deny-list $T/deny/other.deny refused: version 6 is not newer than version 6, the highest accepted (another list under the same version)" "$T/daemon.log"
# a file being written under a hidden or other name is not read
head -c 100 "$T/good7.deny" > "$T/deny/.partial.deny"
head -c 100 "$T/good7.deny" > "$T/deny/city.deny.part"
sleep 0.3
expect "each refusal said once (5), partial files not read" $((before + 5)) "$(refused)"
expect "version 6 stays in force" "t 6" "$(mgr_prop DenyListVersion)"
expect "and still revokes" "denied revoked" "$(ctl submit "$(mint --sub p-always --scope library.lend)")"
check "the refusals carry their MESSAGE_ID" grep -q "MESSAGE_ID=3f8ad4fdf3484f899d36a61719d5f21a" "$T/daemon.log"
rm -f "$T/deny/forged.deny" "$T/deny/trunc.deny" "$T/deny/rogue.deny" "$T/deny/old.deny" "$T/deny/other.deny"

# Across a restart: only version 5 in the folder. The record says 6: refused, no list in force.
check "qrgated stops cleanly" stop_daemon
rm -f "$T/deny/city.deny"
cp "$T/old5.deny" "$T/deny/city.deny"
start_daemon
check "after a restart the rolled-back list is refused" grep -q "Deny-list $T/deny/city.deny refused: version 5 is not newer than version 6, the highest accepted (no rollback)" "$T/daemon.log"
expect "no list in force" "t 0" "$(mgr_prop DenyListVersion)"
check "degraded: no valid list" wait_for 3 state_is degraded
# The list that was in force comes back: accepted again (the same version and content).
drop "$T/v6.deny" city.deny
check "the same list again is accepted after the restart" wait_for 5 version_is 6
expect "revokes again" "denied revoked" "$(ctl submit "$(mint --sub p-always --scope library.lend)")"

# Age: with denylist.max_age = 3 the list in force (issued seconds ago) ages past it while in
# force: at that second State turns degraded and the journal says so once.
list 8 "$T/deny/city.deny"
check "version 8 in force" wait_for 5 version_is 8
write_config "$T/qrgate.conf" "denylist: { directory = \"$T/deny\"; max_age = 4; };"
expect "reload with max_age" "configuration reloaded" "$(ctl reload)"
check "running while the list is fresh" wait_for 3 state_is running
check "degraded once it is outdated, with no code presented" wait_for 10 state_is degraded
expect "the journal says so once" 1 "$(grep -c "Deny-list version 8 is outdated" "$T/daemon.log")"
ctl status > "$T/status"
check "the fault says what it means" grep -q "^fault: deny-list: outdated, version 8 issued [0-9]* s ago (denylist.max_age is 4 s)" "$T/status"
list 9 "$T/deny/city.deny"
check "a newer list: running again" wait_for 5 state_is running

# check-config: the folder must exist.
write_config "$T/bad.conf" "denylist: { directory = \"$T/missing\"; };"
check "check-config refuses a missing folder" sh -c "! \"$B/qrgatectl\" check-config \"$T/bad.conf\" 2> \"$T/check.err\""
check "with file:line" grep -q "bad.conf:[0-9]*: denylist directory $T/missing: No such file or directory" "$T/check.err"
check "qrgated stops cleanly at the end" stop_daemon
finish

#!/bin/sh
# The gate side of a library lending station (docs/lending.md) against the real daemon with a
# SoftHSM2 token, the real lending service (qrgate-lendd, run as uid 1 as on an appliance) and the
# test ILS (tests/ils/sip2-ils.c): its door has no lock and opens nothing; a grant there, with no
# lending service on the bus, is logged once per kind of failure and the daemon runs on; with the
# service a grant opens the patron's session and is receipted with the 32-byte pseudonym the audit
# log has, a listed Codabar card opens the session of the patron the list maps it to, and an item
# barcode (a Codabar one not on the list too) reaches the service as an item, never a decision;
# SignReceipt gives a receipt that `qrgatectl receipt verify` accepts with the token's public key;
# RecordLending writes a "lend" audit record that `qrgatectl audit` reads and verifies; bad
# receipts are InvalidArgs, in words; only root and the owner of io.qrgate.Lend1 are let in.
# What qrgated hands over is seen through the service (its Items, State, PatronName, LastReceipt
# and log) and the ILS's journal, not through a double's record of the calls: so an item is seen
# as the ILS got it, the scanned barcode's data, not as the raw text with its AIM prefix.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"
. "$(dirname "$0")/lib-lend.sh"

make_issuer
ils_start
# The station's door also takes the library's Codabar cards that its list names; other Codabar
# barcodes are items.
echo "20234000000019 P-OTHER" > "$T/patrons.list"
LEND_DOOR_KEYS="barcodes = [ \"codabar\" ]; barcode_allow = \"$T/patrons.list\";" write_station_config
start_bus permissive
# Every error reply on the bus, for the error names busctl does not print.
dbus-monitor --address "$ADDR" "type='error'" > "$T/errors" 2>/dev/null &
start_daemon
check "token comes up" wait_for 10 token_present

door_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/lend io.qrgate.Gate1.Door "$1" 2>&1; }
err_name() { dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 "$@" 2>&1 | sed -n 's/^Error \([^:]*\):.*/\1/p'; }
lending() { busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Lending "$@" 2>&1; }
# error_said NAME WORDS: the bus carried an error NAME whose message holds WORDS. The monitor
# may write it a moment after the caller has its answer: it is given two seconds.
error_in() { grep -A1 "error_name=$1 " "$T/errors" | grep -qF -- "$2"; }
error_said() { wait_for 2 error_in "$1" "$2"; }
decisions_at_lend() { "$B/qrgatectl" audit export "$T/state/audit" | grep '"event":"decision"' | grep -c '"door":"lend"'; }
lend_records() { "$B/qrgatectl" audit export "$T/state/audit" | grep -c '"event":"lend"'; }

# The door without a lock.
expect "the station's door has no lock" 's "none"' "$(door_prop LockState)"
expect "and is closed" 's "locked"' "$(door_prop DoorState)"
expect "Unlock of it is NoLock" io.qrgate.Gate1.Error.NoLock \
	"$(err_name /io/qrgate/Gate1/door/lend io.qrgate.Gate1.Door.Unlock uint32:0)"

# A grant at the station's door with no lending service on the bus.
mint --sub patron-0042 --scope library.lend > "$T/desk"
check "the failed hand-off is logged" \
	wait_for 5 grep -q "lending service did not take PatronVerified: org.freedesktop.DBus.Error.ServiceUnknown" "$T/daemon.log"
mint --sub patron-0043 --scope library.lend > "$T/desk"
printf ']F0A39000123456780B\n' > "$T/desk"
check "both grants are audited as decisions" wait_for 5 sh -c "[ \"\$(\"$B/qrgatectl\" audit export '$T/state/audit' | grep '\"event\":\"decision\"' | grep '\"door\":\"lend\"' | grep -c granted)\" = 2 ]"
expect "said once, not once per scan" 1 "$(grep -c 'lending service did not take' "$T/daemon.log")"
check "the daemon runs on" kill -0 "$DAEMON_PID"
expect "the door never unlocked" 's "none"' "$(door_prop LockState)"
check "the raw subject never reaches the log" sh -c "! grep -q patron-004 '$T/daemon.log'"

out=$(as_nobody busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Lending \
	RecordLending ssssay checkout 39000111 ok "" 0 2>&1)
check "while nobody owns io.qrgate.Lend1, nobody but root may record" \
	error_said io.qrgate.Gate1.Error.NotAuthorized "RecordLending is for the lending service"

# The lending service comes, as uid 1: owning io.qrgate.Lend1 is what lets it in. It keeps its
# queue in a directory of its own and reads the ILS's login, which only it may read.
chown 1:1 "$T/lend-state"; chmod 700 "$T/lend-state"
chown 1 "$T/sip2-login"; chmod 600 "$T/sip2-login"
setpriv --reuid=1 --regid=1 --clear-groups "$B/qrgate-lendd" --config "$T/qrgate.conf" --bus "$ADDR" \
	>>"$T/lendd.log" 2>&1 &
LENDD_PID=$!
lend_up() { busctl --address="$ADDR" status io.qrgate.Lend1 >/dev/null 2>&1; }
check "the service comes, as uid 1" wait_for 10 lend_up
check "and reaches the ILS" wait_for 10 online
out=$(setpriv --reuid=1 --regid=1 --clear-groups busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 \
	io.qrgate.Gate1.Lending RecordLending ssssay checkout 39000111 ok "" 0 2>&1)
check "the same uid on another connection may not record" sh -c "echo '$out' | grep -q 'for the lending service'"
not_authorized_twice() { [ "$(grep -c 'error_name=io.qrgate.Gate1.Error.NotAuthorized ' "$T/errors")" -eq 2 ]; }
check "  (NotAuthorized)" wait_for 2 not_authorized_twice

# A grant: the patron's session opens, and its receipt names the grant's pseudonym.
scan "$(mint --sub P-OK --scope library.lend)"
check "a grant becomes the patron's session" wait_for 10 lend_state_is ready
expect "  of the patron the grant names" 's "Ada Reader"' "$(lend_prop PatronName)"
check "calls going through again is said" grep -q "lending service takes calls again" "$T/daemon.log"
scan ']F030234000000017'
check "an item barcode reaches the service as an item" wait_for 10 items_have '"checkout" "30234000000017" "ok" [1-9]'
expect "  as scanned: the ILS lent that item to that patron, once" 1 "$(journal_count 'checkout 30234000000017 P-OK ok')"
check "  and the service says so" logged 'checkout of item 30234000000017: ok'
expect "Finish" ok "$(finish_session)"
check "the session's receipt is signed" wait_for 10 receipt_made
verify_last_receipt session.receipt
expect "  and verifies" 0 $?
mac=$(sed -n 's/^patron: \([0-9a-f]*\) (pseudonym)$/\1/p' "$T/session.receipt.verify")
check "with the 32-byte pseudonym" sh -c "echo '$mac' | grep -qE '^[0-9a-f]{64}$'"
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
grant_seq=$(grep '"event":"decision"' "$T/export.jsonl" | grep '"door":"lend"' | grep granted | tail -n 1 |
	sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
check "the pseudonym the audit log has for that grant" grep -q \
	"\"event\":\"pseudonym\",\"subject\":\"present\",\"pseudonym\":\"$mac\",\"ref\":$grant_seq," "$T/export.jsonl"
check "the owner of io.qrgate.Lend1 may record: the loan's record" grep -q \
	"\"event\":\"lend\",\"door\":\"lend\",\"pseudonym\":\"$mac\",.*\"state\":\"ok\",\"kind\":\"checkout\",\"item\":\"30234000000017\"" "$T/export.jsonl"
check "  and qrgated refused it no record" sh -c "! grep -q 'did not record' '$T/lendd.log'"

# The station door's list: a listed card is a patron, an unlisted Codabar barcode an item.
scan ']F020234000000019'
otto() { [ "$(lend_prop PatronName)" = 's "Otto Other"' ]; }
check "a listed card is a patron, by the subject the list maps it to" wait_for 10 otto
expect "  in a session" 's "ready"' "$(lend_prop State)"
scan ']F030234000000025'
check "a Codabar barcode not on the list is an item" wait_for 10 items_have '"checkout" "30234000000025" "ok" [1-9]'
expect "  lent to the listed card's patron" 1 "$(journal_count 'checkout 30234000000025 P-OTHER ok')"
scan ']F030234000000018'
check "  one with a bad check digit too: the service refuses it" wait_for 5 logged 'Refused: bad-barcode'
expect "  and the ILS never saw it" 0 "$(grep -c 30234000000018 "$T/journal")"
expect "Finish" ok "$(finish_session)"
sleep 0.5
expect "and no decision: four grants are all the station's door recorded" 4 "$(decisions_at_lend)"
check "no patron id in qrgated's log" sh -c "! grep -q 'P-OK\|P-OTHER\|20234000000019' '$T/daemon.log'"
check "no patron id in the service's log" sh -c "! grep -q 'P-OK\|P-OTHER\|20234000000019' '$T/lendd.log'"

# SignReceipt, as root.
now=$(date +%s); due=$((now + 21 * 86400))
"$B/qrgatectl" token pubkey --module "$TOKEN_MODULE" --token pkcs11:token=qrgate > "$T/station.pem"
expect "token pubkey exits 0" 0 $?
patron="16 0 17 34 51 68 85 102 119 136 153 170 187 204 221 238 255"
out=$(lending SignReceipt 'sxaya(usuxs)' desk-1 "$now" $patron 2 1 3900012345678 0 "$due" "" \
	3 390007 1 0 "Renewal limit reached: 3")
text=$(echo "$out" | sed -n 's/^s "\(QGR1:.*\)"$/\1/p')
check "SignReceipt gives a receipt" test -n "$text"
"$B/qrgatectl" receipt verify --key "$T/station.pem" "$text" > "$T/receipt.out" 2>&1
expect "it verifies with the token's public key" 0 $?
check "it names the station" grep -qx 'station: desk-1' "$T/receipt.out"
check "and the pseudonym" grep -qx 'patron: 00112233445566778899aabbccddeeff (pseudonym)' "$T/receipt.out"
check "and the loan" grep -q '^item 1: checkout 3900012345678: ok, due ' "$T/receipt.out"
check "and the refusal in the ILS's words" grep -qx 'item 2: renew 390007: refused "Renewal limit reached: 3"' "$T/receipt.out"

# Bad receipts: InvalidArgs, saying what.
bad() { # NAME WORDS ARGS...: the call fails with InvalidArgs whose message holds WORDS
	name=$1; words=$2; shift 2
	out=$(lending SignReceipt 'sxaya(usuxs)' "$@")
	if echo "$out" | grep -qF -- "$words" && error_said io.qrgate.Gate1.Error.InvalidArgs "$words"; then
		ok "$name"; else not_ok "$name (got: $out)"; fi
}
bad "another station's receipt" "station 'desk-2' is not this station ('desk-1')" desk-2 "$now" $patron 1 1 3900012345678 0 "$due" ""
bad "a time 301 s behind" "s from qrgated's clock" desk-1 $((now - 301)) $patron 1 1 3900012345678 0 "$due" ""
# Ahead of the clock as read now, not as read before the receipts were signed: a second gone
# by since would make 301 s ahead 300.
bad "a time 302 s ahead" "at most 300 s apart" desk-1 $(($(date +%s) + 302)) $patron 1 1 3900012345678 0 "$due" ""
bad "no items" "a receipt has 1-64 items" desk-1 "$now" $patron 0
long=$(printf '%065d' 1)
bad "an item id of 65 bytes" "item 1: its id is longer than 64 bytes" desk-1 "$now" $patron 1 1 "$long" 0 "$due" ""
bad "a loan without a due date" "a loan or renewal needs a due date" desk-1 "$now" $patron 1 1 3900012345678 0 0 ""
bad "an empty pseudonym" "the patron pseudonym is 0 bytes" desk-1 "$now" 0 1 1 3900012345678 0 "$due" ""
out=$(as_nobody busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Lending SignReceipt \
	'sxaya(usuxs)' desk-1 "$now" $patron 1 1 3900012345678 0 "$due" "" 2>&1)
check "nobody else gets a receipt signed" sh -c "echo '$out' | grep -q 'SignReceipt is for the lending service'"

# RecordLending, as root: a record the audit tools read, with the pseudonym only.
mac32=$(printf '32'; for i in $(seq 32); do printf ' %d' "$i"; done)
before=$(lend_records)
out=$(lending RecordLending ssssay checkout 3900012345678 ok "due in 21 days" $mac32)
expect "RecordLending as root" "" "$out"
out=$(lending RecordLending ssssay refusal "" patron-blocked "the ILS says the card is blocked" 0)
expect "a refusal without an item" "" "$out"
out=$(lending RecordLending ssssay borrow 3900012345678 ok "" 0)
check "an unknown kind is InvalidArgs" error_said io.qrgate.Gate1.Error.InvalidArgs "kind 'borrow' is not checkout"
out=$(lending RecordLending ssssay checkout "$long" ok "" 0)
check "a 65-byte item id is InvalidArgs" error_said io.qrgate.Gate1.Error.InvalidArgs "the item id must be 1-64 bytes"
out=$(lending RecordLending ssssay checkout 39000 ok "" 16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
check "a 16-byte pseudonym is InvalidArgs" error_said io.qrgate.Gate1.Error.InvalidArgs "the pseudonym is 16 bytes"

"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
hex32=$(for i in $(seq 32); do printf '%02x' "$i"; done)
check "the lend record: kind, item, outcome, detail, pseudonym" grep -q \
	"\"event\":\"lend\",\"door\":\"lend\",\"pseudonym\":\"$hex32\",\"text\":\"due in 21 days\",\"state\":\"ok\",\"kind\":\"checkout\",\"item\":\"3900012345678\"" "$T/export.jsonl"
check "the refusal's record" grep -q '"event":"lend","door":"lend","text":"the ILS says the card is blocked","state":"patron-blocked","kind":"refusal",' "$T/export.jsonl"
expect "refused calls leave no record" $((before + 2)) "$(grep -c '"event":"lend"' "$T/export.jsonl")"
check "  nor did the same uid's on another connection" sh -c "! grep -q '\"item\":\"39000111\"' '$T/export.jsonl'"
"$B/qrgatectl" audit verify --open "$T/state/audit" > "$T/verify.out" 2>&1
expect "the log with lend records verifies" 0 $?

check "the daemon still runs" kill -0 "$DAEMON_PID"
check "and stops cleanly" stop_daemon

# Without a token: patrons are handed over with an empty pseudonym, and no receipt is signed.
sed -i '/^token:/d' "$T/qrgate.conf"
start_daemon
scan "$(mint --sub P-OK --scope library.lend)"
check "without a token, the grant still opens the patron's session" wait_for 10 lend_state_is ready
scan ']F030234000000033'
check "  and lends" wait_for 10 items_have '"checkout" "30234000000033" "ok" [1-9]'
loan_recorded() { "$B/qrgatectl" audit export "$T/state/audit" | grep -q '"event":"lend".*"item":"30234000000033"'; }
check "  recorded" wait_for 5 loan_recorded
check "  with an empty pseudonym: the record has none" sh -c \
	"! \"$B/qrgatectl\" audit export '$T/state/audit' | grep '\"item\":\"30234000000033\"' | grep -q pseudonym"
lend_prop LastReceipt | sed 's/^s "//; s/"$//' > "$T/last.receipt"
expect "Finish" ok "$(finish_session)"
check "  and qrgated signs no receipt" wait_for 10 logged 'no receipt: qrgated did not sign it: io.qrgate.Gate1.Error.TokenUnavailable'
expect "  the last receipt stays the last" "$(cat "$T/last.receipt")" "$(lend_prop LastReceipt | sed 's/^s "//; s/"$//')"
out=$(lending SignReceipt 'sxaya(usuxs)' desk-1 "$(date +%s)" $patron 1 1 3900012345678 0 "$due" "")
check "and SignReceipt is TokenUnavailable" error_said io.qrgate.Gate1.Error.TokenUnavailable "no token is configured"
check "and stops cleanly" stop_daemon
stop_lendd
finish

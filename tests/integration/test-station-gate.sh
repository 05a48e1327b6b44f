#!/bin/sh
# The gate side of a library lending station (docs/lending.md) against the real daemon with a
# SoftHSM2 token: its door has no lock and opens nothing; a grant there, with no lending service
# on the bus, is logged once per kind of failure and the daemon runs on; with the service
# (tests/integration/fake-lendd.c) a grant becomes PatronVerified with the subject's pseudonym and
# an item barcode ItemScanned, never a decision; SignReceipt gives a receipt that `qrgatectl
# receipt verify` accepts with the token's public key; RecordLending writes a "lend" audit record
# that `qrgatectl audit` reads and verifies; bad receipts are InvalidArgs, in words; only root
# and the owner of io.qrgate.Lend1 are let in.
. "$(dirname "$0")/lib.sh"

make_issuer
# The station's door also takes the library's Codabar cards that its list names; other Codabar
# barcodes are items.
echo "20234000000019 patron-0099" > "$T/patrons.list"
EXTRA_DOORS=", { id = \"lend\"; scopes = [ \"library.lend\" ]; barcodes = [ \"codabar\" ]; barcode_allow = \"$T/patrons.list\"; }" \
	EXTRA_SOURCES="$STATION_SOURCES" write_config "$T/qrgate.conf" "$STATION_CONF"
start_bus permissive
# Every error reply on the bus, for the error names busctl does not print.
dbus-monitor --address "$ADDR" "type='error'" > "$T/errors" 2>/dev/null &
start_daemon
check "token comes up" wait_for 10 token_present

door_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/lend io.qrgate.Gate1.Door "$1" 2>&1; }
err_name() { dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 "$@" 2>&1 | sed -n 's/^Error \([^:]*\):.*/\1/p'; }
lending() { busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Lending "$@" 2>&1; }
# error_said NAME WORDS: the bus carried an error NAME whose message holds WORDS.
error_said() { grep -A1 "error_name=$1 " "$T/errors" | grep -qF -- "$2"; }
decisions_at_lend() { "$B/qrgatectl" audit export "$T/state/audit" | grep '"event":"decision"' | grep -c '"door":"lend"'; }

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

# The lending service comes, as uid 1: owning io.qrgate.Lend1 is what lets it in.
: > "$T/lend.log"; chmod 666 "$T/lend.log"
setpriv --reuid=1 --regid=1 --clear-groups "$B/tests/fake-lendd" "$ADDR" "$T/lend.log" record &
check "the service comes" wait_for 5 grep -q '^RecordLending' "$T/lend.log"
expect "the owner of io.qrgate.Lend1 may record" "RecordLending ok" "$(grep '^RecordLending' "$T/lend.log")"
out=$(setpriv --reuid=1 --regid=1 --clear-groups busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 \
	io.qrgate.Gate1.Lending RecordLending ssssay checkout 39000111 ok "" 0 2>&1)
check "the same uid on another connection may not" sh -c "echo '$out' | grep -q 'for the lending service'"
check "  (NotAuthorized)" test "$(grep -c 'error_name=io.qrgate.Gate1.Error.NotAuthorized ' "$T/errors")" -eq 2

mint --sub patron-0044 --scope library.lend > "$T/desk"
check "a grant becomes PatronVerified" wait_for 5 grep -q '^PatronVerified patron-0044 ' "$T/lend.log"
mac=$(sed -n 's/^PatronVerified patron-0044 \([0-9a-f]*\)$/\1/p' "$T/lend.log")
check "with the 32-byte pseudonym" sh -c "echo '$mac' | grep -qE '^[0-9a-f]{64}$'"
check "the pseudonym the audit log has" sh -c "\"$B/qrgatectl\" audit export '$T/state/audit' | grep -q '\"pseudonym\":\"$mac\"'"
check "calls going through again is said" grep -q "lending service takes calls again" "$T/daemon.log"
printf ']F0A39000123456780B\n' > "$T/desk"
check "an item barcode becomes ItemScanned, as scanned" wait_for 5 grep -qx 'ItemScanned ]F0A39000123456780B' "$T/lend.log"
printf ']F020234000000019\n' > "$T/desk"
check "a listed card is a patron, by the subject the list maps it to" \
	wait_for 5 grep -qE '^PatronVerified patron-0099 [0-9a-f]{64}$' "$T/lend.log"
printf ']F020234000000027\n' > "$T/desk"
check "a Codabar barcode not on the list is an item" wait_for 5 grep -qx 'ItemScanned ]F020234000000027' "$T/lend.log"
sleep 0.5
expect "and no decision: four grants are all the station's door recorded" 4 "$(decisions_at_lend)"

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
bad "a time 301 s ahead" "at most 300 s apart" desk-1 $((now + 301)) $patron 1 1 3900012345678 0 "$due" ""
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
check "the owner's record" grep -q '"text":"by the owner of the name","state":"ok","kind":"checkout","item":"39000111"' "$T/export.jsonl"
expect "refused calls leave no record" 3 "$(grep -c '"event":"lend"' "$T/export.jsonl")"
"$B/qrgatectl" audit verify --open "$T/state/audit" > "$T/verify.out" 2>&1
expect "the log with lend records verifies" 0 $?

check "the daemon still runs" kill -0 "$DAEMON_PID"
check "and stops cleanly" stop_daemon

# Without a token: patrons are handed over with an empty pseudonym, and no receipt is signed.
sed -i '/^token:/d' "$T/qrgate.conf"
start_daemon
mint --sub patron-0050 --scope library.lend > "$T/desk"
check "without a token, PatronVerified has an empty pseudonym" wait_for 5 grep -qx 'PatronVerified patron-0050 -' "$T/lend.log"
out=$(lending SignReceipt 'sxaya(usuxs)' desk-1 "$(date +%s)" $patron 1 1 3900012345678 0 "$due" "")
check "and SignReceipt is TokenUnavailable" error_said io.qrgate.Gate1.Error.TokenUnavailable "no token is configured"
check "and stops cleanly" stop_daemon
finish

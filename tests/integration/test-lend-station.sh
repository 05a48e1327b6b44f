#!/bin/sh
# The lending station end to end (docs/lending.md): the real qrgated reads the station's scanner
# and verifies the patron's code, the real qrgate-lendd runs the session against the test ILS,
# qrgated's token signs the receipt and a pseudo-terminal takes the printed one. Whole sessions:
# a loan, a refusal by the ILS, a bad barcode, a renewal, the non-deposit limit, a blocked patron,
# returns, an offline period whose queued loan goes back to the ILS once, as store and forward
# with the printed due date; the receipt verified off the box and on paper; an unplugged printer;
# `qrgatectl lend`; a second service refused; patron ids in no log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"
. "$(dirname "$0")/lib-lend.sh"

make_issuer
ils_start
port=$(cat "$T/port")
# The receipt printer: a raw pseudo-terminal that keeps what it is sent (tests/integration/pty-printer.c).
"$B/tests/pty-printer" "$T/printer-path" "$T/printed" &
PRINTER_PID=$!
wait_for 5 test -s "$T/printer-path" || not_ok "the printer is there"
write_station_config "offline = \"lend-up-to\"; offline_items = 1; printer = \"$(cat "$T/printer-path")\"; library_name = \"City Library\";"
start_bus permissive
start_daemon
start_lendd
check "the service reaches the ILS" wait_for 10 online
expect "Station" 's "desk-1"' "$(lend_prop Station)"
expect "idle at start" 's "idle"' "$(lend_prop State)"
expect "running" 's "running"' "$(lend_prop ServiceState)"
ctl lend status > "$T/status" 2>&1
expect "qrgatectl lend status exits 0" 0 $?
expect "it says the station, the ILS, the queue and the session" "station desk-1: running
ils: online
queue: empty
session: idle
last receipt: none yet" "$(cat "$T/status")"

# The checked-in XML documents exactly what the service publishes (test-bus-api.sh's normalizer).
members() {
	tr -d '\\' | sed -n '/<interface name="io.qrgate/,/<\/interface>/p' |
		sed -n 's/.*<\(interface\|method\|signal\|property\) name="\([^"]*\)"\( type="\([^"]*\)"\)\?.*/\1 \2 \4/p;
		        s/.*<arg type="\([^"]*\)" name="\([^"]*\)"\( direction="\([^"]*\)"\)\?.*/arg \2 \1 \4/p'
}
busctl --address="$ADDR" call io.qrgate.Lend1 /io/qrgate/Lend1 org.freedesktop.DBus.Introspectable Introspect |
	sed 's/\\n/\n/g' | members > "$T/live"
members < "$ROOT/docs/io.qrgate.Lend1.xml" > "$T/documented"
check "documented io.qrgate.Lend1 equals live introspection" diff -u "$T/documented" "$T/live"
check "documented API is not empty" test "$(wc -l < "$T/live")" -gt 20


# Only qrgated hands over patrons: anyone else calling the service's Gate interface is refused.
expect "a patron handed over by someone else than qrgated" io.qrgate.Lend1.Error.NotAuthorized \
	"$(outcome dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Gate.PatronVerified string:P-OK array:byte:)"

# A session: the patron's code at the station's scanner, one loan, one refusal, a bad barcode.
scan "$(mint --sub P-OK --scope library.lend)"
check "the patron's code opens a session" wait_for 10 lend_state_is ready
expect "the screen greets the patron by the ILS's name" 's "Ada Reader"' "$(lend_prop PatronName)"
expect "holds 1, cap 3: may borrow 2" 'u 2' "$(lend_prop MayBorrow)"
scan ']F030234000000017'
check "the loan went through" wait_for 10 items_have '"checkout" "30234000000017" "ok" [1-9]'
expect "the ILS made it once" 1 "$(journal_count 'checkout 30234000000017 P-OK ok')"
scan ']F030234000000041'
check "the ILS's refusal in its words" wait_for 10 items_have '"30234000000041" "refused" 0 "Item on hold for another patron"'
scan ']F030234000000018'
check "a bad check digit is refused before the ILS is asked" wait_for 5 logged 'Refused: bad-barcode'
expect "the ILS never saw it" 0 "$(grep -c 30234000000018 "$T/journal")"
scan "$(mint --sub P-OTHER --scope pool.enter)"
sleep 1
expect "a code without the lending scope hands over no patron" 's "ready"' "$(lend_prop State)"
expect "the session is still P-OK's" 's "Ada Reader"' "$(lend_prop PatronName)"
expect "Finish" ok "$(finish_session)"
check "the session's receipt is signed" wait_for 10 receipt_made
verify_last_receipt receipt
expect "the receipt verifies with the station's public key" 0 $?
check "it names the station" grep -qx 'station: desk-1' "$T/receipt.verify"
check "it shows the loan with a due date" grep -q '^item 1: checkout 30234000000017: ok, due 20' "$T/receipt.verify"
check "it shows the refusal in the ILS's words" grep -qx 'item 2: checkout 30234000000041: refused "Item on hold for another patron"' "$T/receipt.verify"
check "the patron is the token's 32-byte pseudonym" grep -qE '^patron: [0-9a-f]{64} \(pseudonym\)$' "$T/receipt.verify"
# The same receipt on paper: the printer got the ESC/POS of it, its QR code holding the text.
printed() { grep -qaF -- "$1" "$T/printed"; }
check "the receipt is printed" wait_for 5 printed "$(cat "$T/receipt")"
check "  under the library's name" printed "City Library"
check "  with the loan and its due date" printed "Borrowed"
check "  and the refusal in the ILS's words, wrapped at 42 columns" printed "NOT DONE: Item on hold for another"
check "  and cut" sh -c "tail -c 4 '$T/printed' | od -An -tx1 | grep -q '1d 56'"
expect "Finish with no session" io.qrgate.Lend1.Error.NoSession "$(finish_session)"

# Renewals: the patron comes back, switches the kiosk to renewing and scans the book.
scan "$(mint --sub P-OK --scope library.lend)"
check "P-OK's session for a renewal" wait_for 10 lend_state_is ready
expect "BeginRenewals" ok "$(outcome dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station.BeginRenewals)"
expect "Mode renew" 's "renew"' "$(lend_prop Mode)"
scan ']F030234000000017'
check "the renewal went through with a new due date" wait_for 10 items_have '"renew" "30234000000017" "ok" [1-9]'
expect "the ILS renewed it once" 1 "$(journal_count 'renew 30234000000017 P-OK ok')"
lend_call Finish > /dev/null

# The non-deposit rule: a patron at the ILS's limit borrows nothing more.
scan "$(mint --sub P-LIMIT --scope library.lend)"
check "P-LIMIT's session opens" wait_for 10 lend_state_is ready
expect "at the ILS's limit of 2: may borrow 0" 'u 0' "$(lend_prop MayBorrow)"
scan ']F030234000000025'
check "the non-deposit rule refuses the item" wait_for 5 logged 'Refused: limit'
expect "the ILS was not asked" 0 "$(grep -c 30234000000025 "$T/journal")"

# A blocked patron: the ILS's answer ends it before any item.
scan "$(mint --sub P-BLOCKED --scope library.lend)"
check "a blocked patron is refused" wait_for 10 logged 'Refused: patron-blocked'
check "and no session is open" wait_for 5 lend_state_is idle

# Returns: no patron.
expect "BeginReturns" ok "$(outcome dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station.BeginReturns)"
scan ']F030234000000017'
check "the return went through" wait_for 10 items_have '"checkin" "30234000000017" "ok"'
expect "the ILS took it back once" 1 "$(journal_count 'checkin 30234000000017 - ok')"
lend_call Finish > /dev/null

# Offline: the ILS goes away in the middle of a session of a patron it confirmed minutes ago.
scan "$(mint --sub P-OK --scope library.lend)"
check "P-OK's second session opens" wait_for 10 lend_state_is ready
ils_stop
scan ']F030234000000025'
check "lent while the ILS is away: queued" wait_for 15 items_have '"30234000000025" "queued" [1-9]'
made=$(date +%s)
printed_due=$(lend_prop Items | sed -n 's/.*"30234000000025" "queued" \([0-9]*\).*/\1/p')
expect "queued on disk" 'u 1' "$(lend_prop QueueLength)"
expect "degraded while it waits" 's "degraded"' "$(lend_prop ServiceState)"
check "Faults say why" sh -c "busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station Faults | grep -q 'queue: 1 transaction waits'"
expect "Online false" 'b false' "$(lend_prop Online)"
ctl lend status > "$T/status" 2>&1
check "lend status: degraded, with the fault" grep -qx "fault: queue: 1 transaction waits for the ILS, the oldest made at [0-9]*" "$T/status"
check "lend status: offline" grep -qx "ils: offline" "$T/status"
check "lend status: the queue's oldest in UTC" grep -qE "^queue: 1 waiting for the ILS, the oldest made at 20[0-9-]+T[0-9:]+Z$" "$T/status"
expect "a plain user may not replay the queue" 1 "$(as_nobody "$B/qrgatectl" --bus "$ADDR" lend replay > "$T/replay" 2>&1; echo $?)"
check "  NotAuthorized, in words" grep -q "ReplayQueue is for operators. io.qrgate.Lend1.Error.NotAuthorized" "$T/replay"
expect "root may (the ILS still away: nothing changes)" 0 "$(ctl lend replay > /dev/null 2>&1; echo $?)"
scan ']F030234000000033'
check "lend-up-to 1: a second item is beyond the offline policy" wait_for 5 logged 'Refused: offline-limit'
lend_call Finish > /dev/null
check "the offline session's receipt is signed too" wait_for 10 sh -c "busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station LastReceipt | grep -q QGR1 && ! busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station LastReceipt | grep -qF \"\$(cat '$T/receipt')\""
# Back after longer than the station waits for an answer (2 s, one resend: 5 s): the loan the
# patron has goes out as store and forward ("no block"), dated when it was made, with the due
# date printed on their receipt.
while [ $(($(date +%s) - made)) -le 6 ]; do sleep 0.5; done
ils_start --port "$port"
check "the ILS back: the queue is replayed" wait_for 20 queue_empty
expect "the queued loan carried out once, as store and forward; the refused one never" "1 0 0" \
	"$(journal_count 'checkout-nb 30234000000025 P-OK ok') $(journal_count 'checkout 30234000000025 P-OK ok') $(grep -c 30234000000033 "$T/journal")"
expect "the ILS keeps the due date the patron's receipt shows" "30234000000025 P-OK $printed_due" "$(grep '^30234000000025 ' "$T/loans" | cut -d' ' -f1-3)"
check "the service says it forwarded it" logged "Replayed checkout of item 30234000000025 made at [0-9]*: ok (\(re\)\?sent, store and forward)"
check "running again" wait_for 5 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station ServiceState)\" = 's \"running\"' ]"

# Privacy: the patron ids are the ILS's business; neither process logs them.
check "no patron id in qrgated's log" sh -c "! grep -q 'P-OK\|P-LIMIT\|P-BLOCKED' '$T/daemon.log'"
check "no patron id in the service's log" sh -c "! grep -q 'P-OK\|P-LIMIT\|P-BLOCKED' '$T/lendd.log'"
check "no patron id in the audit log" sh -c "! grep -rqa 'P-OK\|P-LIMIT\|P-BLOCKED' '$T/state'"
check "both still running" sh -c "kill -0 $DAEMON_PID && kill -0 $LENDD_PID"

# The printer unplugged: the receipt is still made and shown, and Faults say why it is not on paper.
kill "$PRINTER_PID"; wait "$PRINTER_PID" 2>/dev/null
scan "$(mint --sub P-OK --scope library.lend)"
check "a session after the printer went" wait_for 10 lend_state_is ready
scan ']F030234000000033'
check "a loan" wait_for 10 items_have '"30234000000033" "ok"'
lend_call Finish > /dev/null
faults_have() { lend_prop Faults | grep -q "$1"; }
check "no printer: a fault that names it" wait_for 10 faults_have "printer $(cat "$T/printer-path"): open"
check "the receipt is on the screen all the same" sh -c "busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station LastReceipt | grep -q QGR1"

# A second service on the same station: refused, and the first one is untouched.
"$B/qrgate-lendd" --config "$T/qrgate.conf" --bus "$ADDR" > "$T/second.log" 2>&1
expect "a second qrgate-lendd exits 1" 1 $?
check "it says the queue is held by another" grep -q "held by another process (a second qrgate-lendd?)" "$T/second.log"
expect "the first one still serves" 's "desk-1"' "$(lend_prop Station)"
kill -TERM "$LENDD_PID"; wait "$LENDD_PID"
expect "SIGTERM stops the service with status 0" 0 $?
LENDD_PID=
finish

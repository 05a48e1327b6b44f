#!/bin/sh
# Crashes in the middle of a lending session (docs/lending.md "Crashes"): SIGKILL of the lending
# service while a loan is at the ILS, unanswered — at the next start the loan is reconciled from
# the item's information, not sent again — and while loans wait offline in the queue — replayed
# once; SIGKILL of qrgated in a session — the session goes on and the receipt is signed by the
# restarted qrgated. No loan lost, none doubled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"
. "$(dirname "$0")/lib-lend.sh"

make_issuer
# Each loan's answer 2 s late: the window in which the service dies with the loan sent.
ils_start --delay-ms 2000
port=$(cat "$T/port")
LOCAL_CAP=5 ILS_REPLY_MS=5000 write_station_config 'offline = "lend-up-to"; offline_items = 2;'
start_bus permissive
start_daemon
start_lendd
check "the service reaches the ILS" wait_for 10 online

scan "$(mint --sub P-OK --scope library.lend)"
check "a session opens" wait_for 10 lend_state_is ready
scan ']F030234000000017'
check "the loan is at the ILS, unanswered" wait_for 5 items_have '"30234000000017" "pending"'
sleep 0.5
kill_lendd
# The ILS carries the loan out after the service died.
check "the ILS made the loan" wait_for 5 sh -c "grep -q '^checkout 30234000000017 P-OK ok$' '$T/journal'"
start_lendd
check "restarted: the interrupted loan is settled" wait_for 20 queue_empty
check "from the item's information, not sent again" wait_for 5 sh -c "grep -q 'Replayed checkout of item 30234000000017 .*: ok (reconciled)' '$T/lendd.log'"
expect "the ILS made it exactly once" 1 "$(journal_count 'checkout 30234000000017 P-OK ok')"
expect "a new start, an idle station" 's "idle"' "$(lend_prop State)"

# Offline, two loans queued; the service killed; the ILS back: each replayed once.
scan "$(mint --sub P-OK --scope library.lend)"
check "P-OK's session" wait_for 10 lend_state_is ready
ils_stop
scan ']F030234000000025'
check "offline: queued" wait_for 15 items_have '"30234000000025" "queued"'
scan ']F030234000000033'
check "offline: the second queued" wait_for 10 items_have '"30234000000033" "queued"'
kill_lendd
start_lendd
expect "both still in the queue after the kill" 'u 2' "$(lend_prop QueueLength)"
ils_start --port "$port" --delay-ms 10
check "the ILS back: replayed" wait_for 30 queue_empty
# Ordinary or store and forward ("checkout-nb"), as long as they waited: once each.
carried_out() { grep -c "^checkout\(-nb\)\? $1 P-OK ok\$" "$T/journal"; }
expect "each carried out once" "1 1" "$(carried_out 30234000000025) $(carried_out 30234000000033)"

# qrgated killed in a session: the service keeps the session; the restarted qrgated hands over
# the next scans and signs the receipt.
scan "$(mint --sub P-OK --scope library.lend)"
check "a session before qrgated dies" wait_for 10 lend_state_is ready
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
start_daemon
scan ']F030234000000041'
check "a scan through the restarted qrgated" wait_for 10 items_have '"30234000000041" "refused"'
# The session ends while qrgated is away: the receipt waits for it to come back.
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
lend_call Finish > /dev/null
sleep 2
expect "no receipt while qrgated is away" 's ""' "$(lend_prop LastReceipt)"
start_daemon
check "the receipt signed once qrgated is back" wait_for 20 sh -c "busctl --address='$ADDR' get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station LastReceipt | grep -q QGR1"
check "and the refusal recorded in its audit log" wait_for 10 sh -c "'$B/qrgatectl' audit export '$T/state/audit' | grep -q '30234000000041'"
check "the service survived it" kill -0 "$LENDD_PID"
[ "$FAIL" -gt 0 ] && { cat "$T/lendd.log"; lend_prop Items; }
finish

#!/bin/sh
# A station that takes the ILS patron id from the code's library patron claim (-65541,
# station.patron_id = "claim"; docs/lending.md) rather than its subject: the city's pseudonymous
# subject stays the city's, the library's number reaches the ILS, and a code without the claim
# identifies nobody.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"
. "$(dirname "$0")/lib-lend.sh"

make_issuer
ils_start
write_station_config 'patron_id = "claim";'
start_bus permissive
start_daemon
start_lendd
check "the service reaches the ILS" wait_for 10 online

code=$(mint --sub city-7f3a --patron P-OTHER --scope library.lend)
"$B/qrgatectl" decode --config "$T/qrgate.conf" "$code" > "$T/decode" 2>&1
check "qrgatectl decode shows the claim" grep -qE '^ *library patron +P-OTHER$' "$T/decode"
scan "$code"
check "the claim's patron is identified" wait_for 10 lend_state_is ready
expect "as the ILS knows them" 's "Otto Other"' "$(lend_prop PatronName)"
scan ']F030234000000017'
check "and borrows under the claim's id" wait_for 10 items_have '"30234000000017" "ok"'
expect "the ILS lent it to P-OTHER" 1 "$(journal_count 'checkout 30234000000017 P-OTHER ok')"
expect "Finish" ok "$(finish_session)"

scan "$(mint --sub city-8e2b --scope library.lend)"
check "a code without the claim identifies nobody, and says why" \
	wait_for 5 grep -q "a granted code carries no library patron id (claim -65541)" "$T/daemon.log"
expect "the station stays as it was" 's "finished"' "$(lend_prop State)"
check "the subject never reaches the ILS" sh -c "! grep -q 'city-' '$T/journal' '$T/lendd.log'"
mint --sub city-9 --patron 'A|B' --scope library.lend > /dev/null 2> "$T/mint.err"
expect "qrgate-issue refuses a claim that would break SIP2" 2 $?
check "  saying which claim and why" grep -q -- "--patron 'A|B': library patron claim (-65541)" "$T/mint.err"
check "check-config refuses another patron_id" sh -c "sed -i 's/patron_id = \"claim\"/patron_id = \"name\"/' '$T/qrgate.conf'; ! '$B/qrgatectl' check-config '$T/qrgate.conf' > '$T/cc' 2>&1 && grep -q 'station patron_id must be \"subject\" or \"claim\", not \"name\"' '$T/cc'"
finish

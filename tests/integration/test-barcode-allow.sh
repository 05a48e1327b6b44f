#!/bin/sh
# A door's barcode allow-list through the real daemon with a SoftHSM token: a listed barcode
# opens, one off the list is refused with barcode-not-listed, a list that cannot be read at start
# is a fault (the gate runs, the door honours no barcode) until a reload reads it, a bad list is
# refused by check-config and by the reload (the running one stays), and a door without a list
# still honours any valid barcode of its formats.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
# Door main takes library cards from its list; door side takes any valid library card.
sed -i "s|^doors = ( { id = \"main\"; \(.*\) } );|doors = ( { id = \"main\"; \1 barcodes = [ \"codabar\" ]; barcode_allow = \"$T/patrons.list\"; }, { id = \"side\"; lock = \"side\"; scopes = [ \"x\" ]; barcodes = [ \"codabar\" ]; } );|; s|^locks = ( \(.*\) );|locks = ( \1, { id = \"side\"; backend = \"sim\"; } );|" "$T/qrgate.conf"

listed=']F0A20234000000019B'
other=']F030234000517861'

check "check-config: a missing allow-list is an error" sh -c "! '$B/qrgatectl' check-config '$T/qrgate.conf' > '$T/check' 2>&1"
check "check-config names the configuration's line and the file" grep -q "qrgate.conf:5: door 'main': barcode_allow $T/patrons.list: No such file" "$T/check"

start_bus permissive
start_daemon
expect "the gate runs without the list, degraded" 's "degraded"' "$(mgr_prop State)"
check "the fault names the list" sh -c "busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager Faults | grep -q 'barcode_allow $T/patrons.list: No such file'"
expect "without its list, door main honours no barcode" "denied barcode-not-listed" "$(ctl submit --door main "$listed")"
expect "door side, without a list, honours any valid card" granted "$(ctl submit --door side "$other")"

printf '# patrons of the city library\r\n20234000000019 patron-0001\r\n20234000000027\r\n' > "$T/patrons.list"
check "check-config: the list is valid now" "$B/qrgatectl" check-config "$T/qrgate.conf"
expect "reload reads the list" "configuration reloaded" "$(ctl reload)"
expect "the fault is gone" 's "running"' "$(mgr_prop State)"
expect "a listed card opens main" granted "$(ctl submit --door main "$listed")"
expect "shown again: still granted (a barcode is never used up)" granted "$(ctl submit --door main "$listed")"
expect "a listed card without a subject opens main" granted "$(ctl submit --door main ']F020234000000027')"
expect "a valid card off the list" "denied barcode-not-listed" "$(ctl submit --door main "$other")"
expect "a misread card: its own reason first" "denied bad-check-digit" "$(ctl submit --door main ']F020234000000018')"
expect "a QG1 code is not affected by the list" granted "$(ctl submit --door main "$(mint --sub p-1 --scope library.lend)")"

# A bad list: the reload is refused and the running list stays in force.
printf '20234000000019\n20234000000019 p-2\n' > "$T/patrons.list"
check "check-config: a duplicate is an error" sh -c "! '$B/qrgatectl' check-config '$T/qrgate.conf' > '$T/check' 2>&1"
check "with the list's own line" grep -q "patrons.list:2: barcode 20234000000019 is listed again (first on line 1)" "$T/check"
check "reload refuses it" sh -c "ctl() { '$B/qrgatectl' --bus '$ADDR' \"\$@\"; }; ! ctl reload > '$T/reload' 2>&1"
expect "the running list stays: the listed card still opens" granted "$(ctl submit --door main "$listed")"
expect "and the other is still refused" "denied barcode-not-listed" "$(ctl submit --door main "$other")"

# A FIFO in its place must not block the reload, nor the daemon.
rm "$T/patrons.list" && mkfifo "$T/patrons.list"
check "a FIFO as the list: reload refused, not blocked" sh -c "! timeout 5 '$B/qrgatectl' --bus '$ADDR' reload > /dev/null 2>&1"
expect "the daemon still answers" granted "$(ctl submit --door main "$listed")"

stop_daemon
check "the listed barcode's subject is in no log" sh -c "! grep -q patron-0001 '$T/daemon.log'"
check "the refusals are in the journal with their reason" grep -q "QRGATE_REASON=barcode-not-listed QRGATE_FORMAT=Codabar" "$T/daemon.log"
finish

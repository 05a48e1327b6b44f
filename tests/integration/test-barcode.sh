#!/bin/sh
# Printed library barcodes through the real daemon: honoured only at a door whose configuration
# lists the format, refused elsewhere with reason format, a wrong check digit refused at every
# door, the list changed by a reload — and the barcode's number in no log or audit record.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
# Door main takes library cards; door side (its own lock) lists no barcode.
sed -i "s|^doors = ( { id = \"main\"; \(.*\) } );|doors = ( { id = \"main\"; \1 barcodes = [ \"codabar\" ]; }, { id = \"side\"; lock = \"side\"; scopes = [ \"x\" ]; } );|; s|^locks = ( \(.*\) );|locks = ( \1, { id = \"side\"; backend = \"sim\"; } );|" "$T/qrgate.conf"
check "configuration with a barcodes list is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"
start_bus permissive
start_daemon

card=']F0A30234000517861B'
expect "a library card at a door that lists codabar" granted "$(ctl submit --door main "$card")"
expect "a card is shown again at every visit: still granted" granted "$(ctl submit --door main "$card")"
expect "the same card without start/stop characters" granted "$(ctl submit --door main ']F030234000517861')"
expect "a door without a barcodes list refuses it" "denied format" "$(ctl submit --door side "$card")"
expect "a wrong check digit, at the door that takes cards" "denied bad-check-digit" "$(ctl submit --door main ']F0A30234000517862B')"
expect "an EAN-13 where only codabar is listed" "denied format" "$(ctl submit --door main ']E09780306406157')"
expect "digits without the AIM identifier" "denied unsupported-format" "$(ctl submit --door main '30234000517861')"

# The list follows the configuration on reload.
sed -i 's|barcodes = \[ "codabar" \]|barcodes = [ "codabar", "ean13" ]|' "$T/qrgate.conf"
expect "reload" "configuration reloaded" "$(ctl reload)"
expect "after reload, the ISBN is honoured" granted "$(ctl submit --door main ']E09780306406157')"
expect "the same book from a Bookland scanner (ISBN-10) is not an ean13" "denied format" "$(ctl submit --door main ']X00306406152')"
expect "a QG1 code still opens the door" granted "$(ctl submit --door main "$(mint --sub p-1 --scope library.lend)")"

# A barcode's number identifies a person or an item: like a subject, it is never written out.
stop_daemon
check "the card's number is in no log" sh -c "! grep -q 0234000517 '$T/daemon.log'"
check "the card's number is in no audit record" sh -c "! grep -rqa 0234000517 '$T/state'"
check "nor the ISBN" sh -c "! grep -rqa 9780306406157 '$T/state' '$T/daemon.log'"
check "the decisions are in the journal, with their format" grep -q "QRGATE_REASON=format QRGATE_FORMAT=Codabar" "$T/daemon.log"
finish

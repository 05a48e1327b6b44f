#!/bin/sh
# Static card codes (docs/code-format.md §8) through the real daemon with a SoftHSM token: a card
# opens a door with cards = true at every visit and is never used up, is refused with
# card-not-accepted at a door without, is held to verifier.card_max_lifetime, and is explained
# by qrgatectl decode; a card whose serial a signed deny-list names is refused with revoked.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf" 'verifier: { card_max_lifetime = 2678400; };'
# Door main takes cards; door side (its own lock) does not.
sed -i "s|^doors = ( { id = \"main\"; \(.*\) } );|doors = ( { id = \"main\"; \1 cards = true; }, { id = \"side\"; lock = \"side\"; scopes = [ \"library.lend\" ]; } );|; s|^locks = ( \(.*\) );|locks = ( \1, { id = \"side\"; backend = \"sim\"; } );|" "$T/qrgate.conf"
check "configuration with cards = true is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"
start_bus permissive
start_daemon

mint_card() { "$B/qrgate-issue" mint-card --key "$T/city.key" --kid k1 --iss city "$@"; }
card=$(mint_card --sub p-card --serial C-000123 --scope library.lend --days 30 --png "$T/card.png")
check "mint-card writes a PNG to print" sh -c "head -c 8 '$T/card.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"

expect "a card at a door with cards = true" granted "$(ctl submit --door main "$card")"
expect "the same card again: a card is never used up" granted "$(ctl submit --door main "$card")"
expect "and a third time" granted "$(ctl submit --door main "$card")"
expect "the card at a door without cards = true" "denied card-not-accepted" "$(ctl submit --door side "$card")"
expect "a dynamic code still opens the door without cards" granted "$(ctl submit --door side "$(mint --sub p-1 --scope library.lend)")"
dyn=$(mint --sub p-2 --scope library.lend)
expect "a dynamic code at the card door" granted "$(ctl submit --door main "$dyn")"
expect "is used up there as before" "denied replayed" "$(ctl submit --door main "$dyn")"
expect "a card for a scope the door does not accept" "denied scope" \
	"$(ctl submit --door main "$(mint_card --sub p-3 --serial C-3 --scope pool.enter --days 30)")"
expect "a card living longer than card_max_lifetime (32 days, the limit 31)" "denied lifetime-too-long" \
	"$(ctl submit --door main "$(mint_card --sub p-4 --serial C-4 --scope library.lend --days 32)")"
expect "a card of exactly card_max_lifetime" granted \
	"$(ctl submit --door main "$(mint_card --sub p-5 --serial C-5 --scope library.lend --days 31)")"
expect "a code that claims both profiles (a card with a cti)" "denied malformed" \
	"$(ctl submit --door main "$(mint_card --sub p-6 --serial C-6 --scope library.lend --cti 00112233445566778899 --unchecked)")"

ctl decode --config "$T/qrgate.conf" "$card" > "$T/decode" 2>&1
check "decode names the profile" grep -q "profile        card: a static code" "$T/decode"
check "decode names the serial" grep -q "card serial    C-000123" "$T/decode"
check "decode says when it expires, in words" grep -qE "valid until    .*, expires in (29|30) days" "$T/decode"
check "decode: the replay step does not apply" grep -q "check replay    not applicable" "$T/decode"
check "decode: valid" grep -q "verdict: valid" "$T/decode"

# Revoked: a deny-list naming the card's serial (docs/denylist.md), dropped into the watched
# folder, refuses the card at once; another card of the same holder still opens.
mkdir "$T/deny"
printf 'card city C-000123\n' > "$T/deny.txt"
echo "denylist: { directory = \"$T/deny\"; };" >> "$T/qrgate.conf"
expect "reload with a deny-list folder" "configuration reloaded" "$(ctl reload)"
check "qrgate-issue denylist signs the list" "$B/qrgate-issue" denylist --key "$T/city.key" --kid k1 --iss city \
	--version 1 --out "$T/deny/city.deny" "$T/deny.txt"
check "the list is in force" wait_for 5 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager DenyListVersion)\" = 't 1' ]"
expect "a revoked card is refused" "denied revoked" "$(ctl submit --door main "$card")"
card2=$(mint_card --sub p-card --serial C-000124 --scope library.lend --days 30)
expect "the holder's new card opens" granted "$(ctl submit --door main "$card2")"

# Off: a reload that turns cards off at main refuses the card there at once.
sed -i 's| cards = true;||' "$T/qrgate.conf"
expect "reload" "configuration reloaded" "$(ctl reload)"
expect "after reload, main refuses the card" "denied card-not-accepted" "$(ctl submit --door main "$card2")"

stop_daemon
check "the card serial is in no log" sh -c "! grep -q C-000123 '$T/daemon.log'"
check "the holder is in no log or audit record" sh -c "! grep -rqa p-card '$T/daemon.log' '$T/state'"
check "the refusals are in the journal with their reason" grep -q "QRGATE_REASON=card-not-accepted QRGATE_FORMAT=QG1" "$T/daemon.log"
finish

#!/bin/sh
# Lending receipts with a real token (docs/receipts.md): `qrgatectl receipt sign` signs one with
# the device key in a SoftHSM2 token, `qrgatectl token pubkey` exports the station's public key,
# and `qrgatectl receipt verify` accepts the receipt with it and refuses a changed copy and
# another key, each with its reason and exit status 1. No daemon: receipts are checked off the box.
. "$(dirname "$0")/lib.sh"

make_token
tok() { "$B/qrgatectl" "$@" --module "$TOKEN_MODULE" --token pkcs11:token=qrgate; }

tok receipt sign --pin-file "$T/token/pin" --station branch-1 --time 1800000000 \
	--patron-hex 00112233445566778899aabbccddeeff \
	--item checkout:3900012345678:ok:1801209600 --item checkin:39000999:ok \
	--item "renew:390007:refused:Renewal limit reached: 3" --png "$T/receipt.png" \
	> "$T/receipt" 2> "$T/sign.err"
expect "sign exits 0" 0 $?
check "sign prints a QGR1: receipt" grep -q '^QGR1:[0-9A-Z $%*+./:-]*$' "$T/receipt"
check "sign writes the QR code as a PNG" sh -c "head -c 8 '$T/receipt.png' | od -An -c | grep -q 'P   N   G'"
tok token pubkey > "$T/station.pem"
expect "token pubkey exits 0" 0 $?

"$B/qrgatectl" receipt verify --key "$T/station.pem" --file "$T/receipt" > "$T/out" 2>&1
expect "a receipt verifies with the station's key" 0 $?
expect "it ends valid" "receipt: valid" "$(tail -n 1 "$T/out")"
check "it shows the station" grep -qx 'station: branch-1' "$T/out"
check "it shows the time in UTC" grep -qx 'time: 2027-01-15T08:00:00Z' "$T/out"
check "it shows the pseudonym in hex" grep -qx 'patron: 00112233445566778899aabbccddeeff (pseudonym)' "$T/out"
check "it shows a loan with its due date" grep -qx 'item 1: checkout 3900012345678: ok, due 2027-01-29T08:00:00Z' "$T/out"
check "it shows a return" grep -qx 'item 2: checkin 39000999: ok' "$T/out"
check "it shows a refusal in the ILS's words" grep -qx 'item 3: renew 390007: refused "Renewal limit reached: 3"' "$T/out"
"$B/qrgatectl" receipt verify --key "$T/station.pem" - < "$T/receipt" > /dev/null 2>&1
expect "standard input works the same" 0 $?
"$B/qrgatectl" receipt verify --key "$T/station.pem" "$(cat "$T/receipt")" > /dev/null 2>&1
expect "and so does the text as an argument" 0 $?

# One Base45 character inside the payload changed (decreased, so its group stays a valid
# value): the COSE structure is intact and only the signature can tell.
text=$(cat "$T/receipt")
c=$(printf '%s' "$text" | cut -c51)
if [ "$c" = 0 ]; then n=1; else n=0; fi
printf '%s%s%s\n' "$(printf '%s' "$text" | cut -c1-50)" "$n" "$(printf '%s' "$text" | cut -c52-)" > "$T/tampered"
"$B/qrgatectl" receipt verify --key "$T/station.pem" --file "$T/tampered" > "$T/out" 2>&1
expect "a changed receipt is invalid (exit 1)" 1 $?
check "for its signature" grep -q '^receipt: invalid bad-signature: ' "$T/out"
check "and nothing of it is shown" sh -c "! grep -q '^station:' '$T/out'"

openssl ecparam -name prime256v1 -genkey 2>/dev/null | openssl pkey -pubout > "$T/other.pem"
"$B/qrgatectl" receipt verify --key "$T/other.pem" --file "$T/receipt" > "$T/out" 2>&1
expect "another station's key refuses it (exit 1)" 1 $?
check "as signed by another key" grep -q '^receipt: invalid wrong-key: ' "$T/out"

"$B/qrgatectl" receipt verify --key "$T/station.pem" "QG1:NOT A RECEIPT" > "$T/out" 2>&1
expect "a door code is not a receipt (exit 1)" 1 $?
check "and says so" grep -q '^receipt: invalid not-a-receipt: ' "$T/out"

"$B/qrgatectl" receipt verify "$text" > /dev/null 2>&1
expect "no --key is a usage error (exit 2)" 2 $?
tok receipt sign --pin-file "$T/token/pin" --station branch-1 --patron-hex 00 --item checkout:1:ok > /dev/null 2>&1
expect "a loan without a due date is a usage error (exit 2)" 2 $?

finish

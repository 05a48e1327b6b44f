#!/bin/sh
# The issuer and operator tools as an operator uses them: pipes, exit statuses, the QR image.
. "$(dirname "$0")/lib.sh"

iss() { "$B/qrgate-issue" "$@"; }
dec() { "$B/qrgatectl" decode "$@"; }

iss keygen --alg es256 --kid k1 --out "$T/city" > /dev/null
check "keygen writes a private key only we can read" test "$(stat -c %a "$T/city.key")" = 600
iss keygen --alg es256 --kid k1 --out "$T/city" > /dev/null 2>&1
expect "keygen never overwrites a key" 1 $?
iss keygen --alg ed25519 --kid e1 --out "$T/ed" > /dev/null
iss keygen --alg rsa --kid r1 --out "$T/rsa" > /dev/null 2>&1
expect "keygen refuses an unknown algorithm (usage)" 2 $?

code=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --scope library.lend --scope building.A.enter --obo p-2 --status yellow --png "$T/code.png")
iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --scope library.lend | dec --issuer-key city:k1:"$T/city.pub" - > "$T/out"
expect "mint | decode - round trip exits 0" 0 $?
expect "decode ends with the verdict" "verdict: valid" "$(tail -n1 "$T/out")"
dec --issuer-key city:k1:"$T/city.pub" "$code" > "$T/out"
check "decode shows every claim" grep -q "on-behalf-of   p-2" "$T/out"
check "decode shows the status" grep -q "status         yellow" "$T/out"
check "decode shows the scopes" grep -q "scopes         library.lend building.A.enter" "$T/out"
# Printed barcodes: decode explains them, and exits 1 on a wrong check digit.
dec ']F0A30234000517861B' > "$T/out"
expect "decode: a library card with a right check digit is valid" 0 $?
check "decode shows a barcode's check digit" grep -q "check digit    expected 1 (Luhn mod 10), found 1: ok" "$T/out"
dec ']E09780306406158' > "$T/out"
expect "decode: an ISBN with a wrong check digit is invalid" 1 $?
expect "decode names the wrong check digit" "verdict: invalid bad-check-digit" "$(tail -n1 "$T/out")"
ed=$(iss mint --key "$T/ed.key" --kid e1 --iss city --sub p-1 --scope pool.enter)
dec --issuer-key city:e1:"$T/ed.pub" "$ed" > /dev/null
expect "EdDSA code valid" 0 $?

# The QR image holds exactly the code (read back by zbar, an independent decoder).
expect "PNG decodes to the same code" "QR-Code:$code" "$(zbarimg --quiet "$T/code.png" 2>/dev/null)"

# Invalid codes: exit 1 and the reason on the last line.
bad=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --scope library.lend --iat 1000000000)
dec --issuer-key city:k1:"$T/city.pub" "$bad" > "$T/out"
expect "expired code exits 1" 1 $?
expect "expired code verdict" "verdict: invalid expired" "$(tail -n1 "$T/out")"
check "expired code: later checks not reached" grep -q "check replay    not reached" "$T/out"
dec --issuer-key city:k1:"$T/ed.pub" "$code" > "$T/out"
expect "wrong key type: algorithm-mismatch" "verdict: invalid algorithm-mismatch" "$(tail -n1 "$T/out")"
expect "no keys at all: unknown-issuer" "verdict: invalid unknown-issuer" "$(dec "$code" | tail -n1)"
expect "decode --now in the code's window" "verdict: valid" "$(dec --issuer-key city:k1:"$T/city.pub" --now 1000000010 "$bad" | tail -n1)"
stale=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --scope library.lend --cti 0011 --unchecked)
expect "a deliberately bad claim can be minted (--unchecked) and is refused" "verdict: invalid malformed" "$(dec --issuer-key city:k1:"$T/city.pub" "$stale" | tail -n1)"
printf 'qg1:abc\n' | dec - > "$T/out"
expect "lower case from a scanner" "verdict: invalid bad-encoding" "$(tail -n1 "$T/out")"

# Usage errors: exit 2 with a message, never a verdict.
dec > /dev/null 2>&1
expect "decode without a code exits 2" 2 $?
dec --issuer-key nocolons "$code" > /dev/null 2>&1
expect "malformed --issuer-key exits 2" 2 $?
dec --issuer-key city:k1:/nonexistent "$code" > /dev/null 2>"$T/err"
expect "missing key file exits 2" 2 $?
check "missing key file is named" grep -q "/nonexistent" "$T/err"
iss mint --key "$T/city.key" --kid k1 --iss city > /dev/null 2>&1
expect "mint without --sub exits 2" 2 $?
iss mint --key "$T/city.pub" --kid k1 --iss city --sub p > /dev/null 2>"$T/err"
expect "mint with a public key exits 1" 1 $?

# The issuer refuses what every gate refuses, with the verifier's own rules, and prints nothing.
out=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub 'Jane Doe' --scope library.lend 2>"$T/err")
expect "mint --sub with a space exits 2" 2 $?
expect "mint --sub with a space prints no code" "" "$out"
check "mint --sub with a space names the option and the rule" grep -q "^qrgate-issue: --sub 'Jane Doe': claim sub (2) is not 1-64 printable ASCII" "$T/err"
out=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --scope 'bad scope!' 2>"$T/err")
expect "mint --scope 'bad scope!' exits 2" 2 $?
check "mint --scope 'bad scope!' says why" grep -q "^qrgate-issue: --scope 'bad scope!': a scope is not 1-64 characters" "$T/err"
iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --cti 0011 > /dev/null 2>"$T/err"
expect "mint --cti of 2 bytes exits 2" 2 $?
iss mint --key "$T/city.key" --kid k1 --iss city --sub p-1 --status 7 > /dev/null 2>"$T/err"
expect "mint --status 7 exits 2" 2 $?
jane=$(iss mint --key "$T/city.key" --kid k1 --iss city --sub 'Jane Doe' --unchecked)
expect "--unchecked mints it, and a gate refuses it" "verdict: invalid malformed" "$(dec --issuer-key city:k1:"$T/city.pub" "$jane" | tail -n1)"

# decode --config uses the appliance's own keys and limits.
write_config "$T/qrgate.conf" 'verifier: { max_lifetime = 30; };'
expect "decode --config: the site's 30 s limit applies" "verdict: invalid lifetime-too-long" "$(dec --config "$T/qrgate.conf" "$code" | tail -n1)"
finish

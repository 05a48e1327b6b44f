#!/bin/sh
# A token URI without a serial number accepts any card with the same label as the appliance's
# own (issue 10, item 14): the daemon warns at every start; a URI with the serial does not.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
start_bus permissive

start_daemon
check "token present (label only)" wait_for 10 token_present
check "a URI without a serial is warned about" grep -q 'Token URI "pkcs11:token=qrgate" names no serial number: any token with that label is accepted' "$T/daemon.log"
check "SIGTERM exits 0" stop_daemon

serial=$("$B/qrgatectl" token info --module "$TOKEN_MODULE" --token pkcs11:token=qrgate --pin-file "$T/token/pin" | sed -n 's/^serial: //p')
check "the token's serial is known" test -n "$serial"
: > "$T/daemon.log"
sed -i "s|uri = \"pkcs11:token=qrgate\"|uri = \"pkcs11:token=qrgate;serial=$serial\"|" "$T/qrgate.conf"
start_daemon
check "token present (pinned by serial)" wait_for 10 token_present
check "a pinned URI is not warned about" sh -c "! grep -q 'names no serial number' '$T/daemon.log'"
check "SIGTERM exits 0" stop_daemon

# A card with the same label but another serial is refused.
: > "$T/daemon.log"
sed -i "s|serial=$serial|serial=0000000000000000|" "$T/qrgate.conf"
start_daemon
sleep 1
expect "another card with the same label is not the token" "b false" "$(mgr_prop TokenPresent)"
finish

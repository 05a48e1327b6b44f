#!/bin/sh
# EU DCC codes through the real daemon: trust list from the configuration, per-door certificate
# types, the list's size on D-Bus, reload of a changed list, and decode --config.
. "$(dirname "$0")/lib.sh"

make_issuer
iss() { "$B/qrgate-issue" "$@"; }
make_dcc_signer
write_config "$T/qrgate.conf" "dcc: { trust_list = [ \"$T/dsc\" ]; trust_max_age = 86400; trust_age_policy = \"deny\"; };"
# Door main takes vaccination certificates; door side (its own lock) takes none.
sed -i "s|^doors = ( { id = \"main\"; \(.*\) } );|doors = ( { id = \"main\"; \1 dcc_types = [ \"vaccination\", \"recovery\" ]; }, { id = \"side\"; lock = \"side\"; scopes = [ \"x\" ]; } );|; s|^locks = ( \(.*\) );|locks = ( \1, { id = \"side\"; backend = \"sim\"; } );|" "$T/qrgate.conf"
check "configuration with a trust list is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"
start_bus permissive
start_daemon

expect "DccTrustListKeys" 'u 1' "$(mgr_prop DccTrustListKeys)"
age=$(mgr_prop DccTrustListAge | cut -d' ' -f2)
check "DccTrustListAge is known and small ($age s)" test "$age" -ge 0 -a "$age" -lt 60
vacc=$(iss mint-hc1 --key "$T/vacc.key" --cert "$T/vacc.crt" --type vaccination)
expect "vaccination certificate granted at main" granted "$(ctl submit --door main "$vacc")"
expect "HC1 is static: shown again it is still granted" granted "$(ctl submit --door main "$vacc")"
expect "door side accepts no DCC" "denied certificate-type" "$(ctl submit --door side "$vacc")"
expect "a test certificate from a vaccination-only signer" "denied key-usage" \
	"$(ctl submit --door main "$(iss mint-hc1 --key "$T/vacc.key" --cert "$T/vacc.crt" --type test)")"
expect "an expired certificate" "denied expired" \
	"$(ctl submit --door main "$(iss mint-hc1 --key "$T/vacc.key" --cert "$T/vacc.crt" --type vaccination --iat 1700000000 --ttl 86400)")"
iss dcc-signer --out "$T/other" --types all > /dev/null
rec=$(iss mint-hc1 --key "$T/other.key" --cert "$T/other.crt" --type recovery)
expect "a signer not in the list" "denied unknown-issuer" "$(ctl submit --door main "$rec")"

# The list is reloaded without a restart.
cp "$T/other.crt" "$T/dsc/"
expect "reload" "configuration reloaded" "$(ctl reload)"
expect "DccTrustListKeys after reload" 'u 2' "$(mgr_prop DccTrustListKeys)"
expect "the new signer's recovery certificate granted" granted "$(ctl submit --door main "$rec")"
echo "not a certificate" > "$T/dsc/junk.pem"
expect "a junk file in the list folder does not stop a reload" "configuration reloaded" "$(ctl reload)"
check "the skipped file is logged" grep -q "junk.pem" "$T/daemon.log"

# decode --config uses the same list.
"$B/qrgatectl" decode --config "$T/qrgate.conf" "$vacc" > "$T/out"
expect "decode --config explains HC1" "verdict: valid" "$(tail -n1 "$T/out")"
check "decode never shows the holder's name" grep -q "name and date of birth not shown" "$T/out"
finish

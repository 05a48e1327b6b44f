#!/bin/sh
# Makes a throwaway SoftHSM2 token for the demo and for tests, the documented way
# (docs/token.md: softhsm2-util, then OpenSC's pkcs11-tool):
#   DIR/softhsm2.conf   export SOFTHSM2_CONF=DIR/softhsm2.conf before using the token
#   DIR/tokens/         the token store
#   DIR/pin, DIR/so-pin the user and SO PINs (mode 0600), for TokenConfig.pin_file
# The token (label LABEL, default "qrgate") holds "device-key" (EC P-256 pair) and "hmac-key"
# (32-byte generic secret), both sensitive and not extractable.
#
# The PINs are passed to softhsm2-util and pkcs11-tool as arguments because this token is a
# throwaway one in a private directory; never do that with a real token (both tools prompt when
# --pin is left out).
#
# usage: make-token.sh DIR [LABEL]
set -eu

dir=${1:?usage: make-token.sh DIR [LABEL]}
label=${2:-qrgate}
module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
umask 077
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" >"$dir/softhsm2.conf"
pin=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
so_pin=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$pin" >"$dir/pin"
printf '%s\n' "$so_pin" >"$dir/so-pin"

export SOFTHSM2_CONF="$dir/softhsm2.conf"
softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$pin" >/dev/null
p11() { pkcs11-tool --module "$module" --token-label "$label" --login --pin "$pin" "$@" >/dev/null 2>&1; }
p11 --keypairgen --key-type EC:prime256v1 --label device-key --id 01 --usage-sign --sensitive
p11 --keygen --key-type GENERIC:32 --label hmac-key --id 02 --usage-sign --sensitive --private

echo "SOFTHSM2_CONF=$dir/softhsm2.conf"

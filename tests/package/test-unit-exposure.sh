#!/bin/sh
# The unit's sandbox: `systemd-analyze security` rates systemd/qrgated.service at an exposure of
# 1.5 or less (the hardening the issue asked to keep while DeviceAllow= grew by the scanners'
# input, hidraw and ttyACM nodes and RestrictAddressFamilies= by AF_NETLINK for hot-plug). Offline:
# the unit file as shipped, no systemd needed to run it (systemd 252's --offline=true).
. "$(dirname "$0")/lib.sh"

LIMIT=1.5
exposure() { # FILE: the overall exposure systemd-analyze gives it
	systemd-analyze security --offline=true --no-pager "$1" 2>"$T/analyze.err" |
		sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

cp "$ROOT/systemd/qrgated.service" "$T/qrgated.service"
e=$(exposure "$T/qrgated.service")
if [ -z "$e" ]; then
	not_ok "systemd-analyze security --offline=true rates the unit: $(cat "$T/analyze.err")"
elif above "$e" "$LIMIT"; then
	not_ok "the unit's exposure is $e, above $LIMIT"
else
	ok "the unit's exposure is $e, at most $LIMIT"
fi

# The check can fail: the same unit without its network and device sandbox rates above it.
mkdir -p "$T/weak"
sed -e '/^PrivateNetwork=/d' -e '/^DevicePolicy=/d' -e '/^DeviceAllow=/d' -e '/^RestrictAddressFamilies=/d' \
	-e '/^SystemCallFilter=/d' "$ROOT/systemd/qrgated.service" > "$T/weak/qrgated.service"
w=$(exposure "$T/weak/qrgated.service")
if [ -n "$w" ] && above "$w" "$LIMIT"; then
	ok "a weakened copy rates $w, above $LIMIT (the check can fail)"
else
	not_ok "a weakened copy rates '$w', expected above $LIMIT"
fi

# DeviceAllow= names just what the backends open: GPIO (rw), input and hidraw (read), ttyACM (rw).
expect "DeviceAllow= lines" "char-gpiochip rw|char-input r|char-hidraw r|char-ttyACM rw" \
	"$(sed -n 's/^DeviceAllow=//p' "$ROOT/systemd/qrgated.service" | paste -sd'|')"
finish

#!/bin/sh
# The units' sandboxes: `systemd-analyze security` rates systemd/qrgated.service at an exposure
# of 1.5 or less (the hardening the issue asked to keep while DeviceAllow= grew by the scanners'
# input, hidraw and ttyACM nodes and RestrictAddressFamilies= by AF_NETLINK for hot-plug), and
# systemd/qrgate-lendd.service at 1.2 or less: the lending service has no device at all, and its
# network, which qrgated has not, is held to the loopback and the ILS by IPAddressDeny=. Offline:
# the unit files as shipped, no systemd needed to run it (systemd 252's --offline=true).
. "$(dirname "$0")/lib.sh"

exposure() { # FILE: the overall exposure systemd-analyze gives it
	systemd-analyze security --offline=true --no-pager "$1" 2>"$T/analyze.err" |
		sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# rated UNIT LIMIT WEAKENING-SED...: the unit rates at most LIMIT, and a copy without the
# directives the sed expressions delete rates above it (so the check can fail).
rated() {
	unit=$1 limit=$2; shift 2
	cp "$ROOT/systemd/$unit" "$T/$unit"
	e=$(exposure "$T/$unit")
	if [ -z "$e" ]; then
		not_ok "systemd-analyze security --offline=true rates $unit: $(cat "$T/analyze.err")"
	elif above "$e" "$limit"; then
		not_ok "$unit: exposure $e, above $limit"
	else
		ok "$unit: exposure $e, at most $limit"
	fi
	mkdir -p "$T/weak"
	sed "$@" "$ROOT/systemd/$unit" >"$T/weak/$unit"
	w=$(exposure "$T/weak/$unit")
	if [ -n "$w" ] && above "$w" "$limit"; then
		ok "$unit: a weakened copy rates $w, above $limit (the check can fail)"
	else
		not_ok "$unit: a weakened copy rates '$w', expected above $limit"
	fi
}

# The same unit without its network and device sandbox rates above its limit.
rated qrgated.service 1.5 -e '/^PrivateNetwork=/d' -e '/^DevicePolicy=/d' -e '/^DeviceAllow=/d' \
	-e '/^RestrictAddressFamilies=/d' -e '/^SystemCallFilter=/d'
rated qrgate-lendd.service 1.2 -e '/^PrivateDevices=/d' -e '/^DevicePolicy=/d' -e '/^IPAddress/d' \
	-e '/^RestrictAddressFamilies=/d' -e '/^SystemCallFilter=/d'

# DeviceAllow= names just what the backends open: GPIO (rw), input and hidraw (read), ttyACM (rw).
expect "qrgated.service: DeviceAllow= lines" "char-gpiochip rw|char-input r|char-hidraw r|char-ttyACM rw" \
	"$(sed -n 's/^DeviceAllow=//p' "$ROOT/systemd/qrgated.service" | paste -sd'|')"
# The lending service opens no device (a receipt printer is a drop-in, commented in the unit),
# reaches no address but the loopback's (the ILS's is the site's drop-in), and keeps qrgated's
# network away: qrgated never gets a network, whatever the lending service needs.
expect "qrgate-lendd.service: no DeviceAllow=" "" "$(sed -n 's/^DeviceAllow=//p' "$ROOT/systemd/qrgate-lendd.service")"
expect "qrgate-lendd.service: PrivateDevices=yes, DevicePolicy=closed" "yes|closed" \
	"$(sed -n 's/^\(PrivateDevices\|DevicePolicy\)=//p' "$ROOT/systemd/qrgate-lendd.service" | paste -sd'|')"
expect "qrgate-lendd.service: IPAddressDeny=any, IPAddressAllow=localhost" "any|localhost" \
	"$(sed -n 's/^IPAddress\(Deny\|Allow\)=//p' "$ROOT/systemd/qrgate-lendd.service" | paste -sd'|')"
expect "qrgated.service: still PrivateNetwork=yes" yes "$(sed -n 's/^PrivateNetwork=//p' "$ROOT/systemd/qrgated.service")"
check "qrgate-lendd.service: the credential is a comment (a missing one stops the unit)" \
	sh -c "grep -q '^#LoadCredentialEncrypted=sip2-login:' '$ROOT/systemd/qrgate-lendd.service' &&
		! grep -q '^LoadCredential' '$ROOT/systemd/qrgate-lendd.service'"
check "qrgate-lendd.service: does not wait for network-online.target (offline start)" \
	sh -c "! grep -q '^[^#].*network-online' '$ROOT/systemd/qrgate-lendd.service'"

# `systemd-analyze verify`: every directive known and well-formed. It checks that ExecStart=
# names an executable, so the copies name the built programs instead (and the man pages
# are not looked up: they are tests/package/test-man.sh's).
for u in qrgated qrgate-lendd; do
	if [ ! -x "$B/$u" ]; then not_ok "$B/$u is built (systemd-analyze verify $u.service)"; continue; fi
	mkdir -p "$T/verify"
	sed -e "s|/usr/local/sbin/|$B/|g" -e "s|/usr/local/bin/|$B/|g" "$ROOT/systemd/$u.service" >"$T/verify/$u.service"
	if systemd-analyze verify --man=no "$T/verify/$u.service" >"$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]; then
		ok "systemd-analyze verify $u.service"
	else
		not_ok "systemd-analyze verify $u.service:"; sed 's/^/    /' "$T/verify.out"
	fi
done
finish

#!/bin/bash
# What ships starts together, under systemd: `make install` on an appliance without
# /etc/qrgate/qrgate.conf installs the shipped one, and the shipped unit starts qrgated on it,
# unchanged. The bench has the GPIO line the shipped configuration names (lock-relay), so the
# lock works; there is no issuer key, no EU DCC trust list and no PIN credential (the unit's
# LoadCredentialEncrypted= is commented out until a site fills it in). systemctl start returns
# (READY=1); the unit is active/running, not restarting, with a status text that says Degraded
# and names each of the three; Manager.State is "degraded", TokenState "unavailable"; the door
# is locked and its line at the safe level; the journal has one "running degraded" entry. Once
# the key and a trust-list folder (still empty) are there, `systemctl reload` takes them and
# only the token is left. (tests/integration/test-shipped-configuration-starts.sh starts the
# same without systemd and without the line: its door is out of service.)
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
sim_create

hw_step "no configuration, key or trust list left by an earlier test"
rm -rf /etc/qrgate
hw_pass "/etc/qrgate removed"
qrgated_install
cmp -s "$HW_SRC/etc/qrgate.conf" "$QRGATE_CONF" || hw_fail "make install did not install etc/qrgate.conf as $QRGATE_CONF"
hw_pass "make install installed etc/qrgate.conf as $QRGATE_CONF"
sim_pull lock-relay up
qrgated_start
pid=$(unit_show MainPID)

# faults: the lines of `qrgatectl status` (root: an operator on the shipped bus policy).
faults() { /usr/local/bin/qrgatectl status | grep '^fault: ' || true; }
prop() { busctl --system get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager "$1"; }

hw_step "the unit runs, degraded, and says what it runs without"
expect_eq "$(unit_show ActiveState)/$(unit_show SubState)" active/running "ActiveState/SubState"
expect_eq "$(unit_show NRestarts)" 0 "NRestarts"
status=$(unit_show StatusText)
[[ $status == "Degraded: "* ]] || hw_fail "StatusText is '$status'"
for want in "issuer 'city' key 'k1' in /etc/qrgate/keys/city-k1.pub: No such file or directory" \
	"dcc trust list /etc/qrgate/dcc-trust: No such file or directory" \
	'token: unavailable: PIN credential "token-pin": the service was given no credentials'; do
	[[ $status == *"$want"* ]] || hw_fail "StatusText lacks '$want': '$status'"
done
[[ $status != *"lock main"* ]] || hw_fail "StatusText names the lock, whose line is there: '$status'"
hw_pass "StatusText: $status"
expect_eq "$(prop State)" 's "degraded"' "Manager.State"
expect_eq "$(prop TokenState)" 's "unavailable"' "Manager.TokenState"
# The guest has no time server: the shipped clock.untrusted = "refuse" adds the clock's fault,
# which is not one of the three this test is about.
expect_eq "$(faults | grep -vc '^fault: clock: ')" 3 "faults in qrgatectl status"

hw_step "the door is in service, locked"
expect_eq "$(busctl --system get-property io.qrgate.Gate1 "$DOOR_PATH" io.qrgate.Gate1.Door LockState)" \
	's "locked"' "Door.LockState"
expect_value lock-relay 0 "lock-relay (pull up) with the shipped configuration"

hw_step "the journal says so once, searchably"
id=$(sed -n 's/^#define QRGATE_MESSAGE_STARTED_DEGRADED "\([0-9a-f]\{32\}\)".*/\1/p' "$HW_SRC/daemon/log-messages.h")
[ -n "$id" ] || hw_fail "no QRGATE_MESSAGE_STARTED_DEGRADED in daemon/log-messages.h"
start=$(now_ms)
until n=$(journalctl --no-pager -q _PID="$pid" MESSAGE_ID="$id" -o cat | wc -l) && [ "$n" -gt 0 ]; do
	[ $(($(now_ms) - start)) -lt 5000 ] || hw_fail "journalctl MESSAGE_ID=$id: nothing from qrgated ($pid)"
	hw_sleep_ms 100
done
expect_eq "$n" 1 "entries with MESSAGE_ID=$id"
hw_pass "$(journalctl --no-pager -q _PID="$pid" MESSAGE_ID="$id" -o cat)"

hw_step "the site puts the key and the trust list in place; systemctl reload takes them"
"$HW_BUILD/qrgate-issue" keygen --alg es256 --kid k1 --out "$HW_TMP/city" >/dev/null
install -d -m 0755 /etc/qrgate/keys /etc/qrgate/dcc-trust
install -m 0644 "$HW_TMP/city.pub" /etc/qrgate/keys/city-k1.pub
systemctl reload "$UNIT" || hw_fail "systemctl reload failed: $(journalctl --no-pager -q -u "$UNIT" -n 10)"
hw_pass "systemctl reload"
expect_eq "$(unit_show MainPID)" "$pid" "the same main process"
status=$(unit_show StatusText)
[[ $status == 'Degraded: token: unavailable: PIN credential "token-pin": '* ]] ||
	hw_fail "StatusText after the reload is '$status'"
hw_pass "StatusText: $status"
expect_eq "$(faults | grep -vc '^fault: clock: ')" 1 "faults in qrgatectl status"
expect_eq "$(prop State)" 's "degraded"' "Manager.State (the token needs its PIN and a restart)"

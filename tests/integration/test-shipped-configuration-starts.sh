#!/bin/sh
# What ships starts together: `make install` into a scratch root, then the installed qrgated on the
# installed configuration, unchanged but for the paths this test cannot use (/etc/qrgate and
# /run/qrgate become folders of its own), under the shipped bus policy, as systemd would start
# it: no credential given (the unit's LoadCredentialEncrypted= is commented out until a site
# fills it in), $STATE_DIRECTORY and $RUNTIME_DIRECTORY set. There is no issuer key, no trust
# list, no GPIO line and no token PIN here: the gate runs, degraded, says exactly that, and opens
# nothing. Once the key and the trust list are in place a reload takes them, and the door stays
# out of service. (tests/hw/systemd/test-shipped-configuration-starts.sh starts the same under
# systemd, with the real unit and a GPIO line.)
. "$(dirname "$0")/lib.sh"

install_into "$T/root"
R=$T/root
CTL="$R/usr/local/bin/qrgatectl"
ctl() { "$CTL" --bus "$ADDR" "$@"; }

check "make install installs the configuration the unit names" cmp "$ROOT/etc/qrgate.conf" "$R/etc/qrgate/qrgate.conf"
check "the unit starts qrgated on it" grep -qx "ExecStart=/usr/local/sbin/qrgated --config /etc/qrgate/qrgate.conf" \
	"$R/usr/local/lib/systemd/system/qrgated.service"
check "the unit reloads with qrgatectl reload, which reports a refusal" \
	grep -qx "ExecReload=/usr/local/bin/qrgatectl reload" "$R/usr/local/lib/systemd/system/qrgated.service"
cred=$(sed -n 's/^ *pin_credential = "\([^"]*\)";.*/\1/p' "$R/etc/qrgate/qrgate.conf")
check "the unit shows how to pass the PIN credential the configuration names ($cred), commented" \
	grep -q "^#LoadCredentialEncrypted=$cred:/" "$R/usr/local/lib/systemd/system/qrgated.service"

# The paths this test cannot use, and nothing else, are changed.
sed "s|/etc/qrgate/|$R/etc/qrgate/|g; s|/run/qrgate/|$T/run/|g" "$R/etc/qrgate/qrgate.conf" > "$T/qrgate.conf"
check "only the paths differ" sh -c "sed 's|$R/etc/qrgate/|/etc/qrgate/|g; s|$T/run/|/run/qrgate/|g' '$T/qrgate.conf' | cmp -s - '$R/etc/qrgate/qrgate.conf'"
check "and some did" sh -c "! cmp -s '$T/qrgate.conf' '$R/etc/qrgate/qrgate.conf'"

# What check-config says: what the site has not filled in yet, each at its line.
"$CTL" check-config "$T/qrgate.conf" > "$T/check.out" 2>&1
expect "check-config: exit 1" 1 $?
check "check-config: the missing key file, at its line" grep -q "qrgate.conf:$(grep -n 'city-k1.pub' "$T/qrgate.conf" | cut -d: -f1): issuer 'city' key 'k1' in $R/etc/qrgate/keys/city-k1.pub: No such file or directory" "$T/check.out"
check "check-config: the missing trust list, at its line" grep -q "qrgate.conf:$(grep -n 'trust_list = ' "$T/qrgate.conf" | cut -d: -f1): dcc trust list $R/etc/qrgate/dcc-trust: No such file or directory" "$T/check.out"

# Everything systemd would be told.
notify_listener
start_bus policy
mkdir -p "$T/run"
env -u CREDENTIALS_DIRECTORY NOTIFY_SOCKET="$T/notify.sock" STATE_DIRECTORY="$T/state" RUNTIME_DIRECTORY="$T/run" \
	"$R/usr/local/sbin/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" >> "$T/daemon.log" 2>&1 &
DAEMON_PID=$!
check "the installed qrgated comes up on the installed configuration" \
	wait_for 10 sh -c "busctl --address='$ADDR' status io.qrgate.Gate1 > /dev/null 2>&1"
[ "$FAIL" -eq 0 ] || { cat "$T/daemon.log"; finish; exit 1; }
check "it tells systemd it is ready" wait_for 5 grep -q "READY=1" "$T/notify"

expect "State: degraded" 's "degraded"' "$(mgr_prop State)"
ctl status > "$T/status" 2>&1
check "status: degraded" grep -qx "qrgated $(cat "$ROOT/VERSION"): degraded" "$T/status"
check "fault: the lock line, and the door out of service with it" \
	grep -qx "fault: lock main: cannot open its gpiod output line lock-relay: .*; door main is out of service" "$T/status"
check "fault: the issuer key file" grep -q "^fault: .*qrgate.conf:[0-9]*: issuer 'city' key 'k1' in $R/etc/qrgate/keys/city-k1.pub: No such file or directory$" "$T/status"
check "fault: the trust list" grep -q "^fault: .*qrgate.conf:[0-9]*: dcc trust list $R/etc/qrgate/dcc-trust: No such file or directory$" "$T/status"
check "fault: the token, and where its PIN comes from" \
	grep -q "^fault: token: unavailable: PIN credential \"token-pin\": the service was given no credentials (LoadCredentialEncrypted= in qrgated.service" "$T/status"
expect "four faults, nothing else" 4 "$(grep -c '^fault: ' "$T/status")"
check "status: the token unavailable" grep -qx "token: unavailable" "$T/status"
check "status: the door out of service" grep -qx "door main: out-of-service" "$T/status"
expect "TokenState unavailable" 's "unavailable"' "$(mgr_prop TokenState)"
expect "LockState out-of-service" 's "out-of-service"' "$(lock_state)"
check "STATUS= says degraded and why" grep -q "STATUS=Degraded: lock main: cannot open its gpiod output line lock-relay" "$T/notify"
check "STATUS= never said Running" sh -c "! grep -q 'STATUS=Running' '$T/notify'"
check "the journal says so once, searchably" \
	grep -q "qrgated is running degraded, without what it could not open: lock main: .*	MESSAGE_ID=064462abdae0402593f4610e4d17a6a4" "$T/daemon.log"

# Nothing opens: a code of the issuer whose key is missing, the door by hand.
"$B/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/city" > /dev/null
code=$(mint --sub p-1 --scope building.A.enter)
expect "a code of an issuer whose key is missing: unknown-issuer" "denied unknown-issuer" "$(ctl submit "$code")"
expect "Unlock of a door out of service: LockFailed" io.qrgate.Gate1.Error.LockFailed "$(unlock_as env)"
expect "the door is still out of service" 's "out-of-service"' "$(lock_state)"

# A reload is all or nothing: refused while a file is missing, with the reasons; applied once
# the key and the trust list are there, which clears those faults.
ctl reload > "$T/reload.out" 2>&1
expect "reload with the files still missing: exit 1" 1 $?
check "reload: says what is missing" grep -q "city-k1.pub: No such file or directory" "$T/reload.out"
mkdir -p "$R/etc/qrgate/keys" "$R/etc/qrgate/dcc-trust"
cp "$T/city.pub" "$R/etc/qrgate/keys/city-k1.pub"
"$B/qrgate-issue" dcc-signer --out "$T/dsc" > /dev/null
cp "$T/dsc.crt" "$R/etc/qrgate/dcc-trust/"
expect "reload once they are there" "configuration reloaded" "$(ctl reload 2>&1)"
ctl status > "$T/status" 2>&1
expect "two faults left: the lock and the token (each needs a restart)" 2 "$(grep -c '^fault: ' "$T/status")"
check "the lock's fault stays" grep -q "^fault: lock main: " "$T/status"
expect "DccTrustListKeys" 'u 1' "$(mgr_prop DccTrustListKeys)"
expect "a valid code at a door out of service: door-out-of-service" "denied door-out-of-service" "$(ctl submit "$code")"
expect "and it is not used up" "denied door-out-of-service" "$(ctl submit "$code")"
check "the refusal says why" grep -q "door main: denied door-out-of-service: door main is out of service: its lock main could not be opened" "$T/daemon.log"
expect "State still degraded" 's "degraded"' "$(mgr_prop State)"

check "SIGTERM: exit 0" stop_daemon
check "stopped" grep -q "qrgated stopped" "$T/daemon.log"
finish

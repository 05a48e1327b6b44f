#!/bin/sh
# A PIN fixed after "pin-rejected" is tried again when an operator asks (qrgatectl token
# retry-login, the RetryTokenLogin method), without a restart; and only then: the daemon never
# tries a PIN on its own twice, so the token's retry counter is an operator's to spend.
. "$(dirname "$0")/lib.sh"

make_issuer
make_token
cp "$T/token/pin" "$T/good-pin"
printf '000000\n' > "$T/token/pin" # a wrong PIN, where the configuration reads it
chmod 600 "$T/token/pin"
write_config "$T/qrgate.conf"
# uid 1 is an operator through its primary group "daemon" (see test-auth.sh).
sed -i 's/operator_groups = \[ "users" \]/operator_groups = [ "users", "daemon" ]/' "$T/qrgate.conf"
start_bus permissive
start_daemon
token_state_is() { [ "$(mgr_prop TokenState)" = "s \"$1\"" ]; }
check "wrong PIN: pin-rejected" wait_for 10 token_state_is pin-rejected
expect "wrong PIN: State degraded" 's "degraded"' "$(mgr_prop State)"
check "qrgatectl status shows the token state" sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'token: pin-rejected'"
sleep 1
check "no second login by itself" token_state_is pin-rejected

cp "$T/good-pin" "$T/token/pin"
as_nobody "$B/qrgatectl" --bus "$ADDR" token retry-login > "$T/out" 2>&1
expect "retry-login by a non-operator: exit 1" 1 $?
check "retry-login by a non-operator: the daemon's own check refuses it" grep -q "io.qrgate.Gate1.Error.NotAuthorized" "$T/out"
check "still pin-rejected" token_state_is pin-rejected

as_group_operator "$B/qrgatectl" --bus "$ADDR" token retry-login > "$T/out" 2>&1
expect "retry-login by an operator: exit 0" 0 $?
check "retry-login: says where the outcome shows" grep -q "token login retried" "$T/out"
check "the fixed PIN logs in" wait_for 10 token_present
expect "State running again" 's "running"' "$(mgr_prop State)"
check "the journal names who asked" grep -q "Token: one more login, asked for by uid 1\." "$T/daemon.log"

ctl token retry-login > "$T/out" 2>&1
expect "retry-login while present: exit 1" 1 $?
check "retry-login while present: TokenNotWaiting, and why" \
	grep -q "the token is present, not waiting for an operator.*io.qrgate.Gate1.Error.TokenNotWaiting" "$T/out"
stop_daemon

# The shipped bus policy: operators (group qrgate-operators) may call it, a stranger's call does
# not reach the daemon.
check "the shipped bus policy lets qrgate-operators call RetryTokenLogin" \
	sh -c "xmllint --xpath '//policy[@group=\"qrgate-operators\"]/allow[@send_member=\"RetryTokenLogin\"]' '$ROOT/systemd/io.qrgate.Gate1.dbus.conf' > /dev/null"
kill "$BUS_PID"; wait "$BUS_PID" 2>/dev/null; rm -f "$T/bus.sock"
start_bus policy
start_daemon
expect "bus policy: a stranger's RetryTokenLogin is refused by the bus" org.freedesktop.DBus.Error.AccessDenied \
	"$(outcome as_nobody dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.RetryTokenLogin)"
expect "bus policy: root's reaches the daemon" io.qrgate.Gate1.Error.TokenNotWaiting \
	"$(outcome dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.RetryTokenLogin)"
finish

#!/bin/sh
# Start, reload, restart and stop: what survives, what is refused, and that a stop leaves the
# locks in their safe state.
. "$(dirname "$0")/lib.sh"

make_issuer
start_bus permissive

# An invalid configuration at start: non-zero exit and a file:line message.
write_config "$T/qrgate.conf" 'doorz = ( );'
"$B/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" > "$T/bad.log" 2>&1
expect "invalid configuration at start exits 1" 1 $?
check "start error names file and line" grep -q "qrgate.conf:8: unknown key 'doorz'" "$T/bad.log"
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2>"$T/check.log"
expect "check-config exits 1" 1 $?
check "check-config names file and line" grep -q "qrgate.conf:8: unknown key 'doorz'" "$T/check.log"
write_config "$T/qrgate.conf"
sed -i 's/lock = "main"; unlock_ms/lock = "nolock"; unlock_ms/' "$T/qrgate.conf"
"$B/qrgated" --check-config "$T/qrgate.conf" > /dev/null 2>"$T/check2.log"
check "dangling reference reported" grep -q "qrgate.conf:5: door 'main' names lock 'nolock', which is not defined" "$T/check2.log"

write_config "$T/qrgate.conf"
start_daemon
code=$(mint --sub p-1 --scope library.lend)
expect "code granted before restart" granted "$(ctl submit "$code")"
check "SIGTERM exits 0" stop_daemon
check "lock driven to its safe state at stop" grep -q "Lock main: locked (safe state)" "$T/daemon.log"

start_daemon
expect "same code refused after restart" "denied replayed" "$(ctl submit "$code")"

# A broken file at reload (method and SIGHUP): refused, the running configuration stays.
cp "$T/qrgate.conf" "$T/good.conf"
echo 'verifier: { max_lifetime = "long"; };' >> "$T/qrgate.conf"
out=$(dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.Reload 2>&1)
check "Reload of a broken file is InvalidConfiguration" sh -c "echo '$out' | grep -q 'Error io.qrgate.Gate1.Error.InvalidConfiguration'"
echo "$out" > "$T/reload.out"
check "Reload error names file and line" grep -q "qrgate.conf:9: .max_lifetime. in verifier must be an integer" "$T/reload.out"
kill -HUP "$DAEMON_PID"; sleep 0.3
check "SIGHUP with a broken file keeps running" kill -0 "$DAEMON_PID"
expect "old configuration still decides" granted "$(ctl submit "$(mint --sub p-2 --scope library.lend)")"

# A restart-only change is refused with the reason.
write_config "$T/qrgate.conf" 'sources = ( );'
sed -i '0,/^sources = (.*scan0.*$/{//d}' "$T/qrgate.conf"
out=$(ctl reload 2>&1)
check "structural change needs a restart" sh -c "echo '$out' | grep -q 'restart qrgated'"

# A good reload takes effect: a new issuer key is accepted at once.
"$B/qrgate-issue" keygen --alg ed25519 --kid k2 --out "$T/city2" > /dev/null
write_config "$T/qrgate.conf"
sed -i "s|file = \"$T/city.pub\"; }|file = \"$T/city.pub\"; }, { kid = \"k2\"; file = \"$T/city2.pub\"; }|" "$T/qrgate.conf"
new=$("$B/qrgate-issue" mint --key "$T/city2.key" --kid k2 --iss city --sub p-3 --scope library.lend)
expect "new key unknown before reload" "denied unknown-issuer" "$(ctl submit "$new")"
expect "reload succeeds" "configuration reloaded" "$(ctl reload)"
expect "new key accepted after reload" granted "$(ctl submit "$new")"

# SIGTERM while the door is open: it is locked on the way out.
ctl unlock main 30 > /dev/null
expect "door open before stop" 's "unlocked"' "$(lock_state)"
: > "$T/daemon.log"
check "SIGTERM with the door open exits 0" stop_daemon
check "door locked on the way out" grep -q "Lock main: locked (safe state)" "$T/daemon.log"
finish

#!/bin/sh
# A clock the gate can trust, through the real daemon on a private bus. The clock's state comes
# from a test double of systemd-timedated on that bus (tests/integration/fake-timedated.c:
# NTPSynchronized as the test writes it); the daemon has no test override of its own. Without
# a synchronized clock: ClockSynchronized false, State degraded with a fault that says what to
# do, one journal entry, and codes refused with clock-untrusted (the default) without being
# used up; once synchronized: PropertiesChanged, State running, the same code opens — and it
# stays trusted when the source says otherwise later. clock.untrusted = "narrow" takes only
# codes issued near the clock. Without timedated the kernel's flag answers. The unit orders
# itself after time-sync.target without pulling it in.
. "$(dirname "$0")/lib.sh"

check "the unit is ordered after time-sync.target" grep -q '^After=.*time-sync\.target' "$ROOT/systemd/qrgated.service"
check "and neither wants nor requires it" sh -c "! grep -E '^(Wants|Requires|BindsTo|Requisite)=.*time-sync' '$ROOT/systemd/qrgated.service'"

make_issuer
write_config "$T/qrgate.conf"
NTP_SYNCHRONIZED=no start_bus permissive
start_daemon

clock_is() { [ "$(mgr_prop ClockSynchronized)" = "b $1" ]; }
state_is() { [ "$(mgr_prop State)" = "s \"$1\"" ]; }
check "ClockSynchronized false while timedated says no" wait_for 5 clock_is false
check "State degraded" wait_for 5 state_is degraded
ctl status > "$T/status"
check "qrgatectl status shows the clock and the policy meanwhile" grep -qx 'clock: not synchronized (clock.untrusted = "refuse")' "$T/status"
check "the fault says what to do" grep -q '^fault: clock: not synchronized since qrgated started: every code is refused (clock-untrusted) until it is; give the appliance a time server' "$T/status"
code=$(mint --sub p-1 --scope library.lend --ttl 100)
expect "a valid code on an untrusted clock" "denied clock-untrusted" "$(ctl submit "$code")"
expect "and again: it was not used up" "denied clock-untrusted" "$(ctl submit "$code")"
check "the refusal says why" grep -q "door main: denied clock-untrusted: the system clock is not synchronized, and clock.untrusted is \"refuse\"" "$T/daemon.log"
check "the journal says so once" test "$(grep -c 'System clock not synchronized (systemd-timedated)' "$T/daemon.log")" -eq 1

dbus-monitor --address "$ADDR" "type='signal',interface='org.freedesktop.DBus.Properties',path='/io/qrgate/Gate1'" > "$T/monitor" 2>&1 &
sleep 0.3
set_ntp_synchronized yes
check "ClockSynchronized true once timedated says yes" wait_for 6 clock_is true
check "PropertiesChanged ClockSynchronized" wait_for 3 grep -q '"ClockSynchronized"' "$T/monitor"
check "State running" wait_for 3 state_is running
check "the journal says it is synchronized" grep -q "System clock synchronized (systemd-timedated)" "$T/daemon.log"
expect "the same code now opens the door" "granted" "$(ctl submit "$code")"
check "qrgatectl status shows the clock synchronized" sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'clock: synchronized'"
set_ntp_synchronized no
sleep 3 # longer than the daemon's poll: it would have asked again if it still did
check "synchronized once is trusted while the daemon runs" clock_is true
expect "codes are still judged by the clock" "granted" "$(ctl submit "$(mint --sub p-2 --scope library.lend)")"
check "qrgated stops cleanly" stop_daemon

# narrow: only a code issued within clock.narrow_window of the clock.
write_config "$T/qrgate.conf" 'clock: { untrusted = "narrow"; narrow_window = 10; };'
start_daemon
check "ClockSynchronized false again after a restart" wait_for 5 clock_is false
check "the fault says what narrow does" wait_for 3 sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -q '^fault: clock: not synchronized since qrgated started: only QG1 codes issued within clock.narrow_window of the clock are accepted'"
expect "narrow: a code issued now" "granted" "$(ctl submit "$(mint --sub p-3 --scope library.lend)")"
old=$(mint --sub p-4 --scope library.lend --iat $(( $(date +%s) - 30 )) --ttl 100)
expect "narrow: a code issued 30 s ago" "denied clock-untrusted" "$(ctl submit "$old")"
check "the refusal says by how much" grep -q "code was issued -[0-9]* s from it, beyond clock.narrow_window (10 s)" "$T/daemon.log"
check "qrgated stops cleanly (narrow)" stop_daemon

# accept: codes judged by the clock as it is, and no fault to act on.
write_config "$T/qrgate.conf" 'clock: { untrusted = "accept"; };'
start_daemon
check "accept: ClockSynchronized false" wait_for 5 clock_is false
check "accept: State running" wait_for 3 state_is running
expect "accept: a code issued 30 s ago" "granted" "$(ctl submit "$old")"
check "qrgated stops cleanly (accept)" stop_daemon

# Without timedated on the bus the kernel's flag answers (whatever this machine's is).
kill "$TIMEDATED_PID"; wait "$TIMEDATED_PID" 2>/dev/null; TIMEDATED_PID=
start_daemon
check "without timedated, the kernel's flag" wait_for 5 grep -q "System clock .*synchronized (kernel)" "$T/daemon.log"
check "qrgated stops cleanly (kernel)" stop_daemon
finish

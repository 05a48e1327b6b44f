#!/bin/bash
# The real daemon with a gpiod lock: safe level at start, a valid code from its FIFO source
# opens the door for unlock_ms, SIGTERM while open locks on the way out, and after a SIGKILL
# `qrgated --safe-state` (what the unit's ExecStopPost runs) sets the safe level again.
# The daemon talks to a private dbus-daemon here; under systemd it is the system bus.
. "$HW_LIB"
sim_create
T=$HW_TMP
ADDR=unix:path=$T/bus.sock
UNLOCK_MS=1000
DAEMON_PID= BUS_PID=

cleanup() {
	[ -z "$DAEMON_PID" ] || kill -KILL "$DAEMON_PID" 2>/dev/null || true
	[ -z "$BUS_PID" ] || kill "$BUS_PID" 2>/dev/null || true
	sim_destroy
}
trap cleanup EXIT

cat >"$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>$ADDR</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/>
<allow receive_type="error"/><allow receive_type="signal"/></policy>
</busconfig>
CONF
dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/bus.log" 2>&1 &
BUS_PID=$!
for _ in $(seq 500); do [ -S "$T/bus.sock" ] && break; hw_sleep_ms 20; done
[ -S "$T/bus.sock" ] || hw_fail "dbus-daemon did not start: $(cat "$T/bus.log")"

"$HW_BUILD/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/city" >/dev/null
mint() { "$HW_BUILD/qrgate-issue" mint --key "$T/city.key" --kid k1 --iss city --scope building.A.enter "$@"; }
cat >"$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "gpiod"; line_name = "lock-relay"; safe_state = "locked"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = $UNLOCK_MS; scopes = [ "building.A.enter" ]; } );
sources = ( { id = "scan0"; type = "fifo"; path = "$T/scan0"; door = "main"; } );
clock: { untrusted = "accept"; }; # the guest has no time server
CONF

start_daemon() {
	: >"$T/daemon.log"
	"$HW_BUILD/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1000); do
		grep -q '^<6>qrgated running' "$T/daemon.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		hw_sleep_ms 20
	done
	cat "$T/daemon.log" "$T/bus.log"
	hw_fail "qrgated did not come up"
}
scan() { echo "$1" >"$T/scan0"; }

hw_step "safe level at start"
sim_pull lock-relay up
start_daemon
expect_value lock-relay 0 "lock-relay with qrgated running"

hw_step "a valid code opens the door for unlock_ms ($UNLOCK_MS ms)"
start=$(now_ms)
scan "$(mint --sub p-1)"
wait_value lock-relay 1 5000
expect_value lock-relay 1 "unlocked by the code"
wait_value lock-relay 0 $((UNLOCK_MS + 3000))
active=$(($(now_ms) - start))
[ "$active" -ge "$UNLOCK_MS" ] || hw_fail "door closed after $active ms, before unlock_ms"
hw_pass "door open until ${active} ms after the scan"
expect_value lock-relay 0 "locked after unlock_ms"

hw_step "a replayed code does not open it"
code=$(mint --sub p-2)
scan "$code"
wait_value lock-relay 1 5000
wait_value lock-relay 0 $((UNLOCK_MS + 3000))
scan "$code"
hw_sleep_ms 1000
expect_value lock-relay 0 "lock-relay after the same code again"

hw_step "SIGTERM while the door is open locks it on the way out"
scan "$(mint --sub p-3)"
wait_value lock-relay 1 5000
hold_start "$DAEMON_PID"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
expect_eq "$rc" 0 "qrgated exit status after SIGTERM"
expect_value lock-relay 0 "lock-relay after SIGTERM (request kept by line-hold)"
hold_stop

hw_step "SIGKILL while open, then qrgated --safe-state (the unit's ExecStopPost)"
start_daemon
scan "$(mint --sub p-4)"
wait_value lock-relay 1 5000
gpio_trace_start
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
killed=$(uptime_s)
"$HW_BUILD/qrgated" --config "$T/qrgate.conf" --safe-state >"$T/safe-state.log" 2>&1 ||
	hw_fail "qrgated --safe-state failed: $(cat "$T/safe-state.log")"
gpio_trace_sets lock-relay | tee "$T/sets"
last=$(awk -v t="$killed" '$1 >= t && $2 ~ /^qrgated-/ { s = $3 } END { print s }' "$T/sets")
expect_eq "$last" 0 "last level set by qrgated --safe-state after the SIGKILL"

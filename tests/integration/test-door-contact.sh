#!/bin/sh
# The door as a door, through the real daemon with sim inputs (FIFOs written '1'/'0') and a sim
# relay whose output file records every level: the contact opening without an unlock raises
# forced-open (AlarmRaised, the Alarms property, DoorState, the audit log, the journal's
# MESSAGE_ID) and closing clears it; a bounce burst within debounce_ms raises nothing; a granted
# code opens, and the relay drops as soon as the door has opened and closed again, long before
# the end of its 5 s pulse; a door held open past held_open_s raises held-open; the exit button
# opens without a code, is audited and counts one out of the door's area, as a turnstile's exit
# pulse does without opening; a reload that changes the inputs is refused.
. "$(dirname "$0")/lib.sh"

make_issuer
make_token
cat > "$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "sim"; output = "$T/relay"; } );
areas = ( { id = "hall"; capacity = 10; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = 5000; scopes = [ "library.lend" ]; area = "hall"; side = "entry";
            contact = { backend = "sim"; input = "$T/contact"; };
            rex = { backend = "sim"; input = "$T/rex"; };
            exit_pulse = { backend = "sim"; input = "$T/turnstile"; };
            debounce_ms = 40; held_open_s = 1; } );
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
CONF
start_bus permissive
dbus-monitor --address "$ADDR" "type='signal',path='/io/qrgate/Gate1/door/main'" > "$T/monitor" 2>&1 &
start_daemon

door_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door "$1" 2>&1; }
door_state_is() { [ "$(door_prop DoorState)" = "s \"$1\"" ]; }
relay_last() { tail -c 1 "$T/relay"; }
relay_is() { [ "$(relay_last)" = "$1" ]; }
signals() { grep -c "member=$1" "$T/monitor"; }
contact() { printf '%s' "$1" > "$T/contact"; }

expect "at start: locked" 's "locked"' "$(door_prop DoorState)"
expect "at start: no alarm" "as 0" "$(door_prop Alarms)"

# Forced open: the contact opens while locked.
ctl watch > "$T/watch" 2>&1 &
sleep 0.3
contact 1
check "forced open: AlarmRaised" wait_for 3 grep -q 'string "forced-open"' "$T/monitor"
check "forced open: reason opened-while-locked" grep -q 'string "opened-while-locked"' "$T/monitor"
expect "forced open: Alarms" 'as 1 "forced-open"' "$(door_prop Alarms)"
expect "forced open: DoorState open" 's "open"' "$(door_prop DoorState)"
check "qrgatectl status: the door is open and alarmed" sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'door main: locked, open, alarm forced-open'"
contact 0
check "closed: AlarmCleared" wait_for 3 grep -q 'member=AlarmCleared' "$T/monitor"
check "qrgatectl watch: raised and cleared" wait_for 2 sh -c "grep -q 'door=main alarm forced-open raised (opened-while-locked)' '$T/watch' && grep -q 'door=main alarm forced-open cleared (closed)' '$T/watch'"
check "qrgatectl status: a closed door's line as before" sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'door main: locked'"
check "closed: Alarms empty" wait_for 3 sh -c "busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door Alarms | grep -qx 'as 0'"

# A bounce burst within the debounce time, ending closed: nothing.
raised_before=$(signals AlarmRaised)
printf '1010101010' > "$T/contact"
sleep 0.3
expect "bounce burst: no alarm" "$raised_before" "$(signals AlarmRaised)"
expect "bounce burst: still locked" 's "locked"' "$(door_prop DoorState)"

# A granted code: unlocked; the door opens and closes; the relay drops at once.
expect "granted" granted "$(ctl submit "$(mint --sub p-door-1 --scope library.lend)")"
check "relay unlocked" wait_for 2 relay_is 1
expect "unlocked" 's "unlocked"' "$(door_prop DoorState)"
contact 1
check "valid passage: open" wait_for 2 door_state_is open
contact 0
t0=$(now_ms)
check "relock on close: relay dropped" wait_for 2 relay_is 0
elapsed=$(($(now_ms) - t0))
check "relock on close: within 1 s of closing, not at the end of the 5 s pulse ($elapsed ms)" test "$elapsed" -lt 1000
expect "relock on close: locked" 's "locked"' "$(door_prop DoorState)"
expect "valid passage: no new alarm" "$raised_before" "$(signals AlarmRaised)"

# Held open: a valid passage, the door left open past held_open_s (1 s).
expect "granted again" granted "$(ctl submit "$(mint --sub p-door-2 --scope library.lend)")"
contact 1
check "held open: AlarmRaised" wait_for 4 grep -q 'string "held-open"' "$T/monitor"
check "held open: reason open-too-long" grep -q 'string "open-too-long"' "$T/monitor"
contact 0
check "held open: cleared on close" wait_for 3 sh -c "busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door Alarms | grep -qx 'as 0'"
check "held open: relay dropped" wait_for 2 relay_is 0

# The exit button opens without a code, and someone has left the hall.
occupancy() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/area/hall io.qrgate.Gate1.Area Occupancy 2>&1; }
before=$(occupancy | cut -d' ' -f2)
check "the granted codes counted into the hall ($before)" test "$before" -ge 1
printf '1' > "$T/rex"
check "REX: relay unlocked" wait_for 2 relay_is 1
printf '0' > "$T/rex"
contact 1
check "REX: the door opens" wait_for 2 door_state_is open
contact 0
check "REX: relocked on close" wait_for 2 relay_is 0
expect "REX: counted one out of the hall" "u $((before - 1))" "$(occupancy)"

# A turnstile's exit pulse counts one out and opens nothing.
relay_before=$(wc -c < "$T/relay")
printf '1' > "$T/turnstile"
check "exit pulse: counted one out of the hall" wait_for 2 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/area/hall io.qrgate.Gate1.Area Occupancy)\" = 'u $((before - 2))' ]"
printf '0' > "$T/turnstile"
sleep 0.2
expect "exit pulse: the relay did not move" "$relay_before" "$(wc -c < "$T/relay")"

check "journal: alarm with its MESSAGE_ID" grep -q "MESSAGE_ID=e20abb2155de469ebc645a4444d7a8c2" "$T/daemon.log"
check "journal: exit request with its MESSAGE_ID" grep -q "MESSAGE_ID=271f5eece815454280ca92df1e990e12" "$T/daemon.log"

# The inputs are opened at start: a reload that changes them is refused, not half-applied.
sed -i 's/held_open_s = 1;/held_open_s = 2;/' "$T/qrgate.conf"
ctl reload > "$T/reload.out" 2>&1
check "reload changing held_open_s is refused" grep -q "door's inputs (contact, rex, lock_feedback) or their timings changed" "$T/reload.out"

stop_daemon
expect "stopped cleanly" 0 $?
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
has() { grep -q "$1" "$T/export.jsonl"; }
check "audit: forced-open raised" has '"event":"alarm".*"door":"main".*"text":"opened-while-locked".*"state":"raised"'
check "audit: forced-open cleared" has '"event":"alarm".*"text":"closed".*"state":"cleared"'
check "audit: held-open raised" has '"kind":"held-open"'
check "audit: REX unlock" has '"event":"unlock","door":"main","decision":true,"duration_ms":5000.*"state":"request-to-exit"'
finish

#!/bin/sh
# A door contact wired twice (contact: active when open; contact_nc, its normally-closed twin:
# active when closed), through the real daemon with sim inputs: both lines inactive — a cut
# cable, here from the start — raises the tamper alarm (AlarmRaised "tamper" with
# "lines-both-inactive", the Alarms property, the journal's MESSAGE_ID) and the twin coming back
# clears it ("lines-differ"); the door moving, both lines switching together, raises no tamper;
# both lines active (a short) raises it beside forced-open, and both clear on closing; the audit
# log has every raise and clear.
. "$(dirname "$0")/lib.sh"

make_issuer
make_token
cat > "$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "sim"; output = "$T/relay"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = 5000; scopes = [ "library.lend" ];
            contact = { backend = "sim"; input = "$T/contact"; };
            contact_nc = { backend = "sim"; input = "$T/contact_nc"; };
            debounce_ms = 100; } );  # wide: the two FIFOs of one movement are read apart under load
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
CONF
start_bus permissive
dbus-monitor --address "$ADDR" "type='signal',path='/io/qrgate/Gate1/door/main'" > "$T/monitor" 2>&1 &
sleep 0.3
start_daemon

door_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door "$1" 2>&1; }
alarms_are() { [ "$(door_prop Alarms)" = "$1" ]; }
signals() { grep -c "$1" "$T/monitor"; }
contact() { printf '%s' "$1" > "$T/contact"; }
contact_nc() { printf '%s' "$1" > "$T/contact_nc"; }

# Sim inputs start inactive: the door closed, its twin line not saying closed — a cut cable.
check "cut at start: tamper raised" wait_for 3 grep -q 'string "lines-both-inactive"' "$T/monitor"
check "cut at start: Alarms" wait_for 2 alarms_are 'as 1 "tamper"'
check "journal: tamper with the alarm MESSAGE_ID" grep -q "alarm tamper raised (lines-both-inactive).*MESSAGE_ID=e20abb2155de469ebc645a4444d7a8c2" "$T/daemon.log"
contact_nc 1
check "wiring restored: cleared" wait_for 3 grep -q 'string "lines-differ"' "$T/monitor"
check "wiring restored: no alarm" wait_for 2 alarms_are 'as 0'
expect "still locked and closed" 's "locked"' "$(door_prop DoorState)"

# The door moves: both lines switch together. Forced open (nobody unlocked it), no tamper.
raised=$(signals 'string "tamper"')
contact 1; contact_nc 0
check "door opened: forced-open" wait_for 3 grep -q 'string "opened-while-locked"' "$T/monitor"
sleep 0.3
contact 0; contact_nc 1
check "door closed: forced-open cleared" wait_for 3 alarms_are 'as 0'
sleep 0.3
expect "a moving door raises no tamper" "$raised" "$(signals 'string "tamper"')"

# A short: the contact line active while its twin still says closed.
contact 1
check "short: tamper (lines-both-active)" wait_for 3 grep -q 'string "lines-both-active"' "$T/monitor"
check "short: both alarms" wait_for 2 alarms_are 'as 2 "forced-open" "tamper"'
contact 0
check "short gone: both cleared" wait_for 3 alarms_are 'as 0'

stop_daemon
expect "stopped cleanly" 0 $?
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
n() { grep '"event":"alarm"' "$T/export.jsonl" | grep '"kind":"tamper"' | grep -c "\"state\":\"$1\"" || true; }
expect "audit: tamper raised twice" 2 "$(n raised)"
expect "audit: tamper cleared twice" 2 "$(n cleared)"
check "audit: reasons" sh -c "grep -q '\"text\":\"lines-both-inactive\"' '$T/export.jsonl' && grep -q '\"text\":\"lines-both-active\"' '$T/export.jsonl' && grep -q '\"text\":\"lines-differ\"' '$T/export.jsonl'"
finish

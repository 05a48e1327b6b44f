#!/bin/sh
# An interlock group through the real daemon: the two doors of an airlock, "outer" and
# "inner". While outer is unlocked, a valid code for inner is refused with reason interlock and
# not used up; two codes presented together open one door only; once outer has opened and closed
# (relock on close), the same code opens inner; while outer stands open (its contact), inner's
# exit button does not open it either, and the audit log says why; a door of no group is never
# held back.
. "$(dirname "$0")/lib.sh"

make_issuer
make_token
cat > "$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "outer"; backend = "sim"; output = "$T/outer.relay"; },
          { id = "inner"; backend = "sim"; output = "$T/inner.relay"; },
          { id = "side"; backend = "sim"; output = "$T/side.relay"; } );
doors = ( { id = "outer"; lock = "outer"; unlock_ms = 5000; scopes = [ "library.lend" ]; interlock = "airlock";
            contact = { backend = "sim"; input = "$T/outer.contact"; }; debounce_ms = 0; },
          { id = "inner"; lock = "inner"; unlock_ms = 5000; scopes = [ "library.lend" ]; interlock = "airlock";
            rex = { backend = "sim"; input = "$T/inner.rex"; }; debounce_ms = 0; },
          { id = "side"; lock = "side"; unlock_ms = 5000; scopes = [ "library.lend" ]; } );
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
CONF
start_bus permissive
start_daemon

relay_is() { [ "$(tail -c 1 "$T/$1.relay")" = "$2" ]; }
door_state() { busctl --address="$ADDR" get-property io.qrgate.Gate1 "/io/qrgate/Gate1/door/$1" io.qrgate.Gate1.Door DoorState 2>&1; }

expect "outer granted" granted "$(ctl submit --door outer "$(mint --sub p-il-1 --scope library.lend)")"
inner_code=$(mint --sub p-il-2 --scope library.lend)
expect "inner refused while outer is unlocked" "denied interlock" "$(ctl submit --door inner "$inner_code")"
check "inner stays locked" relay_is inner 0
expect "a door of no group is not held back" granted "$(ctl submit --door side "$(mint --sub p-il-3 --scope library.lend)")"

# Outer: opened and closed; the relay drops at once, and the same code now opens inner.
printf 1 > "$T/outer.contact"
check "outer open" wait_for 2 sh -c "[ '$(printf 's "open"')' = \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/outer io.qrgate.Gate1.Door DoorState)\" ]"
expect "inner refused while outer is open" "denied interlock" "$(ctl submit --door inner "$inner_code")"
printf 0 > "$T/outer.contact"
check "outer relocked on close" wait_for 2 relay_is outer 0
expect "the refused code was not used up: it opens inner now" granted "$(ctl submit --door inner "$inner_code")"
check "inner unlocked" relay_is inner 1
expect "outer refused while inner is unlocked" "denied interlock" "$(ctl submit --door outer "$(mint --sub p-il-4 --scope library.lend)")"

# Two codes presented together: one door opens, the other is refused.
stop_daemon
start_daemon
a=$(mint --sub p-il-5 --scope library.lend)
b=$(mint --sub p-il-6 --scope library.lend)
ctl submit --door outer "$a" > "$T/a.out" &
ctl submit --door inner "$b" > "$T/b.out"
wait $!
outcomes=$(cat "$T/a.out" "$T/b.out" | sort | tr '\n' ' ')
expect "two codes together: one granted, one refused by the interlock" "denied interlock granted " "$outcomes"

# Inner's exit button while outer stands open (forced, or held): not opened, and recorded.
stop_daemon
start_daemon
printf 1 > "$T/outer.contact"
check "outer open again" wait_for 2 sh -c "busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/outer io.qrgate.Gate1.Door DoorState | grep -q open"
printf 1 > "$T/inner.rex"
check "REX refused: logged" wait_for 2 grep -q "exit button pressed, not opened: refused: door outer of its interlock group is unlocked or open" "$T/daemon.log"
check "REX refused: inner stays locked" relay_is inner 0
stop_daemon
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
check "audit: the refusal is recorded with its reason" grep -q '"reason":"interlock"' "$T/export.jsonl"
check "audit: the refused exit is recorded" grep -q '"event":"unlock","door":"inner","decision":false.*"text":"refused: door outer of its interlock group is unlocked or open".*"state":"request-to-exit"' "$T/export.jsonl"
finish

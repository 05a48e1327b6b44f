#!/bin/sh
# Areas through the real daemon on a private bus with a real SoftHSM2 token: a pool of capacity
# 2 with hard anti-passback, entry door "main" and exit door "out". A second entry of the same
# subject is refused until an exit; the pool full at 2 refuses the next one until an exit lets
# one in; Occupancy is a property with PropertiesChanged; SetOccupancy is refused for a
# non-operator and done, logged and audited for an operator; a restart keeps the count and the
# presences (under the token's key); the daily reset empties it at its time; qrgatectl status
# shows the area.
. "$(dirname "$0")/lib.sh"
export TZ=UTC

AUDIT=$T/state/audit
make_issuer
write_config "$T/qrgate.conf" 'areas = ( { id = "pool"; capacity = 2; passback = "hard"; presence_timeout = 3600; } );'
sed -i -e 's|^locks = (.*|locks = ( { id = "main"; backend = "sim"; }, { id = "out"; backend = "sim"; } );|' \
	-e 's|^doors = ( { id = "main"; \(.*\) } );|doors = ( { id = "main"; \1 area = "pool"; side = "entry"; },\n          { id = "out"; lock = "out"; scopes = [ "library.lend" ]; area = "pool"; side = "exit"; } );|' \
	"$T/qrgate.conf"
grep -q 'side = "exit"' "$T/qrgate.conf" || { echo "write_config's doors line changed"; exit 1; }
check "a configuration with an area is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"

start_bus permissive
start_daemon
check "token present" wait_for 10 token_present
check "the subject key is the token's" wait_for 10 grep -q "Subject state: keyed by the token's secret" "$T/daemon.log"

area_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/area/pool io.qrgate.Gate1.Area "$1" 2>&1; }
enter() { ctl submit --door main "$(mint --sub "$1" --scope library.lend)"; }
leave() { ctl submit --door out "$(mint --sub "$1" --scope library.lend)"; }
set_occupancy_as() { n=$1; shift; outcome "$@" dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1/area/pool io.qrgate.Gate1.Area.SetOccupancy uint32:"$n"; }

dbus-monitor --address "$ADDR" "type='signal',interface='org.freedesktop.DBus.Properties',path='/io/qrgate/Gate1/area/pool'" > "$T/monitor" 2>&1 &
sleep 0.3
expect "the area's id" 's "pool"' "$(area_prop Id)"
expect "its capacity" "u 2" "$(area_prop Capacity)"
expect "its passback" 's "hard"' "$(area_prop Passback)"
expect "empty at first" "u 0" "$(area_prop Occupancy)"

# Hard anti-passback: in, not in again, out, in again.
expect "anna enters" granted "$(enter a-anna)"
expect "anna's second entry is refused" "denied anti-passback" "$(enter a-anna)"
check "the refusal says why" grep -q "door main: denied anti-passback: already in area pool" "$T/daemon.log"
expect "one in" "u 1" "$(area_prop Occupancy)"
expect "one present" "u 1" "$(area_prop PresentSubjects)"
check "PropertiesChanged Occupancy is signalled" wait_for 3 grep -q '"Occupancy"' "$T/monitor"
check "with the new count" sh -c "grep -A1 '\"Occupancy\"' '$T/monitor' | grep -q 'uint32 1'"
expect "an exit without an entry is let through" granted "$(leave a-zoe)"
expect "and counts out" "u 0" "$(area_prop Occupancy)"
expect "anna still may not enter" "denied anti-passback" "$(enter a-anna)"
expect "anna leaves" granted "$(leave a-anna)"
expect "anna enters again" granted "$(enter a-anna)"

# Capacity 2: full at 2; an exit lets one in.
expect "ben enters (2 of 2)" granted "$(enter a-ben)"
expect "the pool is full for carl" "denied capacity-full" "$(enter a-carl)"
check "the refusal says how full" grep -q "denied capacity-full: area pool is full: 2 in, capacity 2" "$T/daemon.log"
expect "ben leaves" granted "$(leave a-ben)"
expect "carl enters" granted "$(enter a-carl)"
expect "two in" "u 2" "$(area_prop Occupancy)"
check "the signal carried 2" sh -c "grep -A1 '\"Occupancy\"' '$T/monitor' | grep -q 'uint32 2'"

# The operator's correction.
expect "a stranger may not SetOccupancy" io.qrgate.Gate1.Error.NotAuthorized "$(set_occupancy_as 0 as_nobody)"
expect "the count stays" "u 2" "$(area_prop Occupancy)"
check "the refusal is logged with the uid" grep -q "Refused SetOccupancy from uid 65534" "$T/daemon.log"
expect "an operator may SetOccupancy" ok "$(set_occupancy_as 1 as_uid_operator)"
expect "the count is set" "u 1" "$(area_prop Occupancy)"
check "and logged with who did it" grep -q "Area pool: occupancy set from 2 to 1 by uid 2" "$T/daemon.log"
expect "qrgatectl area set-occupancy" "area pool: occupancy set to 1" "$(ctl area set-occupancy pool 1)"
expect "a count beyond any pool is refused" io.qrgate.Gate1.Error.InvalidArgument "$(set_occupancy_as 2000000 env)"
check "qrgatectl status shows the area" sh -c "ctl() { \"$B/qrgatectl\" --bus \"$ADDR\" \"\$@\"; }; ctl status | grep -qx 'area pool: 1 of 2 in, passback hard, 2 present'"

# A restart keeps the count and, once the token's key is there, who is in.
check "SIGTERM exits 0" stop_daemon
start_daemon
check "token present after the restart" wait_for 10 token_present
dbus-monitor --address "$ADDR" "type='signal',interface='org.freedesktop.DBus.Properties',path='/io/qrgate/Gate1/area/pool'" > "$T/monitor2" 2>&1 &
check "the presences are loaded" wait_for 10 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/area/pool io.qrgate.Gate1.Area PresentSubjects)\" = 'u 2' ]"
expect "the count survived" "u 1" "$(area_prop Occupancy)"
expect "anna, still inside, may not enter again" "denied anti-passback" "$(enter a-anna)"
expect "ben, who left, may" granted "$(enter a-ben)"

# The daily reset, a few seconds from now (the daemon runs with TZ=UTC; seconds are allowed),
# set by a reload: the count goes to 0 and everyone counts as gone, signalled.
left=$(( 86400 - $(date -u +%s) % 86400 ))
[ "$left" -lt 20 ] && sleep "$left"
at=$(( $(date -u +%s) + 3 ))
sed -i "s|presence_timeout = 3600; }|presence_timeout = 3600; capacity_reset = \"$(date -u -d "@$at" +%H:%M:%S)\"; }|" "$T/qrgate.conf"
expect "a reload sets the reset time" "configuration reloaded" "$(ctl reload)"
check "the count is reset at its time" wait_for 8 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/area/pool io.qrgate.Gate1.Area Occupancy)\" = 'u 0' ]"
check "not before it" test "$(date -u +%s)" -ge "$at"
expect "no one is present after it" "u 0" "$(area_prop PresentSubjects)"
check "the reset is logged" grep -q "Area pool: daily reset: occupancy 2 -> 0" "$T/daemon.log"
check "and signalled" sh -c "grep -A1 '\"Occupancy\"' '$T/monitor2' | grep -q 'uint32 0'"
expect "anna may enter again" granted "$(enter a-anna)"
check "SIGTERM exits 0 again" stop_daemon

check "the state file names no subject" sh -c "! grep -q 'a-anna' '$T/state/area-pool'"
"$B/qrgatectl" audit export "$AUDIT" > "$T/export.jsonl"
check "the operator's count is in the audit log" grep -q '"event":"occupancy","uid":2,"text":"occupancy was 2","count":1,"area":"pool"' "$T/export.jsonl"
check "a refusal is audited with its reason" grep -q '"decision":"denied","reason":"anti-passback"' "$T/export.jsonl"
check "capacity-full too" grep -q '"decision":"denied","reason":"capacity-full"' "$T/export.jsonl"

# check-config names the line of a door's unknown area.
sed -i 's|area = "pool"; side = "exit"|area = "swimming_pool"; side = "exit"|' "$T/qrgate.conf"
"$B/qrgatectl" check-config "$T/qrgate.conf" > "$T/check.out" 2>&1
expect "an unknown area is an error" 1 $?
check "with its line" grep -q "qrgate.conf:[0-9]*: door 'out' names area 'swimming_pool', which is not defined in 'areas'" "$T/check.out"
finish

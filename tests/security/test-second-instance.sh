#!/bin/sh
# A second qrgated with the same configuration must be refused before it touches a lock or the
# audit log (issue 10, item 4). Found by a review: it appended to the running daemon's log and
# drove its locks before failing to take the bus name; the first daemon then overwrote those
# records and `audit verify` said intact.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
start_bus permissive
write_config "$T/qrgate.conf"
sed -i "s|backend = \"sim\"; }|backend = \"sim\"; output = \"$T/lock\"; }|" "$T/qrgate.conf"
start_daemon
ctl unlock main 30 > /dev/null
level_before=$(cat "$T/lock")
sleep 0.3
audit_before=$(cat "$T"/state/audit/*.log | md5sum)

second() { timeout 10 "$B/qrgated" --config "$1" --bus "$ADDR" > "$T/second.log" 2>&1; }
second "$T/qrgate.conf"
expect "a second instance exits 1" 1 $?
check "it says why" grep -q "Another qrgated is running with the state directory" "$T/second.log"
expect "it did not drive the lock (the door stays as the first daemon set it)" "$level_before" "$(cat "$T/lock")"
expect "it did not write to the audit log" "$audit_before" "$(cat "$T"/state/audit/*.log | md5sum)"
expect "the first daemon's door is still open" 's "unlocked"' "$(lock_state)"

# Another state directory but the same runtime directory: the lock lines are still the first's.
sed "s|state_directory = \"$T/state\"|state_directory = \"$T/state2\"|" "$T/qrgate.conf" > "$T/other.conf"
second "$T/other.conf"
expect "same runtime directory: refused too" 1 $?
check "it says why" grep -q "Another qrgated holds the lock lines recorded in" "$T/second.log"
expect "still no lock driven" "$level_before" "$(cat "$T/lock")"

# The first daemon goes on deciding and logging after all this.
expect "the first daemon still decides" granted "$(ctl submit "$(mint --sub p-1 --scope library.lend)")"
check "SIGTERM exits 0" stop_daemon
"$B/qrgatectl" audit verify --open "$T/state/audit" > "$T/verify.out" 2>&1
expect "the log verifies" 0 $?

# Once the first is gone, a daemon starts normally.
start_daemon
check "after the first stopped, a new one starts" kill -0 "$DAEMON_PID"
finish

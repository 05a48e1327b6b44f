#!/bin/sh
# The state directory's file system fills up under the running daemon (a 1 MiB tmpfs here): the
# audit log raises an alarm, the gate turns degraded, valid codes are refused (on_write_error
# "deny") without being used up, nothing is dropped or torn, and once there is space again the
# held records are written, the alarm is cleared and the chain verifies. With on_write_error
# "grant" the doors keep opening meanwhile, and still nothing is lost.
. "$(dirname "$0")/lib.sh"

small_state_dir qrgate-audit-test

make_issuer
write_config "$T/qrgate.conf"
start_bus permissive
head_state() { mgr_prop AuditHead | sed 's/.* "\([a-z]*\)"$/\1/'; }

mint_refused 60
start_daemon
check "token present" wait_for 10 token_present
expect "granted before the disk fills" granted "$(ctl submit "$(mint --sub p-1 --scope library.lend)")"
wait_for 2 door_locked

fill_state
code=$(mint --sub p-2 --scope library.lend)
expect "disk full: a valid code is refused" "denied audit-unavailable" "$(ctl submit "$code")"
expect "disk full: the gate is degraded" 's "degraded"' "$(mgr_prop State)"
expect "disk full: AuditHead says failing" failing "$(head_state)"
check "disk full: the alarm is logged" grep -q "Audit log: less than 256 KiB free for .*counting it as full" "$T/daemon.log"
expect "disk full: refused again, not replayed (the code was not used up)" "denied audit-unavailable" "$(ctl submit "$code")"
expect "disk full: a bad code is still decided" "denied scope" "$(ctl submit "$(mint --sub p-3 --scope pool.enter)")"
expect "disk full: the door stays locked" 's "locked"' "$(lock_state)"
# More records than the last page of the file holds: now the writes themselves fail (ENOSPC),
# and the records are held in memory, not dropped. (Codes that verify but are refused, each a
# record of its own: repeated junk would be coalesced into one, docs/audit.md.)
submit_refused
check "disk full: writes fail and records are held" wait_for 3 grep -q "Audit log: cannot write to .*No space left on device. Records are held in memory" "$T/daemon.log"

rm "$T/state/filler"
# The writer retries every second; the held records are written and synced first, which on a
# loaded 2-core machine took over 3 s once.
check "space again: back to running within a few retry intervals" wait_for 10 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)\" = 's \"running\"' ]"
expect "space again: AuditHead ok" ok "$(head_state)"
check "space again: logged" grep -q "Audit log: space for .* again" "$T/daemon.log"
expect "space again: the same code now opens" granted "$(ctl submit "$code")"
check "SIGTERM exits 0" stop_daemon

"$B/qrgatectl" token pubkey --module "$TOKEN_MODULE" --token pkcs11:token=qrgate --pin-file "$T/token/pin" > "$T/device.pem"
"$B/qrgatectl" audit verify --pubkey "$T/device.pem" "$T/state/audit" > "$T/verify.out"
expect "no corruption: the log verifies against the device key" 0 $?
check "no corruption: closed by the final checkpoint" grep -q "^closed: yes" "$T/verify.out"
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
count() { grep -c "$1" "$T/export.jsonl"; }
expect "nothing dropped: all 65 decisions are in the log" 65 "$(count '"event":"decision"')"
expect "the refusals are in the log" 2 "$(count '"reason":"audit-unavailable"')"
check "alarm raised" grep -q '"event":"alarm","text":"No space left on device","state":"raised","kind":"audit"' "$T/export.jsonl"
check "alarm cleared" grep -q '"event":"alarm","text":"space on the state file system again","state":"cleared","kind":"audit"' "$T/export.jsonl"
check "nothing lost (no LOST record)" sh -c "! grep -q '\"event\":\"lost\"' '$T/export.jsonl'"

# on_write_error = "grant": availability first, the records still all kept.
write_config "$T/qrgate.conf" 'audit: { on_write_error = "grant"; };'
start_daemon
check "grant: token present" wait_for 10 token_present
fill_state
expect "grant: disk full, a valid code still opens" granted "$(ctl submit "$(mint --sub p-4 --scope library.lend)")"
expect "grant: the gate is degraded" 's "degraded"' "$(mgr_prop State)"
rm "$T/state/filler"
check "grant: back to running" wait_for 3 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)\" = 's \"running\"' ]"
check "grant: SIGTERM exits 0" stop_daemon
"$B/qrgatectl" audit verify --pubkey "$T/device.pem" "$T/state/audit" > "$T/verify2.out"
expect "grant: the log still verifies" 0 $?
expect "grant: the decision made while full is in the log" 66 "$("$B/qrgatectl" audit export "$T/state/audit" | grep -c '"event":"decision"')"
finish

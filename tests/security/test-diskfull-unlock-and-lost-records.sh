#!/bin/sh
# With the disk full (issue 10, item 3): every way to open a door obeys "no opening without a
# record" (on_write_error = "deny"), and records held in memory that a SIGKILL loses are named by
# a LOST record at the next start; their sequence numbers are never given again, and `audit
# verify` reports the gap. Found by a review: an operator's Unlock opened the door with the disk
# full, its record was lost on SIGKILL, the next start reused the numbers and verify said intact.
. "$(dirname "$0")/../integration/lib.sh"

small_state_dir qrgate-security-test

make_issuer
start_bus permissive
degraded() { [ "$(mgr_prop State)" = 's "degraded"' ]; }
running() { [ "$(mgr_prop State)" = 's "running"' ]; }
mint_refused 80

# on_write_error = "deny" (the default): an operator's Unlock is refused like a code.
write_config "$T/qrgate.conf"
start_daemon
check "token present" wait_for 10 token_present
fill_state
# The free space is checked before every opening: the Unlock finds the disk full.
expect "disk full: an operator's Unlock is refused" io.qrgate.Gate1.Error.AuditUnavailable "$(unlock_ms_as 2000 env)"
check "disk full: degraded" wait_for 2 degraded
expect "disk full: the door stays locked" 's "locked"' "$(lock_state)"
check "the refusal is logged" grep -q "manual unlock refused: the audit log cannot be written" "$T/daemon.log"
rm "$T/state/filler"
check "space again: running" wait_for 3 running
expect "space again: the Unlock works" ok "$(unlock_ms_as 300 env)"
check "SIGTERM exits 0" stop_daemon
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export1.jsonl"
check "the refused Unlock is in the log" grep -q '"event":"unlock".*"text":"refused: the audit log cannot be written"' "$T/export1.jsonl"
last_before=$(tail -n 1 "$T/export1.jsonl" | sed 's/^{"seq":\([0-9]*\),.*/\1/')

# on_write_error = "grant": the Unlock opens, its record is held in memory, and SIGKILL loses it.
write_config "$T/qrgate.conf" 'audit: { on_write_error = "grant"; };'
start_daemon
check "grant: token present" wait_for 10 token_present
fill_state
submit_refused # more than the last page holds: the writes themselves fail, records are held
check "grant: records are held in memory" wait_for 3 grep -q "Records are held in memory" "$T/daemon.log"
expect "grant: the Unlock opens" ok "$(unlock_ms_as 300 env)"
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
rm "$T/state/filler"
start_daemon
check "restart: the loss is logged" grep -q "were held in memory when the daemon stopped .* and are lost" "$T/daemon.log"
check "SIGTERM exits 0" stop_daemon

"$B/qrgatectl" audit export "$T/state/audit" > "$T/export2.jsonl"
lost=$(grep '"event":"lost"' "$T/export2.jsonl" | head -n 1)
check "a LOST record names the lost range" sh -c "echo '$lost' | grep -q '\"ref\":'"
seqs=$(sed 's/^{"seq":\([0-9]*\),.*/\1/' "$T/export2.jsonl")
check "no sequence number appears twice" sh -c "[ \$(echo '$seqs' | sort -n | uniq -d | wc -l) -eq 0 ]"
check "sequence numbers only grow" sh -c "echo '$seqs' | sort -n -c"
ref=$(echo "$lost" | sed 's/.*"ref":\([0-9]*\).*/\1/')
check "the lost range starts after the records that reached the disk" test "$ref" -gt "$last_before"
"$B/qrgatectl" audit verify --open "$T/state/audit" > "$T/verify.out" 2>&1
check "verify reports the lost records" grep -qi "lost" "$T/verify.out"
finish

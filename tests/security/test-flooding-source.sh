#!/bin/sh
# One scanner source flooding the daemon (issue 10, items 6 and 7). Found by a review: `yes x >
# fifo` kept a 400 ms unlock open for 7.8 s, starved the bus and the token's results, wrote
# 22 MB of audit records, and junk retired the file holding a genuine grant within a minute.
# Now each wake-up reads one buffer, lines over the source's rate are counted (one rate-limited
# decision and a source alarm say so), repeated refusals of junk are coalesced, the relock timer
# comes first, and retention keeps recent files whatever the count.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
start_bus permissive
records() { "$B/qrgatectl" audit export "$T/state/audit" 2>/dev/null; }

# Small files and a low count, so that a flood would reach retention quickly if it could.
write_config "$T/qrgate.conf" 'audit: { max_file_size = 8192; max_files = 2; };'
start_daemon
check "token present" wait_for 10 token_present
expect "a genuine grant before the flood" granted "$(ctl submit "$(mint --sub p-1 --scope library.lend)")"
check "relocked" wait_for 2 door_locked

yes x > "$T/scan0" &
FLOOD=$!
sleep 1

# The relock wins: a 400 ms operator unlock during the flood is over in well under a second.
t0=$(now_ms)
dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door.Unlock uint32:400 > /dev/null
expect "during the flood: the door opens" 's "unlocked"' "$(lock_state)"
wait_for 5 door_locked
t1=$(now_ms)
open_ms=$((t1 - t0))
echo "     unlock of 400 ms lasted $open_ms ms during the flood"
check "during the flood: a 400 ms unlock is over within 1000 ms" test "$open_ms" -lt 1000
# The bus answers.
t0=$(now_ms); mgr_prop State > /dev/null; t1=$(now_ms)
echo "     a property read took $((t1 - t0)) ms during the flood"
check "during the flood: the bus answers within 500 ms" test $((t1 - t0)) -lt 500
expect "during the flood: a valid code over the bus is still decided" granted "$(ctl submit "$(mint --sub p-2 --scope library.lend)")"
sleep 2
kill "$FLOOD"; wait "$FLOOD" 2>/dev/null
check "the flood is reported in the journal" grep -q "Source scan0: more than 10 lines a second" "$T/daemon.log"
check "the alarm clears once the source is quiet, with a count" wait_for 8 grep -q "Source scan0: within its rate again; [0-9]* lines over 10 a second were dropped" "$T/daemon.log"
lines=$(wc -l < "$T/daemon.log")
echo "     daemon log: $lines lines after a 4 s flood"
check "the journal is not flooded (< 40 lines in all)" test "$lines" -lt 40
check "SIGTERM exits 0" stop_daemon

records > "$T/export.jsonl"
n=$(wc -l < "$T/export.jsonl")
echo "     audit log: $n records after a 4 s flood"
check "the audit log is not flooded (< 40 records)" test "$n" -lt 40
check "one rate-limited decision" test "$(grep -c '"reason":"rate-limited"' "$T/export.jsonl")" -eq 1
check "the source alarm is raised and cleared" sh -c "grep -q '\"kind\":\"source\".*raised\\|\"state\":\"raised\",\"kind\":\"source\"' '$T/export.jsonl' && grep -q '\"state\":\"cleared\",\"kind\":\"source\"' '$T/export.jsonl'"
check "repeated junk is one record with a count" grep -q '"reason":"unsupported-format".*"count":' "$T/export.jsonl"
check "the genuine grant is still in the log" grep -q '"decision":"granted","reason":"ok".*"origin":"bus"' "$T/export.jsonl"
check "nothing was retired" sh -c "! grep -q '\"event\":\"retire\"' '$T/export.jsonl'"

# Within its rate, junk is still coalesced: 30 lines, 5 a second.
after() { awk -v from="$1" -F'[:,]' '$2 > from'; }
last_seq() { tail -n 1 "$1" | sed 's/^{"seq":\([0-9]*\),.*/\1/'; }
before2=$(last_seq "$T/export.jsonl")
start_daemon
i=0; while [ $i -lt 30 ]; do echo "junk-$i" > "$T/scan0"; sleep 0.2; i=$((i + 1)); done
check "SIGTERM exits 0" stop_daemon
records | after "$before2" > "$T/export2.jsonl"
junk=$(grep -c '"reason":"unsupported-format"' "$T/export2.jsonl")
echo "     30 junk lines at 5/s: $junk records"
check "30 junk lines at 5/s leave at most 4 records" test "$junk" -le 4
total=$(grep '"reason":"unsupported-format"' "$T/export2.jsonl" | sed -n 's/.*"count":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
expect "and their counts add up to every line" 30 "$((total + $(grep '"reason":"unsupported-format"' "$T/export2.jsonl" | grep -vc '"count":')))"

# Retention by count keeps files younger than min_age: a day of junk cannot push out a grant.
write_config "$T/qrgate.conf" 'audit: { max_file_size = 4096; max_files = 2; min_age = 86400; };'
start_daemon
for i in $(seq 60); do mint --sub "p-s$i" --scope pool.enter; done > "$T/denied.codes"
while read -r c; do ctl submit "$c" > /dev/null; done < "$T/denied.codes"
check "SIGTERM exits 0" stop_daemon
records > "$T/export3.jsonl"
check "more files than max_files are kept while younger than min_age" test "$(ls "$T/state/audit" | grep -c '^audit-')" -gt 2
check "nothing was retired" sh -c "! grep -q '\"event\":\"retire\"' '$T/export3.jsonl'"
check "the genuine grant of the first run is still there" grep -q '"decision":"granted","reason":"ok"' "$T/export3.jsonl"
check "the held-back retention is an alarm" grep -q '"state":"raised","kind":"retention"' "$T/export3.jsonl"
finish

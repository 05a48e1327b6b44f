#!/bin/bash
# The daemon's door on gpio-sim lines (lock-relay out; door-contact, exit-button in): a contact
# bounce burst raises no forced-open; opening without an unlock raises forced-open, closing
# clears it; the exit button opens without a code, and the relay drops as soon as the door has
# opened and closed again (long before unlock_ms); the REX opening is in the audit log; SIGKILL
# while unlocked and open, then `qrgated --safe-state` (the unit's ExecStopPost), leaves the
# lock at its safe level.
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT
UNLOCK_MS=8000
door_setup $UNLOCK_MS "debounce_ms = 100; held_open_s = 60;"
sim_pull door-contact down
sim_pull exit-button down
start_daemon
expect_value lock-relay 0 "lock-relay at start"

hw_step "a contact bounce burst within debounce_ms raises nothing"
for pull in up down up down up down; do sim_pull door-contact $pull; done
hw_sleep_ms 1000
expect_eq "$(count_log 'alarm forced-open raised')" 0 "forced-open alarms after the bounce burst"

hw_step "forced open: raised on opening while locked, cleared on closing"
sim_pull door-contact up
wait_log "alarm forced-open raised (opened-while-locked)" 5000
sim_pull door-contact down
wait_log "alarm forced-open cleared (closed)" 5000
expect_value lock-relay 0 "lock-relay after a forced opening"

hw_step "the exit button opens without a code; relock on close"
sim_pull exit-button up
wait_value lock-relay 1 5000
wait_log "exit button pressed, unlocked for $UNLOCK_MS ms" 5000
sim_pull exit-button down
sim_pull door-contact up
hw_sleep_ms 500
start=$(now_ms)
sim_pull door-contact down
wait_value lock-relay 0 5000
took=$(($(now_ms) - start))
[ "$took" -lt $((UNLOCK_MS / 2)) ] || hw_fail "relay dropped $took ms after closing: at the end of the pulse, not on close"
hw_pass "relay dropped $took ms after the door closed (unlock_ms $UNLOCK_MS)"
expect_eq "$(count_log 'alarm forced-open raised')" 1 "forced-open alarms (only the one forced opening)"

hw_step "SIGKILL while unlocked and open, then qrgated --safe-state"
sim_pull exit-button up
wait_value lock-relay 1 5000
sim_pull exit-button down
sim_pull door-contact up
hw_sleep_ms 300
gpio_trace_start
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
killed=$(uptime_s)
"$QRGATED" --config "$T/qrgate.conf" --safe-state >"$T/safe-state.log" 2>&1 ||
	hw_fail "qrgated --safe-state failed: $(cat "$T/safe-state.log")"
gpio_trace_sets lock-relay | tee "$T/sets"
last=$(awk -v t="$killed" '$1 >= t && $2 ~ /^qrgated-/ { s = $3 } END { print s }' "$T/sets")
expect_eq "$last" 0 "last level set by qrgated --safe-state after the SIGKILL"

hw_step "the exit openings are in the audit log"
"$HW_BUILD/qrgatectl" audit export "$T/state/audit" >"$T/export.jsonl"
n=$(grep -c '"event":"unlock","door":"main","decision":true.*"state":"request-to-exit"' "$T/export.jsonl" || true)
expect_eq "$n" 2 "request-to-exit unlock records"
n=$(grep -c '"kind":"forced-open"' "$T/export.jsonl" || true)
expect_eq "$n" 2 "forced-open alarm records (raised, cleared)"

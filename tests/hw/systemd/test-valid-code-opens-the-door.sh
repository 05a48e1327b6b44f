#!/bin/bash
# Under the shipped unit's sandbox (ProtectSystem=strict, StateDirectory, RuntimeDirectory, its
# own user) the daemon still does its job: a valid code written to the FIFO source under
# /run/qrgate opens the door for unlock_ms, the replay record is written to /var/lib/qrgate as
# user qrgate (no "cannot write" warning), and the same code again does not open the door.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
sim_create
qrgated_setup
qrgated_start
[ -p "$QRGATE_FIFO" ] || hw_fail "no FIFO $QRGATE_FIFO"
hw_pass "$QRGATE_FIFO: $(stat -c '%A %U:%G' "$QRGATE_FIFO")"
expect_value lock-relay 0 "lock-relay before"

hw_step "a valid code"
code=$(mint --sub p-1)
cursor=$(journal_cursor)
before=$(stat -c %y /var/lib/qrgate/replay)
start=$(now_ms)
echo "$code" >"$QRGATE_FIFO"
wait_value lock-relay 1 5000
hw_pass "door open $(($(now_ms) - start)) ms after the scan"
wait_value lock-relay 0 $((UNLOCK_MS + 3000))
open=$(($(now_ms) - start))
[ "$open" -ge "$UNLOCK_MS" ] || hw_fail "door closed after $open ms, before unlock_ms"
hw_pass "door locked again $open ms after the scan"
after=$(stat -c %y /var/lib/qrgate/replay)
[ "$after" != "$before" ] || hw_fail "/var/lib/qrgate/replay unchanged since $before"
expect_eq "$(stat -c %U /var/lib/qrgate/replay)" qrgate "owner of /var/lib/qrgate/replay, written at $after"
journalctl --no-pager -o cat -u "$UNIT" --after-cursor="$cursor" >"$HW_TMP/journal"
! grep -F "Replay cache:" "$HW_TMP/journal" || hw_fail "qrgated could not write its replay cache"
grep -F "scanner0: door main: granted" "$HW_TMP/journal" || hw_fail "qrgated logged no grant: $(cat "$HW_TMP/journal")"

hw_step "the same code again"
echo "$code" >"$QRGATE_FIFO"
hw_sleep_ms 1500
expect_value lock-relay 0 "lock-relay after the replayed code"

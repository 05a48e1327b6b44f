#!/bin/bash
# A hung daemon is restarted by the watchdog: qrgated pings systemd (WATCHDOG=1) from its event
# loop, so a running daemon outlives several watchdog periods; once its process is stopped
# (SIGSTOP: alive, but no longer pinging) systemd reports a watchdog timeout, kills it and,
# through Restart=on-failure, starts a new main process that reaches READY again. A test-only
# drop-in shortens WatchdogSec from the shipped 10 s to keep the run short.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
WATCHDOG_S=4
sim_create
qrgated_setup
qrgated_dropin "WatchdogSec=${WATCHDOG_S}s"
qrgated_start
expect_eq "$(unit_show WatchdogUSec)" ${WATCHDOG_S}s "WatchdogUSec with the drop-in"
pid=$(unit_show MainPID)
expect_eq "$(unit_show NRestarts)" 0 "NRestarts at start"

hw_step "a daemon that pings is left alone for 2 x WatchdogSec"
hw_sleep_ms $((2 * WATCHDOG_S * 1000))
expect_eq "$(unit_show MainPID)" "$pid" "MainPID after $((2 * WATCHDOG_S)) s"
expect_eq "$(unit_show NRestarts)" 0 "NRestarts after $((2 * WATCHDOG_S)) s"
cursor=$(journal_cursor)

hw_step "SIGSTOP: the daemon hangs"
start=$(now_ms)
kill -STOP "$pid"
expect_eq "$(awk '{ print $3 }' /proc/"$pid"/stat)" T "state of process $pid"
wait_restarted "$pid" 60000
new=$RESTARTED_PID
elapsed=$(($(now_ms) - start))
hw_pass "new main process $new, $elapsed ms after SIGSTOP"
[ "$elapsed" -le $(((WATCHDOG_S + 20) * 1000)) ] || hw_fail "restart took $elapsed ms"
[ ! -e /proc/"$pid" ] || hw_fail "the hung process $pid is still there ($(awk '{ print $3 }' /proc/"$pid"/stat))"
hw_pass "process $pid is gone"
expect_eq "$(unit_show NRestarts)" 1 "NRestarts"
expect_eq "$(unit_show ActiveState)/$(unit_show SubState)" active/running "ActiveState/SubState"
expect_eq "$(unit_show StatusText)" "Running: 1 doors, 1 issuer keys" "StatusText of the new process"

hw_step "it was the watchdog"
journalctl --no-pager -o cat -u "$UNIT" --after-cursor="$cursor" >"$HW_TMP/journal"
grep -F "Watchdog timeout" "$HW_TMP/journal" || hw_fail "no watchdog timeout in the journal: $(cat "$HW_TMP/journal")"
grep -F "Failed with result 'watchdog'" "$HW_TMP/journal" || hw_fail "the unit did not fail with result 'watchdog'"
hw_pass "systemd reported the watchdog timeout"
expect_value lock-relay 0 "lock-relay under the new process"

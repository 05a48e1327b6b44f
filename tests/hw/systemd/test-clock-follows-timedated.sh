#!/bin/bash
# ClockSynchronized driven by the real systemd-timedated on the real system bus (issue 15: "the
# clock states driven by a real systemd-timedated"). The guest has no network, so nothing
# synchronizes its clock; the test sets the kernel's state as systemd-timesyncd does after an NTP
# answer, with adjtimex(2) (tests/hw/clock-sync.c: maxerror 0, STA_UNSYNC cleared; and back),
# and timedated, bus-activated, reads it (NTPSynchronized: maxerror below 16 s). qrgated under
# its shipped unit (ProtectClock=: it cannot read adjtimex itself) asks timedated:
#   - unsynchronized: ClockSynchronized false, State degraded, a valid code refused with
#     clock-untrusted (clock.untrusted = "refuse", the shipped default) and not used up;
#   - synchronized: ClockSynchronized true within its poll (2 s), State running, the journal says
#     so, the same code opens the door;
#   - unsynchronized again: ClockSynchronized stays true (trusted for the daemon's life).
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
CLOCK_SYNC=$HW_BUILD/hw/clock-sync
[ -x "$CLOCK_SYNC" ] || hw_fail "no $CLOCK_SYNC (make hw-progs)"
[ -x /lib/systemd/systemd-timedated ] || hw_fail "the guest has no systemd-timedated"
sim_create
qrgated_setup
trap '"$CLOCK_SYNC" unsynced >/dev/null 2>&1; qrgated_cleanup' EXIT

hw_step "clock.untrusted = \"refuse\" (the shipped default)"
sed 's/^clock: .*/clock: { untrusted = "refuse"; };/' "$HW_TMP/qrgate.conf" >"$HW_TMP/qrgate-refuse.conf"
install -m 0640 -g qrgate "$HW_TMP/qrgate-refuse.conf" "$QRGATE_CONF"
grep -q '^clock: { untrusted = "refuse"; };' "$QRGATE_CONF" || hw_fail "the configuration was not changed"
hw_pass "configured"

ntp() { busctl --system get-property org.freedesktop.timedate1 /org/freedesktop/timedate1 org.freedesktop.timedate1 NTPSynchronized 2>&1; }
mgr() { busctl --system get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager "$1" 2>&1; }
ctl() { /usr/local/bin/qrgatectl "$@" 2>&1; }
# wait_prop PROPERTY VALUE MS
wait_prop() {
	local start
	start=$(now_ms)
	until [ "$(mgr "$1")" = "$2" ]; do
		[ $(($(now_ms) - start)) -lt "$3" ] || hw_fail "$1 is $(mgr "$1"), not $2 after $3 ms"
		hw_sleep_ms 100
	done
	hw_pass "$1 $2 after $(($(now_ms) - start)) ms"
}

hw_step "the kernel's clock not synchronized"
echo "kernel: $("$CLOCK_SYNC" unsynced)"
expect_eq "$(ntp)" "b false" "timedated's NTPSynchronized"
qrgated_start
cursor=$(journal_cursor)
expect_eq "$(mgr ClockSynchronized)" "b false" "ClockSynchronized"
wait_prop State 's "degraded"' 3000
ctl status | grep -qx 'clock: not synchronized (clock.untrusted = "refuse")' || hw_fail "qrgatectl status: $(ctl status)"
hw_pass "qrgatectl status says so"
code=$(mint --sub p-1 --ttl 100)
expect_eq "$(ctl submit "$code")" "denied clock-untrusted" "a valid code"
expect_value lock-relay 0 "lock-relay after the refusal"

hw_step "synchronized, as systemd-timesyncd leaves it after an NTP answer"
echo "kernel: $("$CLOCK_SYNC" synced)"
expect_eq "$(ntp)" "b true" "timedated's NTPSynchronized"
wait_prop ClockSynchronized "b true" 5000
wait_prop State 's "running"' 2000
journalctl --no-pager -o cat -u "$UNIT" --after-cursor="$cursor" >"$HW_TMP/journal"
grep -F "System clock synchronized (systemd-timedated)" "$HW_TMP/journal" ||
	hw_fail "no journal line: $(cat "$HW_TMP/journal")"
expect_eq "$(ctl submit "$code")" "granted" "the same code, not used up"
wait_value lock-relay 1 3000

hw_step "not synchronized again: trusted for the daemon's life"
echo "kernel: $("$CLOCK_SYNC" unsynced)"
expect_eq "$(ntp)" "b false" "timedated's NTPSynchronized"
hw_sleep_ms 3000 # longer than the daemon's poll
expect_eq "$(mgr ClockSynchronized)" "b true" "ClockSynchronized"

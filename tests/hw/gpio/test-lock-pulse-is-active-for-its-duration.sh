#!/bin/bash
# A valid code pulses the lock: the line goes active at once, stays active for the pulse, and is
# back at its locked level after it. The duration is measured on gpio-sim's value, not taken
# from the program's replies.
. "$HW_LIB"
sim_create
PULSE_MS=1000
# TCG on a shared machine stalls now and then: a late end is tolerated up to here (a pulse
# twice too long still fails), an early one not at all.
LATE_MS=800

# A read during the pulse proves something only if it happened before the pulse's end; after
# a stall of the guest it is reported and skipped rather than failed.
expect_active_during_pulse() {
	local v
	v=$(sim_value lock-relay)
	if [ $(($(now_ms) - start)) -ge $((PULSE_MS - 50)) ]; then
		echo "skipped: '$1' read too late ($(($(now_ms) - start)) ms into the pulse)"
		return 0
	fi
	expect_eq "$v" 1 "$1 (lock-relay value)"
}

ld_start --line-name lock-relay
expect_value lock-relay 0 "locked before the pulse"

hw_step "pulse $PULSE_MS ms"
start=$(now_ms)
echo "pulse $PULSE_MS" >&"$LD_IN"
ld_read
expect_eq "$LD_REPLY" "ok unlocked" "reply at the pulse's start"
expect_active_during_pulse "active at the pulse's start"
hw_sleep_ms $((PULSE_MS / 2))
expect_active_during_pulse "active in the middle of the pulse"
wait_value lock-relay 0 $((PULSE_MS + LATE_MS))
active=$(($(now_ms) - start))
echo "active for $active ms (measured from before the command to the first 0 read)"
[ "$active" -ge $((PULSE_MS - 20)) ] || hw_fail "pulse ended after $active ms, before $PULSE_MS ms"
[ "$active" -le $((PULSE_MS + LATE_MS)) ] || hw_fail "pulse lasted $active ms, more than $PULSE_MS + $LATE_MS ms"
hw_pass "active for ${active} ms of a ${PULSE_MS} ms pulse"
ld_read
expect_eq "$LD_REPLY" "ok locked" "reply at the pulse's end"
expect_value lock-relay 0 "locked after the pulse"

hw_step "a second pulse, cut short by an explicit lock"
ld_cmd "pulse 5000" "ok unlocked"
expect_value lock-relay 1 "active during the second pulse"
ld_cmd "lock" "ok locked"
expect_value lock-relay 0 "locked at once by the lock command"
ld_stop TERM

#!/bin/bash
# `make bench-hw` only (not in groups.conf, so never part of check-hw): the door's latencies
# through qrgated on gpio-sim lines, measured in the guest by $HW_BUILD/hw/door-bench
# (tests/hw/door-bench.c says what each figure spans): door_alarm (contact edge by the sim pull
# to AlarmRaised on the bus), door_relock (contact closing to the kernel's set of the lock line
# to inactive) and e2e_lock (code written to the scanner FIFO to the set to active) in the same
# run. debounce_ms is 0: a configured debounce adds itself to the first two by design.
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
COUNT=100
sim_create
trap door_cleanup EXIT
door_setup 60000 "debounce_ms = 0; held_open_s = 600;"
# A code every round is faster than a person: lift the source's rate limit, as bench-e2e does.
sed -i 's|door = "main"; } );|door = "main"; max_rate = 1000; } );|' "$T/qrgate.conf"
grep -q 'max_rate = 1000' "$T/qrgate.conf" || hw_fail "could not lift the source's max_rate"
sim_pull door-contact down
sim_pull exit-button down
start_daemon
expect_value lock-relay 0 "lock-relay at start"
gpio=$(sim_gpio_number lock-relay)
gpio_trace_start
echo "gpio == $gpio" >$HW_TRACE/events/gpio/gpio_value/filter
hw_step "$COUNT rounds of forced open, grant, open and close ($HW_LIBGPIOD, qrgated $QRGATED)"
"$HW_BUILD/hw/door-bench" "$ADDR" "$T/city.key" "${SIM_PATH[door-contact]}/pull" "$T/scan0" "$gpio" "$COUNT" \
	>"$T/figures" || { tail -n 30 "$T/daemon.log"; hw_fail "door-bench failed"; }
cat "$T/figures"
echo 0 >$HW_TRACE/events/gpio/gpio_value/filter
grep -q '^e2e_lock_p99_us=' "$T/figures" || hw_fail "door-bench printed no figures"
expect_eq "$(count_log 'alarm forced-open raised')" "$COUNT" "forced-open alarms raised"
sed "s/^/bench-hw[$HW_LIBGPIOD] /" "$T/figures"

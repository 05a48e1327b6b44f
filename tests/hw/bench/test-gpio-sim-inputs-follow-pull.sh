#!/bin/bash
# The bench drives inputs (door contact, exit button) by gpio-sim's pull; a process reading
# them through the character device sees the level and the edges. The daemon's input tests
# will rely on this.
. "$HW_LIB"
sim_create

hw_step "door-contact level through the character device"
sim_pull door-contact up
expect_eq "$(gpioget "$SIM_DOOR_CHIP" 0)" 1 "gpioget after pull-up"
sim_pull door-contact down
expect_eq "$(gpioget "$SIM_DOOR_CHIP" 0)" 0 "gpioget after pull-down"

hw_step "exit-button edge event"
gpiomon --num-events=1 --rising-edge "$SIM_DOOR_CHIP" 1 >"$HW_TMP/mon" 2>&1 &
mon=$!
# gpiomon requests the line before it waits; wait until the kernel shows it as used.
for _ in $(seq 500); do
	gpioinfo "$SIM_DOOR_CHIP" | grep -q '"exit-button" *"gpiomon"' && break
	hw_sleep_ms 20
done
sim_pull exit-button up
for _ in $(seq 500); do kill -0 $mon 2>/dev/null || break; hw_sleep_ms 20; done
kill $mon 2>/dev/null && hw_fail "no edge seen by gpiomon"
wait $mon || true
cat "$HW_TMP/mon"
grep -q 'RISING EDGE' "$HW_TMP/mon" || hw_fail "gpiomon reported no rising edge"
hw_pass "rising edge on exit-button"

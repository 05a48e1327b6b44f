#!/bin/bash
# The lock line can be named by line name alone (searched on every chip: lock-relay sits on the
# second chip), by line name on a chip, or by offset on a chip given by label, name or path. In
# every case unlocking drives lock-relay and no other line of either chip.
. "$HW_LIB"
sim_create

check_way() {
	hw_step "lock line given as: $*"
	ld_start "$@"
	expect_value lock-relay 0 "locked after open"
	ld_cmd unlock "ok unlocked"
	expect_value lock-relay 1 "unlocked"
	expect_others_untouched lock-relay
	ld_cmd lock "ok locked"
	expect_value lock-relay 0 "locked again"
	ld_stop TERM
}

check_way --line-name lock-relay
check_way --chip "$SIM_DOOR_LABEL" --line-name lock-relay
check_way --chip "$SIM_DOOR_LABEL" --offset 4
check_way --chip "$SIM_DOOR_CHIP" --offset 4
check_way --chip "/dev/$SIM_DOOR_CHIP" --offset 4

hw_step "another line by name (led-green, offset 2) drives that line only"
ld_start --line-name led-green
ld_cmd unlock "ok unlocked"
expect_value led-green 1 "led-green driven"
expect_others_untouched led-green
ld_stop TERM

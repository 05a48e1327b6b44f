#!/bin/bash
# active_low on an input: the low electrical level is the active one, from the level read at
# open to the edges (the kernel inverts them: GPIO_V2_LINE_FLAG_ACTIVE_LOW in 2.x,
# GPIOHANDLE_REQUEST_ACTIVE_LOW in 1.x).
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT

sim_pull exit-button down
iw_start --line-name exit-button --active-low --debounce-ms 0
expect_eq "$IW_REPLY" "ready 1" "active at open (pull down, active low)"
sim_pull exit-button up
iw_until "level 0" 5000
sim_pull exit-button down
iw_until "level 1" 5000
iw_stop

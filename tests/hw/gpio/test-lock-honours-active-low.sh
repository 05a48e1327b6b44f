#!/bin/bash
# With active-low, "locked" is the high level and "unlocked" the low one, at open, on set and
# during a pulse; the inversion is the kernel's (the request's active-low flag).
. "$HW_LIB"
sim_create

hw_step "active-low by offset"
sim_pull lock-relay down
ld_start --chip "$SIM_DOOR_LABEL" --offset 4 --active-low
expect_value lock-relay 1 "safe (locked) level of an active-low line after open"
ld_cmd unlock "ok unlocked"
expect_value lock-relay 0 "unlocked active-low line"
ld_cmd lock "ok locked"
expect_value lock-relay 1 "locked again"
ld_cmd "pulse 300" "ok unlocked"
ld_read
expect_eq "$LD_REPLY" "ok locked" "reply at the pulse's end"
expect_value lock-relay 1 "active-low line after the pulse"
ld_cmd "pulse 10000" "ok unlocked"
expect_value lock-relay 0 "active-low line during a pulse"
ld_cmd lock "ok locked"
expect_value lock-relay 1 "active-low line locked again"
ld_stop TERM

hw_step "active-low by name, fail-safe: the safe state is unlocked, so low"
sim_pull lock-relay up
ld_start --line-name lock-relay --active-low --safe unlocked
expect_value lock-relay 0 "safe (unlocked) level of an active-low line after open"
ld_cmd lock "ok locked"
expect_value lock-relay 1 "locked active-low line"
ld_stop TERM

#!/bin/bash
# Opening the lock drives its safe level at once. The line is first pulled to the other level,
# so that only the backend's request can explain what gpio-sim then reports.
. "$HW_LIB"
sim_create

hw_step "fail-secure (safe = locked), active-high: locked is low"
sim_pull lock-relay up
expect_value lock-relay 1 "pull-up before the lock opens"
ld_start --line-name lock-relay
expect_eq "$LD_REPLY" "ready locked" "lock-drive's state after open"
expect_value lock-relay 0 "safe level right after open"
ld_stop TERM

hw_step "fail-safe (safe = unlocked), active-high: unlocked is high"
sim_pull lock-relay down
expect_value lock-relay 0 "pull-down before the lock opens"
ld_start --line-name lock-relay --safe unlocked
expect_eq "$LD_REPLY" "ready unlocked" "lock-drive's state after open"
expect_value lock-relay 1 "safe level right after open"
ld_stop TERM

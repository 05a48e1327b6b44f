#!/bin/bash
# The kernel's gpio_value trace records each level a process sets on a line, in order and with
# the process's name: the evidence the daemon's SIGKILL test needs, since gpio-sim forgets a
# released line's level (tests/hw/README.md).
. "$HW_LIB"
sim_create

gpio_trace_start
ld_start --line-name lock-relay
ld_cmd unlock "ok unlocked"
expect_value lock-relay 1 "unlocked"
ld_cmd lock "ok locked"
ld_cmd unlock "ok unlocked"
ld_stop TERM
gpio_trace_sets lock-relay | tee "$HW_TMP/sets"
expect_eq "$(awk '{ printf "%s", $3 }' "$HW_TMP/sets")" 01010 \
	"levels set on lock-relay: open, unlock, lock, unlock, safe state on TERM"
expect_eq "$(awk '{ sub(/-[0-9]+$/, "", $2); print $2 }' "$HW_TMP/sets" | sort -u)" lock-drive "task that set them"
expect_value lock-relay 0 "released line at its pull"

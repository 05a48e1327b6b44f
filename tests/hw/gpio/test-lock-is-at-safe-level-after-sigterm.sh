#!/bin/bash
# Ending the program (SIGTERM, SIGINT, end of input), even in the middle of a pulse, drives the
# safe level before the line is released.
#
# gpio-sim sets a released line back to its pull, so each case pulls the line to the unsafe
# level and keeps the request alive past the exit with line-hold: the value read afterwards is
# the one the program drove last. A control case shows that this can fail: after SIGKILL the
# line keeps the unlocked level.
. "$HW_LIB"
sim_create

# end_while_unlocked HOW UNSAFE-LEVEL SAFE-LEVEL START-ARGS...
end_while_unlocked() {
	local how=$1 unsafe=$2 safe=$3
	shift 3
	hw_step "$how while unlocked: $*"
	sim_pull lock-relay "$([ "$unsafe" = 1 ] && echo up || echo down)"
	ld_start "$@"
	ld_cmd unlock "ok unlocked"
	expect_value lock-relay "$unsafe" "unlocked"
	hold_start
	ld_stop "$how"
	expect_value lock-relay "$safe" "safe level after $how"
	hold_stop
	expect_value lock-relay "$unsafe" "released line back at its pull (gpio-sim)"
}

end_while_unlocked TERM 1 0 --line-name lock-relay
end_while_unlocked TERM 0 1 --line-name lock-relay --active-low
end_while_unlocked INT 1 0 --chip "$SIM_DOOR_LABEL" --offset 4
end_while_unlocked EOF 1 0 --line-name lock-relay

hw_step "TERM in the middle of a pulse"
sim_pull lock-relay up
ld_start --line-name lock-relay
ld_cmd "pulse 10000" "ok unlocked"
expect_value lock-relay 1 "active during the pulse"
hold_start
ld_stop TERM
expect_value lock-relay 0 "safe level after TERM during a pulse"
hold_stop

hw_step "control: SIGKILL leaves the line where it was (so the checks above can fail)"
ld_start --line-name lock-relay
ld_cmd unlock "ok unlocked"
hold_start
ld_kill
expect_value lock-relay 1 "still unlocked after SIGKILL while the request lives"
hold_stop

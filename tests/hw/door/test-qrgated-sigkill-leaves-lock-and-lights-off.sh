#!/bin/bash
# The reader's lights and buzzer on gpio-sim lines (led-green, led-red, and aux0 as the buzzer):
# off at start even when pulled on; a refusal lights red, a grant green; SIGKILL while unlocked
# with green on, while the door stands open after a grant, and during an alarm with red on, then `qrgated --safe-state` (the unit's
# ExecStopPost) sets the lock and every light and the buzzer to their safe (off) level — the
# kernel's trace shows the level qrgated set last on each line.
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT
door_setup 8000 "debounce_ms = 20; feedback = {
              green = { backend = \"gpiod\"; line_name = \"led-green\"; };
              red = { backend = \"gpiod\"; line_name = \"led-red\"; };
              buzzer = { backend = \"gpiod\"; line_name = \"aux0\"; };
              granted = \"gb:8000\"; denied = \"r:1500\"; alarm = \"rb:8000 -:100\"; };"
sim_pull door-contact down
sim_pull exit-button down

# safe_state_after_kill WHAT: SIGKILLs qrgated, runs the safety net, and checks the last level
# qrgated set on every output line after the kill.
safe_state_after_kill() {
	gpio_trace_start
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	local killed line last
	killed=$(uptime_s)
	"$QRGATED" --config "$T/qrgate.conf" --safe-state >"$T/safe-state.log" 2>&1 ||
		hw_fail "qrgated --safe-state failed: $(cat "$T/safe-state.log")"
	for line in lock-relay led-green led-red aux0; do
		gpio_trace_sets $line >"$T/sets"
		last=$(awk -v t="$killed" '$1 >= t && $2 ~ /^qrgated-/ { s = $3 } END { print s }' "$T/sets")
		expect_eq "$last" 0 "$line: last level set by qrgated --safe-state after SIGKILL $1"
	done
}

hw_step "every output off at start"
sim_pull led-green up
sim_pull led-red up
start_daemon
expect_value lock-relay 0 "lock-relay at start"
expect_value led-green 0 "led-green at start (pulled up)"
expect_value led-red 0 "led-red at start (pulled up)"

hw_step "a refusal lights red, a grant green and the buzzer"
scan "not-a-code"
wait_value led-red 1 5000
wait_value led-red 0 5000
scan "$(mint --sub p-1)"
wait_value lock-relay 1 5000
wait_value led-green 1 5000
expect_value aux0 1 "buzzer with the grant"

hw_step "SIGKILL while unlocked with green and the buzzer on"
safe_state_after_kill "while unlocked"

hw_step "SIGKILL while the door stands open after a grant"
start_daemon
scan "$(mint --sub p-2)"
wait_value lock-relay 1 5000
sim_pull door-contact up
# Past debounce_ms: the daemon holds the door as open (the relay stays until it closes).
sleep 0.5
expect_value lock-relay 1 "lock-relay while the door stands open"
safe_state_after_kill "while the door is open"
sim_pull door-contact down

hw_step "SIGKILL during an alarm with red on"
start_daemon
sim_pull door-contact up
wait_log "alarm forced-open raised" 5000
wait_value led-red 1 5000
safe_state_after_kill "during an alarm"

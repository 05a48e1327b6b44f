#!/bin/bash
# An interlock group on gpio-sim lines: doors "outer" (lock lock-relay, contact door-contact) and
# "inner" (lock aux1, contact aux2), both in interlock group "airlock". Two valid codes, one for
# each door, are submitted at the same moment by two `qrgatectl submit` running in parallel: one
# is granted, the other refused "interlock"; the kernel's gpio_value trace shows that only one of
# the two lock lines was ever set active. Then the granted door is opened and closed: its lock
# drops on close (relock), and the refused code (not used up) now opens the other door.
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT
door_setup 30000 ""
# door_setup's bus and issuer, with this test's two doors instead of its one.
cat >"$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "outer"; backend = "gpiod"; line_name = "lock-relay"; safe_state = "locked"; },
          { id = "inner"; backend = "gpiod"; line_name = "aux1"; safe_state = "locked"; } );
doors = ( { id = "outer"; lock = "outer"; unlock_ms = 30000; scopes = [ "building.A.enter" ]; interlock = "airlock";
            contact = { backend = "gpiod"; line_name = "door-contact"; }; debounce_ms = 20; },
          { id = "inner"; lock = "inner"; unlock_ms = 30000; scopes = [ "building.A.enter" ]; interlock = "airlock";
            contact = { backend = "gpiod"; line_name = "aux2"; }; debounce_ms = 20; } );
sources = ( { id = "scan0"; type = "fifo"; path = "$T/scan0"; door = "outer"; } );
clock: { untrusted = "accept"; };
CONF
declare -A CONTACT=([outer]=door-contact [inner]=aux2) LOCK=([outer]=lock-relay [inner]=aux1)
sim_pull door-contact down
sim_pull aux2 down
sim_pull lock-relay down
sim_pull aux1 down
start_daemon
expect_value lock-relay 0 "outer's lock at start"
expect_value aux1 0 "inner's lock at start"

submit() { "$HW_BUILD/qrgatectl" --bus "$ADDR" submit --door "$1" "$2" || true; }

hw_step "two codes presented together: one door opens, the other is refused"
code_outer=$(mint --sub p-il-1)
code_inner=$(mint --sub p-il-2)
gpio_trace_start
submit outer "$code_outer" >"$T/outer.out" 2>&1 &
a=$!
submit inner "$code_inner" >"$T/inner.out" 2>&1 &
b=$!
wait $a $b
echo "  outer: $(cat "$T/outer.out")"
echo "  inner: $(cat "$T/inner.out")"
outcomes=$(sort "$T/outer.out" "$T/inner.out" | tr '\n' ' ')
expect_eq "$outcomes" "denied interlock granted " "the two outcomes"
if [ "$(cat "$T/outer.out")" = granted ]; then first=outer second=inner code_second=$code_inner
else first=inner second=outer code_second=$code_outer; fi
wait_value "${LOCK[$first]}" 1 5000
hw_sleep_ms 500 # time for a wrong second unlock to show
expect_value "${LOCK[$second]}" 0 "$second's lock (refused)"
gpio_trace_sets "${LOCK[$first]}" | tee "$T/sets-first"
gpio_trace_sets "${LOCK[$second]}" | tee "$T/sets-second"
expect_eq "$(awk '$3 == 1' "$T/sets-first" | wc -l)" 1 "times $first's lock line was set active"
expect_eq "$(awk '$3 == 1' "$T/sets-second" | wc -l)" 0 "times $second's lock line was set active"
wait_log "door $second: denied interlock" 5000

hw_step "$first opened and closed: its lock drops on close; the refused code now opens $second"
expect_eq "$(submit "$second" "$code_second")" "denied interlock" "$second's code again while $first is unlocked"
sim_pull "${CONTACT[$first]}" up
hw_sleep_ms 300
expect_eq "$(submit "$second" "$code_second")" "denied interlock" "$second's code while $first stands open"
sim_pull "${CONTACT[$first]}" down
wait_value "${LOCK[$first]}" 0 5000
hw_pass "$first relocked on close (unlock_ms 30000)"
expect_eq "$(submit "$second" "$code_second")" granted "$second's refused code, once $first has closed"
wait_value "${LOCK[$second]}" 1 5000
expect_value "${LOCK[$first]}" 0 "$first's lock while $second is unlocked"
expect_eq "$(count_log 'alarm forced-open raised')" 0 "forced-open alarms (every opening was a valid passage)"

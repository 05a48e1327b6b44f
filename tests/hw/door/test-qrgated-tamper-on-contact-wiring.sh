#!/bin/bash
# A door contact wired twice on gpio-sim lines: contact on door-contact (pull up = open) and its
# normally-closed twin contact_nc on aux3 (pull up = closed). A sound closed door raises nothing;
# the twin line dropping (a cut cable: both inactive) raises tamper "lines-both-inactive" and its
# return clears it; the door opening and closing, both lines switching together, raises
# forced-open but no tamper; the contact line up while the twin stays up (a short: both active)
# raises tamper "lines-both-active" beside forced-open. The lock stays at its safe level all along.
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT
door_setup 8000 "debounce_ms = 50; contact_nc = { backend = \"gpiod\"; line_name = \"aux3\"; };"
sim_pull door-contact down
sim_pull aux3 up
sim_pull exit-button down
start_daemon
expect_value lock-relay 0 "lock-relay at start"

hw_step "a sound closed door: no tamper"
hw_sleep_ms 1000
expect_eq "$(count_log 'alarm tamper raised')" 0 "tamper alarms"

hw_step "the twin line cut: both inactive"
sim_pull aux3 down
wait_log "alarm tamper raised (lines-both-inactive)" 5000
sim_pull aux3 up
wait_log "alarm tamper cleared (lines-differ)" 5000

hw_step "the door opens and closes: both lines switch together"
sim_pull door-contact up; sim_pull aux3 down
wait_log "alarm forced-open raised (opened-while-locked)" 5000
sim_pull door-contact down; sim_pull aux3 up
wait_log "alarm forced-open cleared (closed)" 5000
hw_sleep_ms 500
expect_eq "$(count_log 'alarm tamper raised')" 1 "tamper alarms (only the cut)"

hw_step "a short: the contact line active while its twin says closed"
sim_pull door-contact up
wait_log "alarm tamper raised (lines-both-active)" 5000
sim_pull door-contact down
wait_until_count() { # TEXT N MS
	local start; start=$(now_ms)
	until [ "$(count_log "$1")" -ge "$2" ]; do
		[ $(($(now_ms) - start)) -lt "$3" ] || hw_fail "fewer than $2 '$1' within $3 ms"
		hw_sleep_ms 10
	done
}
wait_until_count "alarm tamper cleared (lines-differ)" 2 5000
expect_eq "$(count_log 'alarm forced-open raised')" 2 "forced-open alarms (the opening and the short)"
expect_value lock-relay 0 "lock-relay after it all"
"$HW_BUILD/qrgatectl" --bus "$ADDR" status | tee "$T/status"
grep -qx 'door main: locked' "$T/status" || hw_fail "qrgatectl status does not show the door locked and without alarms"
hw_pass "qrgatectl status: door main locked, no alarm"

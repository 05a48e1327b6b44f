#!/bin/bash
# The gpiod input backend with the shared software debouncer, on a real kernel (gpio-sim): the
# line's level at open, each edge the kernel reports, a level that holds debounce_ms counting
# once, and a burst of edges within debounce_ms that ends where it began counting not at all
# — while its edges did reach the program (so the burst was seen, and ignored on purpose).
. "$HW_LIB"
. "$HW_SRC/tests/hw/door/door-lib.sh"
sim_create
trap door_cleanup EXIT

sim_pull door-contact down
iw_start --line-name door-contact --debounce-ms 300
expect_eq "$IW_REPLY" "ready 0" "level at open (pull down)"

hw_step "an edge that holds counts once"
start=$(now_ms)
sim_pull door-contact up
iw_until "level 1" 5000
held=$(($(now_ms) - start))
[ "$held" -ge 300 ] || hw_fail "level counted after $held ms, before the 300 ms debounce"
hw_pass "level 1 after $held ms"

hw_step "a burst within the debounce time that ends where it began"
for pull in down up down up down up; do sim_pull door-contact $pull; done
iw_collect 1200
edges=$(printf '%s' "$IW_LINES" | grep -c '^edge' || true)
levels=$(printf '%s' "$IW_LINES" | grep -c '^level' || true)
# libgpiod 1.x's kernel interface (uAPI v1) reads the line's level in a threaded handler, so a
# fast burst may reach the program as fewer edges than pulls (one run showed 1 of 6); 2.x's
# reports each. What matters is that the burst was seen and changed nothing.
[ "$edges" -ge 1 ] || hw_fail "no edge of the burst reached the program"
expect_eq "$levels" 0 "debounced level changes after the burst ($edges edges)"

hw_step "the next real change still counts"
sim_pull door-contact down
iw_until "level 0" 5000
iw_stop

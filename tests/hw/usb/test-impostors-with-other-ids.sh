#!/bin/bash
# Keyboards that are not the configured scanner never reach the gate (1 of 2): 12 impostor
# keyboards, each a real USB device on dummy_hcd typing a valid code at scanner speed — other
# vendor:product ids, and the scanner's vendor with other products. None is opened (the journal
# has no "present" for it), the door never opens, nothing is granted; then the genuine scanner
# opens the door. (Without special HID drivers: the guest loads hid_generic only, so the ids are
# of vendors whose keyboards it drives.)
. "$HW_LIB"
. "$HW_SRC/tests/hw/usb/lib-usb.sh"
sim_create
trap usb_cleanup EXIT
usb_modules
bus_start
sim_pull lock-relay down
usb_config 'id = "scan"; type = "evdev"; usb = "05e0:1200"; serial_number = "GOOD-1";'
daemon_start
n=0
code=$(mint --sub p-impostor) # one valid code: if any impostor got through, the door would open
impostor() { # VID PID [SERIAL]
	n=$((n + 1))
	gadget_plug kbd "$1" "$2" "${3:-}"
	[ -n "$(usb_host_node input "$1" "$2")" ] || hw_fail "impostor $n: no event node"
	printf '%s\n' "$code" | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 0
	expect_stays_locked 200 "impostor $n ($1:$2${3:+ serial $3})"
	gadget_unplug
}

hw_step "keyboards with other ids"
for id in 413c:2113 046d:c31c 04d9:1603 1c4f:0002 045e:07b2 1209:0001 16c0:27db 2341:8036; do
	impostor "${id%:*}" "${id#*:}"
done
hw_step "the scanner's vendor, another product"
for pid in 1201 1000 0200 a200; do impostor 05e0 "$pid" GOOD-1; done
expect_eq "$n" 12 "impostors"
[ "$(log_count 'is present')" = 0 ] || hw_fail "an impostor was opened: $(grep 'is present' "$T/daemon.log")"
hw_pass "no impostor was opened"
expect_eq "$(grep -c 'granted' "$T/daemon.log" || true)" 0 "grants"

hw_step "the genuine scanner opens the door"
gadget_plug kbd 05e0 1200 GOOD-1
wait_log "Source scan: scanner 05e0:1200 serial GOOD-1 is present" 1000
printf '%s\n' "$code" | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 0
expect_opens 5000 "genuine scanner, the same code"

#!/bin/bash
# Keyboard-wedge scanners as real USB devices: a configfs HID keyboard gadget on dummy_hcd types
# codes like a scanner, into the real qrgated, whose door is a gpio-sim lock line.
#  - plugged in after the daemon started: picked up (Present true) within a second, no restart;
#  - a code typed in the US layout, and one by a second scanner set to German, open the door;
#  - the grab holds: a second reader of the scanner's event device sees nothing;
#  - unplugged: Present false, a fault (Faults), the journal and the audit log say so, the door
#    stays locked; plugged in again: read again within a second, the fault gone.
. "$HW_LIB"
. "$HW_SRC/tests/hw/usb/lib-usb.sh"
sim_create
trap usb_cleanup EXIT
usb_modules
bus_start
sim_pull lock-relay down

usb_config 'id = "us"; type = "evdev"; usb = "05e0:1200"; serial_number = "US-1"; layout = "us";' \
	'id = "de"; type = "evdev"; usb = "05e0:1300"; layout = "de";'
daemon_start
expect_eq "$(source_present us)" "b false" "the US scanner, not plugged in yet: Present"
expect_value lock-relay 0 "door locked at start"

hw_step "plugged in after start: picked up within a second"
t0=$(now_ms)
gadget_plug kbd 05e0 1200 US-1
wait_log "Source us: scanner 05e0:1200 serial US-1 is present" 1000
hw_pass "present after $(($(now_ms) - t0)) ms"
expect_eq "$(source_present us)" "b true" "Present"
node=$(usb_host_node input 05e0 1200)
[ -n "$node" ] || hw_fail "no event node for the gadget"

hw_step "a code typed by the US scanner opens the door; a second reader sees nothing (grab)"
timeout 3 cat "$node" >"$T/other-reader" &
reader=$!
hw_sleep_ms 200
mint --sub p-us | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 0
expect_opens 5000 "US layout"
wait "$reader" || true
expect_eq "$(stat -c %s "$T/other-reader")" 0 "bytes a second reader of $node got while the daemon holds it"
grep -q "us: door main: granted (QG1 code)" "$T/daemon.log" || hw_fail "no grant from source us in the log"
hw_pass "granted from source us"

hw_step "unplugged: absent, alarm, door locked"
t0=$(now_ms)
gadget_unplug
wait_log "Source us: scanner 05e0:1200 serial US-1 is absent: unplugged" 1000
hw_pass "absent after $(($(now_ms) - t0)) ms"
expect_eq "$(source_present us)" "b false" "Present after unplug"
manager_faults | grep -q 'source us: its scanner is absent' || hw_fail "Faults does not name the absent scanner: $(manager_faults)"
expect_value lock-relay 0 "door after unplug"

hw_step "a scanner set to German (QWERTZ/AltGr keys) opens the door"
gadget_plug kbd 05e0 1300
wait_log "Source de: scanner 05e0:1300 is present" 1000
mint --sub p-de | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" de 0
expect_opens 5000 "German layout"
gadget_unplug

hw_step "plugged in again: read again within a second, no restart"
t0=$(now_ms)
gadget_plug kbd 05e0 1200 US-1
for _ in $(seq 50); do
	[ "$(log_count 'Source us: scanner 05e0:1200 serial US-1 is present')" = 2 ] && break
	hw_sleep_ms 20
done
[ "$(log_count 'Source us: scanner 05e0:1200 serial US-1 is present')" = 2 ] || hw_fail "not present again within a second"
hw_pass "present again after $(($(now_ms) - t0)) ms"
! manager_faults | grep -q 'source us:' || hw_fail "Faults still names the scanner that is back: $(manager_faults)"
mint --sub p-again | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 0
expect_opens 5000 "after replug"
kill -0 "$DAEMON_PID" || hw_fail "the daemon is gone"
expect_eq "$(grep -c 'qrgated running' "$T/daemon.log")" 1 "daemon starts (no restart)"

hw_step "the audit log has the scanner alarm, raised and cleared"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || hw_fail "unclean exit"; DAEMON_PID=
"$HW_BUILD/qrgatectl" audit export "$T/state/audit" >"$T/export.jsonl"
grep -q '"state":"raised","kind":"scanner"' "$T/export.jsonl" || hw_fail "no raised scanner alarm"
grep -q '"state":"cleared","kind":"scanner"' "$T/export.jsonl" || hw_fail "no cleared scanner alarm"
hw_pass "scanner alarm raised and cleared in the audit log"

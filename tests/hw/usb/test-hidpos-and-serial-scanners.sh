#!/bin/bash
# A HID POS scanner (a HID gadget whose report descriptor is usage page 0x8C) and a CDC-ACM
# serial scanner (an ACM gadget: /dev/ttyACM0 on the host) as real USB devices feeding the real
# qrgated: a code in one report, a code split over several reports, a code ended by CR on the
# serial line each open the door; a HID keyboard with the HID POS source's identity is not read
# as one; the HID POS scanner and the serial scanner unplugged and plugged again are read again
# (serial: absent on the bus and in the journal, the "scanner" alarm raised and cleared in the
# audit log, present again within a second, no restart).
. "$HW_LIB"
. "$HW_SRC/tests/hw/usb/lib-usb.sh"
sim_create
trap usb_cleanup EXIT
usb_modules
bus_start
sim_pull lock-relay down

# The ACM gadget first, to know its tty before the configuration names it.
gadget_plug acm 0525 a4a7 ACM-1
tty=$(usb_host_node tty 0525 a4a7)
[ -n "$tty" ] || hw_fail "no ttyACM for the ACM gadget"
hw_pass "CDC-ACM scanner at $tty"
usb_config "id = \"ser\"; type = \"serial\"; path = \"$tty\"; speed = 115200; terminator = \"cr\";" \
	'id = "pos"; type = "hidpos"; usb = "0c2e:0b61";'
daemon_start

hw_step "a code ended by CR from the serial scanner"
printf '%s\r' "$(mint --sub p-serial)" >"$GADGET_DEV"
expect_opens 5000 "serial scanner"

hw_step "serial unplugged (the ACM gadget unbound): absent, door locked"
t0=$(now_ms)
gadget_unbind
wait_log "Source ser: scanner $tty is absent: unplugged" 1000
hw_pass "absent after $(($(now_ms) - t0)) ms"
expect_eq "$(source_present ser)" "b false" "Present after unplug"
expect_value lock-relay 0 "door after unplug"

hw_step "serial plugged in again (rebound): read again within a second, no restart"
t0=$(now_ms)
gadget_rebind
for _ in $(seq 50); do
	[ "$(log_count "Source ser: scanner $tty is present")" = 2 ] && break
	hw_sleep_ms 20
done
[ "$(log_count "Source ser: scanner $tty is present")" = 2 ] || hw_fail "not present again within a second"
hw_pass "present again after $(($(now_ms) - t0)) ms"
expect_eq "$(source_present ser)" "b true" "Present after replug"
printf '%s\r' "$(mint --sub p-serial2)" >"$GADGET_DEV"
expect_opens 5000 "serial scanner after replug"
gadget_unplug

hw_step "a keyboard with the HID POS scanner's identity is not opened as one"
gadget_plug kbd 0c2e 0b61
hw_sleep_ms 500
[ "$(log_count 'Source pos: scanner 0c2e:0b61 is present')" = 0 ] || hw_fail "the keyboard was opened as HID POS"
hw_pass "not opened"
gadget_unplug

hw_step "HID POS: a code in reports of 56 bytes, with ]Q1, joined"
gadget_plug pos 0c2e 0b61
wait_log "Source pos: scanner 0c2e:0b61 is present" 1000
mint --sub p-pos | timeout 30 "$HW_BUILD/hw/hid-feed" pos "$GADGET_DEV" ']Q1'
expect_opens 5000 "HID POS scanner"

hw_step "HID POS unplugged and plugged again"
gadget_unplug
wait_log "Source pos: scanner 0c2e:0b61 is absent: unplugged" 1000
gadget_plug pos 0c2e 0b61
hw_sleep_ms 100
for i in $(seq 50); do [ "$(log_count 'Source pos: scanner 0c2e:0b61 is present')" = 2 ] && break; hw_sleep_ms 20; done
[ "$(log_count 'Source pos: scanner 0c2e:0b61 is present')" = 2 ] || hw_fail "not present again"
mint --sub p-pos2 | timeout 30 "$HW_BUILD/hw/hid-feed" pos "$GADGET_DEV" ']Q1'
expect_opens 5000 "HID POS after replug"
kill -0 "$DAEMON_PID" || hw_fail "the daemon is gone"
expect_eq "$(grep -c 'qrgated running' "$T/daemon.log")" 1 "daemon starts (no restart)"

hw_step "the audit log has the serial scanner's alarm, raised and cleared"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || hw_fail "unclean exit"; DAEMON_PID=
"$HW_BUILD/qrgatectl" audit export "$T/state/audit" >"$T/export.jsonl"
grep -q "\"text\":\"source ser: scanner $tty absent: unplugged\",\"state\":\"raised\",\"kind\":\"scanner\"" "$T/export.jsonl" ||
	hw_fail "no raised scanner alarm for ser: $(grep 'source ser' "$T/export.jsonl")"
grep -q "\"text\":\"source ser: scanner $tty present\",\"state\":\"cleared\",\"kind\":\"scanner\"" "$T/export.jsonl" ||
	hw_fail "no cleared scanner alarm for ser: $(grep 'source ser' "$T/export.jsonl")"
hw_pass "serial scanner alarm raised and cleared in the audit log"

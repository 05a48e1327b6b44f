#!/bin/bash
# Devices that are not the configured scanner never reach the gate (2 of 2): 10 impostor
# keyboards with the scanner's own vendor:product — another serial number than the pinned one,
# or none; the right id in another USB port than the pinned one — each typing a valid code at
# scanner speed: none is opened, the door never opens. Then the genuine scanner's identity
# typing a valid code at human speed (20 characters a second), and keys after pauses: refused
# as typed-too-slowly with a "typing" alarm; the genuine scanner at its speed opens the door.
. "$HW_LIB"
. "$HW_SRC/tests/hw/usb/lib-usb.sh"
sim_create
trap usb_cleanup EXIT
usb_modules
bus_start
sim_pull lock-relay down

# Where a gadget lands on this bus: the port path the pinned source names is another one.
gadget_plug kbd 05e0 1400 PORT-1
node=$(usb_host_node input 05e0 1400)
[ -n "$node" ] || hw_fail "no event node"
p=$(readlink -f "/sys/class/input/${node##*/}/device"); while [ -n "$p" ] && [ ! -e "$p/idVendor" ]; do p=${p%/*}; done
port=${p##*/}
gadget_unplug
hw_pass "gadgets land on port $port"

usb_config 'id = "scan"; type = "evdev"; usb = "05e0:1200"; serial_number = "GOOD-1";' \
	"id = \"pinned\"; type = \"evdev\"; usb = \"05e0:1400\"; port = \"${port%-*}-9\";"
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

hw_step "the scanner's id, another serial number or none"
for serial in GOOD-2 good-1 GOOD-10 ""; do impostor 05e0 1200 "$serial"; done
hw_step "the pinned scanner's id in another port"
for serial in A B C D E F; do impostor 05e0 1400 "$serial"; done
expect_eq "$n" 10 "impostors"
[ "$(log_count 'is present')" = 0 ] || hw_fail "an impostor was opened: $(grep 'is present' "$T/daemon.log")"
hw_pass "no impostor was opened"
expect_eq "$(grep -c 'granted' "$T/daemon.log" || true)" 0 "grants"

hw_step "the genuine scanner's identity, typed at human speed"
gadget_plug kbd 05e0 1200 GOOD-1
wait_log "Source scan: scanner 05e0:1200 serial GOOD-1 is present" 1000
mint --sub p-slow | timeout 60 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 50 # 20 characters a second
wait_log "denied typed-too-slowly" 3000
expect_value lock-relay 0 "door after a valid code typed at 20 characters a second"
wait_log "a line was typed at human speed, not scanned" 100
printf 'ABC\n' | timeout 10 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 300 # each key after a pause
hw_sleep_ms 500
expect_value lock-relay 0 "door after keys typed with pauses"

hw_step "the genuine scanner at its own speed opens the door"
printf '%s\n' "$code" | timeout 30 "$HW_BUILD/hw/hid-feed" kbd "$GADGET_DEV" us 0
expect_opens 5000 "genuine scanner"
# The refusals of the paused keys repeat the first one: coalesced into one journal line with
# their count, written when the grant ended the run (daemon/coalesce.h).
wait_log "scan: door main: 3 more lines refused (typed-too-slowly)" 1000
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || hw_fail "unclean exit"; DAEMON_PID=
"$HW_BUILD/qrgatectl" audit export "$T/state/audit" >"$T/export.jsonl"
grep -q '"state":"raised","kind":"typing"' "$T/export.jsonl" || hw_fail "no typing alarm in the audit log"
hw_pass "typing alarm in the audit log"

#!/bin/bash
# `make bench-hw` only (not in groups.conf): a code from each kind of USB scanner to the lock line
# through qrgated, in the guest, on real USB devices (one composite gadget on dummy_hcd: a boot
# keyboard, a HID POS scanner and a CDC-ACM port), measured by $HW_BUILD/hw/scan-bench
# (tests/hw/usb/scan-bench.c says what each figure spans: from right before the write of the
# last report or byte to the kernel's gpio_value set of the lock line, and the daemon's parts of
# it: from its wake-up by the scanner's data, and from its read of it); beside them verify_us
# (bench-verify in the same guest, the same run), the ratios, and the daemon's RSS and context
# switches over 5 s idle (as tests/bench/bench-e2e.c counts them) with the three scanners
# configured and none attached, then all three attached, the clock synchronized.
. "$HW_LIB"
. "$HW_SRC/tests/hw/usb/lib-usb.sh"
COUNT=100
sim_create
trap usb_cleanup EXIT
usb_modules
bus_start
sim_pull lock-relay down
label="bench-hw[$HW_LIBGPIOD]"

# The composite gadget: three functions of one USB device (hidg0 keyboard, hidg1 HID POS,
# ttyGS0 ACM), so that the three sources are attached at once (dummy_udc.0 takes one gadget).
plug_three() {
	local g=$GADGET_ROOT/qrgate-$$ f
	mkdir "$g"; GADGET=$g
	echo 0x0c2e >"$g/idVendor"; echo 0x0b61 >"$g/idProduct"; echo 0x0200 >"$g/bcdUSB"
	mkdir "$g/strings/0x409" "$g/configs/c.1"
	echo "qrgate-hw" >"$g/strings/0x409/manufacturer"; echo "scanners" >"$g/strings/0x409/product"
	f=$g/functions/hid.usb0; mkdir "$f"
	echo 1 >"$f/protocol"; echo 1 >"$f/subclass"; echo 8 >"$f/report_length"; printf "$KBD_DESC" >"$f/report_desc"
	ln -s "$f" "$g/configs/c.1/"
	f=$g/functions/hid.usb1; mkdir "$f"
	echo 0 >"$f/protocol"; echo 0 >"$f/subclass"; echo 64 >"$f/report_length"; printf "$POS_DESC" >"$f/report_desc"
	ln -s "$f" "$g/configs/c.1/"
	f=$g/functions/acm.usb0; mkdir "$f"
	ln -s "$f" "$g/configs/c.1/"
	echo dummy_udc.0 >"$g/UDC"
	KBD_DEV=/dev/$(sed -n 's/^DEVNAME=//p' "/sys/dev/char/$(cat "$g/functions/hid.usb0/dev")/uevent")
	POS_DEV=/dev/$(sed -n 's/^DEVNAME=//p' "/sys/dev/char/$(cat "$g/functions/hid.usb1/dev")/uevent")
	ACM_DEV=/dev/ttyGS$(cat "$g/functions/acm.usb0/port_num")
}
unplug_three() {
	local g=$GADGET f
	[ -n "$g" ] || return 0
	echo "" >"$g/UDC" 2>/dev/null || true
	for f in "$g"/configs/c.1/*.usb*; do [ -L "$f" ] && rm "$f"; done
	rmdir "$g/configs/c.1" "$g"/functions/*.usb* "$g/strings/0x409" "$g" 2>/dev/null || true
	GADGET=
}
gadget_unplug() { unplug_three; }

# proc_field PID FIELD: the number after FIELD in /proc/PID/status.
proc_field() { awk -v f="$2" '$1 == f { print $2 }' "/proc/$1/status"; }
ctxt() { echo $(($(proc_field "$DAEMON_PID" voluntary_ctxt_switches:) + $(proc_field "$DAEMON_PID" nonvoluntary_ctxt_switches:))); }
idle_figures() { # NAME
	local c0 c1
	# Settled: in its first seconds the daemon still touches memory it set up at start (2 MB
	# of one anonymous mapping, with or without scanners), which made "none" look smaller.
	sleep 4
	c0=$(ctxt); sleep 5; c1=$(ctxt)
	echo "rss_kb_$1=$(proc_field "$DAEMON_PID" VmRSS:)" >>"$T/figures"
	echo "idle_ctxt_switches_5s_$1=$((c1 - c0))" >>"$T/figures"
	# Where the resident memory is, mapping by mapping (kB), for the log: what attaching adds.
	echo "--- resident memory by mapping ($1)"
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 ? $6 : "[anon]" } /^Rss:/ && $2 > 0 { rss[name] += $2 }
		END { for (n in rss) printf "%8d %s\n", rss[n], n }' "/proc/$DAEMON_PID/smaps" | sort -rn | head -12
}

usb_config 'id = "wedge"; type = "evdev"; usb = "0c2e:0b61"; max_rate = 1000;' \
	'id = "pos"; type = "hidpos"; usb = "0c2e:0b61"; max_rate = 1000;' \
	'id = "ser"; type = "serial"; path = "/dev/ttyACM0"; speed = 115200; terminator = "cr"; max_rate = 1000;'
sed -i 's/unlock_ms = 500;/unlock_ms = 100;/' "$T/qrgate.conf"
: >"$T/figures"

hw_step "verify_us: bench-verify in this guest"
"$HW_BUILD/bench/bench-verify" >"$T/verify" || hw_fail "bench-verify failed"
per_s=$(sed -n 's/^qg1_es256_per_s=//p' "$T/verify")
[ -n "$per_s" ] || hw_fail "no qg1_es256_per_s: $(cat "$T/verify")"
echo "verify_us=$(awk -v p="$per_s" 'BEGIN { printf "%.0f", 1e6 / p }')" >>"$T/figures"
cold=$(sed -n 's/^qg1_es256_cold_us=//p' "$T/verify")
[ -n "$cold" ] || hw_fail "no qg1_es256_cold_us: $(cat "$T/verify")"
echo "verify_cold_us=$cold" >>"$T/figures"

hw_step "codes: $COUNT per scanner"
for kind in wedge pos ser; do
	for i in $(seq "$COUNT"); do mint --sub "p-$kind-$i"; done >"$T/codes-$kind"
done

# Synchronized, as an appliance's clock is in service: while it is not, qrgated asks about it every
# CLOCK_POLL_SEC (daemon/clock.c), which is no scanner's doing.
"$HW_BUILD/hw/clock-sync" synced || hw_fail "clock-sync synced"
daemon_start
hw_step "idle with no scanner attached"
idle_figures none

hw_step "three scanners attached (one composite gadget)"
plug_three
for s in wedge pos ser; do
	for _ in $(seq 100); do [ "$(source_present $s)" = "b true" ] && break; hw_sleep_ms 20; done
	expect_eq "$(source_present $s)" "b true" "source $s present"
done
idle_figures three

gpio=$(sim_gpio_number lock-relay)
gpio_trace_start
echo "gpio == $gpio" >$HW_TRACE/events/gpio/gpio_value/filter
# The daemon's parts (scan-bench.c): its main thread's wake-ups and reads that returned data.
echo "pid == $DAEMON_PID" >$HW_TRACE/events/sched/sched_wakeup/filter
echo 1 >$HW_TRACE/events/sched/sched_wakeup/enable
echo "common_pid == $DAEMON_PID && ret > 0" >$HW_TRACE/events/syscalls/sys_exit_read/filter
echo 1 >$HW_TRACE/events/syscalls/sys_exit_read/enable
hw_step "$COUNT codes from each scanner to the lock line"
"$HW_BUILD/hw/scan-bench" kbd "$KBD_DEV" "$gpio" wedge <"$T/codes-wedge" >>"$T/figures" || hw_fail "scan-bench kbd"
"$HW_BUILD/hw/scan-bench" pos "$POS_DEV" "$gpio" hidpos <"$T/codes-pos" >>"$T/figures" || hw_fail "scan-bench pos"
"$HW_BUILD/hw/scan-bench" serial "$ACM_DEV" "$gpio" serial <"$T/codes-ser" >>"$T/figures" || hw_fail "scan-bench serial"
echo 0 >$HW_TRACE/events/gpio/gpio_value/filter
for e in sched/sched_wakeup syscalls/sys_exit_read; do
	echo 0 >$HW_TRACE/events/$e/enable
	echo 0 >$HW_TRACE/events/$e/filter
done

v=$(sed -n 's/^verify_us=//p' "$T/figures")
vc=$(sed -n 's/^verify_cold_us=//p' "$T/figures")
chars=$(head -n1 "$T/codes-wedge" | tr -d '\n' | wc -c)
for k in wedge hidpos serial; do
	p=$(sed -n "s/^scan_${k}_p99_us=//p" "$T/figures")
	echo "scan_${k}_p99_vs_verify=$(awk -v p="$p" -v v="$v" 'BEGIN { printf "%.2f", p / v }')" >>"$T/figures"
	for part in woken daemon; do
		p=$(sed -n "s/^scan_${k}_${part}_p99_us=//p" "$T/figures")
		echo "scan_${k}_${part}_p99_vs_verify=$(awk -v p="$p" -v v="$v" 'BEGIN { printf "%.2f", p / v }')" >>"$T/figures"
	done
	# The daemon's part beside one verification as the daemon meets it: after a sleep.
	p=$(sed -n "s/^scan_${k}_daemon_p50_us=//p" "$T/figures")
	echo "scan_${k}_daemon_p50_vs_verify_cold=$(awk -v p="$p" -v v="$vc" 'BEGIN { printf "%.2f", p / v }')" >>"$T/figures"
done
# The wedge's physical bound: a press and a release report a character, one report a USB
# poll (1 ms at the usual bInterval), so a code of CHARS characters takes >= 2*CHARS ms to type
# whatever the daemon does; the figure above starts at its last key.
echo "wedge_code_chars=$chars wedge_typing_bound_ms=$((2 * (chars + 1)))" >>"$T/figures"
cat "$T/figures"
sed "s/^/$label /" "$T/figures"

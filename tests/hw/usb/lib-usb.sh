# shellcheck shell=bash
# Helpers of the USB scanner tests (sourced after "$HW_LIB"): USB gadgets on dummy_hcd that are
# scanners, and the real qrgated on a private bus with a gpio-sim lock reading them.
#
# dummy_hcd has one device controller (dummy_udc.0): one gadget is plugged in at a time.
# The guest has no udev: the kernel's devtmpfs makes the nodes, and drivers that udev would
# load by modalias are loaded here.

usb_modules() {
	local m
	sim_modules
	for m in dummy_hcd libcomposite usb_f_hid usb_f_acm usbhid hid_generic evdev cdc_acm; do
		modprobe "$m" || hw_fail "modprobe $m"
	done
}

GADGET_ROOT=/sys/kernel/config/usb_gadget
# The boot keyboard report descriptor (Documentation/usb/gadget_hid.rst).
KBD_DESC='\x05\x01\x09\x06\xa1\x01\x05\x07\x19\xe0\x29\xe7\x15\x00\x25\x01\x75\x01\x95\x08\x81\x02\x95\x01\x75\x08\x81\x03\x95\x05\x75\x01\x05\x08\x19\x01\x29\x05\x91\x02\x95\x01\x75\x03\x91\x03\x95\x06\x75\x08\x15\x00\x25\x65\x05\x07\x19\x00\x29\x65\x81\x00\xc0'
# A HID POS barcode scanner: usage page 0x8C, usage 0x02 (Bar Code Scanner), input report 2 of
# 63 bytes after its id (hal/hidpos-report.h).
POS_DESC='\x06\x8c\x00\x09\x02\xa1\x01\x85\x02\x15\x00\x26\xff\x00\x75\x08\x95\x3f\x09\xfe\x81\x02\xc0'

GADGET=
# gadget_plug KIND VID PID [SERIAL]: builds a gadget (KIND kbd, pos or acm) with that identity
# and plugs it into dummy_udc.0; sets GADGET_DEV (the gadget side's /dev/hidgN or /dev/ttyGSN).
gadget_plug() {
	local kind=$1 vid=$2 pid=$3 serial=${4:-} g f dev
	g=$GADGET_ROOT/qrgate-$$
	mkdir "$g"
	GADGET=$g
	echo "0x$vid" >"$g/idVendor"
	echo "0x$pid" >"$g/idProduct"
	echo 0x0200 >"$g/bcdUSB"
	mkdir "$g/strings/0x409"
	echo "qrgate-hw" >"$g/strings/0x409/manufacturer"
	echo "scanner $kind" >"$g/strings/0x409/product"
	[ -z "$serial" ] || echo "$serial" >"$g/strings/0x409/serialnumber"
	mkdir "$g/configs/c.1"
	case $kind in
	kbd | pos)
		f=$g/functions/hid.usb0
		mkdir "$f"
		if [ "$kind" = kbd ]; then
			echo 1 >"$f/protocol"; echo 1 >"$f/subclass"; echo 8 >"$f/report_length"
			printf "$KBD_DESC" >"$f/report_desc"
		else
			echo 0 >"$f/protocol"; echo 0 >"$f/subclass"; echo 64 >"$f/report_length"
			printf "$POS_DESC" >"$f/report_desc"
		fi
		;;
	acm)
		f=$g/functions/acm.usb0
		mkdir "$f"
		;;
	esac
	ln -s "$f" "$g/configs/c.1/"
	echo dummy_udc.0 >"$g/UDC"
	if [ "$kind" = acm ]; then
		dev=/dev/ttyGS$(cat "$f/port_num")
	else
		dev=/dev/$(sed -n 's/^DEVNAME=//p' "/sys/dev/char/$(cat "$f/dev")/uevent")
	fi
	GADGET_DEV=$dev
	local i
	for i in $(seq 250); do [ -c "$dev" ] && return 0; hw_sleep_ms 20; done
	hw_fail "gadget node $dev did not appear"
}

# gadget_unplug: unbinds the gadget from the controller and removes it.
gadget_unplug() {
	local g=$GADGET f
	[ -n "$g" ] || return 0
	echo "" >"$g/UDC" 2>/dev/null || true
	for f in "$g"/configs/c.1/*.usb0; do [ -L "$f" ] && rm "$f"; done
	rmdir "$g/configs/c.1" "$g"/functions/*.usb0 "$g/strings/0x409" "$g" 2>/dev/null || true
	GADGET=
}

# gadget_unbind / gadget_rebind: the plugged gadget leaves dummy_udc.0 (the host sees the device
# unplugged) and comes back with the same identity on the same port (plugged in again).
gadget_unbind() { echo "" >"$GADGET/UDC"; }
gadget_rebind() { echo dummy_udc.0 >"$GADGET/UDC"; }

# usb_host_node SUBSYSTEM VID PID: the host-side node (/dev/input/eventN, /dev/hidrawN,
# /dev/ttyACMN) of the plugged gadget, waiting up to 5 s for it; "" when none.
usb_host_node() {
	local sub=$1 vid=$2 pid=$3 i d p
	for i in $(seq 250); do
		for d in /sys/class/"$sub"/*; do
			[ -e "$d/dev" ] || continue
			case $sub/${d##*/} in input/event* | tty/ttyACM* | hidraw/*) ;; *) continue ;; esac
			p=$(readlink -f "$d/device")
			while [ -n "$p" ] && [ ! -e "$p/idVendor" ]; do p=${p%/*}; done
			[ -e "$p/idVendor" ] && [ "$(cat "$p/idVendor")" = "$vid" ] && [ "$(cat "$p/idProduct")" = "$pid" ] || continue
			echo "/dev/$(sed -n 's/^DEVNAME=//p' "$d/uevent")"
			return 0
		done
		hw_sleep_ms 20
	done
	echo ""
}

# The daemon, on a private bus, its lock the gpio-sim line lock-relay.
T=$HW_TMP
ADDR=unix:path=$T/bus.sock
DAEMON_PID= BUS_PID=

usb_cleanup() {
	gadget_unplug
	[ -z "$DAEMON_PID" ] || kill -KILL "$DAEMON_PID" 2>/dev/null || true
	[ -z "$BUS_PID" ] || kill "$BUS_PID" 2>/dev/null || true
	[ ! -s "$T/daemon.log" ] || { echo "--- daemon log"; cat "$T/daemon.log"; }
	sim_destroy
}

bus_start() {
	cat >"$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>$ADDR</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/>
<allow receive_type="error"/><allow receive_type="signal"/></policy>
</busconfig>
CONF
	dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/bus.log" 2>&1 &
	BUS_PID=$!
	local i
	for i in $(seq 500); do [ -S "$T/bus.sock" ] && return 0; hw_sleep_ms 20; done
	hw_fail "dbus-daemon did not start: $(cat "$T/bus.log")"
}

"$HW_BUILD/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/city" >/dev/null
mint() { "$HW_BUILD/qrgate-issue" mint --key "$T/city.key" --kid k1 --iss city --scope building.A.enter "$@"; }

# usb_config SOURCES...: the configuration, each argument one source group's keys.
usb_config() {
	local src sep=""
	{
		echo "state_directory = \"$T/state\";"
		echo "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"$T/city.pub\"; } ); } );"
		echo "locks = ( { id = \"main\"; backend = \"gpiod\"; line_name = \"lock-relay\"; safe_state = \"locked\"; } );"
		echo "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 500; scopes = [ \"building.A.enter\" ]; } );"
		printf 'sources = ('
		for src in "$@"; do printf '%s\n  { %s door = "main"; }' "$sep" "$src"; sep=,; done
		echo ' );'
		echo 'clock: { untrusted = "accept"; };'
	} >"$T/qrgate.conf"
	"$HW_BUILD/qrgatectl" check-config "$T/qrgate.conf" >/dev/null || hw_fail "configuration refused"
}

daemon_start() {
	: >"$T/daemon.log"
	"$HW_BUILD/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" ${QRGATED_DEBUG:+--debug} >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for i in $(seq 1000); do
		grep -q '^<6>qrgated running' "$T/daemon.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		hw_sleep_ms 20
	done
	cat "$T/daemon.log" "$T/bus.log"
	hw_fail "qrgated did not come up"
}

# wait_log PATTERN MS: the daemon's log has a line matching PATTERN within MS.
wait_log() {
	local i
	for i in $(seq $(($2 / 20))); do grep -q -- "$1" "$T/daemon.log" && return 0; hw_sleep_ms 20; done
	hw_fail "no '$1' in the daemon's log within $2 ms"
}
log_count() { grep -c -- "$1" "$T/daemon.log" || true; }
source_present() {
	busctl --address="$ADDR" get-property io.qrgate.Gate1 "/io/qrgate/Gate1/source/$1" io.qrgate.Gate1.Source Present
}

# The manager's Faults (an absent scanner is one, daemon/faults.c).
manager_faults() {
	busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager Faults
}

# A code opens the door: lock-relay goes to 1 within MS, and back to 0.
expect_opens() {
	wait_value lock-relay 1 "$1"
	hw_pass "$2: the door opened"
	wait_value lock-relay 0 3000
}
# Nothing opens the door for MS.
expect_stays_locked() {
	local i
	for i in $(seq $(($1 / 20))); do
		[ "$(sim_value lock-relay)" = 0 ] || hw_fail "$2: the door opened"
		hw_sleep_ms 20
	done
	hw_pass "$2: the door stayed locked for $1 ms"
}

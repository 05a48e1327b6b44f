#!/bin/sh
# USB sources (evdev, hidpos, serial) whose scanner is not plugged in: the daemon starts, says
# each is absent and waits for it, raises the "scanner" alarm, keeps the door locked, and the
# other sources work; a serial path that is there and no terminal is an error said at start. (Real
# devices: tests/hw/usb/.)
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
sed -i "s|^sources = .*|sources = ( { id = \"scan0\"; type = \"fifo\"; path = \"$T/scan0\"; door = \"main\"; },\n  { id = \"wedge\"; type = \"evdev\"; usb = \"dead:beef\"; serial_number = \"NOPE\"; layout = \"de\"; door = \"main\"; },\n  { id = \"pos\"; type = \"hidpos\"; usb = \"dead:bee0\"; port = \"9-9.9\"; door = \"main\"; },\n  { id = \"ser\"; type = \"serial\"; path = \"$T/ttyACM9\"; door = \"main\"; } );|" "$T/qrgate.conf"
check "configuration with USB sources is valid" sh -c "'$B/qrgatectl' check-config '$T/qrgate.conf' > /dev/null"
start_bus permissive
start_daemon
wait_for 10 token_present || not_ok "token comes up"

check "the wedge scanner is said absent" grep -q "Source wedge: scanner dead:beef serial NOPE is absent; waiting for it" "$T/daemon.log"
check "the HID POS scanner is said absent" grep -q "Source pos: scanner dead:bee0 port 9-9.9 is absent; waiting for it" "$T/daemon.log"
check "the serial scanner is said absent" grep -q "Source ser: scanner $T/ttyACM9 is absent; waiting for it" "$T/daemon.log"
expect "door locked" 's "locked"' "$(lock_state)"
src_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 "/io/qrgate/Gate1/source/$1" io.qrgate.Gate1.Source "$2" 2>&1; }
expect "the wedge source's Present is false" "b false" "$(src_prop wedge Present)"
expect "the HID POS source's Present is false" "b false" "$(src_prop pos Present)"
expect "the serial source's Present is false" "b false" "$(src_prop ser Present)"
expect "the FIFO source's Present is true" "b true" "$(src_prop scan0 Present)"
expect "a source's Type" 's "evdev"' "$(src_prop wedge Type)"
expect "a source's Door" 's "main"' "$(src_prop pos Door)"
check "the source objects are listed" sh -c "busctl --address='$ADDR' tree io.qrgate.Gate1 | grep -q '/io/qrgate/Gate1/source/wedge'"
ctl watch > "$T/watch" 2>"$T/watch.err" &
for _ in $(seq 100); do [ -s "$T/watch.err" ] && break; sleep 0.05; done
mint --sub p-usb --scope library.lend > "$T/scan0"
check "the FIFO source works" wait_for 5 grep -q "door=main granted ok" "$T/watch"
check "daemon still running" kill -0 "$DAEMON_PID"
check "clean exit on SIGTERM" stop_daemon
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
check "the scanner alarm is in the audit log" \
	grep -q '"text":"source wedge: scanner dead:beef serial NOPE absent at start","state":"raised","kind":"scanner"' "$T/export.jsonl"
check "the serial scanner's alarm is in the audit log" \
	grep -q "\"text\":\"source ser: scanner $T/ttyACM9 absent at start\",\"state\":\"raised\",\"kind\":\"scanner\"" "$T/export.jsonl"

# A regular file where the serial scanner's node should be: a mistake in the configuration, said
# at start (plugging will not make it a terminal); that source is not read, the others are.
: > "$T/ttyACM9"
: > "$T/daemon.log"
start_daemon
check "a serial path that is no terminal is said at start" grep -q "Source ser: serial $T/ttyACM9 exists and is not a terminal" "$T/daemon.log"
check "and not waited for" sh -c "! grep -q 'Source ser: scanner .* is absent' '$T/daemon.log'"
expect "the FIFO source is read" "b true" "$(src_prop scan0 Present)"
check "clean exit on SIGTERM" stop_daemon
finish

#!/bin/sh
# A serial scanner source (type "serial": a CDC-ACM tty through termios; here a pseudo-terminal
# fed by tests/integration/pty-scanner.c) beside the FIFO source: codes ended by CR are decided,
# binary bytes and over-long lines get their reasons, a flood on the serial scanner is rate-limited
# while the FIFO source keeps working, and an unplugged scanner is absent (journal, Present, State
# degraded with a fault naming it, the "scanner" alarm in the audit log) while the daemon keeps running. Plugged in again is proven on
# a real CDC-ACM device (tests/hw/usb/test-hidpos-and-serial-scanners.sh): a pseudo-terminal
# makes no uevent.
. "$(dirname "$0")/lib.sh"

start_pty_scanner

make_issuer
MAX_RATE=5 write_config "$T/qrgate.conf"
sed -i "s|^sources = .*|sources = ( { id = \"scan0\"; type = \"fifo\"; path = \"$T/scan0\"; door = \"main\"; },\n  { id = \"ser0\"; type = \"serial\"; path = \"$TTY\"; speed = 115200; door = \"main\"; max_rate = 5; } );|" "$T/qrgate.conf"
check "configuration with a serial source is valid" sh -c "'$B/qrgatectl' check-config '$T/qrgate.conf' > /dev/null"
start_bus permissive
start_daemon
wait_for 10 token_present || not_ok "token comes up"

ctl watch > "$T/watch" 2>"$T/watch.err" &
for _ in $(seq 100); do [ -s "$T/watch.err" ] && break; sleep 0.05; done
# The scanner's input, opened last: no process started before holds it, so its EOF is the unplug.
exec 3> "$T/ser.in"
count() { grep -c "$1" "$T/watch"; }
has() { grep -q "$1" "$T/watch"; }

printf '%s\r' "$(mint --sub p-serial --scope library.lend)" >&3
check "a code ended by CR on the serial scanner is granted" wait_for 5 has "door=main granted ok"

printf '\001\002\377\376binary\r' >&3
check "binary bytes are refused" wait_for 5 has "door=main denied unsupported-format"

head -c 9000 /dev/zero | tr '\0' 'A' >&3; printf '\r' >&3
check "a 9000-byte line is refused as too long" wait_for 5 has "door=main denied too-long"

# The serial scanner floods: 200 lines at once. Its own rate limit takes them; the FIFO source's
# code, written in the middle, is still decided.
sleep 2.5 # a full bucket again
for i in $(seq 200); do printf 'FLOOD%d\r' "$i"; done >&3
mint --sub p-fifo --scope library.lend > "$T/scan0"
check "the flood is rate-limited" wait_for 5 has "door=main denied rate-limited"
check "the FIFO source's code is granted during the flood" wait_for 5 sh -c "[ \$(grep -c 'door=main granted ok' '$T/watch') -ge 2 ]"
sleep 0.5
check "most of the flood was counted, not decided" test "$(count 'door=main denied')" -lt 40
check "journal says lines were dropped" grep -q "Source ser0: more than 5 lines a second" "$T/daemon.log"

expect "State is running while both scanners are there" 's "running"' "$(mgr_prop State)"
# Unplugged: the scanner's end goes away. The daemon says so and keeps serving the FIFO.
exec 3>&-
sleep 0.5
check "unplug is logged" wait_for 5 grep -q "Source ser0: scanner $TTY is absent: unplugged; waiting for it" "$T/daemon.log"
expect "the serial source's Present is false" "b false" \
	"$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/source/ser0 io.qrgate.Gate1.Source Present 2>&1)"
expect "the FIFO source's Present is still true" "b true" \
	"$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/source/scan0 io.qrgate.Gate1.Source Present 2>&1)"
expect "State is degraded while it is absent" 's "degraded"' "$(mgr_prop State)"
check "Faults names the absent scanner and its door" sh -c "busctl --address='$ADDR' get-property io.qrgate.Gate1 \
	/io/qrgate/Gate1 io.qrgate.Gate1.Manager Faults | grep -q 'source ser0: its scanner is absent: door main reads no codes'"
check "daemon still running" kill -0 "$DAEMON_PID"
sleep 2.5
mint --sub p-fifo2 --scope library.lend > "$T/scan0"
check "the FIFO source still works" wait_for 5 sh -c "[ \$(grep -c 'door=main granted ok' '$T/watch') -ge 3 ]"
expect "door locked at the end" 's "locked"' "$(sleep 0.6; lock_state)"
check "clean exit on SIGTERM" stop_daemon
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
check "the scanner alarm is raised in the audit log" \
	grep -q "\"text\":\"source ser0: scanner $TTY absent: unplugged\",\"state\":\"raised\",\"kind\":\"scanner\"" "$T/export.jsonl"
finish

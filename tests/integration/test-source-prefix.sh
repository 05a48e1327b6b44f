#!/bin/sh
# A scanner's prefix and AIM identifier (docs/scanners.md): a serial scanner (a pseudo-terminal fed
# by tests/integration/pty-scanner.c) whose source has `prefix`: a code sent with the prefix is
# decided without it, one without the prefix is refused as missing-prefix; a QR code's AIM
# identifier (]Q1), after the prefix or from a FIFO source, is taken off; a line a backend marked
# damaged (ASCII SUB: a key without a character, dropped key presses) is refused with that cause;
# the daemon keeps running.
. "$(dirname "$0")/lib.sh"

start_pty_scanner

make_issuer
write_config "$T/qrgate.conf"
sed -i "s|^sources = .*|sources = ( { id = \"scan0\"; type = \"fifo\"; path = \"$T/scan0\"; door = \"main\"; },\n  { id = \"ser0\"; type = \"serial\"; path = \"$TTY\"; speed = 115200; door = \"main\"; prefix = \"#QR>\"; } );|" "$T/qrgate.conf"
check "configuration with a prefix is valid" sh -c "'$B/qrgatectl' check-config '$T/qrgate.conf' > /dev/null"
start_bus permissive
start_daemon

ctl watch > "$T/watch" 2>"$T/watch.err" &
for _ in $(seq 100); do [ -s "$T/watch.err" ] && break; sleep 0.05; done
exec 3> "$T/ser.in"
count() { grep -c "$1" "$T/watch"; }

printf '#QR>%s\r' "$(mint --sub p-1 --scope library.lend)" >&3
check "a code after the prefix is granted" wait_for 5 sh -c "[ \$(grep -c 'door=main granted ok' '$T/watch') -ge 1 ]"
sleep 0.6
printf '%s\r' "$(mint --sub p-2 --scope library.lend)" >&3
check "a code without the prefix is refused as missing-prefix" wait_for 5 grep -q "door=main denied missing-prefix" "$T/watch"
check "the journal says why" grep -q "does not begin with the scanner's prefix" "$T/daemon.log"
printf '#QR\r' >&3
check "a line shorter than the prefix is refused as missing-prefix" wait_for 5 sh -c "[ \$(grep -c 'denied missing-prefix' '$T/watch') -ge 2 ]"
printf '#QR>]Q1%s\r' "$(mint --sub p-3 --scope library.lend)" >&3
check "the prefix, then a QR code's AIM identifier: granted" wait_for 5 sh -c "[ \$(grep -c 'door=main granted ok' '$T/watch') -ge 2 ]"
sleep 0.6
printf ']Q1%s\n' "$(mint --sub p-4 --scope library.lend)" > "$T/scan0"
check "a QR code's AIM identifier from a FIFO source: granted" wait_for 5 sh -c "[ \$(grep -c 'door=main granted ok' '$T/watch') -ge 3 ]"
sleep 0.6
printf ']C1%s\n' "$(mint --sub p-5 --scope library.lend)" > "$T/scan0"
check "another symbology's identifier stays: unsupported-format" wait_for 5 grep -q "door=main denied unsupported-format" "$T/watch"
printf '#QR>QG1:ABC\032DEF\r' >&3
check "a damaged line is refused as bad-encoding" wait_for 5 grep -q "door=main denied bad-encoding" "$T/watch"
check "the journal says part of it was lost" grep -q "ser0: door main: denied bad-encoding: source ser0: part of the line was lost (.*broken report); scan again" "$T/daemon.log"
expect "grants in all" 3 "$(count 'granted ok')"
check "daemon still running" kill -0 "$DAEMON_PID"
expect "door locked at the end" 's "locked"' "$(sleep 0.6; lock_state)"
exec 3>&-
[ "$FAIL" -eq 0 ] || cat "$T/watch" >&2
check "clean exit on SIGTERM" stop_daemon
finish

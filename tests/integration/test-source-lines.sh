#!/bin/sh
# Lines from a FIFO source: a writer that leaves its line without a newline has it handled on
# its own after the source's idle timeout, not glued to the next writer's (two codes lost); a
# line written slowly but within the timeout stays one line.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
start_bus permissive
start_daemon
wait_for 10 token_present || not_ok "token comes up"

ctl watch > "$T/watch" 2>"$T/watch.err" &
for _ in $(seq 100); do [ -s "$T/watch.err" ] && break; sleep 0.05; done
decisions() { grep -c "door=main \(granted\|denied\)" "$T/watch"; }

# Writer 1 is killed after half a code; writer 2 writes a whole one 400 ms later.
code1=$(mint --sub p-half --scope library.lend)
printf '%s' "$code1" | head -c 40 > "$T/scan0"
sleep 0.4
mint --sub p-whole --scope library.lend > "$T/scan0"
check "two decisions, one for each writer" wait_for 5 sh -c "[ \$(grep -c 'door=main \(granted\|denied\)' '$T/watch') -ge 2 ]"
check "the half code is refused on its own" grep -q "denied malformed\|denied bad-encoding\|denied unsupported-format" "$T/watch"
check "the next writer's whole code is granted" grep -q "door=main granted ok" "$T/watch"

# A partial line with a CR before the pause, then a whole code: the same.
: > "$T/watch.mark"; n0=$(decisions)
printf 'garbage\r' > "$T/scan0"
sleep 0.4
mint --sub p-after-cr --scope library.lend > "$T/scan0"
check "CR-ended partial line and next code: two more decisions" wait_for 5 sh -c "[ \$(grep -c 'door=main \(granted\|denied\)' '$T/watch') -ge $((n0 + 2)) ]"
expect "two codes granted so far" 2 "$(grep -c 'door=main granted ok' "$T/watch")"

# A code delivered in three pieces 40 ms apart (under the 150 ms default) is one line.
n0=$(decisions)
code3=$(mint --sub p-slow --scope library.lend)
{ printf '%s' "$code3" | head -c 30; sleep 0.04; printf '%s' "$code3" | tail -c +31 | head -c 30; sleep 0.04
  printf '%s\n' "$code3" | tail -c +61; } > "$T/scan0"
check "pieces within the timeout: one decision" wait_for 5 sh -c "[ \$(grep -c 'door=main \(granted\|denied\)' '$T/watch') -ge $((n0 + 1)) ]"
sleep 0.3
expect "and it is a grant" 3 "$(grep -c 'door=main granted ok' "$T/watch")"
expect "no decision beyond it" "$((n0 + 1))" "$(decisions)"

check "daemon still running" kill -0 "$DAEMON_PID"
check "clean exit on SIGTERM" stop_daemon
finish

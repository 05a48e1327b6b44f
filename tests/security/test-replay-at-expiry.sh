#!/bin/sh
# A used code stays refused in its last valid second, and across a restart (issue 10, item 1).
# Found by a review: the verifier accepted a code at now == exp + skew while the replay cache
# had already dropped it, so a photo of a used code opened the door again in that second, as
# often as it was shown. The property test over skews and boundaries is
# tests/unit/test-replay-boundary.c; this drives the real daemon at the boundary.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
# No tolerance: the last acceptable second is exp itself.
write_config "$T/qrgate.conf" 'verifier: { clock_skew = 0; };'
start_bus permissive
# time(2), which the daemon reads, follows date(1)'s clock by up to a kernel tick at a second's
# edge: step well into the second.
until_second() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.05; done; sleep 0.1; }

now=$(date +%s)
exp=$((now + 4))
code=$(mint --sub p-1 --scope library.lend --iat "$now" --ttl 4)
start_daemon
expect "the code opens once" granted "$(ctl submit "$code")"
check "SIGTERM exits 0" stop_daemon
start_daemon
until_second "$exp"
expect "in its last second, after a restart: replayed" "denied replayed" "$(ctl submit "$code")"
expect "again in that second: replayed" "denied replayed" "$(ctl submit "$code")"
expect "and again" "denied replayed" "$(ctl submit "$code")"
until_second $((exp + 1))
expect "a second later: expired" "denied expired" "$(ctl submit "$code")"
finish

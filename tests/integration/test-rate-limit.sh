#!/bin/sh
# Rate limits through the real daemon on a private bus with a real SoftHSM2 token:
#   - per subject (policy.subject_rate = 2 a minute): the subject's third code is refused
#     rate-limited and not used up, while another subject's code in between is granted; a
#     replayed copy of the first code (refused) uses up none of the subject's openings;
#   - per SubmitCode caller (bus.max_rate): a flood from one uid is refused rate-limited after its
#     burst, reported once as a decision and once when it ends, and does not delay another
#     caller's code.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf" 'policy: { subject_rate = { max = 2; per = 60; }; };'
check "a configuration with a subject rate is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"
start_bus permissive
start_daemon
# Until the token's secret replaces the random one the buckets are emptied once; wait for it so
# the counts below are those of one secret.
check "the subject key comes from the token" wait_for 15 grep -q "Subject state: keyed by the token's secret" "$T/daemon.log"

a1=$(mint --sub p-1 --scope library.lend)
a2=$(mint --sub p-1 --scope library.lend)
a3=$(mint --sub p-1 --scope library.lend)
b1=$(mint --sub p-2 --scope library.lend)
expect "the subject's first code opens" "granted" "$(ctl submit "$a1")"
expect "its copy, replayed, is refused" "denied replayed" "$(ctl submit "$a1")"
expect "and again" "denied replayed" "$(ctl submit "$a1")"
expect "the replays used up none of its openings: the second code opens" "granted" "$(ctl submit "$a2")"
expect "the third within the minute is rate-limited" "denied rate-limited" "$(ctl submit "$a3")"
expect "another subject's code in between is granted" "granted" "$(ctl submit "$b1")"
expect "the third again: it was not used up, and is still rate-limited" "denied rate-limited" "$(ctl submit "$a3")"
check "the refusal says why and when" grep -q "denied rate-limited: this code's subject was let in 2 times within 60 s (policy.subject_rate); the next opening in [0-9]* s" "$T/daemon.log"
check "no subject is in the log" sh -c "! grep -q 'p-1' '$T/daemon.log'"

# SubmitCode, 1 a second for one caller (bursts of 2). root floods; uid 2 (an operator) is
# another caller with its own bucket.
sed -i 's|max_rate = 200; };|max_rate = 1; };|' "$T/qrgate.conf"
expect "reload with bus.max_rate = 1" "configuration reloaded" "$(ctl reload)"
sleep 2.1 # the burst full again
: > "$T/flood.out"
for i in $(seq 12); do ctl submit "not-a-code-$i" >> "$T/flood.out" 2>&1; done &
FLOOD=$!
c1=$(mint --sub p-3 --scope library.lend)
other=$(as_uid_operator dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 \
	io.qrgate.Gate1.Manager.SubmitCode string:main string:"$c1" 2>&1 | awk -F'"' '/string/ { printf "%s ", $2 }')
wait "$FLOOD"
expect "another caller's code during the flood is decided" "granted ok " "$other"
limited=$(grep -c "^denied rate-limited$" "$T/flood.out")
decided=$(grep -c "^denied unsupported-format$" "$T/flood.out")
check "the flood is refused rate-limited past its burst ($decided decided, $limited limited)" \
	test "$limited" -ge 6 -a "$decided" -ge 1 -a $((limited + decided)) -eq 12
expect "the first refusal of the flood is one decision, with the caller" 1 \
	"$(grep -c 'denied rate-limited: bus caller uid 0 submits more than 1 codes a second (bus.max_rate)' "$T/daemon.log")"
check "and a journal warning" grep -q "Bus: uid 0 submits more than 1 codes a second" "$T/daemon.log"
check "the flood's end is said with its count" wait_for 8 grep -q "Bus: SubmitCode callers within their rate again; $limited SubmitCode calls over 1 a second were refused" "$T/daemon.log"
expect "after the flood the caller is decided again" "denied unsupported-format" "$(ctl submit not-a-code)"
check "the audit log has the bus alarm raised and cleared" sh -c \
	"'$B/qrgatectl' audit export '$T/state/audit' 2>/dev/null | grep -c 'bus caller uid 0\|SubmitCode calls over' | grep -q '^[2-9]'"

check "qrgated stops cleanly" stop_daemon
finish

#!/bin/sh
# The token as the daemon sees it: a slow token must not slow the door, a pulled token degrades
# the gate without stopping it, and its return is noticed by itself. The token is SoftHSM2
# behind the fault-injection module (tests/pkcs11/fault-module.c).
. "$(dirname "$0")/lib.sh"

TOKEN_MODULE=$B/tests/pkcs11/libqrgate-fault.so
[ -e "$TOKEN_MODULE" ] || { echo "missing $TOKEN_MODULE (make check-integration builds it)"; exit 1; }
make_issuer
write_config "$T/qrgate.conf"
start_bus permissive

# 1. Every token call takes 2 s (as a slow smartcard might).
QRGATE_FAULT_LATENCY_US="C_Sign=2000000" start_daemon
check "slow token: comes up" wait_for 15 token_present
# The one token call of a start (the subject-state secret, daemon/subject-secret.c) is over
# before the decisions whose token calls are counted below.
check "slow token: the subject-state secret comes from the token" \
	wait_for 6 grep -q "Subject state: keyed by the token's secret" "$T/daemon.log"
ctl watch > "$T/watch" 2>"$T/watch.err" &
WATCH=$!
wait_for 5 test -s "$T/watch.err"
t0=$(now_ms)
expect "slow token: code granted" granted "$(ctl submit "$(mint --sub p-1 --scope library.lend)")"
t1=$(now_ms)
expect "slow token: door already open" 's "unlocked"' "$(lock_state)"
check "slow token: the decision took under 500 ms ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 500
t2=$(now_ms)
expect "slow token: the bus keeps answering" 's "running"' "$(mgr_prop State)"
expect "slow token: a second code is decided at once" "denied scope" "$(ctl submit "$(mint --sub p-2 --scope pool.enter)")"
check "slow token: both answered while the token works ($(( $(now_ms) - t2 )) ms)" test $(( $(now_ms) - t2 )) -lt 500
check "slow token: no Decision signal before the pseudonym" sh -c "! grep -q granted '$T/watch'"
check "slow token: the signal follows with the pseudonym" wait_for 6 grep -qE "granted ok format=QG1 subject=[0-9a-f]{32}$" "$T/watch"
check "slow token: signals keep their order" wait_for 4 sh -c "grep -n . '$T/watch' | tail -n1 | grep -q 'denied scope'"
# The signal and the audit record share one HMAC per decision: two take the token 4 s (they took
# 8 s, and the second signal came after 6, when each asked the token on its own).
t3=$(now_ms)
check "slow token: one token HMAC per decision (second signal after $((t3 - t0)) ms)" test $((t3 - t0)) -lt 5500
kill $WATCH; wait $WATCH 2>/dev/null
stop_daemon

# 2. The token is pulled out and put back.
export QRGATE_FAULT_REMOVED_FILE="$T/token-out"
start_daemon
check "token present" wait_for 10 token_present
touch "$T/token-out"
check "pulled: TokenPresent false" wait_for 10 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager TokenPresent)\" = 'b false' ]"
expect "pulled: TokenState absent" 's "absent"' "$(mgr_prop TokenState)"
expect "pulled: State degraded" 's "degraded"' "$(mgr_prop State)"
expect "pulled: the door still works" granted "$(ctl submit "$(mint --sub p-3 --scope library.lend)")"
check "pulled: logged" grep -q "Token: absent" "$T/daemon.log"
rm "$T/token-out"
t0=$(now_ms)
check "reinserted: back by itself" wait_for 10 token_present
echo "     (recovered $(( $(now_ms) - t0 )) ms after reinsertion)"
check "reinserted: within 5 s" test $(( $(now_ms) - t0 )) -lt 5000
expect "reinserted: State running" 's "running"' "$(mgr_prop State)"
check "reinserted: the daemon never stopped" kill -0 "$DAEMON_PID"
finish

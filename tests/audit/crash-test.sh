#!/bin/sh
# Crash test of the audit log: the real qrgated on a private bus with a SoftHSM2 token, killed
# with SIGKILL at random moments while codes stream in, KILLS times (default 200; give more for
# a longer run). After every kill the log must hold every acknowledged record and an unbroken
# chain (tests/audit/crash-driver.c says exactly what is checked). At the end the daemon starts
# once more, stops cleanly, and the whole log verifies against the device key from record 1.
#
# usage: tests/audit/crash-test.sh [KILLS [SEED]]     (B=build dir, as for the other tests)
. "$(dirname "$0")/../integration/lib.sh"

KILLS=${1:-200}
SEED=${2:-$(date +%s)}
DRIVER=$B/tests/audit/crash-driver
[ -x "$DRIVER" ] || { echo "missing $DRIVER (make check-audit-crash builds it)"; exit 1; }

make_issuer
# Small files and frequent checkpoints, so that kills land in rotations and signatures too; a
# scanner rate far above a person's, so that codes keep streaming in as fast as the driver writes.
MAX_RATE=1000
write_config "$T/qrgate.conf" 'audit: { checkpoint_records = 20; checkpoint_seconds = 1; max_file_size = 65536; max_files = 0; };'
start_bus permissive
i=0
while [ $i -lt 40 ]; do
	mint --sub "p-$i" --scope library.lend >> "$T/codes"
	i=$((i + 1))
done
printf 'garbage\n' >> "$T/codes"

# SoftHSM2 keeps the token in files that it rewrites in place, so a SIGKILL at the wrong moment
# leaves token.object empty and the token gone for good; a smartcard keeps its state in the
# card. Restoring the files after each kill keeps this test about the audit log.
cp -a "$T/token/tokens" "$T/token/pristine"
export CRASH_AFTER_KILL="rm -rf '$T/token/tokens' && cp -a '$T/token/pristine' '$T/token/tokens'"

export CRASH_DAEMON_LOG="$T/daemon.log"

echo "crash test: $KILLS kills, seed $SEED"
t0=$(date +%s)
"$DRIVER" "$B/qrgated" "$T/qrgate.conf" "$ADDR" "$T/state/audit" "$T/scan0" "$T/codes" "$KILLS" "$SEED" > "$T/driver.out"
rc=$?
cat "$T/driver.out"
if [ $rc -ne 0 ]; then
	for f in "$CRASH_DAEMON_LOG.prev" "$CRASH_DAEMON_LOG"; do
		[ -s "$f" ] && { echo "     the end of $(basename "$f"):"; tail -n 25 "$f" | sed 's/^/     | /'; }
	done
fi
expect "no acknowledged record lost, no chain break ($KILLS kills)" 0 $rc
check "summary reports 0 lost" grep -q "acknowledged_lost=0 " "$T/driver.out"
check "summary reports 0 chain breaks" grep -q "chain_breaks=0 " "$T/driver.out"

# One clean run after all that: recovery of the last kill, then a final checkpoint.
start_daemon
check "daemon comes up after the last kill" kill -0 "$DAEMON_PID"
check "token present" wait_for 10 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager TokenPresent)\" = 'b true' ]"
check "SIGTERM exits 0" stop_daemon
"$B/qrgatectl" token pubkey --module "$TOKEN_MODULE" --token pkcs11:token=qrgate --pin-file "$T/token/pin" > "$T/device.pem" 2>/dev/null
"$B/qrgatectl" audit verify --pubkey "$T/device.pem" "$T/state/audit" > "$T/verify.out"
expect "the whole log verifies against the device key" 0 $?
check "from record 1, closed by a final checkpoint" sh -c "grep -q '^files: .*(1-' '$T/verify.out' && grep -q '^closed: yes' '$T/verify.out'"
tail -n 7 "$T/verify.out" | sed 's/^/     /'
# Every torn tail made was cut (the log verified), and the cuts are on record. The driver tears
# only a log that does not already end torn, so each tear is cut by a later start; only a kill
# landing between that cut and the append of its RECOVERY record (microseconds) goes unrecorded.
torn=$(sed -n 's/.*torn_tails_made=\([0-9]*\).*/\1/p' "$T/driver.out")
recoveries=$("$B/qrgatectl" audit export "$T/state/audit" | grep -c '"event":"recovery"')
check "torn tails were cut and recorded ($recoveries RECOVERY records for $torn torn tails made)" \
	test "$recoveries" -ge $((torn > 0 ? 1 : 0))
echo "     ($(( $(date +%s) - t0 )) s)"
finish

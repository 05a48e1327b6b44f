#!/bin/sh
# Security review, defect A: a FIFO (or anything else that is not a regular file) named where
# qrgated reads a file froze the event loop, because open() on a FIFO waits for a writer. Each
# file is now opened non-blocking and refused unless it is a regular file: at once, naming it. At
# start the daemon then runs without it, degraded (README, "What ships starts"), except where it
# cannot be safe without (the audit log); at a reload the file is refused and the running
# configuration stays. Every command runs under timeout, so that a regression shows as a
# failure (status 124), not as a hung suite.
. "$(dirname "$0")/../integration/lib.sh"

# finished_in_time STATUS: the command ended by itself (timeout(1) gives 124 when it killed it).
finished_in_time() { [ "$1" -ne 124 ]; }
# A daemon stuck in open() never reads the SIGTERM waiting in its signalfd, so lib.sh's
# start_daemon and stop_daemon (and its cleanup) would wait for it forever. These give up, and
# SIGKILL it, after SECONDS.
start_within() {
	"$B/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	wait_for "$1" busctl --address="$ADDR" status io.qrgate.Gate1 >/dev/null 2>&1 && return 0
	kill -KILL "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
	return 1
}
# refused_at_start WHAT LOG PATTERN: qrgated with $T/qrgate.conf exits at once, with an error,
# and its output (in $T/LOG) matches PATTERN.
refused_at_start() {
	timeout -k 2 5 "$B/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" > "$T/$2" 2>&1
	rc=$?
	check "$1 at start: refused, not hanging (status $rc)" test $rc -ne 0 -a $rc -ne 124
	check "$1 at start: the reason is given" grep -q "$3" "$T/$2"
}
# degraded_at_start WHAT PATTERN: qrgated with $T/qrgate.conf comes up within 2 s, degraded, and
# `qrgatectl status` lists a fault matching PATTERN; then it stops.
degraded_at_start() {
	: > "$T/daemon.log"
	t0=$(now_ms)
	check "$1 at start: not hanging, the gate comes up ($(($(now_ms) - t0)) ms)" start_within 2 || return
	check "$1 at start: within 2 s ($(($(now_ms) - t0)) ms)" test $(($(now_ms) - t0)) -lt 2000
	expect "$1 at start: degraded" 's "degraded"' "$(mgr_prop State)"
	timeout -k 2 5 "$B/qrgatectl" --bus "$ADDR" status > "$T/status" 2>&1
	check "$1 at start: the fault names it" grep -q "^fault: .*$2" "$T/status"
	check "$1 at start: SIGTERM exits 0" stop_within 5
}
# submit_soon CODE: qrgatectl submit, which must answer within 5 s.
submit_soon() { timeout -k 2 5 "$B/qrgatectl" --bus "$ADDR" submit "$1"; }
stop_within() {
	kill -TERM "$DAEMON_PID"
	( sleep "$1"; kill -KILL "$DAEMON_PID" 2>/dev/null ) &
	killer=$!
	wait "$DAEMON_PID"
	rc=$?
	kill "$killer" 2>/dev/null
	DAEMON_PID=
	return $rc
}

make_issuer
start_bus permissive
mkfifo "$T/fifo.pub" "$T/fifo.conf" "$T/fifo.pin" "$T/fifo.pem"

# (a) The issuer key file is a FIFO at start: qrgated runs at once without the key, naming the file.
write_config "$T/qrgate.conf"
sed -i "s|file = \"$T/city.pub\"|file = \"$T/fifo.pub\"|" "$T/qrgate.conf"
degraded_at_start "key FIFO" "issuer 'city' key 'k1' in $T/fifo.pub: not a regular file"
check "key FIFO at start: logged" grep -q "issuer 'city' key 'k1' in $T/fifo.pub: not a regular file" "$T/daemon.log"
timeout -k 2 5 "$B/qrgated" --check-config "$T/qrgate.conf" > /dev/null 2> "$T/a-check.log"
expect "key FIFO: --check-config exits 1" 1 $?
check "key FIFO: --check-config names the file" grep -q "$T/fifo.pub: not a regular file" "$T/a-check.log"

# (b) A running daemon's key file is replaced by a FIFO, then a reload: refused at once, and the
# running configuration keeps deciding.
write_config "$T/qrgate.conf"
check "the gate comes up" start_within 10
expect "before: code granted" granted "$(submit_soon "$(mint --sub p-1 --scope library.lend)")"
mv "$T/city.pub" "$T/city.pub.real"
mkfifo "$T/city.pub"
t0=$(now_ms)
out=$(timeout -k 2 5 "$B/qrgatectl" --bus "$ADDR" reload 2>&1)
rc=$?
t1=$(now_ms)
echo "$out" > "$T/b-reload.out"
check "key FIFO at reload: the reply comes" finished_in_time $rc
check "key FIFO at reload: refused (status $rc)" test $rc -ne 0 -a $rc -ne 124
check "key FIFO at reload: at once ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000
check "key FIFO at reload: the reply names the file, not a regular file" \
	grep -q "$T/city.pub: not a regular file" "$T/b-reload.out"
check "key FIFO at reload: logged" grep -q "$T/city.pub: not a regular file" "$T/daemon.log"
expect "key FIFO at reload: old configuration still grants" granted \
	"$(submit_soon "$(mint --sub p-2 --scope library.lend)")"
# SIGHUP takes the same path, without a caller to answer.
kill -HUP "$DAEMON_PID"
expect "key FIFO at SIGHUP: still granting" granted \
	"$(submit_soon "$(mint --sub p-3 --scope library.lend)")"
check "key FIFO at SIGHUP: still running" kill -0 "$DAEMON_PID"
rm "$T/city.pub"
mv "$T/city.pub.real" "$T/city.pub"

# The configuration itself replaced by a FIFO under the running daemon: the same.
cp "$T/qrgate.conf" "$T/qrgate.conf.real"
rm "$T/qrgate.conf"
mkfifo "$T/qrgate.conf"
out=$(timeout -k 2 5 "$B/qrgatectl" --bus "$ADDR" reload 2>&1)
rc=$?
echo "$out" > "$T/b2-reload.out"
check "configuration FIFO at reload: refused, not hanging (status $rc)" test $rc -ne 0 -a $rc -ne 124
check "configuration FIFO at reload: says why" \
	grep -q "$T/qrgate.conf: cannot read the file: not a regular file" "$T/b2-reload.out"
expect "configuration FIFO at reload: still granting" granted \
	"$(submit_soon "$(mint --sub p-4 --scope library.lend)")"
rm "$T/qrgate.conf"
mv "$T/qrgate.conf.real" "$T/qrgate.conf"
check "SIGTERM exits 0 (the loop is not stuck)" stop_within 5

# (c) The configuration file is a FIFO: --check-config and the daemon refuse at once.
timeout -k 2 5 "$B/qrgated" --check-config "$T/fifo.conf" > /dev/null 2> "$T/c-check.log"
rc=$?
check "configuration FIFO: --check-config does not hang" finished_in_time $rc
expect "configuration FIFO: --check-config exits 1" 1 $rc
check "configuration FIFO: --check-config says not a regular file" \
	grep -q "$T/fifo.conf: cannot read the file: not a regular file" "$T/c-check.log"
timeout -k 2 5 "$B/qrgated" --config "$T/fifo.conf" --bus "$ADDR" > "$T/c.log" 2>&1
rc=$?
check "configuration FIFO: qrgated does not hang" finished_in_time $rc
check "configuration FIFO: qrgated exits non-zero (status $rc)" test $rc -ne 0 -a $rc -ne 124
check "configuration FIFO: qrgated says not a regular file" \
	grep -q "$T/fifo.conf: cannot read the file: not a regular file" "$T/c.log"
timeout -k 2 5 "$B/qrgatectl" check-config "$T/fifo.conf" > /dev/null 2> "$T/c-ctl.log"
expect "configuration FIFO: qrgatectl check-config exits 1" 1 $?

# (d) An EU DCC trust list that is a FIFO, at start: refused at once, the gate runs without it.
# In a folder of certificates, a FIFO is reported and skipped, and the gate starts undegraded.
write_config "$T/qrgate.conf" "dcc: { trust_list = [ \"$T/fifo.pem\" ]; };"
degraded_at_start "trust list FIFO" "dcc trust list $T/fifo.pem: not a regular file"
mkdir "$T/dsc"
mkfifo "$T/dsc/de.pem"
write_config "$T/qrgate.conf" "dcc: { trust_list = [ \"$T/dsc\" ]; };"
: > "$T/daemon.log"
check "trust list folder with a FIFO: the gate comes up" start_within 10
check "trust list folder with a FIFO: the FIFO is reported" grep -q "$T/dsc/de.pem certificate #0 skipped: not a regular file" "$T/daemon.log"
expect "trust list folder with a FIFO: the gate decides" granted \
	"$(submit_soon "$(mint --sub p-5 --scope library.lend)")"
[ -n "$DAEMON_PID" ] && check "SIGTERM exits 0" stop_within 5

# (e) The token's PIN file is a FIFO: the token service refuses at once, the gate runs without it.
write_config "$T/qrgate.conf"
sed -i "s|pin_file = \"$T/token/pin\"|pin_file = \"$T/fifo.pin\"|" "$T/qrgate.conf"
degraded_at_start "PIN FIFO" "token: unavailable: PIN file \"$T/fifo.pin\": not a regular file"

# (f) The PKCS#11 module path is a FIFO (dlopen() would block on it).
mkfifo "$T/fifo.so"
write_config "$T/qrgate.conf"
sed -i "s|module = \"$TOKEN_MODULE\"|module = \"$T/fifo.so\"|" "$T/qrgate.conf"
degraded_at_start "module FIFO" "token: unavailable: PKCS#11 module $T/fifo.so: not a regular file"

# (g) A FIFO in the audit directory named like the log's next file.
write_config "$T/qrgate.conf"
mkdir -p "$T/state/audit"
mkfifo "$T/state/audit/audit-00000000000000099999.log"
refused_at_start "audit file FIFO" g.log "Audit log: cannot read .*audit-00000000000000099999.log"
rm -f "$T/state/audit/audit-00000000000000099999.log"
finish

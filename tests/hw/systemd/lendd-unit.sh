# shellcheck shell=bash disable=SC2034 # LENDD_* are for the tests
# Helpers for the systemd group's lending-service tests, sourced after "$HW_LIB" and
# qrgated-unit.sh (whose install, sysusers, udev and bus steps they reuse). An appliance with a
# lending station:
#   lendd_setup      qrgated_install, then checks that make install put qrgate-lendd, its unit
#                    and its bus policy (byte for byte) in place and that sysusers
#                    made qrgate-lend; the test ILS (tests/ils/sip2-ils.c, built by check-hw's
#                    hw-progs) on 127.0.0.1 in the guest; /etc/qrgate/qrgate.conf with the
#                    simulated door of qrgated_configure plus the station's door "lend" (no lock),
#                    its FIFO source $LENDD_FIFO, the ils and station sections; the SIP2 login as
#                    a credential file and the runtime drop-in that loads it;
#   lendd_dropin     the test's runtime drop-in (before qrgated_start, which reloads);
#   lendd_start      systemctl start qrgate-lendd.service, the shipped unit.
# lendd_cleanup (the EXIT trap) stops the unit, removes its drop-in and the login, stops the test
# ILS and prints the unit's journal, then runs qrgated_cleanup.

LENDD_UNIT=qrgate-lendd.service
LENDD_DROPIN=/run/systemd/system/$LENDD_UNIT.d/50-hw-test.conf
LENDD_FIFO=/run/qrgate/desk
# Where the shipped unit's LoadCredential= would find the login on a machine that keeps it
# unencrypted (docs/lending.md, "Installing the lending service"): a file root alone reads.
LENDD_LOGIN=/etc/qrgate/sip2-login
LENDD_PATH=/io/qrgate/Lend1
ILS_PID=
ILS_PORT=

lendd_cleanup() {
	systemctl stop "$LENDD_UNIT" 2>/dev/null || true
	systemctl reset-failed "$LENDD_UNIT" 2>/dev/null || true
	# No daemon-reload for the removed drop-in (4-5 s under TCG): the unit is stopped, and the
	# next test's qrgated_start reloads.
	rm -rf "${LENDD_DROPIN%/*}"
	[ -z "$ILS_PID" ] || kill "$ILS_PID" 2>/dev/null || true
	rm -f "$LENDD_LOGIN"
	if [ -n "$JOURNAL_CURSOR" ]; then
		echo "---- journal of $LENDD_UNIT during this test ----"
		journalctl --no-pager -o short-monotonic -u "$LENDD_UNIT" --after-cursor="$JOURNAL_CURSOR" || true
	fi
	qrgated_cleanup
}

# lendd_show PROPERTY: one property of the lending unit, value only.
lendd_show() { systemctl show -P "$1" "$LENDD_UNIT"; }
# lend_prop PROPERTY: a property of the service's Station interface on the system bus, as busctl
# prints it ('s "idle"', 'b true', 'as 1 "..."').
lend_prop() { busctl --system get-property io.qrgate.Lend1 "$LENDD_PATH" io.qrgate.Lend1.Station "$1" 2>&1; }

# wait_lend_prop PROPERTY VALUE TIMEOUT-MS: until the property reads VALUE.
wait_lend_prop() {
	local start v
	start=$(now_ms)
	while :; do
		v=$(lend_prop "$1") || true
		[ "$v" != "$2" ] || break
		[ $(($(now_ms) - start)) -lt "$3" ] || hw_fail "$1 is '$v' after $3 ms, expected '$2'"
		hw_sleep_ms 100
	done
	hw_pass "$1 $v after $(($(now_ms) - start)) ms"
}

lendd_setup() {
	local t0 f
	t0=$(now_ms)
	qrgated_install
	trap lendd_cleanup EXIT

	hw_step "make install installed the lending service"
	for f in /usr/local/sbin/qrgate-lendd /usr/local/lib/systemd/system/$LENDD_UNIT \
		/etc/dbus-1/system.d/io.qrgate.Lend1.conf; do
		[ -f "$f" ] || hw_fail "make install did not install $f"
	done
	cmp -s "$HW_SRC/systemd/$LENDD_UNIT" /usr/local/lib/systemd/system/$LENDD_UNIT ||
		hw_fail "installed unit differs from systemd/$LENDD_UNIT"
	cmp -s "$HW_SRC/systemd/io.qrgate.Lend1.dbus.conf" /etc/dbus-1/system.d/io.qrgate.Lend1.conf ||
		hw_fail "installed bus policy differs from systemd/io.qrgate.Lend1.dbus.conf"
	getent passwd qrgate-lend >/dev/null || hw_fail "systemd-sysusers made no user qrgate-lend"
	[ "$(id -nG qrgate-lend)" = qrgate-lend ] || hw_fail "qrgate-lend is in other groups: $(id qrgate-lend)"
	hw_pass "installed: qrgate-lendd, $LENDD_UNIT, io.qrgate.Lend1.conf; $(id qrgate-lend)"

	# systemd 252 sets a unit's credentials up in a mount namespace of its own and moves them
	# to /run/credentials/UNIT, which PID 1 and the service see only if / propagates mounts
	# (shared, as systemd makes it on a normal boot; guest/stage2 does it for this guest).
	hw_step "the root's mount propagation"
	awk '$5 == "/" { print; found = 1 } END { exit !found }' /proc/1/mountinfo | grep -q ' shared:' ||
		hw_fail "/ is not shared in PID 1's mounts, LoadCredential= would give an empty directory: $(awk '$5 == "/"' /proc/1/mountinfo)"
	hw_pass "/ is shared: $(awk '$5 == "/"' /proc/1/mountinfo)"

	lendd_ils_start
	lendd_configure
	echo "setup took $(($(now_ms) - t0)) ms"
}

# The test ILS, in the suite's own cgroup (no sandbox), on 127.0.0.1 and a port it chooses. It
# knows the station's login from the same file the unit loads as the credential.
lendd_ils_start() {
	hw_step "the test ILS on 127.0.0.1"
	[ -x "$HW_BUILD/tests/sip2-ils" ] || hw_fail "no $HW_BUILD/tests/sip2-ils (make hw-progs builds it)"
	install -d -m 0755 /etc/qrgate
	printf 'desk-1\ns3cret-pw\n' | install -m 0600 /dev/stdin "$LENDD_LOGIN"
	"$HW_BUILD/tests/sip2-ils" --port-file "$HW_TMP/ils.port" --credential "$LENDD_LOGIN" \
		--journal "$HW_TMP/ils.journal" >"$HW_TMP/ils.log" 2>&1 &
	ILS_PID=$!
	local start
	start=$(now_ms)
	until [ -s "$HW_TMP/ils.port" ]; do
		kill -0 "$ILS_PID" 2>/dev/null || hw_fail "the test ILS ended: $(cat "$HW_TMP/ils.log")"
		[ $(($(now_ms) - start)) -lt 5000 ] || hw_fail "the test ILS wrote no port in 5 s"
		hw_sleep_ms 20
	done
	ILS_PORT=$(cat "$HW_TMP/ils.port")
	hw_pass "sip2-ils (PID $ILS_PID) listens on 127.0.0.1 port $ILS_PORT"
}

lendd_configure() {
	# The station's door has no lock and lends to codes of scope library.lend; the ils and
	# station sections are the lending service's (docs/lending.md). The file is 0644: the
	# service's user is in no group of qrgate's (the unit's comment; make install ships it so).
	QRGATE_CONF_DOORS=', { id = "lend"; scopes = [ "library.lend" ]; }'
	QRGATE_CONF_SOURCES=", { id = \"desk\"; type = \"fifo\"; path = \"$LENDD_FIFO\"; door = \"lend\"; }"
	QRGATE_CONF_EXTRA="ils: { host = \"127.0.0.1\"; port = $ILS_PORT; institution = \"CITY\"; location = \"Desk 1\";
       credential = \"sip2-login\"; connect_timeout_ms = 2000; reply_timeout_ms = 5000;
       reconnect_max = 0; };
station: { id = \"desk-1\"; door = \"lend\"; item_formats = [ \"codabar\" ]; };"
	QRGATE_CONF_MODE=0644
	qrgated_configure
}

# lendd_dropin LINE...: the test's runtime drop-in for the lending unit, [Service] settings.
lendd_dropin() {
	mkdir -p "${LENDD_DROPIN%/*}"
	printf '[Service]\n' >"$LENDD_DROPIN"
	printf '%s\n' "$@" >>"$LENDD_DROPIN"
	echo "test drop-in $LENDD_DROPIN: $*"
}

# After qrgated_start, whose daemon-reload reads a drop-in written before it (a second reload
# costs 4-5 s under TCG).
lendd_start() {
	hw_step "systemctl start $LENDD_UNIT"
	systemctl reset-failed "$LENDD_UNIT" 2>/dev/null || true
	local t0 rc=0
	t0=$(now_ms)
	systemctl start "$LENDD_UNIT" || rc=$?
	[ $rc -eq 0 ] || hw_fail "systemctl start $LENDD_UNIT failed ($rc): $(systemctl status --no-pager "$LENDD_UNIT" 2>&1 | tail -n 20)"
	hw_pass "systemctl start returned after $(($(now_ms) - t0)) ms"
}

# mint_lend ARGS...: a valid code of scope library.lend from the test's issuer key.
mint_lend() { "$HW_BUILD/qrgate-issue" mint --key "$HW_TMP/city.key" --kid k1 --iss city --scope library.lend "$@"; }

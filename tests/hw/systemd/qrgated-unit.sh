# shellcheck shell=bash disable=SC2034 # DOOR_PATH, UNLOCK_MS, RESTARTED_PID are for the tests
# Helpers for the systemd group's qrgated tests, sourced after "$HW_LIB" (not a test itself:
# run-suite runs only test-*.sh). Each test sets the appliance up the way an image would:
#   qrgated_setup   make install into the guest's overlay root; systemd-sysusers for the
#                   shipped sysusers file; the shipped udev rule's GROUP/MODE on the chips (the
#                   guest has no udev); the system bus reloaded so the shipped policy applies;
#                   /etc/qrgate/qrgate.conf for the simulated door (call sim_create first);
#   qrgated_install the same without the configuration: what make install left is used;
#   qrgated_start   systemctl daemon-reload and start qrgated.service, the shipped unit.
# The unit's own settings stay; a test that needs a shorter watchdog writes a runtime drop-in
# with qrgated_dropin. qrgated_cleanup (the EXIT trap) stops the unit, removes the drop-in and
# the gpio-sim device, and prints the unit's journal for the log.

UNIT=qrgated.service
QRGATE_CONF=/etc/qrgate/qrgate.conf
QRGATE_FIFO=/run/qrgate/scanner0
QRGATE_RULE=/etc/udev/rules.d/60-qrgate-gpio.rules
QRGATE_SYSUSERS=/usr/local/lib/sysusers.d/qrgate.conf
QRGATE_DROPIN=/run/systemd/system/$UNIT.d/50-hw-test.conf
DOOR_PATH=/io/qrgate/Gate1/door/main
UNLOCK_MS=${UNLOCK_MS:-1000}
JOURNAL_CURSOR=

qrgated_cleanup() {
	systemctl stop "$UNIT" 2>/dev/null || true
	systemctl reset-failed "$UNIT" 2>/dev/null || true
	if [ -e "$QRGATE_DROPIN" ]; then
		rm -f "$QRGATE_DROPIN"
		systemctl daemon-reload || true
	fi
	if [ -n "$JOURNAL_CURSOR" ]; then
		echo "---- journal of $UNIT during this test ----"
		journalctl --no-pager -o short-monotonic -u "$UNIT" --after-cursor="$JOURNAL_CURSOR" || true
	fi
	sim_destroy
}

# The journal's newest entry, to read only what came after it.
journal_cursor() { journalctl -q -n 1 -o export | sed -n 's/^__CURSOR=//p'; }

# unit_show PROPERTY: one property of the unit, value only.
unit_show() { systemctl show -P "$1" "$UNIT"; }

qrgated_setup() {
	local t0
	t0=$(now_ms)
	qrgated_install
	qrgated_configure
	echo "setup took $(($(now_ms) - t0)) ms"
}

qrgated_install() {
	local f
	trap qrgated_cleanup EXIT
	JOURNAL_CURSOR=$(journal_cursor)

	hw_step "make install into the guest's root"
	# check-hw built the programs on the host just before the boot; "-o all" installs that
	# build instead of compiling again under TCG should the work tree have changed since (and
	# "-o" the lending service, which install names besides all).
	make -C "$HW_SRC" --no-print-directory -s B="$HW_BUILD" -o all -o "$HW_BUILD/qrgate-lendd" install >"$HW_TMP/install.log" 2>&1 ||
		hw_fail "make install: $(cat "$HW_TMP/install.log")"
	for f in /usr/local/sbin/qrgated /usr/local/lib/systemd/system/$UNIT "$QRGATE_SYSUSERS" \
		/etc/dbus-1/system.d/io.qrgate.Gate1.conf "$QRGATE_RULE"; do
		[ -f "$f" ] || hw_fail "make install did not install $f"
	done
	cmp -s "$HW_SRC/systemd/$UNIT" /usr/local/lib/systemd/system/$UNIT || hw_fail "installed unit differs from systemd/$UNIT"
	hw_pass "installed: qrgated, $UNIT, sysusers file, bus policy, udev rule"

	hw_step "users and groups from the shipped sysusers file"
	systemd-sysusers "$QRGATE_SYSUSERS"
	getent passwd qrgate >/dev/null || hw_fail "systemd-sysusers made no user qrgate"
	[[ " $(id -nG qrgate) " == *" gpio "* ]] || hw_fail "qrgate is not in group gpio: $(id qrgate)"
	getent group qrgate-operators >/dev/null || hw_fail "no group qrgate-operators"
	hw_pass "$(id qrgate)"

	udev_rule_apply "$QRGATE_RULE"

	hw_step "the system bus loads the shipped policy"
	busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig ||
		hw_fail "the system bus did not reload its configuration"
	hw_pass "system bus configuration reloaded"
}

# udev_rule_apply RULES-FILE: the guest has no udev, so this does what udev would do with the
# installed rule: for each /dev/gpiochip* whose subsystem and kernel name match the rule's
# SUBSYSTEM== and KERNEL==, it sets the rule's GROUP= and MODE=. It understands only those
# four keys and fails on any other, so a rule that grows is not half-applied in silence.
udev_rule_apply() {
	local rule=$1 line tok toks key op val subsystem kernel group mode dev name major minor sys n=0
	hw_step "the udev rule $rule, applied as udev would"
	while IFS= read -r line; do
		line=${line%%#*}
		[[ $line =~ [^[:space:]] ]] || continue
		subsystem='' kernel='' group='' mode=''
		IFS=, read -ra toks <<<"$line"
		for tok in "${toks[@]}"; do
			[[ $tok =~ ^[[:space:]]*([A-Z]+)[[:space:]]*(==|=)[[:space:]]*\"([^\"]*)\"[[:space:]]*$ ]] ||
				hw_fail "udev rule: cannot read '$tok'"
			key=${BASH_REMATCH[1]} op=${BASH_REMATCH[2]} val=${BASH_REMATCH[3]}
			case $key$op in
			SUBSYSTEM==) subsystem=$val ;;
			KERNEL==) kernel=$val ;;
			GROUP=) group=$val ;;
			MODE=) mode=$val ;;
			*) hw_fail "udev rule: '$key$op' is not understood by this test" ;;
			esac
		done
		for dev in /dev/gpiochip*; do
			[ -c "$dev" ] || continue
			name=${dev#/dev/}
			read -r major minor < <(stat -c '%t %T' "$dev")
			sys=$(readlink -f "/sys/dev/char/$((16#$major)):$((16#$minor))/subsystem")
			[[ -z $subsystem || ${sys##*/} == "$subsystem" ]] || continue
			# shellcheck disable=SC2053 # KERNEL== is a glob
			[[ -z $kernel || $name == $kernel ]] || continue
			[ -z "$group" ] || chgrp "$group" "$dev"
			[ -z "$mode" ] || chmod "$mode" "$dev"
			echo "udev rule: $dev (subsystem ${sys##*/}): $(stat -c '%U:%G %a' "$dev")"
			n=$((n + 1))
		done
	done <"$rule"
	[ "$n" -gt 0 ] || hw_fail "the udev rule matched no /dev/gpiochip*"
	hw_pass "the rule matched $n GPIO chips"
}

# QRGATE_CONF_DOORS, QRGATE_CONF_SOURCES (", { ... }") add doors and sources after the simulated
# door's, QRGATE_CONF_EXTRA more sections, QRGATE_CONF_MODE (default 0640, group qrgate) the file's
# mode: the lending service's test (lendd-unit.sh) adds its station with these.
qrgated_configure() {
	hw_step "/etc/qrgate/qrgate.conf for the simulated door"
	"$HW_BUILD/qrgate-issue" keygen --alg es256 --kid k1 --out "$HW_TMP/city" >/dev/null
	install -d -m 0755 /etc/qrgate/keys
	install -m 0644 "$HW_TMP/city.pub" /etc/qrgate/keys/city-k1.pub
	cat >"$HW_TMP/qrgate.conf" <<CONF
bus: { operator_groups = [ "qrgate-operators" ]; };
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "/etc/qrgate/keys/city-k1.pub"; } ); } );
locks = ( { id = "main"; backend = "gpiod"; line_name = "lock-relay"; safe_state = "locked"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = $UNLOCK_MS; scopes = [ "building.A.enter" ]; }${QRGATE_CONF_DOORS:-} );
sources = ( { id = "scanner0"; type = "fifo"; path = "$QRGATE_FIFO"; door = "main"; }${QRGATE_CONF_SOURCES:-} );
clock: { untrusted = "accept"; }; # the guest has no time server
${QRGATE_CONF_EXTRA:-}
CONF
	install -m "${QRGATE_CONF_MODE:-0640}" -g qrgate "$HW_TMP/qrgate.conf" "$QRGATE_CONF"
	/usr/local/sbin/qrgated --check-config "$QRGATE_CONF" >"$HW_TMP/check.log" 2>&1 ||
		hw_fail "configuration refused: $(cat "$HW_TMP/check.log")"
	hw_pass "configuration valid"
}

# mint ARGS...: a valid code from the test's issuer key.
mint() { "$HW_BUILD/qrgate-issue" mint --key "$HW_TMP/city.key" --kid k1 --iss city --scope building.A.enter "$@"; }

# qrgated_dropin LINE...: a runtime drop-in with these [Service] settings (test timing only).
qrgated_dropin() {
	mkdir -p "${QRGATE_DROPIN%/*}"
	printf '[Service]\n' >"$QRGATE_DROPIN"
	printf '%s\n' "$@" >>"$QRGATE_DROPIN"
	echo "test drop-in $QRGATE_DROPIN: $*"
}

qrgated_start() {
	hw_step "systemctl start $UNIT"
	systemctl daemon-reload
	systemctl reset-failed "$UNIT" 2>/dev/null || true
	local t0 rc=0
	t0=$(now_ms)
	systemctl start "$UNIT" || rc=$?
	[ $rc -eq 0 ] || hw_fail "systemctl start $UNIT failed ($rc): $(systemctl status --no-pager "$UNIT" 2>&1 | tail -n 20)"
	hw_pass "systemctl start returned after $(($(now_ms) - t0)) ms"
}

# wait_restarted OLD-PID TIMEOUT-MS: until the unit runs again with another main process, whose
# PID it leaves in RESTARTED_PID.
wait_restarted() {
	local start pid state
	start=$(now_ms)
	while :; do
		pid=$(unit_show MainPID) state=$(unit_show SubState)
		[ "$pid" != 0 ] && [ "$pid" != "$1" ] && [ "$state" = running ] && break
		[ $(($(now_ms) - start)) -lt "$2" ] || hw_fail "$UNIT not running again within $2 ms (MainPID $pid, $state)"
		hw_sleep_ms 50
	done
	RESTARTED_PID=$pid
}

# as_user USER CMD...: CMD with USER's uid, gid and groups from the user database (initgroups),
# without PAM or a login session.
as_user() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

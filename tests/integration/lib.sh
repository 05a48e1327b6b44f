# Shared helpers for integration tests: a private dbus-daemon, the real qrgated on it, codes
# from qrgate-issue. Source this file; it sets up $T (a scratch folder removed at exit).
set -u

B=${B:-build}
B=$(cd "$B" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/qrgate-it.XXXXXX)
chmod 755 "$T"
ADDR="unix:path=$T/bus.sock"
# qrgated records the lock lines it holds in its runtime directory (systemd's RuntimeDirectory=;
# /run/qrgate otherwise): each test's daemon gets its own.
export RUNTIME_DIRECTORY="$T/run"
PASS=0
FAIL=0
DAEMON_PID=
BUS_PID=
TIMEDATED_PID=

cleanup() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	[ -n "$TIMEDATED_PID" ] && kill "$TIMEDATED_PID" 2>/dev/null
	[ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
	# Into a file, not a pipe: dash runs `jobs` in a pipe or $(...) in a subshell, which has no
	# jobs, and the listeners tests leave in the background outlived them.
	jobs -p > "$T/.jobs" 2>/dev/null && xargs -r kill < "$T/.jobs" 2>/dev/null
	[ -f "$T/notify.pid" ] && kill "$(cat "$T/notify.pid")" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
# check NAME COMMAND...: passes when the command succeeds.
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (want '$2', got '$3')"; fi; }
finish() { echo "$(basename "$0"): $PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }
# notify_listener: a socket $T/notify.sock, for NOTIFY_SOCKET=, that collects in $T/notify
# everything the daemon tells systemd (READY=1, STATUS=...), one datagram after another with
# no separator. The listener writes its own pid, which cleanup stops: $! is the activator's,
# and in a bare root the listener outlived the tests when only that was stopped.
notify_listener() {
	systemd-socket-activate --datagram -l "$T/notify.sock" \
		sh -c 'echo $$ > "$1"; exec cat <&3' sh "$T/notify.pid" > "$T/notify" 2>/dev/null &
	wait_for 5 test -S "$T/notify.sock" || not_ok "the notify socket listens"
}

# start_bus [permissive|policy]: "policy" applies the project's bus policy file, as on an
# appliance; "permissive" lets everyone call everything, to show the daemon's own checks.
start_bus() {
	mode=${1:-permissive}
	{
		echo '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
		echo "<busconfig><type>system</type><listen>$ADDR</listen><auth>EXTERNAL</auth>"
		if [ "$mode" = permissive ]; then
			echo '<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/></policy>'
		else
			# The defaults of a system bus: nothing but the bus itself and replies, then our file.
			echo '<policy context="default"><allow user="*"/><deny own="*"/><deny send_type="method_call"/>'
			echo '<allow send_type="signal"/><allow send_requested_reply="true" send_type="method_return"/>'
			echo '<allow send_requested_reply="true" send_type="error"/><allow receive_type="method_call"/>'
			echo '<allow receive_type="method_return"/><allow receive_type="error"/><allow receive_type="signal"/>'
			echo '<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>'
			echo '<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>'
			echo '<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>'
			echo '</policy>'
			echo "<include>$ROOT/systemd/io.qrgate.Gate1.dbus.conf</include>"
			# What systemd's own org.freedesktop.timedate1.conf allows, for the test double.
			echo '<policy user="root"><allow own="org.freedesktop.timedate1"/></policy>'
			echo '<policy context="default"><allow send_destination="org.freedesktop.timedate1"/></policy>'
		fi
		echo '</busconfig>'
	} > "$T/bus.conf"
	dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile 2>"$T/bus.log" &
	BUS_PID=$!
	# Up to 20 s: on a loaded 2-core machine a start has taken over 5.
	for _ in $(seq 400); do [ -S "$T/bus.sock" ] && break; sleep 0.05; done
	[ -S "$T/bus.sock" ] || { echo "dbus-daemon did not start:"; cat "$T/bus.log"; exit 1; }
	start_timedated
}

# start_timedated: the test double of systemd-timedated on the bus (tests/integration/
# fake-timedated.c), so that the daemon's clock is synchronized whatever the machine's kernel
# says (a container's or a VM's often is not): NTPSynchronized is "yes" unless NTP_SYNCHRONIZED
# says otherwise; set_ntp_synchronized yes|no changes it.
start_timedated() {
	set_ntp_synchronized "${NTP_SYNCHRONIZED:-yes}"
	"$B/tests/fake-timedated" "$ADDR" "$T/ntp-synchronized" 2>>"$T/bus.log" &
	TIMEDATED_PID=$!
	for _ in $(seq 400); do
		busctl --address="$ADDR" status org.freedesktop.timedate1 >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "fake-timedated did not start:"; cat "$T/bus.log"; exit 1
}
set_ntp_synchronized() { echo "$1" > "$T/ntp-synchronized"; }

# make_issuer: an issuer key pair "city"/"k1" in $T.
make_issuer() {
	"$B/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/city" >/dev/null
}

# make_dcc_signer: an EU DCC signer of vaccination certificates ($T/vacc.key, $T/vacc.crt)
# whose certificate is the one file of the trust-list folder $T/dsc.
make_dcc_signer() {
	mkdir -p "$T/dsc"
	"$B/qrgate-issue" dcc-signer --out "$T/vacc" --types vaccination >/dev/null
	cp "$T/vacc.crt" "$T/dsc/"
}

# mint [qrgate-issue mint options...]: a code from issuer city, key k1.
mint() {
	"$B/qrgate-issue" mint --key "$T/city.key" --kid k1 --iss city "$@"
}

# make_token: a throwaway SoftHSM2 token in $T/token (device key + HMAC secret), as
# docs/token.md provisions one; the daemon finds it through SOFTHSM2_CONF.
make_token() {
	[ -e "$T/token/pin" ] && return 0
	"$ROOT/tests/pkcs11/make-token.sh" "$T/token" > /dev/null
	export SOFTHSM2_CONF="$T/token/softhsm2.conf"
}
TOKEN_MODULE=${TOKEN_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

# write_config FILE [EXTRA]: a configuration with one sim-locked door "main" and the token;
# EXTRA_DOORS and EXTRA_SOURCES (", { ... }") add doors and sources after its own.
write_config() {
	make_token
	cat > "$1" <<CONF
state_directory = "$T/state";
bus: { operator_groups = [ "users" ]; operator_uids = [ 2 ]; max_rate = ${BUS_MAX_RATE:-200}; };
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "sim"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = ${UNLOCK_MS:-400}; scopes = [ "building.A.enter", "library.lend" ]; statuses = [ "green", "yellow" ]; }${EXTRA_DOORS:-} );
sources = ( { id = "scan0"; type = "fifo"; path = "$T/scan0"; door = "main"; max_rate = ${MAX_RATE:-10}; }${EXTRA_SOURCES:-} );
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
${2:-}
CONF
}

# wait_for_name NAME PID LOG: waits (10 s) until the process PID owns NAME on the private bus;
# if it does not, or dies first, shows its LOG and ends the test.
wait_for_name() {
	for _ in $(seq 200); do
		busctl --address="$ADDR" status "$1" >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "$1 did not come up:"; cat "$3"; exit 1
}

# start_daemon [qrgated options...]: runs qrgated on the private bus and waits until it owns
# its name.
start_daemon() {
	"$B/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" "$@" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	wait_for_name io.qrgate.Gate1 "$DAEMON_PID" "$T/daemon.log"
}

stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	return $rc
}

# A lending station (docs/lending.md) for write_config: EXTRA_DOORS="$STATION_DOORS"
# EXTRA_SOURCES="$STATION_SOURCES" write_config FILE "$STATION_CONF". Its door "lend" has no
# lock and honours QG1 codes of scope library.lend; its FIFO source "desk" is $T/desk; the ILS
# is never dialled by qrgated; the station "desk-1" takes Codabar barcodes as items.
STATION_DOORS=', { id = "lend"; scopes = [ "library.lend" ]; }'
STATION_SOURCES=", { id = \"desk\"; type = \"fifo\"; path = \"$T/desk\"; door = \"lend\"; max_rate = 50; }"
STATION_CONF="ils: { host = \"ils.example.org\"; port = 6001; institution = \"MAIN\"; credential = \"sip2-login\"; };
station: { id = \"desk-1\"; door = \"lend\"; item_formats = [ \"codabar\" ]; queue_directory = \"$T/lend-queue\"; };"

# start_pty_scanner: a serial scanner on a pseudo-terminal (tests/integration/pty-scanner.c):
# $TTY is its node; what is written to $T/ser.in is what it sends, and 200 ms after that FIFO's
# end the scanner is unplugged.
start_pty_scanner() {
	mkfifo "$T/ser.in"
	"$B/tests/pty-scanner" "$T/tty" "$T/ser.in" 200 &
	wait_for 5 test -s "$T/tty" || { echo "pty-scanner did not start"; exit 1; }
	TTY=$(cat "$T/tty")
}
ctl() { "$B/qrgatectl" --bus "$ADDR" "$@"; }
mgr_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager "$1" 2>&1; }
# wait_for SECONDS COMMAND...: polls until the command succeeds; fails after SECONDS.
wait_for() {
	n=$(($1 * 20)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.05; n=$((n - 1)); done
	return 1
}
lock_state() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door LockState 2>&1; }
# Conditions for wait_for and check.
token_present() { [ "$(mgr_prop TokenPresent)" = "b true" ]; }
door_locked() { [ "$(lock_state)" = 's "locked"' ]; }
now_ms() { date +%s%3N; }

# The outcome of a method call: "ok" for a method return, else the D-Bus error name, else what
# failed (so a connection refused by the bus can never pass for success).
err_of() { awk '/^method return/ { print "ok"; exit } /^Error / { sub(/^Error /, ""); sub(/:.*/, ""); print; exit }'; }
outcome() { out=$("$@" 2>&1); r=$(echo "$out" | err_of); echo "${r:-failed: $out}"; }
# unlock_ms_as MS COMMAND...: Unlock of door main for MS ms, called through COMMAND (env for
# root, as_nobody, setpriv ...); unlock_as, reload_as and submit_as: the calls the tests make.
unlock_ms_as() { ms=$1; shift; outcome "$@" dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door.Unlock uint32:"$ms"; }
unlock_as() { unlock_ms_as 300 "$@"; }
reload_as() { outcome "$@" dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.Reload; }
submit_as() { outcome "$@" dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.SubmitCode string:main string:not-a-code; }

# small_state_dir NAME: the state directory on a 1 MiB tmpfs of its own (unmounted at exit), for
# the tests of a full disk; fill_state fills it.
small_state_dir() {
	[ "$(id -u)" = 0 ] || { echo "needs root (mounts a tmpfs)"; exit 1; }
	mkdir -p "$T/state"
	mount -t tmpfs -o size=1m,mode=0700 "$1" "$T/state" || { echo "cannot mount a tmpfs"; exit 1; }
	trap 'umount "$T/state" 2>/dev/null; cleanup' EXIT
}
fill_state() { dd if=/dev/zero of="$T/state/filler" bs=4k > /dev/null 2>&1; sync; }
# mint_refused N: N codes that verify but that door main refuses (wrong scope), so each is a
# record of its own (repeated junk would be coalesced into one, docs/audit.md); submit_refused
# presents them all.
mint_refused() { for i in $(seq "$1"); do mint --sub "p-r$i" --scope pool.enter; done > "$T/refused.codes"; }
submit_refused() { while read -r c; do ctl submit "$c" > /dev/null; done < "$T/refused.codes"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# Callers must be real accounts: dbus-daemon refuses a connection from a uid with no passwd
# entry, which would make a refusal look like success. uid 1 (daemon) and 2 (bin) exist on
# every Debian system; neither is in "users" by default.
# An operator by group: uid 1 with the "users" group named in the configuration.
as_group_operator() { setpriv --reuid=1 --regid=1 --groups=users "$@"; }
# An operator by uid (bus.operator_uids).
as_uid_operator() { setpriv --reuid=2 --regid=2 --clear-groups "$@"; }
# The same uid 1 without the operator group: not an operator.
as_plain_user() { setpriv --reuid=1 --regid=1 --clear-groups "$@"; }

# install_into DIR: `make install DESTDIR=DIR` of the programs already built in $B (no rebuild),
# as a package build or an image would install them; PREFIX=/usr/local as by default.
install_into() {
	make -s -C "$ROOT" --no-print-directory B="$B" -o all install DESTDIR="$1" > "$T/install.log" 2>&1 ||
		{ echo "make install DESTDIR=$1 failed:"; cat "$T/install.log"; exit 1; }
}

# Helpers of the door group (sourced by its tests after $HW_LIB): input-watch as a coprocess,
# and qrgated on a private bus with a door whose contact, exit button and lock are gpio-sim
# lines. The group runs once per libgpiod API: v1 uses the daemon `make all` built, v2 the one
# mk/hw.mk builds against libgpiod 2.x ($HW_BUILD/hw/v2/qrgated).

INPUT_WATCH=$HW_BUILD/hw/$HW_LIBGPIOD/input-watch
if [ "$HW_LIBGPIOD" = v2 ]; then QRGATED=$HW_BUILD/hw/v2/qrgated; else QRGATED=$HW_BUILD/qrgated; fi
IW_PID= IW_IN= IW_OUT= IW_REPLY=

# iw_start ARGS...: input-watch with ARGS; waits for "ready LEVEL" and leaves it in IW_REPLY.
iw_start() {
	[ -x "$INPUT_WATCH" ] || hw_fail "no $INPUT_WATCH"
	echo "input-watch ($HW_LIBGPIOD): $*"
	coproc IW { exec "$INPUT_WATCH" "$@" 2>&1; }
	IW_PID=$IW_PID
	exec {IW_OUT}<&"${IW[0]}" {IW_IN}>&"${IW[1]}"
	iw_read 20000
	case $IW_REPLY in ready*) ;; *) hw_fail "input-watch did not start: '$IW_REPLY'" ;; esac
}

# iw_read MS: the next line within MS milliseconds into IW_REPLY; fails the test when none came.
iw_read() {
	IW_REPLY=
	IFS= read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$IW_OUT" IW_REPLY ||
		hw_fail "no line from input-watch within $1 ms (got '$IW_REPLY')"
}

# iw_until LINE MS: reads lines until LINE (edges before it are echoed), within MS ms.
iw_until() {
	local start=${EPOCHREALTIME/./}
	while :; do
		iw_read "$2"
		echo "  input-watch: $IW_REPLY"
		[ "$IW_REPLY" != "$1" ] || return 0
		[ $(((${EPOCHREALTIME/./} - start) / 1000)) -lt "$2" ] || hw_fail "no '$1' within $2 ms"
	done
}

# iw_collect MS: every line input-watch prints within MS ms, into IW_LINES (one a line).
iw_collect() {
	local line
	IW_LINES=
	while IFS= read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$IW_OUT" line; do
		IW_LINES+="$line"$'\n'
	done
	printf '%s' "$IW_LINES" | sed 's/^/  input-watch: /'
}

# iw_stop: SIGTERM, as a service manager ends it; it releases the line and says "exit".
iw_stop() {
	kill -TERM "$IW_PID"
	iw_until exit 5000
	wait "$IW_PID" || hw_fail "input-watch exit status $?"
	exec {IW_OUT}<&-
	IW_PID=
}

# --- qrgated with a door of three lines ---------------------------------------------------------
DAEMON_PID= BUS_PID=

door_cleanup() {
	[ -z "$DAEMON_PID" ] || kill -KILL "$DAEMON_PID" 2>/dev/null || true
	[ -z "$BUS_PID" ] || kill "$BUS_PID" 2>/dev/null || true
	[ -z "$IW_PID" ] || kill -KILL "$IW_PID" 2>/dev/null || true
	sim_destroy
}

# door_setup UNLOCK_MS DOOR_EXTRA: a private bus, an issuer, and $HW_TMP/qrgate.conf with lock
# "main" on lock-relay, door "main" with its contact on door-contact and its exit button on
# exit-button (active high: pull up = open, pressed), and DOOR_EXTRA in the door's group.
door_setup() {
	T=$HW_TMP
	ADDR=unix:path=$T/bus.sock
	cat >"$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>$ADDR</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/>
<allow receive_type="error"/><allow receive_type="signal"/></policy>
</busconfig>
CONF
	dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/bus.log" 2>&1 &
	BUS_PID=$!
	for _ in $(seq 500); do [ -S "$T/bus.sock" ] && break; hw_sleep_ms 20; done
	[ -S "$T/bus.sock" ] || hw_fail "dbus-daemon did not start: $(cat "$T/bus.log")"
	"$HW_BUILD/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/city" >/dev/null
	cat >"$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "gpiod"; line_name = "lock-relay"; safe_state = "locked"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = $1; scopes = [ "building.A.enter" ];
            contact = { backend = "gpiod"; line_name = "door-contact"; };
            rex = { backend = "gpiod"; line_name = "exit-button"; };
            $2 } );
sources = ( { id = "scan0"; type = "fifo"; path = "$T/scan0"; door = "main"; } );
clock: { untrusted = "accept"; }; # the guest has no time server
CONF
}

mint() { "$HW_BUILD/qrgate-issue" mint --key "$T/city.key" --kid k1 --iss city --scope building.A.enter "$@"; }
scan() { echo "$1" >"$T/scan0"; }

start_daemon() {
	: >"$T/daemon.log"
	echo "qrgated ($HW_LIBGPIOD): $QRGATED"
	"$QRGATED" --config "$T/qrgate.conf" --bus "$ADDR" >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1000); do
		grep -q '^<6>qrgated running' "$T/daemon.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		hw_sleep_ms 20
	done
	cat "$T/daemon.log" "$T/bus.log"
	hw_fail "qrgated did not come up"
}

# wait_log TEXT MS: waits until the daemon's log has TEXT.
wait_log() {
	local start=${EPOCHREALTIME/./}
	until grep -qF -- "$1" "$T/daemon.log"; do
		[ $(((${EPOCHREALTIME/./} - start) / 1000)) -lt "$2" ] || { cat "$T/daemon.log"; hw_fail "no '$1' in qrgated's log within $2 ms"; }
		hw_sleep_ms 10
	done
	hw_pass "qrgated logged '$1'"
}

count_log() { grep -cF -- "$1" "$T/daemon.log" || true; }

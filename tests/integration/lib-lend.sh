# The lending station for integration tests: qrgated with a station door and the real
# qrgate-lendd beside it on the private bus, against the test ILS. Source after lib.sh and
# lib-ils.sh. $T/lend.conf is the configuration both read; $T/lend-state the service's queue.
LENDD_PID=

# write_station_config [EXTRA-STATION-KEYS] (LOCAL_CAP, default 3; ILS_REPLY_MS, default 2000;
# LEND_DOOR_KEYS, more keys of door "lend"): the station "desk-1" on door "lend" (no lock), fed by
# the FIFO $T/desk, lending Codabar items against the test ILS on $T/port.
write_station_config() {
	make_token
	mkdir -p "$T/lend-state"
	chmod 700 "$T/lend-state"
	cat > "$T/qrgate.conf" <<CONF
state_directory = "$T/state";
bus: { operator_groups = [ "users" ]; operator_uids = [ 2 ]; };
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "sim"; } );
doors = ( { id = "main"; lock = "main"; scopes = [ "building.A.enter" ]; },
          { id = "lend"; scopes = [ "library.lend" ]; statuses = [ "green", "yellow" ]; ${LEND_DOOR_KEYS:-} } );
sources = ( { id = "desk"; type = "fifo"; path = "$T/desk"; door = "lend"; max_rate = 50; } );
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
ils: { host = "127.0.0.1"; port = $(cat "$T/port"); institution = "CITY"; location = "Desk 1";
       credential = "$T/sip2-login"; connect_timeout_ms = 500; reply_timeout_ms = ${ILS_REPLY_MS:-2000};
       resend_max = 1; reconnect_max = 1; };
station: { id = "desk-1"; door = "lend"; item_formats = [ "codabar" ]; local_cap = ${LOCAL_CAP:-3};
           queue_directory = "$T/lend-state"; ${1:-} };
CONF
}

start_lendd() {
	"$B/qrgate-lendd" --config "$T/qrgate.conf" --bus "$ADDR" >>"$T/lendd.log" 2>&1 &
	LENDD_PID=$!
	wait_for_name io.qrgate.Lend1 "$LENDD_PID" "$T/lendd.log"
}

stop_lendd() {
	[ -n "$LENDD_PID" ] && kill -TERM "$LENDD_PID" 2>/dev/null && wait "$LENDD_PID" 2>/dev/null
	LENDD_PID=
}

kill_lendd() {
	kill -KILL "$LENDD_PID" 2>/dev/null
	wait "$LENDD_PID" 2>/dev/null
	LENDD_PID=
}

lend_prop() { busctl --address="$ADDR" get-property io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station "$1" 2>&1; }
lend_call() { busctl --address="$ADDR" call io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station "$@" 2>&1; }
# Conditions for wait_for and check, and what the tests read.
online() { [ "$(lend_prop Online)" = "b true" ]; }
items_have() { lend_prop Items | grep -q "$1"; }
queue_empty() { [ "$(lend_prop QueueLength)" = 'u 0' ]; }
receipt_made() { lend_prop LastReceipt | grep -q '"QGR1:'; }
logged() { grep -q "$1" "$T/lendd.log"; }
journal_count() { grep -c "^$1\$" "$T/journal"; }
finish_session() { outcome dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Lend1 /io/qrgate/Lend1 io.qrgate.Lend1.Station.Finish; }
# verify_last_receipt NAME: the service's last receipt into $T/NAME, checked with the token's
# public key ($T/station.pem) into $T/NAME.verify; the verifier's exit status.
verify_last_receipt() {
	lend_prop LastReceipt | sed 's/^s "//; s/"$//' > "$T/$1"
	"$B/qrgatectl" token pubkey --module "$TOKEN_MODULE" --token pkcs11:token=qrgate > "$T/station.pem"
	"$B/qrgatectl" receipt verify --key "$T/station.pem" --file "$T/$1" > "$T/$1.verify" 2>&1
}
# lend_state_is STATE: the session's State property is STATE.
lend_state_is() { [ "$(lend_prop State)" = "s \"$1\"" ]; }
# scan TEXT: the station's scanner reads TEXT.
scan() { printf '%s\n' "$1" > "$T/desk"; }

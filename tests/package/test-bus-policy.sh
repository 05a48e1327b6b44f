#!/bin/sh
# The shipped bus policies, on a real dbus-daemon, for the lending station's calls: who may own
# io.qrgate.Lend1, and which callers reach which of its methods (systemd/io.qrgate.Lend1.dbus.conf,
# docs/lending.md); and that the lending service may call qrgated's Lending interface and nobody
# else may (systemd/io.qrgate.Gate1.dbus.conf). The services are stand-ins (bus-answer: owns a
# name, answers every call), so this judges the policy alone, before and besides the daemons'
# own checks. Needs root (other users' processes, temporary groups).
. "$(dirname "$0")/lib.sh"

HELPER=$B/tests/bus-answer
[ -x "$HELPER" ] || { not_ok "$HELPER is built (make $HELPER)"; finish; exit 1; }
[ "$(id -u)" = 0 ] || { echo "test-bus-policy: needs root"; exit 1; }

# The policies' users and groups, played by users every Debian system has and two temporary
# groups named after this run:
#   qrgate-lend → daemon (uid 1), qrgate → bin (uid 2), qrgate-ui → $UIS with member sys
#   (uid 3), qrgate-operators → $OPS with member games (uid 5); nobody (65534) is neither.
UIS=qrgate-t$$-ui
OPS=qrgate-t$$-op
# Groups left by a run that was killed (its pid is gone): a concurrent run's stay.
for g in $(getent group | cut -d: -f1 | grep -E '^qrgate-t[0-9]+-(op|ui)$'); do
	pid=${g#qrgate-t}; pid=${pid%-*}
	kill -0 "$pid" 2>/dev/null || groupdel "$g"
done
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	groupdel "$UIS" 2>/dev/null; groupdel "$OPS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
groupadd --system --users sys "$UIS" || { echo "cannot create group $UIS"; exit 1; }
groupadd --system --users games "$OPS" || { echo "cannot create group $OPS"; exit 1; }

# The policies as shipped, but for the names of their users and groups.
chmod 0755 "$T"
for p in io.qrgate.Lend1 io.qrgate.Gate1; do
	sed -e 's/user="qrgate-lend"/user="daemon"/' -e 's/user="qrgate"/user="bin"/' \
		-e "s/group=\"qrgate-ui\"/group=\"$UIS\"/" -e "s/group=\"qrgate-operators\"/group=\"$OPS\"/" \
		"$ROOT/systemd/$p.dbus.conf" >"$T/$p.conf"
done
check "the test renames every user and group of the Lend1 policy" \
	sh -c "! grep -Eq '(user|group)=\"qrgate(-lend|-ui|-operators)?\"' '$T/io.qrgate.Lend1.conf'"

# A system bus's defaults (nothing but the bus itself and replies), then the two files.
ADDR=unix:path=$T/bus.sock
cat >"$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>$ADDR</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><deny own="*"/><deny send_type="method_call"/>
<allow send_type="signal"/><allow send_requested_reply="true" send_type="method_return"/>
<allow send_requested_reply="true" send_type="error"/><allow receive_type="method_call"/>
<allow receive_type="method_return"/><allow receive_type="error"/><allow receive_type="signal"/>
<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
<allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
</policy>
<include>$T/io.qrgate.Lend1.conf</include>
<include>$T/io.qrgate.Gate1.conf</include>
</busconfig>
CONF
dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile 2>"$T/bus.log" &
PIDS="$PIDS $!"
for _ in $(seq 400); do [ -S "$T/bus.sock" ] && break; sleep 0.05; done
[ -S "$T/bus.sock" ] || { echo "dbus-daemon did not start:"; cat "$T/bus.log"; exit 1; }
chmod 0666 "$T/bus.sock"

as() { # UID CMD...: CMD as that user with its groups from the group database, as a login has
	uid=$1; shift
	setpriv --reuid="$uid" --regid="$(id -g "$uid")" --init-groups "$@"
}
# serve UID NAME: a stand-in owning NAME as UID; SERVED says "owned" or why not.
serve() {
	as "$1" "$HELPER" "$ADDR" "$2" >"$T/serve.out" 2>&1 </dev/null &
	pid=$!
	SERVED=
	for _ in $(seq 200); do
		if grep -q owned "$T/serve.out" 2>/dev/null; then PIDS="$PIDS $pid"; SERVED=owned; return; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	SERVED=$(cat "$T/serve.out")
}
# call UID DEST PATH INTERFACE METHOD [SIGNATURE ARGS...]: "ok", "denied" (the bus refused), or
# what else happened.
call() {
	uid=$1; shift
	out=$(as "$uid" busctl --address="$ADDR" call "$@" 2>&1) && { echo ok; return; }
	case $out in *"Rejected send message"*|*"Access denied"*) echo denied ;; *) echo "$out" ;; esac
}
lend() { uid=$1; shift; call "$uid" io.qrgate.Lend1 /io/qrgate/Lend1 "$@"; }

# Ownership: the name qrgated trusts is only the lending service's user's (and root's).
serve 65534 io.qrgate.Lend1
expect "nobody may not own io.qrgate.Lend1" "bus-answer: io.qrgate.Lend1: Permission denied" "$SERVED"
serve 2 io.qrgate.Lend1
expect "qrgated's user may not own io.qrgate.Lend1" "bus-answer: io.qrgate.Lend1: Permission denied" "$SERVED"
serve 5 io.qrgate.Lend1
expect "an operator may not own io.qrgate.Lend1" "bus-answer: io.qrgate.Lend1: Permission denied" "$SERVED"
serve 1 io.qrgate.Lend1
expect "the lending service's user owns io.qrgate.Lend1" owned "$SERVED"
serve 2 io.qrgate.Gate1
expect "qrgated's user owns io.qrgate.Gate1" owned "$SERVED"

# Anyone reads the state and the API, and nothing more.
expect "nobody may introspect" ok "$(lend 65534 org.freedesktop.DBus.Introspectable Introspect)"
expect "nobody may ping" ok "$(lend 65534 org.freedesktop.DBus.Peer Ping)"
expect "nobody may Get a property" ok "$(lend 65534 org.freedesktop.DBus.Properties Get ss io.qrgate.Lend1.Station State)"
expect "nobody may GetAll" ok "$(lend 65534 org.freedesktop.DBus.Properties GetAll s io.qrgate.Lend1.Station)"
expect "nobody may not Set a property" denied "$(lend 65534 org.freedesktop.DBus.Properties Set ssv io.qrgate.Lend1.Station State s x)"
for m in Finish Cancel BeginReturns BeginRenewals ReplayQueue; do
	expect "nobody may not call $m" denied "$(lend 65534 io.qrgate.Lend1.Station $m)"
done
expect "nobody may not call PatronVerified" denied "$(lend 65534 io.qrgate.Lend1.Gate PatronVerified say p-1 0)"
expect "nobody may not call a method the policy does not name" denied "$(lend 65534 io.qrgate.Lend1.Station Frobnicate)"

# The kiosk's screen: the session's buttons, not the queue, not the gate's calls.
for m in Finish Cancel BeginReturns BeginRenewals; do
	expect "the UI group may call $m" ok "$(lend 3 io.qrgate.Lend1.Station $m)"
done
expect "the UI group may not ReplayQueue" denied "$(lend 3 io.qrgate.Lend1.Station ReplayQueue)"
expect "the UI group may not call ItemScanned" denied "$(lend 3 io.qrgate.Lend1.Gate ItemScanned s 'A123')"
# Operators: the buttons and the queue.
for m in Finish Cancel BeginReturns BeginRenewals ReplayQueue; do
	expect "operators may call $m" ok "$(lend 5 io.qrgate.Lend1.Station $m)"
done
expect "operators may not call PatronVerified" denied "$(lend 5 io.qrgate.Lend1.Gate PatronVerified say p-1 0)"
# qrgated: the Gate interface, and no button.
expect "qrgated's user may call PatronVerified" ok "$(lend 2 io.qrgate.Lend1.Gate PatronVerified say p-1 0)"
expect "qrgated's user may call ItemScanned" ok "$(lend 2 io.qrgate.Lend1.Gate ItemScanned s 'A123')"
expect "qrgated's user may not call Finish" denied "$(lend 2 io.qrgate.Lend1.Station Finish)"
expect "root may call ReplayQueue" ok "$(lend 0 io.qrgate.Lend1.Station ReplayQueue)"

# The other way: the lending service's user reaches qrgated's Lending interface, nothing else
# of qrgated's that the default does not allow, and nobody else reaches Lending.
gate() { uid=$1; shift; call "$uid" io.qrgate.Gate1 /io/qrgate/Gate1 "$@"; }
expect "the lending service's user may call RecordLending" ok \
	"$(gate 1 io.qrgate.Gate1.Lending RecordLending ssssay checkout i-1 ok '' 0)"
expect "the lending service's user may not Unlock a door" denied "$(gate 1 io.qrgate.Gate1.Door Unlock)"
expect "nobody may not call RecordLending" denied "$(gate 65534 io.qrgate.Gate1.Lending RecordLending ssssay checkout i-1 ok '' 0)"
expect "the UI group may not call SignReceipt" denied "$(gate 3 io.qrgate.Gate1.Lending SignReceipt)"
finish

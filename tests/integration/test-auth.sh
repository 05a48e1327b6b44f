#!/bin/sh
# Who may open a door by hand or reload: the daemon's own check under a permissive bus, and the
# shipped bus policy on top of it.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
# The daemon takes a caller's groups from the group database, not from its process: uid 1 is an
# operator by group through its primary group "daemon" ("users", which as_group_operator's process
# holds, lists no members).
sed -i 's/operator_groups = \[ "users" \]/operator_groups = [ "users", "daemon" ]/' "$T/qrgate.conf"
grep -q '"daemon"' "$T/qrgate.conf" || { echo "write_config's bus section changed"; exit 1; }
start_bus permissive
start_daemon


# Permissive bus: everything reaches the daemon, which decides.
expect "root may Unlock" ok "$(unlock_as env)"
expect "operator by group may Unlock" ok "$(unlock_as as_group_operator)"
expect "operator by uid may Unlock" ok "$(unlock_as as_uid_operator)"
expect "the same uid without the group in its process still may" ok "$(unlock_as as_plain_user)"
expect "an operator group held by the process only does not count (permissive bus)" io.qrgate.Gate1.Error.NotAuthorized \
	"$(unlock_as setpriv --reuid=9 --regid=9 --groups=users)"
expect "another uid may not Unlock (permissive bus)" io.qrgate.Gate1.Error.NotAuthorized "$(unlock_as as_nobody)"
expect "another uid may not Reload (permissive bus)" io.qrgate.Gate1.Error.NotAuthorized "$(reload_as as_nobody)"
expect "operator may Reload" ok "$(reload_as as_group_operator)"
check "manual unlocks are logged" grep -q "manual unlock" "$T/daemon.log"
check "refusal is logged with the uid" grep -q "Refused Unlock from uid 65534" "$T/daemon.log"
sleep 0.5
# Anyone may read the state (presenting codes is for local UIs and operators: tests/security/).
expect "another uid may read LockState" 's "locked"' "$(as_nobody busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door LockState)"
stop_daemon

# The shipped bus policy: a stranger's Unlock does not even reach the daemon.
kill "$BUS_PID"; wait "$BUS_PID" 2>/dev/null; rm -f "$T/bus.sock"
start_bus policy
start_daemon
expect "bus policy: root may Unlock" ok "$(unlock_as env)"
expect "bus policy: another uid's Unlock refused by the bus" org.freedesktop.DBus.Error.AccessDenied "$(unlock_as as_nobody)"
expect "bus policy: another uid's Reload refused by the bus" org.freedesktop.DBus.Error.AccessDenied "$(reload_as as_nobody)"
expect "bus policy: anyone may read State" 's "running"' "$(as_nobody busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)"
stop_daemon

# The daemon's own uid may Reload, though it is no operator: the unit's ExecReload= runs
# `qrgatectl reload` as the service's user. Here the daemon runs as uid 1 (daemon), which this
# configuration makes no operator, in folders of its own.
kill "$BUS_PID"; wait "$BUS_PID" 2>/dev/null; rm -f "$T/bus.sock"
start_bus permissive
install -d -o 1 -g 1 -m 0700 "$T/u1" "$T/u1/state" "$T/u1/run"
cat > "$T/u1.conf" <<CONF
state_directory = "$T/u1/state";
bus: { operator_uids = [ 2 ]; };
locks = ( { id = "main"; backend = "sim"; } );
doors = ( { id = "main"; lock = "main"; scopes = [ "a" ]; } );
CONF
as_service_user() { setpriv --reuid=1 --regid=1 --clear-groups "$@"; }
# setpriv itself, not the function: a function in the background is a subshell, whose pid the
# cleanup would stop while the daemon it started ran on.
RUNTIME_DIRECTORY="$T/u1/run" setpriv --reuid=1 --regid=1 --clear-groups "$B/qrgated" --config "$T/u1.conf" --bus "$ADDR" >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
check "a daemon running as uid 1 comes up" wait_for 10 sh -c "busctl --address='$ADDR' status io.qrgate.Gate1 > /dev/null 2>&1"
expect "its own uid may Reload" ok "$(reload_as as_service_user)"
as_service_user "$B/qrgatectl" --bus "$ADDR" reload > "$T/out" 2>&1
expect "qrgatectl reload as its own uid (ExecReload=): exit 0" 0 $?
echo 'verifier: { max_lifetime = "long"; };' >> "$T/u1.conf"
as_service_user "$B/qrgatectl" --bus "$ADDR" reload > "$T/out" 2>&1
expect "qrgatectl reload of a refused file: exit 1 (systemctl reload then fails)" 1 $?
check "and every problem is said, file:line" grep -q "u1.conf:5: 'max_lifetime' in verifier must be an integer" "$T/out"
expect "its own uid may Unlock no door" io.qrgate.Gate1.Error.NotAuthorized "$(unlock_as as_service_user)"
expect "another uid may still not Reload" io.qrgate.Gate1.Error.NotAuthorized "$(reload_as as_nobody)"
expect "an operator by uid still may" io.qrgate.Gate1.Error.InvalidConfiguration "$(reload_as as_uid_operator)"
finish

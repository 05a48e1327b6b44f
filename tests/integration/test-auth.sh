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
finish

#!/bin/sh
# The daemon judges a D-Bus caller by the uid the bus recorded for its connection and by that
# uid's groups in the group database, never by what /proc/<pid> shows at call time (security
# review, issue 10). bus-call-as connects as one identity and calls as another on the same
# connection: that is what a reused PID, or a caller that changed its credentials after
# connecting, looks like to a daemon that reads /proc. Under a permissive bus policy only the
# daemon's own check stands between such a caller and the door.
. "$(dirname "$0")/../integration/lib.sh"

HELPER=$B/tests/security/bus-call-as

# Membership by the group database needs a group that lists a member, and no Debian group does
# by default: two temporary system groups, named after this run, removed at exit.
#   $OPS: operators (bus.operator_groups) with member daemon (uid 1)
#   $UIS: local UIs (bus.ui_groups) with member sys (uid 3)
# The configuration also names "users", which no account belongs to: the attacker's process holds
# it, the database does not say the attacker is in it.
OPS=qrgate-t$$-op
UIS=qrgate-t$$-ui
# Groups left by a run that was killed (its pid is gone): a concurrent run's stay.
for g in $(getent group | cut -d: -f1 | grep -E '^qrgate-t[0-9]+-(op|ui)$'); do
	pid=${g#qrgate-t}; pid=${pid%-*}
	kill -0 "$pid" 2>/dev/null || groupdel "$g"
done
trap 'groupdel "$OPS" 2>/dev/null; groupdel "$UIS" 2>/dev/null; cleanup' EXIT
groupadd --system --users daemon "$OPS" || { echo "cannot create group $OPS"; exit 1; }
groupadd --system --users sys "$UIS" || { echo "cannot create group $UIS"; exit 1; }

make_issuer
write_config "$T/qrgate.conf"
# Operators: root, uid 2 (bin), members of $OPS (daemon). UIs: uid 5 (games), members of $UIS
# (sys) and of lp by primary group (lp, uid 7). Nobody (65534) and news (9) are neither.
sed -i "s|^bus: .*|bus: { operator_groups = [ \"users\", \"$OPS\" ]; operator_uids = [ 2 ]; ui_groups = [ \"$UIS\", \"lp\" ]; ui_uids = [ 5 ]; };|" "$T/qrgate.conf"
grep -q "$UIS" "$T/qrgate.conf" || { echo "the bus section of write_config's file changed"; exit 1; }

# attack CONNECT CALL METHOD: the helper's answer, or what went wrong (never "ok" by accident).
attack() { out=$("$HELPER" "$ADDR" "$@" 2>"$T/helper.err") || out="failed: $(cat "$T/helper.err")"; echo "$out"; }

start_bus permissive
start_daemon

# A reused PID: nobody's connection, an operator by group (uid 1 with "users") in /proc now.
expect "nobody's connection, Unlock by a process now in an operator group" io.qrgate.Gate1.Error.NotAuthorized \
	"$(attack nobody daemon:users unlock)"
expect "nobody's connection, Reload by a process now in an operator group" io.qrgate.Gate1.Error.NotAuthorized \
	"$(attack nobody daemon:users reload)"
# The same with an operator by uid and with root in /proc now. (sd-bus 252 takes the effective uid
# from the bus even with SD_BUS_CREDS_AUGMENT, so the old check already refused the first: kept
# for an sd-bus that would fill it from /proc.)
expect "nobody's connection, Unlock by a process now operator uid 2" io.qrgate.Gate1.Error.NotAuthorized \
	"$(attack nobody bin unlock)"
expect "nobody's connection, SubmitCode by a process now root" io.qrgate.Gate1.Error.NotAuthorized \
	"$(attack nobody root submit)"
# A caller that takes an operator group after connecting, without changing its uid.
expect "a UI's connection, Unlock after taking an operator group" io.qrgate.Gate1.Error.NotAuthorized \
	"$(attack games games:users unlock)"
# The control: what counts is the connection, so an operator's connection may call whatever the
# process has become since (and the helper can make a call succeed).
expect "an operator's connection may Unlock, whoever the process is now" ok "$(attack daemon nobody unlock)"
check "refusals are logged with the connection's uid" grep -q "Refused Unlock from uid 65534" "$T/daemon.log"
check "refused Reload logged" grep -q "Refused Reload from uid 65534" "$T/daemon.log"

# The operators still may, and group membership is the database's, not the process's.
expect "root may Unlock" ok "$(unlock_as env)"
expect "operator by group may Unlock" ok "$(unlock_as as_group_operator)"
expect "operator by group may Unlock without the group in its process" ok "$(unlock_as as_plain_user)"
expect "operator by uid may Unlock" ok "$(unlock_as as_uid_operator)"
expect "operator by group may Reload" ok "$(reload_as as_group_operator)"
expect "root may Reload" ok "$(reload_as env)"
expect "an operator group held by the process only does not count" io.qrgate.Gate1.Error.NotAuthorized \
	"$(unlock_as setpriv --reuid=9 --regid=9 --groups=users)"
expect "nobody may not Unlock" io.qrgate.Gate1.Error.NotAuthorized "$(unlock_as as_nobody)"

# SubmitCode: local UIs and operators only, whatever the bus policy lets through.
expect "nobody may not SubmitCode (permissive bus)" io.qrgate.Gate1.Error.NotAuthorized "$(submit_as as_nobody)"
check "refused SubmitCode logged with the uid" grep -q "Refused SubmitCode from uid 65534" "$T/daemon.log"
expect "a UI group held by the process only does not count" io.qrgate.Gate1.Error.NotAuthorized \
	"$(submit_as setpriv --reuid=9 --regid=9 --groups="$UIS")"
expect "UI group member (group database) gets a decision" ok "$(submit_as setpriv --reuid=3 --regid=3 --clear-groups)"
expect "UI group member (primary group) gets a decision" ok "$(submit_as setpriv --reuid=7 --regid=7 --clear-groups)"
expect "UI uid gets a decision" ok "$(submit_as setpriv --reuid=5 --regid=60 --clear-groups)"
expect "operator gets a decision" ok "$(submit_as as_uid_operator)"
expect "root gets a decision" 'ss "denied" "unsupported-format"' \
	"$(busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager SubmitCode ss main not-a-code 2>&1)"
check "daemon still running" kill -0 "$DAEMON_PID"
stop_daemon

# The shipped bus policy, with its two groups renamed to this run's. dbus-daemon judges its
# group="" rules by the groups the process held when it connected (SO_PEERGROUPS), the daemon by
# the group database: a member passes both when its process has its groups (--init-groups, as a
# login gives), and a reused PID is stopped by the bus already.
kill "$BUS_PID"; wait "$BUS_PID" 2>/dev/null; rm -f "$T/bus.sock"
mkdir -p "$T/policy/systemd"
sed -e "s/group=\"qrgate-ui\"/group=\"$UIS\"/" -e "s/group=\"qrgate-operators\"/group=\"$OPS\"/" \
	"$ROOT/systemd/io.qrgate.Gate1.dbus.conf" > "$T/policy/systemd/io.qrgate.Gate1.dbus.conf"
check "the policy names both groups" test "$(grep -c "group=\"qrgate-t$$-" "$T/policy/systemd/io.qrgate.Gate1.dbus.conf")" -eq 2
shipped_root=$ROOT
ROOT=$T/policy
start_bus policy
ROOT=$shipped_root
start_daemon
expect "bus policy: UI group member gets a decision" ok "$(submit_as setpriv --reuid=3 --regid=3 --init-groups)"
expect "bus policy: operator by group may Unlock" ok "$(unlock_as setpriv --reuid=1 --regid=1 --init-groups)"
expect "bus policy: nobody's SubmitCode refused by the bus" org.freedesktop.DBus.Error.AccessDenied "$(submit_as as_nobody)"
expect "bus policy: nobody's connection, Unlock by a process now in an operator group" \
	org.freedesktop.DBus.Error.AccessDenied "$(attack nobody daemon:"$OPS" unlock)"
# The bus lets a process through that holds the UI group without being a member; the daemon does not.
expect "bus policy: a UI group held by the process only passes the bus, not the daemon" io.qrgate.Gate1.Error.NotAuthorized \
	"$(submit_as setpriv --reuid=9 --regid=9 --groups="$UIS")"
finish

#!/bin/bash
# The shipped bus policy refuses Unlock from a user who is not in qrgate-operators: the system
# bus itself answers org.freedesktop.DBus.Error.AccessDenied and the call never reaches qrgated
# (which would answer io.qrgate.Gate1.Error.NotAuthorized and log the refusal). The same user
# may read the door's state, so the refusal is the policy's, not an unreachable daemon.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
STRANGER=hw-stranger
sim_create
qrgated_setup
mkdir -p /run/sysusers.d
echo "u $STRANGER - \"qrgate bench stranger\"" >/run/sysusers.d/hw-stranger.conf
systemd-sysusers /run/sysusers.d/hw-stranger.conf
qrgated_start
cursor=$(journal_cursor)
hw_pass "$(id $STRANGER)"
[[ " $(as_user $STRANGER id -nG) " != *" qrgate-operators "* ]] || hw_fail "$STRANGER is in qrgate-operators"

hw_step "the stranger may read the door's state"
expect_eq "$(as_user $STRANGER busctl --system get-property io.qrgate.Gate1 "$DOOR_PATH" io.qrgate.Gate1.Door LockState)" \
	's "locked"' "LockState read by $STRANGER"

hw_step "busctl call ... Unlock as $STRANGER"
rc=0
as_user $STRANGER busctl --system call io.qrgate.Gate1 "$DOOR_PATH" io.qrgate.Gate1.Door Unlock u "$UNLOCK_MS" \
	>"$HW_TMP/busctl.out" 2>&1 || rc=$?
[ $rc -ne 0 ] || hw_fail "Unlock by $STRANGER succeeded"
# busctl prints an error it knows by its errno: AccessDenied is EACCES. qrgated's own refusal
# (io.qrgate.Gate1.Error.NotAuthorized) would print its message instead.
expect_eq "$(cat "$HW_TMP/busctl.out")" "Call failed: Access denied" "busctl's error (exit status $rc)"

hw_step "the error name (dbus-send prints it)"
rc=0
as_user $STRANGER dbus-send --system --print-reply --dest=io.qrgate.Gate1 "$DOOR_PATH" \
	io.qrgate.Gate1.Door.Unlock uint32:"$UNLOCK_MS" >"$HW_TMP/dbus-send.out" 2>&1 || rc=$?
cat "$HW_TMP/dbus-send.out"
[ $rc -ne 0 ] || hw_fail "Unlock by $STRANGER succeeded"
expect_eq "$(sed -n 's/^Error \([^:]*\):.*/\1/p' "$HW_TMP/dbus-send.out")" org.freedesktop.DBus.Error.AccessDenied "error name"
grep -q "^Error [^:]*: Rejected send message" "$HW_TMP/dbus-send.out" || hw_fail "the error is not the bus policy's"
hw_pass "the system bus rejected the message (its policy's words)"

hw_step "nothing reached the daemon or the lock"
hw_sleep_ms $((UNLOCK_MS / 2))
expect_value lock-relay 0 "lock-relay"
journalctl --no-pager -o cat -u "$UNIT" --after-cursor="$cursor" >"$HW_TMP/journal"
! grep -E "Refused Unlock|manual unlock" "$HW_TMP/journal" || hw_fail "the call reached qrgated"
hw_pass "qrgated logged no Unlock call"

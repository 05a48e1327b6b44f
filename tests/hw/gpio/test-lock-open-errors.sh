#!/bin/bash
# Opening fails with the errno hal/lock.h documents, and a failed open touches no line.
. "$HW_LIB"
sim_create

hw_step "no such line name"
expect_eq "$(ld_run_once --line-name no-such-line)" "error open: ENODEV" "unknown line name"
hw_step "no such chip"
expect_eq "$(ld_run_once --chip no-such-chip --offset 0)" "error open: ENODEV" "unknown chip"
hw_step "offset beyond the chip"
expect_eq "$(ld_run_once --chip "$SIM_DOOR_LABEL" --offset 8)" "error open: ENODEV" "offset 8 of 8 lines"
hw_step "name not on the given chip"
expect_eq "$(ld_run_once --chip "$SIM_AUX_LABEL" --line-name lock-relay)" "error open: ENODEV" "lock-relay on qrgate-aux"

hw_step "no permission on the chips (devtmpfs makes them root's, 0600)"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
expect_eq "$(as_nobody "$LOCK_DRIVE" --chip "/dev/$SIM_DOOR_CHIP" --offset 4 </dev/null 2>&1 | head -n1)" \
	"error open: EACCES" "chip by path, as nobody"
expect_eq "$(as_nobody "$LOCK_DRIVE" --chip "$SIM_DOOR_LABEL" --offset 4 </dev/null 2>&1 | head -n1)" \
	"error open: EACCES" "chip by label, as nobody"
expect_eq "$(as_nobody "$LOCK_DRIVE" --line-name lock-relay </dev/null 2>&1 | head -n1)" \
	"error open: EACCES" "line by name, as nobody"
hw_step "access to the door chip only, through its group (as the unit's SupplementaryGroups=)"
chgrp nogroup "/dev/$SIM_DOOR_CHIP"
chmod 0660 "/dev/$SIM_DOOR_CHIP"
expect_eq "$(as_nobody "$LOCK_DRIVE" --line-name lock-relay </dev/null 2>&1 | head -n1)" \
	"ready locked" "line by name, the first chip being root's"
expect_eq "$(as_nobody "$LOCK_DRIVE" --chip "$SIM_DOOR_LABEL" --offset 4 </dev/null 2>&1 | head -n1)" \
	"ready locked" "chip by label, the first chip being root's"
expect_value lock-relay 0 "released after that lock-drive's end of input"

hw_step "line already in use"
ld_start --line-name lock-relay
ld_cmd unlock "ok unlocked"
expect_eq "$(ld_run_once --line-name lock-relay)" "error open: EBUSY" "second request of lock-relay"
expect_value lock-relay 1 "the first holder's level survived the failed request"
ld_stop TERM
expect_value lock-relay 0 "released after the first holder ended"

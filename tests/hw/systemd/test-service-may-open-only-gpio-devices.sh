#!/bin/bash
# Device access is limited to what the daemon needs: the unit's DevicePolicy=closed and
# DeviceAllow=char-gpiochip make the kernel (the cgroup's device filter) refuse every other
# device node to the service's processes, even to root, whatever the file modes say. A root
# shell moved into qrgated.service's cgroup may open the GPIO chips but not /dev/kmsg or
# /dev/ttyS0; the same opens outside the cgroup succeed, so the refusal is the unit's.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
sim_create
qrgated_setup
qrgated_start
cg=/sys/fs/cgroup$(unit_show ControlGroup)
echo "DevicePolicy=$(unit_show DevicePolicy) DeviceAllow=$(unit_show DeviceAllow | paste -sd ';')"
[ -f "$cg/cgroup.procs" ] || hw_fail "no cgroup $cg"

# try_open WHERE DEVICE: prints "ok" or the shell's error for a read-only open of DEVICE, from
# a subshell that is first moved into the unit's cgroup when WHERE is "unit".
try_open() {
	(
		[ "$1" != unit ] || echo "$BASHPID" >"$cg/cgroup.procs"
		exec 3<"$2" && echo ok
	) 2>&1 | sed 's/.*: //'
}

for dev in /dev/$SIM_AUX_CHIP /dev/$SIM_DOOR_CHIP; do
	expect_eq "$(try_open unit "$dev")" ok "open $dev in $UNIT's cgroup"
done
for dev in /dev/kmsg /dev/ttyS0; do
	[ -c "$dev" ] || hw_fail "no $dev in the guest"
	expect_eq "$(try_open host "$dev")" ok "open $dev outside the unit"
	expect_eq "$(try_open unit "$dev")" "Operation not permitted" "open $dev in $UNIT's cgroup"
done
expect_eq "$(unit_show ActiveState)/$(unit_show SubState)" active/running "the unit afterwards"

#!/bin/bash
# qrgated.service, installed and started as shipped, reaches READY: systemctl start returns
# only once the daemon sent READY=1 (Type=notify), the unit is active/running with the status
# text the daemon sent, its main process is qrgated running as the sysusers user qrgate with
# group gpio, it owns io.qrgate.Gate1 on the system bus, and it holds the lock line at the safe
# level (the pull is set to the unsafe level, so a line nobody drives would read 1).
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
sim_create
qrgated_setup
sim_pull lock-relay up
qrgated_start

hw_step "the unit's state"
expect_eq "$(unit_show Type)" notify "Type"
expect_eq "$(unit_show ActiveState)/$(unit_show SubState)" active/running "ActiveState/SubState"
status=$(unit_show StatusText)
[[ $status == "Running: 1 doors, 1 issuer keys" ]] || hw_fail "StatusText is '$status'"
hw_pass "StatusText: $status"
expect_eq "$(unit_show NRestarts)" 0 "NRestarts"
expect_eq "$(unit_show WatchdogUSec)" 10s "WatchdogUSec (shipped)"

hw_step "the main process"
pid=$(unit_show MainPID)
[ "$pid" -gt 0 ] || hw_fail "MainPID is $pid"
expect_eq "$(readlink /proc/"$pid"/exe)" /usr/local/sbin/qrgated "MainPID $pid runs"
expect_eq "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "/usr/local/sbin/qrgated --config /etc/qrgate/qrgate.conf " "its command line"
expect_eq "$(stat -c %U /proc/"$pid")" qrgate "its user"
groups=$(awk '/^Groups:/ { $1 = ""; print }' /proc/"$pid"/status)
[[ " $groups " == *" $(getent group gpio | cut -d: -f3) "* ]] || hw_fail "main process groups '$groups' lack gpio"
hw_pass "its supplementary groups include gpio:$groups"
expect_eq "$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)" "/system.slice/$UNIT" "its cgroup"
expect_eq "$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)" 0000000000000000 "its effective capabilities"

hw_step "on the system bus"
owner=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
	GetConnectionUnixProcessID s io.qrgate.Gate1)
expect_eq "$owner" "u $pid" "process owning io.qrgate.Gate1"
expect_eq "$(busctl --system get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)" \
	's "running"' "Manager.State"

hw_step "the lock"
expect_value lock-relay 0 "lock-relay (pull up) with qrgated.service running"

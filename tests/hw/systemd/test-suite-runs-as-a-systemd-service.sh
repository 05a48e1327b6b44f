#!/bin/bash
# Systemd mode works: systemd is PID 1, this suite runs as a system service, the system bus
# answers, sysusers ran, and gpio-sim works under systemd as it does under busybox. The daemon's
# unit tests (READY, watchdog, ExecStopPost, bus policy, devices) are next to this file.
. "$HW_LIB"

expect_eq "$(cat /proc/1/comm)" systemd "PID 1"
expect_eq "$(sed -n 's|^0::.*/||p' /proc/self/cgroup)" qrgate-hw-suite.service "unit (cgroup) running this test"
expect_eq "$(systemctl is-active qrgate-hw-suite.service || true)" activating "suite service state"
expect_eq "$(systemctl is-active systemd-journald.service || true)" active "journald"
expect_eq "$(systemctl is-active systemd-sysusers.service || true)" active "sysusers"
id=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId)
[[ $id == s\ \"* ]] || hw_fail "system bus GetId answered '$id'"
hw_pass "system bus answers GetId: $id"

sim_create
sim_pull door-contact up
expect_value door-contact 1 "gpio-sim pull under systemd"
ld_start --line-name lock-relay
ld_cmd unlock "ok unlocked"
expect_value lock-relay 1 "lock-drive under systemd"
ld_stop TERM

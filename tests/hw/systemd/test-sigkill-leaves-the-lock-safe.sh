#!/bin/bash
# After a SIGKILL the lock line is back at its safe level within 1 s. A killed daemon cannot
# drive its lock, so the unit's ExecStopPost (qrgated --safe-state) does. gpio-sim returns a
# released line to its pull, and the pull is at the unsafe level here, so the line's value
# afterwards proves nothing; the kernel's trace does: the ExecStopPost process must set the
# safe level (0) less than 1 s after the kernel generated the SIGKILL. The daemon is killed
# while the door is open (an operator Unlock of 30 s), so that level is a change, not a repeat.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
# Besides the line's levels, the trace records the kill and, to say where the time went, when
# the killed daemon exited and when the ExecStopPost process started.
EVENTS="signal/signal_generate sched/sched_process_exit sched/sched_process_exec"
trace_events() { local e; for e in $EVENTS; do echo "$1" >"$HW_TRACE/events/$e/enable"; done; }
sim_create
qrgated_setup
trap 'trace_events 0; qrgated_cleanup' EXIT
sim_pull lock-relay up
qrgated_start
pid=$(unit_show MainPID)
expect_value lock-relay 0 "lock-relay (pull up) with the daemon running"

hw_step "the door is open when the daemon is killed"
busctl --system call io.qrgate.Gate1 "$DOOR_PATH" io.qrgate.Gate1.Door Unlock u 30000
wait_value lock-relay 1 5000
expect_value lock-relay 1 "lock-relay after Unlock"
cursor=$(journal_cursor)
gpio_trace_start
trace_events 1
systemctl kill -s KILL "$UNIT"
wait_restarted "$pid" 30000
trace_events 0
hw_pass "restarted as $RESTARTED_PID"
expect_eq "$(unit_show NRestarts)" 1 "NRestarts"

hw_step "what the kernel recorded"
awk '/signal_generate: sig=9 /' "$HW_TRACE/trace"
killed=$(awk -v pid="$pid" '/signal_generate: sig=9 / && $0 ~ (" pid=" pid " ") { sub(":", "", $4); print $4; exit }' "$HW_TRACE/trace")
[ -n "$killed" ] || hw_fail "no SIGKILL to $pid in the trace"
gpio_trace_sets lock-relay | tee "$HW_TMP/sets"

# The ExecStopPost process: the one that logged the --safe-state line after the kill (the
# killed daemon never got to log it; the restarted one logs its start instead). After the
# restart the unit's ExecStopPost property no longer holds its PID.
post=$(journalctl -o export -u "$UNIT" --after-cursor="$cursor" |
	awk -F= '/^$/ { if (m == "Lock main: locked (safe state).") { print p; exit } m = p = "" }
		$1 == "_PID" { p = $2 } $1 == "MESSAGE" { m = substr($0, 9) }')
[ -n "$post" ] || hw_fail "no 'Lock main: locked (safe state).' in the journal after the kill"
if [ "$post" = "$pid" ] || [ "$post" = "$RESTARTED_PID" ]; then
	hw_fail "process $post is a main process, not ExecStopPost"
fi
hw_pass "ExecStopPost ran as process $post (it logged 'Lock main: locked (safe state).')"

read -r at level < <(awk -v task="-$post" '$2 ~ (task "$") { t = $1; l = $3 } END { if (t != "") print t, l }' "$HW_TMP/sets") ||
	hw_fail "process $post set no level on lock-relay"
expect_eq "$level" 0 "last level set on lock-relay by ExecStopPost (process $post)"
ms_after_kill() { awk -v a="$1" -v k="$killed" 'BEGIN { printf "%d", (a - k) * 1000 }'; }
exited=$(awk -v pid="$pid" '/sched_process_exit: / && $0 ~ (" pid=" pid " ") { sub(":", "", $4); print $4; exit }' "$HW_TRACE/trace")
execd=$(awk -v pid="$post" '/sched_process_exec: / && $0 ~ (" pid=" pid " ") { sub(":", "", $4); print $4; exit }' "$HW_TRACE/trace")
echo "after the SIGKILL: daemon exited +$(ms_after_kill "${exited:-$killed}") ms," \
	"ExecStopPost started +$(ms_after_kill "${execd:-$killed}") ms, safe level set +$(ms_after_kill "$at") ms"
delay_ms=$(ms_after_kill "$at")
if [ "$delay_ms" -lt 0 ] || [ "$delay_ms" -ge 1000 ]; then
	hw_fail "ExecStopPost set the safe level $delay_ms ms after the SIGKILL (kill at $killed, set at $at)"
fi
hw_pass "safe level set $delay_ms ms after the SIGKILL (kill at $killed s, set at $at s)"
expect_value lock-relay 0 "lock-relay under the restarted daemon"

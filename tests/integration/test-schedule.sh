#!/bin/sh
# Opening hours through the real daemon on a private bus: a door outside its schedule refuses a
# valid code with outside-schedule and does not use it up; a reload that opens the schedule lets
# the same code in; the door's ScheduleOpen and ScheduleNextChange say when, and change with a
# PropertiesChanged signal at the second the window ends. The daemon runs with TZ=UTC, so that
# the test's arithmetic is the daemon's.
. "$(dirname "$0")/lib.sh"
export TZ=UTC

# Not across midnight: "today" must stay today for the length of the test.
left=$(( 86400 - $(date -u +%s) % 86400 ))
[ "$left" -lt 40 ] && sleep "$left"
today=$(date -u +%F)
day=$(date -u +%a | tr 'A-Z' 'a-z')
midnight=$(( $(date -u +%s) / 86400 * 86400 + 86400 ))

door_prop() { busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door "$1" 2>&1; }
# schedules TEXT: the configuration with door main on schedule "hours", and TEXT as the schedules.
schedules() {
	write_config "$T/qrgate.conf" "schedules = ( $1 );"
	sed -i 's|^doors = ( { id = "main"; \(.*\) } );|doors = ( { id = "main"; \1 schedule = "hours"; } );|' "$T/qrgate.conf"
}

make_issuer
# Every day, all day, but today is a holiday.
schedules "{ id = \"hours\"; windows = [ \"daily 00:00-24:00\" ]; holidays = [ \"$today\" ]; }"
check "a configuration with a schedule is valid" "$B/qrgatectl" check-config "$T/qrgate.conf"
start_bus permissive
start_daemon

expect "ScheduleOpen false on a holiday" "b false" "$(door_prop ScheduleOpen)"
expect "ScheduleNextChange: the end of the holiday" "t $midnight" "$(door_prop ScheduleNextChange)"
check "qrgatectl status shows the door closed by its schedule, until when" sh -c \
	"'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'door main: locked, closed by schedule until $(date -d "@$midnight" '+%Y-%m-%d %H:%M:%S %Z')'"
code=$(mint --sub p-1 --scope library.lend --ttl 100)
expect "a valid code outside the schedule" "denied outside-schedule" "$(ctl submit "$code")"
expect "and again: it was not used up" "denied outside-schedule" "$(ctl submit "$code")"
check "the refusal says which schedule" grep -q "door main: denied outside-schedule: door main is closed now by schedule hours" "$T/daemon.log"

# Today the windows of "short" apply instead: from a minute ago until 4 s from now.
dbus-monitor --address "$ADDR" "type='signal',interface='org.freedesktop.DBus.Properties',path='/io/qrgate/Gate1/door/main'" > "$T/monitor" 2>&1 &
now=$(date -u +%s)
end=$((now + 4))
hm() { date -u -d "@$1" +%H:%M:%S; }
schedules "{ id = \"hours\"; windows = [ \"daily 00:00-24:00\" ]; holidays = [ \"$today short\" ]; },
           { id = \"short\"; windows = [ \"$day $(hm $((now - 60)))-$(hm $end)\" ]; }"
expect "reload" "configuration reloaded" "$(ctl reload)"
expect "ScheduleOpen true within the holiday's window" "b true" "$(door_prop ScheduleOpen)"
expect "ScheduleNextChange: the window's end" "t $end" "$(door_prop ScheduleNextChange)"
check "qrgatectl status shows the door open by its schedule, until its end" sh -c \
	"'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'door main: locked, open by schedule until $(date -d "@$end" '+%Y-%m-%d %H:%M:%S %Z')'"
expect "the same code now opens the door" "granted" "$(ctl submit "$code")"

check "the window ends on time" wait_for 8 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door ScheduleOpen)\" = 'b false' ]"
check "no sooner than its end" test "$(date -u +%s)" -ge "$end"
check "PropertiesChanged ScheduleOpen is signalled" wait_for 3 grep -q '"ScheduleOpen"' "$T/monitor"
check "and carries the new state, false" sh -c "grep -A1 '\"ScheduleOpen\"' '$T/monitor' | grep -q 'boolean false'"
check "with ScheduleNextChange" grep -q '"ScheduleNextChange"' "$T/monitor"
expect "after it, the holiday is closed until midnight" "t $midnight" "$(door_prop ScheduleNextChange)"
expect "a new code after the window's end" "denied outside-schedule" "$(ctl submit "$(mint --sub p-2 --scope library.lend)")"

# A door without a schedule is always open, as before schedules existed.
write_config "$T/qrgate.conf"
expect "reload without a schedule" "configuration reloaded" "$(ctl reload)"
expect "ScheduleOpen true without a schedule" "b true" "$(door_prop ScheduleOpen)"
expect "ScheduleNextChange 0 without a schedule" "t 0" "$(door_prop ScheduleNextChange)"
check "qrgatectl status shows no schedule for it" sh -c "'$B/qrgatectl' --bus '$ADDR' status | grep -qx 'door main: locked'"
expect "a code is granted" "granted" "$(ctl submit "$(mint --sub p-3 --scope library.lend)")"

# A window that does not parse is refused with its line; the running configuration stays.
schedules "{ id = \"hours\"; windows = [ \"weekdays 07:00-19:00\" ]; }"
ctl reload > "$T/reload.out" 2>&1
check "a malformed window is refused with file:line" grep -q 'qrgate.conf:[0-9]*: window "weekdays 07:00-19:00" of schedule .hours. must start with days' "$T/reload.out"
expect "the running configuration stays" "b true" "$(door_prop ScheduleOpen)"

check "qrgated stops cleanly" stop_daemon
finish

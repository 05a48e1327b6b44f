#!/bin/sh
# The reader's lights and buzzer through the real daemon, on sim outputs (files that receive '1'
# and '0' at each change): every output is off at start; a refusal plays the denial pattern,
# already begun when SubmitCode answers (the same event-loop turn as the decision); a grant the
# granted pattern; an alarm loops its pattern until it is cleared; the outputs are in the
# record of held lines; a clean stop leaves them off, and after a SIGKILL `qrgated --safe-state`
# (the unit's ExecStopPost) drives them off; a door out of service repeats its pattern.
. "$(dirname "$0")/lib.sh"

make_issuer
make_token
cat > "$T/qrgate.conf" <<CONF
state_directory = "$T/state";
issuers = ( { id = "city"; keys = ( { kid = "k1"; file = "$T/city.pub"; } ); } );
locks = ( { id = "main"; backend = "sim"; output = "$T/relay"; } );
doors = ( { id = "main"; lock = "main"; unlock_ms = 400; scopes = [ "library.lend" ];
            contact = { backend = "sim"; input = "$T/contact"; }; debounce_ms = 0;
            feedback = {
                    green = { backend = "sim"; output = "$T/green"; };
                    red = { backend = "sim"; output = "$T/red"; };
                    buzzer = { backend = "sim"; output = "$T/buzzer"; };
                    granted = "g:300";
                    denied = "rb:200 -:100 r:200";
                    alarm = "rb:150 -:150";
            }; } );
token: { module = "$TOKEN_MODULE"; uri = "pkcs11:token=qrgate"; pin_file = "$T/token/pin"; };
CONF
start_bus permissive
start_daemon

levels() { cat "$T/$1"; }
last_is() { [ "$(tail -c 1 "$T/$1")" = "$2" ]; }
all_off() { last_is green 0 && last_is red 0 && last_is buzzer 0; }

expect "at start: green off" 0 "$(levels green)"
expect "at start: red off" 0 "$(levels red)"
expect "at start: buzzer off" 0 "$(levels buzzer)"
check "record of held lines names the lights and buzzer" \
	sh -c "grep -q 'id=main.green' '$T/run/held-locks' && grep -q 'id=main.red' '$T/run/held-locks' && grep -q 'id=main.buzzer' '$T/run/held-locks'"

# A refusal: the pattern has begun by the time the answer comes.
expect "denied" "denied scope" "$(ctl submit "$(mint --sub p-fb-1 --scope pool.enter)")"
expect "denial shown with the decision: red on" 01 "$(levels red)"
expect "denial shown with the decision: buzzer on" 01 "$(levels buzzer)"
red_is() { [ "$(levels red)" = "$1" ]; }
check "denied: red rb, -, r, then off" wait_for 3 red_is 01010
check "denial pattern ends" all_off
expect "denied: buzzer rb, then off" 010 "$(levels buzzer)"
expect "denied: green untouched" 0 "$(levels green)"

expect "granted" granted "$(ctl submit "$(mint --sub p-fb-2 --scope library.lend)")"
expect "grant shown with the decision: green on" 01 "$(levels green)"
check "granted pattern ends" wait_for 3 last_is green 0
expect "granted: green once" 010 "$(levels green)"
expect "granted: red untouched" 01010 "$(levels red)"

# An alarm loops its pattern while it is raised (once the pulse is over: an opening before is
# a valid passage).
check "relocked after the pulse" wait_for 3 sh -c "[ \"\$(tail -c 1 '$T/relay')\" = 0 ]"
printf 1 > "$T/contact"
check "alarm: the pattern repeats" wait_for 3 sh -c "[ \$(tr -cd 1 < '$T/red' | wc -c) -ge 5 ]"
printf 0 > "$T/contact"
check "alarm cleared: all off" wait_for 3 all_off
n=$(wc -c < "$T/red")
sleep 0.5
expect "alarm cleared: the pattern stopped" "$n" "$(wc -c < "$T/red")"

# A clean stop in the middle of the alarm pattern: off.
printf 1 > "$T/contact"
check "alarm again" wait_for 3 last_is red 1
stop_daemon
expect "stopped cleanly" 0 $?
check "clean stop: all off" all_off

# SIGKILL in the middle of a pattern, then the safety net.
start_daemon
printf 1 > "$T/contact"  # open at start, or opened now: forced-open either way
check "SIGKILL case: red on" wait_for 3 last_is red 1
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
check "after SIGKILL: red left on (the control case)" last_is red 1
"$B/qrgated" --config "$T/qrgate.conf" --safe-state > "$T/safe-state.log" 2>&1
expect "qrgated --safe-state" 0 $?
check "after --safe-state: all off" all_off
check "after --safe-state: the record is gone" test ! -e "$T/run/held-locks"

# A door whose lock cannot be opened is out of service: its pattern repeats for as long.
sed -i "s|backend = \"sim\"; output = \"$T/relay\";|backend = \"gpiod\"; line_name = \"qrgate-no-such-line\";|; s|alarm = \"rb:150 -:150\";|alarm = \"rb:150 -:150\"; out_of_service = \"r:100 -:100\";|" "$T/qrgate.conf"
: > "$T/red"
start_daemon
check "out of service: the red pattern repeats" wait_for 3 sh -c "[ \$(tr -cd 1 < '$T/red' | wc -c) -ge 3 ]"
expect "out of service: a code is refused" "denied door-out-of-service" "$(ctl submit "$(mint --sub p-fb-3 --scope library.lend)")"
stop_daemon
check "out of service, stopped: all off" all_off
finish

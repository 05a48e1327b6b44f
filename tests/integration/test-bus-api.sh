#!/bin/sh
# The D-Bus API on a private bus against the real daemon: documented interface = live one,
# properties and PropertiesChanged, the Decision signal, named errors, hostile arguments.
. "$(dirname "$0")/lib.sh"

make_issuer
# An area, so that its object is there to introspect; a lending station, for its door and the
# Lending interface.
EXTRA_DOORS="$STATION_DOORS" EXTRA_SOURCES="$STATION_SOURCES" write_config "$T/qrgate.conf" "areas = ( { id = \"hall\"; } );
$STATION_CONF"
start_bus permissive
start_daemon

# The checked-in XML documents exactly what the daemon publishes.
members() { # normalize an introspection document to "kind name type direction" lines
	tr -d '\\' | sed -n '/<interface name="io.qrgate/,/<\/interface>/p' |
		sed -n 's/.*<\(interface\|method\|signal\|property\) name="\([^"]*\)"\( type="\([^"]*\)"\)\?.*/\1 \2 \4/p;
		        s/.*<arg type="\([^"]*\)" name="\([^"]*\)"\( direction="\([^"]*\)"\)\?.*/arg \2 \1 \4/p'
}
{ busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 org.freedesktop.DBus.Introspectable Introspect
  busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1/door/main org.freedesktop.DBus.Introspectable Introspect
  busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1/area/hall org.freedesktop.DBus.Introspectable Introspect
  busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1/source/scan0 org.freedesktop.DBus.Introspectable Introspect
} | sed 's/\\n/\n/g' | members > "$T/live"
members < "$ROOT/docs/io.qrgate.Gate1.xml" > "$T/documented"
check "documented API equals live introspection" diff -u "$T/documented" "$T/live"
check "documented API is not empty" test "$(wc -l < "$T/live")" -gt 15

expect "Version: the one in VERSION" "s \"$(cat "$ROOT/VERSION")\"" "$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager Version)"
expect "State running" 's "running"' "$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)"
expect "Doors" 'as 2 "main" "lend"' "$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager Doors)"
expect "door locked at start" 's "locked"' "$(lock_state)"
check "token comes up" wait_for 10 sh -c "[ \"\$(busctl --address='$ADDR' get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager TokenPresent)\" = 'b true' ]"
expect "TokenState present" 's "present"' "$(mgr_prop TokenState)"
expect "no DCC trust list configured" 'u 0' "$(mgr_prop DccTrustListKeys)"

# Watch signals while codes are presented.
ctl watch > "$T/watch" 2>"$T/watch.err" &
WATCH=$!
for _ in $(seq 100); do [ -s "$T/watch.err" ] && break; sleep 0.05; done

code=$(mint --sub p-1 --scope building.A.enter)
expect "valid code granted" "granted" "$(ctl submit --door main "$code")"
expect "door unlocked after grant" 's "unlocked"' "$(lock_state)"
sleep 0.6
expect "door relocked within 200 ms of the end of its 400 ms pulse" 's "locked"' "$(lock_state)"
expect "same code again is replayed" "denied replayed" "$(ctl submit --door main "$code")"
expect "code for another building: scope" "denied scope" "$(ctl submit --door main "$(mint --sub p-2 --scope pool.enter)")"
expect "red status refused" "denied status" "$(ctl submit --door main "$(mint --sub p-3 --scope library.lend --status red)")"
"$B/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/forger" > /dev/null
forged=$("$B/qrgate-issue" mint --key "$T/forger.key" --kid k1 --iss city --sub p-1 --scope library.lend)
expect "forged code naming p-1" "denied bad-signature" "$(ctl submit --door main "$forged")"

# Codes through the FIFO, including garbage a scanner may deliver.
printf 'garbage\r\n' > "$T/scan0"
head -c 9000 /dev/zero | tr '\0' 'A' > "$T/long"; echo >> "$T/long"; cat "$T/long" > "$T/scan0"
mint --sub p-4 --scope library.lend > "$T/scan0"
sleep 1 # Decision signals follow the door by the token's latency
kill $WATCH; wait $WATCH 2>/dev/null
pseudo() { sed -n "s/.*door=main $1 format=QG1 subject=\([0-9a-f]*\)$/\1/p" "$T/watch" | head -n1; }
p1=$(pseudo "granted ok"); p1r=$(pseudo "denied replayed"); p4=$(sed -n 's/.*granted ok format=QG1 subject=\([0-9a-f]*\)$/\1/p' "$T/watch" | tail -n1)
check "Decision signal carries a 32-hex-digit pseudonym, not the subject id" sh -c "echo '$p1' | grep -qE '^[0-9a-f]{32}$'"
expect "the same person has the same pseudonym (replay)" "$p1" "$p1r"
check "another person has another pseudonym" test "$p1" != "$p4"
check "the raw subject id never reaches the bus" sh -c "! grep -q 'subject=p-' '$T/watch'"
check "a forged code gets no pseudonym (no HMAC oracle)" grep -q "denied bad-signature format=QG1 subject=-" "$T/watch"
check "PropertiesChanged LockState unlocked" grep -q "door=main unlocked" "$T/watch"
check "PropertiesChanged LockState locked" grep -q "door=main locked" "$T/watch"
check "FIFO garbage line denied" grep -q "denied unsupported-format format=unknown" "$T/watch"
check "FIFO 9000-character line denied too-long" grep -q "denied too-long" "$T/watch"
check "FIFO valid code granted" test -n "$p4"

# Hostile arguments: answered with a reason or a named error, and the daemon stays up.
expect "empty code" 'ss "denied" "unsupported-format"' \
	"$(busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager SubmitCode ss main '')"
head -c 1048576 /dev/zero | tr '\0' 'Q' > "$T/mib"
expect "1 MiB code" "denied too-long" "$(ctl submit --door main - < "$T/mib")"
err_name() { dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 "$@" 2>&1 | sed -n 's/^Error \([^:]*\):.*/\1/p'; }
expect "unknown door is a named error" io.qrgate.Gate1.Error.UnknownDoor \
	"$(err_name /io/qrgate/Gate1 io.qrgate.Gate1.Manager.SubmitCode string:nosuchdoor string:x)"
expect "Unlock too long is InvalidArgument" io.qrgate.Gate1.Error.InvalidArgument \
	"$(err_name /io/qrgate/Gate1/door/main io.qrgate.Gate1.Door.Unlock uint32:999999)"
out=$(dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager.SubmitCode string:main 2>&1)
check "missing argument refused by the bus library" sh -c "echo '$out' | grep -qi 'error'"
out=$(busctl --address="$ADDR" call io.qrgate.Gate1 /io/qrgate/Gate1/door/nosuch io.qrgate.Gate1.Door Unlock u 0 2>&1)
check "unknown door object does not exist" sh -c "echo '$out' | grep -qi 'unknown'"
check "daemon still running" kill -0 "$DAEMON_PID"
expect "still answering" 's "running"' "$(busctl --address="$ADDR" get-property io.qrgate.Gate1 /io/qrgate/Gate1 io.qrgate.Gate1.Manager State)"

finish

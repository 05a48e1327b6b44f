#!/bin/sh
# After a SIGKILL the unit's ExecStopPost (qrgated --safe-state) must relock every line the dead
# daemon held, whatever the configuration file says by then (issue 10, item 2). Found by a
# review: --safe-state re-parsed the whole file, so one typo (which a reload had rightly refused)
# left the door open, and a lock moved to another output in the file made it drive the new
# output and leave the old one open.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
start_bus permissive
# The sim lock writes '1' (unlocked) or '0' (locked) to its output at each change.
last_level() { tail -c 1 "$1" 2>/dev/null; }
config_with_output() { write_config "$T/qrgate.conf"; sed -i "s|backend = \"sim\"; }|backend = \"sim\"; output = \"$1\"; }|" "$T/qrgate.conf"; }
kill9() { kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=; }
safe_state() { "$B/qrgated" --config "$T/qrgate.conf" --safe-state >> "$T/safe.log" 2>&1; }

# 1. A typo in the file: the reload refuses it, the daemon is killed, the safety net still works.
config_with_output "$T/lockA"
start_daemon
ctl unlock main 30 > /dev/null
expect "door open before the crash" 1 "$(last_level "$T/lockA")"
echo 'verifier: { max_lifetime = "long"; };' >> "$T/qrgate.conf"
check "a reload refuses the typo" sh -c "! '$B/qrgatectl' --bus '$ADDR' reload >/dev/null 2>&1"
kill9
expect "killed: the door is still open" 1 "$(last_level "$T/lockA")"
safe_state
expect "--safe-state with a broken file exits 0" 0 $?
expect "--safe-state relocked the line the daemon held" 0 "$(last_level "$T/lockA")"
check "the record of held lines is gone after it" test ! -e "$RUNTIME_DIRECTORY/held-locks"

# 2. The lock moved to another output in the file (a reload says: restart to apply).
config_with_output "$T/lockA"
start_daemon
ctl unlock main 30 > /dev/null
expect "door open again" 1 "$(last_level "$T/lockA")"
config_with_output "$T/lockB"
check "a reload refuses the moved lock" sh -c "'$B/qrgatectl' --bus '$ADDR' reload 2>&1 | grep -q 'restart qrgated'"
kill9
safe_state
expect "--safe-state relocked the old output, the one the daemon held" 0 "$(last_level "$T/lockA")"
check "and did not touch the output only the file names" test ! -e "$T/lockB"

# 3. While a daemon runs, --safe-state leaves its locks alone (they are that daemon's).
config_with_output "$T/lockA"
start_daemon
ctl unlock main 30 > /dev/null
safe_state
expect "--safe-state refuses while the daemon runs" 1 $?
expect "the running daemon's open door was not touched" 1 "$(last_level "$T/lockA")"
check "it says why" grep -q "qrgated is still running" "$T/safe.log"

# 4. Killed and restarted without the safety net having run (by hand, not under systemd), with
#    the lock moved in the file: the new daemon relocks the old line before it starts.
kill9
config_with_output "$T/lockB"
start_daemon
expect "a restart relocked the earlier run's line" 0 "$(last_level "$T/lockA")"
expect "and drives the newly configured one" 0 "$(last_level "$T/lockB")"
check "a clean stop exits 0" stop_daemon
check "a clean stop removes the record" test ! -e "$RUNTIME_DIRECTORY/held-locks"
safe_state
expect "--safe-state after a clean stop has nothing to do" 0 $?
finish

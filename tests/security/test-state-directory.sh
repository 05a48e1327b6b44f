#!/bin/sh
# The state directory holds the replay cache and the audit log; whoever can write into it could
# plant a link where the daemon writes (issue 10, item 11). Found by a review: a planted
# replay.tmp symlink made a root-run daemon overwrite a root-owned file. The directory must be a
# real directory, the daemon's own, not writable by group or others, and every file in it is
# opened relative to it without following symlinks.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
start_bus permissive
refused() { timeout 10 "$B/qrgated" --config "$T/qrgate.conf" --bus "$ADDR" > "$T/refused.log" 2>&1; [ $? -eq 1 ]; }
says() { grep -q "$1" "$T/refused.log"; }

# A planted replay.tmp link to a file the daemon must never write.
mkdir -m 0700 "$T/state"
echo "precious" > "$T/precious"
ln -s "$T/precious" "$T/state/replay.tmp"
start_daemon
expect "the planted link's target is untouched" precious "$(cat "$T/precious")"
check "the link itself is gone (unlinked, not written through)" test ! -L "$T/state/replay.tmp"
expect "the daemon works" granted "$(ctl submit "$(mint --sub p-1 --scope library.lend)")"
check "SIGTERM exits 0" stop_daemon

# The replay cache itself a symlink: refused with the reason, nothing written through it.
mv "$T/state/replay" "$T/replay.real"
ln -s "$T/precious" "$T/state/replay"
check "replay cache as a symlink: refused" refused
check "and says why" says "Cannot open the replay cache .*/replay: it is a symbolic link"
expect "its target is untouched" precious "$(cat "$T/precious")"
rm "$T/state/replay"; mv "$T/replay.real" "$T/state/replay"

# The replay cache a FIFO: refused at once, not a frozen start.
mv "$T/state/replay" "$T/replay.real"
mkfifo "$T/state/replay"
check "replay cache as a FIFO: refused at once" refused
check "and says why" says "Cannot open the replay cache .*/replay: it is not a regular file"
rm "$T/state/replay"; mv "$T/replay.real" "$T/state/replay"

# The audit directory a symlink.
mv "$T/state/audit" "$T/audit.real"
mkdir "$T/elsewhere"; ln -s "$T/elsewhere" "$T/state/audit"
check "audit directory as a symlink: refused" refused
check "and says why" says "Audit log: cannot open .*/audit: not a directory (a symbolic link?)"
check "nothing was written where it points" test -z "$(ls "$T/elsewhere")"
rm "$T/state/audit"; mv "$T/audit.real" "$T/state/audit"

# The state directory writable by others, or by the group.
chmod 0777 "$T/state"
check "world-writable state directory: refused" refused
check "and says why" says "State directory .* cannot be used: group or others may write to it"
chmod 0770 "$T/state"
check "group-writable state directory: refused" refused
chmod 0700 "$T/state"

# The state directory a symlink to a real directory.
mv "$T/state" "$T/state.real"
ln -s "$T/state.real" "$T/state"
check "state directory as a symlink: refused" refused
check "and says why" says "State directory .* cannot be used: it is a symbolic link"
rm "$T/state"; mv "$T/state.real" "$T/state"

# Another user's directory.
chown 65534 "$T/state"
check "state directory owned by another user: refused" refused
check "and says why" says "State directory .* cannot be used: it belongs to another user"
chown 0 "$T/state"

start_daemon
expect "with everything back as it was, the daemon works" "denied replayed" "$(ctl submit "$(mint --sub p-1 --scope library.lend --cti 0102030405060708)" > /dev/null; ctl submit "$(mint --sub p-1 --scope library.lend --cti 0102030405060708)")"
finish

#!/bin/sh
# `make demo` is one of the two commands the README promises: its scene must keep playing as it
# says, end to end (the scene itself is scripts/demo).
. "$(dirname "$0")/lib.sh"

B="$B" TMPDIR="$T" "$ROOT/scripts/demo" > "$T/demo.out" 2>&1
expect "the demo exits 0" 0 $?
has() { grep -qF -- "$1" "$T/demo.out"; }
check "the resident's code opens the door" has "door=main granted ok format=QG1 subject="
check "the screenshot is refused as replayed" has "denied replayed"
check "the forged code is refused" has "denied bad-signature format=QG1 subject=-"
check "the EU DCC is accepted" has "granted ok format=HC1"
check "an ordinary user may not unlock" has "unlock refused: Unlock is for operators only"
check "the forced opening raises its alarm" has 'door: "open", alarms: 1 "forced-open"'
check "closing clears it" has 'closed again: "locked", alarms: 0'
check "the exit button opens, and the door relocks on close" has "the person walked out and the door closed: lock locked"
check "the lending station greets the patron by the library's name" has 'kiosk: "ready", welcome "Ada Reader"'
check "the book is lent with a due date" has '"checkout" "30234000000017" "ok"'
check "the held book is refused in the library's words" has 'Item on hold for another patron'
check "the lending receipt verifies off the box" has "    receipt: valid"
check "the lending service stops with status 0" has "qrgate-lendd exited with status 0"
check "the daemon stops with status 0" has "qrgated exited with status 0"
check "the audit log verifies against the token's device key" has "verdict: intact"
check "and is closed by a final checkpoint" has "closed: yes, with a final checkpoint"
check "the resident's two visits are found by her pseudonym" \
	test "$(grep -cE '^    [0-9T:.-]+Z (granted ok|denied replayed)$' "$T/demo.out")" -eq 2
check "nothing is left running" has "Demo finished; nothing is left running."
check "no qrgated of the demo's is left" sh -c "! pgrep -f '$T/qrgate-demo\.' >/dev/null"
if [ "$FAIL" -gt 0 ]; then sed 's/^/    demo | /' "$T/demo.out"; fi
finish

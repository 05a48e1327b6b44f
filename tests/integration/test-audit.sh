#!/bin/sh
# The audit log of the real daemon with a SoftHSM2 token: what gets recorded, that subjects are
# only pseudonyms (the Decision signal's, made in the token), the head on D-Bus, a clean stop's
# final checkpoint, the chain across a restart, and offline verification and export with
# qrgatectl — including a key that is not the device key.
. "$(dirname "$0")/lib.sh"

make_issuer
write_config "$T/qrgate.conf" 'audit: { checkpoint_records = 5; };'
# An operator by uid that dbus-daemon can resolve (it refuses connections of uids without a
# passwd entry): uid 1, "daemon".
sed -i 's/operator_uids = \[ 2 \]/operator_uids = [ 2, 1 ]/' "$T/qrgate.conf"
start_bus permissive
start_daemon
check "token present" wait_for 10 token_present
AUDIT=$T/state/audit

ctl watch > "$T/watch" 2>"$T/watch.err" &
WATCH=$!
wait_for 5 test -s "$T/watch.err"
expect "granted by bus" granted "$(ctl submit "$(mint --sub p-audit-1 --scope library.lend)")"
expect "denied by bus" "denied scope" "$(ctl submit "$(mint --sub p-audit-2 --scope pool.enter)")"
mint --sub p-audit-3 --scope library.lend > "$T/scan0"
printf 'not a code\n' > "$T/scan0"
out=$(setpriv --reuid=1 --regid=1 --clear-groups dbus-send --bus="$ADDR" --print-reply --dest=io.qrgate.Gate1 \
	/io/qrgate/Gate1/door/main io.qrgate.Gate1.Door.Unlock uint32:1000 2>&1)
expect "manual unlock by an operator (uid 1)" "method return" "$(echo "$out" | cut -c1-13)"
expect "reload applied" "configuration reloaded" "$(ctl reload)"
cp "$T/qrgate.conf" "$T/good.conf"
sed -i 's/checkpoint_records = 5;/checkpoint_records = 7;/' "$T/qrgate.conf"
out=$(ctl reload 2>&1)
check "changing audit settings needs a restart" sh -c "echo '$out' | grep -q 'the audit settings changed; restart'"
cp "$T/good.conf" "$T/qrgate.conf"
check "the signal with the pseudonym arrived" wait_for 5 grep -q "granted ok format=QG1 subject=" "$T/watch"
kill $WATCH; wait $WATCH 2>/dev/null

# The head on D-Bus: acknowledged (durable) catches up with the last record when idle.
acked() { set -- $(mgr_prop AuditHead); [ "$2" = "$4" ]; }
check "AuditHead: durable_sequence reaches sequence" wait_for 5 acked
head=$(mgr_prop AuditHead)
check "AuditHead has the documented shape" sh -c "echo '$head' | grep -Eq '^\(tsttss\) [0-9]+ \"[0-9a-f]{64}\" [0-9]+ [0-9]+ \"[0-9a-f]{64}\" \"ok\"$'"
ctl audit head > "$T/head.out"
check "qrgatectl audit head" grep -Eq '^head: [0-9]+:[0-9a-f]{64}$' "$T/head.out"
live=$(sed -n 's/^head: //p' "$T/head.out")
"$B/qrgatectl" audit verify --open --head "$live" "$AUDIT" > "$T/live.out"
expect "a live log verifies against its head (--open --head)" 0 $?

check "SIGTERM exits 0" stop_daemon
check "nothing about the final checkpoint going wrong" sh -c "! grep -q 'final checkpoint' '$T/daemon.log'"
"$B/qrgatectl" token pubkey --module "$TOKEN_MODULE" --token pkcs11:token=qrgate --pin-file "$T/token/pin" > "$T/device.pem"
"$B/qrgatectl" audit verify --pubkey "$T/device.pem" "$AUDIT" > "$T/verify.out"
expect "verify with the device key: intact" 0 $?
check "closed by the final checkpoint" grep -q "^closed: yes" "$T/verify.out"
check "every checkpoint valid" grep -Eq "^checkpoints: ([0-9]+) valid of \1," "$T/verify.out"

"$B/qrgate-issue" keygen --alg es256 --kid x --out "$T/other" > /dev/null
"$B/qrgatectl" audit verify --pubkey "$T/other.pub" "$AUDIT" > "$T/other.out"
expect "verify with another key: not intact" 1 $?
check "says the key is not the device key" grep -q "not the device key given" "$T/other.out"

"$B/qrgatectl" audit export "$AUDIT" > "$T/export.jsonl"
expect "export" 0 $?
has() { grep -q "$1" "$T/export.jsonl"; }
check "export: start" has '"event":"start"'
check "export: token present" has '"event":"token","state":"present"'
check "export: granted decision from the bus" has '"event":"decision","door":"main","decision":"granted","reason":"ok","format":"QG1","origin":"bus"'
check "export: denied decision" has '"decision":"denied","reason":"scope"'
check "export: decision from the scanner" has '"origin":"scan0"'
check "export: unreadable code has no subject" has '"reason":"unsupported-format","format":"unknown","origin":"scan0","subject":"none"'
check "export: manual unlock by uid 1" has '"event":"unlock","door":"main","decision":true,"duration_ms":1000,"uid":1,'
check "export: reload applied" has '"event":"reload".*"state":"applied"'
check "export: reload refused" has '"event":"reload".*"text":".*the audit settings changed.*"state":"refused"'
check "export: checkpoints" has '"event":"checkpoint","ref":'
check "export: stop, then the final checkpoint" sh -c "tail -n 2 '$T/export.jsonl' | head -n 1 | grep -q '\"event\":\"stop\"' && tail -n 1 '$T/export.jsonl' | grep -q '\"final\":true'"

# The subject is a pseudonym from the token, and the same one the Decision signal carried.
sig=$(sed -n 's/.*granted ok format=QG1 subject=\([0-9a-f]*\)$/\1/p' "$T/watch" | head -n 1)
check "the signal's pseudonym is 32 hex digits" sh -c "echo '$sig' | grep -Eq '^[0-9a-f]{32}$'"
check "the log's pseudonym of that decision starts with the signal's" has "\"reason\":\"ok\",\"format\":\"QG1\",\"origin\":\"bus\",\"subject\":\"$sig[0-9a-f]\{32\}\""
# An operator looking for one person computes their pseudonym with the appliance's token.
pseud=$("$B/qrgatectl" audit pseudonym --config "$T/qrgate.conf" city p-audit-1)
check "qrgatectl audit pseudonym gives 64 hex digits" sh -c "echo '$pseud' | grep -Eq '^[0-9a-f]{64}$'"
check "it finds that person's decision in the export" has "\"origin\":\"bus\",\"subject\":\"$pseud\""
check "and it is the Decision signal's pseudonym" test "$(echo "$pseud" | cut -c1-32)" = "$sig"
long=$(printf 'p%.0s' $(seq 65))
"$B/qrgatectl" audit pseudonym --config "$T/qrgate.conf" city "$long" > "$T/long.out" 2> "$T/long.err"
expect "a subject longer than a code can carry is refused (exit 2)" 2 $?
check "and says why" grep -q "ISS and SUB are 1-64 characters" "$T/long.err"
check "no raw subject in the log files" sh -c "! grep -rq 'p-audit-' '$AUDIT'"
check "no raw subject in the export" sh -c "! grep -q 'p-audit-' '$T/export.jsonl'"
check "no raw subject in the daemon's log" sh -c "! grep -q 'p-audit-' '$T/daemon.log'"

# A restart continues the chain.
start_daemon
check "token present again" wait_for 10 token_present
expect "granted after restart" granted "$(ctl submit "$(mint --sub p-audit-4 --scope library.lend)")"
check "SIGTERM exits 0 again" stop_daemon
"$B/qrgatectl" audit verify --pubkey "$T/device.pem" "$AUDIT" > "$T/verify2.out"
expect "the chain runs on across the restart" 0 $?
expect "two starts, two stops" "2 2" "$("$B/qrgatectl" audit export "$AUDIT" | grep -c '"event":"start"') $("$B/qrgatectl" audit export "$AUDIT" | grep -c '"event":"stop"')"

# Configuration errors in the audit group name file and line.
write_config "$T/bad.conf" 'audit: { durability = "fast";
  max_files = 1; };'
"$B/qrgatectl" check-config "$T/bad.conf" > /dev/null 2> "$T/bad.out"
expect "a bad audit group is refused" 1 $?
check "durability error with file:line" grep -q 'bad.conf:8: durability must be "sync" or "grouped"' "$T/bad.out"
check "max_files error with file:line" grep -q 'bad.conf:9: max_files must be 0 (no limit) or at least 2' "$T/bad.out"
write_config "$T/bad2.conf" 'audit: { colour = 3; };'
"$B/qrgatectl" check-config "$T/bad2.conf" > /dev/null 2> "$T/bad2.out"
check "unknown key in audit with file:line" grep -q "bad2.conf:8: unknown key 'colour' in audit" "$T/bad2.out"
finish

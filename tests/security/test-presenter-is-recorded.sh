#!/bin/sh
# A code presented on behalf of its subject records the presenter as a pseudonym, as the subject
# is, in the audit log and the Decision signal (issue 10, item 13). Found by a review: the
# on-behalf-of presenter was accepted but never recorded.
. "$(dirname "$0")/../integration/lib.sh"

make_issuer
write_config "$T/qrgate.conf"
start_bus permissive
start_daemon
check "token present" wait_for 10 token_present
ctl watch > "$T/watch" 2>&1 &
sleep 0.3
expect "a code on behalf of p-0a1, presented by p-0a2, opens" granted \
	"$(ctl submit "$(mint --sub p-0a1 --obo p-0a2 --scope library.lend)")"
expect "the presenter's own code opens too" granted "$(ctl submit "$(mint --sub p-0a2 --scope library.lend)")"
"$B/qrgate-issue" keygen --alg es256 --kid k1 --out "$T/forger" > /dev/null
expect "a forged code naming a presenter is refused" "denied bad-signature" \
	"$(ctl submit "$("$B/qrgate-issue" mint --key "$T/forger.key" --kid k1 --iss city --sub p-0a1 --obo p-0a2 --scope library.lend)")"
sleep 1
check "SIGTERM exits 0" stop_daemon

sub=$("$B/qrgatectl" audit pseudonym --config "$T/qrgate.conf" --pin-file "$T/token/pin" city p-0a1)
pres=$("$B/qrgatectl" audit pseudonym --config "$T/qrgate.conf" --pin-file "$T/token/pin" city p-0a2)
short=$(echo "$pres" | cut -c1-32)
check "the signal names the presenter by pseudonym" grep -q "subject=$(echo "$sub" | cut -c1-32) presenter=$short" "$T/watch"
check "a code without a presenter has no presenter= in the signal" sh -c "grep 'subject=$short' '$T/watch' | grep -vq presenter="
"$B/qrgatectl" audit export "$T/state/audit" > "$T/export.jsonl"
check "the audit log names the presenter by its full pseudonym" grep -q "\"subject\":\"$sub\".*\"presenter\":\"$pres\"" "$T/export.jsonl"
check "the presenter is the same person as with their own code" grep -q "\"subject\":\"$pres\"" "$T/export.jsonl"
check "a forged code gets no presenter pseudonym (the token is no oracle)" sh -c "! grep 'bad-signature' '$T/export.jsonl' | grep -q presenter"
for f in "$T/daemon.log" "$T/export.jsonl" "$T"/state/audit/*.log; do
	check "no raw presenter id in $(basename "$f")" sh -c "! grep -qF p-0a2 '$f'"
done
"$B/qrgatectl" audit verify --open "$T/state/audit" > /dev/null
expect "the log verifies" 0 $?
finish

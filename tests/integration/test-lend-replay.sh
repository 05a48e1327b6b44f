#!/bin/sh
# Replaying the store-and-forward queue to the test ILS (lending/lend-replay.h; docs/sip2.md
# "Replay and reconciliation"), through tests/ils/lend-replay-drive.c: order and refusals, an
# ILS that is away, lost answers, a crash between SENDING and the send, and the driver killed
# (SIGKILL) mid-replay many times. The ILS's journal (one line per transaction it carried out or
# refused) proves that each was carried out exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"

DRV="$B/tests/lend-replay-drive"
# fresh_queue: an empty queue directory.
fresh_queue() { rm -rf "$T/q"; mkdir "$T/q"; }
queue() { "$DRV" queue "$T/q" "$@"; }
replay() { "$DRV" replay "$T/q" "$(cat "$T/port")" "$T/sip2-login" > "$T/out" 2>&1; }
list() { "$DRV" list "$T/q"; }

# In order; a refusal is settled and does not hold up the rest.
ils_start
fresh_queue
queue checkout P-OK I-AVAIL-1 checkout P-BLOCKED I-AVAIL-2 checkout P-OK I-HOLD renew P-OK I-RENEW \
	renew P-OK I-RENEW checkin I-ONLOAN checkin I-AVAIL-3 checkout P-OK I-AVAIL-2
expect "queued: eight pending" "pending 8" "$(list | tail -n1)"
replay
expect "replay: exit 0" 0 $?
expect "replay: the last line" "replay: done" "$(tail -n1 "$T/out")"
expect "replay: each settled, in queue order" "1 2 3 4 5 6 7 8" "$(sed '$d' "$T/out" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect "a checkout: sent, ok" "1 checkout I-AVAIL-1 sent ok: " "$(sed -n 1p "$T/out")"
expect "a blocked patron: refused in the ILS's words" "2 checkout I-AVAIL-2 sent refused: Your card is blocked: please see the desk" "$(sed -n 2p "$T/out")"
expect "an item on hold: refused" "3 checkout I-HOLD sent refused: Item on hold for another patron" "$(sed -n 3p "$T/out")"
expect "a renewal: ok" "4 renew I-RENEW sent ok: " "$(sed -n 4p "$T/out")"
expect "a renewal past the limit: refused" "5 renew I-RENEW sent refused: Renewal limit reached" "$(sed -n 5p "$T/out")"
expect "a return: ok" "6 checkin I-ONLOAN sent ok: " "$(sed -n 6p "$T/out")"
expect "a return of an item not on loan: refused" "7 checkin I-AVAIL-3 sent refused: Item was not on loan" "$(sed -n 7p "$T/out")"
expect "after the refusals, the rest went on" "8 checkout I-AVAIL-2 sent ok: " "$(sed -n 8p "$T/out")"
expect "the queue is empty" "pending 0" "$(list)"
expect "the ILS carried out each once, in order" "checkout I-AVAIL-1 P-OK ok
checkout I-AVAIL-2 P-BLOCKED refused
checkout I-HOLD P-OK refused
renew I-RENEW P-OK ok
renew I-RENEW P-OK refused
checkin I-ONLOAN - ok
checkin I-AVAIL-3 - refused
checkout I-AVAIL-2 P-OK ok" "$(cat "$T/journal")"
expect "the ILS's loans" "I-AVAIL-1 P-OK
I-AVAIL-2 P-OK
I-LIMIT-1 P-LIMIT
I-LIMIT-2 P-LIMIT
I-RENEW P-OK" "$(cut -d' ' -f1,2 "$T/loans")"
check "the renewal counted once" grep -q "^I-RENEW P-OK [0-9]* 2$" "$T/loans"
replay
expect "an empty queue: nothing to do" "replay: done" "$(cat "$T/out")"

# The ILS away: nothing settled, nothing marked SENDING (the client connects before it marks);
# back: replayed.
ils_start
port=$(cat "$T/port")
ils_stop
fresh_queue
queue checkout P-OK I-AVAIL-1 checkin I-AVAIL-1
replay
expect "ILS down: exit 1" 1 $?
check "ILS down: a connect failure, to retry later" grep -q "^replay: failed connect (retry later): cannot connect to 127.0.0.1 port $port" "$T/out"
expect "ILS down: both still queued, not sending" "1 queued checkout P-OK I-AVAIL-1
2 queued checkin - I-AVAIL-1
pending 2" "$(list)"
ils_start
replay
expect "ILS back: replayed" "1 checkout I-AVAIL-1 sent ok: 
2 checkin I-AVAIL-1 sent ok: 
replay: done" "$(cat "$T/out")"
expect "ILS back: carried out once each" 2 "$(grep -c ' ok$' "$T/journal")"

# A wrong login is not for retrying.
printf 'station\nwrong\n' > "$T/bad-login"; chmod 600 "$T/bad-login"
fresh_queue
queue checkout P-OK I-AVAIL-1
"$DRV" replay "$T/q" "$(cat "$T/port")" "$T/bad-login" > "$T/out" 2>&1
check "a refused login: stop, not retry" grep -q "^replay: failed login (stop): " "$T/out"
expect "a refused login: still queued" "1 queued checkout P-OK I-AVAIL-1" "$(list | head -n1)"

# A checkout's answer lost: left SENDING; the next replay asks (item information: charged) and
# settles it without sending it again.
ils_start --fault drop:12
fresh_queue
queue checkout P-OK I-AVAIL-1 checkout P-OK I-AVAIL-2
replay
expect "lost answer: exit 1" 1 $?
check "lost answer: dropped, to retry later" grep -q "^replay: failed dropped (retry later): " "$T/out"
expect "lost answer: left SENDING" "1 sending checkout P-OK I-AVAIL-1" "$(list | head -n1)"
check "lost answer: the ILS did lend it" grep -q "^I-AVAIL-1 P-OK " "$T/loans"
replay
expect "reconciled: settled from the item's status, not sent again" \
	"1 checkout I-AVAIL-1 reconciled ok: reconciled: the ILS has the item on loan (circulation status 04)" "$(sed -n 1p "$T/out")"
expect "reconciled: the next one sent" "2 checkout I-AVAIL-2 sent ok: " "$(sed -n 2p "$T/out")"
expect "lost answer: each checkout carried out once" "checkout I-AVAIL-1 P-OK ok
checkout I-AVAIL-2 P-OK ok" "$(cat "$T/journal")"

# A return's and a renewal's answers lost.
ils_start --fault drop:10 --fault drop:30
fresh_queue
queue checkin I-ONLOAN renew P-OK I-RENEW
: > "$T/all"
for i in 1 2 3; do replay; cat "$T/out" >> "$T/all"; done
mv "$T/all" "$T/out"
check "lost return: reconciled (no longer on loan)" \
	grep -qx "1 checkin I-ONLOAN reconciled ok: reconciled: the item is no longer on loan (circulation status 03)" "$T/out"
check "lost renewal: settled as uncertain, never sent twice" \
	grep -q "^2 renew I-RENEW reconciled refused uncertain: reconciled without certainty: the ILS cannot say whether it was renewed (due 20" "$T/out"
expect "lost return and renewal: each carried out once" "checkin I-ONLOAN - ok
renew I-RENEW P-OK ok" "$(cat "$T/journal")"
check "the renewal counted once" grep -q "^I-RENEW P-OK [0-9]* 2$" "$T/loans"
expect "the queue is empty" "pending 0" "$(list)"

# A crash between SENDING on disk and the send: asked about, found available, sent.
ils_start
fresh_queue
queue checkout P-OK I-AVAIL-3 renew P-OK I-AVAIL-1
"$DRV" mark-sending "$T/q" 1
"$DRV" mark-sending "$T/q" 2
replay
expect "never sent: sent again" "1 checkout I-AVAIL-3 resent ok: " "$(sed -n 1p "$T/out")"
expect "a renewal of an item not on loan: nothing to renew" \
	"2 renew I-AVAIL-1 reconciled refused: reconciled: the item is not on loan (circulation status 03): nothing to renew" "$(sed -n 2p "$T/out")"
expect "never sent: carried out once" "checkout I-AVAIL-3 P-OK ok" "$(cat "$T/journal")"

# SIGKILL mid-replay, many times: 90 loans and returns of three items. Whatever the moment of
# each kill, the ILS carries out each exactly once, in order, and the queue ends empty. The ILS
# answers after 5 ms, as a distant one would (locally a step takes well under a millisecond),
# and the kills come 0-30 ms after the driver's start; one is counted only when the driver died
# of it.
ils_start --delay-ms 5
fresh_queue
: > "$T/expected"
for round in $(seq 15); do
	p=P-OK; [ $((round % 2)) = 0 ] && p=P-OTHER
	queue checkout $p I-AVAIL-1 checkout $p I-AVAIL-2 checkout $p I-AVAIL-3 checkin I-AVAIL-1 checkin I-AVAIL-2 checkin I-AVAIL-3
	printf 'checkout I-AVAIL-%s %s ok\n' 1 $p 2 $p 3 $p >> "$T/expected"
	printf 'checkin I-AVAIL-%s - ok\n' 1 2 3 >> "$T/expected"
done
kills=0
: > "$T/all"
for i in $(seq 400); do
	"$DRV" replay "$T/q" "$(cat "$T/port")" "$T/sip2-login" > "$T/out" 2>&1 &
	pid=$!
	if [ "$kills" -lt 60 ]; then
		sleep "0.$(printf '%03d' $(($(od -An -N1 -tu1 /dev/urandom) % 31)))"
		kill -KILL "$pid" 2>/dev/null
	fi
	{ wait "$pid"; } 2> /dev/null
	rc=$?
	[ "$rc" = 137 ] && kills=$((kills + 1))
	cat "$T/out" >> "$T/all"
	[ "$rc" = 0 ] && break
done
echo "# $kills kills; $(grep -c ' reconciled ' "$T/all") reconciliations and $(grep -c ' resent ' "$T/all") resends seen"
check "SIGKILL: killed mid-replay many times" test "$kills" -ge 20
expect "SIGKILL: the replay finished" "replay: done" "$(tail -n1 "$T/out")"
expect "SIGKILL: the queue is empty" "pending 0" "$(list)"
expect "SIGKILL: each loan and return carried out exactly once, in order" "$(cat "$T/expected")" "$(cat "$T/journal")"
expect "SIGKILL: the ILS's loans as at the start" "$ILS_INITIAL_LOANS" "$(cat "$T/loans")"
check "SIGKILL: nothing refused" sh -c "! grep -q ' refused' '$T/all'"

ils_stop
finish

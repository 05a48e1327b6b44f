#!/bin/sh
# The journal an operator searches (docs/journal.md), read back from the captured output: stderr
# is a file here, so a line with fields ends with a tab and KEY=VALUE pairs. Every decision
# carries QRGATE_DOOR, QRGATE_REASON, QRGATE_FORMAT; start, reload applied and refused and stop
# carry their MESSAGE_IDs; an outdated trust list is said once per list, not once per code; a
# terminal gets the bare message; every ID has a catalog entry; a reload is announced to systemd
# as RELOADING=1 then READY=1. tests/hw/systemd/test-journal-is-searchable.sh reads the same
# from a real journald.
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')
HEADER="$ROOT/daemon/log-messages.h"
CATALOG="$ROOT/systemd/qrgate.catalog"

# id NAME: the MESSAGE_ID daemon/log-messages.h defines as QRGATE_MESSAGE_NAME.
id() { sed -n "s/^#define QRGATE_MESSAGE_$1 \"\([0-9a-f]\{32\}\)\".*/\1/p" "$HEADER"; }

# logged TEXT FIELD...: some daemon line whose message holds TEXT carries every FIELD
# (KEY=VALUE, matched whole) after its tab.
logged() {
	text=$1; shift
	awk -F "$TAB" -v t="$text" 'NF > 1 && index($1, t) { print " " $NF " " }' "$T/daemon.log" > "$T/fields"
	while IFS= read -r line; do
		ok=1
		for f in "$@"; do case $line in *" $f "*) ;; *) ok=0 ;; esac; done
		[ $ok = 1 ] && return 0
	done < "$T/fields"
	echo "     no line with '$text' and $*; lines with fields:"; grep -F "$TAB" "$T/daemon.log" | sed 's/^/       /'
	return 1
}
# count TEXT: how many daemon lines hold TEXT.
count() { grep -cF -- "$1" "$T/daemon.log"; }

# The IDs: 32 hex digits, each once, each with a catalog entry, and no entry without an ID.
sed -n 's/^#define QRGATE_MESSAGE_[A-Z_]* "\([^"]*\)".*/\1/p' "$HEADER" | sort > "$T/ids"
sed -n 's/^-- \([^ ]*\)$/\1/p' "$CATALOG" | sort > "$T/catalog-ids"
check "daemon/log-messages.h defines 28 IDs" test "$(wc -l < "$T/ids")" -eq 28
check "every ID is 32 hex digits" sh -c "! grep -qv '^[0-9a-f]\{32\}\$' '$T/ids'"
check "no ID is defined twice" sh -c "! uniq -d '$T/ids' | grep -q ."
check "the catalog has an entry for each ID and no other" cmp -s "$T/ids" "$T/catalog-ids"
if command -v journalctl > /dev/null; then
	mkdir -p "$T/root/usr/local/lib/systemd/catalog"
	cp "$CATALOG" "$T/root/usr/local/lib/systemd/catalog/"
	journalctl --root="$T/root" --update-catalog 2> "$T/catalog.err"
	check "journalctl reads the catalog without complaint" sh -c "! grep -q . '$T/catalog.err'"
	expect "journalctl lists its 28 entries" 28 "$(journalctl --root="$T/root" --list-catalog | grep -c ' qrgate: ')"
fi

# Everything systemd would be told.
notify_listener
make_issuer
write_config "$T/qrgate.conf"
start_bus permissive
export NOTIFY_SOCKET="$T/notify.sock"
start_daemon
unset NOTIFY_SOCKET

check "start: MESSAGE_ID" logged "qrgated running:" "MESSAGE_ID=$(id STARTED)"
wait_for 10 grep -qF "Token: present" "$T/daemon.log"
check "token present: MESSAGE_ID and state" logged "Token: present" "MESSAGE_ID=$(id TOKEN_PRESENT)" \
	"QRGATE_TOKEN_STATE=present"
check "token present: no empty brackets where the reason has no text" sh -c "! grep -qF 'Token: present ()' '$T/daemon.log'"

# A code from the scanner, then the same code again.
code=$(mint --sub p-1 --scope library.lend)
echo "$code" > "$T/scan0"
wait_for 5 grep -qF "scan0: door main: granted" "$T/daemon.log"
echo "$code" > "$T/scan0"
wait_for 5 grep -qF "scan0: door main: denied replayed" "$T/daemon.log"
check "a grant carries its fields" logged "scan0: door main: granted" "MESSAGE_ID=$(id GRANTED)" \
	QRGATE_DOOR=main QRGATE_REASON=ok QRGATE_FORMAT=QG1 QRGATE_SOURCE=scan0
check "a replayed code carries QRGATE_REASON=replayed, its door and format" \
	logged "scan0: door main: denied replayed" "MESSAGE_ID=$(id DENIED)" \
	QRGATE_DOOR=main QRGATE_REASON=replayed QRGATE_FORMAT=QG1 QRGATE_SOURCE=scan0
ctl submit "not a code" > /dev/null
check "an unreadable code over the bus: format unknown, source bus" logged "bus: door main: denied" \
	QRGATE_DOOR=main QRGATE_REASON=unsupported-format QRGATE_FORMAT=unknown QRGATE_SOURCE=bus
expect "every decision line carries door, reason and format" "" \
	"$(grep -E ': door [^ ]+: (granted|denied)' "$T/daemon.log" | grep -v "QRGATE_DOOR=.* QRGATE_REASON=.* QRGATE_FORMAT=")"
check "the message before the tab is today's text" grep -q "^<5>scan0: door main: denied replayed: .*$TAB" "$T/daemon.log"

# Reload: applied, then refused (the running configuration stays), then applied by SIGHUP.
expect "reload" "configuration reloaded" "$(ctl reload)"
check "reload applied: MESSAGE_ID" logged "Configuration reloaded:" "MESSAGE_ID=$(id CONFIG_RELOADED)"
cp "$T/qrgate.conf" "$T/good.conf"
echo 'verifier: { max_lifetime = "long"; };' >> "$T/qrgate.conf"
check "a broken file is refused" sh -c "! '$B/qrgatectl' --bus '$ADDR' reload > /dev/null 2>&1"
check "reload refused: MESSAGE_ID" logged "New configuration refused; the running one stays." \
	"MESSAGE_ID=$(id CONFIG_REFUSED)"
cp "$T/good.conf" "$T/qrgate.conf"
kill -HUP "$DAEMON_PID"
reloaded_twice() { [ "$(count "Configuration reloaded:")" -eq 2 ]; }
check "SIGHUP reloads" wait_for 5 reloaded_twice

check "SIGTERM exits 0" stop_daemon
check "stopping: MESSAGE_ID" logged "Received Terminated, stopping." "MESSAGE_ID=$(id STOPPING)"
check "stopped: MESSAGE_ID" logged "qrgated stopped; every lock is in its safe state." "MESSAGE_ID=$(id STOPPED)"
check "a line without fields has no tab" sh -c "grep -F 'Lock main: locked (safe state).' '$T/daemon.log' | grep -qvF '$TAB'"

# sd_notify(3): READY=1 at start; each reload, refused or not, RELOADING=1 with MONOTONIC_USEC
# and then READY=1. (RELOADING=0 is no assignment systemd knows.)
expect "notifications in order" "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 " \
	"$(grep -o 'READY=1\|RELOADING=[0-9]*' "$T/notify" | tr '\n' ' ')"
expect "each RELOADING=1 comes with MONOTONIC_USEC" 3 "$(grep -o 'MONOTONIC_USEC=[0-9][0-9]*' "$T/notify" | wc -l)"

# An EU DCC trust list that ages past dcc.trust_max_age while in force: said at the first HC1
# code after that, once however many codes it refuses, and again for the next list put in force.
iss() { "$B/qrgate-issue" "$@"; }
mkdir -p "$T/dsc"
iss dcc-signer --out "$T/vacc" --types vaccination > /dev/null
cp "$T/vacc.crt" "$T/dsc/"
write_config "$T/qrgate.conf" "dcc: { trust_list = [ \"$T/dsc\" ]; trust_max_age = 3; trust_age_policy = \"deny\"; };"
: > "$T/daemon.log"
start_daemon
check "a fresh list is not outdated" test "$(count "EU DCC trust list is outdated")" -eq 0
sleep 4
vacc=$(iss mint-hc1 --key "$T/vacc.key" --cert "$T/vacc.crt" --type vaccination)
for n in 1 2 3; do
	expect "HC1 code $n refused" "denied trust-list-too-old" "$(ctl submit "$vacc")"
done
check "the refusal carries its reason and format" logged "bus: door main: denied trust-list-too-old" \
	"MESSAGE_ID=$(id DENIED)" QRGATE_REASON=trust-list-too-old QRGATE_FORMAT=HC1
expect "outdated: said once for three refusals" 1 "$(count "EU DCC trust list is outdated")"
check "outdated: MESSAGE_ID" logged "EU DCC trust list is outdated" "MESSAGE_ID=$(id DCC_TRUST_OUTDATED)"
expect "reload" "configuration reloaded" "$(ctl reload)"
expect "outdated: said again for the list a reload puts in force" 2 "$(count "EU DCC trust list is outdated")"
stop_daemon

# On a terminal the line is what a person reads: no priority, no fields.
script -qec "echo \$\$ > '$T/tty.pid'; exec '$B/qrgated' --config '$T/qrgate.conf' --bus '$ADDR'" "$T/tty.log" \
	< /dev/null > /dev/null 2>&1 &
tty_job=$!
# (script writes its file when it ends: wait for the bus name instead.)
wait_for 10 busctl --address="$ADDR" status io.qrgate.Gate1 > /dev/null 2>&1 || not_ok "qrgated starts on a terminal"
kill -TERM "$(cat "$T/tty.pid")"
wait "$tty_job"
check "terminal: the message alone" grep -q "^qrgated running: " "$T/tty.log"
check "terminal: no priority prefix, no fields" sh -c "! grep -qE '^<[0-9]>|MESSAGE_ID=|$TAB' '$T/tty.log'"
finish

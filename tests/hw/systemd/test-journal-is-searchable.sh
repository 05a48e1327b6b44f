#!/bin/bash
# Under systemd, qrgated's entries reach journald natively, with real fields (docs/journal.md):
# `journalctl MESSAGE_ID=...` finds the start, a reload applied and one refused, stopping and
# stopped; `journalctl QRGATE_REASON=replayed` finds a replayed code with its door, format and
# source; the message has no "<N>" prefix and PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/CODE_FUNC are
# set; make install installed systemd/qrgate.catalog and indexed it, so `journalctl -x` shows its
# text with the entry's fields filled in. Each `systemctl reload`, applied or refused, leaves the
# unit active/running again; a refused one fails (its ExecReload=, qrgatectl reload, exits 1)
# and qrgatectl's reasons are in the unit's journal.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
sim_create
qrgated_setup

# id NAME: the MESSAGE_ID daemon/log-messages.h defines as QRGATE_MESSAGE_NAME.
id() { sed -n "s/^#define QRGATE_MESSAGE_$1 \"\([0-9a-f]\{32\}\)\".*/\1/p" "$HW_SRC/daemon/log-messages.h"; }

# journal_find WHAT MATCH... [OPTIONS]: waits (5 s) until `journalctl MATCH...` has entries from
# this test's daemon ($pid; journald may take a moment), leaves them in $HW_TMP/found, prints the
# first line. Not --after-cursor: journalctl 252 skips the first entry after the cursor that
# matches, assuming it is the cursor's own, so a match that occurs once would never be found.
journal_find() {
	local what=$1 start
	shift
	start=$(now_ms)
	while :; do
		journalctl --no-pager -q _PID="$pid" "$@" >"$HW_TMP/found" 2>&1 || true
		[ -s "$HW_TMP/found" ] && break
		[ $(($(now_ms) - start)) -lt 5000 ] || hw_fail "$what: nothing from journalctl _PID=$pid $*"
		hw_sleep_ms 100
	done
	hw_pass "$what: journalctl $*: $(grep -a -m 1 '^MESSAGE=' "$HW_TMP/found" || head -n 1 "$HW_TMP/found")"
}
# found_has LINE WHAT: $HW_TMP/found holds LINE as a whole line.
found_has() {
	grep -aqxF -- "$1" "$HW_TMP/found" || hw_fail "$2: no line '$1' in: $(cat -v "$HW_TMP/found")"
	hw_pass "$2: $1"
}

# wait_running WHAT: the unit is active/running again within 5 s (not stuck "reloading").
wait_running() {
	local start state
	start=$(now_ms)
	while state=$(unit_show ActiveState)/$(unit_show SubState) && [ "$state" != active/running ]; do
		[ $(($(now_ms) - start)) -lt 5000 ] || hw_fail "$1: the unit is $state"
		hw_sleep_ms 50
	done
	hw_pass "$1: the unit is $state after $(($(now_ms) - start)) ms"
}

hw_step "make install installed the catalog and journalctl indexed it"
cmp -s "$HW_SRC/systemd/qrgate.catalog" /usr/local/lib/systemd/catalog/qrgate.catalog ||
	hw_fail "/usr/local/lib/systemd/catalog/qrgate.catalog differs from systemd/qrgate.catalog"
n=$(journalctl --list-catalog | grep -c ' qrgate: ' || true)
expect_eq "$n" "$(grep -c '^-- ' "$HW_SRC/systemd/qrgate.catalog")" "qrgate entries in journalctl --list-catalog"

qrgated_start
pid=$(unit_show MainPID)

hw_step "journalctl MESSAGE_ID= finds the start, as a native entry"
journal_find "start" MESSAGE_ID="$(id STARTED)" -o export
found_has "_SYSTEMD_UNIT=$UNIT" "the start entry"
found_has "_TRANSPORT=journal" "sent natively, not as a stderr line"
found_has "PRIORITY=6" "the start entry"
found_has "SYSLOG_IDENTIFIER=qrgated" "the start entry"
found_has "CODE_FILE=daemon/manager.c" "the start entry"
found_has "CODE_FUNC=manager_start" "the start entry"
grep -aq "^MESSAGE=qrgated running: 1 doors" "$HW_TMP/found" ||
	hw_fail "MESSAGE is not the bare text: $(grep -a ^MESSAGE= "$HW_TMP/found")"

hw_step "a code, and the same code again"
code=$(mint --sub p-1)
echo "$code" >"$QRGATE_FIFO"
wait_value lock-relay 1 5000
wait_value lock-relay 0 $((UNLOCK_MS + 3000))
echo "$code" >"$QRGATE_FIFO"
journal_find "the grant" QRGATE_REASON=ok -o export
found_has "MESSAGE_ID=$(id GRANTED)" "the grant"
found_has "QRGATE_DOOR=main" "the grant"
journal_find "the replayed code" QRGATE_REASON=replayed -o export
found_has "MESSAGE_ID=$(id DENIED)" "the replayed code"
found_has "QRGATE_DOOR=main" "the replayed code"
found_has "QRGATE_FORMAT=QG1" "the replayed code"
found_has "QRGATE_SOURCE=scanner0" "the replayed code"
found_has "PRIORITY=5" "the replayed code"
grep -aq "^MESSAGE=scanner0: door main: denied replayed: " "$HW_TMP/found" ||
	hw_fail "MESSAGE: $(grep -a ^MESSAGE= "$HW_TMP/found")"
expect_value lock-relay 0 "lock-relay after the replayed code"

hw_step "journalctl -x explains it from the installed catalog, with the entry's fields"
journal_find "the refusal explained" -x QRGATE_REASON=replayed
grep -F "Subject: A code was refused at door main: replayed" "$HW_TMP/found" ||
	hw_fail "no catalog text in: $(cat "$HW_TMP/found")"

# reload applied|refused: `systemctl reload` ends within 30 s, with exit status 0 when the daemon
# applied the file, and not 0 when it refused it (the unit's ExecReload= is qrgatectl reload).
reload() {
	local rc=0
	timeout 30 systemctl reload "$UNIT" >"$HW_TMP/reload.out" 2>&1 || rc=$?
	[ $rc -ne 124 ] || hw_fail "systemctl reload did not end within 30 s"
	case $1 in
	applied) [ $rc -eq 0 ] || hw_fail "systemctl reload failed ($rc): $(cat "$HW_TMP/reload.out")" ;;
	refused) [ $rc -ne 0 ] || hw_fail "systemctl reload of a refused configuration exited 0" ;;
	esac
	hw_pass "systemctl reload ($1): exit status $rc $(head -n 1 "$HW_TMP/reload.out")"
}

hw_step "systemctl reload: applied"
reload applied
journal_find "reload applied" MESSAGE_ID="$(id CONFIG_RELOADED)" -o cat
wait_running "after the reload"

hw_step "systemctl reload: refused and said so, the running configuration stays"
cp "$QRGATE_CONF" "$HW_TMP/good.conf"
echo 'verifier: { max_lifetime = "long"; };' >>"$QRGATE_CONF"
reload refused
journal_find "reload refused" MESSAGE_ID="$(id CONFIG_REFUSED)" -o cat
wait_running "after the refused reload"
start=$(now_ms)
until journalctl --no-pager -q -u "$UNIT" -o cat | grep -q "^qrgatectl: reload refused: .*max_lifetime"; do
	[ $(($(now_ms) - start)) -lt 5000 ] ||
		hw_fail "no 'qrgatectl: reload refused' in the unit's journal: $(journalctl --no-pager -q -u "$UNIT" -o cat | tail -n 5)"
	hw_sleep_ms 100
done
hw_pass "the unit's journal holds why: $(journalctl --no-pager -q -u "$UNIT" -o cat | grep -m 1 '^qrgatectl: reload refused')"
cp "$HW_TMP/good.conf" "$QRGATE_CONF"

hw_step "systemctl stop"
systemctl stop "$UNIT"
journal_find "stopping" MESSAGE_ID="$(id STOPPING)" -o cat
journal_find "stopped" MESSAGE_ID="$(id STOPPED)" -x
grep -F "Subject: qrgated stopped with every lock in its safe state" "$HW_TMP/found" ||
	hw_fail "no catalog text in: $(cat "$HW_TMP/found")"

#!/bin/sh
# An EU DCC trust list that ages past dcc.trust_max_age while in force, through the real daemon:
# at that second, with no code presented, the journal says so once and State turns degraded
# with a fault that says what it means — with trust_age_policy = "warn" (which used to say
# nothing at all) as with "deny" (which used to refuse every EU DCC while State said running).
# Updated files and a reload clear it.
. "$(dirname "$0")/lib.sh"

make_issuer
iss() { "$B/qrgate-issue" "$@"; }
make_dcc_signer
dcc() { write_config "$T/qrgate.conf" "dcc: { trust_list = [ \"$T/dsc\" ]; trust_max_age = 3; trust_age_policy = \"$1\"; };"
	sed -i 's|^doors = ( { id = "main"; \(.*\) } );|doors = ( { id = "main"; \1 dcc_types = [ "vaccination" ]; } );|' "$T/qrgate.conf"; }
dcc warn
start_bus permissive
start_daemon

state_is() { [ "$(mgr_prop State)" = "s \"$1\"" ]; }
said() { grep -c "EU DCC trust list is outdated" "$T/daemon.log"; }
vacc=$(iss mint-hc1 --key "$T/vacc.key" --cert "$T/vacc.crt" --type vaccination)
check "a fresh list: running" wait_for 3 state_is running
expect "a fresh list: nothing said" 0 "$(said)"
dbus-monitor --address "$ADDR" "type='signal',interface='org.freedesktop.DBus.Properties',path='/io/qrgate/Gate1'" > "$T/monitor" 2>&1 &
sleep 0.3
check "warn: degraded once the list is outdated, with no code presented" wait_for 8 state_is degraded
expect "warn: the journal says so, once" 1 "$(said)"
check "warn: the journal says it is still accepted" grep -q "EU DCC trust list is outdated: updated [0-9]* s ago, dcc.trust_max_age is 3 s; HC1 codes are still accepted (trust_age_policy = \"warn\")" "$T/daemon.log"
check "warn: PropertiesChanged State" grep -q '"State"' "$T/monitor"
ctl status > "$T/status"
check "warn: the fault says what it means and what to do" grep -q '^fault: dcc trust list: outdated, updated [0-9]* s ago (dcc.trust_max_age is 3 s): EU DCCs are still accepted (trust_age_policy = "warn"); check the list.s updater, then reload' "$T/status"
expect "warn: an EU DCC is still granted" granted "$(ctl submit "$vacc")"
expect "warn: and said no more" 1 "$(said)"

touch "$T/dsc/vacc.crt"
expect "reload with updated files" "configuration reloaded" "$(ctl reload)"
check "running again" wait_for 3 state_is running

# deny: the same at the second it is outdated, and EU DCCs refused.
dcc deny
expect "reload: deny" "configuration reloaded" "$(ctl reload)"
check "deny: degraded once the list is outdated" wait_for 8 state_is degraded
expect "deny: said for this list too" 2 "$(said)"
ctl status > "$T/status"
check "deny: the fault says EU DCCs are refused" grep -q '^fault: dcc trust list: outdated, .*: every EU DCC is refused (trust-list-too-old)' "$T/status"
expect "deny: an EU DCC is refused" "denied trust-list-too-old" "$(ctl submit "$vacc")"
touch "$T/dsc/vacc.crt"
expect "reload with updated files (deny)" "configuration reloaded" "$(ctl reload)"
check "running again (deny)" wait_for 3 state_is running
expect "deny: an EU DCC from the updated list is granted" granted "$(ctl submit "$vacc")"
check "qrgated stops cleanly" stop_daemon
finish

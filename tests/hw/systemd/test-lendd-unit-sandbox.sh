#!/bin/bash
# qrgate-lendd.service, installed and started as shipped beside qrgated.service, does its job
# inside its sandbox and is held by it. With the SIP2 login given as a credential
# (LoadCredential= in a runtime drop-in: the shipped unit's LoadCredentialEncrypted= needs a key
# to decrypt with, the machine's TPM or /var/lib/systemd/credential.secret, and the guest has no
# TPM while a host key made for one boot would only test systemd-creds) and a test ILS on
# 127.0.0.1: systemctl start returns after READY=1 (Type=notify), the unit is active/running, its
# main process is qrgate-lendd as qrgate-lend with no capabilities and owns io.qrgate.Lend1 on
# the system bus, Online becomes true (the ILS reached through IPAddressAllow=localhost), and a
# patron's code written to the station door's FIFO makes State "ready" with PatronName "Ada
# Reader" — qrgated verified it and handed it over the real system bus under the shipped
# policies, and the service asked the ILS. Then ils.host is set to 192.0.2.1, an address put on
# the guest's loopback: root, outside the sandbox, is refused there at once (a reset comes back),
# while the restarted service's connect times out — its SYN was dropped by the unit's cgroup
# firewall (IPAddressDeny=any; this kernel reports the drop as a timeout, not EPERM: see below)
# — and Faults and the journal say so. And /dev in the service's mount namespace has no GPIO
# chip (PrivateDevices=yes), where the guest's has two.
. "$HW_LIB"
. "$HW_SRC/tests/hw/systemd/qrgated-unit.sh"
. "$HW_SRC/tests/hw/systemd/lendd-unit.sh"
FAR=192.0.2.1 # TEST-NET-1: no real host has it
test_cleanup() {
	busybox ip addr del "$FAR/32" dev lo 2>/dev/null || true
	lendd_cleanup
}
sim_create
lendd_setup
trap test_cleanup EXIT
lendd_dropin "LoadCredential=sip2-login:$LENDD_LOGIN"
qrgated_start
lendd_start

hw_step "the lending unit's state"
systemctl show -p Type -p ActiveState -p SubState -p StatusText -p NRestarts -p IPAddressDeny \
	-p IPAddressAllow -p MainPID "$LENDD_UNIT" >"$HW_TMP/unit"
prop() { sed -n "s/^$1=//p" "$HW_TMP/unit"; }
words() { tr ' ' '\n' | sort | xargs; } # an address set in a stable order
expect_eq "$(prop Type)" notify "Type"
expect_eq "$(prop ActiveState)/$(prop SubState)" active/running "ActiveState/SubState"
expect_eq "$(prop StatusText)" Running "StatusText (sent with READY=1)"
expect_eq "$(prop NRestarts)" 0 "NRestarts"
expect_eq "$(prop IPAddressDeny | words)" "0.0.0.0/0 ::/0" "IPAddressDeny (shipped: any)"
expect_eq "$(prop IPAddressAllow | words)" "127.0.0.0/8 ::1/128" "IPAddressAllow (shipped: localhost)"

hw_step "its main process"
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || hw_fail "MainPID is $pid"
expect_eq "$(readlink /proc/"$pid"/exe)" /usr/local/sbin/qrgate-lendd "MainPID $pid runs"
expect_eq "$(stat -c %U /proc/"$pid")" qrgate-lend "its user"
expect_eq "$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)" "/system.slice/$LENDD_UNIT" "its cgroup"
expect_eq "$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)" 0000000000000000 "its effective capabilities"
expect_eq "$(awk '/^CapBnd:/ { print $2 }' /proc/"$pid"/status)" 0000000000000000 "its bounding set"
owner=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
	GetConnectionUnixProcessID s io.qrgate.Lend1)
expect_eq "$owner" "u $pid" "process owning io.qrgate.Lend1"

hw_step "no GPIO chip in its /dev (PrivateDevices=yes)"
chips=$(find /dev -maxdepth 1 -name 'gpiochip*' | wc -l)
[ "$chips" -gt 0 ] || hw_fail "the guest's /dev has no gpiochip to hide"
ls /proc/"$pid"/root/dev/ >"$HW_TMP/dev" || hw_fail "cannot list /proc/$pid/root/dev"
! grep '^gpiochip' "$HW_TMP/dev" || hw_fail "the service's /dev has GPIO chips"
[ -e /proc/"$pid"/root/dev/null ] || hw_fail "the service's /dev has no null: not its /dev"
hw_pass "the guest's /dev has $chips gpiochips (/dev/gpiochip0 $(stat -c %t:%T /dev/gpiochip0)), the service's none: $(tr '\n' ' ' <"$HW_TMP/dev")"

hw_step "it reaches the ILS on 127.0.0.1 (IPAddressAllow=localhost)"
wait_lend_prop Online "b true" 15000
expect_eq "$(lend_prop Station)" 's "desk-1"' "Station"
expect_eq "$(lend_prop State)" 's "idle"' "State before a patron"

hw_step "a patron's code at the station's scanner: qrgated → lendd → ILS"
[ -p "$LENDD_FIFO" ] || hw_fail "no FIFO $LENDD_FIFO"
mint_lend --sub P-OK >"$HW_TMP/code"
start=$(now_ms)
cat "$HW_TMP/code" >"$LENDD_FIFO"
wait_lend_prop State 's "ready"' 15000
expect_eq "$(lend_prop PatronName)" 's "Ada Reader"' "PatronName (the ILS's name for P-OK)"
hw_pass "patron handed over and identified by the ILS in $(($(now_ms) - start)) ms"

hw_step "a non-local ILS is out of the sandbox's reach (IPAddressDeny=any)"
# 192.0.2.1 on the loopback, with nothing listening on the port: outside the sandbox a connect
# is answered at once with a reset (ECONNREFUSED). Inside, the unit's cgroup BPF program drops
# the SYN on its way out; the kernel's TCP does not hand the hook's EPERM to connect() (Linux
# 6.1's tcp_connect() passes on only ECONNREFUSED) and sends the SYN again until the service's
# connect_timeout_ms: "Connection timed out". A kernel that reports the EPERM passes too; a
# refusal would mean the SYN got out, and no sandbox.
busybox ip addr add "$FAR/32" dev lo
rc=0
(exec 3<>"/dev/tcp/$FAR/$ILS_PORT") 2>"$HW_TMP/probe" || rc=$?
# shellcheck disable=SC2015 # either failing is the failure
[ $rc -ne 0 ] && grep -q "Connection refused" "$HW_TMP/probe" ||
	hw_fail "root, outside the sandbox, is not refused by $FAR port $ILS_PORT: $(cat "$HW_TMP/probe")"
hw_pass "root, outside the sandbox: $FAR port $ILS_PORT refuses at once (a reset came back)"
sed -i "s/host = \"127.0.0.1\"/host = \"$FAR\"/" "$QRGATE_CONF"
grep -q "host = \"$FAR\"" "$QRGATE_CONF" || hw_fail "ils.host not changed in $QRGATE_CONF"
systemctl restart "$LENDD_UNIT"
pid=$(lendd_show MainPID)
start=$(now_ms)
while :; do
	faults=$(lend_prop Faults) || true
	[[ $faults != *"cannot connect to $FAR"* ]] || break
	[ $(($(now_ms) - start)) -lt 10000 ] || hw_fail "no connect fault in 10 s: Faults $faults"
	hw_sleep_ms 100
done
hw_pass "Faults after $(($(now_ms) - start)) ms: $faults"
expect_eq "$(lend_prop Online)" "b false" "Online"
case $faults in
*"cannot connect to $FAR port $ILS_PORT: Connection timed out"*)
	hw_pass "the SYN never got out (no reset as root got): dropped by the cgroup's firewall" ;;
*"cannot connect to $FAR port $ILS_PORT: Operation not permitted"*)
	hw_pass "the connect failed with EPERM from the cgroup's firewall" ;;
*"Connection refused"*)
	journalctl -b --no-pager -o cat | grep -i 'firewall' || true
	hw_fail "the SYN got out: IPAddressDeny= is not applied (no cgroup BPF in this kernel?)" ;;
*) hw_fail "unexpected connect error: $faults" ;;
esac
journalctl --no-pager -o cat _PID="$pid" >"$HW_TMP/lendd.journal"
grep -E "The ILS cannot be reached: .*cannot connect to $FAR port $ILS_PORT: (Connection timed out|Operation not permitted)" \
	"$HW_TMP/lendd.journal" || hw_fail "the journal does not say why: $(cat "$HW_TMP/lendd.journal")"
expect_eq "$(lendd_show ActiveState)/$(lendd_show SubState)" active/running "the service runs on, offline"

#!/bin/sh
# Run by tests/fresh/check-fresh as root inside a second bare bookworm root, with the .debs `make
# deb` built for this machine (FRESH_DEBS; debug symbols left out). An integrator's path: apt
# installs the packages (their Depends come from the archive), then the installed daemon checks
# the installed configuration — which names what only a site has (its issuer's key file, its EU
# DCC trust list), so it says exactly that, each at its line, until they are there — and
# /usr/bin/qrgatectl decodes codes that /usr/bin/qrgate-issue minted.
#
# usage: installed-deb.sh DEBDIR
set -eu
debs=${1:?usage: installed-deb.sh DEBDIR}

echo "installed-deb: apt-get install $(cd "$debs" && echo *.deb)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$debs"/*.deb >/dev/null

fail=0
check() { # what command...
	what=$1; shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
t=$(mktemp -d)
conf=/etc/qrgate/qrgate.conf
check "qrgatectl is /usr/bin/qrgatectl" test "$(command -v qrgatectl)" = /usr/bin/qrgatectl
check "qrgate-issue is /usr/bin/qrgate-issue (package qrgate-issuer)" test "$(command -v qrgate-issue)" = /usr/bin/qrgate-issue
check "qrgated is /usr/sbin/qrgated" test -x /usr/sbin/qrgated
check "$conf is a conffile" sh -c "dpkg-query -W -f '\${Conffiles}\n' qrgate | grep -q ' $conf '"
check "the unit is /usr/lib/systemd/system/qrgated.service and starts /usr/sbin/qrgated" \
	grep -qx "ExecStart=/usr/sbin/qrgated --config $conf" /usr/lib/systemd/system/qrgated.service
check "every program says the package's version" sh -c "
	v=\$(dpkg-query -W -f '\${Version}' qrgate)
	/usr/sbin/qrgated --version | grep -q \" \$v\" && /usr/bin/qrgatectl --version | grep -q \" \$v\" &&
	/usr/bin/qrgate-issue --version | grep -q \" \$v\""

# As installed: valid but for the files only the site has, each named at its line.
/usr/sbin/qrgated --check-config "$conf" >"$t/check" 2>&1 && rc=0 || rc=$?
sed 's/^/    /' "$t/check"
check "qrgated --check-config on the installed configuration: exit 1 (the site's files are missing)" test "$rc" = 1
check "... names the issuer key file at its line" \
	grep -q "^$conf:[0-9]*: issuer 'city' key 'k1' in /etc/qrgate/keys/city-k1.pub: No such file or directory" "$t/check"
check "... names the EU DCC trust list at its line" \
	grep -q "^$conf:[0-9]*: dcc trust list /etc/qrgate/dcc-trust: No such file or directory" "$t/check"
check "... and nothing else" test "$(grep -vc 'No such file or directory' "$t/check")" = 0

# What a site does: its issuer's public key and its EU DCC signers, where the file says.
mkdir -p /etc/qrgate/keys /etc/qrgate/dcc-trust
qrgate-issue keygen --alg es256 --kid k1 --out "$t/city" >/dev/null
cp "$t/city.pub" /etc/qrgate/keys/city-k1.pub
qrgate-issue dcc-signer --out "$t/dsc" >/dev/null
cp "$t/dsc.crt" /etc/qrgate/dcc-trust/
check "qrgated --check-config: valid once the site's files are there" /usr/sbin/qrgated --check-config "$conf"
check "qrgatectl check-config agrees" /usr/bin/qrgatectl check-config "$conf"

qrgate-issue mint --key "$t/city.key" --kid k1 --iss city --sub p-7f3a --scope library.lend --status green >"$t/code"
check "/usr/bin/qrgatectl decode: a code of the site's issuer is valid" sh -c \
	"/usr/bin/qrgatectl decode --config $conf - <'$t/code' | tail -n 1 | grep -qx 'verdict: valid'"
qrgate-issue keygen --alg es256 --kid k1 --out "$t/forger" >/dev/null
qrgate-issue mint --key "$t/forger.key" --kid k1 --iss city --sub p-7f3a --scope library.lend --status green >"$t/forged"
check "/usr/bin/qrgatectl decode: a forged code is invalid (exit 1)" sh -c \
	"/usr/bin/qrgatectl decode --config $conf - <'$t/forged' >/dev/null; [ \$? -eq 1 ]"
rm -rf "$t"
exit $fail

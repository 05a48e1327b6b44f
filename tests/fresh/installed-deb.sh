#!/bin/sh
# HOOK (issue 12 §2), run by tests/fresh/check-fresh as root inside a second bare bookworm root,
# when `make deb` has left qrgate's .debs where check-fresh looks (FRESH_DEBS, default $B/deb).
# An integrator's path: apt installs the packages (their Depends come from the archive), then
# the installed daemon validates the installed configuration and /usr/bin/qrgatectl decodes a
# code. Written before the packaging landed: the lead adjusts the names and paths below to
# what debian/ installs when wiring it (see the report of issue 12, section 1).
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
check "qrgatectl is /usr/bin/qrgatectl" test "$(command -v qrgatectl)" = /usr/bin/qrgatectl
qrgated=$(command -v qrgated || echo /usr/sbin/qrgated)
check "qrgated is installed ($qrgated)" test -x "$qrgated"
check "the installed configuration is a conffile" sh -c 'dpkg-query -W -f "\${Conffiles}\n" qrgate | grep -q " /etc/qrgate/qrgate.conf "'
check "qrgated --check-config validates /etc/qrgate/qrgate.conf" "$qrgated" --check-config /etc/qrgate/qrgate.conf
check "qrgatectl check-config agrees" /usr/bin/qrgatectl check-config /etc/qrgate/qrgate.conf

# A code to decode: minted by qrgate-issue (package qrgate-issuer) when it was installed too.
if command -v qrgate-issue >/dev/null; then
	t=$(mktemp -d)
	qrgate-issue keygen --alg es256 --kid k1 --out "$t/city" >/dev/null
	qrgate-issue mint --key "$t/city.key" --kid k1 --iss city --sub p-7f3a --scope library.lend \
		--status green >"$t/code"
	check "/usr/bin/qrgatectl decode: a valid code is valid" sh -c \
		"/usr/bin/qrgatectl decode --issuer-key 'city:k1:$t/city.pub' - <'$t/code' | tail -n 1 | grep -qx 'verdict: valid'"
	qrgate-issue keygen --alg es256 --kid k1 --out "$t/forger" >/dev/null
	qrgate-issue mint --key "$t/forger.key" --kid k1 --iss city --sub p-7f3a --scope library.lend \
		--status green >"$t/forged"
	check "/usr/bin/qrgatectl decode: a forged code is invalid (exit 1)" sh -c \
		"/usr/bin/qrgatectl decode --issuer-key 'city:k1:$t/city.pub' - <'$t/forged' >/dev/null; [ \$? -eq 1 ]"
	rm -rf "$t"
else
	check "/usr/bin/qrgatectl decode answers usage errors with exit 2" sh -c \
		'/usr/bin/qrgatectl decode >/dev/null 2>&1; [ $? -eq 2 ]'
fi
exit $fail

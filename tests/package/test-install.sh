#!/bin/sh
# `make install` puts every file where it belongs, with the prefix written into the units, and
# `make uninstall` with the same DESTDIR, PREFIX and folders removes every file it put there:
# once with the defaults (/usr/local, /etc) and once with the folders debian/rules passes.
. "$(dirname "$0")/lib.sh"

# roundtrip LABEL MAKE-ARGS...: installs into a fresh DESTDIR, checks, uninstalls, checks.
roundtrip() {
	label=$1; shift
	d=$T/$label
	mkdir -p "$d"
	if ! make -C "$ROOT" --no-print-directory -s B="$B" DESTDIR="$d" "$@" install >"$T/log" 2>&1; then
		not_ok "$label: make install"; sed 's/^/    /' "$T/log"; return
	fi
	find "$d" ! -type d | sed "s|^$d||" | sort >"$T/$label.files"
	echo "$label: $(wc -l <"$T/$label.files") files installed"
	for f in "$@"; do case $f in PREFIX=*) prefix=${f#PREFIX=} ;; esac; done
	for f in $prefix/sbin/qrgated $prefix/sbin/qrgate-lendd $prefix/bin/qrgatectl $prefix/bin/qrgate-issue \
		$prefix/share/man/man8/qrgated.8 $prefix/share/man/man8/qrgate-lendd.8 $prefix/share/man/man1/qrgatectl.1 \
		$prefix/share/man/man1/qrgate-issue.1 $prefix/share/man/man5/qrgate.conf.5 \
		$prefix/lib/systemd/system/qrgated.service $prefix/lib/systemd/system/qrgate-lendd.service \
		$prefix/lib/sysusers.d/qrgate.conf \
		$prefix/lib/systemd/catalog/qrgate.catalog $prefix/share/dbus-1/interfaces/io.qrgate.Gate1.xml \
		$prefix/share/doc/qrgate/README.md /etc/qrgate/qrgate.conf.example /etc/qrgate/qrgate.conf; do
		grep -qx "$f" "$T/$label.files" || not_ok "$label: $f installed"
	done
	expect "$label: the unit starts $prefix/sbin/qrgated" \
		"ExecStart=$prefix/sbin/qrgated --config /etc/qrgate/qrgate.conf" \
		"$(grep '^ExecStart=' "$d$prefix/lib/systemd/system/qrgated.service")"
	expect "$label: the lending unit starts $prefix/sbin/qrgate-lendd" \
		"ExecStart=$prefix/sbin/qrgate-lendd --config /etc/qrgate/qrgate.conf" \
		"$(grep '^ExecStart=' "$d$prefix/lib/systemd/system/qrgate-lendd.service")"
	check "$label: the unit, catalog and man pages name $prefix, not /usr/local" \
		sh -c "[ '$prefix' = /usr/local ] || ! grep -rl /usr/local '$d$prefix/lib/systemd' '$d$prefix/share/man'"
	if ! make -C "$ROOT" --no-print-directory -s B="$B" DESTDIR="$d" "$@" uninstall >"$T/log" 2>&1; then
		not_ok "$label: make uninstall"; sed 's/^/    /' "$T/log"; return
	fi
	left=$(find "$d" ! -type d | sed "s|^$d||")
	expect "$label: uninstall leaves no file behind" "" "$left"
	check "$label: uninstall removes qrgate's own folders" \
		test ! -e "$d$prefix/share/doc/qrgate" -a ! -e "$d/etc/qrgate"
}

roundtrip default PREFIX=/usr/local
# Each bus policy under its own name: the lending service's must not replace qrgated's.
for f in /etc/dbus-1/system.d/io.qrgate.Gate1.conf /etc/dbus-1/system.d/io.qrgate.Lend1.conf; do
	grep -qx "$f" "$T/default.files" && ok "default: $f" || not_ok "default: $f installed"
done
# A site's own configuration: install never writes over it, uninstall never removes it.
d=$T/site
mkdir -p "$d/etc/qrgate"
echo "# the site's own" >"$d/etc/qrgate/qrgate.conf"
make -C "$ROOT" --no-print-directory -s B="$B" DESTDIR="$d" install >"$T/log" 2>&1 || not_ok "site: make install"
expect "site: install keeps the site's configuration" "# the site's own" "$(cat "$d/etc/qrgate/qrgate.conf")"
check "site: ... and says so" grep -q "keeping $d/etc/qrgate/qrgate.conf" "$T/log"
make -C "$ROOT" --no-print-directory -s B="$B" DESTDIR="$d" uninstall >"$T/log" 2>&1 || not_ok "site: make uninstall"
expect "site: uninstall leaves only the site's configuration" "/etc/qrgate/qrgate.conf" "$(find "$d" ! -type d | sed "s|^$d||")"
roundtrip debian PREFIX=/usr DBUS_POLICY_DIR=/usr/share/dbus-1/system.d UDEV_RULES_DIR=/usr/lib/udev/rules.d
for f in /usr/share/dbus-1/system.d/io.qrgate.Gate1.conf /usr/share/dbus-1/system.d/io.qrgate.Lend1.conf \
	/usr/lib/udev/rules.d/60-qrgate-gpio.rules; do
	grep -qx "$f" "$T/debian.files" && ok "debian: $f" || not_ok "debian: $f installed"
done
finish

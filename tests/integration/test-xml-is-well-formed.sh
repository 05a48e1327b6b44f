#!/bin/sh
# Every XML file that ships is well-formed: the D-Bus interface document (which gdbus-codegen,
# Python's parsers and other bindings read) and the bus policy (which dbus-daemon reads). What
# ships is what `make install` installs; the XML files of the work tree are checked too, so one
# that is not installed yet cannot hide.
. "$(dirname "$0")/lib.sh"

command -v xmllint > /dev/null || { echo "xmllint missing (make deps installs libxml2-utils)"; exit 1; }
install_into "$T/root"

# is_xml FILE: named *.xml, or its first line opens a tag (<?xml, <!DOCTYPE, <busconfig ...).
# grep -a: in binary data grep may take a NUL for a line's end, and a program with "<A" after
# a NUL in its first line was taken for XML.
is_xml() { case $1 in *.xml) return 0 ;; esac; head -n 1 "$1" | grep -aq '^[[:space:]]*<[?!A-Za-z]'; }
find "$T/root" -type f | sort > "$T/installed"
( cd "$ROOT" && git ls-files 2>/dev/null || find . -type f ! -path './.git/*' ) | sed "s|^\./||; s|^|$ROOT/|" > "$T/tree"
n=0
while read -r f; do
	[ -f "$f" ] && is_xml "$f" || continue
	n=$((n + 1))
	check "well-formed: ${f#"$T/root"}" xmllint --noout "$f"
done < "$T/installed"
check "make install ships XML files (the interface document, the bus policy)" test "$n" -ge 2
while read -r f; do
	case $f in */tests/*) continue ;; esac # test material, not shipped
	[ -f "$f" ] && is_xml "$f" || continue
	check "well-formed in the work tree: ${f#"$ROOT/"}" xmllint --noout "$f"
done < "$T/tree"
finish

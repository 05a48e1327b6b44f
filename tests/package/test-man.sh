#!/bin/sh
# The man pages render without a single warning (man -l through man-db and groff, as lintian
# and a user's man do), and each names every option and command its program's --help lists,
# so a new option cannot ship undocumented.
. "$(dirname "$0")/lib.sh"

for page in "$ROOT"/man/*.[158]; do
	name=$(basename "$page")
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$T/out" 2>"$T/err"
	if [ -s "$T/err" ]; then
		not_ok "$name renders without warnings:"; sed 's/^/    /' "$T/err"
	elif [ "$(wc -l <"$T/out")" -lt 20 ]; then
		not_ok "$name renders (only $(wc -l <"$T/out") lines)"
	else
		ok "$name renders without warnings"
	fi
done

# documents PAGE WORD...: every WORD appears in PAGE's source (roff's \- read as -).
documents() {
	page=$1; shift
	missing=
	for w in "$@"; do
		sed 's/\\-/-/g' "$ROOT/man/$page" | grep -qF -- "$w" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$page documents all of --help"; else not_ok "$page lacks:$missing"; fi
}
# The long options and the commands (first word of each indented line) a usage text names.
options() { grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }
commands() { sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u; }

for p in qrgated qrgate-lendd qrgatectl qrgate-issue; do
	[ -x "$B/$p" ] || { not_ok "$B/$p is built"; continue; }
done
documents qrgated.8 $("$B/qrgated" --help | options)
documents qrgate-lendd.8 $("$B/qrgate-lendd" --help | options)
documents qrgatectl.1 $("$B/qrgatectl" --help | options) $("$B/qrgatectl" --help | commands) \
	$("$B/qrgatectl" token --help | options) $("$B/qrgatectl" audit --help | options) \
	$("$B/qrgatectl" decode --help | options) $("$B/qrgatectl" ils check --help | options) \
	$("$B/qrgatectl" receipt --help | options)
documents qrgate-issue.1 $("$B/qrgate-issue" --help | options) \
	$("$B/qrgate-issue" --help | sed -n 's/^\(usage:\)\{0,1\} *qrgate-issue \([a-z0-9-]*\).*/\2/p')
# qrgate.conf(5) names every group and key of the commented example.
documents qrgate.conf.5 $(sed -n 's/^#\{0,1\} *\([a-z_]*\)\( = \|: {\| = (\).*/\1/p' "$ROOT/etc/qrgate.conf" | sort -u)
finish

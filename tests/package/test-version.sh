#!/bin/sh
# One version: debian/changelog carries VERSION's, and scripts/check-version (which `make deb`
# runs first) notices when either changes without the other.
. "$(dirname "$0")/lib.sh"

check "VERSION and debian/changelog agree" "$ROOT/scripts/check-version" "$ROOT"

# A copy where VERSION moved on and the changelog did not, and the other way round.
mkdir -p "$T/a/debian" "$T/b/debian"
cp "$ROOT/debian/changelog" "$T/a/debian/"
echo 99.0.0 >"$T/a/VERSION"
check "a new VERSION without a changelog entry is refused" \
	sh -c "! '$ROOT/scripts/check-version' '$T/a' 2>/dev/null"
cp "$ROOT/VERSION" "$T/b/"
{ printf 'qrgate (99.0.0) bookworm; urgency=medium\n\n  * test\n\n -- t <t@example.org>  Thu, 01 Jan 2026 00:00:00 +0000\n\n'
  cat "$ROOT/debian/changelog"; } >"$T/b/debian/changelog"
check "a changelog entry without a new VERSION is refused" \
	sh -c "! '$ROOT/scripts/check-version' '$T/b' 2>/dev/null"
finish

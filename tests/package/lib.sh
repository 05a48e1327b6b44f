# Shared helpers for the packaging tests (tests/package): pass/fail counting as in
# tests/integration/lib.sh, without the daemon. Source this file; it sets up $T (a scratch
# folder removed at exit), $ROOT (the source tree) and $B (the build folder, absolute).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
T=$(mktemp -d /tmp/qrgate-pkg.XXXXXX)
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
# check NAME COMMAND...: passes when the command succeeds.
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (want '$2', got '$3')"; fi; }
finish() { echo "$(basename "$0"): $PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }

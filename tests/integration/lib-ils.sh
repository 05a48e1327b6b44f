# The test ILS (tests/ils/sip2-ils.c) for the lending tests; source after lib.sh. A login for
# the station in $T/sip2-login; ils_start [ARGS]... starts a fresh one (the loans it starts with,
# $ILS_INITIAL_LOANS, in $T/loans; an empty journal of what it carries out in $T/journal) on a
# port the system chose, written to $T/port; ils_stop stops it.
ILS="$B/tests/sip2-ils"
printf 'station\ns3cret-pw\n' > "$T/sip2-login"
chmod 600 "$T/sip2-login"
ILS_PID=
ILS_INITIAL_LOANS="I-ONLOAN P-OTHER 1893456000 0
I-LIMIT-1 P-LIMIT 1893456000 0
I-LIMIT-2 P-LIMIT 1893456000 0
I-RENEW P-OK 1893456000 1"

ils_stop() { [ -n "$ILS_PID" ] && kill "$ILS_PID" 2>/dev/null && wait "$ILS_PID" 2>/dev/null; ILS_PID=; }
ils_start() {
	ils_stop
	rm -f "$T/port" "$T/loans" "$T/journal"
	"$ILS" --port-file "$T/port" --credential "$T/sip2-login" --loans "$T/loans" --journal "$T/journal" "$@" \
		> "$T/ils.out" 2> "$T/ils.err" &
	ILS_PID=$!
	wait_for 5 test -s "$T/port" || not_ok "the test ILS listens"
	: > "$T/journal"
}

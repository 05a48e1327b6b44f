#!/bin/sh
# `qrgatectl ils check` against the test ILS (tests/ils/sip2-ils.c; docs/sip2.md): the success
# path, each fault the ILS can be told to make, a blocked patron, an unknown item, a wrong
# password — and the ILS's own record of its loans, to show that no loan is lost or doubled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-ils.sh"

# start_ils [--fault KIND:CMD[:N]]...: a fresh ILS (fresh loans), and the configuration for it.
start_ils() {
	ils_start "$@"
	write_ils_config "$(cat "$T/port")"
}

# write_ils_config PORT [EXTRA KEYS]: a gate with one door and an ils section.
write_ils_config() {
	cat > "$T/qrgate.conf" <<CONF
locks = ( { id = "main"; backend = "sim"; } );
doors = ( { id = "main"; lock = "main"; scopes = [ "library.lend" ]; } );
ils: {
  host = "127.0.0.1";
  port = $1;
  institution = "CITY";
  location = "Desk 1";
  credential = "$T/sip2-login";
  connect_timeout_ms = 2000;
  reply_timeout_ms = 1000;
  ${2:-}
};
CONF
}

ils_check() { "$B/qrgatectl" ils check --config "$T/qrgate.conf" "$@" > "$T/out" 2>&1; }
last() { tail -n1 "$T/out"; }
loans() { cat "$T/loans"; }

start_ils
ils_check
expect "login and status: exit 0" 0 $?
expect "login and status: ils: ok" "ils: ok" "$(last)"
check "every message sent is shown" grep -q '^> 990040' "$T/out"
check "every message received is shown" grep -q '^< 98YYYYNN' "$T/out"
check "the password is masked as ***" grep -q '^> 9300CNstation|CO\*\*\*|CPDesk 1|AY0AZ' "$T/out"
check "the password is never shown" sh -c "! grep -q s3cret-pw '$T/out'"

ils_check --patron P-OK --item I-AVAIL-1 --checkout
expect "checkout and checkin of a test item: exit 0" 0 $?
expect "checkout and checkin: ils: ok" "ils: ok" "$(last)"
check "the checkout shows its due date" grep -q '^ils: checkout of I-AVAIL-1 to P-OK: ok, due 20' "$T/out"
expect "the ILS holds no loan more than before" "$ILS_INITIAL_LOANS" "$(loans)"

ils_check --item I-ONLOAN
expect "item information: ok" "ils: ok" "$(last)"
check "item information: charged (04)" grep -q "^ils: item I-ONLOAN: circulation status 04" "$T/out"

ils_check --patron P-BLOCKED
expect "a blocked patron: exit 1" 1 $?
expect "a blocked patron: named" "ils: failed patron P-BLOCKED: charge privileges denied: Your card is blocked: please see the desk" "$(last)"
ils_check --patron P-FINES --item I-AVAIL-1 --checkout
expect "a patron with fines: no checkout" 1 $?
check "a patron with fines: the excessive fines shown" grep -q "^ils: patron P-FINES: excessive outstanding fines" "$T/out"
ils_check --patron P-NOBODY
expect "an unknown patron" "ils: failed patron P-NOBODY: the ILS does not know the patron (BL N): Patron not found" "$(last)"
ils_check --patron P-LIMIT --item I-AVAIL-1 --checkout
expect "a patron at the item limit: refused in the ILS's words" "ils: failed checkout of I-AVAIL-1: refused: the ILS refused: Item limit reached" "$(last)"
ils_check --patron P-OK --item I-UNKNOWN --checkout
expect "an unknown item: refused" "ils: failed checkout of I-UNKNOWN: refused: the ILS refused: Item not found" "$(last)"
ils_check --patron P-OK --item I-HOLD --checkout
expect "an item on hold for someone else" "ils: failed checkout of I-HOLD: refused: the ILS refused: Item on hold for another patron" "$(last)"
ils_check --patron P-OK --item I-NOLOAN --checkout
expect "an item not for loan" "ils: failed checkout of I-NOLOAN: refused: the ILS refused: Item not for loan" "$(last)"
ils_check --patron P-OK --item I-ONLOAN --checkout
expect "an item on loan to another" "ils: failed checkout of I-ONLOAN: refused: the ILS refused: Item already on loan" "$(last)"
expect "refusals change no loan" "$ILS_INITIAL_LOANS" "$(loans)"

# Faults. A bad checksum is asked for again (97) and the check goes on.
start_ils --fault badsum:98
ils_check
expect "bad checksum: resent on request, ils: ok" "ils: ok" "$(last)"
check "bad checksum: the 97 is shown" grep -q '^> 97AZFEF5' "$T/out"
start_ils --fault badsum:12
ils_check --patron P-OK --item I-AVAIL-2 --checkout
expect "bad checksum on the checkout's answer: resent, ils: ok" "ils: ok" "$(last)"
expect "bad checksum on the checkout: one loan made and returned, none doubled" "$ILS_INITIAL_LOANS" "$(loans)"

# A drop or a stall of a status request: a new connection, and the question again.
start_ils --fault drop:98
ils_check
expect "drop mid-message: reconnects, ils: ok" "ils: ok" "$(last)"
check "drop mid-message: said so" grep -q "closed the connection mid-message" "$T/out"
start_ils --fault stall:98
t0=$(now_ms)
ils_check
expect "stall: reconnects, ils: ok" "ils: ok" "$(last)"
check "stall: bounded by the reply timeout (under 5 s)" test $(($(now_ms) - t0)) -lt 5000
check "stall: said so" grep -q "stalled mid-message" "$T/out"
start_ils --fault wrongseq:98
ils_check
expect "wrong sequence number: not taken, asked again on a new connection" "ils: ok" "$(last)"
check "wrong sequence number: said so" grep -q "wrong-sequence" "$T/out"

# The same faults on a checkout: never repeated, never reported as a loan; the ILS's record
# says what it did (here: it lent the book, the answer was lost), for the station to reconcile.
start_ils --fault drop:12
ils_check --patron P-OK --item I-AVAIL-3 --checkout
expect "drop on the checkout: exit 1" 1 $?
check "drop on the checkout: outcome unknown, not a loan" grep -q "^ils: failed checkout of I-AVAIL-3: dropped: .*outcome unknown" "$T/out"
check "drop on the checkout: no checkout line" sh -c "! grep -q '^ils: checkout of' '$T/out'"
expect "drop on the checkout: sent once, so lent once" 1 "$(grep -c '^> 11' "$T/out")"
check "drop on the checkout: the ILS holds exactly that loan" grep -qx "I-AVAIL-3 P-OK [0-9]* 0" "$T/loans"
start_ils --fault wrongseq:12
ils_check --patron P-OK --item I-AVAIL-3 --checkout
check "wrong sequence on the checkout: not a loan" grep -q "^ils: failed checkout of I-AVAIL-3: protocol: wrong-sequence" "$T/out"
start_ils --fault stall:12
ils_check --patron P-OK --item I-AVAIL-3 --checkout
check "stall on the checkout: a timeout, outcome unknown" grep -q "^ils: failed checkout of I-AVAIL-3: timeout: .*outcome unknown" "$T/out"

# Renewal limits (two per loan), through the client's driver (tests/ils/sip2-drive.c).
drive() { "$B/tests/sip2-drive" "$(cat "$T/port")" "$T/sip2-login" "$@" > "$T/out" 2>&1; }
start_ils
drive renew P-OK I-RENEW renew P-OK I-RENEW renew P-OTHER I-ONLOAN renew P-OK I-AVAIL-1
expect "renewals: every answer valid" 0 $?
check "renewal under the limit: ok with a new due date" grep -q "^renew I-RENEW: ok, due 20" "$T/out"
expect "renewal at the limit: refused" "renew I-RENEW: refused: Renewal limit reached" "$(sed -n 2p "$T/out")"
expect "renewal of an item on loan to someone: refused" "renew I-AVAIL-1: refused: Item not on loan to you" "$(sed -n 4p "$T/out")"
check "the ILS counts two renewals" grep -qx "I-RENEW P-OK [0-9]* 2" "$T/loans"

# A checkout whose answer was lost, then what the station's reconciliation asks: the item's
# information says the ILS lent it (04 charged); a checkin returns it. Nothing doubled.
start_ils --fault drop:12
drive checkout P-OK I-AVAIL-2 item I-AVAIL-2 checkin I-AVAIL-2 item I-AVAIL-2
expect "lost answer: outcome unknown" "checkout I-AVAIL-2: failed dropped (outcome unknown)" "$(sed -n 1p "$T/out")"
expect "reconcile: the item is charged" "item I-AVAIL-2: circulation status 04" "$(sed -n 2p "$T/out")"
check "reconcile: returned" grep -q "^checkin I-AVAIL-2: ok" "$T/out"
expect "reconcile: on the shelf again" "item I-AVAIL-2: circulation status 03" "$(sed -n 4p "$T/out")"
expect "reconcile: the ILS's loans as at the start" "$ILS_INITIAL_LOANS" "$(loans)"
# Each item lent once, whatever bad checksums come on the way.
start_ils --fault badsum:12:3
drive checkout P-OK I-AVAIL-1 checkout P-OK I-AVAIL-2 checkout P-OK I-AVAIL-3 checkout P-OK I-AVAIL-1
check "three checkouts through bad checksums: lent" sh -c "[ \$(grep -c ': ok, due' '$T/out') = 3 ]"
expect "the same item again: refused, not doubled" "checkout I-AVAIL-1: refused: Item already on loan to you" "$(sed -n 4p "$T/out")"
expect "the ILS holds each loan once" 3 "$(grep -c '^I-AVAIL-[123] P-OK' "$T/loans")"

# Login and configuration.
printf 'station\nwrong\n' > "$T/bad-login"; chmod 600 "$T/bad-login"
start_ils
write_ils_config "$(cat "$T/port")" && sed -i "s|$T/sip2-login|$T/bad-login|" "$T/qrgate.conf"
ils_check
expect "a refused login: named" "ils: failed login: the ILS refused the login of user 'station'" "$(last)"
chmod 644 "$T/sip2-login"
write_ils_config "$(cat "$T/port")"
ils_check
expect "a world-readable credential is refused" "ils: failed credential: '$T/sip2-login' is readable by others (chmod o-r)" "$(last)"
chmod 600 "$T/sip2-login"
kill "$ILS_PID"; wait "$ILS_PID" 2>/dev/null; ILS_PID=
ils_check
expect "no ILS listening: connect failure" 1 $?
check "no ILS listening: named" grep -q "^ils: failed connect: cannot connect to 127.0.0.1 port" "$T/out"

write_ils_config 7000 'reply_timout_ms = 100;'
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2> "$T/err"
expect "check-config refuses a wrong ils section" 1 $?
check "check-config: did you mean reply_timeout_ms" grep -q "qrgate.conf:11: unknown key 'reply_timout_ms' in ils; did you mean 'reply_timeout_ms'?" "$T/err"
write_ils_config 7000 'tls = true; tls_ca = "ca.pem";'
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2> "$T/err"
check "check-config: tls_ca must be absolute" grep -q "qrgate.conf:11: ils tls_ca must be an absolute path" "$T/err"
write_ils_config 7000 'tls_server_name = "ils.example";'
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2> "$T/err"
check "check-config: tls_server_name without tls" grep -q "qrgate.conf:11: ils tls_server_name has no effect without tls = true" "$T/err"
write_ils_config 70000 'resend_max = 9;'
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2> "$T/err"
check "check-config: port out of range" grep -q "qrgate.conf:5: 'port' is 70000, must be between 1 and 65535" "$T/err"
check "check-config: resend_max out of range" grep -q "'resend_max' is 9, must be between 0 and 5" "$T/err"
sed -i 's|institution = "CITY"|institution = "CI\|TY"|' "$T/qrgate.conf"
"$B/qrgatectl" check-config "$T/qrgate.conf" > /dev/null 2> "$T/err"
check "check-config: an institution with '|'" grep -q "ils institution must be the SIP2 institution id" "$T/err"

# SIP2 over TLS: the ILS's certificate verified against tls_ca and the configured name.
cert() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
	-addext "subjectAltName=$2" -keyout "$T/$1.key" -out "$T/$1.pem" > /dev/null 2>&1; }
cert ils 'IP:127.0.0.1,DNS:localhost'
cert other 'IP:127.0.0.1'
start_ils --tls-cert "$T/ils.pem" --tls-key "$T/ils.key"
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/ils.pem\";"
ils_check --patron P-OK --item I-AVAIL-1 --checkout
expect "TLS: checkout and checkin" "ils: ok" "$(last)"
check "TLS: said so" grep -q "^# connecting to 127.0.0.1 port [0-9]* (tls)" "$T/out"
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/ils.pem\"; tls_server_name = \"localhost\";"
ils_check
expect "TLS: the certificate's DNS name" "ils: ok" "$(last)"
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/ils.pem\"; tls_server_name = \"ils.example\";"
ils_check
expect "TLS: another name than the certificate's: refused" "ils: failed connect: TLS: the ILS's certificate is not trusted: hostname mismatch" "$(last)"
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/other.pem\";"
ils_check
check "TLS: a certificate of another CA: refused" grep -q "^ils: failed connect: TLS: the ILS's certificate is not trusted: " "$T/out"
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/nonexistent.pem\";"
ils_check
check "TLS: an unreadable tls_ca: a configuration failure" grep -q "^ils: failed configuration: TLS: cannot load the trusted certificates $T/nonexistent.pem" "$T/out"
expect "TLS: an unreadable tls_ca is not retried" 0 "$(grep -c '^# .*connecting again' "$T/out")"
write_ils_config "$(cat "$T/port")"
ils_check
check "plain SIP2 to a TLS ILS: fails" grep -q "^ils: failed " "$T/out"
start_ils --tls-cert "$T/ils.pem" --tls-key "$T/ils.key" --fault badsum:12 --fault drop:98
write_ils_config "$(cat "$T/port")" "tls = true; tls_ca = \"$T/ils.pem\";"
ils_check --patron P-OK --item I-AVAIL-2 --checkout
expect "TLS: a drop and a bad checksum: reconnected, resent" "ils: ok" "$(last)"
check "TLS: the drop seen" grep -q "closed the connection" "$T/out"
expect "TLS: no loan left or doubled" "$ILS_INITIAL_LOANS" "$(loans)"

# Usage errors: exit 2, never a check.
"$B/qrgatectl" ils check --checkout --item I-AVAIL-1 > /dev/null 2>&1
expect "--checkout without --patron: usage" 2 $?
"$B/qrgatectl" ils > /dev/null 2>&1
expect "ils without a command: usage" 2 $?
"$B/qrgatectl" ils check extra > /dev/null 2>&1
expect "ils check with an operand: usage" 2 $?
ils_check --config "$T/nonexistent.conf"
expect "a missing configuration: named" "ils: failed configuration: $T/nonexistent.conf is not valid (qrgatectl check-config $T/nonexistent.conf)" "$(last)"
printf 'locks = ( { id = "main"; backend = "sim"; } );\ndoors = ( { id = "main"; lock = "main"; scopes = [ "library.lend" ]; } );\n' > "$T/no-ils.conf"
"$B/qrgatectl" ils check --config "$T/no-ils.conf" > "$T/out" 2>&1
expect "a configuration without ils: named" "ils: failed configuration: $T/no-ils.conf has no 'ils' section" "$(last)"

# The shipped example, uncommented, is a valid ils section.
sed '/^#ils: {/,/^#};/ s/^#//' "$ROOT/etc/qrgate.conf" > "$T/shipped.conf"
check "the shipped ils example is there" grep -q "^ils: {" "$T/shipped.conf"
"$B/qrgatectl" check-config "$T/shipped.conf" > /dev/null 2> "$T/err"
check "the shipped ils example, uncommented, is valid" sh -c "! grep -q ils '$T/err'"

# qrgated never handles the ILS's data: the SIP2 code is not even linked into it.
check "qrgated does not link the SIP2 client" sh -c "! nm '$B/qrgated' | grep -q ' T sip2_'"
check "qrgatectl does" sh -c "nm '$B/qrgatectl' | grep -q ' T sip2_client_checkout'"
check "qrgated does not load libssl (the client's TLS)" sh -c "! ldd '$B/qrgated' | grep -q libssl"

# lib.sh's cleanup stops what `jobs` lists, and a test ILS was once left running in the bare
# root (tests/fresh) all the same: this one is stopped by its pid.
kill "$ILS_PID" 2>/dev/null; wait "$ILS_PID" 2>/dev/null
finish

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIP2 messages (lending/sip2.h, docs/sip2.md): the checksums of the specification's examples,
 * every request the station builds read back field by field, every answer it parses, and each
 * way an answer can be wrong told apart with its own error, never a guessed value. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lending/sip2.h"

static Sip2Msg msg; /* 16 KiB: not on the test's stack */
static char text[SIP2_MSG_MAX + 64];

/* body + "AYn" (seq >= 0) + "AZ" + its checksum + CR. */
static const char *framed(const char *body, int seq) {
        size_t n;

        if (seq >= 0)
                snprintf(text, sizeof(text), "%sAY%dAZ", body, seq);
        else
                snprintf(text, sizeof(text), "%sAZ", body);
        n = strlen(text);
        snprintf(text + n, sizeof(text) - n, "%04X\r", sip2_checksum(text, n));
        return text;
}

static Sip2Error parse_error(const char *m, int expect) {
        Sip2ParseError e;
        int r = sip2_parse(m, strlen(m), expect, &msg, &e);

        if (r == 0)
                return SIP2_OK;
        assert_int_equal(r, -EBADMSG);
        assert_true(e.detail[0] != '\0');
        return e.code;
}

static void parses(const char *m, int expect) {
        Sip2ParseError e = {};
        if (sip2_parse(m, strlen(m), expect, &msg, &e) < 0)
                fail_msg("refused (%s: %s): %s", sip2_error_to_string(e.code), e.detail, m);
}

/* 3M SIP2 Developers Guide, "Error detection": the SC status example. */
static void checksum_of_the_spec_sc_status_example(void **state) {
        const char *m = "990 402.00AY1AZ";
        assert_int_equal(sip2_checksum(m, strlen(m)), 0xFCB4);
        parses("990 402.00AY1AZFCB4\r", 1);
        assert_int_equal(msg.command, SIP2_SC_STATUS);
        assert_string_equal(sip2_msg_fixed(&msg, "max print width"), " 40");
        assert_string_equal(sip2_msg_fixed(&msg, "protocol version"), "2.00");
}

/* The spec prints the login example with checksum EC78; the sum of its characters gives EC7B
 * (independent implementations' tests agree). We follow the arithmetic, so the example as
 * printed is refused for its checksum — and with the right one, read field by field. */
static void the_spec_login_example_misprints_its_checksum(void **state) {
        const char *printed = "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC78\r";
        assert_int_equal(parse_error(printed, -1), SIP2_E_BAD_CHECKSUM);
        parses("9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B\r", -1);
        assert_int_equal(msg.command, SIP2_LOGIN);
        assert_int_equal(msg.sequence, 5);
        assert_string_equal(sip2_msg_get(&msg, "CN"), "LoginUserID");
        assert_string_equal(sip2_msg_get(&msg, "CO"), "LoginPassword");
        assert_string_equal(sip2_msg_get(&msg, "CP"), "LocationCode");
}

static void login_is_built_as_the_spec_example(void **state) {
        Sip2Writer w;
        const char *out;
        int n = sip2_build_login(&w, &(Sip2Login) { "LoginUserID", "LoginPassword", "LocationCode" }, 5, &out);
        assert_int_equal(n, (int) strlen(out));
        assert_string_equal(out, "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B\r");
}

/* The spec's patron status example, as printed: "...|104000000105|..." lacks the AA identifier
 * (read as a field "10"), and its checksum F400 matches neither that text (F2F3) nor the text
 * with AA (F271, as independent implementations compute it). Refused for its checksum first;
 * with its own checksum, for the missing patron; with AA, read. */
static void the_spec_patron_status_example_lacks_its_patron(void **state) {
        assert_int_equal(parse_error("2300119960212    100239AOid_21|104000000105|AC|AD|AY2AZF400\r", -1),
                         SIP2_E_BAD_CHECKSUM);
        assert_int_equal(parse_error("2300119960212    100239AOid_21|104000000105|AC|AD|AY2AZF2F3\r", -1),
                         SIP2_E_MISSING_FIELD);
        parses("2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZF271\r", 2);
        assert_string_equal(sip2_msg_get(&msg, "AA"), "104000000105");
        assert_string_equal(sip2_msg_fixed(&msg, "language"), "001");
        assert_string_equal(sip2_msg_fixed(&msg, "transaction date"), "19960212    100239");
}

/* The spec's ACS status example has no BX (supported messages), which the spec's own table
 * requires, and a checksum (DA74) that is not its characters' (DEC6): refused for either. */
static void the_spec_acs_status_example_lacks_supported_messages(void **state) {
        const char *printed = "98YYYNYN01000319960214    1447001.00AOID_21|AMCentral Library|ANtty30|"
                              "AFScreen Message|AGPrint Message|AY1AZDA74\r";
        assert_int_equal(parse_error(printed, 1), SIP2_E_BAD_CHECKSUM);
        assert_int_equal(parse_error("98YYYNYN01000319960214    1447001.00AOID_21|AMCentral Library|ANtty30|"
                                     "AFScreen Message|AGPrint Message|AY1AZDEC6\r", 1),
                         SIP2_E_MISSING_FIELD);
}

static void resend_requests_carry_a_checksum_and_no_sequence(void **state) {
        Sip2Writer w;
        const char *out;
        assert_int_equal(sip2_build_request_acs_resend(&w, &out), 9);
        assert_string_equal(out, "97AZFEF5\r");
        parses("96AZFEF6\r", 3);
        assert_int_equal(msg.command, SIP2_REQUEST_SC_RESEND);
        assert_int_equal(msg.sequence, -1);
}

static const Sip2Request req = {
        .institution = "CITY", .patron = "P-OK", .item = "30001", .location = "Desk 1",
        .terminal_password = "tpw", .patron_password = NULL, .now = 1800000000, .no_block_due = -1,
};

static void requests_read_back_in_the_spec_order(void **state) {
        Sip2Writer w;
        const char *out;

        assert_true(sip2_build_checkout(&w, &req, 3, &out) > 0);
        assert_string_equal(out, framed("11NN20270115   Z080000" "                  "
                                        "AOCITY|AAP-OK|AB30001|ACtpw|", 3));
        parses(out, 3);
        assert_string_equal(sip2_msg_fixed(&msg, "transaction date"), "20270115   Z080000");

        assert_true(sip2_build_checkin(&w, &req, 4, &out) > 0);
        assert_string_equal(out, framed("09N20270115   Z08000020270115   Z080000APDesk 1|AOCITY|AB30001|ACtpw|", 4));
        parses(out, 4);

        assert_true(sip2_build_renew(&w, &req, 5, &out) > 0);
        assert_string_equal(out, framed("29NN20270115   Z080000                  AOCITY|AAP-OK|AB30001|ACtpw|", 5));
        parses(out, 5);

        assert_true(sip2_build_item_info(&w, &req, 6, &out) > 0);
        assert_string_equal(out, framed("1720270115   Z080000AOCITY|AB30001|ACtpw|", 6));
        parses(out, 6);

        assert_true(sip2_build_patron_status(&w, &req, 7, &out) > 0);
        assert_string_equal(out, framed("2300020270115   Z080000AOCITY|AAP-OK|ACtpw|AD|", 7));
        parses(out, 7);

        assert_true(sip2_build_patron_info(&w, &req, 8, &out) > 0);
        assert_string_equal(out, framed("6300020270115   Z080000          AOCITY|AAP-OK|ACtpw|", 8));
        parses(out, 8);

        assert_true(sip2_build_sc_status(&w, 9, &out) > 0);
        assert_string_equal(out, framed("990040" "2.00", 9));
        parses(out, 9);
}

static void offline_checkout_carries_no_block_and_its_due_date(void **state) {
        Sip2Writer w;
        const char *out;
        Sip2Request r = req;

        r.no_block = true;
        r.no_block_due = 1800000000 + 14 * 86400;
        assert_true(sip2_build_checkout(&w, &r, 0, &out) > 0);
        parses(out, 0);
        assert_string_equal(sip2_msg_fixed(&msg, "no block"), "Y");
        assert_string_equal(sip2_msg_fixed(&msg, "nb due date"), "20270129   Z080000");
}

#define DATE "20270115    080000"

static void answers_are_read_field_by_field(void **state) {
        parses(framed("941", 0), 0);
        assert_string_equal(sip2_msg_fixed(&msg, "ok"), "1");

        parses(framed("98YYYNYN010003" DATE "2.00AOCITY|AMCity Library|BXYYYYYYYYYYYNNYYY|ANMain|", 1), 1);
        assert_string_equal(sip2_msg_fixed(&msg, "timeout period"), "010");
        assert_string_equal(sip2_msg_get(&msg, "BX"), "YYYYYYYYYYYNNYYY");

        parses(framed("24Y             001" DATE "AOCITY|AAP-BLOCKED|AEA Reader|BLY|AFBlocked|AFSee the desk|", 2), 2);
        assert_string_equal(sip2_msg_fixed(&msg, "patron status"), "Y             ");
        assert_string_equal(sip2_msg_get(&msg, "AF"), "Blocked"); /* the first of a repeated field */

        parses(framed("64              001" DATE "000000010002000000000000AOCITY|AAP-OK|AEA Reader|BZ0005|CB0010|BLY|BV2.50|", 3), 3);
        assert_string_equal(sip2_msg_fixed(&msg, "charged items count"), "0002");

        parses(framed("121NNY" DATE "AOCITY|AAP-OK|AB30001|AJA Book|AH20270129    235900|", 4), 4);
        assert_string_equal(sip2_msg_get(&msg, "AH"), "20270129    235900");

        parses(framed("101YNN" DATE "AOCITY|AB30001|AQMain|AJA Book|", 5), 5);
        parses(framed("300NUN" DATE "AOCITY|AAP-OK|AB30001|AJA Book|AH|AFRenewal limit reached|", 6), 6);
        parses(framed("18030001" DATE "AB30001|AJA Book|CK001|", 7), 7);
        assert_string_equal(sip2_msg_fixed(&msg, "circulation status"), "03");
}

static void unknown_fields_are_kept_known_ones_checked(void **state) {
        parses(framed("941ZZextension|", 0), 0); /* an ILS's own field: kept, not refused */
        assert_string_equal(sip2_msg_get(&msg, "ZZ"), "extension");
        assert_int_equal(parse_error(framed("121NNY" DATE "AOCITY|AOCITY|AAP-OK|AB30001|AJ|AH|", 4), 4),
                         SIP2_E_DUPLICATE_FIELD);
}

static void required_fields_must_be_there(void **state) {
        /* A refused checkout still names its item and due date field (AH empty). */
        assert_int_equal(parse_error(framed("120NNY" DATE "AOCITY|AAP-OK|AB30001|AJ|AH|", 4), 4), SIP2_OK);
        assert_int_equal(parse_error(framed("121NNY" DATE "AOCITY|AAP-OK|AJA Book|AH20270129|", 4), 4),
                         SIP2_E_MISSING_FIELD);
        assert_int_equal(parse_error(framed("121NNY" DATE "AOCITY|AAP-OK|AB30001|AJA Book|", 4), 4),
                         SIP2_E_MISSING_FIELD);
}

static void fixed_fields_have_their_length_and_values(void **state) {
        /* 12's fixed part: 4 flags and a date, 22 characters. One short: refused. */
        /* The fixed part has no delimiters: one character short, the next field's first
         * character fills it, and the field it lands in says what is wrong. */
        assert_int_equal(parse_error(framed("121NNY20270115    08000AOCITY|AAP|AB1|AJ|AH|", 4), 4), SIP2_E_BAD_DATE);
        assert_int_equal(parse_error(framed("121NNY20270115    08000", 4), 4), SIP2_E_FIXED_LENGTH);
        assert_int_equal(parse_error(framed("94", 0), 0), SIP2_E_FIXED_LENGTH);
        assert_int_equal(parse_error(framed("942", 0), 0), SIP2_E_FIXED_VALUE);
        assert_int_equal(parse_error(framed("121XNY" DATE "AOCITY|AAP|AB1|AJ|AH|", 4), 4), SIP2_E_FIXED_VALUE);
        assert_int_equal(parse_error(framed("121NNX" DATE "AOCITY|AAP|AB1|AJ|AH|", 4), 4), SIP2_E_FIXED_VALUE);
        /* A count is four digits: blanks are not a number. */
        assert_int_equal(parse_error(framed("64              001" DATE "   0000100020000000000000AOC|AAP|AEN|", 3), 3),
                         SIP2_E_FIXED_VALUE);
}

static void dates_are_checked_to_the_day(void **state) {
        assert_true(sip2_date_valid("20280229    235959", false));  /* leap day */
        assert_false(sip2_date_valid("20270229    235959", false)); /* none in 2027 */
        assert_false(sip2_date_valid("20271301    000000", false));
        assert_false(sip2_date_valid("20270100    000000", false));
        assert_false(sip2_date_valid("20270101    240000", false));
        assert_true(sip2_date_valid("20270101   Z000000", false));
        assert_true(sip2_date_valid("20270101 EST000000", false));
        assert_false(sip2_date_valid("20270101  Z 000000", false)); /* zone not right-aligned */
        assert_false(sip2_date_valid("                  ", false));
        assert_true(sip2_date_valid("                  ", true));
        assert_int_equal(parse_error(framed("121NNY20271301    080000AOCITY|AAP|AB1|AJ|AH|", 4), 4), SIP2_E_BAD_DATE);
}

static void checksum_and_sequence_are_checked(void **state) {
        char m[64];

        strcpy(m, framed("941", 7));
        parses(m, 7);
        assert_int_equal(parse_error(m, 6), SIP2_E_WRONG_SEQUENCE);
        parses(m, -1);
        /* Lower-case hex is the same number. */
        for (char *p = m + strlen(m) - 5; *p != '\r'; p++)
                if (*p >= 'A' && *p <= 'F')
                        *p = (char) (*p - 'A' + 'a');
        parses(m, 7);
        /* Any changed character: the checksum no longer matches, whatever the sequence says. */
        strcpy(m, framed("941", 7));
        m[2] = '0';
        assert_int_equal(parse_error(m, 7), SIP2_E_BAD_CHECKSUM);
        strcpy(m, framed("941", 7));
        m[5] = '6'; /* AY6 claimed, sum of AY7 */
        assert_int_equal(parse_error(m, 6), SIP2_E_BAD_CHECKSUM);
        assert_int_equal(parse_error("941AY7\r", 7), SIP2_E_NO_CHECKSUM);
        assert_int_equal(parse_error("941AY7AZ12G4\r", 7), SIP2_E_NO_CHECKSUM);
        assert_int_equal(parse_error(framed("941", -1), 7), SIP2_E_NO_SEQUENCE);
        assert_int_equal(parse_error(framed("941AYx", -1), 7), SIP2_E_NO_SEQUENCE);
}

static void framing_and_garbage_are_refused(void **state) {
        char m[64];
        Sip2ParseError e;

        assert_int_equal(parse_error("941AY0AZFDA6", 0), SIP2_E_NO_TERMINATOR);
        assert_int_equal(parse_error("", 0), SIP2_E_NO_TERMINATOR);
        assert_int_equal(parse_error(framed("XX1", 0), 0), SIP2_E_UNKNOWN_COMMAND);
        assert_int_equal(parse_error(framed("941\n", 0), 0), SIP2_E_NOT_PRINTABLE);
        assert_int_equal(parse_error(framed("941ZZ\x7f|", 0), 0), SIP2_E_NOT_PRINTABLE);
        assert_int_equal(parse_error(framed("941ZZ\xc3|", 0), 0), SIP2_E_NOT_PRINTABLE); /* truncated UTF-8 */
        assert_int_equal(parse_error(framed("941ZZ\xc0\xaf|", 0), 0), SIP2_E_NOT_PRINTABLE); /* overlong */
        assert_int_equal(parse_error(framed("941ZZ\xed\xa0\x80|", 0), 0), SIP2_E_NOT_PRINTABLE); /* surrogate */
        assert_int_equal(parse_error(framed("941ZZB\xc3\xbc" "cher|", 0), 0), SIP2_OK); /* "Bücher" */
        /* A NUL inside: the length counts, not the C string. */
        strcpy(m, framed("941", 0));
        m[2] = '\0';
        assert_int_equal(sip2_parse(m, 13, 0, &msg, &e), -EBADMSG);
        assert_int_equal(e.code, SIP2_E_NOT_PRINTABLE);
        assert_int_equal(parse_error(framed("941Z", 0), 0), SIP2_E_BAD_FIELD);
        assert_int_equal(parse_error(framed("941ZZno bar", 0), 0), SIP2_E_BAD_FIELD);
        assert_int_equal(parse_error(framed("941zzlower|", 0), 0), SIP2_E_BAD_FIELD);
}

/* SIP2_MSG_MAX bytes: taken; one more: refused before anything else is read. */
static void length_limit_at_its_edge(void **state) {
        static char big[SIP2_MSG_MAX + 2];
        Sip2ParseError e;
        size_t body = SIP2_MSG_MAX - 10 - 4; /* "AY0AZhhhh\r" and the "ZZ" and '|' */

        memset(big, 'x', sizeof(big));
        memcpy(big, "941ZZ", 5);
        big[3 + 2 + body - 3] = '|';
        big[3 + 2 + body - 2] = '\0';
        strcpy(big, framed(big, 0));
        assert_int_equal(strlen(big), SIP2_MSG_MAX - 1);
        assert_int_equal(sip2_parse(big, strlen(big), 0, &msg, &e), 0);
        memmove(big + 4, big + 3, strlen(big + 3) + 1);
        big[3] = 'Z';
        big[4] = 'Z';
        memmove(big + 6, big + 5, 1);
        /* Rebuild one byte longer and one byte longer again: N and N+1. */
        memset(big, 'x', sizeof(big));
        memcpy(big, "941ZZ", 5);
        big[3 + 2 + body - 2] = '|';
        big[3 + 2 + body - 1] = '\0';
        strcpy(big, framed(big, 0));
        assert_int_equal(strlen(big), SIP2_MSG_MAX);
        assert_int_equal(sip2_parse(big, strlen(big), 0, &msg, &e), 0);
        memset(big, 'x', sizeof(big));
        memcpy(big, "941ZZ", 5);
        big[3 + 2 + body - 1] = '|';
        big[3 + 2 + body] = '\0';
        strcpy(big, framed(big, 0));
        assert_int_equal(strlen(big), SIP2_MSG_MAX + 1);
        assert_int_equal(sip2_parse(big, strlen(big), 0, &msg, &e), -EBADMSG);
        assert_int_equal(e.code, SIP2_E_TOO_LONG);
}

/* The writer's limit is the parser's: a message of SIP2_MSG_MAX bytes is built, one more is not. */
static void writer_length_limit_at_its_edge(void **state) {
        static char value[SIP2_MSG_MAX];
        Sip2Writer w;
        const char *out;
        size_t fill = SIP2_MSG_MAX - 3 - 2 - 1 - 10; /* "941", "ZZ", '|', "AYnAZhhhh" CR */

        for (int extra = -1; extra <= 1; extra++) {
                memset(value, 'v', fill + (size_t) (extra + 1));
                value[fill + (size_t) extra] = '\0';
                sip2_writer_begin(&w, SIP2_LOGIN_RESP);
                sip2_put_fixed(&w, "1", 1);
                sip2_put_field(&w, "ZZ", value);
                int n = sip2_writer_end(&w, 0, &out);
                if (extra <= 0) {
                        assert_int_equal(n, SIP2_MSG_MAX + extra);
                        assert_int_equal(sip2_parse(out, (size_t) n, 0, &msg, NULL), 0);
                } else
                        assert_int_equal(n, -EMSGSIZE);
        }
        /* Without a sequence number (96/97) the same total. */
        fill += 3;
        memset(value, 'v', fill);
        value[fill] = '\0';
        sip2_writer_begin(&w, SIP2_REQUEST_SC_RESEND);
        sip2_put_fixed(&w, "x", 1); /* stands in for 94's ok, keeping the sums alike */
        sip2_put_field(&w, "ZZ", value);
        assert_int_equal(sip2_writer_end(&w, -1, &out), SIP2_MSG_MAX);
}

static void too_many_fields_are_refused(void **state) {
        char body[1024] = "941";
        for (int i = 0; i < SIP2_FIELDS_MAX; i++)
                strcat(body, "ZZ|");
        assert_int_equal(parse_error(framed(body, 0), 0), SIP2_OK);
        strcat(body, "ZZ|");
        assert_int_equal(parse_error(framed(body, 0), 0), SIP2_E_TOO_MANY_FIELDS);
}

static void writer_refuses_values_that_would_break_the_framing(void **state) {
        Sip2Writer w;
        const char *out;
        Sip2Request r = req;
        static char huge[SIP2_MSG_MAX];

        r.item = "300|AAsomeone else";
        assert_int_equal(sip2_build_checkout(&w, &r, 0, &out), -EINVAL);
        r.item = "300\r";
        assert_int_equal(sip2_build_checkout(&w, &r, 0, &out), -EINVAL);
        r.item = "\xff";
        assert_int_equal(sip2_build_checkout(&w, &r, 0, &out), -EINVAL);
        memset(huge, 'x', sizeof(huge) - 1);
        r.item = huge;
        assert_int_equal(sip2_build_checkout(&w, &r, 0, &out), -EMSGSIZE);
        assert_int_equal(sip2_build_checkout(&w, &req, 10, &out), -EINVAL);
        sip2_writer_begin(&w, SIP2_LOGIN_RESP);
        sip2_put_fixed(&w, "11", 1);
        assert_int_equal(sip2_writer_end(&w, 0, &out), -EINVAL);
}

static void secrets_are_masked_for_display(void **state) {
        char buf[256];
        const char *m = "9300CNstation|COs3cret|CPDesk|AY0AZ1234\r";

        sip2_mask(m, strlen(m), buf, sizeof(buf));
        assert_string_equal(buf, "9300CNstation|CO***|CPDesk|AY0AZ1234");
        m = "2300020270115   Z080000AOCITY|AAP-OK|ACtpw|ADpin|AY7AZ1234\r";
        sip2_mask(m, strlen(m), buf, sizeof(buf));
        assert_string_equal(buf, "2300020270115   Z080000AOCITY|AAP-OK|AC***|AD***|AY7AZ1234");
        /* Nothing to split into fields: nothing shown. */
        m = "9300COs3cret"; /* not ended by '|' */
        sip2_mask(m, strlen(m), buf, sizeof(buf));
        assert_null(strstr(buf, "s3cret"));
        sip2_mask("9300COs3cret|", 13, buf, 8);
        assert_null(strstr(buf, "s3c"));
}

static void every_command_has_its_identifier(void **state) {
        for (Sip2Command c = 0; c < _SIP2_COMMAND_MAX; c++) {
                assert_int_equal(sip2_command_from_id(sip2_command_id(c)), c);
                assert_non_null(sip2_command_name(c));
        }
        assert_int_equal(sip2_command_response(SIP2_CHECKOUT), SIP2_CHECKOUT_RESP);
        assert_int_equal(sip2_command_response(SIP2_SC_STATUS), SIP2_ACS_STATUS);
        assert_int_equal(sip2_command_response(SIP2_CHECKOUT_RESP), _SIP2_COMMAND_INVALID);
        assert_int_equal(sip2_command_response(SIP2_REQUEST_ACS_RESEND), _SIP2_COMMAND_INVALID);
        for (Sip2Error e = 0; e < _SIP2_ERROR_MAX; e++)
                assert_non_null(sip2_error_to_string(e));
}

/* A due date (AH) as the station shows it and signs it into the receipt. */
static void due_dates_are_read_in_utc_or_local_time(void **state) {
        char buf[SIP2_DATE_LEN + 1];
        int64_t t = 0;

        sip2_format_date(1893456000, buf);
        assert_int_equal(sip2_parse_date(buf, &t), 0);
        assert_int_equal(t, 1893456000);
        assert_int_equal(sip2_parse_date("20300101   Z000000", &t), 0);
        assert_int_equal(t, 1893456000);
        setenv("TZ", "UTC+2", 1); /* four blanks: the ILS's local time */
        tzset();
        assert_int_equal(sip2_parse_date("20300101    000000", &t), 0);
        assert_int_equal(t, 1893456000 + 2 * 3600);
        unsetenv("TZ");
        tzset();
        /* Not SIP2 dates: another zone, a bad day, text, a short or long string, blanks. */
        assert_int_equal(sip2_parse_date("20300101 EST000000", &t), -EINVAL);
        assert_int_equal(sip2_parse_date("20300230   Z000000", &t), -EINVAL);
        assert_int_equal(sip2_parse_date("due in three weeks", &t), -EINVAL);
        assert_int_equal(sip2_parse_date("20300101   Z00000", &t), -EINVAL);
        assert_int_equal(sip2_parse_date("20300101   Z0000000", &t), -EINVAL);
        assert_int_equal(sip2_parse_date("                  ", &t), -EINVAL);
        assert_int_equal(sip2_parse_date(NULL, &t), -EINVAL);
        assert_int_equal(sip2_parse_date("20300101   Z240000", &t), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(checksum_of_the_spec_sc_status_example),
                cmocka_unit_test(the_spec_login_example_misprints_its_checksum),
                cmocka_unit_test(login_is_built_as_the_spec_example),
                cmocka_unit_test(the_spec_patron_status_example_lacks_its_patron),
                cmocka_unit_test(the_spec_acs_status_example_lacks_supported_messages),
                cmocka_unit_test(resend_requests_carry_a_checksum_and_no_sequence),
                cmocka_unit_test(requests_read_back_in_the_spec_order),
                cmocka_unit_test(offline_checkout_carries_no_block_and_its_due_date),
                cmocka_unit_test(answers_are_read_field_by_field),
                cmocka_unit_test(unknown_fields_are_kept_known_ones_checked),
                cmocka_unit_test(required_fields_must_be_there),
                cmocka_unit_test(fixed_fields_have_their_length_and_values),
                cmocka_unit_test(dates_are_checked_to_the_day),
                cmocka_unit_test(checksum_and_sequence_are_checked),
                cmocka_unit_test(framing_and_garbage_are_refused),
                cmocka_unit_test(length_limit_at_its_edge),
                cmocka_unit_test(writer_length_limit_at_its_edge),
                cmocka_unit_test(too_many_fields_are_refused),
                cmocka_unit_test(writer_refuses_values_that_would_break_the_framing),
                cmocka_unit_test(secrets_are_masked_for_display),
                cmocka_unit_test(every_command_has_its_identifier),
                cmocka_unit_test(due_dates_are_read_in_utc_or_local_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

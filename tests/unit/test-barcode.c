/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printed barcodes: the three check-digit schemes on published examples, with every error each
 * scheme is known to catch (every single-digit error; the transpositions it detects), and the
 * verifier's Codabar and EAN-13 entries on the texts a scanner sends — valid, a wrong check
 * digit, the wrong length, characters that are not digits, nothing, far too much — and what
 * `qrgatectl decode` says of them. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check-digit.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/isbn.h"
#include "core/verifier.h"
#include "tools/ctl-decode.h"

typedef int (*CheckDigitFn)(const char *digits, size_t n);

/* Whether number (data digits and its check character) is valid under fn. */
static bool valid(CheckDigitFn fn, const char *number) {
        size_t n = strlen(number);
        int d = fn(number, n - 1);
        char c = fn == check_digit_isbn10 ? check_digit_isbn10_char(d) : (char) ('0' + d);
        return d >= 0 && c == number[n - 1];
}

/* Each digit replaced by each other digit must be caught (the check character too). */
static void assert_every_single_digit_error_caught(CheckDigitFn fn, const char *number) {
        char buf[32];
        size_t n = strlen(number);

        assert_true(valid(fn, number));
        for (size_t i = 0; i < n; i++)
                for (char c = '0'; c <= '9'; c++) {
                        if (c == number[i])
                                continue;
                        snprintf(buf, sizeof(buf), "%s", number);
                        buf[i] = c;
                        if (valid(fn, buf))
                                fail_msg("%s: %s with digit %zu changed to %c still validates", number, buf, i, c);
                }
}

/* Swapping positions i and j (adjacent only unless any_pair) must be caught unless blind() says
 * the scheme cannot see that swap. */
static void assert_transpositions_caught(CheckDigitFn fn, const char *number, bool any_pair, bool (*blind)(char a, char b)) {
        char buf[32];
        size_t n = strlen(number), caught = 0;

        for (size_t i = 0; i + 1 < n; i++)
                for (size_t j = i + 1; j < (any_pair ? n : i + 2); j++) {
                        if (number[i] == number[j] || (blind && blind(number[i], number[j])))
                                continue;
                        snprintf(buf, sizeof(buf), "%s", number);
                        buf[i] = number[j];
                        buf[j] = number[i];
                        if (valid(fn, buf))
                                fail_msg("%s: swapping positions %zu and %zu (%s) is not caught", number, i, j, buf);
                        caught++;
                }
        assert_true(caught > 0);
}

static bool luhn_blind(char a, char b) {
        return (a == '0' && b == '9') || (a == '9' && b == '0');
}

static bool gs1_blind(char a, char b) {
        return abs(a - b) == 5;
}

/* Library Codabar numbers published with their check digit (core/check-digit.h names where). */
static const char *const library_examples[] = { "30234000517861", "33191000105864" };

static void luhn_gives_the_published_library_check_digits(void **state) {
        assert_int_equal(check_digit_luhn("3023400051786", 13), 1);
        assert_int_equal(check_digit_luhn("3319100010586", 13), 4);
        /* The textbook Luhn example (Wikipedia, "Luhn algorithm"): 7992739871 -> 3. */
        assert_int_equal(check_digit_luhn("7992739871", 10), 3);
        for (size_t i = 0; i < ELEMENTSOF(library_examples); i++) {
                assert_every_single_digit_error_caught(check_digit_luhn, library_examples[i]);
                assert_transpositions_caught(check_digit_luhn, library_examples[i], false, luhn_blind);
        }
        /* The one adjacent swap Luhn cannot see, shown so the exception is known, not assumed. */
        assert_int_equal(check_digit_luhn("090", 3), check_digit_luhn("900", 3));
}

/* EAN-13s published with their check digit: Wikipedia's EAN-13 example, the ISBN-13 of ISO 2108
 * examples (978-0-306-40615-7), GS1 Hong Kong's worked example, a UPC-A (036000291452) as the
 * EAN-13 it is sent as. */
static const char *const ean_examples[] = { "4006381333931", "9780306406157", "6291041500213", "0036000291452" };

static void gs1_gives_the_published_ean13_check_digits(void **state) {
        assert_int_equal(check_digit_gs1("400638133393", 12), 1);
        assert_int_equal(check_digit_gs1("978030640615", 12), 7);
        assert_int_equal(check_digit_gs1("629104150021", 12), 3);
        assert_int_equal(check_digit_gs1("03600029145", 11), 2); /* UPC-A as 11 digits: same weights from the right */
        for (size_t i = 0; i < ELEMENTSOF(ean_examples); i++) {
                assert_every_single_digit_error_caught(check_digit_gs1, ean_examples[i]);
                assert_transpositions_caught(check_digit_gs1, ean_examples[i], false, gs1_blind);
        }
        /* The swaps it cannot see: adjacent digits 5 apart. */
        assert_int_equal(check_digit_gs1("27", 2), check_digit_gs1("72", 2));
}

/* ISBN-10s: 0-306-40615-2 (the ISBN-10 of 978-0-306-40615-7) and 0-8044-2957-X (check 'X'). */
static void isbn10_gives_the_published_check_digits_and_catches_every_swap(void **state) {
        static const char *const isbns[] = { "0306406152", "080442957X", "0198526636" };

        assert_int_equal(check_digit_isbn10("030640615", 9), 2);
        assert_int_equal(check_digit_isbn10("080442957", 9), 10);
        assert_int_equal(check_digit_isbn10_char(10), 'X');
        for (size_t i = 0; i < ELEMENTSOF(isbns); i++) {
                char data[16];
                /* Single errors among the 9 data digits (the check is 'X' in one). */
                snprintf(data, sizeof(data), "%s", isbns[i]);
                for (size_t p = 0; p < 9; p++)
                        for (char c = '0'; c <= '9'; c++) {
                                if (c == isbns[i][p])
                                        continue;
                                data[p] = c;
                                assert_false(valid(check_digit_isbn10, data));
                                data[p] = isbns[i][p];
                        }
                /* Mod 11 with weights 10..1 sees every swap of two digits, adjacent or not. */
                assert_transpositions_caught(check_digit_isbn10, isbns[i], true, NULL);
        }
}

static void check_digit_functions_refuse_what_is_not_digits(void **state) {
        char many[80];

        memset(many, '1', sizeof(many));
        assert_int_equal(check_digit_luhn("", 0), -EINVAL);
        assert_int_equal(check_digit_gs1("", 0), -EINVAL);
        assert_int_equal(check_digit_luhn("12a4", 4), -EINVAL);
        assert_int_equal(check_digit_gs1("12 4", 4), -EINVAL);
        assert_int_equal(check_digit_gs1("12-4", 4), -EINVAL);
        assert_int_equal(check_digit_luhn(many, sizeof(many)), -EINVAL);
        assert_int_equal(check_digit_gs1(many, sizeof(many)), -EINVAL);
        assert_int_equal(check_digit_isbn10("03064061", 8), -EINVAL);
        assert_int_equal(check_digit_isbn10("0306406X5", 9), -EINVAL);
        assert_true(check_digit_luhn(many, 64) >= 0); /* the longest accepted */
}

static Reason check(const char *text, VerifyResult *res) {
        Verifier v = {};
        return verifier_check(&v, text, strlen(text), 1800000000, res);
}

static void library_barcode_is_valid_with_or_without_start_stop(void **state) {
        VerifyResult res;

        assert_int_equal(check("]F030234000517861", &res), REASON_OK);
        assert_int_equal(res.format, CODE_FORMAT_CODABAR);
        assert_string_equal(code_format_to_string(res.format), "Codabar");
        assert_string_equal(res.barcode.id, "30234000517861");
        assert_int_equal(res.barcode.start, '\0');
        assert_int_equal(res.barcode.expected, 1);
        assert_int_equal(res.barcode.found, 1);
        assert_false(res.have_claims);

        /* The same card with the start/stop characters: the same identifier. */
        assert_int_equal(check("]F0A30234000517861B", &res), REASON_OK);
        assert_string_equal(res.barcode.id, "30234000517861");
        assert_int_equal(res.barcode.start, 'A');
        assert_int_equal(res.barcode.stop, 'B');
        assert_int_equal(check("]F0D33191000105864D", &res), REASON_OK);
        assert_string_equal(res.barcode.id, "33191000105864");
}

static void library_barcode_with_any_wrong_digit_is_bad_check_digit(void **state) {
        char text[32];
        VerifyResult res;

        for (size_t i = 0; i < CODABAR_DIGITS; i++)
                for (char c = '0'; c <= '9'; c++) {
                        snprintf(text, sizeof(text), "]F0A30234000517861B");
                        if (text[4 + i] == c)
                                continue;
                        text[4 + i] = c;
                        assert_int_equal(check(text, &res), REASON_BAD_CHECK_DIGIT);
                        assert_int_equal(res.failed, VERIFY_STEP_STRUCTURE);
                        assert_int_equal(res.format, CODE_FORMAT_CODABAR);
                        assert_int_not_equal(res.barcode.expected, res.barcode.found);
                        assert_int_equal(res.barcode.found, text[4 + CODABAR_DIGITS - 1] - '0');
                }
        assert_int_equal(check("]F030234000517862", &res), REASON_BAD_CHECK_DIGIT);
        assert_string_equal(reason_to_string(res.reason), "bad-check-digit");
        assert_non_null(strstr(res.detail, "check digit 2, but the digits before it give 1"));
        /* A swap of adjacent digits, caught. */
        assert_int_equal(check("]F030234000157861", &res), REASON_BAD_CHECK_DIGIT);
}

static void library_barcode_of_another_layout_is_malformed(void **state) {
        VerifyResult res;

        assert_int_equal(check("]F0", &res), REASON_MALFORMED);
        assert_int_equal(res.failed, VERIFY_STEP_STRUCTURE);
        assert_int_equal(check("]F0AB", &res), REASON_MALFORMED);
        assert_int_equal(check("]F03023400051786", &res), REASON_MALFORMED); /* 13 digits */
        assert_int_equal(check("]F0302340005178610", &res), REASON_MALFORMED); /* 15 */
        assert_non_null(strstr(res.detail, "15 digits"));
        assert_int_equal(res.barcode.id[0], '\0');
        assert_int_equal(res.barcode.expected, -1);
}

static void library_barcode_with_other_characters_is_bad_encoding(void **state) {
        VerifyResult res;

        /* Only one of start and stop: a cut or glued text. */
        assert_int_equal(check("]F0A30234000517861", &res), REASON_BAD_ENCODING);
        assert_int_equal(res.failed, VERIFY_STEP_ENCODING);
        assert_non_null(strstr(res.detail, "start character without a stop"));
        assert_int_equal(check("]F030234000517861C", &res), REASON_BAD_ENCODING);
        /* Characters of Codabar libraries do not use, lower-case start/stop, a start/stop
         * character inside, a control character, a byte beyond ASCII. */
        assert_int_equal(check("]F03023400-0517861", &res), REASON_BAD_ENCODING);
        assert_non_null(strstr(res.detail, "'-' at position 10"));
        assert_int_equal(check("]F0a30234000517861b", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]F0A3023400A0517861B", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]F0T30234000517861N", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]F030234000517861\r", &res), REASON_BAD_ENCODING);
        assert_non_null(strstr(res.detail, "0x0d"));
        assert_int_equal(check("]F03023400051786\xc3\xa9", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]F0 30234000517861", &res), REASON_BAD_ENCODING);
}

static void ean13_and_isbn13_are_valid_and_isbn_is_flagged(void **state) {
        VerifyResult res;
        char isbn10[11];

        assert_int_equal(check("]E04006381333931", &res), REASON_OK);
        assert_int_equal(res.format, CODE_FORMAT_EAN13);
        assert_string_equal(code_format_to_string(res.format), "EAN-13");
        assert_string_equal(res.barcode.id, "4006381333931");
        assert_false(res.barcode.isbn);
        assert_int_equal(check("]E00036000291452", &res), REASON_OK); /* a UPC-A */

        assert_int_equal(check("]E09780306406157", &res), REASON_OK);
        assert_true(res.barcode.isbn);
        assert_true(ean13_isbn10(res.barcode.id, isbn10));
        assert_string_equal(isbn10, "0306406152");
        assert_true(ean13_isbn10("9780804429573", isbn10));
        assert_string_equal(isbn10, "080442957X");
        /* 979 is an ISBN-13 range with no ISBN-10. */
        assert_int_equal(check("]E09791000000008", &res), REASON_OK);
        assert_true(res.barcode.isbn);
        assert_false(ean13_isbn10(res.barcode.id, isbn10));
}

static void ean13_with_any_wrong_digit_is_bad_check_digit(void **state) {
        char text[32];
        VerifyResult res;

        for (size_t k = 0; k < ELEMENTSOF(ean_examples); k++)
                for (size_t i = 0; i < EAN13_DIGITS; i++)
                        for (char c = '0'; c <= '9'; c++) {
                                snprintf(text, sizeof(text), "]E0%s", ean_examples[k]);
                                if (text[3 + i] == c)
                                        continue;
                                text[3 + i] = c;
                                assert_int_equal(check(text, &res), REASON_BAD_CHECK_DIGIT);
                                assert_int_equal(res.failed, VERIFY_STEP_STRUCTURE);
                                assert_int_equal(res.format, CODE_FORMAT_EAN13);
                        }
        assert_int_equal(check("]E09780306406158", &res), REASON_BAD_CHECK_DIGIT);
        assert_int_equal(res.barcode.expected, 7);
        assert_int_equal(res.barcode.found, 8);
        assert_non_null(strstr(res.detail, "GS1 mod 10"));
}

static void ean13_of_another_length_is_malformed(void **state) {
        VerifyResult res;

        /* The scanner leaves the check digit out: said so. */
        assert_int_equal(check("]E0400638133393", &res), REASON_MALFORMED);
        assert_non_null(strstr(res.detail, "send the check digit"));
        assert_int_equal(check("]E0", &res), REASON_MALFORMED);
        assert_int_equal(check("]E040063813339312", &res), REASON_MALFORMED);
        /* An EAN-13 with a 5-digit add-on, as some scanners glue it on. */
        assert_int_equal(check("]E0978030640615751999", &res), REASON_MALFORMED);
        assert_int_equal(res.failed, VERIFY_STEP_STRUCTURE);
        /* Printed with hyphens or spaces, as an ISBN is on a title page: not what a scanner sends. */
        assert_int_equal(check("]E0978-0-306-40615-7", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]E0978030640615X", &res), REASON_BAD_ENCODING);
}

/* A Bookland scanner sends a book as its ISBN-10 or ISBN-13 behind ]X0; either way, and as an
 * EAN-13 behind ]E0, the book's identifier is its ISBN-13. */
static void isbn_from_a_bookland_scanner_maps_to_the_isbn13(void **state) {
        VerifyResult res;

        assert_int_equal(check("]X00306406152", &res), REASON_OK);
        assert_int_equal(res.format, CODE_FORMAT_ISBN);
        assert_string_equal(code_format_to_string(res.format), "ISBN");
        assert_string_equal(res.barcode.id, "9780306406157");
        assert_string_equal(res.barcode.isbn10, "0306406152");
        assert_true(res.barcode.isbn);
        assert_int_equal(check("]X09780306406157", &res), REASON_OK);
        assert_string_equal(res.barcode.id, "9780306406157");
        assert_string_equal(res.barcode.isbn10, "");
        assert_int_equal(check("]E09780306406157", &res), REASON_OK);
        assert_string_equal(res.barcode.id, "9780306406157");

        /* The check character 10 is X. */
        assert_int_equal(check("]X0080442957X", &res), REASON_OK);
        assert_string_equal(res.barcode.id, "9780804429573");
        assert_int_equal(res.barcode.expected, 10);
        assert_int_equal(check("]X09791000000008", &res), REASON_OK);
}

static void isbn10_with_any_wrong_character_is_bad_check_digit(void **state) {
        static const char *const isbns[] = { "0306406152", "080442957X" };
        char text[32];
        VerifyResult res;

        for (size_t k = 0; k < ELEMENTSOF(isbns); k++) {
                /* Every single error, the check character included (0-9 and X). */
                for (size_t i = 0; i < 10; i++)
                        for (const char *c = "0123456789X"; *c; c++) {
                                snprintf(text, sizeof(text), "]X0%s", isbns[k]);
                                if (text[3 + i] == *c || (*c == 'X' && i < 9))
                                        continue;
                                text[3 + i] = *c;
                                assert_int_equal(check(text, &res), REASON_BAD_CHECK_DIGIT);
                                assert_int_equal(res.failed, VERIFY_STEP_STRUCTURE);
                        }
                /* Every swap of two data digits. */
                for (size_t i = 0; i < 9; i++)
                        for (size_t j = i + 1; j < 9; j++) {
                                snprintf(text, sizeof(text), "]X0%s", isbns[k]);
                                if (text[3 + i] == text[3 + j])
                                        continue;
                                char t = text[3 + i];
                                text[3 + i] = text[3 + j];
                                text[3 + j] = t;
                                assert_int_equal(check(text, &res), REASON_BAD_CHECK_DIGIT);
                        }
        }
        assert_int_equal(check("]X00306406153", &res), REASON_BAD_CHECK_DIGIT);
        assert_non_null(strstr(res.detail, "check digit 3, but the digits before it give 2 (ISBN-10 mod 11)"));
        assert_int_equal(check("]X00804429570", &res), REASON_BAD_CHECK_DIGIT);
        assert_non_null(strstr(res.detail, "give X"));
        assert_int_equal(check("]X09780306406158", &res), REASON_BAD_CHECK_DIGIT);
}

static void isbn_of_another_form_is_malformed_or_bad_encoding(void **state) {
        VerifyResult res;

        assert_int_equal(check("]X0", &res), REASON_MALFORMED);
        assert_int_equal(check("]X0412356", &res), REASON_MALFORMED); /* a Trioptic Code 39, also sent as ]X0 */
        assert_int_equal(check("]X0030640615", &res), REASON_MALFORMED);
        assert_int_equal(check("]X04006381333931", &res), REASON_MALFORMED); /* 13 digits, not 978/979 */
        assert_non_null(strstr(res.detail, "begins 978 or 979"));
        assert_int_equal(check("]X0080442957x", &res), REASON_BAD_ENCODING);
        assert_non_null(strstr(res.detail, "upper-case X"));
        assert_int_equal(check("]X008044295X7", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]X0978030640615X", &res), REASON_BAD_ENCODING);
        assert_int_equal(check("]X00-306-40615-2", &res), REASON_BAD_ENCODING);
}

/* The prefixes are AIM symbology identifiers: nothing else is taken for a barcode, a barcode is
 * never taken for a signed code, and digits alone are refused with the scanner setting to fix. */
static void barcodes_are_told_apart_only_by_their_symbology_identifier(void **state) {
        VerifyResult res;

        assert_int_equal(check("30234000517861", &res), REASON_UNSUPPORTED_FORMAT);
        assert_non_null(strstr(res.detail, "symbology identifier"));
        assert_int_equal(check("A30234000517861B", &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(check("4006381333931", &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(res.format, CODE_FORMAT_UNKNOWN);
        /* Other symbologies and EAN-8 (]E4) are not read. */
        assert_int_equal(check("]E440063813", &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(check("]F130234000517861", &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(check("]C030234000517861", &res), REASON_UNSUPPORTED_FORMAT);
        assert_non_null(strstr(res.detail, "]F0, ]E0, ]X0"));
        /* A lower-case identifier is a scanner typing with Caps Lock. */
        assert_int_equal(check("]f030234000517861", &res), REASON_BAD_ENCODING);
        assert_int_equal(res.failed, VERIFY_STEP_FORMAT);
        /* A barcode's digits after a QG1 prefix are a (bad) QG1 code, nothing else. */
        assert_int_equal(check("QG1:]F030234000517861", &res), REASON_BAD_ENCODING);
        assert_int_equal(res.format, CODE_FORMAT_QG1);
}

static void very_long_input_is_too_long(void **state) {
        char *text = malloc(CODE_MAX_TEXT + 2);
        VerifyResult res;
        Verifier v = {};

        assert_non_null(text);
        memcpy(text, "]F0", 3);
        memset(text + 3, '1', CODE_MAX_TEXT - 1);
        assert_int_equal(verifier_check(&v, text, 61, 0, &res), REASON_MALFORMED); /* 64 in all: the limit */
        assert_int_equal(verifier_check(&v, text, 65, 0, &res), REASON_TOO_LONG);
        assert_int_equal(res.format, CODE_FORMAT_CODABAR);
        assert_int_equal(verifier_check(&v, text, CODE_MAX_TEXT + 2, 0, &res), REASON_TOO_LONG);
        memcpy(text, "]E0", 3);
        assert_int_equal(verifier_check(&v, text, 200, 0, &res), REASON_TOO_LONG);
        assert_int_equal(res.format, CODE_FORMAT_EAN13);
        free(text);
}

/* A barcode is shown again at every visit: honouring one records nothing. */
static void a_valid_barcode_is_consumed_without_a_record(void **state) {
        ReplayCache *rc;
        VerifyResult res;

        assert_int_equal(replay_cache_new(16, &rc), 0);
        Verifier v = { .replay = rc };
        assert_int_equal(verifier_check(&v, "]E04006381333931", 16, 1800000000, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, 1800000000), 0);
        assert_int_equal(verifier_consume(&v, &res, 1800000000), 0);
        assert_int_equal(replay_cache_count(rc, 1800000000), 0);
        assert_int_equal(verifier_check(&v, "]E04006381333932", 16, 1800000000, &res), REASON_BAD_CHECK_DIGIT);
        assert_int_equal(verifier_consume(&v, &res, 1800000000), -EINVAL);
        replay_cache_free(rc);
}

/* What `qrgatectl decode` prints for a barcode: the text in, the explanation out. */
static char *explain(const char *text) {
        VerifyResult res;
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        assert_non_null(f);
        (void) check(text, &res);
        decode_explain(f, &res, 1800000000, false);
        assert_int_equal(fclose(f), 0);
        return out;
}

/* decode shows the symbology, the digits, the check digit expected and found, the verdict, and
 * says plainly which checks a barcode does not have, never "signature ok". */
static void decode_explains_a_barcode_and_what_was_not_checked(void **state) {
        char *out = explain("]F0A30234000517862B");
        assert_non_null(strstr(out, "symbology      Codabar (AIM ]F0), start A, stop B\n"));
        assert_non_null(strstr(out, "barcode        30234000517862\n"));
        assert_non_null(strstr(out, "layout         type 3 (item), institution 0234, number 00051786\n"));
        assert_non_null(strstr(out, "check digit    expected 1 (Luhn mod 10), found 2: WRONG\n"));
        assert_non_null(strstr(out, "check structure FAILED bad-check-digit"));
        assert_non_null(strstr(out, "not checked:   issuer, signature, time, lifetime, replay"));
        assert_null(strstr(out, "check signature"));
        assert_non_null(strstr(out, "verdict: invalid bad-check-digit\n"));
        free(out);

        out = explain("]E09780306406157");
        assert_non_null(strstr(out, "symbology      EAN-13 (AIM ]E0)\n"));
        assert_non_null(strstr(out, "isbn           ISBN-13 9780306406157, ISBN-10 0306406152\n"));
        assert_non_null(strstr(out, "check digit    expected 7 (GS1 mod 10), found 7: ok\n"));
        assert_null(strstr(out, "check signature"));
        assert_non_null(strstr(out, "verdict: valid\n"));
        free(out);

        out = explain("]X0080442957X");
        assert_non_null(strstr(out, "symbology      Bookland EAN (AIM ]X0)\n"));
        assert_non_null(strstr(out, "isbn           ISBN-10 080442957X, as ISBN-13 9780804429573\n"));
        assert_non_null(strstr(out, "check digit    expected X (ISBN-10 mod 11), found X: ok\n"));
        free(out);

        out = explain("]E0400638133393");
        assert_non_null(strstr(out, "send the check digit"));
        assert_non_null(strstr(out, "digits         12\n"));
        assert_non_null(strstr(out, "verdict: invalid malformed\n"));
        free(out);

        out = explain("]F030234x00517861");
        assert_non_null(strstr(out, "check encoding  FAILED bad-encoding: 'x' at position 8 is not a digit\n"));
        assert_non_null(strstr(out, "check structure not reached\n"));
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(luhn_gives_the_published_library_check_digits),
                cmocka_unit_test(gs1_gives_the_published_ean13_check_digits),
                cmocka_unit_test(isbn10_gives_the_published_check_digits_and_catches_every_swap),
                cmocka_unit_test(check_digit_functions_refuse_what_is_not_digits),
                cmocka_unit_test(library_barcode_is_valid_with_or_without_start_stop),
                cmocka_unit_test(library_barcode_with_any_wrong_digit_is_bad_check_digit),
                cmocka_unit_test(library_barcode_of_another_layout_is_malformed),
                cmocka_unit_test(library_barcode_with_other_characters_is_bad_encoding),
                cmocka_unit_test(ean13_and_isbn13_are_valid_and_isbn_is_flagged),
                cmocka_unit_test(ean13_with_any_wrong_digit_is_bad_check_digit),
                cmocka_unit_test(ean13_of_another_length_is_malformed),
                cmocka_unit_test(isbn_from_a_bookland_scanner_maps_to_the_isbn13),
                cmocka_unit_test(isbn10_with_any_wrong_character_is_bad_check_digit),
                cmocka_unit_test(isbn_of_another_form_is_malformed_or_bad_encoding),
                cmocka_unit_test(barcodes_are_told_apart_only_by_their_symbology_identifier),
                cmocka_unit_test(very_long_input_is_too_long),
                cmocka_unit_test(a_valid_barcode_is_consumed_without_a_record),
                cmocka_unit_test(decode_explains_a_barcode_and_what_was_not_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

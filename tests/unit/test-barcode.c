/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printed barcodes: the three check-digit schemes on published examples, with every error each
 * scheme is known to catch (every single-digit error; the transpositions it detects). */

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
#include "core/macro.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(luhn_gives_the_published_library_check_digits),
                cmocka_unit_test(gs1_gives_the_published_ean13_check_digits),
                cmocka_unit_test(isbn10_gives_the_published_check_digits_and_catches_every_swap),
                cmocka_unit_test(check_digit_functions_refuse_what_is_not_digits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

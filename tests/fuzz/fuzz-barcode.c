/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printed barcodes through the whole scanned-text path: any bytes go through verifier_check()
 * and come back with a reason; a valid barcode's identifier is the digits of its layout, with a
 * check digit that the independent functions of core/check-digit.c agree with, and verifying
 * the identifier again gives the same result (an ISBN-10's identifier is its ISBN-13). The input is also tried behind each barcode
 * prefix, so the fuzzer reaches the digits without having to find "]F0" or "]E0" first, and
 * every result is explained as `qrgatectl decode` would. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/isbn.h"
#include "core/verifier.h"
#include "tools/ctl-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* What a valid barcode result must be, checked without the entries' own code. */
static void check_valid(const Verifier *v, const VerifyResult *res) {
        const BarcodeInfo *b = &res->barcode;
        size_t n = strlen(b->id);
        char again[BARCODE_DIGITS_MAX + 8];
        VerifyResult res2;
        int d;

        const char *prefix = res->format == CODE_FORMAT_CODABAR ? CODABAR_PREFIX :
                             res->format == CODE_FORMAT_EAN13 ? EAN13_PREFIX : ISBN_PREFIX;

        assert(all_digits(b->id, n));
        if (res->format == CODE_FORMAT_ISBN) {
                /* Read as ISBN-10 or -13, the identifier is the ISBN-13, whose check holds too. */
                assert(b->isbn && n == EAN13_DIGITS);
                assert(strncmp(b->id, "978", 3) == 0 || strncmp(b->id, "979", 3) == 0);
                assert(b->id[12] - '0' == check_digit_gs1(b->id, 12));
                if (b->isbn10[0]) {
                        assert(b->n_digits == 10 && strncmp(b->id + 3, b->isbn10, 9) == 0);
                        d = check_digit_isbn10(b->isbn10, 9);
                        assert(d == b->expected && d == b->found && check_digit_isbn10_char(d) == b->isbn10[9]);
                } else
                        assert(b->n_digits == 13 && b->expected == b->id[12] - '0' && b->found == b->expected);
        } else if (res->format == CODE_FORMAT_CODABAR) {
                assert(n == CODABAR_DIGITS);
                assert(!b->start == !b->stop);
                d = check_digit_luhn(b->id, n - 1);
        } else {
                assert(res->format == CODE_FORMAT_EAN13 && n == EAN13_DIGITS);
                assert(b->isbn == (strncmp(b->id, "978", 3) == 0 || strncmp(b->id, "979", 3) == 0));
                d = check_digit_gs1(b->id, n - 1);
        }
        if (res->format != CODE_FORMAT_ISBN)
                assert(n == b->n_digits && d == b->expected && d == b->found && d == b->id[n - 1] - '0');
        assert(!res->have_claims);
        assert(verifier_consume(v, res, 1800000000) == 0);

        /* The identifier is the normal form: verified again (without start/stop), the same. */
        snprintf(again, sizeof(again), "%s%s", prefix, b->id);
        assert(verifier_check(v, again, strlen(again), 1800000000, &res2) == REASON_OK);
        assert(strcmp(res2.barcode.id, b->id) == 0);
}

static void check(const char *text, size_t len) {
        Verifier v = { .max_lifetime = 120, .clock_skew = 30 };
        VerifyResult res;
        Reason r = verifier_check(&v, text, len, 1800000000, &res);

        assert(r >= 0 && r < _REASON_MAX);
        assert(r == res.reason);
        assert(r == REASON_OK || res.detail[0] != '\0');
        if (code_format_is_barcode(res.format)) {
                if (r == REASON_OK)
                        check_valid(&v, &res);
                else {
                        assert(res.failed <= VERIFY_STEP_STRUCTURE);
                        /* Only a right layout with a wrong check digit fills in the digits. */
                        assert((r == REASON_BAD_CHECK_DIGIT) == (res.barcode.id[0] != '\0'));
                        if (r == REASON_BAD_CHECK_DIGIT)
                                assert(res.barcode.expected != res.barcode.found);
                }
        }
        decode_explain(devnull, &res, 1800000000, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text;

        if (!devnull)
                assert((devnull = fopen("/dev/null", "w")));
        check((const char *) data, size);
        if (size > 64)
                return 0;
        text = malloc(size + 3);
        assert(text);
        memcpy(text + 3, data, size);
        memcpy(text, CODABAR_PREFIX, 3);
        check(text, size + 3);
        memcpy(text, EAN13_PREFIX, 3);
        check(text, size + 3);
        memcpy(text, ISBN_PREFIX, 3);
        check(text, size + 3);
        free(text);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/isbn.h"

#define ISBN10_LEN 10
#define ISBN13_LEN 13

/* Digits, and an upper-case X only as the 10th of ten characters (ISBN-10's check character). */
static Reason isbn_decode(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len, VerifyResult *res) {
        bool check_x = len == ISBN10_LEN && text[ISBN10_LEN - 1] == 'X';
        Reason reason;

        if (len == ISBN10_LEN && text[ISBN10_LEN - 1] == 'x')
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "'x' at position %zu: an ISBN-10's check character 10 is an upper-case X", offset + ISBN10_LEN - 1);
        reason = barcode_need_digits(text, check_x ? len - 1 : len, offset, res);
        if (reason != REASON_OK)
                return reason;
        memcpy(out, text, len);
        *ret_len = res->barcode.n_digits = len;
        return REASON_OK;
}

/* ISO 2108: an ISBN-10 is the ISBN-13 978 + its first 9 digits, with the check digit of the
 * EAN-13 it becomes. */
static Reason check_isbn10(const uint8_t *data, VerifyResult *res) {
        BarcodeInfo *b = &res->barcode;
        char isbn13[ISBN13_LEN + 1];

        memcpy(b->isbn10, data, ISBN10_LEN);
        b->isbn10[ISBN10_LEN] = '\0';
        (void) snprintf(isbn13, sizeof(isbn13), "978%.9s", (const char *) data);
        isbn13[ISBN13_LEN - 1] = (char) ('0' + check_digit_gs1(isbn13, ISBN13_LEN - 1));
        barcode_set_id(res, isbn13, ISBN13_LEN);
        return barcode_compare_check_digit(check_digit_isbn10((const char *) data, ISBN10_LEN - 1),
                                           data[9] == 'X' ? 10 : data[9] - '0', "ISBN-10 mod 11", res);
}

static Reason isbn_check(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res) {
        res->barcode.isbn = true;
        if (len == ISBN10_LEN)
                return check_isbn10(data, res);
        if (len != ISBN13_LEN)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "%zu characters; an ISBN has 10 (ISBN-10) or 13 (ISBN-13)", len);
        if (memcmp(data, "978", 3) != 0 && memcmp(data, "979", 3) != 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "13 digits beginning %.3s; an ISBN-13 begins 978 or 979", (const char *) data);
        barcode_set_id(res, (const char *) data, len);
        return barcode_compare_check_digit(check_digit_gs1((const char *) data, len - 1), data[len - 1] - '0', "GS1 mod 10", res);
}

const CodeFormatOps code_format_isbn = {
        .format = CODE_FORMAT_ISBN,
        .name = "ISBN",
        .prefix = ISBN_PREFIX,
        .max_text = BARCODE_MAX_TEXT,
        .decode = isbn_decode,
        .begin = barcode_begin,
        .check = isbn_check,
        .consume = barcode_consume,
};

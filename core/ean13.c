/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/ean13.h"

static Reason ean13_decode(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len, VerifyResult *res) {
        Reason reason = barcode_need_digits(text, len, offset, res);

        if (reason != REASON_OK)
                return reason;
        memcpy(out, text, len);
        *ret_len = res->barcode.n_digits = len;
        return REASON_OK;
}

static Reason ean13_check(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res) {
        if (len == EAN13_DIGITS - 1)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "12 digits: the scanner leaves out the EAN-13 check digit (set it to send the check digit)");
        if (len != EAN13_DIGITS)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%zu digits; an EAN-13 has %d", len, EAN13_DIGITS);
        /* ISO 2108: the ISBN-13 is the EAN-13 of the book, in the ranges GS1 gave the ISBN. */
        res->barcode.isbn = memcmp(data, "978", 3) == 0 || memcmp(data, "979", 3) == 0;
        barcode_set_id(res, (const char *) data, len);
        return barcode_compare_check_digit(check_digit_gs1((const char *) data, len - 1), data[len - 1] - '0', "GS1 mod 10", res);
}

bool ean13_isbn10(const char *isbn13, char buf[static 11]) {
        int d;

        if (strncmp(isbn13, "978", 3) != 0)
                return false;
        d = check_digit_isbn10(isbn13 + 3, 9);
        if (d < 0)
                return false;
        memcpy(buf, isbn13 + 3, 9);
        buf[9] = check_digit_isbn10_char(d);
        buf[10] = '\0';
        return true;
}

const CodeFormatOps code_format_ean13 = {
        .format = CODE_FORMAT_EAN13,
        .name = "EAN-13",
        .prefix = EAN13_PREFIX,
        .max_text = BARCODE_MAX_TEXT,
        .decode = ean13_decode,
        .begin = barcode_begin,
        .check = ean13_check,
        .consume = barcode_consume,
};

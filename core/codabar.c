/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/codabar.h"

static bool is_start_stop(char c) {
        return c >= 'A' && c <= 'D';
}

/* The encoding step: optional start/stop characters around digits only. The digits go on. */
static Reason codabar_decode(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len, VerifyResult *res) {
        BarcodeInfo *b = &res->barcode;
        size_t first = 0, end = len;
        Reason reason;

        if (len > 0 && is_start_stop(text[0])) {
                b->start = text[0];
                first = 1;
        }
        if (len > first && is_start_stop(text[len - 1])) {
                b->stop = text[len - 1];
                end = len - 1;
        }
        /* A scanner sends both or neither; one alone is a text cut or glued together. */
        if (!b->start != !b->stop)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "a %s character without a %s character (Codabar sends both or neither)",
                            b->start ? "start" : "stop", b->start ? "stop" : "start");
        reason = barcode_need_digits(text + first, end - first, offset + first, res);
        if (reason != REASON_OK)
                return reason;
        memcpy(out, text + first, end - first);
        *ret_len = b->n_digits = end - first;
        return REASON_OK;
}

static Reason codabar_check(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res) {
        if (len != CODABAR_DIGITS)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "%zu digits; a library barcode has %d (type, institution, number, check digit)",
                            len, CODABAR_DIGITS);
        barcode_set_id(res, (const char *) data, len);
        return barcode_compare_check_digit(check_digit_luhn((const char *) data, len - 1), data[len - 1] - '0', "Luhn mod 10", res);
}

const CodeFormatOps code_format_codabar = {
        .format = CODE_FORMAT_CODABAR,
        .name = "Codabar",
        .prefix = CODABAR_PREFIX,
        .max_text = BARCODE_MAX_TEXT,
        .decode = codabar_decode,
        .begin = barcode_begin,
        .check = codabar_check,
        .consume = barcode_consume,
};

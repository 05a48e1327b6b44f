/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/check-digit.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/isbn.h"

CodeFormat barcode_format_from_config_name(const char *name) {
        if (name && strcmp(name, "codabar") == 0)
                return CODE_FORMAT_CODABAR;
        if (name && strcmp(name, "ean13") == 0)
                return CODE_FORMAT_EAN13;
        if (name && strcmp(name, "isbn") == 0)
                return CODE_FORMAT_ISBN;
        return CODE_FORMAT_UNKNOWN;
}

const char *barcode_format_aim(CodeFormat f) {
        switch (f) {
        case CODE_FORMAT_CODABAR:
                return CODABAR_PREFIX;
        case CODE_FORMAT_EAN13:
                return EAN13_PREFIX;
        case CODE_FORMAT_ISBN:
                return ISBN_PREFIX;
        default:
                return NULL;
        }
}

bool code_format_is_barcode(CodeFormat f) {
        return f == CODE_FORMAT_CODABAR || f == CODE_FORMAT_EAN13 || f == CODE_FORMAT_ISBN;
}

void barcode_begin(VerifyResult *res) {
        res->barcode = (BarcodeInfo) { .expected = -1, .found = -1 };
}

Reason barcode_need_digits(const char *text, size_t len, size_t offset, VerifyResult *res) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) text[i];
                if (c >= '0' && c <= '9')
                        continue;
                if (c >= 0x20 && c < 0x7f)
                        return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                                    "'%c' at position %zu is not a digit", c, offset + i);
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "character 0x%02x at position %zu is not a digit", c, offset + i);
        }
        return REASON_OK;
}

void barcode_set_id(VerifyResult *res, const char *digits, size_t n) {
        assert(n >= 2 && n <= BARCODE_DIGITS_MAX);
        memcpy(res->barcode.id, digits, n);
        res->barcode.id[n] = '\0';
}

Reason barcode_compare_check_digit(int expected, int found, const char *scheme, VerifyResult *res) {
        BarcodeInfo *b = &res->barcode;

        assert(expected >= 0 && expected <= 10 && found >= 0 && found <= 10);
        b->expected = expected;
        b->found = found;
        if (found != expected)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_BAD_CHECK_DIGIT,
                            "check digit %c, but the digits before it give %c (%s): a misread or mistyped digit",
                            check_digit_isbn10_char(found), check_digit_isbn10_char(expected), scheme);
        /* The subject per-subject rules know a barcode by (verify_result_subject()): its digits
         * under an issuer naming the identifier's space. EAN-13 and ISBN share one: a book is the
         * same subject whether the scanner sent it behind ]E0 or ]X0. A door's allow-list may map
         * the digits to another subject (core/barcode-allow.h). */
        (void) snprintf(res->claims.iss, sizeof(res->claims.iss), "%s",
                        res->format == CODE_FORMAT_CODABAR ? BARCODE_ISS_CODABAR : BARCODE_ISS_EAN13);
        (void) snprintf(res->claims.sub, sizeof(res->claims.sub), "%s", b->id);
        return REASON_OK;
}

int barcode_consume(const Verifier *v, const VerifyResult *res, int64_t now) {
        return res->reason == REASON_OK ? 0 : -EINVAL;
}

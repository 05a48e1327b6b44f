/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/barcode-format.h"
#include "core/base45.h"
#include "core/code-format.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/hc1.h"
#include "core/isbn.h"
#include "core/qg1.h"
#include "core/string-table.h"

/* The formats a gate reads, found by prefix. core/code-format.h says how to add one. */
static const CodeFormatOps *const formats[] = {
        &code_format_qg1,
        &code_format_hc1,
        &code_format_codabar,
        &code_format_ean13,
        &code_format_isbn,
};

static const char *const verify_step_table[_VERIFY_STEP_MAX] = {
        [VERIFY_STEP_FORMAT] = "format",
        [VERIFY_STEP_ENCODING] = "encoding",
        [VERIFY_STEP_STRUCTURE] = "structure",
        [VERIFY_STEP_ISSUER] = "issuer",
        [VERIFY_STEP_SIGNATURE] = "signature",
        [VERIFY_STEP_TIME] = "time",
        [VERIFY_STEP_LIFETIME] = "lifetime",
        [VERIFY_STEP_REPLAY] = "replay",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(verify_step, VerifyStep);

static const CodeFormatOps *format_by_id(CodeFormat f) {
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (formats[i]->format == f)
                        return formats[i];
        return NULL;
}

const char *code_format_to_string(CodeFormat f) {
        const CodeFormatOps *ops = format_by_id(f);

        if (f == CODE_FORMAT_UNKNOWN)
                return "unknown";
        return ops ? ops->name : NULL;
}

Reason verify_fail(VerifyResult *res, VerifyStep step, Reason reason, const char *fmt, ...) {
        va_list ap;

        res->reason = reason;
        res->failed = step;
        va_start(ap, fmt);
        (void) vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
        va_end(ap);
        return reason;
}

Reason code_text_base45(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len, VerifyResult *res) {
        size_t bad;
        int r;

        assert(base45_decoded_max(len) <= CODE_MAX_TEXT);
        r = base45_decode(text, len, out, &bad);
        if (r == -EINVAL)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "character 0x%02x at position %zu is not base45 (RFC 9285: digits, upper-case letters, space and $%%*+-./: only)",
                            (unsigned char) text[bad], offset + bad);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "base45 group at position %zu is invalid (dangling character or value too large)", offset + bad);
        *ret_len = (size_t) r;
        return REASON_OK;
}

static bool has_prefix(const char *text, size_t len, const char *prefix) {
        size_t n = strlen(prefix);
        return len >= n && memcmp(text, prefix, n) == 0;
}

/* Digits, perhaps between Codabar's start/stop characters A–D: what a barcode scanner sends. */
static bool looks_like_barcode(const char *text, size_t len) {
        size_t digits = 0;

        for (size_t i = 0; i < len; i++) {
                if (text[i] >= '0' && text[i] <= '9')
                        digits++;
                else if (text[i] < 'A' || text[i] > 'D')
                        return false;
        }
        return digits > 0;
}

static Reason unknown_format(const char *text, size_t len, VerifyResult *res) {
        char known[64] = "";

        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                size_t n = strlen(formats[i]->prefix);
                /* Base45 and our prefixes are upper case; a lower-case code is almost always a
                 * scanner typing with Caps Lock or a wrong keyboard layout, which the operator
                 * should be told. */
                if (len >= n && strncasecmp(text, formats[i]->prefix, n) == 0)
                        return verify_fail(res, VERIFY_STEP_FORMAT, REASON_BAD_ENCODING,
                                    "code is in lower case; codes are upper case (scanner Caps Lock or keyboard layout?)");
                if (i > 0)
                        (void) strncat(known, ", ", sizeof(known) - strlen(known) - 1);
                (void) strncat(known, formats[i]->prefix, sizeof(known) - strlen(known) - 1);
        }
        /* Digits alone are a barcode read by a scanner that does not send the symbology's AIM
         * identifier, without which a barcode is not told apart from other text (core/barcode.h). */
        if (looks_like_barcode(text, len))
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_UNSUPPORTED_FORMAT,
                            "a barcode without its symbology identifier: set the scanner to send AIM ids (%s)", known);
        return verify_fail(res, VERIFY_STEP_FORMAT, REASON_UNSUPPORTED_FORMAT,
                    "text does not start with a known prefix (%s)", known);
}

Reason verifier_check(const Verifier *v, const char *text, size_t len, int64_t now, VerifyResult *res) {
        const CodeFormatOps *f = NULL;
        uint8_t data[CODE_MAX_TEXT];
        size_t plen, data_len = 0;
        Reason reason;

        *res = (VerifyResult) { .reason = REASON_OK, .failed = _VERIFY_STEP_MAX, .text_len = len };

        if (len > CODE_MAX_TEXT)
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_TOO_LONG,
                            "%zu characters is more than any QR code holds (%d)", len, CODE_MAX_TEXT);

        for (size_t i = 0; !f && i < ELEMENTSOF(formats); i++)
                if (has_prefix(text, len, formats[i]->prefix))
                        f = formats[i];
        if (!f)
                return unknown_format(text, len, res);
        res->format = f->format;
        if (f->begin)
                f->begin(res);

        if (len > f->max_text)
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_TOO_LONG,
                            "%s code is %zu characters, the limit is %zu", f->name, len, f->max_text);
        plen = strlen(f->prefix);
        reason = f->decode(text + plen, len - plen, plen, data, &data_len, res);
        if (reason != REASON_OK)
                return reason;
        return f->check(v, data, data_len, now, res);
}

bool verify_result_subject(const VerifyResult *res, const char **ret_iss, const char **ret_sub) {
        bool qg1 = res->format == CODE_FORMAT_QG1 && res->have_claims && res->failed > VERIFY_STEP_SIGNATURE;
        bool barcode = code_format_is_barcode(res->format) && res->reason == REASON_OK;

        if (!qg1 && !barcode)
                return false;
        *ret_iss = res->claims.iss;
        *ret_sub = res->claims.sub;
        return true;
}

int verifier_consume(const Verifier *v, const VerifyResult *res, int64_t now) {
        const CodeFormatOps *f = format_by_id(res->format);

        if (!v->replay)
                return 0;
        if (!f)
                return -EINVAL;
        return f->consume(v, res, now);
}

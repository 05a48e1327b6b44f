/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A code format is one entry in the verifier's table (formats[] in core/verifier.c). The
 * verifier finds the entry whose prefix the scanned text starts with, runs the steps all
 * formats share — the format's length limit and its text decoding — and hands the bytes to the
 * entry's check(); verifier_consume() hands a honoured result to the entry's consume().
 *
 * To add a format (static card codes, SMART Health Cards, …):
 *  1. a CodeFormat value for it in core/verifier.h (the daemon's door policy names formats by
 *     it), and, if it learns facts that CodeClaims cannot hold, a member of VerifyResult for
 *     them as HC1 has (core/hc1-result.h);
 *  2. a file core/<format>.c that defines `const CodeFormatOps code_format_<format>` and
 *     declares it in core/<format>.h; minting, if qrgate makes such codes, goes in
 *     core/<format>-mint.c, apart from the verify path;
 *  3. one line in formats[] in core/verifier.c.
 * Its check() reports through verify_fail() with the existing VerifyStep values and Reasons,
 * whose strings are a stable interface (docs/reasons.md). */

#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"
#include "core/verifier.h"

typedef struct CodeFormatOps {
        CodeFormat format;
        const char *name;   /* as code_format_to_string() gives it: in logs, on D-Bus, in audit records */
        const char *prefix; /* matched exactly, so upper case as the format writes it */
        size_t max_text;    /* the longest text of this format, prefix included (at most CODE_MAX_TEXT) */

        /* The encoding step: turns the len characters after the prefix into bytes in out, which
         * has room for CODE_MAX_TEXT bytes (no text encoding yields more bytes than it has
         * characters). offset is the prefix's length, for positions in the detail. Returns
         * REASON_OK with *ret_len set, or a verify_fail() at VERIFY_STEP_ENCODING.
         * code_text_base45() serves every format whose text is base45. */
        Reason (*decode)(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len,
                         VerifyResult *res);

        /* Optional: called as soon as the prefix matched, before any other step, to set up the
         * format's own part of *res. */
        void (*begin)(VerifyResult *res);

        /* Every step after the encoding, on the decoded bytes (valid until it returns), in the
         * order of VerifyStep. Fills *res and returns its reason. */
        Reason (*check)(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res);

        /* Records that a valid result was honoured (v->replay is not NULL). The contract of
         * verifier_consume(). */
        int (*consume)(const Verifier *v, const VerifyResult *res, int64_t now);
} CodeFormatOps;

/* Records a failure at step with reason and a formatted detail in res; returns reason. */
_printf_(4, 5) Reason verify_fail(VerifyResult *res, VerifyStep step, Reason reason, const char *fmt, ...);

/* The base45 encoding step (RFC 9285), shared by the formats whose text is base45. */
Reason code_text_base45(const char *text, size_t len, size_t offset, uint8_t *out, size_t *ret_len, VerifyResult *res);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base45.h"
#include "core/hc1.h"
#include "core/verifier.h"

static const char *const step_table[_VERIFY_STEP_MAX] = {
        [VERIFY_STEP_FORMAT] = "format",
        [VERIFY_STEP_ENCODING] = "encoding",
        [VERIFY_STEP_STRUCTURE] = "structure",
        [VERIFY_STEP_ISSUER] = "issuer",
        [VERIFY_STEP_SIGNATURE] = "signature",
        [VERIFY_STEP_TIME] = "time",
        [VERIFY_STEP_LIFETIME] = "lifetime",
        [VERIFY_STEP_REPLAY] = "replay",
};

static const char *const format_table[_CODE_FORMAT_MAX] = {
        [CODE_FORMAT_UNKNOWN] = "unknown",
        [CODE_FORMAT_QG1] = "QG1",
        [CODE_FORMAT_HC1] = "HC1",
};

const char *verify_step_to_string(VerifyStep s) {
        return s < _VERIFY_STEP_MAX ? step_table[s] : NULL;
}

const char *code_format_to_string(CodeFormat f) {
        return f < _CODE_FORMAT_MAX ? format_table[f] : NULL;
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

static Reason qg1_check(const Verifier *v, const char *text, size_t len, int64_t now, VerifyResult *res) {
        const size_t plen = strlen(QG1_PREFIX);
        uint8_t bin[base45_decoded_max(QG1_MAX_TEXT)];
        _cleanup_(cose_sign1_done) CoseSign1 cose = {};
        const char *why = NULL;
        size_t bad;
        int r;

        if (len > QG1_MAX_TEXT)
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_TOO_LONG,
                            "QG1 code is %zu characters, the limit is %d", len, QG1_MAX_TEXT);

        r = base45_decode(text + plen, len - plen, bin, &bad);
        if (r == -EINVAL)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "character 0x%02x at position %zu is not base45 (RFC 9285: digits, upper-case letters, space and $%%*+-./: only)",
                            (unsigned char) text[plen + bad], plen + bad);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_BAD_ENCODING,
                            "base45 group at position %zu is invalid (dangling character or value too large)", plen + bad);
        res->cose_len = (size_t) r;

        /* Structure: a COSE_Sign1 tagged 18, alg and kid protected (docs/code-format.md). */
        r = cose_sign1_parse(bin, res->cose_len, &cose, &why);
        if (r == -EPROTONOSUPPORT)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM, "%s", why);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        if (cose.n_tags != 1 || cose.tags[0] != COSE_TAG_SIGN1)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "QG1 needs exactly the COSE_Sign1 tag 18 in front of the message");
        if (cose.unprotected.has_alg || cose.unprotected.has_kid)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "alg and kid must be in the protected header only (an unprotected one could be swapped)");
        if (!cose.protected.has_alg)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM, "no alg in the protected header");
        res->alg = cose.protected.alg;
        if (cose_alg_key_type(res->alg) == COSE_KEY_UNSUPPORTED)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM,
                            "alg %lld is not ES256 (-7), EdDSA (-8) or PS256 (-37)", (long long) res->alg);
        if (!cose.protected.has_kid)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "no kid in the protected header");
        memcpy(res->kid, cose.protected.kid, cose.protected.kid_len);
        res->kid_len = cose.protected.kid_len;

        r = claims_parse(cose.payload, cose.payload_len, &res->claims, &why);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        res->have_claims = true;

        const IssuerKey *key = keystore_find(v->keys, res->claims.iss, res->kid, res->kid_len);
        if (!key)
                return verify_fail(res, VERIFY_STEP_ISSUER, REASON_UNKNOWN_ISSUER,
                            "no key for issuer \"%s\" with this kid", res->claims.iss);

        r = cose_sign1_verify(&cose, res->alg, key->pkey, key->type);
        if (r == -EKEYREJECTED)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_ALGORITHM_MISMATCH,
                            "alg %s does not match the issuer's key type", cose_alg_to_string(res->alg));
        if (r == -EBADMSG)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_BAD_SIGNATURE,
                            "signature does not verify with the key of \"%s\"", res->claims.iss);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_INTERNAL_ERROR, "signature check failed: %s", strerror(-r));

        const CodeClaims *c = &res->claims;
        if (c->iat > now + v->clock_skew)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_NOT_YET_VALID,
                            "issued %lld s in the future (tolerance %lld s)",
                            (long long) (c->iat - now), (long long) v->clock_skew);
        if (now > code_last_acceptable(c->exp, v->clock_skew))
                return verify_fail(res, VERIFY_STEP_TIME, REASON_EXPIRED, "expired %lld s ago",
                            (long long) (now - c->exp));
        if (c->exp - c->iat > v->max_lifetime)
                return verify_fail(res, VERIFY_STEP_LIFETIME, REASON_LIFETIME_TOO_LONG,
                            "lifetime %lld s exceeds the %lld s of a dynamic code",
                            (long long) (c->exp - c->iat), (long long) v->max_lifetime);

        if (v->replay && replay_cache_contains(v->replay, c->iss, c->cti, c->cti_len, now))
                return verify_fail(res, VERIFY_STEP_REPLAY, REASON_REPLAYED, "this code (cti) was already used");
        return REASON_OK;
}

Reason verifier_check(const Verifier *v, const char *text, size_t len, int64_t now, VerifyResult *res) {
        *res = (VerifyResult) { .reason = REASON_OK, .failed = _VERIFY_STEP_MAX, .text_len = len };

        if (len > CODE_MAX_TEXT)
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_TOO_LONG,
                            "%zu characters is more than any QR code holds (%d)", len, CODE_MAX_TEXT);

        if (len >= strlen(QG1_PREFIX) && memcmp(text, QG1_PREFIX, strlen(QG1_PREFIX)) == 0) {
                res->format = CODE_FORMAT_QG1;
                return qg1_check(v, text, len, now, res);
        }
        if (len >= strlen(HC1_PREFIX) && memcmp(text, HC1_PREFIX, strlen(HC1_PREFIX)) == 0) {
                res->format = CODE_FORMAT_HC1;
                return hc1_check(v, text, len, now, res);
        }
        /* Base45 and our prefixes are upper case; a lower-case code is almost always a scanner
         * typing with Caps Lock or a wrong keyboard layout, which the operator should be told. */
        if (len >= strlen(QG1_PREFIX) && (strncasecmp(text, QG1_PREFIX, strlen(QG1_PREFIX)) == 0 ||
                                          strncasecmp(text, HC1_PREFIX, strlen(HC1_PREFIX)) == 0))
                return verify_fail(res, VERIFY_STEP_FORMAT, REASON_BAD_ENCODING,
                            "code is in lower case; codes are upper case (scanner Caps Lock or keyboard layout?)");
        return verify_fail(res, VERIFY_STEP_FORMAT, REASON_UNSUPPORTED_FORMAT, "text does not start with a known prefix (QG1:, HC1:)");
}

int verifier_consume(const Verifier *v, const VerifyResult *res, int64_t now) {
        const CodeClaims *c = &res->claims;

        if (!v->replay)
                return 0;
        /* An HC1 certificate is shown at every visit for months; it has no cti to remember. */
        if (res->format == CODE_FORMAT_HC1)
                return res->reason == REASON_OK ? 0 : -EINVAL;
        if (res->reason != REASON_OK || !res->have_claims)
                return -EINVAL;
        /* Not the current skew: a reload may raise it, and an entry dropped at exp + 30 would let
         * the code in again until exp + 300. Holding entries the extra minutes costs nothing. */
        return replay_cache_add(v->replay, c->iss, c->cti, c->cti_len, code_last_acceptable(c->exp, QG1_MAX_CLOCK_SKEW), now);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/qg1.h"

/* Structure: a COSE_Sign1 tagged 18, exactly alg and kid in the protected header, nothing in
 * the unprotected one, no other tag anywhere (docs/code-format.md §2). */
static Reason check_cose(const uint8_t *data, size_t len, CoseSign1 *cose, VerifyResult *res) {
        const char *why = NULL;
        int r;

        r = cose_sign1_parse(data, len, cose, &why);
        if (r == -EPROTONOSUPPORT)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM, "%s", why);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        if (cose->n_tags != 1 || cose->tags[0] != COSE_TAG_SIGN1)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "QG1 needs exactly the COSE_Sign1 tag 18 in front of the message");
        if (cose->inner_tags > 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "a CBOR tag inside the COSE message (QG1 allows none but the leading 18)");
        if (cose->unprotected.has_alg || cose->unprotected.has_kid)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "alg and kid must be in the protected header only (an unprotected one could be swapped)");
        /* Anything unprotected can be changed by whoever relays the code; QG1 has no use for it. */
        if (cose->unprotected.n_params > 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "the unprotected header is not an empty map");
        if (cose->protected.n_params > (size_t) cose->protected.has_alg + cose->protected.has_kid)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "the protected header holds a label other than alg (1) and kid (4)");
        if (!cose->protected.has_alg)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM, "no alg in the protected header");
        res->alg = cose->protected.alg;
        if (cose_alg_key_type(res->alg) == COSE_KEY_UNSUPPORTED)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM,
                            "alg %lld is not ES256 (-7), EdDSA (-8) or PS256 (-37)", (long long) res->alg);
        if (!cose->protected.has_kid)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "no kid in the protected header");
        memcpy(res->kid, cose->protected.kid, cose->protected.kid_len);
        res->kid_len = cose->protected.kid_len;

        r = claims_parse(cose->payload, cose->payload_len, &res->claims, &why);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        res->have_claims = true;
        return REASON_OK;
}

static Reason check_signature(const Verifier *v, const CoseSign1 *cose, VerifyResult *res) {
        const IssuerKey *key = keystore_find(v->keys, res->claims.iss, res->kid, res->kid_len);
        int r;

        if (!key)
                return verify_fail(res, VERIFY_STEP_ISSUER, REASON_UNKNOWN_ISSUER,
                            "no key for issuer \"%s\" with this kid", res->claims.iss);

        r = cose_sign1_verify(cose, res->alg, &key->key);
        if (r == -EKEYREJECTED)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_ALGORITHM_MISMATCH,
                            "alg %s does not match the issuer's key type", cose_alg_to_string(res->alg));
        if (r == -EBADMSG)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_BAD_SIGNATURE,
                            "signature does not verify with the key of \"%s\"", res->claims.iss);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_INTERNAL_ERROR, "signature check failed: %s", strerror(-r));
        return REASON_OK;
}

/* Time, lifetime and replay: what makes a QG1 code dynamic (docs/code-format.md §4, steps 6-8).
 * A card (§8) is held to its own maximum lifetime and has no replay step: it is shown at every
 * visit, which is why no door takes one unless configured to (daemon/policy.c). */
static Reason check_use(const Verifier *v, int64_t now, VerifyResult *res) {
        const CodeClaims *c = &res->claims;

        if (c->iat > now + v->clock_skew)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_NOT_YET_VALID,
                            "issued %lld s in the future (tolerance %lld s)",
                            (long long) (c->iat - now), (long long) v->clock_skew);
        if (now > code_last_acceptable(c->exp, v->clock_skew))
                return verify_fail(res, VERIFY_STEP_TIME, REASON_EXPIRED, "expired %lld s ago",
                            (long long) (now - c->exp));
        if (claims_is_card(c)) {
                if (c->exp - c->iat > v->card_max_lifetime)
                        return verify_fail(res, VERIFY_STEP_LIFETIME, REASON_LIFETIME_TOO_LONG,
                                    "lifetime %lld s exceeds the %lld s of a card (verifier.card_max_lifetime)",
                                    (long long) (c->exp - c->iat), (long long) v->card_max_lifetime);
                return REASON_OK;
        }
        if (c->exp - c->iat > v->max_lifetime)
                return verify_fail(res, VERIFY_STEP_LIFETIME, REASON_LIFETIME_TOO_LONG,
                            "lifetime %lld s exceeds the %lld s of a dynamic code",
                            (long long) (c->exp - c->iat), (long long) v->max_lifetime);

        if (v->replay && replay_cache_contains(v->replay, c->iss, c->cti, c->cti_len, now))
                return verify_fail(res, VERIFY_STEP_REPLAY, REASON_REPLAYED, "this code (cti) was already used");
        return REASON_OK;
}

static Reason qg1_check(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res) {
        _cleanup_(cose_sign1_done) CoseSign1 cose = {};
        Reason reason;

        res->cose_len = len;
        reason = check_cose(data, len, &cose, res);
        if (reason == REASON_OK)
                reason = check_signature(v, &cose, res);
        if (reason == REASON_OK)
                reason = check_use(v, now, res);
        return reason;
}

static int qg1_consume(const Verifier *v, const VerifyResult *res, int64_t now) {
        const CodeClaims *c = &res->claims;

        if (res->reason != REASON_OK || !res->have_claims)
                return -EINVAL;
        /* A card is shown again at every visit: there is nothing to record, and the deny-list
         * withdraws it instead (docs/code-format.md §8). */
        if (claims_is_card(c))
                return 0;
        /* Not the current skew: a reload may raise it, and an entry dropped at exp + 30 would let
         * the code in again until exp + 300. Holding entries the extra minutes costs nothing. */
        return replay_cache_add(v->replay, c->iss, c->cti, c->cti_len, code_last_acceptable(c->exp, QG1_MAX_CLOCK_SKEW), now);
}

const CodeFormatOps code_format_qg1 = {
        .format = CODE_FORMAT_QG1,
        .name = "QG1",
        .prefix = QG1_PREFIX,
        .max_text = QG1_MAX_TEXT,
        .decode = code_text_base45,
        .check = qg1_check,
        .consume = qg1_consume,
};

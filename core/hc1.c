/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hc1.h"
#include "core/inflate-bounded.h"
#include "core/string-table.h"

static const char *const hc1_stage_table[_HC1_STAGE_MAX] = {
        [HC1_STAGE_NONE] = "none",
        [HC1_STAGE_PREFIX] = "prefix",
        [HC1_STAGE_BASE45] = "base45",
        [HC1_STAGE_INFLATE] = "zlib",
        [HC1_STAGE_COSE] = "cose",
        [HC1_STAGE_SIGNER] = "signer",
        [HC1_STAGE_SIGNATURE] = "signature",
        [HC1_STAGE_CLAIMS] = "claims",
        [HC1_STAGE_VALID] = "validity",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(hc1_stage, Hc1Stage);

bool hc1_type_accepted(const VerifyResult *r, unsigned accepted_types) {
        return r->format == CODE_FORMAT_HC1 && r->reason == REASON_OK && r->hc1.have_claims &&
               (r->hc1.claims.type & accepted_types) != 0;
}

static const char *utc(int64_t t, char buf[static 24]) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, 24, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
                (void) snprintf(buf, 24, "@%lld", (long long) t);
        return buf;
}

/* The kid in hex, for a failure's detail (only then: formatting it costs more than the lookup). */
static const char *kid_hex(const VerifyResult *res, char buf[static 2 * COSE_KID_MAX + 1]) {
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < res->kid_len; i++) {
                buf[2 * i] = digits[res->kid[i] >> 4];
                buf[2 * i + 1] = digits[res->kid[i] & 0xf];
        }
        buf[2 * res->kid_len] = '\0';
        return buf;
}

/* Stage 1, "prefix", passed once the verifier chose this entry: it has already refused any
 * text longer than CODE_MAX_TEXT, which is HC1's own limit too. */
static_assert(HC1_MAX_TEXT == CODE_MAX_TEXT, "the HC1 prefix stage relies on the verifier's length check");

static void hc1_begin(VerifyResult *res) {
        res->hc1 = (Hc1Info) { .stage = HC1_STAGE_PREFIX, .trust_list_age = -1 };
}

/* Stage 3: zlib. Stage 2, base45, is the verifier's encoding step (code_text_base45()). On
 * success *ret_cose owns the inflated COSE bytes. */
static Reason inflate_cose(const uint8_t *data, size_t len, VerifyResult *res, uint8_t **ret_cose, size_t *ret_len) {
        const char *why = NULL;
        int r;

        r = inflate_bounded(data, len, HC1_MAX_INFLATED, HC1_MAX_RATIO, ret_cose, ret_len, &why);
        if (r == -EFBIG)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_TOO_LONG,
                            "zlib data inflates beyond %d bytes or %dx its size (decompression bomb?)",
                            HC1_MAX_INFLATED, HC1_MAX_RATIO);
        if (r == -EBADMSG)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_DECOMPRESSION_FAILED,
                            "not a valid zlib stream (RFC 1950): %s", why);
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_ENCODING, REASON_INTERNAL_ERROR, "inflate failed: %s", strerror(-r));
        res->cose_len = res->hc1.inflated_len = *ret_len;
        res->hc1.stage = HC1_STAGE_INFLATE;
        return REASON_OK;
}

/* Stage 4: COSE_Sign1 with alg and kid. hcert spec §3.3.3 lets the kid sit in the unprotected
 * header ("Verifiers MUST accept both options"), and "if both options are present, the Key
 * Identifier in the protected header MUST be used": a wrong protected kid is not rescued by a
 * right unprotected one. alg is taken from either
 * bucket too, since some issuers put it unprotected: each DSC key type verifies under exactly
 * one of ES256 and PS256, so an attacker who swaps alg gains no second way to verify. */
static Reason check_cose(const uint8_t *buf, size_t len, CoseSign1 *cose, VerifyResult *res) {
        const char *why = NULL;
        int r;

        r = cose_sign1_parse(buf, len, cose, &why);
        if (r == -ENOMEM)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_INTERNAL_ERROR, "out of memory");
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        /* COSE_Sign1 may be untagged, tagged 18, or a CWT tagged 61 around 18 (RFC 8392 §6). */
        bool tags_ok = cose->n_tags == 0 || (cose->n_tags == 1 && cose->tags[0] == COSE_TAG_SIGN1) ||
                       (cose->n_tags == 2 && cose->tags[0] == COSE_TAG_CWT && cose->tags[1] == COSE_TAG_SIGN1);
        if (!tags_ok)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "COSE message has a tag other than CWT (61) and COSE_Sign1 (18)");

        const CoseHeader *ph = &cose->protected, *uh = &cose->unprotected;
        if (ph->has_alg && uh->has_alg && ph->alg != uh->alg)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED,
                            "protected and unprotected headers name different algorithms");
        if (!ph->has_alg && !uh->has_alg)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM, "no alg in the COSE headers");
        res->alg = ph->has_alg ? ph->alg : uh->alg;
        if (res->alg != COSE_ALG_ES256 && res->alg != COSE_ALG_PS256)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_UNSUPPORTED_ALGORITHM,
                            "alg %lld is not ES256 (-7) or PS256 (-37), the two the hcert spec allows",
                            (long long) res->alg);

        const CoseHeader *kh = ph->has_kid ? ph : uh->has_kid ? uh : NULL;
        if (!kh)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "no kid in the COSE headers");
        memcpy(res->kid, kh->kid, kh->kid_len);
        res->kid_len = kh->kid_len;
        res->hc1.kid_unprotected = kh == uh;
        res->hc1.stage = HC1_STAGE_COSE;
        return REASON_OK;
}

/* Stages 5–6: the trust list's age, the DSCs with the kid, and the signature. */
static Reason check_signer(const Verifier *v, const CoseSign1 *cose, int64_t now, VerifyResult *res) {
        Hc1Info *h = &res->hc1;
        const Dsc *const *dscs;
        char k[2 * COSE_KID_MAX + 1];
        size_t n, typed = 0;
        int r, err = 0;

        if (!v->dcc_trust)
                return verify_fail(res, VERIFY_STEP_ISSUER, REASON_UNKNOWN_ISSUER, "no trust list for HC1 codes is configured");

        h->trust_list_age = trustlist_age(v->dcc_trust, now);
        if (v->dcc_trust_max_age > 0 && (h->trust_list_age < 0 || h->trust_list_age > v->dcc_trust_max_age)) {
                if (v->dcc_trust_age_policy != TRUST_LIST_AGE_WARN) {
                        if (h->trust_list_age < 0)
                                return verify_fail(res, VERIFY_STEP_ISSUER, REASON_TRUST_LIST_TOO_OLD,
                                            "the trust list's age is unknown and at most %lld s is allowed",
                                            (long long) v->dcc_trust_max_age);
                        return verify_fail(res, VERIFY_STEP_ISSUER, REASON_TRUST_LIST_TOO_OLD,
                                    "the trust list was updated %lld s ago; at most %lld s is allowed",
                                    (long long) h->trust_list_age, (long long) v->dcc_trust_max_age);
                }
                h->trust_list_stale = true;
        }

        n = trustlist_find(v->dcc_trust, res->kid, res->kid_len, &dscs);
        if (n == 0) {
                if (res->kid_len != DSC_KID_LEN)
                        return verify_fail(res, VERIFY_STEP_ISSUER, REASON_UNKNOWN_ISSUER,
                                    "kid %s is %zu bytes; DSC key ids are %d", kid_hex(res, k), res->kid_len, DSC_KID_LEN);
                return verify_fail(res, VERIFY_STEP_ISSUER, REASON_UNKNOWN_ISSUER,
                            "no signer certificate with kid %s in the trust list (%zu certificates)",
                            kid_hex(res, k), trustlist_count(v->dcc_trust));
        }
        h->stage = HC1_STAGE_SIGNER;

        /* hcert spec §3.3.3: key ids are short, so several DSCs may share one; try each. */
        CoseKeyType want = cose_alg_key_type(res->alg);
        for (size_t i = 0; i < n; i++) {
                if (dscs[i]->info.key_type != want)
                        continue;
                typed++;
                r = cose_sign1_verify(cose, res->alg, &dscs[i]->key);
                if (r == 0) {
                        h->dsc = dscs[i]->info;
                        h->have_dsc = true;
                        h->stage = HC1_STAGE_SIGNATURE;
                        return REASON_OK;
                }
                if (r != -EBADMSG && err == 0)
                        err = r;
        }
        h->dsc = dscs[0]->info;
        h->have_dsc = true;
        if (typed == 0)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_ALGORITHM_MISMATCH,
                            "alg %s does not fit the key of the signer certificate with kid %s",
                            cose_alg_to_string(res->alg), kid_hex(res, k));
        if (err < 0)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_INTERNAL_ERROR, "signature check failed: %s", strerror(-err));
        return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_BAD_SIGNATURE,
                    "signature does not verify with the signer certificate with kid %s", kid_hex(res, k));
}

/* Stage 8. Every check is made so hc1.problems lists all that is wrong; the verdict is the
 * first. The DSC's window bounds the code's (hcert spec §3.3.5, §3.3.6: "exp MUST not exceed
 * the validity period of the DSC", "iat MUST not predate" it); the clock skew applies only
 * where our own clock is compared. */
static Reason check_validity(const Verifier *v, int64_t now, VerifyResult *res) {
        Hc1Info *h = &res->hc1;
        const Hc1Claims *c = &h->claims;
        const DscInfo *d = &h->dsc;
        char t1[24], t2[24], types[40];

        if (!(d->dcc_types & c->type))
                h->problems |= HC1_PROBLEM_KEY_USAGE;
        if (c->iat > now + v->clock_skew)
                h->problems |= HC1_PROBLEM_NOT_YET_VALID;
        /* Written so that no claim value, however extreme, can overflow: only now moves. */
        if (now - v->clock_skew > c->exp)
                h->problems |= HC1_PROBLEM_EXPIRED;
        if (now + v->clock_skew < d->not_before)
                h->problems |= HC1_PROBLEM_DSC_NOT_YET_VALID;
        if (c->iat < d->not_before)
                h->problems |= HC1_PROBLEM_IAT_BEFORE_DSC;
        if (now - v->clock_skew > d->not_after)
                h->problems |= HC1_PROBLEM_DSC_EXPIRED;
        if (c->exp > d->not_after)
                h->problems |= HC1_PROBLEM_EXP_AFTER_DSC;

        if (h->problems & HC1_PROBLEM_KEY_USAGE)
                return verify_fail(res, VERIFY_STEP_SIGNATURE, REASON_KEY_USAGE,
                            "the signer certificate may sign %s certificates only; this is a %s certificate",
                            dcc_types_to_string(d->dcc_types, types, sizeof(types)),
                            dcc_type_to_string(c->type));
        if (h->problems & HC1_PROBLEM_NOT_YET_VALID)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_NOT_YET_VALID, "issued at %s, %lld s in the future",
                            utc(c->iat, t1), (long long) (c->iat - now));
        if (h->problems & HC1_PROBLEM_EXPIRED)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_EXPIRED, "expired at %s", utc(c->exp, t1));
        if (h->problems & HC1_PROBLEM_DSC_NOT_YET_VALID)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_CERTIFICATE_NOT_YET_VALID,
                            "the signer certificate is valid from %s only", utc(d->not_before, t1));
        if (h->problems & HC1_PROBLEM_IAT_BEFORE_DSC)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_CERTIFICATE_NOT_YET_VALID,
                            "signed at %s, before its signer certificate became valid (%s)",
                            utc(c->iat, t1), utc(d->not_before, t2));
        if (h->problems & HC1_PROBLEM_DSC_EXPIRED)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_CERTIFICATE_EXPIRED,
                            "the signer certificate expired at %s", utc(d->not_after, t1));
        if (h->problems & HC1_PROBLEM_EXP_AFTER_DSC)
                return verify_fail(res, VERIFY_STEP_TIME, REASON_CERTIFICATE_EXPIRED,
                            "valid until %s, after its signer certificate ends (%s)",
                            utc(c->exp, t1), utc(d->not_after, t2));
        h->stage = HC1_STAGE_VALID;
        return REASON_OK;
}

static Reason hc1_check(const Verifier *v, const uint8_t *data, size_t len, int64_t now, VerifyResult *res) {
        _cleanup_(freep) uint8_t *cose_buf = NULL;
        _cleanup_(cose_sign1_done) CoseSign1 cose = {};
        const char *why = NULL;
        size_t cose_len = 0;
        Reason reason;
        int r;

        res->hc1.stage = HC1_STAGE_BASE45; /* the verifier's encoding step passed */
        reason = inflate_cose(data, len, res, &cose_buf, &cose_len);
        if (reason != REASON_OK)
                return reason;
        reason = check_cose(cose_buf, cose_len, &cose, res);
        if (reason != REASON_OK)
                return reason;
        reason = check_signer(v, &cose, now, res);
        if (reason != REASON_OK)
                return reason;

        /* hcert spec, Security Considerations: "The Issuer Signature SHALL also be verified
         * before any processing of the contents of the HCERT takes place." */
        r = hc1_claims_parse(cose.payload, cose.payload_len, &res->hc1.claims, &why);
        if (r == -ENOMEM)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_INTERNAL_ERROR, "out of memory");
        if (r < 0)
                return verify_fail(res, VERIFY_STEP_STRUCTURE, REASON_MALFORMED, "%s", why);
        res->hc1.have_claims = true;
        res->hc1.stage = HC1_STAGE_CLAIMS;

        return check_validity(v, now, res);
}

/* An HC1 certificate is shown at every visit for months; it has no cti to remember. */
static int hc1_consume(const Verifier *v, const VerifyResult *res, int64_t now) {
        return res->reason == REASON_OK ? 0 : -EINVAL;
}

const CodeFormatOps code_format_hc1 = {
        .format = CODE_FORMAT_HC1,
        .name = "HC1",
        .prefix = HC1_PREFIX,
        .max_text = HC1_MAX_TEXT,
        .decode = code_text_base45,
        .begin = hc1_begin,
        .check = hc1_check,
        .consume = hc1_consume,
};

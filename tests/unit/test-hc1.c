/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HC1 pipeline through verifier_check(): each outcome produced by a code that really has
 * that property — signed by real keys under real self-signed DSCs, compressed and encoded the
 * way issuers do — so each refusal happens at the stage it is meant to. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"
#include "core/cbor-util.h"
#include "core/claims.h"
#include "core/hc1-explain.h"
#include "core/hc1-mint.h"
#include "core/hc1.h"
#include "core/inflate-bounded.h"
#include "core/verifier.h"

#define NOW ((int64_t) 1800000000)
#define DAY ((int64_t) 86400)

#define OID_TEST "1.3.6.1.4.1.1847.2021.1.1"
#define OID_VACC "1.3.6.1.4.1.1847.2021.1.2"
#define OID_RECO "1.3.6.1.4.1.1847.2021.1.3"

/* A signer: key, its DSC's DER and kid. */
typedef struct Signer {
        EVP_PKEY *key;
        uint8_t *der;
        size_t der_len;
        uint8_t kid[DSC_KID_LEN];
} Signer;

static Signer es, rsa, vacc_only, tls_only, old_dsc, young_dsc, ed, stranger;
static TrustList *tl;

static EVP_PKEY *keygen(const char *type) {
        EVP_PKEY *k = strcmp(type, "rsa") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048)
                      : strcmp(type, "ed25519") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                                      : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        assert_non_null(k);
        return k;
}

static void signer_init(Signer *s, EVP_PKEY *key, int64_t nb, int64_t na, const char *eku, bool trust) {
        s->key = key;
        assert_int_equal(hc1_dsc_make(key, "qrgate test DSC", nb, na, eku, &s->der, &s->der_len), 0);
        assert_int_equal(dsc_kid(s->der, s->der_len, s->kid), 0);
        if (trust)
                assert_int_equal(trustlist_add_der(tl, s->der, s->der_len), 0);
}

static int setup(void **state) {
        assert_int_equal(trustlist_new(&tl), 0);
        signer_init(&es, keygen("es256"), NOW - 365 * DAY, NOW + 365 * DAY, NULL, true);
        signer_init(&rsa, keygen("rsa"), NOW - 365 * DAY, NOW + 365 * DAY, NULL, true);
        signer_init(&vacc_only, keygen("es256"), NOW - 365 * DAY, NOW + 365 * DAY, OID_VACC ",clientAuth", true);
        signer_init(&tls_only, keygen("es256"), NOW - 365 * DAY, NOW + 365 * DAY, "clientAuth,emailProtection", true);
        signer_init(&old_dsc, keygen("es256"), NOW - 365 * DAY, NOW - DAY, NULL, true);
        signer_init(&young_dsc, keygen("es256"), NOW + DAY, NOW + 365 * DAY, NULL, true);
        /* Not trusted: an Ed25519 key (HC1 has no EdDSA) and a key nobody listed. */
        signer_init(&ed, keygen("ed25519"), NOW - 365 * DAY, NOW + 365 * DAY, NULL, false);
        signer_init(&stranger, keygen("es256"), NOW - 365 * DAY, NOW + 365 * DAY, NULL, false);
        trustlist_set_updated_at(tl, NOW - 3600);
        return 0;
}

static void signer_done(Signer *s) {
        EVP_PKEY_free(s->key);
        free(s->der);
}

static int teardown(void **state) {
        signer_done(&es), signer_done(&rsa), signer_done(&vacc_only), signer_done(&tls_only);
        signer_done(&old_dsc), signer_done(&young_dsc), signer_done(&ed), signer_done(&stranger);
        trustlist_free(tl);
        return 0;
}

static Verifier verifier(void) {
        return (Verifier) { .dcc_trust = tl, .clock_skew = 30, .max_lifetime = 120 };
}

/* A code of type, valid iat..exp, signed by s's key under kid (s's own kid when kid is NULL). */
static char *mint_kid(const Signer *s, const uint8_t *kid, DccType type, int64_t iat, int64_t exp, const Hc1MintOptions *o) {
        uint8_t *payload;
        size_t len;
        char *text;

        assert_int_equal(hc1_payload_encode("XX", iat, exp, type, &payload, &len), 0);
        assert_int_equal(hc1_mint(s->key, kid ? kid : s->kid, DSC_KID_LEN, payload, len, o, &text), 0);
        free(payload);
        return text;
}

static char *mint(const Signer *s, DccType type, int64_t iat, int64_t exp) {
        return mint_kid(s, NULL, type, iat, exp, NULL);
}

static Reason check_v(const Verifier *v, const char *text, int64_t now, VerifyResult *res) {
        return verifier_check(v, text, strlen(text), now, res);
}

static void expect(const char *text, int64_t now, Reason want, VerifyStep step, VerifyResult *ret) {
        Verifier v = verifier();
        VerifyResult res;
        Reason got = check_v(&v, text, now, &res);

        if (got != want)
                fail_msg("got %s (%s), want %s", reason_to_string(got), res.detail, reason_to_string(want));
        assert_int_equal(res.format, CODE_FORMAT_HC1);
        if (want != REASON_OK) {
                assert_int_equal(res.failed, step);
                assert_true(res.detail[0] != '\0');
        } else
                assert_int_equal(res.failed, _VERIFY_STEP_MAX);
        if (ret)
                *ret = res;
}

static void expect_code(char *text, int64_t now, Reason want, VerifyStep step, VerifyResult *ret) {
        expect(text, now, want, step, ret);
        free(text);
}

static void es256_vaccination_is_valid(void **state) {
        VerifyResult res;

        expect_code(mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + 180 * DAY), NOW, REASON_OK, 0, &res);
        assert_int_equal(res.alg, COSE_ALG_ES256);
        assert_int_equal(res.hc1.stage, HC1_STAGE_VALID);
        assert_int_equal(res.hc1.problems, 0);
        assert_int_equal(res.hc1.claims.type, DCC_TYPE_VACCINATION);
        assert_int_equal(res.hc1.claims.dn, 2);
        assert_string_equal(res.hc1.claims.iss, "XX");
        assert_memory_equal(res.hc1.dsc.kid, es.kid, DSC_KID_LEN);
        assert_memory_equal(res.kid, es.kid, DSC_KID_LEN);
        assert_false(res.have_claims); /* the QG1 claims stay untouched */
}

static void ps256_test_and_recovery_are_valid(void **state) {
        VerifyResult res;

        expect_code(mint(&rsa, DCC_TYPE_TEST, NOW - DAY, NOW + DAY), NOW, REASON_OK, 0, &res);
        assert_int_equal(res.alg, COSE_ALG_PS256);
        assert_int_equal(res.hc1.claims.type, DCC_TYPE_TEST);
        assert_string_equal(res.hc1.claims.tr, "260415000");
        expect_code(mint(&rsa, DCC_TYPE_RECOVERY, NOW - DAY, NOW + DAY), NOW, REASON_OK, 0, &res);
        assert_string_equal(res.hc1.claims.du, "2021-10-21");
}

static void kid_in_unprotected_header_and_tag_variants_are_valid(void **state) {
        VerifyResult res;

        expect_code(mint_kid(&es, NULL, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY,
                             &(Hc1MintOptions) { .kid_unprotected = true }), NOW, REASON_OK, 0, &res);
        assert_true(res.hc1.kid_unprotected);
        expect_code(mint_kid(&es, NULL, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY,
                             &(Hc1MintOptions) { .untagged = true }), NOW, REASON_OK, 0, NULL);
        expect_code(mint_kid(&es, NULL, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY,
                             &(Hc1MintOptions) { .cwt_tag = true }), NOW, REASON_OK, 0, NULL);
}

static void unknown_kid_is_unknown_issuer(void **state) {
        uint8_t other[DSC_KID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

        expect_code(mint(&stranger, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY), NOW, REASON_UNKNOWN_ISSUER,
                    VERIFY_STEP_ISSUER, NULL);
        expect_code(mint_kid(&es, other, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY, NULL), NOW,
                    REASON_UNKNOWN_ISSUER, VERIFY_STEP_ISSUER, NULL);
}

static void missing_trust_list_is_unknown_issuer(void **state) {
        char *t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        Verifier v = verifier();
        VerifyResult res;

        v.dcc_trust = NULL;
        assert_int_equal(check_v(&v, t, NOW, &res), REASON_UNKNOWN_ISSUER);
        assert_int_equal(res.hc1.stage, HC1_STAGE_COSE);
        free(t);
}

static void forged_signature_is_bad_signature(void **state) {
        VerifyResult res;

        /* The stranger signs under es's kid. */
        expect_code(mint_kid(&stranger, es.kid, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY, NULL), NOW,
                    REASON_BAD_SIGNATURE, VERIFY_STEP_SIGNATURE, &res);
        assert_int_equal(res.hc1.stage, HC1_STAGE_SIGNER);
        assert_false(res.hc1.have_claims); /* an unauthenticated payload is never read */
}

static void edited_payload_is_bad_signature(void **state) {
        char *t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        size_t n = strlen(t) - 4, cose_len;
        uint8_t *bin = malloc(base45_decoded_max(n)), *cose;
        char *edited;
        int k = base45_decode(t + 4, n, bin, NULL);

        assert_true(k > 0);
        assert_int_equal(inflate_bounded(bin, (size_t) k, HC1_MAX_INFLATED, HC1_MAX_RATIO, &cose, &cose_len, NULL), 0);
        /* "dn": 2 → 3 somewhere in the payload: the byte after the text key "dn". */
        uint8_t *p = memmem(cose, cose_len, "\x62" "dn\x02", 4);
        assert_non_null(p);
        p[3] = 3;
        assert_int_equal(hc1_wrap(cose, cose_len, true, &edited), 0);
        expect_code(edited, NOW, REASON_BAD_SIGNATURE, VERIFY_STEP_SIGNATURE, NULL);
        free(cose);
        free(bin);
        free(t);
}

static void protected_kid_wins_over_unprotected(void **state) {
        /* A wrong protected kid is not rescued by a right unprotected one (test vector CO22):
         * build protected {1: -7, 4: wrong}, unprotected {4: es.kid}. */
        uint8_t wrong[DSC_KID_LEN] = { 9, 9, 9, 9, 9, 9, 9, 9 }, prot[32], unprot[32], *payload, *sig, *cose;
        size_t prot_len = cose_encode_header(prot, COSE_ALG_ES256, wrong, sizeof(wrong)), unprot_len = 0, len, sig_len, cose_len;
        char *text;

        unprot_len += cbor_put_head(unprot, 5, 1);
        unprot_len += cbor_put_head(unprot + unprot_len, 0, COSE_HEADER_KID);
        unprot_len += cbor_put_head(unprot + unprot_len, 2, DSC_KID_LEN);
        memcpy(unprot + unprot_len, es.kid, DSC_KID_LEN), unprot_len += DSC_KID_LEN;
        assert_int_equal(hc1_payload_encode("XX", NOW - DAY, NOW + DAY, DCC_TYPE_VACCINATION, &payload, &len), 0);
        assert_int_equal(cose_sign(es.key, COSE_ALG_ES256, prot, prot_len, payload, len, &sig, &sig_len), 0);
        assert_int_equal(cose_sign1_encode(true, prot, prot_len, unprot, unprot_len, payload, len, sig, sig_len, &cose, &cose_len), 0);
        assert_int_equal(hc1_wrap(cose, cose_len, true, &text), 0);
        expect_code(text, NOW, REASON_UNKNOWN_ISSUER, VERIFY_STEP_ISSUER, NULL);
        free(payload), free(sig), free(cose);
}

static void es256_under_rsa_dsc_is_algorithm_mismatch(void **state) {
        /* An EC key signs (alg ES256) under the kid of the RSA DSC. */
        expect_code(mint_kid(&es, rsa.kid, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY, NULL), NOW,
                    REASON_ALGORITHM_MISMATCH, VERIFY_STEP_SIGNATURE, NULL);
}

static void eddsa_is_unsupported_algorithm(void **state) {
        expect_code(mint(&ed, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY), NOW, REASON_UNSUPPORTED_ALGORITHM,
                    VERIFY_STEP_STRUCTURE, NULL);
}

static void code_time_window_is_enforced_with_skew(void **state) {
        char *t = mint(&es, DCC_TYPE_TEST, NOW, NOW + DAY);
        VerifyResult res;

        expect(t, NOW - 30, REASON_OK, 0, NULL);
        expect(t, NOW - 31, REASON_NOT_YET_VALID, VERIFY_STEP_TIME, &res);
        assert_true(res.hc1.problems & HC1_PROBLEM_NOT_YET_VALID);
        expect(t, NOW + DAY + 30, REASON_OK, 0, NULL);
        expect(t, NOW + DAY + 31, REASON_EXPIRED, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_EXPIRED);
        free(t);
}

static void expired_dsc_is_certificate_expired(void **state) {
        VerifyResult res;

        /* The code itself is still valid, but its DSC ended yesterday (and the code outlives it). */
        expect_code(mint(&old_dsc, DCC_TYPE_VACCINATION, NOW - 10 * DAY, NOW + DAY), NOW,
                    REASON_CERTIFICATE_EXPIRED, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_DSC_EXPIRED | HC1_PROBLEM_EXP_AFTER_DSC);
}

static void code_outliving_its_dsc_is_certificate_expired(void **state) {
        VerifyResult res;

        /* hcert spec: exp must not exceed the DSC's validity — refused even while both are valid. */
        expect_code(mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + 400 * DAY), NOW,
                    REASON_CERTIFICATE_EXPIRED, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_EXP_AFTER_DSC);
}

static void code_signed_before_its_dsc_is_certificate_not_yet_valid(void **state) {
        VerifyResult res;

        expect_code(mint(&young_dsc, DCC_TYPE_VACCINATION, NOW + 2 * DAY, NOW + 10 * DAY), NOW + 3 * DAY,
                    REASON_OK, 0, NULL);
        expect_code(mint(&young_dsc, DCC_TYPE_VACCINATION, NOW - DAY, NOW + 10 * DAY), NOW + 3 * DAY,
                    REASON_CERTIFICATE_NOT_YET_VALID, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_IAT_BEFORE_DSC);
        expect_code(mint(&young_dsc, DCC_TYPE_VACCINATION, NOW - DAY, NOW + 10 * DAY), NOW,
                    REASON_CERTIFICATE_NOT_YET_VALID, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_DSC_NOT_YET_VALID | HC1_PROBLEM_IAT_BEFORE_DSC);
}

static void dsc_limited_to_vaccination_cannot_sign_a_test(void **state) {
        VerifyResult res;

        expect_code(mint(&vacc_only, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY), NOW, REASON_OK, 0, &res);
        assert_true(res.hc1.dsc.dcc_limited);
        assert_int_equal(res.hc1.dsc.dcc_types, DCC_TYPE_VACCINATION);
        expect_code(mint(&vacc_only, DCC_TYPE_TEST, NOW - DAY, NOW + DAY), NOW, REASON_KEY_USAGE,
                    VERIFY_STEP_SIGNATURE, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_KEY_USAGE);
}

static void dsc_whose_eku_names_no_dcc_type_signs_every_type(void **state) {
        VerifyResult res;

        expect_code(mint(&tls_only, DCC_TYPE_RECOVERY, NOW - DAY, NOW + DAY), NOW, REASON_OK, 0, &res);
        assert_true(res.hc1.dsc.has_eku);
        assert_false(res.hc1.dsc.dcc_limited);
        assert_int_equal(res.hc1.dsc.dcc_types, DCC_TYPES_ALL);
}

static void every_problem_is_recorded_and_the_first_reported(void **state) {
        VerifyResult res;

        /* Wrong type for the DSC and expired: key usage is reported, both are recorded. */
        expect_code(mint(&vacc_only, DCC_TYPE_TEST, NOW - 10 * DAY, NOW - 5 * DAY), NOW, REASON_KEY_USAGE,
                    VERIFY_STEP_SIGNATURE, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_KEY_USAGE | HC1_PROBLEM_EXPIRED);
}

static void old_trust_list_is_denied_or_flagged_by_policy(void **state) {
        char *t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        Verifier v = verifier();
        VerifyResult res;

        v.dcc_trust_max_age = 7200;
        assert_int_equal(check_v(&v, t, NOW, &res), REASON_OK); /* updated an hour ago */
        assert_false(res.hc1.trust_list_stale);
        assert_int_equal(res.hc1.trust_list_age, 3600);

        v.dcc_trust_max_age = 600;
        assert_int_equal(check_v(&v, t, NOW, &res), REASON_TRUST_LIST_TOO_OLD);
        assert_int_equal(res.failed, VERIFY_STEP_ISSUER);

        v.dcc_trust_age_policy = TRUST_LIST_AGE_WARN;
        assert_int_equal(check_v(&v, t, NOW, &res), REASON_OK);
        assert_true(res.hc1.trust_list_stale);

        /* A list of unknown age is too old for any limit. */
        trustlist_set_updated_at(tl, 0);
        v.dcc_trust_age_policy = TRUST_LIST_AGE_DENY;
        assert_int_equal(check_v(&v, t, NOW, &res), REASON_TRUST_LIST_TOO_OLD);
        trustlist_set_updated_at(tl, NOW - 3600);
        free(t);
}

static void decompression_bomb_is_refused(void **state) {
        uint8_t *zeros = calloc(1, 1 << 20);
        char *t;

        /* 1 MiB inflating from about 1 KiB: beyond the absolute limit. */
        assert_int_equal(hc1_wrap(zeros, 1 << 20, true, &t), 0);
        assert_true(strlen(t) <= HC1_MAX_TEXT);
        expect_code(t, NOW, REASON_TOO_LONG, VERIFY_STEP_ENCODING, NULL);
        /* 8 KiB from a few dozen bytes: under the absolute limit, far beyond the ratio. */
        assert_int_equal(hc1_wrap(zeros, 8192, true, &t), 0);
        expect_code(t, NOW, REASON_TOO_LONG, VERIFY_STEP_ENCODING, NULL);
        free(zeros);
}

static void broken_zlib_is_decompression_failed(void **state) {
        VerifyResult res;
        char *t = mint_kid(&es, NULL, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY, &(Hc1MintOptions) { .no_compress = true });

        expect_code(t, NOW, REASON_DECOMPRESSION_FAILED, VERIFY_STEP_ENCODING, &res);
        assert_int_equal(res.hc1.stage, HC1_STAGE_BASE45);

        /* A valid code cut short: base45 stays valid (whole groups) but zlib is truncated. */
        t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        size_t n = strlen(t) - 4 - 30;
        t[4 + n - n % 3] = '\0';
        expect_code(t, NOW, REASON_DECOMPRESSION_FAILED, VERIFY_STEP_ENCODING, NULL);
}

static void bad_base45_and_length_are_refused(void **state) {
        char *t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        Verifier v = verifier();
        VerifyResult res;
        char *big;

        t[10] = 'a';
        expect(t, NOW, REASON_BAD_ENCODING, VERIFY_STEP_ENCODING, NULL);
        free(t);

        big = malloc(HC1_MAX_TEXT + 2);
        memset(big, 'A', HC1_MAX_TEXT + 1);
        memcpy(big, HC1_PREFIX, 4);
        big[HC1_MAX_TEXT + 1] = '\0';
        assert_int_equal(check_v(&v, big, NOW, &res), REASON_TOO_LONG);
        assert_int_equal(verifier_check(&v, big, HC1_MAX_TEXT, NOW, &res), REASON_BAD_ENCODING); /* within the limit */
        free(big);

        assert_int_equal(check_v(&v, "hc1:NCFOXN", NOW, &res), REASON_BAD_ENCODING);
        assert_int_equal(res.failed, VERIFY_STEP_FORMAT);
        assert_int_equal(check_v(&v, "HC2:NCFOXN", NOW, &res), REASON_UNSUPPORTED_FORMAT);
}

/* Signs an arbitrary payload with es and checks the verdict. */
static void expect_payload(cbor_item_t *cwt, Reason want, VerifyStep step) {
        unsigned char *buf = NULL;
        size_t size = 0, n = cbor_serialize_alloc(cwt, &buf, &size);
        char *text;

        assert_true(n > 0);
        assert_int_equal(hc1_mint(es.key, es.kid, DSC_KID_LEN, buf, n, NULL, &text), 0);
        expect_code(text, NOW, want, step, NULL);
        free(buf);
        cbor_decref(&cwt);
}

static void add(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v) {
        assert_true(cbor_map_add(map, (struct cbor_pair) { .key = cbor_move(k), .value = cbor_move(v) }));
}

/* {4: exp, 6: iat, -260: {1: dcc}}; iat given as a float when float_iat. */
static cbor_item_t *cwt_around(cbor_item_t *dcc, bool float_iat) {
        cbor_item_t *cwt = cbor_new_definite_map(3), *hcert = cbor_new_definite_map(1);

        add(cwt, cbor_build_int64(CWT_EXP), cbor_build_int64(NOW + DAY));
        add(cwt, cbor_build_int64(CWT_IAT), float_iat ? cbor_build_float8((double) NOW - 10.5) : cbor_build_int64(NOW - DAY));
        add(hcert, cbor_build_int64(HCERT_EU_DCC_V1), dcc);
        add(cwt, cbor_build_int64(HCERT_CLAIM), hcert);
        return cwt;
}

static cbor_item_t *entries(unsigned n) {
        cbor_item_t *a = cbor_new_definite_array(n);
        for (unsigned i = 0; i < n; i++) {
                cbor_item_t *e = cbor_new_definite_map(1);
                add(e, cbor_build_string("tg"), cbor_build_string("840539006"));
                assert_true(cbor_array_push(a, cbor_move(e)));
        }
        return a;
}

static void authentic_but_malformed_payloads_are_refused(void **state) {
        cbor_item_t *dcc;

        expect_payload(cbor_build_uint8(1), REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
        /* No hcert claim. */
        cbor_item_t *cwt = cbor_new_definite_map(2);
        add(cwt, cbor_build_int64(CWT_EXP), cbor_build_int64(NOW + DAY));
        add(cwt, cbor_build_int64(CWT_IAT), cbor_build_int64(NOW - DAY));
        expect_payload(cwt, REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
        /* Two kinds of certificate. */
        dcc = cbor_new_definite_map(2);
        add(dcc, cbor_build_string("v"), entries(1));
        add(dcc, cbor_build_string("t"), entries(1));
        expect_payload(cwt_around(dcc, false), REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
        /* Two entries of one kind (test vectors RO/2, SK/3). */
        dcc = cbor_new_definite_map(1);
        add(dcc, cbor_build_string("v"), entries(2));
        expect_payload(cwt_around(dcc, false), REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
        /* None. */
        dcc = cbor_new_definite_map(1);
        add(dcc, cbor_build_string("ver"), cbor_build_string("1.3.0"));
        expect_payload(cwt_around(dcc, false), REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
        /* A duplicate key inside the DCC. */
        dcc = cbor_new_definite_map(2);
        add(dcc, cbor_build_string("v"), entries(1));
        add(dcc, cbor_build_string("v"), entries(1));
        expect_payload(cwt_around(dcc, false), REASON_MALFORMED, VERIFY_STEP_STRUCTURE);
}

static void null_groups_and_float_dates_are_accepted(void **state) {
        /* {"r": null, "t": null, "v": [...]} as early Bulgarian codes have it, iat a float. */
        cbor_item_t *dcc = cbor_new_definite_map(3);
        add(dcc, cbor_build_string("r"), cbor_new_null());
        add(dcc, cbor_build_string("t"), cbor_new_null());
        add(dcc, cbor_build_string("v"), entries(1));
        expect_payload(cwt_around(dcc, true), REASON_OK, 0);
}

static void extreme_dates_do_not_overflow(void **state) {
        VerifyResult res;

        /* Run under UBSan too: no signed overflow whatever iat and exp hold. */
        expect_code(mint(&es, DCC_TYPE_TEST, NOW - DAY, INT64_MAX), NOW, REASON_CERTIFICATE_EXPIRED, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_EXP_AFTER_DSC);
        expect_code(mint(&es, DCC_TYPE_TEST, INT64_MIN, NOW + DAY), NOW, REASON_CERTIFICATE_NOT_YET_VALID,
                    VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_IAT_BEFORE_DSC);
        expect_code(mint(&es, DCC_TYPE_TEST, INT64_MAX, INT64_MIN), NOW, REASON_NOT_YET_VALID, VERIFY_STEP_TIME, &res);
        assert_int_equal(res.hc1.problems, HC1_PROBLEM_NOT_YET_VALID | HC1_PROBLEM_EXPIRED);
}

static void door_type_policy_uses_the_result(void **state) {
        VerifyResult res;
        unsigned mask;
        char buf[64];

        expect_code(mint(&es, DCC_TYPE_TEST, NOW - DAY, NOW + DAY), NOW, REASON_OK, 0, &res);
        assert_int_equal(dcc_types_from_string("vaccination, recovery", &mask), 0);
        assert_int_equal(mask, DCC_TYPE_VACCINATION | DCC_TYPE_RECOVERY);
        assert_false(hc1_type_accepted(&res, mask));
        assert_int_equal(dcc_types_from_string("test", &mask), 0);
        assert_true(hc1_type_accepted(&res, mask));
        assert_int_equal(dcc_types_from_string("all", &mask), 0);
        assert_int_equal(mask, DCC_TYPES_ALL);
        assert_string_equal(dcc_types_to_string(mask, buf, sizeof(buf)), "vaccination,test,recovery");
        assert_string_equal(dcc_types_to_string(0, buf, sizeof(buf)), "none");
        assert_int_equal(dcc_types_from_string("vaccinated", &mask), -EINVAL);
        assert_int_equal(dcc_types_from_string("", &mask), -EINVAL);
        /* A refused code is never accepted, whatever its type. */
        res.reason = REASON_EXPIRED;
        assert_false(hc1_type_accepted(&res, DCC_TYPES_ALL));
}

static void consume_keeps_no_record_of_hc1_codes(void **state) {
        char *t = mint(&es, DCC_TYPE_VACCINATION, NOW - DAY, NOW + DAY);
        Verifier v = verifier();
        ReplayCache *rc;
        VerifyResult res;

        assert_int_equal(replay_cache_new(4, &rc), 0);
        v.replay = rc;
        for (int i = 0; i < 3; i++) {
                assert_int_equal(check_v(&v, t, NOW, &res), REASON_OK);
                assert_int_equal(verifier_consume(&v, &res, NOW), 0);
        }
        assert_int_equal(replay_cache_count(rc, NOW), 0);
        replay_cache_free(rc);
        free(t);
}

static void explain_shows_the_certificate_but_not_the_holder(void **state) {
        VerifyResult res;
        char *out = NULL;
        size_t len = 0;
        FILE *f;

        expect_code(mint(&vacc_only, DCC_TYPE_TEST, NOW - DAY, NOW + DAY), NOW, REASON_KEY_USAGE, VERIFY_STEP_SIGNATURE, &res);
        f = open_memstream(&out, &len);
        hc1_explain(f, &res);
        fclose(f);
        assert_non_null(strstr(out, "type           test"));
        assert_non_null(strstr(out, "signer types   vaccination (limited by its extendedKeyUsage)"));
        assert_non_null(strstr(out, "the signer certificate may not sign this type"));
        assert_non_null(strstr(out, "not detected (negative)"));
        assert_null(strstr(out, "Mustermann"));
        assert_null(strstr(out, "MUSTERMANN"));
        assert_null(strstr(out, "1964"));
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(es256_vaccination_is_valid),
                cmocka_unit_test(ps256_test_and_recovery_are_valid),
                cmocka_unit_test(kid_in_unprotected_header_and_tag_variants_are_valid),
                cmocka_unit_test(unknown_kid_is_unknown_issuer),
                cmocka_unit_test(missing_trust_list_is_unknown_issuer),
                cmocka_unit_test(forged_signature_is_bad_signature),
                cmocka_unit_test(edited_payload_is_bad_signature),
                cmocka_unit_test(protected_kid_wins_over_unprotected),
                cmocka_unit_test(es256_under_rsa_dsc_is_algorithm_mismatch),
                cmocka_unit_test(eddsa_is_unsupported_algorithm),
                cmocka_unit_test(code_time_window_is_enforced_with_skew),
                cmocka_unit_test(expired_dsc_is_certificate_expired),
                cmocka_unit_test(code_outliving_its_dsc_is_certificate_expired),
                cmocka_unit_test(code_signed_before_its_dsc_is_certificate_not_yet_valid),
                cmocka_unit_test(dsc_limited_to_vaccination_cannot_sign_a_test),
                cmocka_unit_test(dsc_whose_eku_names_no_dcc_type_signs_every_type),
                cmocka_unit_test(every_problem_is_recorded_and_the_first_reported),
                cmocka_unit_test(old_trust_list_is_denied_or_flagged_by_policy),
                cmocka_unit_test(decompression_bomb_is_refused),
                cmocka_unit_test(broken_zlib_is_decompression_failed),
                cmocka_unit_test(bad_base45_and_length_are_refused),
                cmocka_unit_test(authentic_but_malformed_payloads_are_refused),
                cmocka_unit_test(null_groups_and_float_dates_are_accepted),
                cmocka_unit_test(extreme_dates_do_not_overflow),
                cmocka_unit_test(door_type_policy_uses_the_result),
                cmocka_unit_test(consume_keeps_no_record_of_hc1_codes),
                cmocka_unit_test(explain_shows_the_certificate_but_not_the_holder),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

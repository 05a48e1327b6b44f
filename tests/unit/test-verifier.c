/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verifier, one real case per outcome: both signature algorithms of QG1 (and PS256), and
 * every reason it can give, each produced by a code that really has that fault. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/verifier.h"
#include "tests/unit/helper-codes.h"

static EVP_PKEY *es, *ed, *rsa, *stranger;
static Keystore *ks;

static int setup(void **state) {
        es = th_key("es256");
        ed = th_key("ed25519");
        rsa = th_key("rsa");
        stranger = th_key("es256");
        assert_int_equal(keystore_new(&ks), 0);
        th_trust(ks, "city", "k1", es);
        th_trust(ks, "city", "e1", ed);
        th_trust(ks, "city", "r1", rsa);
        return 0;
}

static int teardown(void **state) {
        EVP_PKEY_free(es);
        EVP_PKEY_free(ed);
        EVP_PKEY_free(rsa);
        EVP_PKEY_free(stranger);
        keystore_free(ks);
        return 0;
}

static Verifier verifier(ReplayCache *rc) {
        return (Verifier) { .keys = ks, .replay = rc, .max_lifetime = 120, .clock_skew = 30 };
}

static Reason check_at(const char *text, int64_t now, VerifyResult *res) {
        Verifier v = verifier(NULL);
        return verifier_check(&v, text, strlen(text), now, res);
}

static void assert_code(EVP_PKEY *key, const char *kid, const CodeClaims *c, int64_t now, Reason want, VerifyStep step) {
        char *t = th_mint(key, kid, c);
        VerifyResult res;
        Reason got = check_at(t, now, &res);
        if (got != want)
                fail_msg("got %s (%s), want %s", reason_to_string(got), res.detail, reason_to_string(want));
        assert_int_equal(res.failed, step);
        assert_true(want == REASON_OK || res.detail[0] != '\0');
        free(t);
}

static void es256_code_is_valid(void **state) {
        CodeClaims c = th_claims();
        VerifyResult res;
        char *t = th_mint(es, "k1", &c);

        assert_int_equal(check_at(t, TH_NOW, &res), REASON_OK);
        assert_int_equal(res.failed, _VERIFY_STEP_MAX);
        assert_int_equal(res.format, CODE_FORMAT_QG1);
        assert_int_equal(res.alg, COSE_ALG_ES256);
        assert_string_equal(res.claims.iss, "city");
        assert_string_equal(res.claims.sub, "p-1");
        assert_string_equal(res.claims.scopes[0], "library.lend");
        assert_int_equal(res.claims.status, CODE_STATUS_GREEN);
        free(t);
}

static void eddsa_code_is_valid(void **state) {
        CodeClaims c = th_claims();
        strcpy(c.obo, "p-2");
        c.n_scopes = 2;
        strcpy(c.scopes[1], "building.A.enter");
        VerifyResult res;
        char *t = th_mint(ed, "e1", &c);
        assert_int_equal(check_at(t, TH_NOW, &res), REASON_OK);
        assert_int_equal(res.alg, COSE_ALG_EDDSA);
        assert_string_equal(res.claims.obo, "p-2");
        assert_int_equal(res.claims.n_scopes, 2);
        free(t);
}

/* The library patron claim (-65541): read when present, refused with its words when it could
 * break the SIP2 field it goes into ('|') or is no identifier (a space). */
static void patron_claim_is_read_and_checked(void **state) {
        CodeClaims c = th_claims();
        CodeClaim which;
        const char *why;
        VerifyResult res;
        char *t;

        strcpy(c.patron, "P-123");
        t = th_mint(es, "k1", &c);
        assert_int_equal(check_at(t, TH_NOW, &res), REASON_OK);
        assert_string_equal(res.claims.patron, "P-123");
        free(t);
        assert_int_equal(claims_check(&c, NULL, NULL), 0);

        static const char *const bad[] = { "P|123", "P 123", "P\x7f" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                strcpy(c.patron, bad[i]);
                assert_int_equal(claims_check(&c, &which, &why), -EBADMSG);
                assert_int_equal(which, CODE_CLAIM_PATRON);
                t = th_mint(es, "k1", &c);
                assert_int_not_equal(check_at(t, TH_NOW, &res), REASON_OK);
                assert_non_null(strstr(res.detail, "library patron claim (-65541)"));
                free(t);
        }
        /* Absent: the code is what it was, the claim empty. */
        c.patron[0] = '\0';
        t = th_mint(es, "k1", &c);
        assert_int_equal(check_at(t, TH_NOW, &res), REASON_OK);
        assert_string_equal(res.claims.patron, "");
        free(t);
}

static void ps256_code_is_valid(void **state) {
        CodeClaims c = th_claims();
        assert_code(rsa, "r1", &c, TH_NOW, REASON_OK, _VERIFY_STEP_MAX);
}

static void unknown_kid_or_issuer_is_unknown_issuer(void **state) {
        CodeClaims c = th_claims();
        assert_code(es, "k9", &c, TH_NOW, REASON_UNKNOWN_ISSUER, VERIFY_STEP_ISSUER);
        strcpy(c.iss, "elsewhere");
        assert_code(es, "k1", &c, TH_NOW, REASON_UNKNOWN_ISSUER, VERIFY_STEP_ISSUER);
}

static void forged_code_is_bad_signature(void **state) {
        CodeClaims c = th_claims();
        /* Signed by a key nobody trusts, but naming the trusted issuer and kid. */
        assert_code(stranger, "k1", &c, TH_NOW, REASON_BAD_SIGNATURE, VERIFY_STEP_SIGNATURE);
}

static void edited_claim_is_bad_signature(void **state) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t *good = th_payload(&c, &len), hdr[32];
        size_t hlen = cose_encode_header(hdr, COSE_ALG_ES256, (const uint8_t *) "k1", 2);
        uint8_t *sig = NULL;
        size_t sig_len;

        /* Sign the real claims, then present the signature with someone else's subject. */
        assert_int_equal(cose_sign(es, COSE_ALG_ES256, hdr, hlen, good, len, &sig, &sig_len), 0);
        strcpy(c.sub, "p-2");
        size_t len2;
        uint8_t *edited = th_payload(&c, &len2);
        char *t = th_mint_raw(es, COSE_ALG_ES256, hdr, hlen, (const uint8_t *) "\xa0", 1, edited, len2, true, sig, sig_len);
        VerifyResult res;
        assert_int_equal(check_at(t, TH_NOW, &res), REASON_BAD_SIGNATURE);
        free(t);
        free(sig);
        free(good);
        free(edited);
}

static void key_of_other_type_is_algorithm_mismatch(void **state) {
        /* Header says EdDSA, the issuer's key k1 is P-256. */
        CodeClaims c = th_claims();
        size_t len;
        uint8_t *p = th_payload(&c, &len), hdr[32], sig[64] = { 1 };
        size_t hlen = cose_encode_header(hdr, COSE_ALG_EDDSA, (const uint8_t *) "k1", 2);
        char *t = th_mint_raw(NULL, 0, hdr, hlen, (const uint8_t *) "\xa0", 1, p, len, true, sig, sizeof(sig));
        VerifyResult res;
        assert_int_equal(check_at(t, TH_NOW, &res), REASON_ALGORITHM_MISMATCH);
        assert_int_equal(res.failed, VERIFY_STEP_SIGNATURE);
        free(t);
        free(p);
}

static void time_window_is_enforced_with_skew(void **state) {
        CodeClaims c = th_claims();
        /* exp = now + 60; valid up to exp + 30 s of skew, refused after. */
        assert_code(es, "k1", &c, TH_NOW + 90, REASON_OK, _VERIFY_STEP_MAX);
        assert_code(es, "k1", &c, TH_NOW + 91, REASON_EXPIRED, VERIFY_STEP_TIME);
        /* iat up to 30 s in the future is a phone whose clock runs ahead; more is refused. */
        assert_code(es, "k1", &c, TH_NOW - 30, REASON_OK, _VERIFY_STEP_MAX);
        assert_code(es, "k1", &c, TH_NOW - 31, REASON_NOT_YET_VALID, VERIFY_STEP_TIME);
}

static void hour_long_code_is_lifetime_too_long(void **state) {
        CodeClaims c = th_claims();
        c.exp = c.iat + 3600;
        assert_code(es, "k1", &c, TH_NOW, REASON_LIFETIME_TOO_LONG, VERIFY_STEP_LIFETIME);
        c.exp = c.iat + 120;
        assert_code(es, "k1", &c, TH_NOW, REASON_OK, _VERIFY_STEP_MAX);
}

static void consumed_code_is_replayed(void **state) {
        ReplayCache *rc;
        CodeClaims c = th_claims();
        char *t = th_mint(es, "k1", &c);
        VerifyResult res;

        assert_int_equal(replay_cache_new(64, &rc), 0);
        Verifier v = verifier(rc);
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_OK);
        /* Checking alone does not use the code up (a door may still refuse it by policy). */
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, TH_NOW), 0);
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW + 1, &res), REASON_REPLAYED);
        assert_int_equal(res.failed, VERIFY_STEP_REPLAY);
        /* Another code of the same person (new cti) is fine. */
        c.cti[0] ^= 0xff;
        char *t2 = th_mint(es, "k1", &c);
        assert_int_equal(verifier_check(&v, t2, strlen(t2), TH_NOW + 1, &res), REASON_OK);
        replay_cache_free(rc);
        free(t);
        free(t2);
}

static void replayed_code_is_denied_after_restart(void **state) {
        char path[] = "/tmp/qrgate-replay-XXXXXX";
        int fd = mkstemp(path);
        ReplayCache *rc;
        CodeClaims c = th_claims();
        char *t = th_mint(es, "k1", &c);
        VerifyResult res;

        assert_true(fd >= 0);
        close(fd);
        unlink(path);
        assert_int_equal(replay_cache_new(64, &rc), 0);
        assert_int_equal(replay_cache_attach_file(rc, AT_FDCWD, path, TH_NOW), 0);
        Verifier v = verifier(rc);
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, TH_NOW), 0);
        replay_cache_free(rc);

        /* A new process: only the file remembers. */
        assert_int_equal(replay_cache_new(64, &rc), 0);
        assert_int_equal(replay_cache_attach_file(rc, AT_FDCWD, path, TH_NOW + 5), 0);
        v = verifier(rc);
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW + 5, &res), REASON_REPLAYED);
        replay_cache_free(rc);
        unlink(path);
        free(t);
}

static void full_replay_cache_refuses_instead_of_forgetting(void **state) {
        ReplayCache *rc;
        VerifyResult res;

        assert_int_equal(replay_cache_new(16, &rc), 0);
        Verifier v = verifier(rc);
        for (int i = 0; i < 17; i++) {
                CodeClaims c = th_claims();
                c.cti[0] = (uint8_t) i;
                char *t = th_mint(es, "k1", &c);
                assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_OK);
                assert_int_equal(verifier_consume(&v, &res, TH_NOW), i < 16 ? 0 : -ENOSPC);
                free(t);
        }
        /* Once no configuration could accept those codes any more (exp + the largest skew),
         * their room is free again. */
        CodeClaims c = th_claims();
        int64_t later = th_claims().exp + QG1_MAX_CLOCK_SKEW + 1;
        c.cti[0] = 200;
        c.iat = later;
        c.exp = later + 60;
        char *t = th_mint(es, "k1", &c);
        assert_int_equal(verifier_check(&v, t, strlen(t), later, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, later - 1), -ENOSPC);
        assert_int_equal(verifier_consume(&v, &res, later), 0);
        free(t);
        replay_cache_free(rc);
}

static void other_text_is_unsupported_format(void **state) {
        VerifyResult res;
        assert_int_equal(check_at("https://example.org/", TH_NOW, &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(check_at("", TH_NOW, &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(check_at("QG2:ABC", TH_NOW, &res), REASON_UNSUPPORTED_FORMAT);
        assert_int_equal(res.failed, VERIFY_STEP_FORMAT);
}

/* The table of formats (core/verifier.c): each prefix picks its entry, which names the code in
 * the result and in code_format_to_string(); anything else is refused at the format step, with
 * the prefixes the gate reads in the detail. */
static void each_prefix_picks_its_format(void **state) {
        VerifyResult res;

        (void) check_at("QG1:", TH_NOW, &res);
        assert_int_equal(res.format, CODE_FORMAT_QG1);
        assert_int_not_equal(res.failed, VERIFY_STEP_FORMAT);
        assert_string_equal(code_format_to_string(res.format), "QG1");
        (void) check_at("HC1:", TH_NOW, &res);
        assert_int_equal(res.format, CODE_FORMAT_HC1);
        assert_int_not_equal(res.failed, VERIFY_STEP_FORMAT);
        assert_string_equal(code_format_to_string(res.format), "HC1");
        assert_string_equal(code_format_to_string(CODE_FORMAT_UNKNOWN), "unknown");

        assert_int_equal(check_at("hc1:6BF", TH_NOW, &res), REASON_BAD_ENCODING);
        assert_int_equal(res.format, CODE_FORMAT_UNKNOWN);
        assert_int_equal(res.failed, VERIFY_STEP_FORMAT);
        assert_int_equal(check_at("XX1:6BF", TH_NOW, &res), REASON_UNSUPPORTED_FORMAT);
        assert_non_null(strstr(res.detail, "(QG1:, HC1:, ]F0, ]E0, ]X0)"));

        /* A result of no format is never recorded as used. */
        ReplayCache *rc;
        assert_int_equal(replay_cache_new(16, &rc), 0);
        Verifier v = verifier(rc);
        assert_int_equal(verifier_consume(&v, &res, TH_NOW), -EINVAL);
        replay_cache_free(rc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(es256_code_is_valid),
                cmocka_unit_test(eddsa_code_is_valid),
                cmocka_unit_test(ps256_code_is_valid),
                cmocka_unit_test(unknown_kid_or_issuer_is_unknown_issuer),
                cmocka_unit_test(forged_code_is_bad_signature),
                cmocka_unit_test(edited_claim_is_bad_signature),
                cmocka_unit_test(key_of_other_type_is_algorithm_mismatch),
                cmocka_unit_test(time_window_is_enforced_with_skew),
                cmocka_unit_test(hour_long_code_is_lifetime_too_long),
                cmocka_unit_test(consumed_code_is_replayed),
                cmocka_unit_test(replayed_code_is_denied_after_restart),
                cmocka_unit_test(full_replay_cache_refuses_instead_of_forgetting),
                cmocka_unit_test(other_text_is_unsupported_format),
                cmocka_unit_test(each_prefix_picks_its_format),
                cmocka_unit_test(patron_claim_is_read_and_checked),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

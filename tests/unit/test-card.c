/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Static card codes (docs/code-format.md §8): the card profile as the claims parser and the
 * verifier tell it apart from a dynamic code, its own lifetime bound at its edges, a card never
 * used up, and the policy's card rule. Real keys, real signatures. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/verifier.h"
#include "daemon/policy.h"
#include "tests/unit/helper-codes.h"

#define CARD_MAX (INT64_C(400) * 86400) /* the verifier's card_max_lifetime in these tests */

static EVP_PKEY *key;
static Keystore *ks;

/* A valid card for issuer "city" at TH_NOW: serial "C-0001", holder "p-1", a year. */
static CodeClaims card(void) {
        CodeClaims c = th_claims();
        c.cti_len = 0;
        strcpy(c.card_serial, "C-0001");
        c.exp = c.iat + 365 * 86400;
        return c;
}

static Verifier verifier(ReplayCache *rc) {
        return (Verifier) { .keys = ks, .replay = rc, .max_lifetime = 120, .card_max_lifetime = CARD_MAX, .clock_skew = 30 };
}

static Reason check(const CodeClaims *c, ReplayCache *rc, int64_t now, VerifyResult *res) {
        Verifier v = verifier(rc);
        char *t = th_mint(key, "k1", c);
        Reason r = verifier_check(&v, t, strlen(t), now, res);
        free(t);
        return r;
}

static void assert_refused(const CodeClaims *c, Reason want, VerifyStep step, const char *detail) {
        VerifyResult res;
        Reason got = check(c, NULL, TH_NOW, &res);
        if (got != want)
                fail_msg("got %s (%s), want %s", reason_to_string(got), res.detail, reason_to_string(want));
        assert_int_equal(res.failed, step);
        if (detail && !strstr(res.detail, detail))
                fail_msg("detail \"%s\" lacks \"%s\"", res.detail, detail);
}

static void a_card_is_valid_and_says_it_is_a_card(void **state) {
        CodeClaims c = card();
        VerifyResult res;

        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK);
        assert_true(res.have_claims);
        assert_true(claims_is_card(&res.claims));
        assert_string_equal(res.claims.card_serial, "C-0001");
        assert_int_equal(res.claims.cti_len, 0);
        /* The holder is the subject per-subject rules see, as for a dynamic code. */
        const char *iss, *sub;
        assert_true(verify_result_subject(&res, &iss, &sub));
        assert_string_equal(iss, "city");
        assert_string_equal(sub, "p-1");
}

static void a_dynamic_code_is_not_a_card(void **state) {
        CodeClaims c = th_claims();
        VerifyResult res;

        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK);
        assert_false(claims_is_card(&res.claims));
        assert_string_equal(res.claims.card_serial, "");
}

/* A code with both a card serial and a cti would be a single-use code that also claims to be
 * shown again and again: neither profile, refused under the signature. */
static void a_code_claiming_both_profiles_is_malformed(void **state) {
        CodeClaims c = card();
        c.cti_len = 16;
        for (size_t i = 0; i < 16; i++)
                c.cti[i] = (uint8_t) (i + 1);
        assert_refused(&c, REASON_MALFORMED, VERIFY_STEP_STRUCTURE, "must not carry a cti");
        /* An empty cti is a cti all the same. */
        c.cti_len = 0;
        CodeClaims enc = c;
        uint8_t *payload;
        size_t len;
        /* claims_encode() leaves a card's empty cti out; a crafted one writes it. */
        assert_int_equal(claims_encode(&enc, &payload, &len), 0);
        CodeClaims parsed;
        const char *why = NULL;
        assert_int_equal(claims_parse(payload, len, &parsed, &why), 0);
        free(payload);
        enc.card_serial[0] = '\0'; /* encode with the empty cti, then add the card by hand below */
        assert_int_equal(claims_encode(&enc, &payload, &len), 0);
        /* The map header says 7 pairs (no obo, no card): append the card serial as an eighth. */
        assert_int_equal(payload[0], 0xa7);
        uint8_t *more = malloc(len + 16);
        assert_non_null(more);
        memcpy(more, payload, len);
        more[0] = 0xa8;
        /* -65540 is a negative integer with argument 65539: 0x3a 0x00 0x01 0x00 0x03. */
        const uint8_t tail[] = { 0x3a, 0x00, 0x01, 0x00, 0x03, 0x62, 'C', '1' };
        memcpy(more + len, tail, sizeof(tail));
        assert_int_equal(claims_parse(more, len + sizeof(tail), &parsed, &why), -EBADMSG);
        assert_non_null(strstr(why, "must not carry a cti"));
        free(payload);
        free(more);
}

/* Without its card serial, a card's claims are a dynamic code without a cti: refused, so no
 * verifier that does not know cards — an older qrgated — takes one for a dynamic code. */
static void a_card_without_serial_is_a_dynamic_code_without_cti(void **state) {
        CodeClaims c = card();
        c.card_serial[0] = '\0';
        uint8_t *payload;
        size_t len;
        CodeClaims parsed;
        const char *why = NULL;

        /* claims_encode() writes a zero-length cti for a dynamic code: refused by its length. */
        assert_refused(&c, REASON_MALFORMED, VERIFY_STEP_STRUCTURE, "cti (7) is not 8-32 bytes");
        /* And with no cti at all: missing. */
        strcpy(c.card_serial, "X");
        assert_int_equal(claims_encode(&c, &payload, &len), 0);
        /* Drop the card serial (the last pair) and fix the map's count: 7 pairs, no cti. */
        assert_int_equal(payload[0], 0xa7);
        payload[0] = 0xa6;
        len -= 5 + 2;
        assert_int_equal(claims_parse(payload, len, &parsed, &why), -EBADMSG);
        assert_non_null(strstr(why, "cti (7) missing"));
        free(payload);
}

static void a_bad_card_serial_is_malformed(void **state) {
        CodeClaims c = card();
        strcpy(c.card_serial, "C 1");
        assert_refused(&c, REASON_MALFORMED, VERIFY_STEP_STRUCTURE, "card serial claim (-65540)");
        memset(c.card_serial, 'a', CLAIM_TEXT_MAX);
        c.card_serial[CLAIM_TEXT_MAX] = '\0';
        VerifyResult res;
        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK); /* 64 is the limit, not beyond */
}

/* The card bound at its edges: exp - iat == card_max_lifetime is accepted, one second more is
 * lifetime-too-long; and the dynamic bound does not apply to cards, nor the card bound to
 * dynamic codes. */
static void a_card_lives_up_to_its_own_maximum(void **state) {
        CodeClaims c = card();
        VerifyResult res;

        c.exp = c.iat + CARD_MAX;
        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK);
        c.exp = c.iat + CARD_MAX + 1;
        assert_refused(&c, REASON_LIFETIME_TOO_LONG, VERIFY_STEP_LIFETIME, "card_max_lifetime");
        c.exp = c.iat + CARD_MAX - 1;
        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK);

        /* A dynamic code of a card's lifetime is refused by the dynamic bound. */
        CodeClaims d = th_claims();
        d.exp = d.iat + 121;
        assert_refused(&d, REASON_LIFETIME_TOO_LONG, VERIFY_STEP_LIFETIME, "of a dynamic code");
        d.exp = d.iat + 120;
        assert_int_equal(check(&d, NULL, TH_NOW, &res), REASON_OK);

        /* A verifier configured without a card bound (0) takes no card. */
        Verifier v = verifier(NULL);
        v.card_max_lifetime = 0;
        c = card();
        char *t = th_mint(key, "k1", &c);
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_LIFETIME_TOO_LONG);
        free(t);
}

/* A card has an expiry like any code: accepted through exp + skew, expired a second later. */
static void a_card_expires_at_exp_plus_skew(void **state) {
        CodeClaims c = card();
        VerifyResult res;

        assert_int_equal(check(&c, NULL, c.exp + 30, &res), REASON_OK);
        assert_int_equal(check(&c, NULL, c.exp + 31, &res), REASON_EXPIRED);
}

/* A card is shown at every visit: checked and consumed twice, it is valid both times and the
 * replay cache holds nothing for it. */
static void a_card_is_never_consumed(void **state) {
        ReplayCache *rc;
        CodeClaims c = card();
        VerifyResult res;

        assert_int_equal(replay_cache_new(16, &rc), 0);
        Verifier v = verifier(rc);
        for (int i = 0; i < 2; i++) {
                assert_int_equal(check(&c, rc, TH_NOW + i, &res), REASON_OK);
                assert_int_equal(verifier_consume(&v, &res, TH_NOW + i), 0);
        }
        assert_int_equal(replay_cache_count(rc, TH_NOW), 0);

        /* A dynamic code, for contrast, is used up. */
        CodeClaims d = th_claims();
        assert_int_equal(check(&d, rc, TH_NOW, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, TH_NOW), 0);
        assert_int_equal(check(&d, rc, TH_NOW, &res), REASON_REPLAYED);
        replay_cache_free(rc);
}

static Reason decide_at(const DoorConf *d, const VerifyResult *res, ReplayCache *rc, char *detail, size_t n) {
        PolicyInput in = { .door_id = d->id, .door = d, .code = res, .now = TH_NOW, .replay = rc };
        return policy_decide(&in, detail, n);
}

/* A door takes cards only with cards = true; a dynamic code is not affected either way. */
static void a_card_opens_only_a_door_that_takes_cards(void **state) {
        DoorConf d = { .id = "main", .scopes = { "library.lend" }, .n_scopes = 1, .status_mask = 1u << CODE_STATUS_GREEN };
        CodeClaims c = card(), dyn = th_claims();
        VerifyResult res, dres;
        char detail[192] = "";

        assert_int_equal(check(&c, NULL, TH_NOW, &res), REASON_OK);
        assert_int_equal(check(&dyn, NULL, TH_NOW, &dres), REASON_OK);
        assert_int_equal(decide_at(&d, &res, NULL, detail, sizeof(detail)), REASON_CARD_NOT_ACCEPTED);
        assert_string_equal(detail, "door main does not accept static cards (its configuration's 'cards' is false)");
        assert_string_equal(reason_to_string(REASON_CARD_NOT_ACCEPTED), "card-not-accepted");
        assert_int_equal(decide_at(&d, &dres, NULL, detail, sizeof(detail)), REASON_OK);
        d.cards = true;
        assert_int_equal(decide_at(&d, &res, NULL, detail, sizeof(detail)), REASON_OK);
        assert_int_equal(decide_at(&d, &dres, NULL, detail, sizeof(detail)), REASON_OK);
        /* The card's scopes and status still count. */
        d.scopes[0] = "pool.enter";
        assert_int_equal(decide_at(&d, &res, NULL, detail, sizeof(detail)), REASON_SCOPE);
}

/* A card needs no room in a full replay cache: nothing of it is recorded. */
static void a_card_passes_a_full_replay_cache(void **state) {
        DoorConf d = { .id = "main", .scopes = { "library.lend" }, .n_scopes = 1, .status_mask = 1u << CODE_STATUS_GREEN,
                       .cards = true };
        ReplayCache *rc;
        CodeClaims c = card(), dyn = th_claims();
        VerifyResult res;
        char detail[192];

        assert_int_equal(replay_cache_new(16, &rc), 0);
        Verifier v = verifier(rc);
        for (uint8_t i = 0; i < 16; i++) {
                dyn.cti[0] = (uint8_t) (0x80 + i);
                assert_int_equal(check(&dyn, rc, TH_NOW, &res), REASON_OK);
                assert_int_equal(verifier_consume(&v, &res, TH_NOW), 0);
        }
        dyn.cti[0] = 0x7f;
        assert_int_equal(check(&dyn, rc, TH_NOW, &res), REASON_OK);
        assert_int_equal(decide_at(&d, &res, rc, detail, sizeof(detail)), REASON_REPLAY_CACHE_FULL);
        assert_int_equal(check(&c, rc, TH_NOW, &res), REASON_OK);
        assert_int_equal(decide_at(&d, &res, rc, detail, sizeof(detail)), REASON_OK);
        replay_cache_free(rc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_card_is_valid_and_says_it_is_a_card),
                cmocka_unit_test(a_dynamic_code_is_not_a_card),
                cmocka_unit_test(a_code_claiming_both_profiles_is_malformed),
                cmocka_unit_test(a_card_without_serial_is_a_dynamic_code_without_cti),
                cmocka_unit_test(a_bad_card_serial_is_malformed),
                cmocka_unit_test(a_card_lives_up_to_its_own_maximum),
                cmocka_unit_test(a_card_expires_at_exp_plus_skew),
                cmocka_unit_test(a_card_is_never_consumed),
                cmocka_unit_test(a_card_opens_only_a_door_that_takes_cards),
                cmocka_unit_test(a_card_passes_a_full_replay_cache),
        };
        key = th_key("es256");
        assert_int_equal(keystore_new(&ks), 0);
        th_trust(ks, "city", "k1", key);
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        keystore_free(ks);
        EVP_PKEY_free(key);
        return r;
}

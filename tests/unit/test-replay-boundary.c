/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A used code is refused at every second after it opened a door — the boundaries above all.
 *
 * Found by a security review: the verifier accepted a code while now <= exp + skew, but the
 * replay cache kept its entry only while until > now, and re-armed a "dead" entry, so a photo
 * of a used code opened the door again, any number of times, in the code's last second. The
 * properties below run the real verifier and cache over clock skews, lifetimes, the second the
 * code was used in, a reload that changes the skew, and a restart (the cache reloaded from its
 * file at the later second). */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/verifier.h"
#include "tests/unit/helper-codes.h"

static EVP_PKEY *key;
static Keystore *ks;
static char path[64];

static int setup(void **state) {
        key = th_key("es256");
        assert_int_equal(keystore_new(&ks), 0);
        th_trust(ks, "city", "k1", key);
        return 0;
}

static int teardown(void **state) {
        EVP_PKEY_free(key);
        keystore_free(ks);
        return 0;
}

static void fresh_path(void) {
        strcpy(path, "/tmp/qrgate-replay-boundary-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
}

static Verifier verifier(ReplayCache *rc, int64_t skew) {
        return (Verifier) { .keys = ks, .replay = rc, .max_lifetime = 3600, .clock_skew = skew };
}

static const int64_t skews[] = { 0, 1, 30, 299, QG1_MAX_CLOCK_SKEW };
static const int64_t lifetimes[] = { 1, 60, 120 };

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

/* Every second worth looking at from t on: the neighbourhood of each boundary. */
static size_t later_seconds(int64_t t, int64_t exp, int64_t out[static 32]) {
        const int64_t marks[] = { t, t + 1, exp - 1, exp, exp + 1 };
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(marks); i++)
                if (marks[i] >= t)
                        out[n++] = marks[i];
        for (size_t i = 0; i < ELEMENTSOF(skews); i++)
                for (int64_t d = -1; d <= 1; d++)
                        if (exp + skews[i] + d >= t)
                                out[n++] = exp + skews[i] + d;
        /* In order, once each: the clock only moves forward here (a clock set back is another
         * matter: docs/reasons.md). */
        qsort(out, n, sizeof(int64_t), cmp_i64);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (k == 0 || out[i] != out[k - 1])
                        out[k++] = out[i];
        return k;
}

/* The code is used at t under skew s1; at every later second, under skew s2 (a reload between,
 * or the same), and with the cache either kept in memory or reloaded from its file (a restart),
 * the verifier must not say OK. */
static void check_never_again(const char *text, int64_t exp, int64_t t, int64_t s1, int64_t s2, bool restart) {
        ReplayCache *rc;
        VerifyResult res;
        int64_t later[32];
        size_t n;

        fresh_path();
        assert_int_equal(replay_cache_new(64, &rc), 0);
        assert_int_equal(replay_cache_attach_file(rc, AT_FDCWD, path, t), 0);
        Verifier v = verifier(rc, s1);
        assert_int_equal(verifier_check(&v, text, strlen(text), t, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, t), 0);
        assert_int_equal(replay_cache_sync(rc, t), 0);

        n = later_seconds(t, exp, later);
        for (size_t i = 0; i < n; i++) {
                if (restart) {
                        replay_cache_free(rc);
                        assert_int_equal(replay_cache_new(64, &rc), 0);
                        assert_int_equal(replay_cache_attach_file(rc, AT_FDCWD, path, later[i]), 0);
                }
                v = verifier(rc, s2);
                Reason got = verifier_check(&v, text, strlen(text), later[i], &res);
                if (got == REASON_OK)
                        fail_msg("used at %+lld s of exp (skew %lld), accepted again at %+lld s of exp (skew %lld%s)",
                                 (long long) (t - exp), (long long) s1, (long long) (later[i] - exp), (long long) s2,
                                 restart ? ", after a restart" : "");
                /* Refused as used; or, under a smaller skew after a reload, outside its time. */
                assert_true(got == REASON_REPLAYED || got == REASON_EXPIRED || got == REASON_NOT_YET_VALID);
                /* And consuming it again is refused too, live entry or not. */
                if (got == REASON_REPLAYED)
                        assert_int_equal(replay_cache_add(rc, res.claims.iss, res.claims.cti, res.claims.cti_len,
                                                          code_last_acceptable(exp, QG1_MAX_CLOCK_SKEW), later[i]),
                                         -EEXIST);
        }
        replay_cache_free(rc);
        unlink(path);
}

static void used_code_is_refused_at_every_later_second(void **state) {
        unsigned cases = 0;

        for (size_t l = 0; l < ELEMENTSOF(lifetimes); l++)
                for (size_t k = 0; k < ELEMENTSOF(skews); k++) {
                        int64_t s = skews[k];
                        CodeClaims c = th_claims();
                        c.iat = TH_NOW;
                        c.exp = TH_NOW + lifetimes[l];
                        c.cti[0] = (uint8_t) (l * 16 + k);
                        char *text = th_mint(key, "k1", &c);
                        /* Used at the first and the last second it is accepted in, and between. */
                        const int64_t uses[] = { c.iat - s, c.iat, c.exp, c.exp + s };
                        for (size_t u = 0; u < ELEMENTSOF(uses); u++)
                                for (size_t k2 = 0; k2 < ELEMENTSOF(skews); k2++)
                                        for (int restart = 0; restart <= 1; restart++) {
                                                check_never_again(text, c.exp, uses[u], s, skews[k2], restart);
                                                cases++;
                                        }
                        free(text);
                }
        assert_int_equal(cases, ELEMENTSOF(lifetimes) * ELEMENTSOF(skews) * 4 * ELEMENTSOF(skews) * 2);
}

/* The exact case the review reproduced: skew 30, a code used once, shown again at exp + 30. */
static void photo_of_a_used_code_is_refused_in_its_last_second(void **state) {
        ReplayCache *rc;
        VerifyResult res;
        CodeClaims c = th_claims();
        char *text = th_mint(key, "k1", &c);

        assert_int_equal(replay_cache_new(64, &rc), 0);
        Verifier v = verifier(rc, 30);
        assert_int_equal(verifier_check(&v, text, strlen(text), c.exp, &res), REASON_OK);
        assert_int_equal(verifier_consume(&v, &res, c.exp), 0);
        for (int i = 0; i < 5; i++) {
                assert_int_equal(verifier_check(&v, text, strlen(text), c.exp + 30, &res), REASON_REPLAYED);
                assert_int_not_equal(verifier_consume(&v, &res, c.exp + 30), 0);
        }
        assert_int_equal(verifier_check(&v, text, strlen(text), c.exp + 31, &res), REASON_EXPIRED);
        replay_cache_free(rc);
        free(text);
}

/* The cache's own boundary, without the verifier: live through until, inclusive, and an entry
 * that is there, live or dead, is never armed again. */
static void entry_is_live_through_its_last_second_and_never_rearmed(void **state) {
        static const uint8_t cti[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
        ReplayCache *rc;

        assert_int_equal(replay_cache_new(16, &rc), 0);
        assert_int_equal(replay_cache_add(rc, "city", cti, 8, TH_NOW + 10, TH_NOW), 0);
        assert_true(replay_cache_contains(rc, "city", cti, 8, TH_NOW + 10));
        assert_false(replay_cache_contains(rc, "city", cti, 8, TH_NOW + 11));
        assert_int_equal(replay_cache_add(rc, "city", cti, 8, TH_NOW + 100, TH_NOW + 10), -EEXIST);
        assert_int_equal(replay_cache_add(rc, "city", cti, 8, TH_NOW + 100, TH_NOW + 11), -EEXIST);
        assert_int_equal(replay_cache_count(rc, TH_NOW + 10), 1);
        assert_int_equal(replay_cache_count(rc, TH_NOW + 11), 0);
        replay_cache_free(rc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(entry_is_live_through_its_last_second_and_never_rearmed),
                cmocka_unit_test(photo_of_a_used_code_is_refused_in_its_last_second),
                cmocka_unit_test(used_code_is_refused_at_every_later_second),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

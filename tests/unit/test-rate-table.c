/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded token-bucket table (core/rate-table.h) at its edges: max - 1, max and max + 1 takes;
 * the refill to the microsecond at the boundary second; a refusal that takes nothing; eviction of
 * the bucket closest to full, never of a key's answer when the table is full; no rounding of a
 * rate that is not a whole number of microseconds. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/rate-table.h"

#define SEC 1000000ULL
/* Far from 0, as CLOCK_MONOTONIC is on a machine that has been up a while. */
#define T0 (86400ULL * SEC)

static void key_of(unsigned n, uint8_t key[RATE_KEY_SIZE]) {
        memset(key, 0, RATE_KEY_SIZE);
        memcpy(key, &n, sizeof(n));
        key[15] = 0xa5;
}

static void five_a_minute_allows_five_at_once_and_not_a_sixth(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];
        uint64_t wait = 0;

        assert_int_equal(rate_table_new(64, 5, 60 * SEC, &t), 0);
        key_of(1, k);
        for (int i = 0; i < 4; i++) /* max - 1 */
                assert_true(rate_table_take(t, k, T0, NULL));
        assert_true(rate_table_allows(t, k, T0, NULL));
        assert_true(rate_table_take(t, k, T0, NULL)); /* max */
        assert_false(rate_table_take(t, k, T0, &wait)); /* max + 1 */
        assert_int_equal(wait, 12 * SEC);
        assert_false(rate_table_allows(t, k, T0, NULL));
        assert_int_equal(rate_table_count(t, T0), 1);
}

/* One take comes back every per / max: 12 s for 5 a minute, to the microsecond. */
static void one_take_comes_back_at_the_boundary_second(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];
        uint64_t wait = 0;

        assert_int_equal(rate_table_new(64, 5, 60 * SEC, &t), 0);
        key_of(1, k);
        for (int i = 0; i < 5; i++)
                assert_true(rate_table_take(t, k, T0, NULL));
        assert_false(rate_table_take(t, k, T0 + 12 * SEC - 1, &wait));
        assert_int_equal(wait, 1);
        assert_true(rate_table_take(t, k, T0 + 12 * SEC, NULL));
        /* Only one came back. */
        assert_false(rate_table_take(t, k, T0 + 12 * SEC, NULL));
        /* A whole period later the bucket is full again: five, not more. */
        for (int i = 0; i < 5; i++)
                assert_true(rate_table_take(t, k, T0 + 12 * SEC + 60 * SEC, NULL));
        assert_false(rate_table_take(t, k, T0 + 12 * SEC + 60 * SEC, NULL));
        /* A full bucket is no entry at all. */
        assert_int_equal(rate_table_count(t, T0 + 1000 * SEC), 0);
}

/* A refused take spends nothing: the wait does not grow while a key keeps trying. */
static void a_refusal_takes_nothing(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];

        assert_int_equal(rate_table_new(64, 2, 10 * SEC, &t), 0);
        key_of(7, k);
        assert_true(rate_table_take(t, k, T0, NULL));
        assert_true(rate_table_take(t, k, T0, NULL));
        for (int i = 0; i < 1000; i++)
                assert_false(rate_table_take(t, k, T0 + (uint64_t) i * 1000, NULL));
        assert_true(rate_table_take(t, k, T0 + 5 * SEC, NULL));
}

/* allows() asks, spend() takes even when not allowed (the caller decided). */
static void allows_asks_and_spend_takes(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];
        uint64_t wait = 0;

        assert_int_equal(rate_table_new(64, 1, 4 * SEC, &t), 0);
        key_of(3, k);
        for (int i = 0; i < 10; i++)
                assert_true(rate_table_allows(t, k, T0, NULL));
        rate_table_spend(t, k, T0);
        assert_false(rate_table_allows(t, k, T0, NULL));
        rate_table_spend(t, k, T0);
        assert_false(rate_table_allows(t, k, T0 + 4 * SEC, &wait));
        assert_int_equal(wait, 4 * SEC);
        assert_true(rate_table_allows(t, k, T0 + 8 * SEC, NULL));
}

static void keys_do_not_share_a_bucket(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t a[RATE_KEY_SIZE], b[RATE_KEY_SIZE];

        assert_int_equal(rate_table_new(64, 1, 60 * SEC, &t), 0);
        key_of(1, a);
        key_of(2, b);
        assert_true(rate_table_take(t, a, T0, NULL));
        assert_false(rate_table_take(t, a, T0, NULL));
        assert_true(rate_table_take(t, b, T0, NULL));
        assert_false(rate_table_take(t, b, T0, NULL));
}

/* 7 a minute is 8.571428... s a take: after 7 takes, the 8th comes at 60/7 s, rounded up to the
 * microsecond, and not one microsecond before. */
static void a_rate_that_is_no_whole_number_is_not_rounded(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];
        uint64_t wait = 0, at = (60 * SEC + 6) / 7;

        assert_int_equal(rate_table_new(8, 7, 60 * SEC, &t), 0);
        key_of(1, k);
        for (int i = 0; i < 7; i++)
                assert_true(rate_table_take(t, k, T0, NULL));
        assert_false(rate_table_take(t, k, T0, &wait));
        assert_int_equal(wait, at);
        assert_false(rate_table_take(t, k, T0 + at - 1, NULL));
        assert_true(rate_table_take(t, k, T0 + at, NULL));
        /* Over a long run, 7 a minute: from a full bucket, 7 at once and then one every 60/7 s —
         * 69 more in the 599.9 s that follow, tried every 0.1 s (no drift from the tries' grid). */
        unsigned n = 0;
        for (uint64_t s = 1; s <= 6000; s++)
                n += rate_table_take(t, k, T0 + 3600 * SEC + s * 100000, NULL);
        assert_int_equal(n, 7 + 69);
}

/* One set of RATE_TABLE_WAYS entries, all limited: a new key is still allowed, and takes the place
 * of the bucket closest to full — counted as an eviction. Entries whose buckets are full are
 * reused first, with no eviction. */
static void a_full_table_evicts_the_bucket_closest_to_full(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];

        assert_int_equal(rate_table_new(1, 2, 60 * SEC, &t), 0);
        assert_int_equal(rate_table_capacity(t), RATE_TABLE_WAYS);
        /* Key i takes twice at T0 + i s: key 0 is the one closest to full. */
        for (unsigned i = 0; i < RATE_TABLE_WAYS; i++) {
                key_of(i, k);
                assert_true(rate_table_take(t, k, T0 + i * SEC, NULL));
                assert_true(rate_table_take(t, k, T0 + i * SEC, NULL));
                assert_false(rate_table_take(t, k, T0 + i * SEC, NULL));
        }
        uint64_t now = T0 + RATE_TABLE_WAYS * SEC;
        assert_int_equal(rate_table_count(t, now), RATE_TABLE_WAYS);
        assert_int_equal(rate_table_evictions(t), 0);

        /* An innocent key is never refused because the table is full. */
        key_of(100, k);
        assert_true(rate_table_take(t, k, now, NULL));
        assert_true(rate_table_take(t, k, now, NULL));
        assert_false(rate_table_take(t, k, now, NULL));
        assert_int_equal(rate_table_evictions(t), 1);
        /* Key 0 was evicted: it is allowed again (the price of a table too small). Key 1 is not. */
        key_of(0, k);
        assert_true(rate_table_allows(t, k, now, NULL));
        key_of(1, k);
        assert_false(rate_table_allows(t, k, now, NULL));

        /* Much later every bucket is full: new keys reuse entries without evicting. */
        now += 3600 * SEC;
        for (unsigned i = 200; i < 200 + RATE_TABLE_WAYS; i++) {
                key_of(i, k);
                assert_true(rate_table_take(t, k, now, NULL));
        }
        assert_int_equal(rate_table_evictions(t), 1);
        assert_int_equal(rate_table_count(t, now), RATE_TABLE_WAYS);
}

/* Many more keys than entries: every key's first take is allowed, whatever the table holds. */
static void many_keys_in_a_small_table_are_all_let_through_once(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];

        assert_int_equal(rate_table_new(64, 1, 3600 * SEC, &t), 0);
        for (unsigned i = 0; i < 100000; i++) {
                key_of(i, k);
                assert_true(rate_table_take(t, k, T0 + i, NULL));
        }
        assert_int_equal(rate_table_count(t, T0 + 100000), 64);
        assert_true(rate_table_evictions(t) >= 100000 - 64);
}

static void clear_forgets_every_key(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t k[RATE_KEY_SIZE];

        assert_int_equal(rate_table_new(16, 1, 60 * SEC, &t), 0);
        key_of(5, k);
        assert_true(rate_table_take(t, k, T0, NULL));
        assert_false(rate_table_allows(t, k, T0, NULL));
        rate_table_clear(t);
        assert_true(rate_table_allows(t, k, T0, NULL));
        assert_int_equal(rate_table_count(t, T0), 0);
}

/* The all-zero key (uid 0 of the bus limit) is a key like any other, though empty entries hold
 * zeros too. */
static void the_zero_key_is_a_key(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        uint8_t zero[RATE_KEY_SIZE] = {};

        assert_int_equal(rate_table_new(8, 2, 60 * SEC, &t), 0);
        assert_true(rate_table_take(t, zero, T0, NULL));
        assert_true(rate_table_take(t, zero, T0, NULL));
        assert_false(rate_table_take(t, zero, T0, NULL));
}

static void bad_parameters_are_refused(void **state) {
        RateTable *t = NULL;

        assert_int_equal(rate_table_new(0, 1, SEC, &t), -EINVAL);
        assert_int_equal(rate_table_new(8, 0, SEC, &t), -EINVAL);
        assert_int_equal(rate_table_new(8, 1, 0, &t), -EINVAL);
        assert_int_equal(rate_table_new(8, 10001, SEC, &t), -EINVAL);
        assert_int_equal(rate_table_new(8, 10000, SEC, &t), 0);
        rate_table_free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(five_a_minute_allows_five_at_once_and_not_a_sixth),
                cmocka_unit_test(one_take_comes_back_at_the_boundary_second),
                cmocka_unit_test(a_refusal_takes_nothing),
                cmocka_unit_test(allows_asks_and_spend_takes),
                cmocka_unit_test(keys_do_not_share_a_bucket),
                cmocka_unit_test(a_rate_that_is_no_whole_number_is_not_rounded),
                cmocka_unit_test(a_full_table_evicts_the_bucket_closest_to_full),
                cmocka_unit_test(many_keys_in_a_small_table_are_all_let_through_once),
                cmocka_unit_test(clear_forgets_every_key),
                cmocka_unit_test(the_zero_key_is_a_key),
                cmocka_unit_test(bad_parameters_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/claims.h"
#include "daemon/subject-key.h"

static void hex(const uint8_t *b, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", b[i]);
}

static SubjectKey *key_with_secret(size_t size) {
        uint8_t secret[64];
        SubjectKey *k;

        for (size_t i = 0; i < sizeof(secret); i++)
                secret[i] = (uint8_t) (size == SUBJECT_KEY_SECRET_SIZE ? i + 1 : i);
        assert_int_equal(subject_key_new(&k), 0);
        assert_int_equal(subject_key_set_secret(k, secret, size), 0);
        return k;
}

/* Known answers, computed apart from the code (Python's hmac): the key is HMAC-SHA256 under the
 * secret of "qrgate-state-subject-v1" NUL iss NUL sub, its first 16 bytes; the id the same of
 * "qrgate-state-id-v1". A longer token answer is hashed to 32 bytes first. */
static void keys_match_the_documented_construction(void **state) {
        _cleanup_(subject_key_freep) SubjectKey *k = key_with_secret(SUBJECT_KEY_SECRET_SIZE);
        _cleanup_(subject_key_freep) SubjectKey *k40 = key_with_secret(40);
        uint8_t key[SUBJECT_KEY_SIZE];
        char text[2 * SUBJECT_KEY_SIZE + 1];

        assert_int_equal(subject_key_of(k, "https://issuer.example", "p-1", key), 0);
        hex(key, sizeof(key), text);
        assert_string_equal(text, "e65363025f65e08461dfb8972482f672");
        subject_key_id(k, key);
        hex(key, sizeof(key), text);
        assert_string_equal(text, "2c7035273f955a7370863cdf4dc302e3");
        subject_key_id(k40, key);
        hex(key, sizeof(key), text);
        assert_string_equal(text, "3a0c003689a4390d10c7d4bd6245e46c");
}

/* ("ab", "c") and ("a", "bc") are two people; so are two issuers' "p-1". */
static void issuer_and_subject_are_kept_apart(void **state) {
        _cleanup_(subject_key_freep) SubjectKey *k = key_with_secret(SUBJECT_KEY_SECRET_SIZE);
        uint8_t a[SUBJECT_KEY_SIZE], b[SUBJECT_KEY_SIZE], c[SUBJECT_KEY_SIZE];

        assert_int_equal(subject_key_of(k, "ab", "c", a), 0);
        assert_int_equal(subject_key_of(k, "a", "bc", b), 0);
        assert_memory_not_equal(a, b, sizeof(a));
        assert_int_equal(subject_key_of(k, "iss-1", "p-1", a), 0);
        assert_int_equal(subject_key_of(k, "iss-2", "p-1", b), 0);
        assert_int_equal(subject_key_of(k, "iss-1", "p-1", c), 0);
        assert_memory_not_equal(a, b, sizeof(a));
        assert_memory_equal(a, c, sizeof(a));
}

/* Until the token answers the secret is random: two starts give two keys for one subject, and
 * nothing keyed with them may reach the disk. */
static void a_random_secret_is_not_persistent(void **state) {
        _cleanup_(subject_key_freep) SubjectKey *k1 = NULL, *k2 = NULL;
        uint8_t a[SUBJECT_KEY_SIZE], b[SUBJECT_KEY_SIZE], id1[SUBJECT_KEY_SIZE], id2[SUBJECT_KEY_SIZE];

        assert_int_equal(subject_key_new(&k1), 0);
        assert_int_equal(subject_key_new(&k2), 0);
        assert_false(subject_key_is_persistent(k1));
        assert_int_equal(subject_key_of(k1, "iss", "p-1", a), 0);
        assert_int_equal(subject_key_of(k2, "iss", "p-1", b), 0);
        assert_memory_not_equal(a, b, sizeof(a));
        subject_key_id(k1, id1);
        subject_key_id(k2, id2);
        assert_memory_not_equal(id1, id2, sizeof(id1));
}

static void the_tokens_secret_is_persistent_and_changes_every_key(void **state) {
        _cleanup_(subject_key_freep) SubjectKey *k = NULL;
        uint8_t secret[SUBJECT_KEY_SECRET_SIZE] = { 7 }, before[SUBJECT_KEY_SIZE], after[SUBJECT_KEY_SIZE];

        assert_int_equal(subject_key_new(&k), 0);
        assert_int_equal(subject_key_of(k, "iss", "p-1", before), 0);
        assert_int_equal(subject_key_set_secret(k, secret, SUBJECT_KEY_SECRET_SIZE - 1), -EINVAL);
        assert_false(subject_key_is_persistent(k));
        assert_int_equal(subject_key_set_secret(k, secret, sizeof(secret)), 0);
        assert_true(subject_key_is_persistent(k));
        assert_int_equal(subject_key_of(k, "iss", "p-1", after), 0);
        assert_memory_not_equal(before, after, sizeof(before));
}

/* What no code can carry is refused, never cut: cutting would give two people one key. */
static void empty_and_overlong_ids_are_refused(void **state) {
        _cleanup_(subject_key_freep) SubjectKey *k = key_with_secret(SUBJECT_KEY_SECRET_SIZE);
        char longest[CLAIM_TEXT_MAX + 2];
        uint8_t key[SUBJECT_KEY_SIZE];

        memset(longest, 's', sizeof(longest) - 1);
        longest[CLAIM_TEXT_MAX] = '\0';
        assert_int_equal(subject_key_of(k, "iss", longest, key), 0);
        assert_int_equal(subject_key_of(k, longest, longest, key), 0);
        longest[CLAIM_TEXT_MAX] = 's';
        longest[CLAIM_TEXT_MAX + 1] = '\0';
        assert_int_equal(subject_key_of(k, "iss", longest, key), -EINVAL);
        assert_int_equal(subject_key_of(k, longest, "p-1", key), -EINVAL);
        assert_int_equal(subject_key_of(k, "", "p-1", key), -EINVAL);
        assert_int_equal(subject_key_of(k, "iss", "", key), -EINVAL);
        assert_int_equal(subject_key_of(k, NULL, "p-1", key), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(keys_match_the_documented_construction),
                cmocka_unit_test(issuer_and_subject_are_kept_apart),
                cmocka_unit_test(a_random_secret_is_not_persistent),
                cmocka_unit_test(the_tokens_secret_is_persistent_and_changes_every_key),
                cmocka_unit_test(empty_and_overlong_ids_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

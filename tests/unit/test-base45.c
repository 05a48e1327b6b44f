/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/base45.h"

/* RFC 9285 §4.3 and §4.4 examples. */
static const struct {
        const char *bytes, *text;
} rfc_examples[] = {
        { "AB", "BB8" },
        { "Hello!!", "%69 VD92EX0" },
        { "base-45", "UJCLQE7W581" },
        { "ietf!", "QED8WEX0" },
        { "", "" },
};

static void rfc9285_examples_encode(void **state) {
        for (size_t i = 0; i < sizeof(rfc_examples) / sizeof(rfc_examples[0]); i++) {
                char out[64];
                base45_encode((const uint8_t *) rfc_examples[i].bytes, strlen(rfc_examples[i].bytes), out);
                assert_string_equal(out, rfc_examples[i].text);
                assert_int_equal(strlen(out), base45_encoded_len(strlen(rfc_examples[i].bytes)));
        }
}

static void rfc9285_examples_decode(void **state) {
        for (size_t i = 0; i < sizeof(rfc_examples) / sizeof(rfc_examples[0]); i++) {
                uint8_t out[64];
                const char *t = rfc_examples[i].text;
                int n = base45_decode(t, strlen(t), out, NULL);
                assert_int_equal(n, (int) strlen(rfc_examples[i].bytes));
                assert_memory_equal(out, rfc_examples[i].bytes, (size_t) n);
        }
}

static void every_byte_pair_round_trips(void **state) {
        for (unsigned v = 0; v < 65536; v++) {
                uint8_t in[3] = { v >> 8, v & 0xff, (uint8_t) v }, out[4];
                char text[8];
                base45_encode(in, 3, text);
                assert_int_equal(base45_decode(text, strlen(text), out, NULL), 3);
                assert_memory_equal(in, out, 3);
        }
}

static void value_above_65535_is_refused(void **state) {
        /* "GGW" = 16 + 16*45 + 32*2025 = 65536: one more than two bytes hold (RFC 9285 §6). */
        uint8_t out[4];
        size_t bad = 99;
        assert_int_equal(base45_decode("GGW", 3, out, &bad), -EBADMSG);
        assert_int_equal(bad, 0);
        /* "::" as a final pair is 44 + 44*45 = 2024, more than one byte holds. */
        assert_int_equal(base45_decode("000::", 5, out, &bad), -EBADMSG);
        assert_int_equal(bad, 3);
}

static void lower_case_and_foreign_characters_are_located(void **state) {
        uint8_t out[16];
        size_t bad = 99;
        assert_int_equal(base45_decode("QED8wEX0", 8, out, &bad), -EINVAL);
        assert_int_equal(bad, 4);
        assert_int_equal(base45_decode("QED8\nEX0", 8, out, &bad), -EINVAL);
        assert_int_equal(bad, 4);
        assert_int_equal(base45_decode("QED8\0EX0", 8, out, &bad), -EINVAL);
        assert_int_equal(bad, 4);
}

static void dangling_single_character_is_refused(void **state) {
        uint8_t out[16];
        size_t bad = 99;
        assert_int_equal(base45_decode("QED8", 4, out, &bad), -EBADMSG);
        assert_int_equal(bad, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rfc9285_examples_encode),
                cmocka_unit_test(rfc9285_examples_decode),
                cmocka_unit_test(every_byte_pair_round_trips),
                cmocka_unit_test(value_above_65535_is_refused),
                cmocka_unit_test(lower_case_and_foreign_characters_are_located),
                cmocka_unit_test(dangling_single_character_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

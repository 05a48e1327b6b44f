/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hostile-edge CBOR check and the in-place reader (core/cbor-util.h, core/cbor-read.h):
 * what libcbor's tree builder used to refuse is still refused, and the reader reads what the
 * builder read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/cbor-util.h"

#define B(...) ((const uint8_t[]) { __VA_ARGS__ }), sizeof((const uint8_t[]) { __VA_ARGS__ })

static int parse(const uint8_t *buf, size_t len, unsigned depth, CborItem *ret, size_t *ret_tags) {
        const char *why = NULL;
        int r = cbor_parse_bounded(buf, len, depth, ret, ret_tags, &why);
        assert_true(r == 0 || why != NULL);
        return r;
}

static void text_that_is_not_utf8_is_refused(void **state) {
        CborItem it;

        assert_int_equal(parse(B(0x62, 0xc3, 0xa9), 8, &it, NULL), 0);             /* é */
        assert_int_equal(parse(B(0x63, 0xe2, 0x82, 0xac), 8, &it, NULL), 0);       /* € */
        assert_int_equal(parse(B(0x64, 0xf0, 0x9f, 0x98, 0x80), 8, &it, NULL), 0); /* U+1F600 */
        assert_int_equal(parse(B(0x62, 0xc0, 0xaf), 8, &it, NULL), -EBADMSG);       /* overlong '/' */
        assert_int_equal(parse(B(0x63, 0xe0, 0x80, 0xaf), 8, &it, NULL), -EBADMSG); /* overlong '/' */
        assert_int_equal(parse(B(0x63, 0xed, 0xa0, 0x80), 8, &it, NULL), -EBADMSG); /* surrogate D800 */
        assert_int_equal(parse(B(0x64, 0xf4, 0x90, 0x80, 0x80), 8, &it, NULL), -EBADMSG); /* above U+10FFFF */
        assert_int_equal(parse(B(0x61, 0xc3), 8, &it, NULL), -EBADMSG);             /* cut sequence */
        assert_int_equal(parse(B(0x61, 0xff), 8, &it, NULL), -EBADMSG);
        /* Byte strings are bytes: anything goes. */
        assert_int_equal(parse(B(0x42, 0xc0, 0xaf), 8, &it, NULL), 0);
}

static void depth_counts_the_top_level_item_as_level_one(void **state) {
        CborItem it;

        /* [[[[[[[1]]]]]]]: seven arrays and the integer, eight levels. */
        assert_int_equal(parse(B(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01), 8, &it, NULL), 0);
        assert_int_equal(parse(B(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01), 8, &it, NULL), -EBADMSG);
        /* An empty container is a leaf: [[]] is two levels. */
        assert_int_equal(parse(B(0x81, 0x80), 2, &it, NULL), 0);
        assert_int_equal(parse(B(0x81, 0x81, 0x80), 2, &it, NULL), -EBADMSG);
}

static void tags_inside_are_counted(void **state) {
        CborItem it;
        size_t tags = 99;

        assert_int_equal(parse(B(0xa1, 0x01, 0xc1, 0x1a, 0x6b, 0x49, 0xd2, 0x00), 8, &it, &tags), 0);
        assert_int_equal(tags, 1);
        assert_int_equal(parse(B(0xa1, 0x01, 0x02), 8, &it, &tags), 0);
        assert_int_equal(tags, 0);
        /* One-byte tags 6-20 are refused wherever they are (core/cbor-util.h). */
        assert_int_equal(parse(B(0x81, 0xd2, 0x00), 8, &it, &tags), -EBADMSG);
}

static void floats_of_every_width_are_read_exactly(void **state) {
        CborItem it;
        double d;

        assert_int_equal(parse(B(0xf9, 0x3c, 0x00), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == 1.0);
        assert_int_equal(parse(B(0xf9, 0x7b, 0xff), 8, &it, NULL), 0); /* largest half */
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == 65504.0);
        assert_int_equal(parse(B(0xf9, 0x00, 0x01), 8, &it, NULL), 0); /* smallest subnormal half */
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == 5.960464477539063e-8);
        assert_int_equal(parse(B(0xf9, 0xc4, 0x00), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == -4.0);
        assert_int_equal(parse(B(0xfa, 0x47, 0xc3, 0x50, 0x00), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == 100000.0);
        assert_int_equal(parse(B(0xfb, 0x41, 0xda, 0xd2, 0x74, 0x80, 0x00, 0x00, 0x00), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_float(&it, &d), 0);
        assert_true(d == 1800000000.0);
        /* Simple values are not floats. */
        assert_int_equal(parse(B(0xf6), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_float(&it, &d), -EDOM);
        assert_true(cbor_item_is_null(&it));
}

static void integers_read_as_int64_in_any_width(void **state) {
        CborItem it;
        int64_t v;

        assert_int_equal(parse(B(0x1b, 0, 0, 0, 0, 0, 0, 0, 7), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_int64(&it, &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(parse(B(0x3a, 0x00, 0x01, 0x00, 0x00), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_int64(&it, &v), 0);
        assert_int_equal(v, -65537);
        assert_int_equal(parse(B(0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_int64(&it, &v), -EDOM);
        assert_int_equal(parse(B(0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_int64(&it, &v), -EDOM);
}

static int lookup(const uint8_t *buf, size_t len, int64_t label, CborItem *ret) {
        CborItem map;
        assert_int_equal(parse(buf, len, 8, &map, NULL), 0);
        return cbor_map_lookup(&map, &label, 1, ret, NULL);
}

static void the_same_key_twice_is_found_whatever_its_encoding(void **state) {
        CborItem v;
        int64_t x;

        assert_int_equal(lookup(B(0xa2, 0x01, 0x0a, 0x02, 0x0b), 2, &v), 0);
        assert_int_equal(cbor_item_int64(&v, &x), 0);
        assert_int_equal(x, 11);
        assert_int_equal(lookup(B(0xa2, 0x01, 0x0a, 0x18, 0x01, 0x0b), 1, &v), -ENOTUNIQ); /* 1 and 1 in two bytes */
        assert_int_equal(lookup(B(0xa2, 0x20, 0x0a, 0x38, 0x00, 0x0b), 1, &v), -ENOTUNIQ); /* -1 twice */
        assert_int_equal(lookup(B(0xa2, 0x61, 'a', 0x0a, 0x61, 'a', 0x0b), 1, &v), -ENOTUNIQ);
        assert_int_equal(lookup(B(0xa2, 0x41, 'a', 0x0a, 0x41, 'a', 0x0b), 1, &v), -ENOTUNIQ);
        assert_int_equal(lookup(B(0xa2, 0x81, 0x01, 0x0a, 0x81, 0x01, 0x0b), 1, &v), -ENOTUNIQ);
        /* Different types are different keys, even with the same bytes or value. */
        assert_int_equal(lookup(B(0xa2, 0x61, 'a', 0x0a, 0x41, 'a', 0x0b), 1, &v), 0);
        assert_int_equal(lookup(B(0xa2, 0x01, 0x0a, 0x20, 0x0b), 1, &v), 0);
        assert_int_equal(cbor_item_int64(&v, &x), 0);
        assert_int_equal(x, 10);
        /* An absent label is no item, and no accessor reads one. */
        assert_int_equal(lookup(B(0xa1, 0x01, 0x0a), 5, &v), 0);
        assert_false(cbor_item_present(&v));
        assert_int_equal(cbor_item_int64(&v, &x), -EDOM);
}

/* A map of n integer keys 0..n-1, with key dup at the end repeated when dup >= 0. */
static uint8_t *big_map(size_t n, int dup, size_t *ret_len) {
        uint8_t *b = malloc(8 + 6 * (n + 1));
        size_t o = cbor_put_head(b, 5, n + (dup >= 0));
        for (size_t i = 0; i < n; i++) {
                o += cbor_put_head(b + o, 0, i);
                b[o++] = 0xf6;
        }
        if (dup >= 0) {
                o += cbor_put_head(b + o, 0, (uint64_t) dup);
                b[o++] = 0xf6;
        }
        *ret_len = o;
        return b;
}

static void large_maps_are_checked_for_duplicates_too(void **state) {
        CborItem map, v;
        size_t len, size = 0;
        int64_t label = 999;

        uint8_t *b = big_map(1000, -1, &len);
        assert_int_equal(parse(b, len, 8, &map, NULL), 0);
        assert_int_equal(cbor_map_lookup(&map, &label, 1, &v, &size), 0);
        assert_int_equal(size, 1000);
        assert_true(cbor_item_is_null(&v));
        free(b);

        b = big_map(1000, 17, &len);
        assert_int_equal(parse(b, len, 8, &map, NULL), 0);
        assert_int_equal(cbor_map_lookup(&map, &label, 1, &v, NULL), -ENOTUNIQ);
        free(b);
}

static void nested_maps_are_checked_by_maps_unique(void **state) {
        CborItem it;

        /* {1: [{2: 0, 2: 1}]} */
        assert_int_equal(parse(B(0xa1, 0x01, 0x81, 0xa2, 0x02, 0x00, 0x02, 0x01), 8, &it, NULL), 0);
        assert_int_equal(cbor_maps_unique(&it), -ENOTUNIQ);
        /* {1: [{2: 0, 3: {2: 1}}], 2: h''} */
        assert_int_equal(parse(B(0xa2, 0x01, 0x81, 0xa2, 0x02, 0x00, 0x03, 0xa1, 0x02, 0x01, 0x02, 0x40), 8, &it, NULL), 0);
        assert_int_equal(cbor_maps_unique(&it), 0);
}

static void items_are_walked_in_place(void **state) {
        CborItem it, first, second;
        const char *s;
        size_t n;

        /* [{1: [2, 3]}, "ab"] */
        assert_int_equal(parse(B(0x82, 0xa1, 0x01, 0x82, 0x02, 0x03, 0x62, 'a', 'b'), 8, &it, NULL), 0);
        assert_int_equal(cbor_item_first(&it, &first), 0);
        assert_true(cbor_item_is_map(&first));
        assert_int_equal(cbor_item_next(&first, &second), 0);
        assert_true(cbor_item_text(&second, &s, &n));
        assert_int_equal(n, 2);
        assert_memory_equal(s, "ab", 2);
        assert_ptr_equal(cbor_item_skip(&second), second.end);
        assert_int_equal(cbor_item_next(&second, &first), -EBADMSG);
}

static void the_reader_stays_inside_bytes_never_checked(void **state) {
        /* An array that claims more elements than there are bytes, read without the check. */
        static const uint8_t b[] = { 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
        static const uint8_t s[] = { 0x5a, 0xff, 0xff, 0xff, 0xff, 0x00 };
        CborItem it;

        assert_int_equal(cbor_item_read(b, b + sizeof(b), &it), 0);
        assert_null(cbor_item_skip(&it));
        assert_int_equal(cbor_maps_unique(&it), -EBADMSG);
        /* A string longer than what is left is refused when its head is read. */
        assert_int_equal(cbor_item_read(s, s + sizeof(s), &it), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(text_that_is_not_utf8_is_refused),
                cmocka_unit_test(depth_counts_the_top_level_item_as_level_one),
                cmocka_unit_test(tags_inside_are_counted),
                cmocka_unit_test(floats_of_every_width_are_read_exactly),
                cmocka_unit_test(integers_read_as_int64_in_any_width),
                cmocka_unit_test(the_same_key_twice_is_found_whatever_its_encoding),
                cmocka_unit_test(large_maps_are_checked_for_duplicates_too),
                cmocka_unit_test(nested_maps_are_checked_by_maps_unique),
                cmocka_unit_test(items_are_walked_in_place),
                cmocka_unit_test(the_reader_stays_inside_bytes_never_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded zlib inflate: every limit at its exact edge, and every kind of broken stream. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/inflate-bounded.h"

/* zlib (or gzip with 31, or raw deflate with -15) of n bytes of pattern; caller frees. */
static uint8_t *deflate_n(const uint8_t *data, size_t n, int window_bits, size_t *ret_len) {
        z_stream zs = {};
        size_t cap = compressBound((uLong) n) + 32;
        uint8_t *out = malloc(cap);

        assert_non_null(out);
        assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = (Bytef *) data;
        zs.avail_in = (uInt) n;
        zs.next_out = out;
        zs.avail_out = (uInt) cap;
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        *ret_len = zs.total_out;
        deflateEnd(&zs);
        return out;
}

static uint8_t *random_bytes(size_t n) {
        uint8_t *b = malloc(n);
        uint32_t x = 2463534242u;
        for (size_t i = 0; i < n; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* incompressible enough */
                b[i] = (uint8_t) x;
        }
        return b;
}

static void round_trip_gives_the_input_back(void **state) {
        uint8_t *in = random_bytes(1000), *z, *out;
        size_t zlen, out_len;

        z = deflate_n(in, 1000, 15, &zlen);
        assert_int_equal(inflate_bounded(z, zlen, 16384, 16, &out, &out_len, NULL), 0);
        assert_int_equal(out_len, 1000);
        assert_memory_equal(out, in, 1000);
        free(out), free(z), free(in);
}

static void output_limit_is_exact(void **state) {
        uint8_t *in = random_bytes(4096), *z, *out;
        size_t zlen, out_len;
        const char *why = NULL;

        z = deflate_n(in, 4096, 15, &zlen);
        assert_int_equal(inflate_bounded(z, zlen, 4096, 0, &out, &out_len, NULL), 0);
        free(out);
        assert_int_equal(inflate_bounded(z, zlen, 4095, 0, &out, &out_len, &why), -EFBIG);
        assert_non_null(why);
        free(z), free(in);
}

static void ratio_limit_is_exact(void **state) {
        uint8_t *zeros = calloc(1, 100000), *z, *out;
        size_t zlen, out_len;

        /* Zeros compress about 1000:1; allow just that ratio, then one less. */
        z = deflate_n(zeros, 100000, 15, &zlen);
        unsigned ratio = (unsigned) ((100000 + zlen - 1) / zlen);
        assert_int_equal(inflate_bounded(z, zlen, 1 << 20, ratio, &out, &out_len, NULL), 0);
        assert_int_equal(out_len, 100000);
        free(out);
        assert_int_equal(inflate_bounded(z, zlen, 1 << 20, ratio - 1, &out, &out_len, NULL), -EFBIG);
        assert_int_equal(inflate_bounded(z, zlen, 1 << 20, 16, &out, &out_len, NULL), -EFBIG);
        free(z), free(zeros);
}

static void gzip_raw_deflate_and_plain_bytes_are_not_zlib(void **state) {
        uint8_t *in = random_bytes(300), *z, *out;
        size_t zlen, out_len;
        const char *why = NULL;

        z = deflate_n(in, 300, 31, &zlen); /* gzip */
        assert_int_equal(inflate_bounded(z, zlen, 16384, 16, &out, &out_len, &why), -EBADMSG);
        free(z);
        z = deflate_n(in, 300, -15, &zlen); /* raw deflate */
        assert_int_equal(inflate_bounded(z, zlen, 16384, 16, &out, &out_len, &why), -EBADMSG);
        free(z);
        assert_int_equal(inflate_bounded(in, 300, 16384, 16, &out, &out_len, &why), -EBADMSG);
        assert_int_equal(inflate_bounded(in, 0, 16384, 16, &out, &out_len, &why), -EBADMSG);
        free(in);
}

static void truncated_corrupt_and_trailing_streams_are_refused(void **state) {
        uint8_t *in = random_bytes(500), *z, *out, *longer;
        size_t zlen, out_len;
        const char *why = NULL;

        z = deflate_n(in, 500, 15, &zlen);
        assert_int_equal(inflate_bounded(z, zlen - 1, 16384, 16, &out, &out_len, &why), -EBADMSG); /* no full Adler-32 */
        assert_int_equal(inflate_bounded(z, zlen / 2, 16384, 16, &out, &out_len, &why), -EBADMSG);
        z[zlen - 1] ^= 1; /* checksum */
        assert_int_equal(inflate_bounded(z, zlen, 16384, 16, &out, &out_len, &why), -EBADMSG);
        z[zlen - 1] ^= 1;
        longer = malloc(zlen + 1);
        memcpy(longer, z, zlen);
        longer[zlen] = 0;
        assert_int_equal(inflate_bounded(longer, zlen + 1, 16384, 16, &out, &out_len, &why), -EBADMSG);
        assert_string_equal(why, "bytes after the end of the zlib stream");
        free(longer), free(z), free(in);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(round_trip_gives_the_input_back),
                cmocka_unit_test(output_limit_is_exact),
                cmocka_unit_test(ratio_limit_is_exact),
                cmocka_unit_test(gzip_raw_deflate_and_plain_bytes_are_not_zlib),
                cmocka_unit_test(truncated_corrupt_and_trailing_streams_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

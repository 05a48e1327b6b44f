/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Inverse table built at compile time so decoding is a lookup per character; 0xff = not in
 * the alphabet. */
static const uint8_t value_of[256] = {
#define V(c, v) [(unsigned char) (c)] = (v) + 1
        V('0', 0), V('1', 1), V('2', 2), V('3', 3), V('4', 4), V('5', 5), V('6', 6), V('7', 7),
        V('8', 8), V('9', 9), V('A', 10), V('B', 11), V('C', 12), V('D', 13), V('E', 14),
        V('F', 15), V('G', 16), V('H', 17), V('I', 18), V('J', 19), V('K', 20), V('L', 21),
        V('M', 22), V('N', 23), V('O', 24), V('P', 25), V('Q', 26), V('R', 27), V('S', 28),
        V('T', 29), V('U', 30), V('V', 31), V('W', 32), V('X', 33), V('Y', 34), V('Z', 35),
        V(' ', 36), V('$', 37), V('%', 38), V('*', 39), V('+', 40), V('-', 41), V('.', 42),
        V('/', 43), V(':', 44),
#undef V
};

static int digit(const char *in, size_t i, size_t *ret_bad_offset) {
        uint8_t v = value_of[(unsigned char) in[i]];
        if (v == 0) {
                *ret_bad_offset = i;
                return -EINVAL;
        }
        return v - 1;
}

int base45_decode(const char *in, size_t len, uint8_t *out, size_t *ret_bad_offset) {
        size_t o = 0, dummy;

        if (!ret_bad_offset)
                ret_bad_offset = &dummy;

        /* Check the whole alphabet first so the reported error is the first bad character, not
         * a length problem that a stray character caused. */
        for (size_t i = 0; i < len; i++)
                if (value_of[(unsigned char) in[i]] == 0) {
                        *ret_bad_offset = i;
                        return -EINVAL;
                }

        if (len % 3 == 1) {
                *ret_bad_offset = len - 1;
                return -EBADMSG;
        }

        for (size_t i = 0; i < len; i += 3) {
                /* RFC 9285 §4: c + d*45 + e*45², first character least significant. */
                unsigned c = digit(in, i, ret_bad_offset), d = digit(in, i + 1, ret_bad_offset);
                unsigned n = c + d * 45;

                if (i + 2 < len) {
                        n += (unsigned) digit(in, i + 2, ret_bad_offset) * 45 * 45;
                        if (n > 0xffff) {
                                *ret_bad_offset = i;
                                return -EBADMSG;
                        }
                        out[o++] = n >> 8;
                        out[o++] = n & 0xff;
                } else {
                        if (n > 0xff) {
                                *ret_bad_offset = i;
                                return -EBADMSG;
                        }
                        out[o++] = n;
                }
        }
        return (int) o;
}

void base45_encode(const uint8_t *in, size_t n, char *out) {
        size_t o = 0;

        for (size_t i = 0; i + 1 < n; i += 2) {
                unsigned v = (unsigned) in[i] << 8 | in[i + 1];
                out[o++] = alphabet[v % 45];
                out[o++] = alphabet[v / 45 % 45];
                out[o++] = alphabet[v / (45 * 45)];
        }
        if (n % 2) {
                unsigned v = in[n - 1];
                out[o++] = alphabet[v % 45];
                out[o++] = alphabet[v / 45];
        }
        out[o] = '\0';
}

int base45_wrap(const char *prefix, const uint8_t *in, size_t n, char **ret_text) {
        size_t plen = strlen(prefix);
        char *t = malloc(plen + base45_encoded_len(n) + 1);

        if (!t)
                return -ENOMEM;
        memcpy(t, prefix, plen);
        base45_encode(in, n, t + plen);
        *ret_text = t;
        return 0;
}

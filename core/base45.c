/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"
#include "core/macro.h"

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

/* The offset of the first of n characters at in that is not in the alphabet, or n. */
static size_t first_bad(const unsigned char *in, size_t n) {
        size_t i = 0;

        while (i < n && value_of[in[i]] != 0)
                i++;
        return i;
}

int base45_decode(const char *in, size_t len, uint8_t *out, size_t *ret_bad_offset) {
        const unsigned char *u = (const unsigned char *) in;
        size_t o = 0, i, dummy, bad, overflow = SIZE_MAX, full = len - len % 3;

        if (!ret_bad_offset)
                ret_bad_offset = &dummy;

        /* One pass. A character outside the alphabet is reported first wherever it is, then a
         * dangling last character, then the first group whose value is too large: the first
         * bad character is what an operator needs to see, not a length problem it caused. */
        for (i = 0; i < full; i += 3) {
                unsigned a = value_of[u[i]], b = value_of[u[i + 1]], c = value_of[u[i + 2]];

                if (a == 0 || b == 0 || c == 0) {
                        *ret_bad_offset = i + first_bad(u + i, 3);
                        return -EINVAL;
                }
                /* RFC 9285 §4: c + d*45 + e*45², first character least significant (the table
                 * holds each value plus one). */
                unsigned n = a + b * 45 + c * 45 * 45 - (1 + 45 + 45 * 45);
                if (n > 0xffff && overflow == SIZE_MAX)
                        overflow = i;
                out[o++] = (uint8_t) (n >> 8);
                out[o++] = (uint8_t) n;
        }
        bad = first_bad(u + full, len - full);
        if (bad < len - full) {
                *ret_bad_offset = full + bad;
                return -EINVAL;
        }
        if (len - full == 1) {
                *ret_bad_offset = len - 1;
                return -EBADMSG;
        }
        if (len - full == 2) {
                unsigned n = value_of[u[full]] + value_of[u[full + 1]] * 45 - (1 + 45);
                if (n > 0xff && overflow == SIZE_MAX)
                        overflow = full;
                out[o++] = (uint8_t) n;
        }
        if (overflow != SIZE_MAX) {
                *ret_bad_offset = overflow;
                return -EBADMSG;
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

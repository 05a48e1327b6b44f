/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Base45 (RFC 9285): 2 bytes ↔ 3 characters of the QR alphanumeric set, so a binary code fits
 * QR's dense alphanumeric mode. */

/* Bytes needed to decode n characters (an upper bound for any valid input). */
static inline size_t base45_decoded_max(size_t n) {
        return n / 3 * 2 + 1;
}

/* Characters written by base45_encode() for n bytes, without the terminating NUL. */
static inline size_t base45_encoded_len(size_t n) {
        return n / 2 * 3 + (n % 2) * 2;
}

/* Decodes len characters of in into out (room for base45_decoded_max(len) bytes). Returns the
 * number of bytes written, or -EINVAL with *ret_bad_offset set to the offset of the first
 * character that is not in the alphabet (a lower-case letter among them: base45 has none), or
 * -EBADMSG when the length leaves a single dangling character or a group encodes a value
 * larger than its bytes hold (*ret_bad_offset then points at that group). */
int base45_decode(const char *in, size_t len, uint8_t *out, size_t *ret_bad_offset);

/* Encodes n bytes into out (room for base45_encoded_len(n) + 1) and NUL-terminates it. */
void base45_encode(const uint8_t *in, size_t n, char *out);

/* Returns prefix followed by the base45 encoding of n bytes, as a malloc()ed string that the
 * caller frees: the text form of QG1 and HC1 codes. -ENOMEM. */
int base45_wrap(const char *prefix, const uint8_t *in, size_t n, char **ret_text);

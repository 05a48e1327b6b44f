/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* zlib inflate (RFC 1950 around RFC 1951) for data from a scanned code. A few hundred bytes of
 * deflate can expand a thousandfold, so the output is bounded twice: by an absolute size and by
 * a ratio to the input, and the buffer is never larger than the smaller of the two. */

#include <stddef.h>
#include <stdint.h>

/* Inflates the zlib stream in (in_len bytes), which must end exactly at its Adler-32 trailer.
 * At most max_out bytes, and at most max_ratio times in_len, may come out. On success *ret owns
 * a malloc()ed buffer of *ret_len bytes. Errors, each with *ret_why:
 *  -EBADMSG  not a zlib stream, corrupt deflate data, a wrong checksum, truncated, or bytes
 *            after the end of the stream;
 *  -EFBIG    the output would exceed max_out or the ratio (a decompression bomb, or just too big);
 *  -ENOMEM. */
int inflate_bounded(const uint8_t *in, size_t in_len, size_t max_out, unsigned max_ratio,
                    uint8_t **ret, size_t *ret_len, const char **ret_why);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <zlib.h>

#include "core/inflate-bounded.h"
#include "core/macro.h"

int inflate_bounded(const uint8_t *in, size_t in_len, size_t max_out, unsigned max_ratio,
                    uint8_t **ret, size_t *ret_len, const char **ret_why) {
        _cleanup_(freep) uint8_t *out = NULL;
        z_stream zs = {};
        const char *dummy;
        size_t limit;
        int z, r;

        if (!ret_why)
                ret_why = &dummy;
        if (in_len == 0)
                return *ret_why = "no data to inflate", -EBADMSG;
        if (in_len > UINT32_MAX)
                return *ret_why = "compressed data too large", -EFBIG;

        limit = max_out;
        if (max_ratio > 0 && in_len <= SIZE_MAX / max_ratio)
                limit = MIN(limit, in_len * max_ratio);

        /* One byte more than allowed: if inflate fills it, the output is too large, and we know
         * without ever holding more than limit + 1 bytes. */
        out = malloc(limit + 1);
        if (!out)
                return -ENOMEM;

        /* windowBits 15 without +16/+32: only a zlib header is accepted, not gzip or raw
         * deflate (hcert spec §4.2.1: "ZLIB (RFC 1950) and Deflate (RFC 1951)"). */
        z = inflateInit2(&zs, 15);
        if (z != Z_OK)
                return z == Z_MEM_ERROR ? -ENOMEM : -EIO;

        zs.next_in = (Bytef *) in;
        zs.avail_in = (uInt) in_len;
        zs.next_out = out;
        zs.avail_out = (uInt) (limit + 1);
        z = inflate(&zs, Z_FINISH);

        /* The one place where zlib's codes become ours. */
        switch (z) {
        case Z_STREAM_END:
                if (zs.total_out > limit) {
                        r = -EFBIG;
                        *ret_why = "inflated data exceeds the size limit";
                } else if (zs.avail_in != 0) {
                        r = -EBADMSG;
                        *ret_why = "bytes after the end of the zlib stream";
                } else
                        r = 0;
                break;
        case Z_BUF_ERROR:
                /* Either the output space ran out (too large) or the input did (truncated). */
                if (zs.avail_out == 0) {
                        r = -EFBIG;
                        *ret_why = "inflated data exceeds the size limit";
                } else {
                        r = -EBADMSG;
                        *ret_why = "zlib stream is truncated";
                }
                break;
        case Z_NEED_DICT:
                r = -EBADMSG;
                *ret_why = "zlib stream needs a preset dictionary";
                break;
        case Z_MEM_ERROR:
                r = -ENOMEM;
                *ret_why = "out of memory";
                break;
        case Z_DATA_ERROR:
        default:
                r = -EBADMSG;
                /* zlib's message names the exact fault ("incorrect header check", ...); it is a
                 * static string, so it outlives inflateEnd(). */
                *ret_why = zs.msg ? zs.msg : "corrupt zlib stream";
                break;
        }
        size_t n = zs.total_out;
        (void) inflateEnd(&zs);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(out);
        *ret_len = n;
        return 0;
}

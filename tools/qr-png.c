/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PNG writer of our own: PNG is a few chunks around a zlib stream, and zlib is already a
 * dependency, so this avoids pulling libpng into the issuer tool for one greyscale image. */

#include <errno.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/macro.h"
#include "tools/qr-png.h"

static void put32(uint8_t *p, uint32_t v) {
        p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static int chunk(FILE *f, const char *type, const uint8_t *data, size_t len) {
        uint8_t head[8];
        uint8_t crc_be[4];

        put32(head, (uint32_t) len);
        memcpy(head + 4, type, 4);
        uLong crc = crc32(0, (const Bytef *) type, 4);
        if (len > 0) /* zlib's crc32() treats a NULL buffer as "return the initial value" */
                crc = crc32(crc, data, (uInt) len);
        put32(crc_be, (uint32_t) crc);
        if (fwrite(head, 1, 8, f) != 8 || (len > 0 && fwrite(data, 1, len, f) != len) || fwrite(crc_be, 1, 4, f) != 4)
                return -EIO;
        return 0;
}

int qr_png_write(const char *path, const char *text, unsigned scale) {
        _cleanup_(freep) uint8_t *raw = NULL, *z = NULL;
        const unsigned quiet = 4;
        QRcode *qr;
        int r;

        if (scale == 0 || scale > 32)
                return -EINVAL;
        errno = 0;
        /* Mode hint 8-bit lets the library switch to the denser alphanumeric mode wherever the text
         * allows, which for base45 is everywhere (RFC 9285 §1). */
        qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (!qr)
                return errno == ERANGE ? -EFBIG : errno_or(-EINVAL);

        unsigned side = ((unsigned) qr->width + 2 * quiet) * scale;
        size_t row = 1 + side; /* filter byte + one grey byte per pixel */
        raw = malloc(row * side);
        if (!raw) {
                QRcode_free(qr);
                return -ENOMEM;
        }
        for (unsigned y = 0; y < side; y++) {
                uint8_t *p = raw + y * row;
                p[0] = 0; /* filter: none */
                for (unsigned x = 0; x < side; x++) {
                        int mx = (int) (x / scale) - (int) quiet, my = (int) (y / scale) - (int) quiet;
                        bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                                    (qr->data[my * qr->width + mx] & 1);
                        p[1 + x] = dark ? 0 : 255;
                }
        }
        QRcode_free(qr);

        uLongf zlen = compressBound(row * side);
        z = malloc(zlen);
        if (!z || compress2(z, &zlen, raw, row * side, 9) != Z_OK)
                return -ENOMEM;

        FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        uint8_t ihdr[13];
        put32(ihdr, side);
        put32(ihdr + 4, side);
        ihdr[8] = 8;  /* bit depth */
        ihdr[9] = 0;  /* greyscale */
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        r = fwrite("\x89PNG\r\n\x1a\n", 1, 8, f) == 8 ? 0 : -EIO;
        if (r >= 0)
                r = chunk(f, "IHDR", ihdr, sizeof(ihdr));
        if (r >= 0)
                r = chunk(f, "IDAT", z, zlen);
        if (r >= 0)
                r = chunk(f, "IEND", NULL, 0);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writes text as a QR code (libqrencode, alphanumeric-friendly 8-bit mode chosen by the
 * library, error correction M) to a greyscale PNG at path, each module scale pixels, with the
 * 4-module quiet zone ISO/IEC 18004 asks for. Returns -errno, -EFBIG when the text does not fit
 * a QR code. */
int qr_png_write(const char *path, const char *text, unsigned scale);

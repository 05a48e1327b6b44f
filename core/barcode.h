/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Printed barcodes: library patron and item cards (Codabar, core/codabar.c), item barcodes
 * (EAN-13 with ISBN-13, core/ean13.c) and books as Bookland scanners send them (ISBN-10 or -13,
 * core/isbn.c), each an entry of the verifier's table. A barcode carries no signature and no
 * expiry: the verifier checks only its layout and its check digit, which catch a misread or a
 * typo, never a forgery — anyone can print a valid one. So no door honours a barcode unless its
 * configuration says so (daemon/policy.c), and the barcode itself is only an identifier to be
 * mapped to a person or an item (docs/code-format.md, "Printed barcodes").
 *
 * A scanner tells the symbology by the AIM symbology identifier (ISO/IEC 15424) it sends
 * before the data once configured to: "]F0" Codabar, "]E0" EAN-13 (and UPC-A as 13 digits),
 * "]X0" Bookland EAN (a book's ISBN). These are the table's prefixes, so a barcode can never be
 * taken for a QG1 or HC1 code or the other way round, and digits without an identifier are
 * refused as unsupported-format. */

#include <stdbool.h>
#include <stddef.h>

#define BARCODE_DIGITS_MAX 14 /* the longest layout read: library Codabar */

typedef struct BarcodeInfo {
        /* Characters read once the encoding step passed: the digits, and an ISBN-10's X; not
         * Codabar's start/stop characters. */
        size_t n_digits;
        /* The normalized barcode, digits only and NUL-terminated: the identifier a door or a
         * lending station maps, the same whether or not the scanner sent Codabar's start/stop
         * characters. Set when the layout is right (n_digits is the format's length), so also
         * for a wrong check digit, for `qrgatectl decode`; an identifier only when the result
         * is valid. */
        char id[BARCODE_DIGITS_MAX + 1];
        char start, stop; /* Codabar's start/stop characters ('A'–'D') as sent, '\0' when not sent */
        int expected;     /* the check digit computed from the data digits; -1 until known */
        int found;        /* the check digit read; -1 until known */
        bool isbn;        /* a book: an EAN-13 of the ISBN ranges 978 and 979 (ISO 2108), or an ISBN read as such */
        char isbn10[11];  /* the ISBN-10 as read (an ISBN entry's 10-character form), "" otherwise */
} BarcodeInfo;

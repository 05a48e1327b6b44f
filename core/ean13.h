/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Item barcodes: EAN-13 (ISO/IEC 15420; a UPC-A is sent as the same 13 digits with a leading
 * 0), sent by the scanner as
 *
 *   "]E0" 13 digits
 *
 * "]E0" is its AIM symbology identifier (ISO/IEC 15424). The 13th digit is the GS1 check digit
 * (core/check-digit.h) and must be sent: it is what tells a misread or mistyped number from a
 * real one, and the 13 digits are what catalogues store. A book's barcode is an EAN-13 of the
 * ranges 978 and 979: its ISBN-13 (ISO 2108), flagged in the result. */

#include <stdbool.h>

#include "core/code-format.h"

#define EAN13_PREFIX "]E0"
#define EAN13_DIGITS 13

/* The verifier's table entry. It uses nothing of the Verifier; its consume records nothing. */
extern const CodeFormatOps code_format_ean13;

/* The ISBN-10 of an ISBN-13 of the range 978 (979 has none): the 9 digits after 978 and their
 * mod-11 check digit, "0306406152" for 9780306406157, into buf (11 bytes). Returns false when
 * isbn13 (13 digits) is not in the range 978. */
bool ean13_isbn10(const char *isbn13, char buf[static 11]);

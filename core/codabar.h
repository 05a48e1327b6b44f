/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Library patron and item cards: Codabar in the layout library systems share (docs/code-format.md,
 * "Printed barcodes"), sent by the scanner as
 *
 *   "]F0" [start A–D] 14 digits [stop A–D]
 *
 * "]F0" is Codabar's AIM symbology identifier (ISO/IEC 15424); the start and stop characters
 * are sent or not as the scanner is set, both or neither. The 14 digits are the type (2 patron,
 * 3 item), the library's 4-digit institution number, an 8-digit number and the Luhn check digit
 * (core/check-digit.h). Codabar's own optional check character (modulo 16) is not used by
 * libraries and not read. */

#include "core/code-format.h"

#define CODABAR_PREFIX "]F0"
#define CODABAR_DIGITS 14

/* The verifier's table entry. It uses nothing of the Verifier; its consume records nothing. */
extern const CodeFormatOps code_format_codabar;

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Books as a scanner with "Bookland EAN" enabled sends them:
 *
 *   "]X0" ISBN-10 (9 digits and a check character 0–9 or X)    or    "]X0" ISBN-13 (13 digits)
 *
 * "]X0" is the AIM identifier (ISO/IEC 15424) Zebra/Symbol, Honeywell and Datalogic scanners
 * give Bookland EAN, the EAN-13 of the ISBN ranges 978 and 979, which they can convert to the
 * ISBN-10 for 978 (setting "Bookland ISBN format"). The same book arrives as "]E0" + its
 * EAN-13 from a scanner without that setting; either way the result's identifier is the
 * ISBN-13, so a book maps the same whichever way it was read. The ISBN-10's check character
 * is modulo 11 (core/check-digit.h); the ISBN-13's is the EAN-13's. */

#include "core/code-format.h"

#define ISBN_PREFIX "]X0"

/* The verifier's table entry. It uses nothing of the Verifier; its consume records nothing. */
extern const CodeFormatOps code_format_isbn;

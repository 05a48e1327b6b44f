/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The printed-barcode part of `qrgatectl decode`: which symbology, the digits and their layout,
 * the check digit expected and found, and each check a barcode has — and, as plainly, the
 * checks it does not have (issuer, signature, expiry, replay), so that nobody reads "valid" as
 * "authentic". */

#include <stdio.h>

#include "core/verifier.h"

/* Prints the checks of a barcode result r (code_format_is_barcode(r->format)) to f, indented
 * like the rest of `qrgatectl decode`, but not the verdict line. Prints nothing for other
 * formats. */
void barcode_explain(FILE *f, const VerifyResult *r);

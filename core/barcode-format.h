/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the printed-barcode entries of the verifier's table (core/codabar.c, core/ean13.c,
 * core/isbn.c) share, and the names a door's configuration gives them. Otherwise callers read
 * VerifyResult.barcode (core/barcode.h). */

#include <stdbool.h>

#include "core/code-format.h"

/* The longest text a barcode entry takes, its AIM identifier included. Real ones are 16–19
 * characters; the margin lets a barcode of another layout (a 16-digit card, an EAN-13 with a
 * 5-digit add-on) be told apart as malformed rather than too-long, and bounds every loop. */
#define BARCODE_MAX_TEXT 64

/* The issuers of a valid barcode's subject (VerifyResult.claims.iss; its sub is the barcode's
 * digits, or what the door's allow-list maps them to). Never a configured QG1 issuer's id: the
 * configuration refuses issuer ids with this prefix, so a code cannot share a barcode's subject. */
#define BARCODE_ISS_PREFIX "barcode:"
#define BARCODE_ISS_CODABAR BARCODE_ISS_PREFIX "codabar"
#define BARCODE_ISS_EAN13 BARCODE_ISS_PREFIX "ean13" /* EAN-13 and ISBN: one identifier space */

/* The barcode formats by the names of a door's 'barcodes' list ("codabar", "ean13", "isbn"): the
 * CodeFormat, or CODE_FORMAT_UNKNOWN for any other name (NULL included). */
CodeFormat barcode_format_from_config_name(const char *name);

/* The AIM symbology identifier (ISO/IEC 15424) a scanner sends before a barcode of format f —
 * the prefix of its entry in the verifier's table ("]F0", "]E0", "]X0") — or NULL for a format
 * that is not a printed barcode. */
const char *barcode_format_aim(CodeFormat f);

/* True for the formats that are printed barcodes, which no door honours unless it lists them. */
bool code_format_is_barcode(CodeFormat f);

/* The begin step of every barcode entry: nothing known yet. */
void barcode_begin(VerifyResult *res);

/* The encoding step's test of the data: every one of the len characters is a digit, else a
 * bad-encoding failure naming the first other character and its position (offset + index). */
Reason barcode_need_digits(const char *text, size_t len, size_t offset, VerifyResult *res);

/* Sets res->barcode.id, the normalized barcode, to the n digits (2 to BARCODE_DIGITS_MAX). */
void barcode_set_id(VerifyResult *res, const char *digits, size_t n);

/* Records the check digit found against the one expected (computed by the caller under the
 * scheme named in the detail; 10 stands for ISBN-10's 'X'). A mismatch is
 * REASON_BAD_CHECK_DIGIT at the structure step. */
Reason barcode_compare_check_digit(int expected, int found, const char *scheme, VerifyResult *res);

/* A barcode is shown again at every visit and has nothing to record. */
int barcode_consume(const Verifier *v, const VerifyResult *res, int64_t now);

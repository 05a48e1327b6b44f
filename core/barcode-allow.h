/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A door's allow-list of printed barcodes (`barcode_allow` in the configuration): the barcodes it
 * honours, each mapped to the subject that per-subject rules and the audit log know it by. A
 * valid barcode proves only that it was read as printed (docs/code-format.md §7), so a list of
 * the cards a library actually issued is what turns "anyone with a printer" into "our patrons".
 *
 * The file is text, one barcode a line (docs/code-format.md §7.6):
 *
 *     # comment
 *     30234000517861              the barcode alone: its subject is its digits
 *     30234000517879 patron-0042  a barcode and the subject it maps to
 *
 * A barcode is the normalized identifier the verifier gives (VerifyResult.barcode.id): 14 digits
 * of a library Codabar card or 13 of an EAN-13/ISBN-13, its check digit right — a line no
 * barcode could ever match is an error, not a silent miss. A subject is 1-64 printable ASCII
 * characters without spaces, like a QG1 sub. Lines end in LF or CRLF; blank lines and lines
 * whose first non-blank character is '#' are comments, and so is whatever follows a '#' after a
 * blank. A barcode listed twice is an error (which subject would it be?). Nothing here logs. */

#include <stdbool.h>
#include <stddef.h>

#include "core/macro.h"

/* The largest file read: a million lines of a barcode and a subject fit with room to spare. */
#define BARCODE_ALLOW_FILE_MAX (64 * 1024 * 1024)
/* The longest line: a barcode, a 64-character subject and a comment. */
#define BARCODE_ALLOW_LINE_MAX 256
/* How many problems a report lists before it only counts the rest. */
#define BARCODE_ALLOW_ERRORS_MAX 10

typedef struct BarcodeAllow BarcodeAllow;

/* Parses text (len bytes; it need not be NUL-terminated). On success returns 0 and *ret, which the
 * caller frees with barcode_allow_free(). When a line is wrong returns -EBADMSG and *ret_errors,
 * a malloc()ed text of one "name:line: message" line per problem (at most
 * BARCODE_ALLOW_ERRORS_MAX, then how many more), which the caller frees; -ENOMEM. */
int barcode_allow_parse(const char *text, size_t len, const char *name, BarcodeAllow **ret, char **ret_errors);

/* Reads path — a regular file of at most BARCODE_ALLOW_FILE_MAX bytes, opened so that a FIFO or
 * device cannot block (core/fileio.h) — and parses it. The errors of barcode_allow_parse(), and
 * those of read_regular_file() (read_file_strerror() names them) with *ret_errors NULL. */
int barcode_allow_load(const char *path, BarcodeAllow **ret, char **ret_errors);

BarcodeAllow *barcode_allow_free(BarcodeAllow *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(BarcodeAllow *, barcode_allow_free);

/* The subject id maps to — its own digits when the line names none — or NULL when id is not
 * listed. Valid as long as a is. O(log n). */
const char *barcode_allow_lookup(const BarcodeAllow *a, const char *id);

size_t barcode_allow_size(const BarcodeAllow *a);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The text an issuer writes a deny-list in (docs/denylist.md), one entry a line:
 *
 *     # a comment; blank lines are ignored, and so is anything after a '#'
 *     card ISS SERIAL          a card of issuer ISS by its serial
 *     subject ISS SUB          everything issued to SUB by ISS
 *     cti HEX                  one code, by its code id (8-32 bytes of hex)
 *     barcode FORMAT ID        a printed barcode: codabar, ean13 or isbn, and its digits
 *
 * Nothing here but the parsing: the entries go into a builder (core/denylist-build.h). */

#include <stdio.h>

#include "core/denylist-build.h"

/* Reads every line of f into b, and reports each line that is wrong to err as "name:line:
 * message" — all of them, one does not hide another. Returns the number of entries added
 * (lines, duplicates included), -EINVAL when any line was wrong, -ENOMEM, or -EIO when f
 * cannot be read. */
int denylist_text_parse(FILE *f, const char *name, DenyListBuilder *b, FILE *err);

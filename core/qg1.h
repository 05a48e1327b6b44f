/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* QG1 codes: qrgate's dynamic code, "QG1:" + base45 (RFC 9285) of a COSE_Sign1 (RFC 9052) over
 * a CWT (RFC 8392) with our claims. docs/code-format.md is the normative description; this is
 * the verifier's half of it (core/qg1-mint.h is the issuer's). A code lives for a minute or two
 * and opens a door once: the entry checks its lifetime and records it as used. */

#include "core/code-format.h"

#define QG1_PREFIX "QG1:"
#define QG1_MAX_TEXT 1024 /* docs/code-format.md §5 */

/* The verifier's table entry. Its check uses v->keys, v->max_lifetime, v->clock_skew and
 * v->replay; its consume records (iss, cti) in v->replay. */
extern const CodeFormatOps code_format_qg1;

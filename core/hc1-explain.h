/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The HC1 part of `qrgatectl decode`: what the pipeline learned about an HC1 code, for an
 * operator. It shows the certificate type and its dates, the signer certificate and what it may
 * sign, and every problem found — but no name or date of birth: an operator diagnosing a door
 * does not need them, and terminal scrollback and support tickets should not collect them. */

#include <stdio.h>

#include "core/verifier.h"

/* Prints the HC1 fields of r (r->format == CODE_FORMAT_HC1) to f, indented like the rest of
 * `qrgatectl decode`. Prints nothing for other formats. */
void hc1_explain(FILE *f, const VerifyResult *r);

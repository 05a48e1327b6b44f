/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "core/verifier.h"

/* `qrgatectl decode`: verifies a code offline and explains every field and check. Exit status
 * 0 valid, 1 invalid, 2 usage error. */
int ctl_decode(int argc, char *argv[]);
/* Its usage (what `qrgatectl decode --help` prints). */
extern const char ctl_decode_usage[];

/* Prints the explanation of a finished verification (also used by `qrgatectl submit -v`). */
void decode_explain(FILE *f, const VerifyResult *r, int64_t now, bool replay_checked);

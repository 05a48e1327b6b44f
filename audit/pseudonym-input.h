/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A subject's pseudonym is HMAC-SHA256, computed in the token with its HMAC key, over
 *
 *     "qrgate-subject-v1" NUL iss NUL sub
 *
 * (docs/audit.md, "Pseudonyms"). Two programs must build these bytes exactly alike: the daemon,
 * which asks the token once per decision (daemon/pseudonym.h), and `qrgatectl audit pseudonym`,
 * which asks the same token for an operator looking someone up in the log. So the input is
 * defined here, once. The issuer is part of it because it is part of who someone is: two
 * issuers' "p-1" are two people. The domain string separates this use of the HMAC key from any
 * later one (HSM-keyed codes). No I/O, no logging. */

#include <stddef.h>

#include "core/claims.h"

#define PSEUDONYM_DOMAIN "qrgate-subject-v1"
/* The longest iss or sub a code can carry (docs/code-format.md). */
#define PSEUDONYM_TEXT_MAX CLAIM_TEXT_MAX
#define PSEUDONYM_INPUT_MAX (sizeof(PSEUDONYM_DOMAIN) + 2 * (PSEUDONYM_TEXT_MAX + 1))

/* Holds a raw subject id: erase it with pseudonym_input_erase() (use _cleanup_) as soon as the
 * token service has copied it. */
typedef struct PseudonymInput {
        char data[PSEUDONYM_INPUT_MAX];
        size_t size;
} PseudonymInput;

/* Builds the HMAC input for (iss, sub) in *ret. Returns 0, or -EINVAL when iss or sub is empty
 * or longer than PSEUDONYM_TEXT_MAX: what no code can carry is refused, never cut to fit (that
 * would give two people one pseudonym). */
int pseudonym_input_build(const char *iss, const char *sub, PseudonymInput *ret);
void pseudonym_input_erase(PseudonymInput *in);

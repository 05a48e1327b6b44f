/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A subject's pseudonym: HMAC-SHA256, computed in the token with its HMAC key, over
 *
 *     "qrgate-subject-v1" NUL iss NUL sub
 *
 * (docs/audit.md, "Pseudonyms"). The audit log keeps all 32 bytes, the Decision signal the first
 * 16; the daemon asks the token once per decision (daemon/publish.c) and both take theirs from
 * that answer, and `qrgatectl audit pseudonym` asks the same question for an operator. The issuer
 * is part of the input because it is part of who someone is: two issuers' "p-1" are two people. */

#include "core/claims.h"
#include "pkcs11/token.h"

/* The longest iss or sub a code can carry (docs/code-format.md). */
#define PSEUDONYM_TEXT_MAX CLAIM_TEXT_MAX

/* Queues the HMAC of (iss, sub) on t, as token_hmac_async() does (the input is wiped here after
 * the token service has copied it). Returns what token_hmac_async() returns, or -EINVAL when iss
 * or sub is empty or longer than PSEUDONYM_TEXT_MAX. */
int pseudonym_request(TokenService *t, const char *iss, const char *sub, uint64_t timeout_usec,
                      TokenResultHandler handler, void *userdata, uint64_t *ret_id);

/* Why a pseudonym_request() failed, for the log and the audit record. */
const char *pseudonym_request_error(int error);

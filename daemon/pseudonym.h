/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's request for a subject's pseudonym (the input is audit/pseudonym-input.h's). The
 * audit log keeps all 32 bytes, the Decision signal the first 16; the daemon asks the token once
 * per decision (daemon/publish.c) and both take theirs from that answer. */

#include "audit/pseudonym-input.h"
#include "pkcs11/token.h"

/* Queues the HMAC of (iss, sub) on t, as token_hmac_async() does (the input is wiped here after
 * the token service has copied it). Returns what token_hmac_async() returns, or -EINVAL when iss
 * or sub is empty or longer than PSEUDONYM_TEXT_MAX. */
int pseudonym_request(TokenService *t, const char *iss, const char *sub, uint64_t timeout_usec,
                      TokenResultHandler handler, void *userdata, uint64_t *ret_id);

/* Why a pseudonym_request() failed, for the log and the audit record. */
const char *pseudonym_request_error(int error);

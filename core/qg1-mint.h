/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Making QG1 codes: the issuer's half of docs/code-format.md (core/qg1.h is the verifier's).
 * Used by qrgate-issue and by the tests; never needed on an appliance. */

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "core/claims.h"

/* Signs claims with key (ES256 for a P-256 key, EdDSA for Ed25519, PS256 for RSA) under kid
 * and returns the text "QG1:" + base45(COSE_Sign1) in a malloc()ed string, which the caller
 * frees. The claims are encoded as given, unchecked, so tests can mint codes that must be
 * refused; an issuer checks them first with claims_check(). */
int qg1_mint(EVP_PKEY *key, const uint8_t *kid, size_t kid_len, const CodeClaims *claims, char **ret_text);

/* Wraps an already encoded COSE message as QG1 text (malloc()ed), for tests that craft the
 * bytes. */
int qg1_wrap(const uint8_t *cose, size_t len, char **ret_text);

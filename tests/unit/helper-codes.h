/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test helpers for making codes: real keys, real signatures, and hand-built COSE so each bad
 * input fails at exactly the step it is meant to. */

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/claims.h"
#include "core/keystore.h"

#define TH_NOW ((int64_t) 1800000000) /* a fixed "now" so tests do not depend on the clock */

/* "es256", "ed25519" or "rsa" (2048-bit); aborts on failure. */
EVP_PKEY *th_key(const char *type);

/* Adds key's public half to ks under (iss, kid). */
void th_trust(Keystore *ks, const char *iss, const char *kid, EVP_PKEY *key);

/* Valid claims for issuer "city" at TH_NOW: sub "p-1", lifetime 60 s, scope "library.lend",
 * green, cti 0x01..0x10. */
CodeClaims th_claims(void);

/* A QG1 code with claims c signed by key under kid. */
char *th_mint(EVP_PKEY *key, const char *kid, const CodeClaims *c);

/* A QG1 code from raw parts: the given protected and unprotected header bytes and payload,
 * signed with key under alg (or with sig/sig_len when sig is not NULL), tagged 18 if tagged. */
char *th_mint_raw(EVP_PKEY *key, int64_t alg, const uint8_t *prot, size_t plen, const uint8_t *unprot,
                  size_t ulen, const uint8_t *payload, size_t len, bool tagged, const uint8_t *sig, size_t sig_len);

/* The claims encoded, for tests that edit the payload bytes. Caller frees. */
uint8_t *th_payload(const CodeClaims *c, size_t *ret_len);

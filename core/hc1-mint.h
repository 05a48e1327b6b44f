/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Making HC1 codes and signer certificates: the issuer's half of core/hc1.h, for the unit tests,
 * the fuzz seeds and the benchmark. An appliance never issues a DCC; nothing here runs on the
 * verify path. All output is well formed unless an option asks otherwise, and the payload is
 * signed as given, so tests can make codes that must be refused. */

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hc1-claims.h"

typedef struct Hc1MintOptions {
        bool kid_unprotected; /* kid in the unprotected header (hcert spec allows it) */
        bool untagged;        /* no COSE_Sign1 tag 18 */
        bool cwt_tag;         /* CWT tag 61 in front of tag 18 */
        bool no_compress;     /* base45 of the bare COSE: not a valid HC1 code */
} Hc1MintOptions;

/* A CWT claims map with an EU DCC of the given type for a fictitious holder, issued by country
 * iss (omitted when NULL) at iat, expiring at exp. Returns a malloc()ed buffer. */
int hc1_payload_encode(const char *iss, int64_t iat, int64_t exp, DccType type, uint8_t **ret, size_t *ret_len);

/* Signs payload with key (ES256 for P-256, PS256 for RSA; EdDSA for Ed25519, which HC1 refuses)
 * under kid and returns "HC1:" + base45(zlib(COSE_Sign1)) in a malloc()ed string. o may be NULL. */
int hc1_mint(EVP_PKEY *key, const uint8_t *kid, size_t kid_len, const uint8_t *payload, size_t len,
             const Hc1MintOptions *o, char **ret_text);

/* "HC1:" + base45 of cose, zlib-compressed first when compress is true. */
int hc1_wrap(const uint8_t *cose, size_t len, bool compress, char **ret_text);

/* A self-signed X.509 certificate for key's public half — a DSC for tests — with subject
 * CN=cn, valid from not_before to not_after, and an extendedKeyUsage of eku (OpenSSL's syntax,
 * e.g. "1.3.6.1.4.1.1847.2021.1.2,clientAuth"; none when NULL). Returns malloc()ed DER. */
int hc1_dsc_make(EVP_PKEY *key, const char *cn, int64_t not_before, int64_t not_after, const char *eku,
                 uint8_t **ret_der, size_t *ret_len);

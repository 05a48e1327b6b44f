/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* COSE_Sign1 (RFC 9052 §4.2) for codes: parsing, signature verification and, for the issuer
 * side and tests, signing and encoding. Algorithms (RFC 9053, RFC 8230): ES256, EdDSA with
 * Ed25519, and PS256 (needed for EU DCC signers). */

#include <cbor.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cbor-util.h"

#define COSE_TAG_SIGN1 18
#define COSE_TAG_CWT 61

#define COSE_HEADER_ALG 1
#define COSE_HEADER_KID 4

#define COSE_ALG_ES256 (-7)
#define COSE_ALG_EDDSA (-8)
#define COSE_ALG_PS256 (-37)

#define COSE_KID_MAX 64

typedef enum CoseKeyType {
        COSE_KEY_UNSUPPORTED,
        COSE_KEY_EC_P256,
        COSE_KEY_ED25519,
        COSE_KEY_RSA,
} CoseKeyType;

/* One header bucket's parameters that we use, and how many it has in all. */
typedef struct CoseHeader {
        size_t n_params;
        bool has_alg, has_kid;
        int64_t alg;
        const uint8_t *kid; /* borrowed from the parsed message */
        size_t kid_len;
} CoseHeader;

/* A parsed COSE_Sign1. Pointers are borrowed from the buffer it was parsed from and stay valid
 * as long as that buffer. */
typedef struct CoseSign1 {
        uint64_t tags[CBOR_MAX_TAGS]; /* in front of the message */
        size_t n_tags;
        size_t inner_tags; /* tags inside the message and its protected header */
        CoseHeader protected, unprotected;
        const uint8_t *protected_raw; /* the protected bucket as signed (a bstr's content) */
        size_t protected_len;
        const uint8_t *payload;
        size_t payload_len;
        const uint8_t *signature;
        size_t signature_len;
} CoseSign1;

/* Parses buf into *ret, reading it in place: nothing is allocated, and cose_sign1_done() only
 * forgets the pointers into buf. Returns
 * -EBADMSG with *ret_why for anything that is not a well-formed COSE_Sign1 with a byte-string
 * payload: wrong item types, a header label twice in one bucket, a kid of the wrong type;
 * -EPROTONOSUPPORT for an alg that is not an integer (RFC 9053 registers only integers).
 * Checking which tag, algorithm and bucket is acceptable is the caller's policy. */
int cose_sign1_parse(const uint8_t *buf, size_t len, CoseSign1 *ret, const char **ret_why);
void cose_sign1_done(CoseSign1 *c);

/* SHA-256, fetched from OpenSSL once per process (an implicit fetch per use is measurable on
 * the verify path). NULL only if OpenSSL has no SHA-256 provider. */
const EVP_MD *md_sha256(void);

/* The key type an algorithm needs, COSE_KEY_UNSUPPORTED for algorithms we do not verify. */
CoseKeyType cose_alg_key_type(int64_t alg);
const char *cose_alg_to_string(int64_t alg);
CoseKeyType cose_key_type(EVP_PKEY *pkey);
/* The algorithm an issuer signs with for a key: ES256 for P-256, EdDSA for Ed25519, PS256 for
 * RSA; 0 for keys we cannot use. */
int64_t cose_alg_for_key(EVP_PKEY *pkey);

/* A verification key, made ready when it is loaded rather than for each code: OpenSSL's per-key
 * setup — a context for the key with its algorithm's padding and digest — costs as much as
 * everything else on the HC1 path. Each key type verifies under exactly one algorithm (P-256:
 * ES256, RSA: PS256, Ed25519: EdDSA), so one context serves. The context is only read, each
 * verification working on a copy, so a key may be used from several threads at once. */
typedef struct CoseKey {
        EVP_PKEY *pkey;       /* a reference of our own */
        CoseKeyType type;
        EVP_PKEY_CTX *verify; /* set up for verifying a digest; NULL for Ed25519, which has none */
} CoseKey;

/* Sets up *ret for pkey, taking a reference to it; cose_key_done() releases it. Returns
 * -EKEYREJECTED for a key we cannot verify with (not P-256, Ed25519 or RSA ≥ 2048), -ENOMEM. */
int cose_key_init(CoseKey *ret, EVP_PKEY *pkey);
void cose_key_done(CoseKey *k);

/* Verifies the signature over the Sig_structure (RFC 9052 §4.4) with key. Returns 0 when it
 * verifies, -EPROTONOSUPPORT for an algorithm we do not verify, -EKEYREJECTED when the key does
 * not fit the algorithm, -EBADMSG when the signature does not verify (including a wrong
 * length), -ENOMEM, or -EIO when OpenSSL fails otherwise. */
int cose_sign1_verify(const CoseSign1 *c, int64_t alg, const CoseKey *key);

/* Signs the Sig_structure for (protected, payload) with pkey under alg and returns the COSE
 * signature (for ES256 the fixed-size r||s of RFC 9053 §2.1) in a malloc()ed buffer. */
int cose_sign(EVP_PKEY *pkey, int64_t alg, const uint8_t *protected_raw, size_t protected_len,
              const uint8_t *payload, size_t payload_len, uint8_t **ret_sig, size_t *ret_sig_len);

/* The Sig_structure ["Signature1", protected, h'', payload] (RFC 9052 §4.4) in a malloc()ed
 * buffer the caller frees, and its SHA-256: what a signer that holds its key elsewhere (a PKCS#11
 * token, pkcs11/token.h) signs — token_sign_async() hashes the former, token_sign_digest() takes
 * the latter. -ENOMEM, -EIO. */
int cose_sig_structure(const uint8_t *protected_raw, size_t protected_len, const uint8_t *payload,
                       size_t payload_len, uint8_t **ret, size_t *ret_len);
int cose_sig_digest(const uint8_t *protected_raw, size_t protected_len, const uint8_t *payload, size_t payload_len,
                    uint8_t ret[static 32]);

/* Encodes a protected header map {1: alg, 4: kid} (kid omitted when kid_len is 0) into out
 * (room for 16 + kid_len bytes); returns its length. */
size_t cose_encode_header(uint8_t *out, int64_t alg, const uint8_t *kid, size_t kid_len);

/* Assembles [protected, unprotected, payload, signature], tagged 18 when tagged is true.
 * unprotected is the encoded unprotected map (e.g. "\xa0" for an empty one). Returns a
 * malloc()ed buffer. */
int cose_sign1_encode(bool tagged, const uint8_t *protected_raw, size_t protected_len,
                      const uint8_t *unprotected, size_t unprotected_len,
                      const uint8_t *payload, size_t payload_len,
                      const uint8_t *sig, size_t sig_len, uint8_t **ret, size_t *ret_len);

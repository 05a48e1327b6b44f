/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Issuer public keys, looked up by (iss, kid). Keys are parsed and set up for verifying once,
 * when they are added, so the verify path only compares bytes and uses a ready CoseKey. */

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "core/claims.h"
#include "core/cose.h"

typedef struct IssuerKey {
        char iss[CLAIM_TEXT_MAX + 1];
        uint8_t kid[COSE_KID_MAX];
        size_t kid_len;
        CoseKey key;
} IssuerKey;

typedef struct Keystore Keystore;

int keystore_new(Keystore **ret);
Keystore *keystore_free(Keystore *ks);
DEFINE_TRIVIAL_CLEANUP_FUNC(Keystore *, keystore_free);

/* Adds a public key given as PEM text (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY").
 * Returns -EINVAL for an iss or kid outside the code format's limits, -EBADMSG for text that is
 * not a public key, -EKEYREJECTED for a key type we cannot verify (not P-256, Ed25519 or RSA
 * ≥ 2048), -EEXIST when (iss, kid) is already present. */
int keystore_add_pem(Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len, const char *pem, size_t pem_len);

/* A public key PEM is well under 2 KiB (RSA-4096: ~800 bytes); this bounds a wrong file. */
#define KEYSTORE_PEM_FILE_MAX (64 * 1024)

/* The same, reading the PEM from a file, which must be a regular file (a symbolic link to one
 * is followed) of at most KEYSTORE_PEM_FILE_MAX bytes. Errors from read_regular_file()
 * (core/fileio.h: -EBADFD for a FIFO, socket or device, -EISDIR, -EFBIG, -errno), which
 * read_file_strerror() turns into words, then those of keystore_add_pem(). */
int keystore_add_pem_file(Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len, const char *path);

/* Returns the key for (iss, kid), or NULL. The pointer is valid until the keystore is freed. */
const IssuerKey *keystore_find(const Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len);

size_t keystore_size(const Keystore *ks);

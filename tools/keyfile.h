/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Issuer key files, for qrgate-issue and tests. An issuer's private key lives on the issuing
 * side only; appliances get the .pub file. */

#include <openssl/evp.h>

/* Generates a key pair ("es256" → P-256, "ed25519") and writes prefix.key (PKCS#8 PEM, mode
 * 0600, created exclusively so an existing key is never overwritten) and prefix.pub
 * (SubjectPublicKeyInfo PEM). Returns -EINVAL for an unknown alg, -EEXIST, or -errno. */
int keyfile_generate(const char *alg, const char *prefix);

/* Reads a PEM private key. -errno from opening, -EBADMSG when it is not a private key. */
int keyfile_load_private(const char *path, EVP_PKEY **ret);

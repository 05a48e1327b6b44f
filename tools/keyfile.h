/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Issuer key files, for qrgate-issue and tests. An issuer's private key lives on the issuing
 * side only; appliances get the .pub file. */

#include <openssl/evp.h>

/* Generates a key pair ("es256" → P-256, "ed25519") and writes prefix.key (PKCS#8 PEM, mode
 * 0600, created exclusively so an existing key is never overwritten) and prefix.pub
 * (SubjectPublicKeyInfo PEM). Returns -EINVAL for an unknown alg, -EEXIST, or -errno. */
int keyfile_generate(const char *alg, const char *prefix);

/* A PEM private key is a few KiB at most (RSA-4096: ~3.3 KiB); this bounds a wrong file. */
#define KEYFILE_MAX (64 * 1024)

/* Reads a PEM private key from a regular file of at most KEYFILE_MAX bytes (a symbolic link to
 * one is followed). The errors of read_regular_file() (core/fileio.h: -EBADFD for a FIFO, socket
 * or device, -EISDIR, -EFBIG, -errno; read_file_strerror() says them in words), -EBADMSG when
 * it is not a private key. The file's bytes are erased from memory after parsing. */
int keyfile_load_private(const char *path, EVP_PKEY **ret);

/* Reads a public key (SubjectPublicKeyInfo, PEM "PUBLIC KEY" or DER: what `qrgatectl token
 * pubkey` writes) from a regular file of at most KEYFILE_MAX bytes. The errors of
 * read_regular_file(), -EBADMSG when it is not a public key. */
int keyfile_load_public(const char *path, EVP_PKEY **ret);

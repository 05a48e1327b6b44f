/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Making deny-lists: the issuer's half of core/denylist.h, for qrgate-issue, tests and the
 * benchmark; never needed on an appliance. Entries are collected as their hashes (the values
 * themselves are not kept), then laid out and signed. */

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "core/denylist.h"

typedef struct DenyListBuilder DenyListBuilder;

/* A builder with a random salt. Free with denylist_builder_free(). */
int denylist_builder_new(DenyListBuilder **ret);
DenyListBuilder *denylist_builder_free(DenyListBuilder *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(DenyListBuilder *, denylist_builder_free);

/* For reproducible lists (tests): the salt every entry is hashed with; before the first add. */
void denylist_builder_set_salt(DenyListBuilder *b, const uint8_t salt[static DENYLIST_SALT_SIZE]);
const uint8_t *denylist_builder_salt(const DenyListBuilder *b);

/* Adds (type, value); a value added twice is one entry. -EINVAL for an empty or too long
 * value, -ENOSPC beyond DENYLIST_MAX_ENTRIES, -ENOMEM. */
int denylist_builder_add(DenyListBuilder *b, DenyType type, const void *value, size_t len);
/* (iss, id) for subjects and cards, as denylist_contains_pair() looks them up. */
int denylist_builder_add_pair(DenyListBuilder *b, DenyType type, const char *iss, const char *id);
/* A printed barcode: format as a door's 'barcodes' list names it, id its digits. */
int denylist_builder_add_barcode(DenyListBuilder *b, const char *format, const char *id);
/* An entry given as its hash (the benchmark fills a million without hashing each). -EINVAL for
 * the all-zero hash, which marks an empty slot. */
int denylist_builder_add_hash(DenyListBuilder *b, const uint8_t hash[static DENYLIST_HASH_SIZE]);

/* Lays the entries out and signs the list with key under (iss, kid): the whole file in a
 * malloc()ed buffer. Returns -EKEYREJECTED for a key we cannot sign with, -EINVAL for a version
 * of 0 or an iss that is not a valid issuer name, -ENOMEM. */
int denylist_build(DenyListBuilder *b, EVP_PKEY *key, const char *iss, const uint8_t *kid, size_t kid_len,
                   uint64_t version, int64_t issued, uint8_t **ret, size_t *ret_len);

/* What denylist_build() signs, given as it is, for tests that make wrong lists: a table of
 * slots entries (slots * DENYLIST_HASH_SIZE bytes) laid out or not, and header fields that may
 * disagree with it. */
typedef struct DenyListSignParams {
        EVP_PKEY *key;
        const char *iss;
        const uint8_t *kid;
        size_t kid_len;
        uint64_t version;
        int64_t issued;
        uint64_t entries, buckets, slots;
        const uint8_t *salt;
} DenyListSignParams;
int denylist_sign_table(const DenyListSignParams *p, const uint8_t *table, uint8_t **ret, size_t *ret_len);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <openssl/err.h>
#include <openssl/rand.h>
#include <string.h>

#include "core/cbor-util.h"
#include "core/cose.h"
#include "core/denylist-build.h"

struct DenyListBuilder {
        uint8_t salt[DENYLIST_SALT_SIZE];
        uint8_t (*hashes)[DENYLIST_HASH_SIZE];
        size_t n, allocated;
};

int denylist_builder_new(DenyListBuilder **ret) {
        DenyListBuilder *b = calloc(1, sizeof(DenyListBuilder));

        if (!b)
                return -ENOMEM;
        /* A salt per list: the same person is another entry in every list, so lists cannot be
         * joined, and no table of hashes made in advance fits a list. */
        if (RAND_bytes(b->salt, sizeof(b->salt)) != 1) {
                ERR_clear_error();
                free(b);
                return -EIO;
        }
        *ret = b;
        return 0;
}

DenyListBuilder *denylist_builder_free(DenyListBuilder *b) {
        if (!b)
                return NULL;
        free(b->hashes);
        free(b);
        return NULL;
}

void denylist_builder_set_salt(DenyListBuilder *b, const uint8_t salt[static DENYLIST_SALT_SIZE]) {
        memcpy(b->salt, salt, DENYLIST_SALT_SIZE);
}

const uint8_t *denylist_builder_salt(const DenyListBuilder *b) {
        return b->salt;
}

int denylist_builder_add_hash(DenyListBuilder *b, const uint8_t hash[static DENYLIST_HASH_SIZE]) {
        if (memeqzero(hash, DENYLIST_HASH_SIZE))
                return -EINVAL;
        if (b->n >= DENYLIST_MAX_ENTRIES)
                return -ENOSPC;
        if (b->n == b->allocated) {
                size_t a = MAX(b->allocated * 2, (size_t) 1024);
                void *v = reallocarray(b->hashes, a, DENYLIST_HASH_SIZE);
                if (!v)
                        return -ENOMEM;
                b->hashes = v;
                b->allocated = a;
        }
        memcpy(b->hashes[b->n++], hash, DENYLIST_HASH_SIZE);
        return 0;
}

int denylist_builder_add(DenyListBuilder *b, DenyType type, const void *value, size_t len) {
        uint8_t h[DENYLIST_HASH_SIZE];
        int r = denylist_hash(b->salt, type, value, len, h);
        return r < 0 ? r : denylist_builder_add_hash(b, h);
}

int denylist_builder_add_pair(DenyListBuilder *b, DenyType type, const char *iss, const char *id) {
        char v[DENYLIST_VALUE_MAX];
        size_t a = strlen(iss), n = strlen(id);

        if (a == 0 || n == 0 || a + 1 + n > sizeof(v))
                return -EINVAL;
        memcpy(v, iss, a);
        v[a] = '\0';
        memcpy(v + a + 1, id, n);
        return denylist_builder_add(b, type, v, a + 1 + n);
}

int denylist_builder_add_barcode(DenyListBuilder *b, const char *format, const char *id) {
        char v[DENYLIST_VALUE_MAX];
        int n = denylist_barcode_value(format, id, v);
        return n < 0 ? n : denylist_builder_add(b, DENY_BARCODE, v, (size_t) n);
}

static int cmp_hash(const void *a, const void *b) {
        return memcmp(a, b, DENYLIST_HASH_SIZE);
}

static size_t put_uint(uint8_t *o, int64_t label, uint64_t v) {
        size_t n = label < 0 ? cbor_put_head(o, 1, (uint64_t) (-1 - label)) : cbor_put_head(o, 0, (uint64_t) label);
        return n + cbor_put_head(o + n, 0, v);
}

static size_t put_bytes(uint8_t *o, int64_t label, unsigned major, const void *p, size_t len) {
        size_t n = label < 0 ? cbor_put_head(o, 1, (uint64_t) (-1 - label)) : cbor_put_head(o, 0, (uint64_t) label);
        n += cbor_put_head(o + n, major, len);
        memcpy(o + n, p, len);
        return n + len;
}

int denylist_sign_table(const DenyListSignParams *p, const uint8_t *table, uint8_t **ret, size_t *ret_len) {
        _cleanup_(freep) uint8_t *sig = NULL, *cose = NULL;
        uint8_t payload[512], header[16 + COSE_KID_MAX], sha[EVP_MAX_MD_SIZE];
        size_t o = 0, sig_len, cose_len, header_len;
        int64_t alg = cose_alg_for_key(p->key);
        int r;

        if (alg == 0)
                return -EKEYREJECTED;
        if (p->kid_len == 0 || p->kid_len > COSE_KID_MAX || strlen(p->iss) > CLAIM_TEXT_MAX)
                return -EINVAL;
        if (EVP_Digest(table, p->slots * DENYLIST_HASH_SIZE, sha, NULL, md_sha256(), NULL) != 1) {
                ERR_clear_error();
                return -EIO;
        }
        o += cbor_put_head(payload + o, 5, 8);
        o += put_bytes(payload + o, DENYLIST_LABEL_ISS, 3, p->iss, strlen(p->iss));
        o += put_uint(payload + o, DENYLIST_LABEL_IAT, (uint64_t) p->issued);
        o += put_uint(payload + o, DENYLIST_LABEL_VERSION, p->version);
        o += put_uint(payload + o, DENYLIST_LABEL_ENTRIES, p->entries);
        o += put_uint(payload + o, DENYLIST_LABEL_BUCKETS, p->buckets);
        o += put_uint(payload + o, DENYLIST_LABEL_SLOTS, p->slots);
        o += put_bytes(payload + o, DENYLIST_LABEL_SALT, 2, p->salt, DENYLIST_SALT_SIZE);
        o += put_bytes(payload + o, DENYLIST_LABEL_TABLE_SHA256, 2, sha, 32);

        header_len = cose_encode_header(header, alg, p->kid, p->kid_len);
        r = cose_sign(p->key, alg, header, header_len, payload, o, &sig, &sig_len);
        if (r < 0)
                return r;
        r = cose_sign1_encode(true, header, header_len, (const uint8_t *) "\xa0", 1, payload, o, sig, sig_len, &cose,
                              &cose_len);
        if (r < 0)
                return r;
        if (cose_len > DENYLIST_HEADER_MAX)
                return -EINVAL;

        size_t offset = (DENYLIST_PREAMBLE_SIZE + cose_len + DENYLIST_TABLE_ALIGN - 1) / DENYLIST_TABLE_ALIGN *
                        DENYLIST_TABLE_ALIGN;
        size_t total = offset + p->slots * DENYLIST_HASH_SIZE;
        uint8_t *file = calloc(1, total);
        if (!file)
                return -ENOMEM;
        memcpy(file, DENYLIST_MAGIC, DENYLIST_MAGIC_SIZE);
        for (size_t i = 0; i < 4; i++)
                file[8 + i] = (uint8_t) (cose_len >> (8 * i));
        memcpy(file + DENYLIST_PREAMBLE_SIZE, cose, cose_len);
        memcpy_safe(file + offset, table, p->slots * DENYLIST_HASH_SIZE);
        *ret = file;
        *ret_len = total;
        return 0;
}

int denylist_build(DenyListBuilder *b, EVP_PKEY *key, const char *iss, const uint8_t *kid, size_t kid_len,
                   uint64_t version, int64_t issued, uint8_t **ret, size_t *ret_len) {
        _cleanup_(freep) uint8_t *table = NULL;
        size_t n = 0;

        if (version == 0 || version > INT64_MAX || !claim_text_is_valid(iss) || issued < 0 || issued > CLAIM_TIME_MAX)
                return -EINVAL;
        if (b->n > 0)
                qsort(b->hashes, b->n, DENYLIST_HASH_SIZE, cmp_hash);
        for (size_t i = 0; i < b->n; i++) /* duplicates out */
                if (n == 0 || memcmp(b->hashes[n - 1], b->hashes[i], DENYLIST_HASH_SIZE) != 0)
                        memmove(b->hashes[n++], b->hashes[i], DENYLIST_HASH_SIZE);
        b->n = n;

        /* Each entry at the first free slot from its home on (core/denylist.h): the canonical
         * layout the verifier checks. The last ones may run past the buckets into a tail. */
        uint64_t buckets = denylist_buckets_for(n), slots = buckets, pos = 0;
        for (size_t i = 0; i < n; i++) {
                pos = i == 0 ? denylist_home(b->hashes[i], buckets) : MAX(denylist_home(b->hashes[i], buckets), pos + 1);
                slots = MAX(slots, pos + 1);
        }
        table = calloc(slots, DENYLIST_HASH_SIZE);
        if (!table)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                pos = i == 0 ? denylist_home(b->hashes[i], buckets) : MAX(denylist_home(b->hashes[i], buckets), pos + 1);
                memcpy(table + pos * DENYLIST_HASH_SIZE, b->hashes[i], DENYLIST_HASH_SIZE);
        }
        return denylist_sign_table(&(DenyListSignParams) { .key = key, .iss = iss, .kid = kid, .kid_len = kid_len,
                                                           .version = version, .issued = issued, .entries = n,
                                                           .buckets = buckets, .slots = slots, .salt = b->salt },
                                   table, ret, ret_len);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "core/fileio.h"
#include "core/keystore.h"

/* An appliance trusts a handful of issuers with one or two keys each (rotation), so a flat
 * array searched linearly is both the simplest and the fastest structure here. */
struct Keystore {
        IssuerKey *keys;
        size_t n;
};

int keystore_new(Keystore **ret) {
        Keystore *ks = calloc(1, sizeof(Keystore));
        if (!ks)
                return -ENOMEM;
        *ret = ks;
        return 0;
}

Keystore *keystore_free(Keystore *ks) {
        if (!ks)
                return NULL;
        for (size_t i = 0; i < ks->n; i++)
                cose_key_done(&ks->keys[i].key);
        free(ks->keys);
        free(ks);
        return NULL;
}

const IssuerKey *keystore_find(const Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len) {
        for (size_t i = 0; i < ks->n; i++) {
                const IssuerKey *k = &ks->keys[i];
                if (k->kid_len == kid_len && memcmp(k->kid, kid, kid_len) == 0 && strcmp(k->iss, iss) == 0)
                        return k;
        }
        return NULL;
}

size_t keystore_size(const Keystore *ks) {
        return ks->n;
}

int keystore_add_pem(Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len, const char *pem, size_t pem_len) {
        EVP_PKEY *pkey;
        CoseKey key;
        BIO *bio;
        int r;

        if (strlen(iss) == 0 || strlen(iss) > CLAIM_TEXT_MAX || kid_len == 0 || kid_len > COSE_KID_MAX)
                return -EINVAL;
        if (keystore_find(ks, iss, kid, kid_len))
                return -EEXIST;
        if (pem_len > INT32_MAX)
                return -EFBIG;

        bio = BIO_new_mem_buf(pem, (int) pem_len);
        if (!bio)
                return -ENOMEM;
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        BIO_free(bio);
        ERR_clear_error();
        if (!pkey)
                return -EBADMSG;

        r = cose_key_init(&key, pkey);
        EVP_PKEY_free(pkey); /* the CoseKey holds its own reference */
        if (r < 0)
                return r;

        IssuerKey *keys = reallocarray(ks->keys, ks->n + 1, sizeof(IssuerKey));
        if (!keys) {
                cose_key_done(&key);
                return -ENOMEM;
        }
        ks->keys = keys;
        IssuerKey *k = &ks->keys[ks->n++];
        *k = (IssuerKey) { .kid_len = kid_len, .key = key };
        strcpy(k->iss, iss);
        memcpy(k->kid, kid, kid_len);
        return 0;
}

int keystore_add_pem_file(Keystore *ks, const char *iss, const uint8_t *kid, size_t kid_len, const char *path) {
        _cleanup_(freep) char *buf = NULL;
        size_t n = 0;
        int r;

        r = read_regular_file(AT_FDCWD, path, KEYSTORE_PEM_FILE_MAX, 0, &buf, &n);
        if (r < 0)
                return r;
        return keystore_add_pem(ks, iss, kid, kid_len, buf, n);
}

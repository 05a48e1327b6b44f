/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/claims.h"
#include "daemon/subject-key.h"

/* Separates the subject keys from the key id under the same secret. */
#define KEY_DOMAIN "qrgate-state-subject-v1"
#define ID_DOMAIN "qrgate-state-id-v1"

struct SubjectKey {
        uint8_t secret[SUBJECT_KEY_SECRET_SIZE];
        bool persistent;
};

int subject_key_new(SubjectKey **ret) {
        SubjectKey *k = calloc(1, sizeof(*k));

        if (!k)
                return -ENOMEM;
        if (RAND_bytes(k->secret, sizeof(k->secret)) != 1) {
                free(k);
                return -EIO;
        }
        *ret = k;
        return 0;
}

SubjectKey *subject_key_free(SubjectKey *k) {
        if (k) {
                OPENSSL_cleanse(k, sizeof(*k));
                free(k);
        }
        return NULL;
}

int subject_key_set_secret(SubjectKey *k, const uint8_t *secret, size_t size) {
        unsigned len = sizeof(k->secret);

        if (size < SUBJECT_KEY_SECRET_SIZE)
                return -EINVAL;
        if (size == SUBJECT_KEY_SECRET_SIZE)
                memcpy(k->secret, secret, size);
        else if (!EVP_Digest(secret, size, k->secret, &len, EVP_sha256(), NULL))
                return -EINVAL;
        k->persistent = true;
        return 0;
}

static void mac(const SubjectKey *k, const void *data, size_t size, uint8_t ret[SUBJECT_KEY_SIZE]) {
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        /* HMAC-SHA256 with a 32-byte key cannot fail but for a broken library; a zero key then
         * still gives every subject the same handling, never another subject's state by chance
         * beyond the 2^-128 of a truncated MAC. */
        if (!HMAC(EVP_sha256(), k->secret, sizeof(k->secret), data, size, md, &len))
                memset(md, 0, sizeof(md));
        memcpy(ret, md, SUBJECT_KEY_SIZE);
        OPENSSL_cleanse(md, sizeof(md));
}

int subject_key_of(const SubjectKey *k, const char *iss, const char *sub, uint8_t ret[SUBJECT_KEY_SIZE]) {
        char input[sizeof(KEY_DOMAIN) + 2 * (CLAIM_TEXT_MAX + 1)];
        size_t li = iss ? strnlen(iss, CLAIM_TEXT_MAX + 1) : 0, ls = sub ? strnlen(sub, CLAIM_TEXT_MAX + 1) : 0;

        if (li == 0 || ls == 0 || li > CLAIM_TEXT_MAX || ls > CLAIM_TEXT_MAX)
                return -EINVAL;
        /* domain NUL iss NUL sub: the NULs keep ("ab", "c") and ("a", "bc") apart. */
        memcpy(input, KEY_DOMAIN, sizeof(KEY_DOMAIN));
        memcpy(input + sizeof(KEY_DOMAIN), iss, li + 1);
        memcpy(input + sizeof(KEY_DOMAIN) + li + 1, sub, ls);
        size_t size = sizeof(KEY_DOMAIN) + li + 1 + ls;
        mac(k, input, size, ret);
        /* The raw id lives no longer than this call. */
        OPENSSL_cleanse(input, size);
        return 0;
}

bool subject_key_is_persistent(const SubjectKey *k) {
        return k->persistent;
}

void subject_key_id(const SubjectKey *k, uint8_t ret[SUBJECT_KEY_SIZE]) {
        mac(k, ID_DOMAIN, strlen(ID_DOMAIN), ret);
}

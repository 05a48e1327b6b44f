/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cose.h"
#include "core/qg1-mint.h"
#include "tests/unit/helper-codes.h"

static void die(const char *what) {
        fprintf(stderr, "test helper: %s failed\n", what);
        abort();
}

EVP_PKEY *th_key(const char *type) {
        EVP_PKEY *k = strcmp(type, "es256") == 0   ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                      : strcmp(type, "ed25519") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                                     : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
        if (!k)
                die("keygen");
        return k;
}

void th_trust(Keystore *ks, const char *iss, const char *kid, EVP_PKEY *key) {
        BIO *b = BIO_new(BIO_s_mem());
        char *pem;

        if (!b || PEM_write_bio_PUBKEY(b, key) != 1)
                die("PEM_write_bio_PUBKEY");
        long n = BIO_get_mem_data(b, &pem);
        if (keystore_add_pem(ks, iss, (const uint8_t *) kid, strlen(kid), pem, (size_t) n) < 0)
                die("keystore_add_pem");
        BIO_free(b);
}

CodeClaims th_claims(void) {
        CodeClaims c = {
                .iss = "city",
                .sub = "p-1",
                .iat = TH_NOW,
                .exp = TH_NOW + 60,
                .cti_len = 16,
                .status = CODE_STATUS_GREEN,
                .n_scopes = 1,
                .scopes = { "library.lend" },
        };
        for (size_t i = 0; i < c.cti_len; i++)
                c.cti[i] = (uint8_t) (i + 1);
        return c;
}

char *th_mint(EVP_PKEY *key, const char *kid, const CodeClaims *c) {
        char *t = NULL;
        if (qg1_mint(key, (const uint8_t *) kid, strlen(kid), c, &t) < 0)
                die("qg1_mint");
        return t;
}

uint8_t *th_payload(const CodeClaims *c, size_t *ret_len) {
        uint8_t *p = NULL;
        if (claims_encode(c, &p, ret_len) < 0)
                die("claims_encode");
        return p;
}

char *th_mint_raw(EVP_PKEY *key, int64_t alg, const uint8_t *prot, size_t plen, const uint8_t *unprot,
                  size_t ulen, const uint8_t *payload, size_t len, bool tagged, const uint8_t *sig, size_t sig_len) {
        uint8_t *made = NULL, *cose = NULL;
        size_t cose_len;
        char *t = NULL;

        if (!sig) {
                if (cose_sign(key, alg, prot, plen, payload, len, &made, &sig_len) < 0)
                        die("cose_sign");
                sig = made;
        }
        if (cose_sign1_encode(tagged, prot, plen, unprot, ulen, payload, len, sig, sig_len, &cose, &cose_len) < 0 ||
            qg1_wrap(cose, cose_len, &t) < 0)
                die("encode");
        free(made);
        free(cose);
        return t;
}

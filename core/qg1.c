/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/base45.h"
#include "core/cose.h"
#include "core/qg1.h"
#include "core/verifier.h"

int64_t qg1_alg_for_key(EVP_PKEY *key) {
        switch (cose_key_type(key)) {
        case COSE_KEY_EC_P256:
                return COSE_ALG_ES256;
        case COSE_KEY_ED25519:
                return COSE_ALG_EDDSA;
        case COSE_KEY_RSA:
                return COSE_ALG_PS256;
        default:
                return 0;
        }
}

int qg1_wrap(const uint8_t *cose, size_t len, char **ret_text) {
        size_t plen = strlen(QG1_PREFIX);
        char *t = malloc(plen + base45_encoded_len(len) + 1);

        if (!t)
                return -ENOMEM;
        memcpy(t, QG1_PREFIX, plen);
        base45_encode(cose, len, t + plen);
        *ret_text = t;
        return 0;
}

int qg1_mint(EVP_PKEY *key, const uint8_t *kid, size_t kid_len, const CodeClaims *claims, char **ret_text) {
        _cleanup_(freep) uint8_t *payload = NULL, *sig = NULL, *cose = NULL;
        size_t payload_len, sig_len, cose_len;
        uint8_t header[16 + COSE_KID_MAX];
        int64_t alg = qg1_alg_for_key(key);
        int r;

        if (alg == 0)
                return -EKEYREJECTED;
        if (kid_len == 0 || kid_len > COSE_KID_MAX)
                return -EINVAL;

        r = claims_encode(claims, &payload, &payload_len);
        if (r < 0)
                return r;
        size_t header_len = cose_encode_header(header, alg, kid, kid_len);
        r = cose_sign(key, alg, header, header_len, payload, payload_len, &sig, &sig_len);
        if (r < 0)
                return r;
        r = cose_sign1_encode(true, header, header_len, (const uint8_t *) "\xa0", 1, payload, payload_len,
                              sig, sig_len, &cose, &cose_len);
        if (r < 0)
                return r;
        return qg1_wrap(cose, cose_len, ret_text);
}

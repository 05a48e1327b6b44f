/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/base45.h"
#include "core/cose.h"
#include "core/qg1-mint.h"
#include "core/qg1.h"

int qg1_wrap(const uint8_t *cose, size_t len, char **ret_text) {
        return base45_wrap(QG1_PREFIX, cose, len, ret_text);
}

int qg1_mint(EVP_PKEY *key, const uint8_t *kid, size_t kid_len, const CodeClaims *claims, char **ret_text) {
        _cleanup_(freep) uint8_t *payload = NULL, *sig = NULL, *cose = NULL;
        size_t payload_len, sig_len, cose_len;
        uint8_t header[16 + COSE_KID_MAX];
        int64_t alg = cose_alg_for_key(key);
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

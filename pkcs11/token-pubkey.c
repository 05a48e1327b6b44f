/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pkcs11/token-blocking.h"

/* The OpenSSL edge of the token service: digests, public key encoding and the check that the
 * public key object verifies what the private key signed. OpenSSL's error queue is cleared here
 * and its failures become errno values here. */

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY_CTX *, EVP_PKEY_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_OCTET_STRING *, ASN1_OCTET_STRING_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ECDSA_SIG *, ECDSA_SIG_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free);

static int openssl_fail(int error) {
        ERR_clear_error();
        return error;
}

int token_sha256(const void *data, size_t size, uint8_t ret[static 32]) {
        unsigned len = 0;

        if (EVP_Digest(data, size, ret, &len, EVP_sha256(), NULL) != 1 || len != 32)
                return openssl_fail(-EIO);
        return 0;
}

int token_pubkey_from_ec_point(const uint8_t *point, size_t size, uint8_t **ret_der, size_t *ret_size) {
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        uint8_t raw[65], *der = NULL;
        char group[] = SN_X9_62_prime256v1;
        int len;

        /* PKCS#11 v2.40 Current Mechanisms, EC public key objects: CKA_EC_POINT is the DER
         * encoding of the X9.62 ECPoint, an OCTET STRING around the point. Some tokens return
         * the bare point; accept both, nothing else. */
        if (size == sizeof(raw) && point[0] == 0x04)
                memcpy(raw, point, sizeof(raw));
        else {
                const uint8_t *p = point;

                os = d2i_ASN1_OCTET_STRING(NULL, &p, (long) size);
                if (!os || p != point + size || ASN1_STRING_length(os) != (int) sizeof(raw))
                        return openssl_fail(-EBADMSG);
                memcpy(raw, ASN1_STRING_get0_data(os), sizeof(raw));
                if (raw[0] != 0x04) /* uncompressed form (SEC 1 §2.3.3) */
                        return openssl_fail(-EBADMSG);
        }

        OSSL_PARAM params[] = {
                OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, raw, sizeof(raw)),
                OSSL_PARAM_END,
        };
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1)
                return openssl_fail(-ENOMEM);
        /* The import decodes the point onto the curve and fails for a point not on it. */
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
                return openssl_fail(-EBADMSG);

        len = i2d_PUBKEY(pkey, &der);
        if (len <= 0)
                return openssl_fail(-ENOMEM);
        *ret_der = malloc((size_t) len);
        if (!*ret_der) {
                OPENSSL_free(der);
                return -ENOMEM;
        }
        memcpy(*ret_der, der, (size_t) len);
        OPENSSL_free(der);
        *ret_size = (size_t) len;
        return 0;
}

static int pubkey_parse(const uint8_t *der, size_t size, EVP_PKEY **ret) {
        const uint8_t *p = der;
        EVP_PKEY *pkey;

        pkey = d2i_PUBKEY(NULL, &p, (long) size);
        if (!pkey)
                return openssl_fail(-EBADMSG);
        if (p != der + size) {
                EVP_PKEY_free(pkey);
                return openssl_fail(-EBADMSG);
        }
        *ret = pkey;
        return 0;
}

int token_pubkey_to_pem(const uint8_t *der, size_t size, char **ret_pem, size_t *ret_size) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(BIO_freep) BIO *bio = NULL;
        char *data = NULL, *pem;
        long n;
        int r;

        r = pubkey_parse(der, size, &pkey);
        if (r < 0)
                return r;
        bio = BIO_new(BIO_s_mem());
        if (!bio || PEM_write_bio_PUBKEY(bio, pkey) != 1)
                return openssl_fail(-ENOMEM);
        n = BIO_get_mem_data(bio, &data);
        if (n <= 0)
                return openssl_fail(-ENOMEM);
        pem = malloc((size_t) n + 1);
        if (!pem)
                return -ENOMEM;
        memcpy(pem, data, (size_t) n);
        pem[n] = 0;
        *ret_pem = pem;
        *ret_size = (size_t) n;
        return 0;
}

int token_pubkey_verify(const uint8_t *der, size_t size, const uint8_t digest[static 32],
                        const uint8_t sig[static TOKEN_SIGNATURE_SIZE]) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *es = NULL;
        uint8_t *sig_der = NULL;
        BIGNUM *r_bn, *s_bn;
        int len, ok, r;

        r = pubkey_parse(der, size, &pkey);
        if (r < 0)
                return r;

        /* r || s (PKCS#11 CKM_ECDSA output) to the DER SEQUENCE OpenSSL verifies. */
        es = ECDSA_SIG_new();
        r_bn = BN_bin2bn(sig, TOKEN_SIGNATURE_SIZE / 2, NULL);
        s_bn = BN_bin2bn(sig + TOKEN_SIGNATURE_SIZE / 2, TOKEN_SIGNATURE_SIZE / 2, NULL);
        if (!es || !r_bn || !s_bn || ECDSA_SIG_set0(es, r_bn, s_bn) != 1) {
                BN_free(r_bn);
                BN_free(s_bn);
                return openssl_fail(-ENOMEM);
        }
        len = i2d_ECDSA_SIG(es, &sig_der);
        if (len <= 0)
                return openssl_fail(-ENOMEM);

        ctx = EVP_PKEY_CTX_new(pkey, NULL);
        if (!ctx || EVP_PKEY_verify_init(ctx) != 1) {
                OPENSSL_free(sig_der);
                return openssl_fail(-ENOMEM);
        }
        ok = EVP_PKEY_verify(ctx, sig_der, (size_t) len, digest, 32);
        OPENSSL_free(sig_der);
        return ok == 1 ? 0 : openssl_fail(-EBADMSG);
}

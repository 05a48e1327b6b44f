/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/token-blocking.h"

/* DER of the OID prime256v1 / secp256r1 (RFC 5480 §2.1.1.1), as CKA_EC_PARAMS holds a named
 * curve (PKCS#11 v2.40 Current Mechanisms, elliptic curve key objects). */
static const uint8_t p256_params[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

typedef struct KeyFacts {
        CK_KEY_TYPE type;
        int sign, sensitive, extractable; /* 1, 0, or -1 when the token does not say */
} KeyFacts;

static int bool_of(const CK_ATTRIBUTE *a) {
        if (a->ulValueLen != sizeof(CK_BBOOL))
                return -1;
        return *(CK_BBOOL *) a->pValue ? 1 : 0;
}

static int key_facts(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, KeyFacts *ret, TokenReason *why) {
        CK_KEY_TYPE type = (CK_KEY_TYPE) -1;
        CK_BBOOL sign = 0, sensitive = 0, extractable = 0;
        CK_ATTRIBUTE t[] = {
                { CKA_KEY_TYPE, &type, sizeof(type) },
                { CKA_SIGN, &sign, sizeof(sign) },
                { CKA_SENSITIVE, &sensitive, sizeof(sensitive) },
                { CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
        };
        CK_RV rv;
        int r;

        rv = m->f->C_GetAttributeValue(h, key, t, ELEMENTSOF(t));
        /* §5.7 C_GetAttributeValue: an attribute the object lacks fails only that attribute
         * (its length becomes CK_UNAVAILABLE_INFORMATION); the others are still filled in. */
        r = token_errno_from_rv(rv);
        if (r < 0 && r != -ENODATA && r != -EPERM)
                return token_fail_rv(why, "C_GetAttributeValue", rv);

        ret->type = t[0].ulValueLen == sizeof(type) ? type : (CK_KEY_TYPE) -1;
        ret->sign = bool_of(&t[1]);
        ret->sensitive = bool_of(&t[2]);
        ret->extractable = bool_of(&t[3]);
        return 0;
}

static int check_secret_keeping(const KeyFacts *k, const char *what, TokenReason *why) {
        /* A key that can leave the token in plain text is a key that may exist in a file
         * somewhere: refuse it rather than sign with it (PKCS#11 v2.40 §4.9, §4.10 CKA_SENSITIVE,
         * CKA_EXTRACTABLE). */
        if (k->sensitive == 0)
                return token_fail(why, -EPERM, "the %s is not CKA_SENSITIVE; make it again as a sensitive key", what);
        if (k->extractable == 1)
                return token_fail(why, -EPERM, "the %s is CKA_EXTRACTABLE; make it again as a non-extractable key", what);
        if (k->sign == 0)
                return token_fail(why, -EPERM, "the %s does not allow signing (CKA_SIGN)", what);
        return 0;
}

int token_check_sign_key(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, TokenReason *why) {
        KeyFacts k;
        int r;

        r = key_facts(m, h, key, &k, why);
        if (r < 0)
                return r;
        if (k.type != CKK_EC)
                return token_fail(why, -EOPNOTSUPP, "the device key is not an EC key");
        return check_secret_keeping(&k, "device key", why);
}

int token_check_hmac_key(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, TokenReason *why) {
        KeyFacts k;
        int r;

        r = key_facts(m, h, key, &k, why);
        if (r < 0)
                return r;
        /* CKM_SHA256_HMAC takes generic secrets and, since v2.40, SHA256-HMAC keys. */
        if (k.type != CKK_GENERIC_SECRET && k.type != CKK_SHA256_HMAC)
                return token_fail(why, -EOPNOTSUPP, "the HMAC key is not a generic secret or SHA256-HMAC key");
        return check_secret_keeping(&k, "HMAC key", why);
}

static int sign_once(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech_type,
                     const void *data, size_t size, uint8_t *out, size_t out_size, TokenReason *why) {
        CK_MECHANISM mech = { mech_type, NULL, 0 };
        /* Room for the largest EC signature (P-521: 2 * 66): a smaller buffer would leave the
         * operation active after CKR_BUFFER_TOO_SMALL (§5.11 C_Sign) and block the session. */
        uint8_t buf[132];
        CK_ULONG len = sizeof(buf);
        CK_RV rv;

        rv = m->f->C_SignInit(h, &mech, key);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_SignInit", rv);
        rv = m->f->C_Sign(h, (CK_BYTE_PTR) data, size, buf, &len);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_Sign", rv);
        if (len != out_size) {
                explicit_bzero(buf, sizeof(buf));
                return token_fail(why, -EBADMSG, "C_Sign returned %lu bytes, expected %zu", (unsigned long) len, out_size);
        }
        memcpy(out, buf, out_size);
        explicit_bzero(buf, sizeof(buf));
        return 0;
}

int token_sign_digest(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const uint8_t digest[static 32],
                      uint8_t ret_sig[static TOKEN_SIGNATURE_SIZE], TokenReason *why) {
        return sign_once(m, h, key, CKM_ECDSA, digest, 32, ret_sig, TOKEN_SIGNATURE_SIZE, why);
}

int token_hmac(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const void *data, size_t size,
               uint8_t ret_mac[static TOKEN_HMAC_SIZE], TokenReason *why) {
        return sign_once(m, h, key, CKM_SHA256_HMAC, data, size, ret_mac, TOKEN_HMAC_SIZE, why);
}

static int get_attr(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
                    uint8_t **ret, size_t *ret_size, TokenReason *why) {
        _cleanup_(freep) uint8_t *buf = NULL;
        CK_ATTRIBUTE a = { type, NULL, 0 };
        CK_RV rv;

        rv = m->f->C_GetAttributeValue(h, o, &a, 1);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_GetAttributeValue", rv);
        if (a.ulValueLen == 0 || a.ulValueLen > 4096)
                return token_fail(why, -EBADMSG, "public key attribute has a bad length");
        buf = malloc(a.ulValueLen);
        if (!buf)
                return -ENOMEM;
        a.pValue = buf;
        rv = m->f->C_GetAttributeValue(h, o, &a, 1);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_GetAttributeValue", rv);

        *ret = TAKE_PTR(buf);
        *ret_size = a.ulValueLen;
        return 0;
}

int token_read_pubkey(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub, uint8_t **ret_der,
                      size_t *ret_size, TokenReason *why) {
        _cleanup_(freep) uint8_t *params = NULL, *point = NULL;
        size_t params_size = 0, point_size = 0;
        int r;

        r = get_attr(m, h, pub, CKA_EC_PARAMS, &params, &params_size, why);
        if (r < 0)
                return r;
        if (params_size != sizeof(p256_params) || memcmp(params, p256_params, params_size) != 0)
                return token_fail(why, -EOPNOTSUPP, "the device key is not on curve P-256");
        r = get_attr(m, h, pub, CKA_EC_POINT, &point, &point_size, why);
        if (r < 0)
                return r;
        r = token_pubkey_from_ec_point(point, point_size, ret_der, ret_size);
        if (r < 0)
                return token_fail(why, r, "the public key object holds no valid P-256 point");
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <zlib.h>

#include "core/base45.h"
#include "core/cbor-util.h"
#include "core/claims.h"
#include "core/cose.h"
#include "core/hc1-mint.h"
#include "core/hc1.h"

/* Adds key → value to map, taking over value (NULL fails). */
static bool put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value) {
        _cleanup_(cbor_decrefp) cbor_item_t *k = key, *v = value;
        return k && v && cbor_map_add(map, (struct cbor_pair) { .key = k, .value = v });
}

static bool put_text(cbor_item_t *map, const char *key, const char *value) {
        return put(map, cbor_build_string(key), cbor_build_string(value));
}

static cbor_item_t *entry_new(DccType type) {
        _cleanup_(cbor_decrefp) cbor_item_t *e = cbor_new_definite_map(10);
        bool ok;

        if (!e)
                return NULL;
        ok = put_text(e, "tg", "840539006") && put_text(e, "co", "XX") && put_text(e, "is", "qrgate test issuer") &&
             put_text(e, "ci", "URN:UVCI:01:XX:QRGATE0000000001#8");
        switch (type) {
        case DCC_TYPE_VACCINATION:
                ok = ok && put_text(e, "vp", "1119349007") && put_text(e, "mp", "EU/1/20/1528") &&
                     put_text(e, "ma", "ORG-100030215") && put(e, cbor_build_string("dn"), cbor_build_uint8(2)) &&
                     put(e, cbor_build_string("sd"), cbor_build_uint8(2)) && put_text(e, "dt", "2021-05-29");
                break;
        case DCC_TYPE_TEST:
                ok = ok && put_text(e, "tt", "LP6464-4") && put_text(e, "sc", "2021-05-30T10:12:22Z") &&
                     put_text(e, "tr", "260415000") && put_text(e, "tc", "Test centre");
                break;
        case DCC_TYPE_RECOVERY:
                ok = ok && put_text(e, "fr", "2021-04-21") && put_text(e, "df", "2021-05-01") &&
                     put_text(e, "du", "2021-10-21");
                break;
        default:
                return NULL;
        }
        return ok ? TAKE_PTR(e) : NULL;
}

int hc1_payload_encode(const char *iss, int64_t iat, int64_t exp, DccType type, uint8_t **ret, size_t *ret_len) {
        _cleanup_(cbor_decrefp) cbor_item_t *cwt = cbor_new_definite_map(4), *hcert = cbor_new_definite_map(1),
                                            *dcc = cbor_new_definite_map(4), *nam = cbor_new_definite_map(4),
                                            *list = cbor_new_definite_array(1), *entry = entry_new(type);
        const char *key = type == DCC_TYPE_VACCINATION ? "v" : type == DCC_TYPE_TEST ? "t" : "r";
        unsigned char *buf = NULL;
        size_t size = 0;

        if (!cwt || !hcert || !dcc || !nam || !list || !entry)
                return -ENOMEM;
        if (!cbor_array_push(list, entry))
                return -ENOMEM;
        bool ok = put_text(nam, "fn", "Mustermann") && put_text(nam, "fnt", "MUSTERMANN") &&
                  put_text(nam, "gn", "Erika") && put_text(nam, "gnt", "ERIKA") &&
                  put_text(dcc, "ver", "1.3.0") && put(dcc, cbor_build_string("nam"), cbor_incref(nam)) &&
                  put_text(dcc, "dob", "1964-08-12") && put(dcc, cbor_build_string(key), cbor_incref(list)) &&
                  put(hcert, cbor_build_int64(HCERT_EU_DCC_V1), cbor_incref(dcc)) &&
                  (!iss || put(cwt, cbor_build_int64(CWT_ISS), cbor_build_string(iss))) &&
                  put(cwt, cbor_build_int64(CWT_EXP), cbor_build_int64(exp)) &&
                  put(cwt, cbor_build_int64(CWT_IAT), cbor_build_int64(iat)) &&
                  put(cwt, cbor_build_int64(HCERT_CLAIM), cbor_incref(hcert));
        if (!ok)
                return -ENOMEM;
        size_t n = cbor_serialize_alloc(cwt, &buf, &size);
        if (n == 0)
                return -ENOMEM;
        *ret = buf;
        *ret_len = n;
        return 0;
}

int hc1_wrap(const uint8_t *cose, size_t len, bool compress, char **ret_text) {
        _cleanup_(freep) uint8_t *z = NULL;
        uLongf zlen = compressBound((uLong) len);

        if (!compress)
                return base45_wrap(HC1_PREFIX, cose, len, ret_text);
        z = malloc(zlen);
        if (!z)
                return -ENOMEM;
        if (compress2(z, &zlen, cose, (uLong) len, Z_BEST_COMPRESSION) != Z_OK)
                return -ENOMEM;
        return base45_wrap(HC1_PREFIX, z, zlen, ret_text);
}

int hc1_mint(EVP_PKEY *key, const uint8_t *kid, size_t kid_len, const uint8_t *payload, size_t len,
             const Hc1MintOptions *o, char **ret_text) {
        static const Hc1MintOptions defaults = {};
        _cleanup_(freep) uint8_t *sig = NULL, *cose = NULL, *tagged = NULL;
        uint8_t prot[16 + COSE_KID_MAX], unprot[16 + COSE_KID_MAX];
        size_t prot_len, unprot_len = 0, sig_len, cose_len;
        int64_t alg = cose_alg_for_key(key);
        int r;

        if (!o)
                o = &defaults;
        if (alg == 0)
                return -EKEYREJECTED;
        if (kid_len == 0 || kid_len > COSE_KID_MAX)
                return -EINVAL;

        if (o->kid_unprotected) {
                prot_len = cose_encode_header(prot, alg, NULL, 0);
                unprot_len += cbor_put_head(unprot, 5, 1);
                unprot_len += cbor_put_head(unprot + unprot_len, 0, COSE_HEADER_KID);
                unprot_len += cbor_put_head(unprot + unprot_len, 2, kid_len);
                memcpy(unprot + unprot_len, kid, kid_len);
                unprot_len += kid_len;
        } else {
                prot_len = cose_encode_header(prot, alg, kid, kid_len);
                unprot_len = cbor_put_head(unprot, 5, 0);
        }
        r = cose_sign(key, alg, prot, prot_len, payload, len, &sig, &sig_len);
        if (r < 0)
                return r;
        r = cose_sign1_encode(!o->untagged, prot, prot_len, unprot, unprot_len, payload, len, sig, sig_len,
                              &cose, &cose_len);
        if (r < 0)
                return r;
        if (o->cwt_tag) {
                tagged = malloc(cose_len + 2);
                if (!tagged)
                        return -ENOMEM;
                size_t h = cbor_put_head(tagged, 6, COSE_TAG_CWT);
                memcpy(tagged + h, cose, cose_len);
                free(cose);
                cose = TAKE_PTR(tagged);
                cose_len += h;
        }
        return hc1_wrap(cose, cose_len, !o->no_compress, ret_text);
}

static int set_time(ASN1_TIME *(*get)(const X509 *), X509 *x, int64_t t) {
        return ASN1_TIME_set(get(x), (time_t) t) ? 0 : -EINVAL;
}

int hc1_dsc_make(EVP_PKEY *key, const char *cn, int64_t not_before, int64_t not_after, const char *eku,
                 uint8_t **ret_der, size_t *ret_len) {
        X509 *x = X509_new();
        X509_NAME *name;
        unsigned char *der = NULL;
        int r = -ENOMEM, n;

        if (!x)
                return -ENOMEM;
        name = X509_get_subject_name(x);
        if (X509_set_version(x, X509_VERSION_3) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0) != 1 ||
            X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, key) != 1)
                goto out;
        r = set_time(X509_getm_notBefore, x, not_before);
        if (r >= 0)
                r = set_time(X509_getm_notAfter, x, not_after);
        if (r < 0)
                goto out;
        if (eku) {
                X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, eku);
                r = -EINVAL;
                if (!ext)
                        goto out;
                int ok = X509_add_ext(x, ext, -1);
                X509_EXTENSION_free(ext);
                if (ok != 1)
                        goto out;
        }
        r = -EIO;
        if (X509_sign(x, key, EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256()) <= 0)
                goto out;
        n = i2d_X509(x, &der);
        if (n <= 0)
                goto out;
        *ret_der = malloc((size_t) n);
        if (!*ret_der) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(*ret_der, der, (size_t) n);
        *ret_len = (size_t) n;
        r = 0;
out:
        OPENSSL_free(der);
        X509_free(x);
        ERR_clear_error();
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <string.h>

#include "core/cose.h"

static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetching the digest once spares OpenSSL 3's per-call implicit fetch on the verify path. */
static void sha256_fetch(void) {
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *md_sha256(void) {
        (void) pthread_once(&sha256_once, sha256_fetch);
        return sha256;
}

static int header_parse(const CborItem *map, CoseHeader *h, const char **ret_why) {
        static const int64_t labels[] = { COSE_HEADER_ALG, COSE_HEADER_KID };
        CborItem v[2];
        int r;

        r = cbor_map_lookup(map, labels, 2, v, &h->n_params);
        if (r == -ENOTUNIQ) {
                *ret_why = "a COSE header label occurs twice in one bucket";
                return -EBADMSG;
        }
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0) {
                *ret_why = "COSE header bucket is not a map";
                return -EBADMSG;
        }
        if (cbor_item_present(&v[0])) {
                if (cbor_item_int64(&v[0], &h->alg) < 0) {
                        *ret_why = "COSE alg is not an integer (text algorithms such as \"none\" are not accepted)";
                        return -EPROTONOSUPPORT;
                }
                h->has_alg = true;
        }
        if (cbor_item_present(&v[1])) {
                if (!cbor_item_bytes(&v[1], &h->kid, &h->kid_len)) {
                        *ret_why = "COSE kid is not a byte string";
                        return -EBADMSG;
                }
                if (h->kid_len == 0 || h->kid_len > COSE_KID_MAX) {
                        *ret_why = "COSE kid is empty or longer than 64 bytes";
                        return -EBADMSG;
                }
                h->has_kid = true;
        }
        return 0;
}

int cose_sign1_parse(const uint8_t *buf, size_t len, CoseSign1 *c, const char **ret_why) {
        CborItem root, item[4], prot;
        const char *dummy;
        size_t tags;
        int r;

        if (!ret_why)
                ret_why = &dummy;
        *c = (CoseSign1) {};

        r = cbor_strip_tags(&buf, &len, c->tags, &c->n_tags);
        if (r < 0) {
                *ret_why = "COSE message is empty, truncated, or has more than two tags";
                return r;
        }

        r = cbor_parse_bounded(buf, len, CBOR_MAX_DEPTH, &root, &c->inner_tags, ret_why);
        if (r < 0)
                return r;

        if (!cbor_item_is_array(&root) || root.arg != 4) {
                *ret_why = "COSE_Sign1 is not an array of four items";
                return -EBADMSG;
        }
        r = cbor_item_first(&root, &item[0]);
        for (size_t i = 1; r >= 0 && i < 4; i++)
                r = cbor_item_next(&item[i - 1], &item[i]);
        if (r < 0)
                return *ret_why = "COSE_Sign1 is not an array of four items", -EBADMSG; /* the walk passed it: never */

        if (!cbor_item_bytes(&item[0], &c->protected_raw, &c->protected_len)) {
                *ret_why = "COSE protected header is not a byte string";
                return -EBADMSG;
        }
        /* RFC 9052 §3: an empty protected bucket is a zero-length string, not an empty map. */
        if (c->protected_len > 0) {
                r = cbor_parse_bounded(c->protected_raw, c->protected_len, 2, &prot, &tags, ret_why);
                if (r < 0)
                        return r;
                c->inner_tags += tags;
                r = header_parse(&prot, &c->protected, ret_why);
                if (r < 0)
                        return r;
        }
        r = header_parse(&item[1], &c->unprotected, ret_why);
        if (r < 0)
                return r;

        if (!cbor_item_bytes(&item[2], &c->payload, &c->payload_len)) {
                *ret_why = "COSE payload is not a byte string (detached payloads are not accepted)";
                return -EBADMSG;
        }
        if (!cbor_item_bytes(&item[3], &c->signature, &c->signature_len)) {
                *ret_why = "COSE signature is not a byte string";
                return -EBADMSG;
        }
        return 0;
}

void cose_sign1_done(CoseSign1 *c) {
        *c = (CoseSign1) {};
}

CoseKeyType cose_alg_key_type(int64_t alg) {
        switch (alg) {
        case COSE_ALG_ES256:
                return COSE_KEY_EC_P256;
        case COSE_ALG_EDDSA:
                return COSE_KEY_ED25519;
        case COSE_ALG_PS256:
                return COSE_KEY_RSA;
        default:
                return COSE_KEY_UNSUPPORTED;
        }
}

const char *cose_alg_to_string(int64_t alg) {
        switch (alg) {
        case COSE_ALG_ES256:
                return "ES256";
        case COSE_ALG_EDDSA:
                return "EdDSA";
        case COSE_ALG_PS256:
                return "PS256";
        default:
                return NULL;
        }
}

CoseKeyType cose_key_type(EVP_PKEY *pkey) {
        char group[32];

        switch (EVP_PKEY_get_base_id(pkey)) {
        case EVP_PKEY_EC:
                if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1)
                        return COSE_KEY_UNSUPPORTED;
                return strcmp(group, "prime256v1") == 0 ? COSE_KEY_EC_P256 : COSE_KEY_UNSUPPORTED;
        case EVP_PKEY_ED25519:
                return COSE_KEY_ED25519;
        case EVP_PKEY_RSA:
        case EVP_PKEY_RSA_PSS:
                /* RFC 8230 §5: keys under 2048 bits are not acceptable. */
                return EVP_PKEY_get_bits(pkey) >= 2048 ? COSE_KEY_RSA : COSE_KEY_UNSUPPORTED;
        default:
                return COSE_KEY_UNSUPPORTED;
        }
}

int64_t cose_alg_for_key(EVP_PKEY *pkey) {
        switch (cose_key_type(pkey)) {
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

/* Sig_structure = ["Signature1", body_protected, external_aad (empty), payload] (RFC 9052
 * §4.4), as the heads that come before the protected bucket's bytes and before the payload's. */
typedef struct SigHeads {
        uint8_t before_protected[1 + 11 + 9];
        uint8_t before_payload[1 + 9];
        size_t len_protected, len_payload;
} SigHeads;

static void sig_heads(size_t protected_len, size_t payload_len, SigHeads *h) {
        size_t o = 0;

        o += cbor_put_head(h->before_protected + o, 4, 4);
        o += cbor_put_head(h->before_protected + o, 3, 10);
        memcpy(h->before_protected + o, "Signature1", 10), o += 10;
        o += cbor_put_head(h->before_protected + o, 2, protected_len);
        h->len_protected = o;
        o = cbor_put_head(h->before_payload, 2, 0);
        o += cbor_put_head(h->before_payload + o, 2, payload_len);
        h->len_payload = o;
}

/* The Sig_structure in one malloc()ed buffer, for EdDSA (which signs in one pass) and signing. */
int cose_sig_structure(const uint8_t *protected_raw, size_t protected_len, const uint8_t *payload,
                         size_t payload_len, uint8_t **ret, size_t *ret_len) {
        SigHeads h;
        size_t o = 0;
        uint8_t *b;

        sig_heads(protected_len, payload_len, &h);
        b = malloc(h.len_protected + protected_len + h.len_payload + payload_len);
        if (!b)
                return -ENOMEM;
        memcpy(b + o, h.before_protected, h.len_protected), o += h.len_protected;
        memcpy_safe(b + o, protected_raw, protected_len), o += protected_len;
        memcpy(b + o, h.before_payload, h.len_payload), o += h.len_payload;
        memcpy_safe(b + o, payload, payload_len), o += payload_len;
        *ret = b;
        *ret_len = o;
        return 0;
}

/* RFC 9053 §2.1: an ES256 signature is r||s, 32 bytes each; OpenSSL verifies the DER form, a
 * SEQUENCE of two INTEGERs, each minimal and non-negative (X.690 §8.3). Written here rather
 * than through ECDSA_SIG and two BIGNUMs, whose allocations cost as much as the rest of the
 * COSE layer. out has room for ES256_DER_MAX bytes; returns the length. */
#define ES256_DER_MAX (2 + 2 * (2 + 1 + 32))

static size_t der_integer(uint8_t *out, const uint8_t *be, size_t n) {
        while (n > 1 && be[0] == 0)
                be++, n--;
        size_t pad = be[0] >> 7; /* a leading 1 bit would make it negative */
        out[0] = 0x02;
        out[1] = (uint8_t) (n + pad);
        out[2] = 0;
        memcpy(out + 2 + pad, be, n);
        return 2 + pad + n;
}

static size_t ecdsa_raw_to_der(const uint8_t sig[static 64], uint8_t out[static ES256_DER_MAX]) {
        size_t o = 2;

        o += der_integer(out + o, sig, 32);
        o += der_integer(out + o, sig + 32, 32);
        out[0] = 0x30;
        out[1] = (uint8_t) (o - 2);
        return o;
}

static int ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t out[static 64]) {
        const unsigned char *p = der;
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long) len);
        const BIGNUM *r, *ss;

        if (!s)
                return -EIO;
        ECDSA_SIG_get0(s, &r, &ss);
        int ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(ss, out + 32, 32) == 32;
        ECDSA_SIG_free(s);
        return ok ? 0 : -EIO;
}

/* Sets up ctx for alg; the one place where the algorithm choices meet OpenSSL's API. */
static int digest_init(EVP_MD_CTX *ctx, int64_t alg, EVP_PKEY *pkey, bool sign) {
        EVP_PKEY_CTX *pctx = NULL;
        const EVP_MD *md = alg == COSE_ALG_EDDSA ? NULL : md_sha256();
        int ok;

        if (alg != COSE_ALG_EDDSA && !md)
                return -ENOMEM;
        ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey)
                  : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey);
        if (ok != 1)
                return -EKEYREJECTED;
        if (alg == COSE_ALG_PS256) {
                /* RFC 8230 §2: PSS with SHA-256, MGF1 with SHA-256, salt as long as the hash. */
                if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)
                        return -EKEYREJECTED;
        }
        return 0;
}

int cose_key_init(CoseKey *k, EVP_PKEY *pkey) {
        const EVP_MD *md = md_sha256();
        CoseKeyType type = cose_key_type(pkey);
        EVP_PKEY_CTX *ctx = NULL;

        *k = (CoseKey) {};
        if (type == COSE_KEY_UNSUPPORTED)
                return -EKEYREJECTED;
        if (!md)
                return -ENOMEM;
        if (type != COSE_KEY_ED25519) {
                ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
                if (!ctx)
                        return ERR_clear_error(), -ENOMEM;
                bool ok = EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
                /* RFC 8230 §2: PSS with SHA-256, MGF1 with SHA-256, salt as long as the hash. */
                if (ok && type == COSE_KEY_RSA)
                        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
                             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
                ERR_clear_error();
                if (!ok) {
                        EVP_PKEY_CTX_free(ctx);
                        return -EKEYREJECTED;
                }
        }
        if (EVP_PKEY_up_ref(pkey) != 1) {
                EVP_PKEY_CTX_free(ctx);
                return -ENOMEM;
        }
        *k = (CoseKey) { .pkey = pkey, .type = type, .verify = ctx };
        return 0;
}

void cose_key_done(CoseKey *k) {
        EVP_PKEY_CTX_free(k->verify);
        EVP_PKEY_free(k->pkey);
        *k = (CoseKey) {};
}

/* SHA-256 of the Sig_structure, fed piece by piece so the payload is never copied. */
int cose_sig_digest(const uint8_t *protected_raw, size_t protected_len, const uint8_t *payload, size_t payload_len,
                    uint8_t out[static 32]) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned n = 0;
        SigHeads h;
        bool ok;

        if (!ctx)
                return -ENOMEM;
        sig_heads(protected_len, payload_len, &h);
        ok = EVP_DigestInit_ex2(ctx, md_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, h.before_protected, h.len_protected) == 1 &&
             (protected_len == 0 || EVP_DigestUpdate(ctx, protected_raw, protected_len) == 1) &&
             EVP_DigestUpdate(ctx, h.before_payload, h.len_payload) == 1 &&
             (payload_len == 0 || EVP_DigestUpdate(ctx, payload, payload_len) == 1) &&
             EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
        EVP_MD_CTX_free(ctx);
        return ok ? 0 : -EIO;
}

static int sig_digest(const CoseSign1 *c, uint8_t out[static 32]) {
        return cose_sig_digest(c->protected_raw, c->protected_len, c->payload, c->payload_len, out);
}

/* Ed25519 hashes the message twice, so OpenSSL takes it in one piece, through its own context. */
static int verify_eddsa(const CoseSign1 *c, EVP_PKEY *pkey) {
        _cleanup_(freep) uint8_t *tbs = NULL;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t tbs_len;
        int r;

        if (!ctx)
                return -ENOMEM;
        r = digest_init(ctx, COSE_ALG_EDDSA, pkey, false);
        if (r >= 0)
                r = cose_sig_structure(c->protected_raw, c->protected_len, c->payload, c->payload_len, &tbs, &tbs_len);
        if (r >= 0)
                r = EVP_DigestVerify(ctx, c->signature, c->signature_len, tbs, tbs_len) == 1 ? 0 : -EBADMSG;
        EVP_MD_CTX_free(ctx);
        return r;
}

int cose_sign1_verify(const CoseSign1 *c, int64_t alg, const CoseKey *key) {
        uint8_t der[ES256_DER_MAX], digest[32];
        const uint8_t *sig = c->signature;
        size_t sig_len = c->signature_len;
        EVP_PKEY_CTX *ctx = NULL;
        int r;

        CoseKeyType want = cose_alg_key_type(alg);
        if (want == COSE_KEY_UNSUPPORTED)
                return -EPROTONOSUPPORT;
        if (want != key->type)
                return -EKEYREJECTED;

        if (alg == COSE_ALG_ES256) {
                if (sig_len != 64)
                        return -EBADMSG;
                sig_len = ecdsa_raw_to_der(sig, der);
                sig = der;
        } else if (alg == COSE_ALG_EDDSA && sig_len != 64)
                return -EBADMSG;
        else if (sig_len == 0)
                return -EBADMSG;

        if (alg == COSE_ALG_EDDSA)
                r = verify_eddsa(c, key->pkey);
        else {
                r = sig_digest(c, digest);
                if (r >= 0) {
                        /* A copy of the key's context: cheap, and the key's own stays untouched. */
                        ctx = EVP_PKEY_CTX_dup(key->verify);
                        r = !ctx ? -ENOMEM : EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)) == 1 ? 0 : -EBADMSG;
                }
        }
        /* A failed verification leaves entries in OpenSSL's per-thread error queue; a stream of
         * forged codes must not make it grow. */
        ERR_clear_error();
        EVP_PKEY_CTX_free(ctx);
        return r;
}

int cose_sign(EVP_PKEY *pkey, int64_t alg, const uint8_t *protected_raw, size_t protected_len,
              const uint8_t *payload, size_t payload_len, uint8_t **ret_sig, size_t *ret_sig_len) {
        _cleanup_(freep) uint8_t *tbs = NULL, *sig = NULL;
        size_t tbs_len, sig_len = 0;
        EVP_MD_CTX *ctx = NULL;
        int r;

        if (cose_alg_key_type(alg) == COSE_KEY_UNSUPPORTED)
                return -EPROTONOSUPPORT;
        if (cose_alg_key_type(alg) != cose_key_type(pkey))
                return -EKEYREJECTED;

        r = cose_sig_structure(protected_raw, protected_len, payload, payload_len, &tbs, &tbs_len);
        if (r < 0)
                return r;
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        r = digest_init(ctx, alg, pkey, true);
        if (r < 0)
                goto out;
        r = -EIO;
        if (EVP_DigestSign(ctx, NULL, &sig_len, tbs, tbs_len) != 1)
                goto out;
        sig = malloc(sig_len);
        if (!sig) {
                r = -ENOMEM;
                goto out;
        }
        if (EVP_DigestSign(ctx, sig, &sig_len, tbs, tbs_len) != 1)
                goto out;
        if (alg == COSE_ALG_ES256) {
                uint8_t *raw = malloc(64);
                if (!raw || ecdsa_der_to_raw(sig, sig_len, raw) < 0) {
                        free(raw);
                        goto out;
                }
                free(sig);
                sig = raw;
                sig_len = 64;
        }
        *ret_sig = TAKE_PTR(sig);
        *ret_sig_len = sig_len;
        r = 0;
out:
        ERR_clear_error();
        EVP_MD_CTX_free(ctx);
        return r;
}

static size_t put_int(uint8_t *out, int64_t v) {
        return v >= 0 ? cbor_put_head(out, 0, (uint64_t) v) : cbor_put_head(out, 1, (uint64_t) (-1 - v));
}

size_t cose_encode_header(uint8_t *out, int64_t alg, const uint8_t *kid, size_t kid_len) {
        size_t o = cbor_put_head(out, 5, kid_len > 0 ? 2 : 1);

        o += put_int(out + o, COSE_HEADER_ALG);
        o += put_int(out + o, alg);
        if (kid_len > 0) {
                o += put_int(out + o, COSE_HEADER_KID);
                o += cbor_put_head(out + o, 2, kid_len);
                memcpy(out + o, kid, kid_len);
                o += kid_len;
        }
        return o;
}

int cose_sign1_encode(bool tagged, const uint8_t *protected_raw, size_t protected_len,
                      const uint8_t *unprotected, size_t unprotected_len,
                      const uint8_t *payload, size_t payload_len,
                      const uint8_t *sig, size_t sig_len, uint8_t **ret, size_t *ret_len) {
        size_t n = 2 + 1 + 3 * 9 + protected_len + unprotected_len + payload_len + sig_len, o = 0;
        uint8_t *b = malloc(n);

        if (!b)
                return -ENOMEM;
        if (tagged)
                o += cbor_put_head(b + o, 6, COSE_TAG_SIGN1);
        o += cbor_put_head(b + o, 4, 4);
        o += cbor_put_head(b + o, 2, protected_len);
        memcpy_safe(b + o, protected_raw, protected_len), o += protected_len;
        memcpy_safe(b + o, unprotected, unprotected_len), o += unprotected_len;
        o += cbor_put_head(b + o, 2, payload_len);
        memcpy_safe(b + o, payload, payload_len), o += payload_len;
        o += cbor_put_head(b + o, 2, sig_len);
        memcpy_safe(b + o, sig, sig_len), o += sig_len;
        *ret = b;
        *ret_len = o;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <string.h>

#include "core/base45.h"
#include "core/cbor-util.h"
#include "core/cose.h"
#include "core/macro.h"
#include "core/string-table.h"
#include "core/receipt.h"

static const char *const receipt_kind_table[_RECEIPT_KIND_MAX] = {
        [RECEIPT_CHECKOUT] = "checkout",
        [RECEIPT_CHECKIN] = "checkin",
        [RECEIPT_RENEW] = "renew",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(receipt_kind, ReceiptKind);
DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(receipt_kind, ReceiptKind);

static const char *const receipt_outcome_table[_RECEIPT_OUTCOME_MAX] = {
        [RECEIPT_OK] = "ok",
        [RECEIPT_REFUSED] = "refused",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(receipt_outcome, ReceiptOutcome);
DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(receipt_outcome, ReceiptOutcome);

const char *receipt_error_to_string(int error) {
        switch (error) {
        case -ENOMSG:
                return "not-a-receipt";
        case -EBADMSG:
                return "malformed";
        case -EPROTONOSUPPORT:
                return "unsupported";
        case -ENOKEY:
                return "wrong-key";
        case -EKEYREJECTED:
                return "bad-signature";
        default:
                return NULL;
        }
}

static int fail(const char **ret_why, int error, const char *why) {
        if (ret_why)
                *ret_why = why;
        return error;
}

/* Texts are shown on a kiosk screen and printed by `qrgatectl receipt verify` on a terminal: no
 * C0 or C1 control character (an escape sequence could rewrite what the terminal shows). */
static bool text_ok(const char *s, size_t n, size_t min, size_t max) {
        const uint8_t *u = (const uint8_t *) s;

        if (n < min || n > max || !cbor_text_valid(u, n))
                return false;
        for (size_t i = 0; i < n; i++)
                if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0))
                        return false;
        return true;
}

static bool time_ok(int64_t t) {
        return t >= 0 && t <= RECEIPT_TIME_MAX;
}

static int item_check(const ReceiptItem *it, const char **ret_why) {
        if (!receipt_kind_to_string(it->kind))
                return fail(ret_why, -EINVAL, "an item's kind is not checkout, checkin or renew");
        if (!receipt_outcome_to_string(it->outcome))
                return fail(ret_why, -EINVAL, "an item's outcome is not ok or refused");
        if (!text_ok(it->id, strnlen(it->id, sizeof(it->id)), 1, RECEIPT_ITEM_ID_MAX))
                return fail(ret_why, -EINVAL, "an item id is empty, longer than 64 bytes, not UTF-8 or has a control character");
        if (receipt_item_has_due(it) ? !time_ok(it->due) || it->due == 0 : it->due != 0)
                return fail(ret_why, -EINVAL, "a loan or renewal needs a due date (0-253402300799), a return or refusal has none");
        if (it->outcome == RECEIPT_REFUSED) {
                if (!text_ok(it->words, strnlen(it->words, sizeof(it->words)), 0, RECEIPT_WORDS_MAX))
                        return fail(ret_why, -EINVAL, "the ILS's words are longer than 128 bytes, not UTF-8 or have a control character");
        } else if (it->words[0])
                return fail(ret_why, -EINVAL, "an item that went through carries the ILS's words");
        return 0;
}

int receipt_check(const Receipt *r, const char **ret_why) {
        int q;

        if (!text_ok(r->station, strnlen(r->station, sizeof(r->station)), 1, RECEIPT_STATION_MAX))
                return fail(ret_why, -EINVAL, "the station id is empty, longer than 64 bytes, not UTF-8 or has a control character");
        if (!time_ok(r->time))
                return fail(ret_why, -EINVAL, "the session time is outside 0-253402300799");
        if (r->patron_len < 1 || r->patron_len > RECEIPT_PATRON_MAX)
                return fail(ret_why, -EINVAL, "the patron pseudonym is not 1-32 bytes");
        if (r->n_items < 1 || r->n_items > RECEIPT_ITEMS_MAX)
                return fail(ret_why, -EINVAL, "a receipt has 1-64 items");
        for (size_t i = 0; i < r->n_items; i++) {
                q = item_check(&r->items[i], ret_why);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* OpenSSL's errors end here. */
int receipt_key_id_pkey(EVP_PKEY *key, uint8_t ret[static RECEIPT_KID_SIZE]) {
        unsigned char *der = NULL;
        int n, r;

        if (!key || cose_key_type(key) != COSE_KEY_EC_P256)
                return ERR_clear_error(), -EINVAL;
        n = i2d_PUBKEY(key, &der);
        if (n <= 0)
                return ERR_clear_error(), -ENOMEM;
        r = receipt_key_id(der, (size_t) n, ret);
        OPENSSL_free(der);
        return r;
}

int receipt_key_id(const uint8_t *spki, size_t spki_size, uint8_t ret[static RECEIPT_KID_SIZE]) {
        const unsigned char *p = spki;
        uint8_t md[32];
        unsigned n = 0;
        EVP_PKEY *key;
        bool ok;

        /* Only a P-256 key can have signed a receipt: refuse others here rather than name them. */
        key = d2i_PUBKEY(NULL, &p, (long) spki_size);
        ok = key && p == spki + spki_size && cose_key_type(key) == COSE_KEY_EC_P256;
        EVP_PKEY_free(key);
        ERR_clear_error();
        if (!ok)
                return -EINVAL;
        if (EVP_Digest(spki, spki_size, md, &n, md_sha256(), NULL) != 1 || n != sizeof(md))
                return ERR_clear_error(), -EIO;
        memcpy(ret, md, RECEIPT_KID_SIZE);
        return 0;
}

/* Writers of the payload's pieces: each returns the bytes written at out + o. */
static size_t put_uint(uint8_t *out, uint64_t v) {
        return cbor_put_head(out, CBOR_MAJOR_UINT, v);
}

static size_t put_text(uint8_t *out, const char *s) {
        size_t n = strlen(s), o = cbor_put_head(out, CBOR_MAJOR_TEXT, n);

        memcpy_safe(out + o, s, n);
        return o + n;
}

/* The payload in out (RECEIPT_COSE_MAX bytes, more than receipt_check()'s bounds can fill),
 * keys in ascending order, integers in their shortest form (RFC 8949 §4.2.1): the same
 * receipt always gives the same bytes. */
static size_t encode_payload(const Receipt *r, uint8_t *out) {
        size_t o = cbor_put_head(out, CBOR_MAJOR_MAP, 5);

        o += put_uint(out + o, RECEIPT_KEY_VERSION);
        o += put_uint(out + o, RECEIPT_FORMAT_VERSION);
        o += put_uint(out + o, RECEIPT_KEY_STATION);
        o += put_text(out + o, r->station);
        o += put_uint(out + o, RECEIPT_KEY_TIME);
        o += put_uint(out + o, (uint64_t) r->time);
        o += put_uint(out + o, RECEIPT_KEY_PATRON);
        o += cbor_put_head(out + o, CBOR_MAJOR_BYTES, r->patron_len);
        memcpy(out + o, r->patron, r->patron_len), o += r->patron_len;
        o += put_uint(out + o, RECEIPT_KEY_ITEMS);
        o += cbor_put_head(out + o, CBOR_MAJOR_ARRAY, r->n_items);
        for (size_t i = 0; i < r->n_items; i++) {
                const ReceiptItem *it = &r->items[i];

                /* A return that went through has neither a due date nor words. */
                bool fourth = receipt_item_has_due(it) || it->outcome == RECEIPT_REFUSED;

                o += cbor_put_head(out + o, CBOR_MAJOR_MAP, fourth ? 4 : 3);
                o += put_uint(out + o, RECEIPT_ITEM_KIND);
                o += put_uint(out + o, (uint64_t) it->kind);
                o += put_uint(out + o, RECEIPT_ITEM_ID);
                o += put_text(out + o, it->id);
                o += put_uint(out + o, RECEIPT_ITEM_OUTCOME);
                o += put_uint(out + o, (uint64_t) it->outcome);
                if (receipt_item_has_due(it)) {
                        o += put_uint(out + o, RECEIPT_ITEM_DUE);
                        o += put_uint(out + o, (uint64_t) it->due);
                } else if (it->outcome == RECEIPT_REFUSED) {
                        o += put_uint(out + o, RECEIPT_ITEM_WORDS);
                        o += put_text(out + o, it->words);
                }
        }
        return o;
}

/* The protected header and the payload of receipt r: what is signed. */
typedef struct Encoded {
        uint8_t protected_raw[16 + RECEIPT_KID_SIZE];
        size_t protected_len;
        uint8_t *payload; /* RECEIPT_COSE_MAX bytes, malloc()ed */
        size_t payload_len;
} Encoded;

static void encoded_done(Encoded *e) {
        free(e->payload);
        e->payload = NULL;
}

static int encode(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE], Encoded *ret) {
        int q;

        *ret = (Encoded) {};
        q = receipt_check(r, NULL);
        if (q < 0)
                return q;
        ret->payload = malloc(RECEIPT_COSE_MAX);
        if (!ret->payload)
                return -ENOMEM;
        ret->payload_len = encode_payload(r, ret->payload);
        ret->protected_len = cose_encode_header(ret->protected_raw, COSE_ALG_ES256, kid, RECEIPT_KID_SIZE);
        return 0;
}

int receipt_to_be_signed(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE], uint8_t ret_digest[static 32]) {
        _cleanup_(encoded_done) Encoded e = {};
        int q;

        q = encode(r, kid, &e);
        if (q < 0)
                return q;
        return cose_sig_digest(e.protected_raw, e.protected_len, e.payload, e.payload_len, ret_digest);
}

int receipt_sig_structure(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE], uint8_t **ret, size_t *ret_len) {
        _cleanup_(encoded_done) Encoded e = {};
        int q;

        q = encode(r, kid, &e);
        if (q < 0)
                return q;
        return cose_sig_structure(e.protected_raw, e.protected_len, e.payload, e.payload_len, ret, ret_len);
}

int receipt_assemble(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE],
                     const uint8_t sig[static RECEIPT_SIGNATURE_SIZE], uint8_t **ret, size_t *ret_len) {
        _cleanup_(encoded_done) Encoded e = {};
        int q;

        q = encode(r, kid, &e);
        if (q < 0)
                return q;
        /* Tagged 18 and with an empty unprotected bucket, as QG1 codes (docs/code-format.md §2):
         * nothing a relay could change without breaking the signature. */
        return cose_sign1_encode(true, e.protected_raw, e.protected_len, (const uint8_t *) "\xa0", 1, e.payload,
                                 e.payload_len, sig, RECEIPT_SIGNATURE_SIZE, ret, ret_len);
}

int receipt_text(const uint8_t *cose, size_t len, char **ret_text) {
        return base45_wrap(RECEIPT_PREFIX, cose, len, ret_text);
}

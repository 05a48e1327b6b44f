/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Signed lending receipts (issue 17, docs/receipts.md): what a finished lending session gave —
 * station, time, the patron's pseudonym, each item with its due date or the ILS's refusal — as
 * a COSE_Sign1 (RFC 9052 §4.2, ES256) signed by the appliance's device key in its PKCS#11 token,
 * and as text for a QR code: "QGR1:" + Base45 (RFC 9285) of the COSE bytes.
 *
 * Signing is split so that the token can sign on its own time: receipt_to_be_signed() gives
 * what the token signs, receipt_assemble() puts its r||s signature into the receipt. Encoding is
 * deterministic, so both calls encode the same Receipt to the same bytes.
 *
 * A Receipt holds copies, no pointers: it needs no freeing. The library never logs. */

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECEIPT_PREFIX "QGR1:"
#define RECEIPT_FORMAT_VERSION 1

#define RECEIPT_STATION_MAX 64 /* bytes of UTF-8 */
#define RECEIPT_PATRON_MAX 32  /* an HMAC-SHA256 pseudonym, or a prefix of one */
#define RECEIPT_ITEM_ID_MAX 64
#define RECEIPT_WORDS_MAX 128
#define RECEIPT_ITEMS_MAX 64
#define RECEIPT_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z, as for codes */
#define RECEIPT_KID_SIZE 8
#define RECEIPT_SIGNATURE_SIZE 64 /* ES256: r || s (RFC 9053 §2.1), as the token signs */
/* Bounds the COSE bytes of any receipt within the limits above (64 refused items with the
 * longest ids and words come to about 14 KiB), and so the text a parser reads. */
#define RECEIPT_COSE_MAX 16384
#define RECEIPT_TEXT_MAX (sizeof(RECEIPT_PREFIX) - 1 + RECEIPT_COSE_MAX / 2 * 3)

/* The payload's CBOR map keys (docs/receipts.md, "The payload"): small integers keep a receipt
 * short enough for a QR code. */
typedef enum ReceiptKey {
        RECEIPT_KEY_VERSION = 1, /* unsigned: RECEIPT_FORMAT_VERSION */
        RECEIPT_KEY_STATION = 2, /* text */
        RECEIPT_KEY_TIME = 3,    /* unsigned: unix seconds */
        RECEIPT_KEY_PATRON = 4,  /* bytes: the pseudonym */
        RECEIPT_KEY_ITEMS = 5,   /* array of item maps */
        _RECEIPT_KEY_MAX,
} ReceiptKey;

typedef enum ReceiptItemKey {
        RECEIPT_ITEM_KIND = 1,    /* unsigned: ReceiptKind */
        RECEIPT_ITEM_ID = 2,      /* text */
        RECEIPT_ITEM_OUTCOME = 3, /* unsigned: ReceiptOutcome */
        RECEIPT_ITEM_DUE = 4,     /* unsigned: unix seconds; a loan or renewal that went through */
        RECEIPT_ITEM_WORDS = 5,   /* text: the ILS's words; a refusal */
        _RECEIPT_ITEM_KEY_MAX,
} ReceiptItemKey;

typedef enum ReceiptKind {
        RECEIPT_CHECKOUT = 1, /* the values are the CBOR encoding's (docs/receipts.md) */
        RECEIPT_CHECKIN = 2,
        RECEIPT_RENEW = 3,
        _RECEIPT_KIND_MAX,
        _RECEIPT_KIND_INVALID = -EINVAL,
} ReceiptKind;

typedef enum ReceiptOutcome {
        RECEIPT_OK = 0,
        RECEIPT_REFUSED = 1,
        _RECEIPT_OUTCOME_MAX,
        _RECEIPT_OUTCOME_INVALID = -EINVAL,
} ReceiptOutcome;

typedef struct ReceiptItem {
        ReceiptKind kind;
        ReceiptOutcome outcome;
        char id[RECEIPT_ITEM_ID_MAX + 1]; /* the item's barcode, 1–64 bytes */
        /* A loan's or renewal's due date (unix seconds): set when the outcome is ok and the
         * kind is not a checkin (a return has none), 0 and absent from the receipt otherwise. */
        int64_t due;
        char words[RECEIPT_WORDS_MAX + 1]; /* when refused: the ILS's words (may be empty) */
} ReceiptItem;

/* Whether an item carries a due date: a checkout or renewal that went through. */
static inline bool receipt_item_has_due(const ReceiptItem *it) {
        return it->outcome == RECEIPT_OK && it->kind != RECEIPT_CHECKIN;
}

typedef struct Receipt {
        char station[RECEIPT_STATION_MAX + 1]; /* 1–64 bytes */
        int64_t time;                          /* when the session finished, unix seconds */
        uint8_t patron[RECEIPT_PATRON_MAX];    /* the patron's pseudonym, 1–32 bytes */
        size_t patron_len;
        ReceiptItem items[RECEIPT_ITEMS_MAX];  /* 1–64 */
        size_t n_items;
} Receipt;

/* Checks r against the format's bounds: every text 1..max bytes (words 0..max) of UTF-8 without
 * control characters, times in 0..RECEIPT_TIME_MAX, a due date exactly where the item has one.
 * Returns 0 or -EINVAL with *ret_why (may be NULL) saying what. */
int receipt_check(const Receipt *r, const char **ret_why);

/* The key id of a station key, which names it in the receipt's protected header: the first 8
 * bytes of SHA-256 of its SubjectPublicKeyInfo DER (what `qrgatectl token pubkey --der`
 * writes). -EINVAL for a key that is not an EC P-256 public key, -ENOMEM. */
int receipt_key_id(const uint8_t *spki, size_t spki_size, uint8_t ret[static RECEIPT_KID_SIZE]);
int receipt_key_id_pkey(EVP_PKEY *key, uint8_t ret[static RECEIPT_KID_SIZE]);

/* What the device key signs for receipt r under key id kid: the SHA-256 digest of the COSE
 * Sig_structure, for token_sign_digest(); and the Sig_structure itself (malloc()ed, the
 * caller frees it), for token_sign_async(), which hashes what it is given. Returns 0, -EINVAL
 * (r out of bounds, see receipt_check()), -ENOMEM, -EIO. */
int receipt_to_be_signed(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE],
                         uint8_t ret_digest[static 32]);
int receipt_sig_structure(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE], uint8_t **ret,
                          size_t *ret_len);

/* The receipt's COSE bytes with the signature sig (r || s) made over what
 * receipt_to_be_signed() gave for the same r and kid; a malloc()ed buffer the caller frees.
 * The signature is not checked here. -EINVAL, -ENOMEM. */
int receipt_assemble(const Receipt *r, const uint8_t kid[static RECEIPT_KID_SIZE],
                     const uint8_t sig[static RECEIPT_SIGNATURE_SIZE], uint8_t **ret, size_t *ret_len);

/* RECEIPT_PREFIX + Base45 of the COSE bytes, NUL-terminated and malloc()ed (the caller frees
 * it): the text for a QR code. A receipt's text may be too long for one QR code (about 3,400
 * characters at error correction M) when many items were refused with long words. -ENOMEM. */
int receipt_text(const uint8_t *cose, size_t len, char **ret_text);

/* Checks a receipt's text (RECEIPT_PREFIX and Base45, nothing around it) and reads it into
 * *ret; receipt_parse_verify_cose() does the same for the COSE bytes. key is the station's
 * public key (the caller keeps its reference). *ret is cleared unless the receipt is valid.
 * Returns 0, or:
 *   -ENOMSG           not a receipt: the text does not start with "QGR1:"
 *   -EBADMSG          malformed: bad Base45, not a COSE_Sign1 as receipts are, a payload that
 *                     breaks the format (unknown or duplicate keys, wrong types, values out of
 *                     bounds), longer than RECEIPT_TEXT_MAX
 *   -EPROTONOSUPPORT  another format version or algorithm than this code knows
 *   -ENOKEY           signed by another key (its key id is not this key's)
 *   -EKEYREJECTED     the signature does not verify: the receipt was changed, or forged
 *   -EINVAL           key is not an EC P-256 public key
 *   -ENOMEM, -EIO
 * The signature is checked before anything in the payload is read. *ret_why (may be NULL)
 * is set to a short English explanation of a failure, a static string. */
int receipt_parse_verify(const char *text, size_t len, EVP_PKEY *key, Receipt *ret, const char **ret_why);
int receipt_parse_verify_cose(const uint8_t *cose, size_t len, EVP_PKEY *key, Receipt *ret, const char **ret_why);

/* A stable word for receipt_parse_verify()'s errors ("not-a-receipt", "malformed",
 * "unsupported", "wrong-key", "bad-signature"), NULL for others. */
const char *receipt_error_to_string(int error);

const char *receipt_kind_to_string(ReceiptKind k);
ReceiptKind receipt_kind_from_string(const char *s);
const char *receipt_outcome_to_string(ReceiptOutcome o);
ReceiptOutcome receipt_outcome_from_string(const char *s);

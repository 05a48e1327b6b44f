/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a receipt off the box: the structure, the key id, the signature, and only then the
 * payload, strictly — a receipt is evidence, so anything this code does not understand makes it
 * invalid rather than being skipped. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "core/base45.h"
#include "core/cbor-util.h"
#include "core/cose.h"
#include "core/macro.h"
#include "core/receipt.h"

static int fail(const char **ret_why, int error, const char *why) {
        if (ret_why)
                *ret_why = why;
        return error;
}

static void cose_keyp(CoseKey *k) {
        cose_key_done(k);
}

/* Looks up the labels 1..n-1 of map into v[1..n-1], refusing duplicates and any other key. */
static int map_strict(const CborItem *map, size_t n, CborItem *v, const char **ret_why) {
        int64_t labels[8];
        size_t size = 0, found = 0;
        int r;

        assert(n <= ELEMENTSOF(labels));
        for (size_t i = 0; i < n; i++)
                labels[i] = (int64_t) i;
        r = cbor_map_lookup(map, labels, n, v, &size);
        if (r == -ENOTUNIQ)
                return fail(ret_why, -EBADMSG, "a key occurs twice in a map of the receipt");
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(ret_why, -EBADMSG, "a map was expected in the receipt");
        for (size_t i = 0; i < n; i++)
                found += cbor_item_present(&v[i]);
        /* Key 0 is looked up only to be refused with the unknown ones. */
        if (found != size || cbor_item_present(&v[0]))
                return fail(ret_why, -EBADMSG, "a map of the receipt has a key this format does not define");
        return 0;
}

static bool get_uint(const CborItem *it, int64_t max, int64_t *ret) {
        int64_t v;

        if (!cbor_item_present(it) || it->major != CBOR_MAJOR_UINT || cbor_item_int64(it, &v) < 0 || v > max)
                return false;
        *ret = v;
        return true;
}

/* A text into buf (max + 1 bytes), within min..max bytes; receipt_check() then judges its
 * characters as the writer's does. */
static bool get_text(const CborItem *it, size_t min, size_t max, char *buf) {
        const char *s;
        size_t n;

        if (!cbor_item_present(it) || !cbor_item_text(it, &s, &n) || n < min || n > max || memchr(s, 0, n))
                return false;
        memcpy_safe(buf, s, n);
        buf[n] = 0;
        return true;
}

static int parse_item(const CborItem *map, ReceiptItem *it, const char **ret_why) {
        CborItem v[_RECEIPT_ITEM_KEY_MAX];
        int64_t kind, outcome;
        int r;

        r = map_strict(map, _RECEIPT_ITEM_KEY_MAX, v, ret_why);
        if (r < 0)
                return r;
        if (!get_uint(&v[RECEIPT_ITEM_KIND], _RECEIPT_KIND_MAX - 1, &kind) || kind < RECEIPT_CHECKOUT)
                return fail(ret_why, -EBADMSG, "an item's kind (1) is missing or not 1-3");
        if (!get_uint(&v[RECEIPT_ITEM_OUTCOME], _RECEIPT_OUTCOME_MAX - 1, &outcome))
                return fail(ret_why, -EBADMSG, "an item's outcome (3) is missing or not 0-1");
        it->kind = (ReceiptKind) kind;
        it->outcome = (ReceiptOutcome) outcome;
        if (!get_text(&v[RECEIPT_ITEM_ID], 1, RECEIPT_ITEM_ID_MAX, it->id))
                return fail(ret_why, -EBADMSG, "an item's id (2) is missing, not text, or not 1-64 bytes");
        if (cbor_item_present(&v[RECEIPT_ITEM_DUE]) && !get_uint(&v[RECEIPT_ITEM_DUE], RECEIPT_TIME_MAX, &it->due))
                return fail(ret_why, -EBADMSG, "an item's due date (4) is not an integer in 0-253402300799");
        if (cbor_item_present(&v[RECEIPT_ITEM_WORDS]) && !get_text(&v[RECEIPT_ITEM_WORDS], 0, RECEIPT_WORDS_MAX, it->words))
                return fail(ret_why, -EBADMSG, "an item's words (5) are not text of at most 128 bytes");
        /* Which of due date and words an item has follows from its kind and outcome. Presence
         * is checked here: a due date of 0 would pass receipt_check() on an item with none. */
        if (cbor_item_present(&v[RECEIPT_ITEM_DUE]) != receipt_item_has_due(it))
                return fail(ret_why, -EBADMSG, "a due date (4) where none belongs, or a loan or renewal without one");
        if (it->outcome == RECEIPT_REFUSED && !cbor_item_present(&v[RECEIPT_ITEM_WORDS]))
                return fail(ret_why, -EBADMSG, "a refused item has no words (5)");
        if (it->outcome == RECEIPT_OK && cbor_item_present(&v[RECEIPT_ITEM_WORDS]))
                return fail(ret_why, -EBADMSG, "an item that went through has words (5)");
        return 0;
}

static int parse_payload(const uint8_t *p, size_t len, Receipt *ret, const char **ret_why) {
        CborItem root, v[_RECEIPT_KEY_MAX], item;
        size_t tags = 0;
        int64_t version;
        const uint8_t *patron;
        const char *why;
        int r;

        /* map → items array → item map → its values: four levels (the map being level 1). */
        r = cbor_parse_bounded(p, len, 4, &root, &tags, ret_why);
        if (r < 0)
                return r;
        if (tags > 0)
                return fail(ret_why, -EBADMSG, "a CBOR tag inside the receipt's payload");
        r = map_strict(&root, _RECEIPT_KEY_MAX, v, ret_why);
        if (r < 0)
                return r;
        if (!get_uint(&v[RECEIPT_KEY_VERSION], INT64_MAX, &version))
                return fail(ret_why, -EBADMSG, "the format version (1) is missing or not an unsigned integer");
        if (version != RECEIPT_FORMAT_VERSION)
                return fail(ret_why, -EPROTONOSUPPORT, "the receipt is of another format version than 1");
        if (!get_text(&v[RECEIPT_KEY_STATION], 1, RECEIPT_STATION_MAX, ret->station))
                return fail(ret_why, -EBADMSG, "the station (2) is missing, not text, or not 1-64 bytes");
        if (!get_uint(&v[RECEIPT_KEY_TIME], RECEIPT_TIME_MAX, &ret->time))
                return fail(ret_why, -EBADMSG, "the time (3) is missing or not an integer in 0-253402300799");
        if (!cbor_item_present(&v[RECEIPT_KEY_PATRON]) || !cbor_item_bytes(&v[RECEIPT_KEY_PATRON], &patron, &ret->patron_len) ||
            v[RECEIPT_KEY_PATRON].major != CBOR_MAJOR_BYTES || ret->patron_len < 1 || ret->patron_len > RECEIPT_PATRON_MAX)
                return fail(ret_why, -EBADMSG, "the patron pseudonym (4) is missing, not a byte string, or not 1-32 bytes");
        memcpy(ret->patron, patron, ret->patron_len);
        if (!cbor_item_is_array(&v[RECEIPT_KEY_ITEMS]) || v[RECEIPT_KEY_ITEMS].arg < 1 || v[RECEIPT_KEY_ITEMS].arg > RECEIPT_ITEMS_MAX)
                return fail(ret_why, -EBADMSG, "the items (5) are missing, not an array, or not 1-64");
        ret->n_items = (size_t) v[RECEIPT_KEY_ITEMS].arg;
        for (size_t i = 0; i < ret->n_items; i++) {
                r = i == 0 ? cbor_item_first(&v[RECEIPT_KEY_ITEMS], &item) : cbor_item_next(&item, &item);
                if (r < 0)
                        return fail(ret_why, -EBADMSG, "the items array is cut short");
                r = parse_item(&item, &ret->items[i], ret_why);
                if (r < 0)
                        return r;
        }
        /* The writer's own rules (texts without control characters, a due date exactly where
         * one belongs): what verifies is what receipt_assemble() could have made. */
        if (receipt_check(ret, &why) < 0)
                return fail(ret_why, -EBADMSG, why);
        return 0;
}

/* The COSE_Sign1 as receipts are made (receipt_assemble()): tag 18 and no other, ES256, the
 * 8-byte key id, both protected, nothing else in either header. */
static int check_structure(const CoseSign1 *c, const char **ret_why) {
        if (c->n_tags != 1 || c->tags[0] != COSE_TAG_SIGN1)
                return fail(ret_why, -EBADMSG, "a receipt is a COSE_Sign1 with the tag 18 and no other");
        if (c->inner_tags > 0)
                return fail(ret_why, -EBADMSG, "a CBOR tag inside the COSE message");
        if (c->unprotected.n_params > 0)
                return fail(ret_why, -EBADMSG, "the unprotected header is not empty");
        if (!c->protected.has_alg || !c->protected.has_kid || c->protected.n_params != 2)
                return fail(ret_why, -EBADMSG, "the protected header does not hold exactly alg (1) and kid (4)");
        if (c->protected.alg != COSE_ALG_ES256)
                return fail(ret_why, -EPROTONOSUPPORT, "the receipt is not signed with ES256");
        if (c->protected.kid_len != RECEIPT_KID_SIZE)
                return fail(ret_why, -EBADMSG, "the key id is not 8 bytes");
        return 0;
}

int receipt_parse_verify_cose(const uint8_t *cose, size_t len, EVP_PKEY *key, Receipt *ret, const char **ret_why) {
        _cleanup_(cose_keyp) CoseKey ck = {};
        uint8_t kid[RECEIPT_KID_SIZE];
        CoseSign1 c;
        const char *why = NULL;
        int r;

        memset(ret, 0, sizeof(*ret));
        r = receipt_key_id_pkey(key, kid);
        if (r < 0)
                return fail(ret_why, r, r == -EINVAL ? "the key is not an EC P-256 public key" : "out of memory");
        if (len > RECEIPT_COSE_MAX)
                return fail(ret_why, -EBADMSG, "longer than any receipt");

        r = cose_sign1_parse(cose, len, &c, &why);
        if (r == -EPROTONOSUPPORT || r == -ENOMEM)
                return fail(ret_why, r, why);
        if (r < 0)
                return fail(ret_why, -EBADMSG, why);
        r = check_structure(&c, ret_why);
        if (r < 0)
                return r;
        if (memcmp(c.protected.kid, kid, RECEIPT_KID_SIZE) != 0)
                return fail(ret_why, -ENOKEY, "signed by another key than this one (the key ids differ)");

        r = cose_key_init(&ck, key);
        if (r < 0)
                return fail(ret_why, r == -EKEYREJECTED ? -EINVAL : r, "the key cannot verify ES256");
        r = cose_sign1_verify(&c, COSE_ALG_ES256, &ck);
        if (r == -EBADMSG)
                return fail(ret_why, -EKEYREJECTED, "the signature does not verify: the receipt was changed, or not signed by this key");
        if (r < 0)
                return fail(ret_why, r, "the signature could not be checked");

        r = parse_payload(c.payload, c.payload_len, ret, ret_why);
        if (r < 0)
                memset(ret, 0, sizeof(*ret));
        return r;
}

int receipt_parse_verify(const char *text, size_t len, EVP_PKEY *key, Receipt *ret, const char **ret_why) {
        _cleanup_(freep) uint8_t *cose = NULL;
        const size_t plen = strlen(RECEIPT_PREFIX);
        size_t bad = 0;
        int n;

        memset(ret, 0, sizeof(*ret));
        if (len < plen || memcmp(text, RECEIPT_PREFIX, plen) != 0)
                return fail(ret_why, -ENOMSG, "not a receipt (it does not start with \"" RECEIPT_PREFIX "\")");
        if (len > RECEIPT_TEXT_MAX)
                return fail(ret_why, -EBADMSG, "longer than any receipt");
        cose = malloc(base45_decoded_max(len - plen));
        if (!cose)
                return -ENOMEM;
        n = base45_decode(text + plen, len - plen, cose, &bad);
        if (n < 0)
                return fail(ret_why, -EBADMSG, "the text after \"" RECEIPT_PREFIX "\" is not Base45");
        return receipt_parse_verify_cose(cose, (size_t) n, key, ret, ret_why);
}

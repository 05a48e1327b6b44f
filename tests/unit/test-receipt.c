/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lending receipts (core/receipt.h, docs/receipts.md): signed as the token signs — a digest
 * in, r||s out — and read back; every field's bounds; and each way a receipt can be wrong told
 * apart: not a receipt, malformed, another key, a changed byte. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cbor-util.h"
#include "core/cose.h"
#include "core/receipt.h"
#include "tests/unit/helper-codes.h"

static EVP_PKEY *key, *other;
static Receipt rc, back; /* 13 KiB each: not on the test's stack */

/* What a token does with the digest: CKM_ECDSA, then r||s (PKCS#11 gives it so). */
static void sign_digest(EVP_PKEY *k, const uint8_t digest[32], uint8_t sig[64]) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
        uint8_t der[80];
        size_t n = sizeof(der);
        const unsigned char *p = der;
        const BIGNUM *r, *s;

        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, der, &n, digest, 32), 1);
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long) n);
        assert_non_null(es);
        ECDSA_SIG_get0(es, &r, &s);
        assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
        assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
        ECDSA_SIG_free(es);
        EVP_PKEY_CTX_free(ctx);
}

static void sample(Receipt *r) {
        *r = (Receipt) { .station = "branch-1", .time = TH_NOW, .patron_len = 16, .n_items = 3 };
        for (size_t i = 0; i < 16; i++)
                r->patron[i] = (uint8_t) (0xa0 + i);
        r->items[0] = (ReceiptItem) { .kind = RECEIPT_CHECKOUT, .outcome = RECEIPT_OK, .id = "3900012345678",
                                      .due = TH_NOW + 14 * 86400 };
        r->items[1] = (ReceiptItem) { .kind = RECEIPT_CHECKIN, .outcome = RECEIPT_OK, .id = "39000999" };
        r->items[2] = (ReceiptItem) { .kind = RECEIPT_RENEW, .outcome = RECEIPT_REFUSED, .id = "390007",
                                      .words = "Renewal limit reached: 3" };
}

/* The COSE bytes of r signed by k as the lending service will: digest, token, assemble. */
static uint8_t *make_cose(const Receipt *r, EVP_PKEY *k, size_t *ret_len) {
        uint8_t kid[RECEIPT_KID_SIZE], digest[32], sig[64], *cose = NULL;

        assert_int_equal(receipt_key_id_pkey(k, kid), 0);
        assert_int_equal(receipt_to_be_signed(r, kid, digest), 0);
        sign_digest(k, digest, sig);
        assert_int_equal(receipt_assemble(r, kid, sig, &cose, ret_len), 0);
        return cose;
}

static char *make_text(const Receipt *r, EVP_PKEY *k) {
        size_t len;
        uint8_t *cose = make_cose(r, k, &len);
        char *text = NULL;

        assert_int_equal(receipt_text(cose, len, &text), 0);
        free(cose);
        return text;
}

static int verify_text(const char *text, EVP_PKEY *k) {
        return receipt_parse_verify(text, strlen(text), k, &back, NULL);
}

static void round_trip_verifies_and_reads_back(void **state) {
        char *text;
        const char *why = "unset";

        sample(&rc);
        text = make_text(&rc, key);
        assert_memory_equal(text, "QGR1:", 5);
        assert_int_equal(receipt_parse_verify(text, strlen(text), key, &back, &why), 0);
        assert_string_equal(back.station, "branch-1");
        assert_int_equal(back.time, TH_NOW);
        assert_int_equal(back.patron_len, 16);
        assert_memory_equal(back.patron, rc.patron, 16);
        assert_int_equal(back.n_items, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(back.items[i].kind, rc.items[i].kind);
                assert_int_equal(back.items[i].outcome, rc.items[i].outcome);
                assert_string_equal(back.items[i].id, rc.items[i].id);
                assert_int_equal(back.items[i].due, rc.items[i].due);
                assert_string_equal(back.items[i].words, rc.items[i].words);
        }
        free(text);
}

/* The two forms of what is signed agree: the service may hand the token either. */
static void sig_structure_hashes_to_the_digest(void **state) {
        uint8_t kid[RECEIPT_KID_SIZE], digest[32], md[32], *tbs = NULL;
        unsigned n = 0;
        size_t len = 0;

        sample(&rc);
        assert_int_equal(receipt_key_id_pkey(key, kid), 0);
        assert_int_equal(receipt_to_be_signed(&rc, kid, digest), 0);
        assert_int_equal(receipt_sig_structure(&rc, kid, &tbs, &len), 0);
        assert_int_equal(EVP_Digest(tbs, len, md, &n, EVP_sha256(), NULL), 1);
        assert_memory_equal(md, digest, 32);
        free(tbs);
}

static void key_id_is_sha256_of_spki_cut_to_8(void **state) {
        uint8_t kid[RECEIPT_KID_SIZE], kid2[RECEIPT_KID_SIZE], md[32];
        unsigned char *der = NULL;
        unsigned n = 0;
        int len = i2d_PUBKEY(key, &der);

        assert_true(len > 0);
        assert_int_equal(receipt_key_id(der, (size_t) len, kid), 0);
        assert_int_equal(receipt_key_id_pkey(key, kid2), 0);
        assert_int_equal(EVP_Digest(der, (size_t) len, md, &n, EVP_sha256(), NULL), 1);
        assert_memory_equal(kid, md, 8);
        assert_memory_equal(kid2, md, 8);
        assert_int_equal(receipt_key_id(der, (size_t) len - 1, kid), -EINVAL);
        OPENSSL_free(der);
}

static void each_bound_is_enforced(void **state) {
        uint8_t kid[RECEIPT_KID_SIZE] = {}, digest[32];

#define REFUSED(edit)                                                              \
        do {                                                                       \
                sample(&rc);                                                       \
                edit;                                                              \
                assert_int_equal(receipt_check(&rc, NULL), -EINVAL);               \
                assert_int_equal(receipt_to_be_signed(&rc, kid, digest), -EINVAL); \
        } while (0)
#define ACCEPTED(edit)                                          \
        do {                                                    \
                sample(&rc);                                    \
                edit;                                           \
                assert_int_equal(receipt_check(&rc, NULL), 0);  \
                char *t = make_text(&rc, key);                  \
                assert_int_equal(verify_text(t, key), 0);       \
                free(t);                                        \
        } while (0)

        REFUSED(rc.station[0] = 0);
        REFUSED(memset(rc.station, 'a', sizeof(rc.station)));               /* 65 bytes, no NUL */
        ACCEPTED(memset(rc.station, 'a', 64); rc.station[64] = 0);
        REFUSED(strcpy(rc.station, "a\nb"));
        REFUSED(strcpy(rc.station, "a\x1b[2Jb"));
        REFUSED(strcpy(rc.station, "a\xc2\x9b" "b"));                       /* C1 CSI */
        REFUSED(strcpy(rc.station, "a\xff"));                               /* not UTF-8 */
        ACCEPTED(strcpy(rc.station, "Zweigstelle Süd"));
        REFUSED(rc.time = -1);
        REFUSED(rc.time = RECEIPT_TIME_MAX + 1);
        ACCEPTED(rc.time = RECEIPT_TIME_MAX);
        REFUSED(rc.patron_len = 0);
        REFUSED(rc.patron_len = 33);
        ACCEPTED(rc.patron_len = 32);
        REFUSED(rc.n_items = 0);
        REFUSED(rc.n_items = 65);
        ACCEPTED(for (size_t i = 3; i < 64; i++) rc.items[i] = rc.items[0]; rc.n_items = 64);
        REFUSED(rc.items[0].id[0] = 0);
        REFUSED(memset(rc.items[0].id, '7', sizeof(rc.items[0].id)));
        ACCEPTED(memset(rc.items[0].id, '7', 64); rc.items[0].id[64] = 0);
        REFUSED(memset(rc.items[2].words, 'w', sizeof(rc.items[2].words)));
        ACCEPTED(memset(rc.items[2].words, 'w', 128); rc.items[2].words[128] = 0);
        ACCEPTED(rc.items[2].words[0] = 0);                                 /* an ILS may give none */
        REFUSED(rc.items[0].due = 0);                                        /* a loan has a due date */
        REFUSED(rc.items[0].due = RECEIPT_TIME_MAX + 1);
        REFUSED(rc.items[1].due = TH_NOW);                                   /* a return has none */
        REFUSED(rc.items[2].due = TH_NOW);                                   /* nor a refusal */
        REFUSED(strcpy(rc.items[0].words, "x"));                             /* a loan has no words */
        REFUSED(rc.items[0].kind = 0);
        REFUSED(rc.items[0].kind = 4);
        REFUSED(rc.items[0].outcome = 2);
#undef REFUSED
#undef ACCEPTED
}

/* Payload offsets in the assembled bytes, from the COSE parser. */
static void payload_span(const uint8_t *cose, size_t len, size_t *ret_off, size_t *ret_len) {
        CoseSign1 c;

        assert_int_equal(cose_sign1_parse(cose, len, &c, NULL), 0);
        *ret_off = (size_t) (c.payload - cose);
        *ret_len = c.payload_len;
}

static void any_changed_payload_or_signature_byte_is_a_bad_signature(void **state) {
        size_t len, off, plen;
        uint8_t *cose;

        sample(&rc);
        cose = make_cose(&rc, key, &len);
        payload_span(cose, len, &off, &plen);
        /* Every payload byte, and the signature (the last 64 bytes). */
        for (size_t i = off; i < len; i++) {
                if (i == off + plen)
                        i = len - 64;
                for (uint8_t bit = 1; bit; bit <<= 3) {
                        cose[i] ^= bit;
                        assert_int_equal(receipt_parse_verify_cose(cose, len, key, &back, NULL), -EKEYREJECTED);
                        assert_int_equal(back.n_items, 0); /* nothing read */
                        cose[i] ^= bit;
                }
        }
        assert_int_equal(receipt_parse_verify_cose(cose, len, key, &back, NULL), 0);
        free(cose);
}

static void another_key_is_refused_as_wrong_key(void **state) {
        const char *why = NULL;
        char *text;
        EVP_PKEY *ed = th_key("ed25519");

        sample(&rc);
        text = make_text(&rc, key);
        assert_int_equal(receipt_parse_verify(text, strlen(text), other, &back, &why), -ENOKEY);
        assert_string_equal(receipt_error_to_string(-ENOKEY), "wrong-key");
        assert_non_null(why);
        /* Not a key a receipt can be signed with at all. */
        assert_int_equal(receipt_parse_verify(text, strlen(text), ed, &back, NULL), -EINVAL);
        EVP_PKEY_free(ed);
        free(text);
}

static void truncated_or_garbage_is_malformed_never_a_crash(void **state) {
        size_t len;
        uint8_t *cose, junk[512];
        char *text;
        int r;

        sample(&rc);
        cose = make_cose(&rc, key, &len);
        for (size_t n = 0; n < len; n++)
                assert_int_equal(receipt_parse_verify_cose(cose, n, key, &back, NULL), -EBADMSG);
        text = make_text(&rc, key);
        for (size_t n = 5; n < strlen(text); n++) {
                r = receipt_parse_verify(text, n, key, &back, NULL);
                assert_true(r == -EBADMSG);
        }
        for (size_t n = 0; n < 5; n++)
                assert_int_equal(receipt_parse_verify(text, n, key, &back, NULL), -ENOMSG);
        srand(17);
        for (int round = 0; round < 2000; round++) {
                size_t n = (size_t) rand() % sizeof(junk);
                for (size_t i = 0; i < n; i++)
                        junk[i] = (uint8_t) rand();
                if (round % 2)
                        junk[0] = 0xd2; /* tag 18 in front, to get further */
                r = receipt_parse_verify_cose(junk, n, key, &back, NULL);
                assert_true(r == -EBADMSG || r == -EPROTONOSUPPORT);
        }
        free(cose);
        free(text);
}

static void not_a_receipt_is_told_apart(void **state) {
        assert_int_equal(verify_text("QG1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B", key), -ENOMSG);
        assert_int_equal(verify_text("qgr1:ABC", key), -ENOMSG);
        assert_int_equal(verify_text("", key), -ENOMSG);
        assert_int_equal(verify_text("QGR1:abc", key), -EBADMSG);
        assert_string_equal(receipt_error_to_string(-ENOMSG), "not-a-receipt");
}

/* Hand-built payloads, signed properly, so that each fails at the payload and nowhere else. */
typedef struct Buf {
        uint8_t b[512];
        size_t n;
} Buf;

static void head(Buf *b, unsigned major, uint64_t arg) {
        b->n += cbor_put_head(b->b + b->n, major, arg);
}
static void text(Buf *b, const char *s) {
        head(b, 3, strlen(s));
        memcpy(b->b + b->n, s, strlen(s));
        b->n += strlen(s);
}
static void uint_kv(Buf *b, uint64_t k, uint64_t v) {
        head(b, 0, k);
        head(b, 0, v);
}

enum { V_VALID, V_UNKNOWN_KEY, V_UNKNOWN_ITEM_KEY, V_KEY_ZERO, V_DUPLICATE, V_STATION_BYTES, V_VERSION_2,
       V_NEGATIVE_TIME, V_REFUSED_NO_WORDS, V_TEXT_KEY, V_EMPTY_ITEMS, V_CHECKIN_WITH_DUE, V_CHECKIN_DUE_ZERO, _V_MAX };

static void payload(Buf *b, int v) {
        b->n = 0;
        head(b, 5, 5 + (v == V_UNKNOWN_KEY || v == V_KEY_ZERO || v == V_DUPLICATE || v == V_TEXT_KEY));
        if (v == V_KEY_ZERO)
                uint_kv(b, 0, 0);
        uint_kv(b, 1, v == V_VERSION_2 ? 2 : 1);
        head(b, 0, 2);
        if (v == V_STATION_BYTES) {
                head(b, 2, 1);
                b->b[b->n++] = 'b';
        } else
                text(b, "b");
        if (v == V_DUPLICATE) {
                head(b, 0, 2);
                text(b, "c");
        }
        head(b, 0, 3);
        if (v == V_NEGATIVE_TIME)
                head(b, 1, 5);
        else
                head(b, 0, 1800000000);
        head(b, 0, 4);
        head(b, 2, 1);
        b->b[b->n++] = 0x01;
        head(b, 0, 5);
        if (v == V_EMPTY_ITEMS)
                head(b, 4, 0);
        else {
                head(b, 4, 1);
                head(b, 5, 4 + (v == V_UNKNOWN_ITEM_KEY));
                uint_kv(b, 1, v == V_CHECKIN_WITH_DUE || v == V_CHECKIN_DUE_ZERO ? 2 : 1);
                head(b, 0, 2);
                text(b, "i");
                uint_kv(b, 3, v == V_REFUSED_NO_WORDS ? 1 : 0);
                uint_kv(b, 4, v == V_CHECKIN_DUE_ZERO ? 0 : 1801000000);
                if (v == V_UNKNOWN_ITEM_KEY)
                        uint_kv(b, 6, 0);
        }
        if (v == V_UNKNOWN_KEY)
                uint_kv(b, 6, 0);
        if (v == V_TEXT_KEY) {
                text(b, "1");
                head(b, 0, 1);
        }
}

static int verify_raw(const uint8_t *p, size_t n, const uint8_t *unprotected, size_t ulen) {
        uint8_t kid[RECEIPT_KID_SIZE], prot[32], *sig = NULL, *cose = NULL;
        size_t plen, sig_len = 0, len = 0;
        int r;

        assert_int_equal(receipt_key_id_pkey(key, kid), 0);
        plen = cose_encode_header(prot, COSE_ALG_ES256, kid, sizeof(kid));
        assert_int_equal(cose_sign(key, COSE_ALG_ES256, prot, plen, p, n, &sig, &sig_len), 0);
        assert_int_equal(cose_sign1_encode(true, prot, plen, unprotected, ulen, p, n, sig, sig_len, &cose, &len), 0);
        r = receipt_parse_verify_cose(cose, len, key, &back, NULL);
        free(sig);
        free(cose);
        return r;
}

static void strict_payload_refuses_what_it_does_not_define(void **state) {
        static const int want[_V_MAX] = {
                [V_VALID] = 0, [V_UNKNOWN_KEY] = -EBADMSG, [V_UNKNOWN_ITEM_KEY] = -EBADMSG,
                [V_KEY_ZERO] = -EBADMSG, [V_DUPLICATE] = -EBADMSG, [V_STATION_BYTES] = -EBADMSG,
                [V_VERSION_2] = -EPROTONOSUPPORT, [V_NEGATIVE_TIME] = -EBADMSG,
                [V_REFUSED_NO_WORDS] = -EBADMSG, [V_TEXT_KEY] = -EBADMSG, [V_EMPTY_ITEMS] = -EBADMSG,
                [V_CHECKIN_WITH_DUE] = -EBADMSG, [V_CHECKIN_DUE_ZERO] = -EBADMSG,
        };
        Buf b;

        for (int v = 0; v < _V_MAX; v++) {
                payload(&b, v);
                if (verify_raw(b.b, b.n, (const uint8_t *) "\xa0", 1) != want[v])
                        fail_msg("payload variant %d: want %d", v, want[v]);
        }
        /* Valid payload, but something in the unprotected header: a relay could add it. */
        payload(&b, V_VALID);
        assert_int_equal(verify_raw(b.b, b.n, (const uint8_t *) "\xa1\x04\x41\x00", 4), -EBADMSG);
}

static int set_up(void **state) {
        key = th_key("es256");
        other = th_key("es256");
        return 0;
}

static int tear_down(void **state) {
        EVP_PKEY_free(key);
        EVP_PKEY_free(other);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(round_trip_verifies_and_reads_back),
                cmocka_unit_test(sig_structure_hashes_to_the_digest),
                cmocka_unit_test(key_id_is_sha256_of_spki_cut_to_8),
                cmocka_unit_test(each_bound_is_enforced),
                cmocka_unit_test(any_changed_payload_or_signature_byte_is_a_bad_signature),
                cmocka_unit_test(another_key_is_refused_as_wrong_key),
                cmocka_unit_test(truncated_or_garbage_is_malformed_never_a_crash),
                cmocka_unit_test(not_a_receipt_is_told_apart),
                cmocka_unit_test(strict_payload_refuses_what_it_does_not_define),
        };
        return cmocka_run_group_tests(tests, set_up, tear_down);
}

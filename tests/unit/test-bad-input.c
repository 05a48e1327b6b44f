/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile and broken codes, one row each: what an attacker crafts or a scanner garbles. Every
 * row must be refused with its own reason, and (under ASan, in `make check`) without a crash
 * or a leak. Codes are otherwise correctly signed, so each fails at the intended step. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"
#include "core/qg1-mint.h"
#include "core/qg1.h"
#include "core/verifier.h"
#include "tests/unit/helper-codes.h"

static EVP_PKEY *es;
static Keystore *ks;

#define B(...) ((const uint8_t[]) { __VA_ARGS__ }), sizeof((const uint8_t[]) { __VA_ARGS__ })

/* The usual protected header {1: -7, 4: "k1"}. */
static size_t header(uint8_t out[static 32]) {
        return cose_encode_header(out, COSE_ALG_ES256, (const uint8_t *) "k1", 2);
}

static char *signed_with(const uint8_t *prot, size_t plen, const uint8_t *unprot, size_t ulen,
                         const uint8_t *payload, size_t len) {
        return th_mint_raw(es, COSE_ALG_ES256, prot, plen, unprot, ulen, payload, len, true, NULL, 0);
}

static char *valid_code(void) {
        CodeClaims c = th_claims();
        return th_mint(es, "k1", &c);
}

/* A valid code's COSE bytes, edited by the caller and wrapped again. */
static uint8_t *valid_cose(size_t *ret_len) {
        char *t = valid_code();
        uint8_t *b = malloc(base45_decoded_max(strlen(t)));
        int n = base45_decode(t + 4, strlen(t) - 4, b, NULL);
        assert_true(n > 0);
        *ret_len = (size_t) n;
        free(t);
        return b;
}

static char *wrap(uint8_t *cose, size_t len) {
        char *t;
        assert_int_equal(qg1_wrap(cose, len, &t), 0);
        free(cose);
        return t;
}

/* The usual claims signed under the given header buckets (encoded maps). */
static char *with_headers(const uint8_t *prot, size_t plen, const uint8_t *unprot, size_t ulen) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t *p = th_payload(&c, &len);
        char *t = signed_with(prot, plen, unprot, ulen, p, len);
        free(p);
        return t;
}

/* The usual claims with one more map entry (its key and value encoded), under the usual
 * headers. */
static char *with_entry(const uint8_t *entry, size_t n) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len), *q = malloc(len + n);
        memcpy(q, p, len);
        q[0]++;
        memcpy(q + len, entry, n);
        char *t = signed_with(hdr, header(hdr), B(0xa0), q, len + n);
        free(p);
        free(q);
        return t;
}

/* The same with claim 99, whose value is the given bytes. */
static char *with_claim_99(const uint8_t *value, size_t n) {
        uint8_t *e = malloc(2 + n);
        e[0] = 0x18, e[1] = 99;
        memcpy(e + 2, value, n);
        char *t = with_entry(e, 2 + n);
        free(e);
        return t;
}

static char *mk_truncated(void) {
        size_t n;
        uint8_t *b = valid_cose(&n);
        return wrap(b, n - 20);
}
static char *mk_prefix_only(void) {
        return strdup("QG1:");
}
static char *mk_oversized(void) {
        char *t = malloc(QG1_MAX_TEXT + 2);
        memcpy(t, "QG1:", 4);
        memset(t + 4, '0', QG1_MAX_TEXT - 3);
        t[QG1_MAX_TEXT + 1] = '\0';
        return t;
}
static char *mk_larger_than_any_qr(void) {
        char *t = malloc(1 << 20);
        memset(t, 'A', (1 << 20) - 1);
        t[(1 << 20) - 1] = '\0';
        return t;
}
static char *mk_untagged(void) {
        CodeClaims c = th_claims();
        size_t len, hlen;
        uint8_t hdr[32], *p = th_payload(&c, &len);
        hlen = header(hdr);
        char *t = th_mint_raw(es, COSE_ALG_ES256, hdr, hlen, B(0xa0), p, len, false, NULL, 0);
        free(p);
        return t;
}
static char *mk_wrong_tag(void) {
        /* CWT tag 61 where QG1 requires COSE_Sign1's 18. */
        size_t n;
        uint8_t *b = valid_cose(&n);
        b[0] = 0xd8;
        uint8_t *c = malloc(n + 1);
        c[0] = 0xd8, c[1] = 61;
        memcpy(c + 2, b + 1, n - 1);
        free(b);
        return wrap(c, n + 1);
}
static char *mk_cose_array_of_three(void) {
        size_t n;
        uint8_t *b = valid_cose(&n);
        b[1] = 0x83;
        return wrap(b, n);
}
static char *mk_payload_is_array(void) {
        uint8_t hdr[32];
        return signed_with(hdr, header(hdr), B(0xa0), B(0x82, 0x01, 0x02));
}
static char *mk_iss_is_integer(void) {
        /* {1: 7, ...}: the rest does not matter, iss is checked first. */
        uint8_t hdr[32];
        return signed_with(hdr, header(hdr), B(0xa0), B(0xa2, 0x01, 0x07, 0x02, 0x61, 'p'));
}
static char *mk_exp_is_text(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len);
        /* exp (key 4) is encoded as 0x04 0x1a <4 bytes>; make it a 4-byte text string. */
        for (size_t i = 0; i + 1 < len; i++)
                if (p[i] == 0x04 && p[i + 1] == 0x1a) {
                        p[i + 1] = 0x64;
                        break;
                }
        char *t = signed_with(hdr, header(hdr), B(0xa0), p, len);
        free(p);
        return t;
}
static char *mk_protected_not_map(void) {
        return signed_with(B(0x82, 0x01, 0x26), B(0xa0), B(0xa0));
}
static char *mk_duplicate_claim(void) {
        /* A second iss: 1: "evil". */
        return with_entry(B(0x01, 0x64, 'e', 'v', 'i', 'l'));
}
static char *mk_duplicate_header_label(void) {
        /* {1: -7, 4: "k1", 1: -8} */
        return with_headers(B(0xa3, 0x01, 0x26, 0x04, 0x42, 'k', '1', 0x01, 0x27), B(0xa0));
}
static char *mk_huge_payload_length(void) {
        /* d2 84 <prot> a0 5b <2^63 bytes of payload...> */
        uint8_t hdr[32], b[64];
        size_t h = header(hdr), o = 0;
        b[o++] = 0xd2, b[o++] = 0x84, b[o++] = (uint8_t) (0x40 | h);
        memcpy(b + o, hdr, h), o += h;
        b[o++] = 0xa0;
        memcpy(b + o, "\x5b\x7f\xff\xff\xff\xff\xff\xff\xff" "abc", 12), o += 12;
        uint8_t *c = malloc(o);
        memcpy(c, b, o);
        return wrap(c, o);
}
static char *mk_huge_array_count(void) {
        /* An array announcing 2^62 elements in place of the COSE array. */
        uint8_t *c = malloc(11);
        memcpy(c, "\xd2\x9b\x40\x00\x00\x00\x00\x00\x00\x00\x40", 11);
        return wrap(c, 11);
}
static char *mk_deep_nesting(void) {
        /* An extra claim 99: [[[[...]]]] 200 deep. */
        uint8_t v[200];
        memset(v, 0x81, 199);
        v[199] = 0x80;
        return with_claim_99(v, sizeof(v));
}
static char *mk_nested_tag18(void) {
        /* An extra claim 99: 18(0). libcbor 0.8 and 0.10 reject one-byte tags 6-20 in their
         * decoder; a fixed libcbor would pass them to our walk, which refuses them: malformed
         * either way. */
        return with_claim_99(B(0xd2, 0x00));
}
/* docs/code-format.md §2: the claims map is level 1, so a claim's value may reach level 8. */
static char *mk_claim_nested_9_levels(void) {
        return with_claim_99(B(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01));
}
static char *mk_tag_in_ignored_claim(void) {
        /* 1(1800000000): an epoch date, the kind of tag a careless issuer adds. */
        return with_claim_99(B(0xc1, 0x1a, 0x6b, 0x49, 0xd2, 0x00));
}
static char *mk_duplicate_key_in_ignored_claim(void) {
        return with_claim_99(B(0xa2, 0x01, 0x00, 0x01, 0x01));
}
static char *mk_bad_utf8_in_ignored_claim(void) {
        return with_claim_99(B(0x62, 0xc0, 0xaf));
}
static char *mk_unprotected_other_label(void) {
        /* {33: h'00'}: x5chain would be a certificate anyone could swap. */
        uint8_t hdr[32];
        return with_headers(hdr, header(hdr), B(0xa1, 0x18, 0x21, 0x41, 0x00));
}
static char *mk_unprotected_text_label(void) {
        uint8_t hdr[32];
        return with_headers(hdr, header(hdr), B(0xa1, 0x61, 'x', 0x01));
}
static char *mk_protected_other_label(void) {
        /* {1: -7, 4: "k1", 3: 0}: content type, signed but not one QG1 has */
        return with_headers(B(0xa3, 0x01, 0x26, 0x04, 0x42, 'k', '1', 0x03, 0x00), B(0xa0));
}
static char *mk_tag_in_protected_header(void) {
        /* {1: -7, 4: "k1", 99: 1(0)}: refused for the label and for the tag alike */
        return with_headers(B(0xa3, 0x01, 0x26, 0x04, 0x42, 'k', '1', 0x18, 0x63, 0xc1, 0x00), B(0xa0));
}
static char *mk_indefinite_length(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len);
        p[0] = 0xbf; /* map of indefinite length, never closed with 0xff */
        char *t = signed_with(hdr, header(hdr), B(0xa0), p, len);
        free(p);
        return t;
}
static char *mk_non_base45(void) {
        char *t = valid_code();
        t[10] = '#';
        return t;
}
static char *mk_lower_case(void) {
        char *t = valid_code();
        for (char *p = t; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        return t;
}
static char *mk_lower_case_body(void) {
        char *t = valid_code();
        for (char *p = t + 4; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        return t;
}
static char *mk_newline_inside(void) {
        char *t = valid_code();
        t[20] = '\n';
        return t;
}
static char *mk_trailing_garbage(void) {
        size_t n;
        uint8_t *b = valid_cose(&n);
        b = realloc(b, n + 2);
        b[n] = 0x00, b[n + 1] = 0x00;
        return wrap(b, n + 2);
}
static char *mk_unprotected_kid(void) {
        return with_headers(B(0xa1, 0x01, 0x26), B(0xa1, 0x04, 0x42, 'k', '1'));
}
static char *mk_alg_mismatch(void) {
        /* Claims EdDSA over the P-256 key k1, with a 64-byte signature. */
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], sig[64] = { 0 }, *p = th_payload(&c, &len);
        size_t h = cose_encode_header(hdr, COSE_ALG_EDDSA, (const uint8_t *) "k1", 2);
        char *t = th_mint_raw(NULL, 0, hdr, h, B(0xa0), p, len, true, sig, sizeof(sig));
        free(p);
        return t;
}
static char *mk_empty_signature(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len);
        char *t = th_mint_raw(NULL, 0, hdr, header(hdr), B(0xa0), p, len, true, (const uint8_t *) "", 0);
        free(p);
        return t;
}
static char *mk_short_signature(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], sig[63] = { 0 }, *p = th_payload(&c, &len);
        char *t = th_mint_raw(NULL, 0, hdr, header(hdr), B(0xa0), p, len, true, sig, sizeof(sig));
        free(p);
        return t;
}
static char *mk_alg_none(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t *p = th_payload(&c, &len);
        char *t = th_mint_raw(NULL, 0, B(0xa2, 0x01, 0x64, 'n', 'o', 'n', 'e', 0x04, 0x42, 'k', '1'), B(0xa0),
                              p, len, true, (const uint8_t *) "", 0);
        free(p);
        return t;
}
static char *mk_alg_missing(void) {
        CodeClaims c = th_claims();
        size_t len;
        uint8_t *p = th_payload(&c, &len);
        char *t = th_mint_raw(NULL, 0, B(0xa1, 0x04, 0x42, 'k', '1'), B(0xa0), p, len, true, (const uint8_t *) "", 0);
        free(p);
        return t;
}
static char *mk_alg_hs256(void) {
        /* HMAC (5) would let anyone holding a "public" key sign. */
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len);
        size_t h = cose_encode_header(hdr, 5, (const uint8_t *) "k1", 2);
        char *t = th_mint_raw(NULL, 0, hdr, h, B(0xa0), p, len, true, (const uint8_t *) "x", 1);
        free(p);
        return t;
}
static char *mk_detached_payload(void) {
        uint8_t hdr[32], b[64];
        size_t h = header(hdr), o = 0;
        b[o++] = 0xd2, b[o++] = 0x84, b[o++] = (uint8_t) (0x40 | h);
        memcpy(b + o, hdr, h), o += h;
        b[o++] = 0xa0, b[o++] = 0xf6, b[o++] = 0x40;
        uint8_t *c = malloc(o);
        memcpy(c, b, o);
        return wrap(c, o);
}
static char *mk_status_wraps_to_green(void) {
        /* status -4294967295: its low 32 bits are 1, green, for a reader that narrows it. */
        CodeClaims c = th_claims();
        size_t len;
        uint8_t hdr[32], *p = th_payload(&c, &len), *q = malloc(len + 4);
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                q[o++] = p[i];
                if (i >= 4 && memcmp(p + i - 4, "\x3a\x00\x01\x00\x00", 5) == 0 && p[i + 1] == 0x01) {
                        memcpy(q + o, "\x3a\xff\xff\xff\xfe", 5), o += 5;
                        i++;
                }
        }
        assert_int_equal(o, len + 4);
        char *t = signed_with(hdr, header(hdr), B(0xa0), q, o);
        free(p);
        free(q);
        return t;
}
static char *mk_claims(void (*edit)(CodeClaims *c)) {
        CodeClaims c = th_claims();
        edit(&c);
        return th_mint(es, "k1", &c);
}
static void ed_status(CodeClaims *c) {
        c->status = 7;
}
static void ed_cti_short(CodeClaims *c) {
        c->cti_len = 4;
}
static void ed_scope(CodeClaims *c) {
        strcpy(c->scopes[0], "library lend;rm");
}
static void ed_sub_control(CodeClaims *c) {
        strcpy(c->sub, "p-1\x1b[2J");
}
static void ed_exp_huge(CodeClaims *c) {
        c->exp = INT64_MAX;
}
static void ed_iat_negative(CodeClaims *c) {
        c->iat = INT64_MIN;
}
static char *mk_exp_huge(void) {
        return mk_claims(ed_exp_huge);
}
static char *mk_iat_negative(void) {
        return mk_claims(ed_iat_negative);
}
static void ed_exp_before_iat(CodeClaims *c) {
        c->exp = c->iat - 1;
}
static char *mk_bad_status(void) {
        return mk_claims(ed_status);
}
static char *mk_short_cti(void) {
        return mk_claims(ed_cti_short);
}
static char *mk_bad_scope(void) {
        return mk_claims(ed_scope);
}
static char *mk_control_in_sub(void) {
        return mk_claims(ed_sub_control);
}
static char *mk_exp_before_iat(void) {
        return mk_claims(ed_exp_before_iat);
}

typedef struct Case {
        const char *name;
        char *(*make)(void);
        Reason want;
} Case;

/* Verifies each case's code, prints what became of it, and returns how many did not get their
 * reason (or, refused, came without a detail). */
static unsigned run_cases(const Case *c, size_t n) {
        unsigned failures = 0;

        for (size_t i = 0; i < n; i++) {
                char *t = c[i].make();
                Verifier v = { .keys = ks, .max_lifetime = 120, .clock_skew = 30 };
                VerifyResult res;
                Reason got = verifier_check(&v, t, strlen(t), TH_NOW, &res);

                printf("%-34s -> %-22s %s\n", c[i].name, reason_to_string(got), res.detail);
                if (got != c[i].want) {
                        printf("    FAIL: want %s\n", reason_to_string(c[i].want));
                        failures++;
                }
                if (c[i].want != REASON_OK && res.detail[0] == '\0') {
                        printf("    FAIL: no detail\n");
                        failures++;
                }
                free(t);
        }
        return failures;
}

static const Case cases[] = {
        { "truncated", mk_truncated, REASON_MALFORMED },
        { "prefix only", mk_prefix_only, REASON_MALFORMED },
        { "oversized", mk_oversized, REASON_TOO_LONG },
        { "larger than any QR code", mk_larger_than_any_qr, REASON_TOO_LONG },
        { "untagged", mk_untagged, REASON_MALFORMED },
        { "wrong tag (CWT 61)", mk_wrong_tag, REASON_MALFORMED },
        { "COSE array of three", mk_cose_array_of_three, REASON_MALFORMED },
        { "payload is an array", mk_payload_is_array, REASON_MALFORMED },
        { "iss is an integer", mk_iss_is_integer, REASON_MALFORMED },
        { "exp is text", mk_exp_is_text, REASON_MALFORMED },
        { "protected header is not a map", mk_protected_not_map, REASON_MALFORMED },
        { "duplicate claim", mk_duplicate_claim, REASON_MALFORMED },
        { "duplicate header label", mk_duplicate_header_label, REASON_MALFORMED },
        { "huge declared payload length", mk_huge_payload_length, REASON_MALFORMED },
        { "huge declared array count", mk_huge_array_count, REASON_MALFORMED },
        { "deep nesting", mk_deep_nesting, REASON_MALFORMED },
        { "indefinite length", mk_indefinite_length, REASON_MALFORMED },
        { "nested tag 18", mk_nested_tag18, REASON_MALFORMED },
        { "ignored claim 9 levels deep", mk_claim_nested_9_levels, REASON_MALFORMED },
        { "tag in an ignored claim", mk_tag_in_ignored_claim, REASON_MALFORMED },
        { "duplicate key in an ignored claim", mk_duplicate_key_in_ignored_claim, REASON_MALFORMED },
        { "bad UTF-8 in an ignored claim", mk_bad_utf8_in_ignored_claim, REASON_MALFORMED },
        { "unprotected label 33", mk_unprotected_other_label, REASON_MALFORMED },
        { "unprotected text label", mk_unprotected_text_label, REASON_MALFORMED },
        { "protected label 3", mk_protected_other_label, REASON_MALFORMED },
        { "tag in the protected header", mk_tag_in_protected_header, REASON_MALFORMED },
        { "non-base45 character", mk_non_base45, REASON_BAD_ENCODING },
        { "lower case", mk_lower_case, REASON_BAD_ENCODING },
        { "lower-case body", mk_lower_case_body, REASON_BAD_ENCODING },
        { "newline inside", mk_newline_inside, REASON_BAD_ENCODING },
        { "trailing garbage", mk_trailing_garbage, REASON_MALFORMED },
        { "unprotected kid", mk_unprotected_kid, REASON_MALFORMED },
        { "alg mismatch", mk_alg_mismatch, REASON_ALGORITHM_MISMATCH },
        { "empty signature", mk_empty_signature, REASON_BAD_SIGNATURE },
        { "short signature", mk_short_signature, REASON_BAD_SIGNATURE },
        { "alg none", mk_alg_none, REASON_UNSUPPORTED_ALGORITHM },
        { "alg missing", mk_alg_missing, REASON_UNSUPPORTED_ALGORITHM },
        { "alg HS256", mk_alg_hs256, REASON_UNSUPPORTED_ALGORITHM },
        { "detached payload", mk_detached_payload, REASON_MALFORMED },
        { "status out of range", mk_bad_status, REASON_MALFORMED },
        { "status -2^32+1 (wraps to green)", mk_status_wraps_to_green, REASON_MALFORMED },
        { "cti too short", mk_short_cti, REASON_MALFORMED },
        { "scope with spaces", mk_bad_scope, REASON_MALFORMED },
        { "control characters in sub", mk_control_in_sub, REASON_MALFORMED },
        { "exp before iat", mk_exp_before_iat, REASON_MALFORMED },
        { "exp INT64_MAX (overflow bait)", mk_exp_huge, REASON_MALFORMED },
        { "iat INT64_MIN (overflow bait)", mk_iat_negative, REASON_MALFORMED },
};

static void every_bad_input_is_refused_with_its_reason(void **state) {
        assert_int_equal(run_cases(cases, ELEMENTSOF(cases)), 0);
}

static void the_valid_code_the_cases_start_from_is_valid(void **state) {
        char *t = valid_code();
        Verifier v = { .keys = ks, .max_lifetime = 120, .clock_skew = 30 };
        VerifyResult res;
        assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_OK);
        free(t);
}

/* What docs/code-format.md allows beside the plain code, each accepted. */
static char *ok_claim_nested_8_levels(void) {
        return with_claim_99(B(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01));
}
static char *ok_ignored_claim_with_map(void) {
        return with_claim_99(B(0xa2, 0x01, 0x00, 0x61, 'a', 0x81, 0xa1, 0x01, 0x02));
}
static char *ok_text_keyed_claim(void) {
        return with_entry(B(0x61, 'x', 0xf5)); /* "x": true */
}
static char *ok_long_integer_forms(void) {
        /* {1: -7, 4: "k1"} with alg's -7 and kid's length written in two bytes (RFC 8949 §4.2.1
         * prefers the short form; the spec lets verifiers accept the long one). */
        return with_headers(B(0xa2, 0x01, 0x38, 0x06, 0x04, 0x58, 0x02, 'k', '1'), B(0xa0));
}

static const Case good_cases[] = {
        { "ignored claim 8 levels deep", ok_claim_nested_8_levels, REASON_OK },
        { "ignored claim holding maps", ok_ignored_claim_with_map, REASON_OK },
        { "ignored text-keyed claim", ok_text_keyed_claim, REASON_OK },
        { "longer integer encodings", ok_long_integer_forms, REASON_OK },
};

/* qrgate-issue refuses claims with claims_check(): it must refuse exactly what the verifier
 * calls malformed, no more (the issuer would refuse good codes) and no less (it would print
 * codes that open nothing). */
static void the_issuer_judges_claims_as_the_verifier_does(void **state) {
        static void (*const edits[])(CodeClaims *c) = {
                ed_status, ed_cti_short, ed_scope, ed_sub_control, ed_exp_huge, ed_iat_negative, ed_exp_before_iat,
        };
        CodeClaims c = th_claims();
        Verifier v = { .keys = ks, .max_lifetime = 120, .clock_skew = 30 };
        VerifyResult res;
        const char *why = NULL;
        CodeClaim which;

        assert_int_equal(claims_check(&c, NULL, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                char *t = mk_claims(edits[i]);

                c = th_claims();
                edits[i](&c);
                assert_int_equal(claims_check(&c, &which, &why), -EBADMSG);
                assert_int_equal(verifier_check(&v, t, strlen(t), TH_NOW, &res), REASON_MALFORMED);
                /* The same words: the issuer's refusal reads as the gate's detail. */
                assert_string_equal(res.detail, why);
                free(t);
        }
}

static void codes_the_spec_allows_are_valid(void **state) {
        assert_int_equal(run_cases(good_cases, ELEMENTSOF(good_cases)), 0);
}

static int setup(void **state) {
        es = th_key("es256");
        assert_int_equal(keystore_new(&ks), 0);
        th_trust(ks, "city", "k1", es);
        return 0;
}

static int teardown(void **state) {
        EVP_PKEY_free(es);
        keystore_free(ks);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(the_valid_code_the_cases_start_from_is_valid),
                cmocka_unit_test(every_bad_input_is_refused_with_its_reason),
                cmocka_unit_test(codes_the_spec_allows_are_valid),
                cmocka_unit_test(the_issuer_judges_claims_as_the_verifier_does),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

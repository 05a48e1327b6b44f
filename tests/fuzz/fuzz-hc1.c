/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HC1 path. The first byte of the input picks the layer the rest goes in at, so the
 * fuzzer spends its time inside each layer instead of rediscovering the ones in front of it:
 *
 *   0  scanned text         → verifier_check()
 *   1  COSE bytes           → zlib → base45 → "HC1:" → verifier_check()
 *   2  CWT payload          → signed by the test DSC's key → verifier_check(): claims, types,
 *                             dates and key usage all get hostile values behind a valid signature
 *   3  certificate DER      → trustlist_add_der(), and the same bytes as CWT claims
 *
 * Every path must come back with a reason and a detail, without a crash or a leak.
 * QRGATE_FUZZ_HC1_SEEDS=DIR makes the target write its seed corpus into DIR and exit. */
#include <assert.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"
#include "core/hc1-mint.h"
#include "core/hc1.h"
#include "core/inflate-bounded.h"
#include "core/verifier.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A test key and its self-signed DSC (valid 2026-11-29 to 2036-11-26, may sign every type);
 * nothing else trusts them. */
static const char key_pem[] =
        "-----BEGIN EC PRIVATE KEY-----\n"
        "MHcCAQEEIPEh2A9S20SnM2ziM2SmqvDU/X4ERBKHqiEOLMehOdfOoAoGCCqGSM49\n"
        "AwEHoUQDQgAE0AC1kaQvXqkU0hvYAPw5sFFbudadmRp5ZBB4y+VZGwyXz9ZsFLX8\n"
        "/sNMipmPK4IiEe2Tb2XavBPaLXotDHlLSg==\n"
        "-----END EC PRIVATE KEY-----\n";
static const char dsc_pem[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIB0zCCAXqgAwIBAgIBBzAKBggqhkjOPQQDAjAnMQswCQYDVQQGEwJYWDEYMBYG\n"
        "A1UEAwwPcXJnYXRlIGZ1enogRFNDMB4XDTI2MTEyOTIyNTgzOVoXDTM2MTEyNjIy\n"
        "NTgzOVowJzELMAkGA1UEBhMCWFgxGDAWBgNVBAMMD3FyZ2F0ZSBmdXp6IERTQzBZ\n"
        "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABNAAtZGkL16pFNIb2AD8ObBRW7nWnZka\n"
        "eWQQeMvlWRsMl8/WbBS1/P7DTIqZjyuCIhHtk29l2rwT2i16LQx5S0qjgZYwgZMw\n"
        "HQYDVR0OBBYEFM/2UoqXkuJXb4yP5Z8Nk4/n+fIfMB8GA1UdIwQYMBaAFM/2UoqX\n"
        "kuJXb4yP5Z8Nk4/n+fIfMA8GA1UdEwEB/wQFMAMBAf8wMAYDVR0lBCkwJwYLKwYB\n"
        "BAGON49lAQEGCysGAQQBjjePZQECBgsrBgEEAY43j2UBAzAOBgNVHQ8BAf8EBAMC\n"
        "B4AwCgYIKoZIzj0EAwIDRwAwRAIgTz4cmp7P9pYC7lqkqtUQN8bac46ydAQLxCzI\n"
        "Q0YuNKgCICTAsbj4nH9hLSgRk5tzZLfsabmdDk2sRnRoLUsyrV9t\n"
        "-----END CERTIFICATE-----\n";

#define NOW ((int64_t) 1830000000) /* 2027-12-28, inside the DSC's validity */
#define IAT ((int64_t) 1820000000)
#define EXP ((int64_t) 1850000000)

static TrustList *tl;
static EVP_PKEY *key;
static uint8_t kid[DSC_KID_LEN];
static uint8_t *dsc_der;
static size_t dsc_len;

static void init(void) {
        BIO *bio;
        char *name = NULL, *header = NULL;
        long n = 0;

        if (tl)
                return;
        bio = BIO_new_mem_buf(key_pem, -1);
        key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
        bio = BIO_new_mem_buf(dsc_pem, -1);
        assert(PEM_read_bio(bio, &name, &header, &dsc_der, &n) == 1);
        BIO_free(bio);
        OPENSSL_free(name);
        OPENSSL_free(header);
        dsc_len = (size_t) n;
        assert(key);
        assert(trustlist_new(&tl) == 0);
        assert(trustlist_add_der(tl, dsc_der, dsc_len) == 0);
        assert(dsc_kid(dsc_der, dsc_len, kid) == 0);
        trustlist_set_updated_at(tl, NOW - 3600);
}

static void check(const char *text, size_t len) {
        Verifier v = { .dcc_trust = tl, .clock_skew = 30, .dcc_trust_max_age = 86400 };
        VerifyResult res;
        Reason r = verifier_check(&v, text, len, NOW, &res);

        assert(r >= 0 && r < _REASON_MAX);
        assert(r == res.reason);
        assert(r == REASON_OK || res.detail[0] != '\0');
        if (res.format == CODE_FORMAT_HC1) {
                assert(res.hc1.stage < _HC1_STAGE_MAX);
                assert(r != REASON_OK || (res.hc1.stage == HC1_STAGE_VALID && res.hc1.problems == 0));
                assert(res.hc1.stage < HC1_STAGE_CLAIMS || res.hc1.have_claims);
        }
}

static void check_cose(const uint8_t *cose, size_t len) {
        char *text;
        if (hc1_wrap(cose, len, true, &text) == 0) {
                check(text, strlen(text));
                free(text);
        }
}

static void check_payload(const uint8_t *payload, size_t len) {
        char *text;
        if (hc1_mint(key, kid, sizeof(kid), payload, len, NULL, &text) == 0) {
                check(text, strlen(text));
                free(text);
        }
}

static void check_der(const uint8_t *der, size_t len) {
        TrustList *t;
        Hc1Claims c;
        const char *why = NULL;

        assert(trustlist_new(&t) == 0);
        int r = trustlist_add_der(t, der, len);
        assert(r == 0 || r == -EBADMSG || r == -EKEYREJECTED || r == -ENOMEM || r == -EIO);
        assert(trustlist_count(t) == (r == 0));
        trustlist_free(t);
        if (hc1_claims_parse(der, len, &c, &why) < 0)
                assert(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        init();
        if (size < 1)
                return 0;
        switch (data[0] % 4) {
        case 0:
                check((const char *) data + 1, size - 1);
                break;
        case 1:
                check_cose(data + 1, size - 1);
                break;
        case 2:
                check_payload(data + 1, size - 1);
                break;
        case 3:
                check_der(data + 1, size - 1);
                break;
        }
        return 0;
}

/* Seeds: one input per layer that reaches the end of it. */
static void write_seed(const char *dir, const char *name, uint8_t mode, const void *data, size_t len) {
        char path[4096];
        FILE *f;

        (void) snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert(f);
        assert(fputc(mode, f) == mode);
        assert(fwrite(data, 1, len, f) == len);
        assert(fclose(f) == 0);
}

static void write_text_seed(const char *dir, const char *name, DccType type, const Hc1MintOptions *o, Reason want) {
        Verifier v = { .dcc_trust = tl };
        VerifyResult res;
        uint8_t *payload;
        size_t len;
        char *text;

        assert(hc1_payload_encode("XX", IAT, EXP, type, &payload, &len) == 0);
        assert(hc1_mint(key, kid, sizeof(kid), payload, len, o, &text) == 0);
        check(text, strlen(text));
        if (verifier_check(&v, text, strlen(text), NOW, &res) != want) {
                fprintf(stderr, "fuzz-hc1: seed %s: %s (%s)\n", name, reason_to_string(res.reason), res.detail);
                abort();
        }
        write_seed(dir, name, 0, text, strlen(text));
        if (type == DCC_TYPE_VACCINATION && !o) {
                /* The same code one layer down: its COSE bytes. */
                size_t n = strlen(text) - strlen(HC1_PREFIX), cose_len;
                uint8_t *bin = malloc(base45_decoded_max(n)), *cose;
                int k = base45_decode(text + strlen(HC1_PREFIX), n, bin, NULL);
                assert(k > 0);
                assert(inflate_bounded(bin, (size_t) k, HC1_MAX_INFLATED, HC1_MAX_RATIO, &cose, &cose_len, NULL) == 0);
                write_seed(dir, "cose-vaccination", 1, cose, cose_len);
                free(cose);
                free(bin);
        }
        if (!o)
                write_seed(dir, type == DCC_TYPE_VACCINATION ? "payload-vaccination"
                                : type == DCC_TYPE_TEST      ? "payload-test"
                                                             : "payload-recovery",
                           2, payload, len);
        free(payload);
        free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *dir = getenv("QRGATE_FUZZ_HC1_SEEDS");
        if (!dir)
                return 0;

        init();
        write_text_seed(dir, "text-vaccination", DCC_TYPE_VACCINATION, NULL, REASON_OK);
        write_text_seed(dir, "text-test", DCC_TYPE_TEST, NULL, REASON_OK);
        write_text_seed(dir, "text-recovery", DCC_TYPE_RECOVERY, NULL, REASON_OK);
        write_text_seed(dir, "text-v-kid-unprotected", DCC_TYPE_VACCINATION,
                        &(Hc1MintOptions) { .kid_unprotected = true }, REASON_OK);
        write_text_seed(dir, "text-v-cwt-tag", DCC_TYPE_VACCINATION, &(Hc1MintOptions) { .cwt_tag = true }, REASON_OK);
        write_text_seed(dir, "text-v-untagged", DCC_TYPE_VACCINATION, &(Hc1MintOptions) { .untagged = true }, REASON_OK);
        write_text_seed(dir, "text-v-uncompressed", DCC_TYPE_VACCINATION,
                        &(Hc1MintOptions) { .no_compress = true }, REASON_DECOMPRESSION_FAILED);

        /* A decompression bomb: 64 KiB of zeros deflate to a few dozen bytes. */
        uint8_t *zeros = calloc(1, 65536);
        char *bomb;
        assert(zeros && hc1_wrap(zeros, 65536, true, &bomb) == 0);
        write_seed(dir, "text-bomb", 0, bomb, strlen(bomb));
        free(bomb);
        free(zeros);

        write_seed(dir, "der-dsc", 3, dsc_der, dsc_len);
        fprintf(stderr, "fuzz-hc1: seeds written to %s\n", dir);
        exit(0);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole scanned-text path: any bytes a scanner can deliver go through verifier_check()
 * with a real trusted key and a replay cache, and must come back with a reason. The input is
 * tried both as it is and as the payload of "QG1:" + base45, so the fuzzer reaches the CBOR
 * and COSE layers without having to discover base45 first. The seeds hold dynamic codes and
 * static cards (card-*, cose-card-valid), both signed by the test key. */
#include <assert.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "core/qg1-mint.h"
#include "core/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Keystore *ks;
static ReplayCache *rc;

/* The public half of tests/fuzz/fuzz-issuer.key (a test key, nothing else trusts it), which
 * signed the valid codes in the seed corpus. */
static const char pub[] =
        "-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+e7KCmkjsvthuGpUlJm5fZsUZgZ5\n"
        "2j0Qxo6izUHoXxROMiseFHF4qIm+7GbAwOPFsqBQFtVZPh/EOJ7+x47a7g==\n"
        "-----END PUBLIC KEY-----\n";

static void init(void) {
        if (ks)
                return;
        assert(keystore_new(&ks) == 0);
        assert(keystore_add_pem(ks, "city", (const uint8_t *) "k1", 2, pub, strlen(pub)) == 0);
        assert(replay_cache_new(1024, &rc) == 0);
}

static void check(const char *text, size_t len) {
        Verifier v = { .keys = ks, .replay = rc, .max_lifetime = 120, .card_max_lifetime = CARD_DEFAULT_MAX_LIFETIME,
                       .clock_skew = 30 };
        VerifyResult res;
        Reason r = verifier_check(&v, text, len, 1800000000, &res);

        assert(r >= 0 && r < _REASON_MAX);
        assert(r == res.reason);
        assert(r == REASON_OK || res.detail[0] != '\0');
        /* Claims the verifier read are claims the issuer would sign (qrgate-issue's check). */
        assert(!res.have_claims || claims_check(&res.claims, NULL, NULL) == 0);
        /* One profile or the other (docs/code-format.md §8): a card serial and no cti, or a cti. */
        assert(!res.have_claims || claims_is_card(&res.claims) == (res.claims.cti_len == 0));
        if (r == REASON_OK) {
                size_t before = replay_cache_count(rc, 1800000000);
                (void) verifier_consume(&v, &res, 1800000000);
                /* A card is never used up. */
                assert(!claims_is_card(&res.claims) || replay_cache_count(rc, 1800000000) == before);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text;

        init();
        check((const char *) data, size);
        if (size <= 700 && qg1_wrap(data, size, &text) == 0) {
                check(text, strlen(text));
                free(text);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verifications per second of the whole QG1 path (base45, CBOR, COSE, claims, key lookup,
 * signature, time checks, replay lookup in a cache holding 10,000 codes) against OpenSSL alone
 * verifying the same signature over the same bytes with the same key. That baseline sets
 * OpenSSL up for the key at every call; qrgate does so once, when the key is loaded (CoseKey,
 * core/cose.h), so for ES256 the ratio can pass 1 (bench-hc1 also measures the floor with the
 * setup done once). Rounds alternate between the two so that machine noise hits both alike;
 * the figure of each is its median round.
 *
 * A gate verifies one code, then sleeps until the next person: caches, branch predictors and
 * (in the hardware bench's emulated guest) the TLB are cold by then, which the loops above never
 * see. So ES256 is also measured cold: single verifications, each after COLD_SLEEP_US asleep,
 * alternating with OpenSSL alone; the figure is the median (qg1_es256_cold_us, raw_es256_cold_us).
 * The scan latencies of the hardware bench are set beside both (tests/hw/perf/). */

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base45.h"
#include "core/qg1.h"
#include "core/verifier.h"
#include "tests/bench/bench-util.h"
#include "tests/unit/helper-codes.h"

#define ROUNDS 7
#define ROUND_NS 200000000LL /* 0.2 s a round */
#define COLD_ROUNDS 41
#define COLD_SLEEP_US 100000

typedef struct Path {
        const char *name;
        EVP_PKEY *key;
        const char *kid;
        char *text;
        BenchRawInputs raw;
        bool digest; /* ES256 hashes with SHA-256; Ed25519 signs the message itself */
} Path;

static Verifier verifier;

static void prepare(Path *p) {
        CodeClaims c = th_claims();
        p->text = th_mint(p->key, p->kid, &c);

        /* Rebuild what cose_sign1_verify hands OpenSSL, outside the measured loop. */
        uint8_t *bin = malloc(base45_decoded_max(strlen(p->text)));
        int n = base45_decode(p->text + 4, strlen(p->text) - 4, bin, NULL);
        CoseSign1 cose;
        if (n < 0 || cose_sign1_parse(bin, (size_t) n, &cose, NULL) < 0)
                abort();
        bench_raw_inputs(&cose, p->digest, &p->raw); /* ES256 is the one with a digest */
        cose_sign1_done(&cose);
        free(bin);
}

static bool raw_once(const void *arg) {
        const Path *p = arg;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        bool ok = EVP_DigestVerifyInit(ctx, NULL, p->digest ? EVP_sha256() : NULL, NULL, p->key) == 1 &&
                  EVP_DigestVerify(ctx, p->raw.sig, p->raw.sig_len, p->raw.tbs, p->raw.tbs_len) == 1;
        EVP_MD_CTX_free(ctx);
        return ok;
}

static bool qg1_once(const void *arg) {
        const Path *p = arg;
        VerifyResult res;
        return verifier_check(&verifier, p->text, strlen(p->text), TH_NOW, &res) == REASON_OK;
}

static int cmp_ns(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

/* One call of once() after sleeping, in ns. */
static int64_t cold_once(BenchOnce once, const void *arg) {
        struct timespec pause = { .tv_nsec = COLD_SLEEP_US * 1000L };
        (void) nanosleep(&pause, NULL);
        int64_t t0 = bench_now_ns();
        if (!once(arg))
                abort();
        return bench_now_ns() - t0;
}

static void cold(const Path *p) {
        int64_t qg1[COLD_ROUNDS], raw[COLD_ROUNDS];

        for (int i = 0; i < COLD_ROUNDS; i++) {
                qg1[i] = cold_once(qg1_once, p);
                raw[i] = cold_once(raw_once, p);
        }
        qsort(qg1, COLD_ROUNDS, sizeof(int64_t), cmp_ns);
        qsort(raw, COLD_ROUNDS, sizeof(int64_t), cmp_ns);
        printf("qg1_%s_cold_us=%.0f\n", p->name, (double) qg1[COLD_ROUNDS / 2] / 1000.0);
        printf("raw_%s_cold_us=%.0f\n", p->name, (double) raw[COLD_ROUNDS / 2] / 1000.0);
}

int main(void) {
        Keystore *ks;
        ReplayCache *rc;
        Path paths[] = {
                { .name = "es256", .key = th_key("es256"), .kid = "k1", .digest = true },
                { .name = "eddsa", .key = th_key("ed25519"), .kid = "e1", .digest = false },
        };

        if (keystore_new(&ks) < 0 || replay_cache_new(65536, &rc) < 0)
                return 1;
        /* A realistic keystore: the right key among a few others, and a busy replay cache. */
        for (int i = 0; i < 6; i++) {
                char kid[8];
                EVP_PKEY *k = th_key("es256");
                snprintf(kid, sizeof(kid), "old%d", i);
                th_trust(ks, i % 2 ? "city" : "county", kid, k);
                EVP_PKEY_free(k);
        }
        for (int i = 0; i < 10000; i++) {
                uint8_t cti[16] = { (uint8_t) i, (uint8_t) (i >> 8), 0xbe, 0xef };
                (void) replay_cache_add(rc, "city", cti, sizeof(cti), TH_NOW + 100, TH_NOW);
        }
        th_trust(ks, "city", "k1", paths[0].key);
        th_trust(ks, "city", "e1", paths[1].key);
        verifier = (Verifier) { .keys = ks, .replay = rc, .max_lifetime = 120, .clock_skew = 30 };

        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                double qg1, raw;
                prepare(&paths[i]);
                bench_alternate(qg1_once, raw_once, &paths[i], ROUNDS, ROUND_NS, &qg1, &raw);
                printf("qg1_%s_per_s=%.0f\n", paths[i].name, qg1);
                printf("raw_%s_per_s=%.0f\n", paths[i].name, raw);
                printf("qg1_%s_vs_raw=%.3f\n", paths[i].name, qg1 / raw);
                printf("qg1_%s_code_chars=%zu\n", paths[i].name, strlen(paths[i].text));
                if (paths[i].digest)
                        cold(&paths[i]);
        }
        return 0;
}

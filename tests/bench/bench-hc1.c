/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HC1 verifications per second through verifier_check() — base45, bounded inflate, COSE,
 * trust-list lookup among 1000 DSCs (the size of the EU gateway's list), signature, CWT and
 * DCC payload, validity and key-usage checks — against OpenSSL alone verifying the same
 * signature over the same Sig_structure with the same key. As in bench-verify, rounds
 * alternate between the two so machine noise hits both alike, and each figure is its median
 * round. ES256 is the DCC's primary algorithm, PS256 its secondary.
 *
 * Two baselines. raw_* (hc1_vs_raw) sets OpenSSL up for the key at every call, as
 * EVP_DigestVerify() users do. qrgate sets each DSC's key up once, when the trust list loads
 * (CoseKey, core/cose.h), so it can beat that baseline. prepared_* (hc1_vs_prepared) is the
 * real floor: a context made once, then per code only the digest and the verification on a
 * copy of the context, which is what qrgate itself does around its parsing. */

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base45.h"
#include "core/hc1-mint.h"
#include "core/hc1.h"
#include "core/inflate-bounded.h"
#include "core/verifier.h"
#include "tests/bench/bench-util.h"

#define ROUNDS 11
#define ROUND_NS 200000000LL /* 0.2 s a round */
#define NOW ((int64_t) 1800000000)
#define DAY ((int64_t) 86400)
#define N_DSC 1000

typedef struct Path {
        const char *name;
        EVP_PKEY *key;
        EVP_PKEY_CTX *prepared; /* for the prepared floor */
        bool pss;
        char *text;
        BenchRawInputs raw;
} Path;

static Verifier verifier;

static void die(const char *what) {
        fprintf(stderr, "bench-hc1: %s\n", what);
        exit(1);
}

static void prepare(Path *p, TrustList *tl) {
        uint8_t *der, kid[DSC_KID_LEN], *payload, *bin, *cose;
        size_t der_len, len, cose_len;
        CoseSign1 c;

        if (hc1_dsc_make(p->key, "bench DSC", NOW - 365 * DAY, NOW + 365 * DAY, "1.3.6.1.4.1.1847.2021.1.2", &der, &der_len) < 0 ||
            trustlist_add_der(tl, der, der_len) < 0 || dsc_kid(der, der_len, kid) < 0)
                die("cannot make the DSC");
        if (hc1_payload_encode("XX", NOW - DAY, NOW + 180 * DAY, DCC_TYPE_VACCINATION, &payload, &len) < 0 ||
            hc1_mint(p->key, kid, sizeof(kid), payload, len, NULL, &p->text) < 0)
                die("cannot mint the code");

        /* What cose_sign1_verify hands OpenSSL, rebuilt outside the measured loop. */
        size_t n = strlen(p->text) - strlen(HC1_PREFIX);
        bin = malloc(base45_decoded_max(n));
        int k = base45_decode(p->text + strlen(HC1_PREFIX), n, bin, NULL);
        if (k < 0 || inflate_bounded(bin, (size_t) k, HC1_MAX_INFLATED, HC1_MAX_RATIO, &cose, &cose_len, NULL) < 0 ||
            cose_sign1_parse(cose, cose_len, &c, NULL) < 0)
                die("cannot decode the code");
        bench_raw_inputs(&c, !p->pss, &p->raw);
        cose_sign1_done(&c);
        free(cose), free(bin), free(payload), free(der);

        p->prepared = EVP_PKEY_CTX_new_from_pkey(NULL, p->key, NULL);
        if (!p->prepared || EVP_PKEY_verify_init(p->prepared) != 1 ||
            EVP_PKEY_CTX_set_signature_md(p->prepared, md_sha256()) != 1 ||
            (p->pss && (EVP_PKEY_CTX_set_rsa_padding(p->prepared, RSA_PKCS1_PSS_PADDING) != 1 ||
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(p->prepared, RSA_PSS_SALTLEN_DIGEST) != 1)))
                die("cannot prepare the key");
}

static bool raw_once(const void *arg) {
        const Path *p = arg;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, p->key) == 1 &&
                  (!p->pss || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1)) &&
                  EVP_DigestVerify(ctx, p->raw.sig, p->raw.sig_len, p->raw.tbs, p->raw.tbs_len) == 1;
        EVP_MD_CTX_free(ctx);
        return ok;
}

static bool prepared_once(const void *arg) {
        const Path *p = arg;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(p->prepared);
        uint8_t digest[32];
        bool ok = ctx && EVP_Digest(p->raw.tbs, p->raw.tbs_len, digest, NULL, md_sha256(), NULL) == 1 &&
                  EVP_PKEY_verify(ctx, p->raw.sig, p->raw.sig_len, digest, sizeof(digest)) == 1;
        EVP_PKEY_CTX_free(ctx);
        return ok;
}

static bool hc1_once(const void *arg) {
        const Path *p = arg;
        VerifyResult res;
        return verifier_check(&verifier, p->text, strlen(p->text), NOW, &res) == REASON_OK;
}

int main(void) {
        Path paths[] = {
                { .name = "es256", .key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") },
                { .name = "ps256", .key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048), .pss = true },
        };
        EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        TrustList *tl;

        if (!paths[0].key || !paths[1].key || !other || trustlist_new(&tl) < 0)
                die("cannot make keys");
        /* A realistic trust list: the right DSCs among 1000 others. */
        for (int i = 0; i < N_DSC; i++) {
                char cn[32];
                uint8_t *der;
                size_t len;
                snprintf(cn, sizeof(cn), "other DSC %d", i);
                if (hc1_dsc_make(other, cn, NOW - 365 * DAY, NOW + 365 * DAY, NULL, &der, &len) < 0 ||
                    trustlist_add_der(tl, der, len) < 0)
                        die("cannot fill the trust list");
                free(der);
        }
        trustlist_set_updated_at(tl, NOW - 3600);
        verifier = (Verifier) { .dcc_trust = tl, .clock_skew = 30, .dcc_trust_max_age = 2 * DAY };

        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
                prepare(&paths[i], tl);
        printf("# HC1 through verifier_check vs raw OpenSSL on the same key (tests/bench/bench-hc1.c), %zu DSCs trusted\n",
               trustlist_count(tl));
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                double hc1, raw, hc1_again, prepared;
                const char *suffix = i == 0 ? "" : "_ps256";
                bench_alternate(hc1_once, raw_once, &paths[i], ROUNDS, ROUND_NS, &hc1, &raw);
                bench_alternate(hc1_once, prepared_once, &paths[i], ROUNDS, ROUND_NS, &hc1_again, &prepared);
                printf("hc1%s_per_s=%.0f\n", suffix, hc1);
                printf("raw_%s_per_s=%.0f\n", paths[i].name, raw);
                printf("hc1%s_vs_raw=%.3f\n", suffix, hc1 / raw);
                printf("prepared_%s_per_s=%.0f\n", paths[i].name, prepared);
                printf("hc1%s_vs_prepared=%.3f\n", suffix, hc1_again / prepared);
                printf("hc1%s_code_chars=%zu\n", suffix, strlen(paths[i].text));
        }
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                EVP_PKEY_free(paths[i].key);
                EVP_PKEY_CTX_free(paths[i].prepared);
                free(paths[i].text);
                bench_raw_inputs_done(&paths[i].raw);
        }
        EVP_PKEY_free(other);
        trustlist_free(tl);
        return 0;
}

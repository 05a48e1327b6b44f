/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Timing for the benchmarks. A path is always measured against its baseline in alternating
 * rounds, so that whatever else the shared machine does falls on both alike, and each figure is
 * the median of its rounds. And the inputs of the verifier benchmarks' baseline: OpenSSL alone
 * verifying a code's signature. */

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cbor-util.h"
#include "core/cose.h"

static inline int64_t bench_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef bool (*BenchOnce)(const void *arg);

/* Runs once(arg) for round_ns and returns how many times a second it ran; aborts if it fails. */
static inline double bench_round(BenchOnce once, const void *arg, int64_t round_ns) {
        int64_t start = bench_now_ns(), end;
        long n = 0;
        do {
                if (!once(arg))
                        abort();
                n++;
        } while ((end = bench_now_ns()) - start < round_ns);
        return (double) n * 1e9 / (double) (end - start);
}

static inline int bench_cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* rounds (at most 32) alternating rounds of baseline and path; medians in *ret_path, *ret_base. */
static inline void bench_alternate(BenchOnce path, BenchOnce base, const void *arg, int rounds, int64_t round_ns,
                                   double *ret_path, double *ret_base) {
        double p[32], b[32];
        if (rounds > 32)
                rounds = 32;
        for (int i = 0; i < rounds; i++) {
                b[i] = bench_round(base, arg, round_ns);
                p[i] = bench_round(path, arg, round_ns);
        }
        qsort(p, (size_t) rounds, sizeof(double), bench_cmp_double);
        qsort(b, (size_t) rounds, sizeof(double), bench_cmp_double);
        *ret_path = p[rounds / 2];
        *ret_base = b[rounds / 2];
}

/* What cose_sign1_verify() hands OpenSSL for a code, rebuilt outside the measured loop. */
typedef struct BenchRawInputs {
        uint8_t *tbs, *sig; /* the Sig_structure; the signature as OpenSSL verifies it */
        size_t tbs_len, sig_len;
} BenchRawInputs;

/* The Sig_structure of c (RFC 9052 §4.4) and its signature: converted to DER when der (ES256:
 * OpenSSL verifies DER, and converting r||s is part of qrgate's path, not of the floor), as it
 * is otherwise. Free with bench_raw_inputs_done(). */
static inline void bench_raw_inputs(const CoseSign1 *c, bool der, BenchRawInputs *ret) {
        size_t o = 0;

        ret->tbs = malloc(64 + c->protected_len + c->payload_len);
        if (!ret->tbs)
                abort();
        o += cbor_put_head(ret->tbs + o, 4, 4);
        o += cbor_put_head(ret->tbs + o, 3, 10);
        memcpy(ret->tbs + o, "Signature1", 10), o += 10;
        o += cbor_put_head(ret->tbs + o, 2, c->protected_len);
        memcpy(ret->tbs + o, c->protected_raw, c->protected_len), o += c->protected_len;
        o += cbor_put_head(ret->tbs + o, 2, 0);
        o += cbor_put_head(ret->tbs + o, 2, c->payload_len);
        memcpy(ret->tbs + o, c->payload, c->payload_len), o += c->payload_len;
        ret->tbs_len = o;

        if (der) {
                ECDSA_SIG *s = ECDSA_SIG_new();
                unsigned char *d = NULL;
                ECDSA_SIG_set0(s, BN_bin2bn(c->signature, 32, NULL), BN_bin2bn(c->signature + 32, 32, NULL));
                ret->sig_len = (size_t) i2d_ECDSA_SIG(s, &d);
                ret->sig = malloc(ret->sig_len);
                if (!ret->sig)
                        abort();
                memcpy(ret->sig, d, ret->sig_len);
                OPENSSL_free(d);
                ECDSA_SIG_free(s);
        } else {
                ret->sig = malloc(c->signature_len);
                if (!ret->sig)
                        abort();
                memcpy(ret->sig, c->signature, c->signature_len);
                ret->sig_len = c->signature_len;
        }
}

static inline void bench_raw_inputs_done(BenchRawInputs *r) {
        free(r->tbs);
        free(r->sig);
}

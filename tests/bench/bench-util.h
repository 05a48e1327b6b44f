/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Timing for the benchmarks. A path is always measured against its baseline in alternating
 * rounds, so that whatever else the shared machine does falls on both alike, and each figure is
 * the median of its rounds. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

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

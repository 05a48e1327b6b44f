/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What anti-passback's presence store (core/area.h) costs in memory: SUBJECTS keyed subjects
 * present in one area (default 100,000), each a random 16-byte key as daemon/subject-key.c makes
 * them. Prints, as key=value lines:
 *   area_bytes_per_subject     the table's bytes over the subjects held (its slots are 20 bytes;
 *                              it doubles at three quarters full, so 20/0.75 .. 20/0.375)
 *   area_table_bytes           the table's size
 *   area_rss_kib_before/after  this process's VmRSS (/proc/self/status) before the first insert
 *                              and with every subject present; area_rss_kib_delta the difference
 *   area_lookup_ns             the median time of one presence lookup, a hit, over every subject
 *
 * usage: bench-areas [SUBJECTS] */

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/area.h"
#include "tests/bench/bench-util.h"

static long rss_kib(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long kib = -1;

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        break;
        fclose(f);
        return kib;
}

int main(int argc, char *argv[]) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
        int64_t now = 1780000000, timeout = 14400;
        AreaState *a = NULL;
        uint8_t *keys = malloc(n * AREA_KEY_SIZE);

        if (!keys || n == 0 || RAND_bytes(keys, (int) (n * AREA_KEY_SIZE)) != 1 || area_state_new(&a) < 0)
                return 1;
        /* The keys themselves are the benchmark's, not the store's: touched before the first
         * reading, so that only the table's growth is in the difference. */
        long before = rss_kib();
        for (size_t i = 0; i < n; i++)
                if (area_presence_add(a, keys + i * AREA_KEY_SIZE, now, timeout) < 0)
                        return 1;
        long after = rss_kib();
        if (area_presence_count(a) != n)
                return 1;

        int64_t t0 = bench_now_ns();
        size_t hits = 0;
        for (size_t i = 0; i < n; i++)
                hits += area_presence_live(a, keys + i * AREA_KEY_SIZE, now + 1, timeout);
        int64_t t1 = bench_now_ns();
        if (hits != n)
                return 1;

        printf("area_subjects=%zu\n", n);
        printf("area_table_bytes=%zu\n", area_presence_memory(a));
        printf("area_bytes_per_subject=%.1f\n", (double) area_presence_memory(a) / (double) n);
        printf("area_rss_kib_before=%ld\narea_rss_kib_after=%ld\narea_rss_kib_delta=%ld\n", before, after, after - before);
        printf("area_lookup_ns=%.0f\n", (double) (t1 - t0) / (double) n);
        area_state_free(a);
        free(keys);
        return 0;
}

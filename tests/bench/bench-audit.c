/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit writer's throughput and acknowledgment latency, on the disk the state directory
 * would be on (a folder under /var/tmp, not a tmpfs where fdatasync costs nothing):
 *
 *   audit_records_per_s_sync / _grouped   decisions recorded and acknowledged (written and
 *       fdatasync()ed) per second when they come as fast as the writer takes them — sustained,
 *       over 1.5 s after a warm-up — with the default durability ("sync") and with "grouped"
 *       (group_ms 200);
 *   audit_append_p50_us / _p99_us         what one record costs the event loop (encode, hash,
 *       write(2)): the only part of the log the unlock path shares a thread with;
 *   audit_ack_p50_us_sync / _grouped      from a single record to its acknowledgment.
 *
 * No token: signatures and pseudonyms run on the token's thread and are measured by
 * bench-token. usage: bench-audit */

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#include "daemon/audit.h"
#include "daemon/log.h"

#define TMPFS_MAGIC_ 0x01021994
#define WARMUP_USEC 300000U
#define WINDOW_USEC 1500000U
#define APPEND_SAMPLES 1000000U

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

static void die(const char *what) {
        fprintf(stderr, "bench-audit: %s\n", what);
        exit(1);
}

static int rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static int cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return (x > y) - (x < y);
}

static uint64_t pct(uint64_t *v, size_t n, double p) {
        qsort(v, n, sizeof(uint64_t), cmp);
        return v[(size_t) ((double) (n - 1) * p)];
}

typedef struct Run {
        double records_per_s;
        uint64_t ack_p50, ack_p99;
        uint64_t *append_us;
        size_t n_append;
} Run;

static int append_one(Audit *a, unsigned i) {
        return audit_log_decision(a, "main", i % 2, i % 2 ? "ok" : "replayed", "QG1", "scan0", AUDIT_SUBJECT_NONE,
                                  AUDIT_SUBJECT_NONE, NULL, NULL);
}

static void run(const char *base, AuditDurability durability, size_t max_append, unsigned n_ack, Run *ret) {
        char dir[256];
        AuditConf c = AUDIT_CONF_DEFAULTS;
        sd_event *e = NULL;
        Audit *a = NULL;
        AuditHead h;

        snprintf(dir, sizeof(dir), "%s/%s", base, durability == AUDIT_DURABILITY_SYNC ? "sync" : "grouped");
        c.durability = durability;
        c.max_files = 0;
        if (sd_event_new(&e) < 0 || audit_open(e, dir, &c, &a) < 0)
                die("cannot open the log");

        /* Throughput: records as fast as the loop takes them; the rate at which they become
         * acknowledged, measured after a warm-up, over a window long enough that the last group
         * still waiting for its fdatasync does not matter. */
        uint64_t t0 = now_usec(), t_mark = 0, d_mark = 0;
        for (unsigned i = 0;; i++) {
                uint64_t t = now_usec();
                if (t - t0 >= WARMUP_USEC + WINDOW_USEC)
                        break;
                if (!t_mark && t - t0 >= WARMUP_USEC) {
                        audit_get_head(a, &h);
                        t_mark = t;
                        d_mark = h.durable_seq;
                }
                if (append_one(a, i) < 0)
                        die("append failed");
                if (ret->n_append < max_append)
                        ret->append_us[ret->n_append++] = now_usec() - t;
                /* What the daemon's loop does between two scans: everything pending, the syncer's
                 * wake-up and its acknowledgments among it. */
                while (sd_event_run(e, 0) > 0)
                        ;
        }
        audit_get_head(a, &h);
        ret->records_per_s = (double) (h.durable_seq - d_mark) / ((double) (now_usec() - t_mark) / 1e6);
        do {
                (void) sd_event_run(e, 100000);
                audit_get_head(a, &h);
        } while (h.durable_seq < h.seq);

        /* Latency: one record at a time, each waiting for its acknowledgment. */
        uint64_t *ack = calloc(n_ack, sizeof(uint64_t));
        if (!ack)
                die("out of memory");
        for (unsigned i = 0; i < n_ack; i++) {
                uint64_t t = now_usec();
                if (append_one(a, i) < 0)
                        die("append failed");
                do {
                        (void) sd_event_run(e, 100000);
                        audit_get_head(a, &h);
                } while (h.durable_seq < h.seq);
                ack[i] = now_usec() - t;
        }
        ret->ack_p50 = pct(ack, n_ack, 0.50);
        ret->ack_p99 = pct(ack, n_ack, 0.99);
        free(ack);
        audit_free(a);
        sd_event_unref(e);
}

int main(int argc, char *argv[]) {
        char base[] = "/var/tmp/qrgate-bench-audit-XXXXXX";
        Run sync = {}, grouped = {};
        struct statfs sf;

        log_set_max_level(LOG_WARNING); /* the writer's "log is empty" notes are not results */
        if (!mkdtemp(base))
                die("mkdtemp");
        if (statfs(base, &sf) == 0 && sf.f_type == TMPFS_MAGIC_)
                fprintf(stderr, "bench-audit: %s is a tmpfs; fdatasync costs nothing there\n", base);
        sync.append_us = calloc(APPEND_SAMPLES, sizeof(uint64_t));
        grouped.append_us = calloc(APPEND_SAMPLES, sizeof(uint64_t));
        if (!sync.append_us || !grouped.append_us)
                die("out of memory");

        run(base, AUDIT_DURABILITY_SYNC, APPEND_SAMPLES, 200, &sync);
        run(base, AUDIT_DURABILITY_GROUPED, APPEND_SAMPLES, 10, &grouped);
        (void) nftw(base, rm, 16, FTW_DEPTH | FTW_PHYS);

        printf("# audit log writer (tests/bench/bench-audit.c)\n");
        printf("audit_records_per_s_sync=%.0f\n", sync.records_per_s);
        printf("audit_records_per_s_grouped=%.0f\n", grouped.records_per_s);
        printf("audit_append_p50_us=%" PRIu64 "\n", pct(sync.append_us, sync.n_append, 0.50));
        printf("audit_append_p99_us=%" PRIu64 "\n", pct(sync.append_us, sync.n_append, 0.99));
        printf("audit_ack_p50_us_sync=%" PRIu64 "\n", sync.ack_p50);
        printf("audit_ack_p99_us_sync=%" PRIu64 "\n", sync.ack_p99);
        printf("audit_ack_p50_us_grouped=%" PRIu64 "\n", grouped.ack_p50);
        free(sync.append_us);
        free(grouped.append_us);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* make bench: lend_offline_replay_per_s, the store-and-forward queue (lending/lend-queue.h)
 * replayed to the test ILS (lending/lend-replay.h), beside the same SIP2 transactions sent by
 * the client directly, with no queue, in the same run: the ratio is what durability costs (two
 * fdatasyncs per transaction: SENDING before the send, DONE after the answer). Rounds alternate
 * (the machine is shared), each PER_ROUND transactions: loans and returns of the test ILS's
 * three available items, so its state is the same at the start of every round. The queue is
 * appended untimed (that happened while offline) and lives under /var/tmp, on the disk: on a
 * tmpfs fdatasync costs nothing and the figure would flatter the queue (said in the output when
 * /var/tmp is a tmpfs all the same).
 *
 * usage: bench-lend-replay PATH-OF-sip2-ils */
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lending/lend-replay.h"
#include "tests/bench/bench-ils.h"
#include "tests/bench/bench-util.h"

#define ROUNDS 7
#define PER_ROUND 120 /* a multiple of 6: three loans, three returns */

static const char *const items[3] = { "I-AVAIL-1", "I-AVAIL-2", "I-AVAIL-3" };

static void die(const char *what) {
        fprintf(stderr, "bench-lend-replay: %s\n", what);
        exit(1);
}

static LendTx tx_at(int i) {
        bool checkin = i % 6 >= 3;
        return (LendTx) { .kind = checkin ? LEND_CHECKIN : LEND_CHECKOUT, .patron = checkin ? "" : "P-OK",
                          .item = items[i % 3], .station = "Bench", .time = time(NULL) };
}

/* The transactions through the queue: per second. */
static double replay_round(LendQueue *q, Sip2Client *c) {
        LendReplayStep s;
        Sip2ClientError e;
        int64_t t0;
        int r, n = 0;

        for (int i = 0; i < PER_ROUND; i++) {
                LendTx tx = tx_at(i);
                if (lend_queue_append(q, &tx, NULL) < 0)
                        die("append");
        }
        t0 = bench_now_ns();
        while ((r = lend_replay_one(q, c, time(NULL), NULL, &s, &e)) > 0) {
                if (s.outcome != LEND_OUTCOME_OK)
                        die(s.text);
                n++;
        }
        if (r < 0 || n != PER_ROUND)
                die(r < 0 ? e.detail : "not every transaction replayed");
        return (double) n * 1e9 / (double) (bench_now_ns() - t0);
}

/* The same transactions sent by the client directly: per second. */
static double direct_round(Sip2Client *c) {
        Sip2ClientError e;
        Sip2Result res;
        int64_t t0 = bench_now_ns();

        for (int i = 0; i < PER_ROUND; i++) {
                LendTx tx = tx_at(i);
                int r = tx.kind == LEND_CHECKIN ? sip2_client_checkin(c, tx.item, time(NULL), &res, &e)
                                                : sip2_client_checkout(c, tx.patron, tx.item, time(NULL), &res, &e);
                if (r < 0)
                        die(e.detail);
        }
        return (double) PER_ROUND * 1e9 / (double) (bench_now_ns() - t0);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(double), bench_cmp_double);
        return v[n / 2];
}

int main(int argc, char *argv[]) {
        char dir[] = "/var/tmp/bench-lend-replay-XXXXXX";
        const char *why = NULL;
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        _cleanup_(lend_queue_freep) LendQueue *q = NULL;
        _cleanup_(closep) int dfd = -EBADF;
        double replay[ROUNDS], direct[ROUNDS];
        struct statfs sfs;
        unsigned port = 0;
        pid_t pid;

        if (argc != 2)
                die("usage: bench-lend-replay PATH-OF-sip2-ils");
        if (!mkdtemp(dir))
                die("mkdtemp in /var/tmp");
        pid = bench_ils_start(argv[1], dir, &port, &why);
        if (pid < 0)
                die(why);

        if (bench_ils_client(port, &c) < 0)
                die("client connect");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || lend_queue_open(dfd, "queue", NULL, &q, NULL) < 0)
                die("queue open");

        for (int r = 0; r < ROUNDS; r++) {
                replay[r] = replay_round(q, c);
                direct[r] = direct_round(c);
        }

        q = lend_queue_free(q);
        bench_ils_stop(pid, dir);
        if (statfs(dir, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC)
                printf("# /var/tmp is a tmpfs here: fdatasync is free, the replay figure is flattered\n");
        unlinkat(dfd, "queue", 0);
        rmdir(dir);

        double rp = median(replay, ROUNDS), dp = median(direct, ROUNDS);
        printf("lend_replay_samples=%d\n", ROUNDS * PER_ROUND);
        printf("lend_offline_replay_per_s=%.0f\n", rp);
        printf("sip2_direct_tx_per_s=%.0f\n", dp);
        printf("lend_replay_vs_direct=%.3f\n", rp / dp);
        return 0;
}

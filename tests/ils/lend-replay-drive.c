/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drives the store-and-forward queue (lending/lend-queue.h) and its replay
 * (lending/lend-replay.h) for tests/integration/test-lend-replay.sh: what the lending service
 * will do, one command at a time, so the test can stop the ILS or kill this process in between.
 *
 * usage: lend-replay-drive queue DIR OP...       OP: checkout PATRON ITEM | checkin ITEM | renew PATRON ITEM
 *        lend-replay-drive replay DIR PORT CREDENTIAL-FILE
 *        lend-replay-drive list DIR
 *        lend-replay-drive mark-sending DIR ID  (as if a crash came between SENDING and the send)
 * The queue is DIR/lend-queue. replay prints one line per transaction settled,
 * "ID KIND ITEM ACTION OUTCOME[ uncertain]: TEXT", then "replay: done" (exit 0), or
 * "replay: failed FAILURE (retry later|stop): DETAIL" (exit 1). Usage errors exit 2. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lending/lend-replay.h"

static const char *const state_names[_LEND_STATE_MAX] = { "queued", "sending", "done" };

static int usage(void) {
        fprintf(stderr, "usage: lend-replay-drive queue DIR OP... | replay DIR PORT CREDENTIAL | list DIR | mark-sending DIR ID\n");
        return 2;
}

static int open_queue(const char *dir, LendQueue **ret) {
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        LendQueueRecovery rec;
        int r;

        if (fd < 0)
                return -errno;
        r = lend_queue_open(fd, "lend-queue", NULL, ret, &rec);
        if (r >= 0 && rec.dropped_bytes > 0)
                fprintf(stderr, "lend-replay-drive: a torn tail of %" PRIu64 " bytes cut off\n", rec.dropped_bytes);
        return r;
}

static int queue(LendQueue *q, int argc, char *argv[]) {
        for (int i = 0; i < argc; i++) {
                LendTx tx = { .station = "Station 1", .time = time(NULL), .patron = "" };
                int r;

                tx.kind = lend_kind_from_string(argv[i]);
                if (tx.kind == LEND_CHECKIN && i + 1 < argc)
                        tx.item = argv[++i];
                else if ((tx.kind == LEND_CHECKOUT || tx.kind == LEND_RENEW) && i + 2 < argc) {
                        tx.patron = argv[++i];
                        tx.item = argv[++i];
                } else
                        return usage();
                r = lend_queue_append(q, &tx, NULL);
                if (r < 0) {
                        fprintf(stderr, "lend-replay-drive: append: %s\n", strerror(-r));
                        return 1;
                }
        }
        return 0;
}

static int list(LendQueue *q) {
        LendTx tx;

        for (size_t i = 0; lend_queue_peek(q, i, &tx) > 0; i++)
                printf("%" PRIu64 " %s %s %s %s\n", tx.id, state_names[tx.state], lend_kind_to_string(tx.kind),
                       tx.patron[0] ? tx.patron : "-", tx.item);
        printf("pending %zu\n", lend_queue_length(q));
        return 0;
}

static int replay(LendQueue *q, const char *port, const char *credential) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        char *user = NULL, *password = NULL;
        const char *why;
        Sip2ClientError e;
        LendReplayStep s;
        int r;

        if (sip2_credential_load(credential, &user, &password, &why) < 0) {
                fprintf(stderr, "lend-replay-drive: %s\n", why);
                return 2;
        }
        Sip2ClientConfig cfg = { .host = "127.0.0.1", .port = (uint16_t) atoi(port), .institution = "CITY",
                                 .location = "Station 1", .user = user, .password = password,
                                 .connect_timeout_ms = 1000, .reply_timeout_ms = 1000, .resend_max = 2,
                                 .reconnect_max = 1 };
        r = sip2_client_new(&cfg, &c);
        free(user);
        sip2_secret_free(password);
        if (r < 0)
                return 2;
        while ((r = lend_replay_one(q, c, time(NULL), NULL, &s, &e)) > 0) {
                printf("%" PRIu64 " %s %s %s %s%s: %s\n", s.id, lend_kind_to_string(s.kind), s.item,
                       lend_replay_action_to_string(s.action), lend_outcome_to_string(s.outcome),
                       s.uncertain ? " uncertain" : "", s.text);
                fflush(stdout);
        }
        if (r < 0) {
                printf("replay: failed %s (%s): %s\n", e.failure == SIP2_FAIL_NONE ? "queue" : sip2_failure_to_string(e.failure),
                       lend_replay_retry_later(r, &e) ? "retry later" : "stop",
                       e.failure == SIP2_FAIL_NONE ? strerror(-r) : e.detail);
                return 1;
        }
        printf("replay: done\n");
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(lend_queue_freep) LendQueue *q = NULL;
        int r;

        if (argc < 3)
                return usage();
        r = open_queue(argv[2], &q);
        if (r < 0) {
                fprintf(stderr, "lend-replay-drive: cannot open the queue in %s: %s\n", argv[2], strerror(-r));
                return 1;
        }
        if (strcmp(argv[1], "queue") == 0)
                return queue(q, argc - 3, argv + 3);
        if (strcmp(argv[1], "list") == 0 && argc == 3)
                return list(q);
        if (strcmp(argv[1], "replay") == 0 && argc == 5)
                return replay(q, argv[3], argv[4]);
        if (strcmp(argv[1], "mark-sending") == 0 && argc == 4) {
                r = lend_queue_mark_sending(q, strtoull(argv[3], NULL, 10));
                if (r < 0)
                        fprintf(stderr, "lend-replay-drive: mark-sending: %s\n", strerror(-r));
                return r < 0;
        }
        return usage();
}

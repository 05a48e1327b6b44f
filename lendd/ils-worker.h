/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The lending service's one thread that talks to the ILS. The SIP2 client and the replay are
 * blocking (each request bounded by the ILS's timeouts), and the service's event loop must keep
 * answering the kiosk and the watchdog meanwhile; so the client and the store-and-forward queue
 * belong to this thread alone, which takes jobs in order and answers each through an eventfd
 * that the event loop watches.
 *
 * Every transaction, online or not, is written to the queue first and sent from it: a loan
 * whose answer a crash cut off is then found SENDING at the next start and reconciled
 * (lending/lend-replay.h) instead of being lost or sent twice. */

#include <stdbool.h>
#include <stdint.h>

#include "lending/lend-queue.h"
#include "lending/lend-replay.h"
#include "lending/sip2-client.h"

typedef enum IlsJobKind {
        ILS_JOB_PATRON, /* patron information (63/64) */
        ILS_JOB_TX,     /* append a transaction to the queue, then drain the queue */
        ILS_JOB_DRAIN,  /* drain the queue; with nothing queued, check that the ILS answers */
} IlsJobKind;

typedef enum IlsReplyKind {
        ILS_REPLY_PATRON,  /* .patron: the ILS's answer */
        ILS_REPLY_QUEUED,  /* .cookie's transaction is on disk as .step.id, or .error (-ENOSPC) */
        ILS_REPLY_SETTLED, /* .step: a queued transaction settled */
        ILS_REPLY_ONLINE,  /* the ILS answered */
        ILS_REPLY_OFFLINE, /* the ILS could not be reached (.detail), or a PATRON job failed */
        ILS_REPLY_STUCK,   /* retrying cannot help until someone acts (login refused, the queue's disk): .detail */
} IlsReplyKind;

typedef struct IlsPatron {
        char patron[LEND_ID_MAX + 1];
        bool valid, charge_denied;
        unsigned charged, limit;
        char fines[64], name[128];
} IlsPatron;

typedef struct IlsReply {
        IlsReplyKind kind;
        uint64_t cookie; /* the job's */
        int error;
        char detail[256];
        IlsPatron patron;
        LendReplayStep step;
        /* After every job: the queue as it is now. */
        size_t queue_length;
        int64_t queue_oldest; /* 0: empty */
} IlsReply;

typedef struct IlsJob {
        IlsJobKind kind;
        uint64_t cookie;
        LendKind tx;
        char patron[LEND_ID_MAX + 1], item[LEND_ID_MAX + 1], station[LEND_ID_MAX + 1];
        int64_t time;
} IlsJob;

typedef struct IlsWorker IlsWorker;

/* Starts the thread with client (taken over) and queue (taken over); forward says which queued
 * transactions go out as store and forward (lending/lend-replay.h). Replies are read with
 * ils_worker_take() when fd (ils_worker_fd()) is readable. */
int ils_worker_start(Sip2Client *client, LendQueue *queue, const LendReplayForward *forward, IlsWorker **ret);
/* Stops the thread after the job in progress (at most one ILS timeout) and frees everything. */
IlsWorker *ils_worker_free(IlsWorker *w);
int ils_worker_fd(const IlsWorker *w);
/* Queues a job; -ENOMEM. Never blocks on the ILS. */
int ils_worker_post(IlsWorker *w, const IlsJob *job);
/* The next reply: 1 and *ret, or 0 when there is none. */
int ils_worker_take(IlsWorker *w, IlsReply *ret);
/* Jobs posted and not yet finished. */
unsigned ils_worker_busy(IlsWorker *w);

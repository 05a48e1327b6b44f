/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The lending station's store-and-forward queue (issue 17, docs/sip2.md "Store-and-forward
 * queue"): while the ILS cannot be reached, every loan, return and renewal the station makes is
 * written here, and replayed in order when the ILS is back. One append-only file in a directory
 * the caller opened; each transaction moves QUEUED → SENDING → DONE, each step a record of its
 * own made durable (fdatasync) before the call returns. So after a crash:
 *  - a transaction whose append returned is there;
 *  - one found SENDING may have reached the ILS: the caller asks the ILS (item information)
 *    before sending it again, so that no loan is lost or recorded twice;
 *  - one marked DONE never comes back.
 * A torn or corrupt tail (a crash mid-write, a bad sector) is cut off at open and reported.
 * Blocking, single-threaded, one process per file (an exclusive lock says -EBUSY to a second).
 * Nothing here logs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

/* Longest patron, item or station id (bytes, without the NUL). SIP2 sets no limit; real ids are
 * barcodes of 8–20 characters. Longer ones are refused (-EINVAL), never cut. */
#define LEND_ID_MAX 64
/* Longest ILS text kept with a DONE transaction (bytes); longer text is cut at a UTF-8 boundary. */
#define LEND_TEXT_MAX 255

typedef enum LendKind {
        LEND_CHECKOUT, /* SIP2 11 */
        LEND_CHECKIN,  /* SIP2 09 */
        LEND_RENEW,    /* SIP2 29 */
        _LEND_KIND_MAX,
        _LEND_KIND_INVALID = -EINVAL,
} LendKind;

typedef enum LendState {
        LEND_QUEUED,  /* written, never sent */
        LEND_SENDING, /* may have reached the ILS: outcome unknown until reconciled */
        LEND_DONE,    /* the ILS answered (or the caller reconciled it); never returned again */
        _LEND_STATE_MAX,
        _LEND_STATE_INVALID = -EINVAL,
} LendState;

typedef enum LendOutcome {
        LEND_OUTCOME_OK,      /* the ILS made (or had made) the loan, return or renewal */
        LEND_OUTCOME_REFUSED, /* the ILS said no; its words are kept */
        _LEND_OUTCOME_MAX,
        _LEND_OUTCOME_INVALID = -EINVAL,
} LendOutcome;

typedef struct LendTx {
        LendKind kind;
        const char *patron;  /* at most LEND_ID_MAX bytes; may be "" for a checkin */
        const char *item;    /* 1 to LEND_ID_MAX bytes */
        const char *station; /* at most LEND_ID_MAX bytes */
        int64_t time;        /* when the station made it (unix seconds) */
        /* Filled by lend_queue_next(), ignored by lend_queue_append(): */
        uint64_t id;         /* unique in this queue, increasing in append order, never reused */
        LendState state;     /* LEND_QUEUED or LEND_SENDING */
} LendTx;

typedef struct LendQueueLimits {
        size_t max_pending;     /* transactions not DONE; one more is -ENOSPC */
        uint64_t max_file_size; /* bytes; an append that does not fit even after compaction is -ENOSPC */
} LendQueueLimits;

/* 4096 pending, 4 MiB: far beyond a day offline at a busy station, small for any disk. */
#define LEND_QUEUE_LIMITS_DEFAULT ((LendQueueLimits) { .max_pending = 4096, .max_file_size = 4u << 20 })

typedef struct LendQueueRecovery {
        uint64_t records;       /* valid records read */
        uint64_t dropped_bytes; /* torn or corrupt tail cut off (0: the file was clean) */
} LendQueueRecovery;

typedef struct LendQueue LendQueue;

/* Opens (creating it if missing) the queue file name in the directory dir_fd, never through a
 * symbolic link (-ELOOP) and only a regular file (-EBADFD for a FIFO, socket or device, -EISDIR).
 * A torn or corrupt tail is cut off and said in *ret_recovery (may be NULL): everything from the
 * first record that does not check (framing, CRC-32, or a state change that cannot follow the
 * ones before it) is dropped — records after a bad one are never believed. A file whose header
 * is not ours is -EBADMSG and left untouched. Another holder of the file: -EBUSY. limits may be
 * NULL (LEND_QUEUE_LIMITS_DEFAULT). dir_fd is an open directory (not AT_FDCWD: it is fsync()ed
 * after each compaction) and is duplicated: the caller keeps its own. The queue
 * must be freed by the caller with lend_queue_free(). */
int lend_queue_open(int dir_fd, const char *name, const LendQueueLimits *limits, LendQueue **ret,
                    LendQueueRecovery *ret_recovery);

LendQueue *lend_queue_free(LendQueue *q);
DEFINE_TRIVIAL_CLEANUP_FUNC(LendQueue *, lend_queue_free);

/* Writes a new QUEUED transaction and returns once it is on disk (fdatasync), with its id in
 * *ret_id (may be NULL). tx->id and tx->state are ignored. -EINVAL for an id that is too long or
 * an empty item, -ENOSPC when the queue is full (limits) or the disk is: the file is then as it
 * was before the call. */
int lend_queue_append(LendQueue *q, const LendTx *tx, uint64_t *ret_id);

/* The oldest transaction not DONE, in append order: > 0 and *ret filled, or 0 when there is none.
 * ret->state LEND_SENDING means it may have reached the ILS: reconcile before sending it again.
 * The strings point into the queue and are valid until the next call that changes it. */
int lend_queue_next(LendQueue *q, LendTx *ret);

/* The i-th transaction not DONE (0 is the one lend_queue_next() gives), as lend_queue_next()
 * fills it: > 0, or 0 past the end. Changes nothing; for listing the queue to an operator. */
int lend_queue_peek(const LendQueue *q, size_t i, LendTx *ret);

/* Records that transaction id is about to be sent, durably, before it is: call it, then send.
 * 0 for one already SENDING (nothing written), -ENOENT for an id not pending. */
int lend_queue_mark_sending(LendQueue *q, uint64_t id);

/* Records the ILS's answer (or the reconciled state) durably; the transaction is never returned
 * again. text (may be NULL) is the ILS's words, cut to LEND_TEXT_MAX bytes. -ENOENT for an id not
 * pending (one DONE already included). When nothing is pending any more, the file is compacted. */
int lend_queue_mark_done(LendQueue *q, uint64_t id, LendOutcome outcome, const char *text);

/* Transactions not DONE. */
size_t lend_queue_length(const LendQueue *q);

/* The station time of the oldest transaction not DONE: > 0 and *ret_time set, or 0 if none. */
int lend_queue_oldest(const LendQueue *q, int64_t *ret_time);

/* Rewrites the file with only the transactions not DONE (temporary file, fsync, rename, fsync of
 * the directory): a crash at any point leaves the old file or the new one. Done by itself when
 * the queue drains or the file reaches its size limit. */
int lend_queue_compact(LendQueue *q);

/* Bytes the file holds now. */
uint64_t lend_queue_file_size(const LendQueue *q);

const char *lend_kind_to_string(LendKind k);
LendKind lend_kind_from_string(const char *s);
const char *lend_outcome_to_string(LendOutcome o);
LendOutcome lend_outcome_from_string(const char *s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The queue's file format and in-memory state, shared by its files and its tests (the fuzz
 * target reads files through lend_queue_recover()). docs/sip2.md describes the format.
 *
 * File:    header | record*
 * header:  "QGLENDQ1" | next id (u64) | CRC-32 of the 16 bytes before it (u32)
 * record:  "Lq" | payload length (u16) | payload | CRC-32 of everything before it in the record
 * payload: type (u8) | id (u64) | by type:
 *          ADD      kind (u8) | time (i64) | patron, item, station (each u8 length | bytes)
 *          SENDING  (nothing)
 *          DONE     outcome (u8) | text (u8 length | bytes)
 * Integers are little-endian. The header is only ever written whole, by renaming a synced file
 * into place, so a header that does not check is not a torn one: the file is not ours. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lending/lend-queue.h"

#define LQ_HEADER_MAGIC "QGLENDQ1"
#define LQ_HEADER_SIZE 20
#define LQ_RECORD_MAGIC0 'L'
#define LQ_RECORD_MAGIC1 'q'
#define LQ_FRAME_SIZE 8 /* magic, length, CRC */
#define LQ_PAYLOAD_ADD_MAX (1 + 8 + 1 + 8 + 3 * (1 + LEND_ID_MAX))
#define LQ_PAYLOAD_DONE_MAX (1 + 8 + 1 + 1 + LEND_TEXT_MAX)
#define LQ_PAYLOAD_MAX MAX(LQ_PAYLOAD_ADD_MAX, LQ_PAYLOAD_DONE_MAX)
#define LQ_RECORD_MAX (LQ_FRAME_SIZE + LQ_PAYLOAD_MAX)
/* The most a file we wrote can hold: max_file_size plus one SENDING and one DONE for every
 * pending transaction (those are never refused for size). Reading stops here whatever the
 * limits, so a wrong file cannot make us read gigabytes. */
#define LQ_FILE_READ_MAX ((uint64_t) 256 << 20)

typedef enum LendRecordType {
        LQ_RECORD_ADD = 1,
        LQ_RECORD_SENDING = 2,
        LQ_RECORD_DONE = 3,
} LendRecordType;

typedef struct LendRecord {
        LendRecordType type;
        uint64_t id;
        LendKind kind;            /* ADD */
        int64_t time;             /* ADD */
        char patron[LEND_ID_MAX + 1], item[LEND_ID_MAX + 1], station[LEND_ID_MAX + 1]; /* ADD */
        LendOutcome outcome;      /* DONE */
        char text[LEND_TEXT_MAX + 1]; /* DONE */
} LendRecord;

/* A transaction not DONE. */
typedef struct LendEntry {
        uint64_t id;
        LendKind kind;
        LendState state;
        int64_t time;
        char patron[LEND_ID_MAX + 1], item[LEND_ID_MAX + 1], station[LEND_ID_MAX + 1];
} LendEntry;

/* The pending transactions in append order: entries[head..n). Those before head are DONE
 * ones not yet moved out (taking the oldest off is then O(1), as replay does it). */
typedef struct LendPending {
        LendEntry *entries;
        size_t head, n, allocated;
        size_t count;     /* entries not DONE */
        uint64_t next_id; /* every id below it was used */
        uint64_t last_id; /* of the newest entry (0: none yet) */
} LendPending;

struct LendQueue {
        int dir_fd;
        int fd;
        char *name, *tmp_name;
        LendQueueLimits limits;
        uint64_t size;      /* bytes of the file, all valid */
        bool broken;        /* a failed write could not be undone: reopen to know the file */
        LendPending pending;
};

/* Encoding (lend-queue-record.c). Each returns the bytes written into buf (LQ_RECORD_MAX or
 * LQ_HEADER_SIZE of room). */
size_t lq_header_encode(uint8_t buf[static LQ_HEADER_SIZE], uint64_t next_id);
size_t lq_record_encode(uint8_t buf[static LQ_RECORD_MAX], const LendRecord *rec);
size_t lq_entry_encode(uint8_t buf[static LQ_RECORD_MAX], const LendEntry *e);

/* Decoding: the header's next id, or -EBADMSG. One record at the start of buf: its length, or
 * -EBADMSG for anything that does not check (short, bad magic, length, CRC, field). */
int lq_header_decode(const uint8_t *buf, size_t size, uint64_t *ret_next_id);
int lq_record_decode(const uint8_t *buf, size_t size, LendRecord *ret);

/* The pending list (lend-queue-pending.c). */
void lq_pending_done(LendPending *p);
LendEntry *lq_pending_find(LendPending *p, uint64_t id);
/* Makes room for one more entry, so that the lq_pending_add() after a write cannot fail. */
int lq_pending_reserve(LendPending *p);
/* -EBADMSG for an id not above the newest one's (ids only grow), -ENOMEM. */
int lq_pending_add(LendPending *p, const LendEntry *e);
/* Moves the DONE entries out of the array. */
void lq_pending_squeeze(LendPending *p);
void lq_pending_remove(LendPending *p, LendEntry *e);
/* Applies one record: -EBADMSG for one that cannot follow the others (an ADD that reuses an id,
 * a SENDING or DONE for an id not pending), leaving p as it was. */
int lq_pending_apply(LendPending *p, const LendRecord *rec);

/* Reads a whole file's bytes into *ret (which the caller frees with lq_pending_done()):
 * -EBADMSG for a header that is not ours; otherwise 0, with the length of the valid part in
 * *ret_valid (the rest is the torn tail) and the records read in *ret_records. */
int lend_queue_recover(const uint8_t *buf, size_t size, LendPending *ret, size_t *ret_valid, uint64_t *ret_records);

/* Writes a file of the header and the pending transactions to tmp_name, syncs it, renames it
 * over name and syncs the directory (lend-queue-compact.c). Returns the new fd (locked) and
 * its size. */
int lq_write_file(int dir_fd, const char *name, const char *tmp_name, const LendPending *p, uint64_t *ret_size);

/* What the file would be after compaction: header and the pending transactions' records. */
uint64_t lq_live_size(const LendQueue *q);

/* pwrite() of all n bytes at off, or -errno (a short write is retried, so ENOSPC/EFBIG show). */
/* Takes the queue's exclusive lock on fd without waiting: -EBUSY when another holds it. */
int lq_lock(int fd);

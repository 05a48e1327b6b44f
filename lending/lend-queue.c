/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store-and-forward queue's API: opening with recovery, appending, the state changes, and
 * when to compact. Every record is written at the end of the valid part and made durable before
 * the call returns; a write that fails is cut back, so the file never keeps half a record that
 * a later append would land behind. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/utf8.h"
#include "core/string-table.h"
#include "lending/lend-queue-internal.h"

static const char *const lend_kind_table[_LEND_KIND_MAX] = {
        [LEND_CHECKOUT] = "checkout",
        [LEND_CHECKIN] = "checkin",
        [LEND_RENEW] = "renew",
};

static const char *const lend_outcome_table[_LEND_OUTCOME_MAX] = {
        [LEND_OUTCOME_OK] = "ok",
        [LEND_OUTCOME_REFUSED] = "refused",
};

DEFINE_STRING_TABLE_LOOKUP(lend_kind, LendKind);
DEFINE_STRING_TABLE_LOOKUP(lend_outcome, LendOutcome);

LendQueue *lend_queue_free(LendQueue *q) {
        if (!q)
                return NULL;
        closep(&q->fd);
        closep(&q->dir_fd);
        lq_pending_done(&q->pending);
        free(q->name);
        free(q->tmp_name);
        free(q);
        return NULL;
}

/* Opens the file under q->name, creating it (header only) if there is none, and locks it. */
static int open_locked(LendQueue *q) {
        for (unsigned attempt = 0; attempt < 3; attempt++) {
                _cleanup_(closep) int fd = -EBADF;
                struct stat st, now;
                uint64_t ignored;
                int r;

                /* O_NONBLOCK: a FIFO in its place must not block us (it is refused below). */
                fd = openat(q->dir_fd, q->name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        fd = lq_write_file(q->dir_fd, q->name, q->tmp_name, &(LendPending) { .next_id = 1 }, &ignored);
                else if (fd < 0)
                        /* open(2) says ENXIO for a socket: it is simply not a regular file. */
                        return errno == ENXIO ? -EBADFD : -errno;
                if (fd < 0)
                        return fd;
                if (fstat(fd, &st) < 0)
                        return -errno;
                r = stat_verify_regular(&st);
                if (r < 0)
                        return r;
                r = lq_lock(fd);
                if (r < 0)
                        return r;
                /* The holder we waited for may have compacted (renamed a new file over this one)
                 * before it let go: the lock counts only on the file the name has now. */
                if (fstatat(q->dir_fd, q->name, &now, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (now.st_dev == st.st_dev && now.st_ino == st.st_ino)
                        return TAKE_FD(fd);
        }
        return -EBUSY;
}

int lend_queue_open(int dir_fd, const char *name, const LendQueueLimits *limits, LendQueue **ret,
                    LendQueueRecovery *ret_recovery) {
        _cleanup_(lend_queue_freep) LendQueue *q = NULL;
        _cleanup_(freep) char *buf = NULL;
        size_t size, valid;
        uint64_t records;
        int r;

        assert(name);
        assert(ret);
        if (dir_fd < 0)
                return -EBADF; /* a real directory: it is fsync()ed after a rename */
        if (!name[0] || strchr(name, '/') || strlen(name) > 200)
                return -EINVAL;
        q = calloc(1, sizeof(LendQueue));
        if (!q)
                return -ENOMEM;
        q->fd = q->dir_fd = -EBADF;
        q->limits = limits ? *limits : LEND_QUEUE_LIMITS_DEFAULT;
        if (q->limits.max_pending == 0 || q->limits.max_file_size < LQ_HEADER_SIZE + LQ_RECORD_MAX ||
            q->limits.max_file_size > LQ_FILE_READ_MAX / 2)
                return -EINVAL;
        q->name = strdup(name);
        if (!q->name || asprintf(&q->tmp_name, ".%s.tmp", name) < 0)
                return -ENOMEM;
        q->dir_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (q->dir_fd < 0)
                return -errno;

        q->fd = open_locked(q);
        if (q->fd < 0)
                return q->fd;
        r = read_regular_fd(q->fd, LQ_FILE_READ_MAX, 0, &buf, &size);
        if (r < 0)
                return r;
        r = lend_queue_recover((const uint8_t *) buf, size, &q->pending, &valid, &records);
        if (r < 0)
                return r;
        if (valid < size) {
                /* The torn tail goes now: the next append must follow the last valid record. */
                if (ftruncate(q->fd, (off_t) valid) < 0 || fdatasync(q->fd) < 0)
                        return -errno;
        }
        q->size = valid;
        /* A compaction's leftover, if one was cut short; the file under the name is complete. */
        (void) unlinkat(q->dir_fd, q->tmp_name, 0);

        if (ret_recovery)
                *ret_recovery = (LendQueueRecovery) { .records = records, .dropped_bytes = size - valid };
        *ret = TAKE_PTR(q);
        return 0;
}

/* Compacts the file when n more bytes would pass its size limit and DONE records can go, or
 * when a failed cut-back left it broken. */
static int make_room(LendQueue *q, size_t n) {
        if (q->broken || (q->size + n > q->limits.max_file_size && q->size > lq_live_size(q)))
                return lend_queue_compact(q);
        return 0;
}

/* Appends one encoded record durably, or leaves the file as it was. */
static int write_record(LendQueue *q, const uint8_t *rec, size_t n) {
        int r;

        r = make_room(q, n);
        if (r < 0)
                return r;
        r = pwrite_all(q->fd, rec, n, q->size);
        if (r >= 0 && fdatasync(q->fd) < 0)
                r = -errno;
        if (r < 0) {
                /* A full disk (ENOSPC) may have taken part of the record. Cut it back so the file
                 * ends with a whole record; if even that fails, the next write rewrites the file. */
                if (ftruncate(q->fd, (off_t) q->size) < 0 || fdatasync(q->fd) < 0)
                        q->broken = true;
                return r;
        }
        q->size += n;
        return 0;
}

static bool id_ok(const char *s, bool empty_ok) {
        size_t n;

        if (!s)
                return false;
        n = strnlen(s, LEND_ID_MAX + 1);
        return n <= LEND_ID_MAX && (empty_ok || n > 0);
}

int lend_queue_append(LendQueue *q, const LendTx *tx, uint64_t *ret_id) {
        uint8_t buf[LQ_RECORD_MAX];
        LendEntry e;
        size_t n;
        int r;

        if (tx->kind < 0 || tx->kind >= _LEND_KIND_MAX || !id_ok(tx->patron, true) || !id_ok(tx->item, false) ||
            !id_ok(tx->station, true))
                return -EINVAL;
        if (q->pending.count >= q->limits.max_pending)
                return -ENOSPC;
        if (q->pending.next_id == UINT64_MAX)
                return -EOVERFLOW;
        assert(q->pending.next_id > q->pending.last_id);
        e = (LendEntry) { .id = q->pending.next_id, .kind = tx->kind, .state = LEND_QUEUED, .time = tx->time };
        strcpy(e.patron, tx->patron);
        strcpy(e.item, tx->item);
        strcpy(e.station, tx->station);
        n = lq_entry_encode(buf, &e);

        /* Room in memory first: once the record is on disk, adding it must not fail. */
        r = lq_pending_reserve(&q->pending);
        if (r < 0)
                return r;
        r = make_room(q, n);
        if (r < 0)
                return r;
        if (q->size + n > q->limits.max_file_size)
                return -ENOSPC;
        r = write_record(q, buf, n);
        if (r < 0)
                return r;
        r = lq_pending_add(&q->pending, &e);
        assert(r >= 0);
        if (ret_id)
                *ret_id = e.id;
        return 0;
}

static void fill_tx(const LendEntry *e, LendTx *ret) {
        *ret = (LendTx) {
                .kind = e->kind,
                .patron = e->patron,
                .item = e->item,
                .station = e->station,
                .time = e->time,
                .id = e->id,
                .state = e->state,
        };
}

int lend_queue_next(LendQueue *q, LendTx *ret) {
        if (q->pending.count == 0)
                return 0;
        /* Never a DONE one at head: lq_pending_remove() trims them. */
        fill_tx(&q->pending.entries[q->pending.head], ret);
        return 1;
}

int lend_queue_peek(const LendQueue *q, size_t i, LendTx *ret) {
        for (size_t k = q->pending.head; k < q->pending.n; k++) {
                const LendEntry *e = &q->pending.entries[k];

                if (e->state == LEND_DONE)
                        continue;
                if (i-- == 0) {
                        fill_tx(e, ret);
                        return 1;
                }
        }
        return 0;
}

int lend_queue_mark_sending(LendQueue *q, uint64_t id) {
        uint8_t buf[LQ_RECORD_MAX];
        LendEntry *e;
        int r;

        e = lq_pending_find(&q->pending, id);
        if (!e)
                return -ENOENT;
        if (e->state == LEND_SENDING)
                return 0;
        r = write_record(q, buf, lq_record_encode(buf, &(LendRecord) { .type = LQ_RECORD_SENDING, .id = id }));
        if (r < 0)
                return r;
        /* Found again: a compaction in write_record() moves the entries. */
        lq_pending_find(&q->pending, id)->state = LEND_SENDING;
        return 0;
}

/* text cut to at most max bytes, not inside a UTF-8 sequence. */
int lend_queue_mark_done(LendQueue *q, uint64_t id, LendOutcome outcome, const char *text) {
        uint8_t buf[LQ_RECORD_MAX];
        LendRecord rec = { .type = LQ_RECORD_DONE, .id = id, .outcome = outcome };
        int r;

        if (outcome < 0 || outcome >= _LEND_OUTCOME_MAX)
                return -EINVAL;
        if (!lq_pending_find(&q->pending, id))
                return -ENOENT;
        if (text)
                memcpy(rec.text, text, utf8_cut(text, LEND_TEXT_MAX));
        r = write_record(q, buf, lq_record_encode(buf, &rec));
        if (r < 0)
                return r;
        lq_pending_remove(&q->pending, lq_pending_find(&q->pending, id));
        /* Drained: start the next offline period with an empty file. The DONE is durable
         * already; a compaction that fails now is tried again later. */
        if (q->pending.count == 0)
                (void) lend_queue_compact(q);
        return 0;
}

size_t lend_queue_length(const LendQueue *q) {
        return q->pending.count;
}

int lend_queue_oldest(const LendQueue *q, int64_t *ret_time) {
        if (q->pending.count == 0)
                return 0;
        *ret_time = q->pending.entries[q->pending.head].time;
        return 1;
}

uint64_t lend_queue_file_size(const LendQueue *q) {
        return q->size;
}

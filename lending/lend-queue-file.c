/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing the queue file whole: at creation and at compaction (lend-queue.c decides when). The
 * new file is written under a temporary name, synced, renamed over the old one and the
 * directory synced, so that a crash at any point leaves one complete file under the name: the
 * old one (with every transaction the new one holds) or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/fileio.h"
#include "lending/lend-queue-internal.h"

int lq_lock(int fd) {
        /* One process per queue: two writers appending at their own idea of the end would
         * overwrite each other's records. The lock goes with the fd, so a crash releases it. */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        return 0;
}

int lq_write_file(int dir_fd, const char *name, const char *tmp_name, const LendPending *p, uint64_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) uint8_t *buf = NULL;
        size_t n = 0, cap;
        int r;

        /* Room for every live entry as ADD and SENDING: both are far below LQ_RECORD_MAX. */
        cap = LQ_HEADER_SIZE + (p->n - p->head) * 2 * (size_t) LQ_RECORD_MAX;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        n += lq_header_encode(buf, p->next_id);
        for (size_t i = p->head; i < p->n; i++) {
                const LendEntry *e = &p->entries[i];

                if (e->state == LEND_DONE)
                        continue;
                n += lq_entry_encode(buf + n, e);
                if (e->state == LEND_SENDING)
                        n += lq_record_encode(buf + n, &(LendRecord) { .type = LQ_RECORD_SENDING, .id = e->id });
        }

        /* A leftover of a crash during the last compaction, or something planted there: not ours
         * to write through either way. O_EXCL after the unlink makes a fresh file or fails. */
        if (unlinkat(dir_fd, tmp_name, 0) < 0 && errno != ENOENT)
                return -errno;
        fd = openat(dir_fd, tmp_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        /* Locked before it has the name, so no second opener can take it in between. */
        r = lq_lock(fd);
        if (r >= 0)
                r = pwrite_all(fd, buf, n, 0);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp_name, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp_name, 0);
                return r;
        }
        /* The rename itself, for a power cut. Were it lost, the old file, which holds every
         * transaction the new one does, would be found instead; appends made later would be
         * lost with it, but a directory's fsync fails only when the file system does, and then
         * their own fdatasync fails and is reported. */
        (void) fsync(dir_fd);
        *ret_size = n;
        return TAKE_FD(fd);
}

int lend_queue_compact(LendQueue *q) {
        uint64_t size;
        int fd;

        fd = lq_write_file(q->dir_fd, q->name, q->tmp_name, &q->pending, &size);
        if (fd < 0)
                return fd;
        closep(&q->fd);
        q->fd = fd;
        q->size = size;
        q->broken = false; /* the new file holds exactly what we know */
        lq_pending_squeeze(&q->pending);
        return 0;
}

/* What the file would be after compaction. */
uint64_t lq_live_size(const LendQueue *q) {
        uint8_t buf[LQ_RECORD_MAX];
        uint64_t n = LQ_HEADER_SIZE;

        for (size_t i = q->pending.head; i < q->pending.n; i++) {
                const LendEntry *e = &q->pending.entries[i];

                if (e->state == LEND_DONE)
                        continue;
                n += lq_entry_encode(buf, e);
                if (e->state == LEND_SENDING)
                        n += LQ_FRAME_SIZE + 9;
        }
        return n;
}

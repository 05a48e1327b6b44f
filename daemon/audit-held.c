/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The held-records marker: <audit>/held says "sequence numbers up to N were given to records
 * that may exist only in memory".
 *
 * While the log cannot be written (disk full), records are held in memory with their sequence
 * numbers already assigned — and the doors they record may have opened (on_write_error
 * "grant", or before the disk was known to be full). If the daemon is killed then, those
 * records are gone. Without a trace, the next start would give their numbers to new records
 * and `audit verify` would find nothing missing. With the marker, the next start knows which
 * numbers were given out, writes a LOST record naming the range as its first record, and goes
 * on after it: numbers are never reused, and the gap is accounted for.
 *
 * The marker must be writable when nothing else is (a full disk), so the file is created with
 * a whole block of zeros while there is space, and only ever overwritten in place. It survives
 * SIGKILL at once (the page cache); a power cut once the kernel has written it back. */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "daemon/audit-internal.h"
#include "daemon/log.h"

#define HELD_FILE "held"
#define HELD_MAGIC "QGHeld1\n"
#define HELD_SIZE 4096 /* a block: allocated once, overwritten in place */

static void put_be64(uint8_t *p, uint64_t v) {
        for (int i = 7; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t) v;
}

static uint64_t get_be64(const uint8_t *p) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = v << 8 | p[i];
        return v;
}

/* magic (8) || last (8) || CRC-32 of both (4); all zeros: nothing held. */
static int write_marker(Audit *a, uint64_t last) {
        uint8_t m[20] = {};

        if (last > 0) {
                memcpy(m, HELD_MAGIC, 8);
                put_be64(m + 8, last);
                uint32_t crc = (uint32_t) crc32(0L, m, 16);
                for (int i = 0; i < 4; i++)
                        m[16 + i] = (uint8_t) (crc >> (24 - 8 * i));
        }
        if (pwrite(a->held_fd, m, sizeof(m), 0) != (ssize_t) sizeof(m))
                return errno > 0 ? -errno : -EIO;
        return 0;
}

int audit_held_open(Audit *a, uint64_t *ret_last) {
        uint8_t m[20], zeros[HELD_SIZE] = {};
        struct stat st;
        ssize_t n;

        *ret_last = 0;
        if (a->held_fd < 0) {
                a->held_fd = openat(a->dir_fd, HELD_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
                if (a->held_fd < 0)
                        return -errno;
        }
        if (fstat(a->held_fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                closep(&a->held_fd);
                return -EBADFD;
        }
        if (st.st_size < HELD_SIZE) {
                /* Allocated now, while there is room, so that marking later never needs any. */
                if (pwrite(a->held_fd, zeros + st.st_size, (size_t) (HELD_SIZE - st.st_size), st.st_size) !=
                            (ssize_t) (HELD_SIZE - st.st_size) ||
                    fdatasync(a->held_fd) < 0) {
                        int r = errno > 0 ? -errno : -ENOSPC;
                        /* Best effort; an if, not a (void): see replay_cache_sync(). */
                        if (ftruncate(a->held_fd, st.st_size) < 0) {
                        }
                        return r;
                }
        }
        n = pread(a->held_fd, m, sizeof(m), 0);
        if (n != (ssize_t) sizeof(m) || memcmp(m, HELD_MAGIC, 8) != 0)
                return 0; /* zeros: nothing was held; anything else is no marker we wrote */
        uint32_t crc = (uint32_t) crc32(0L, m, 16);
        if (m[16] != (uint8_t) (crc >> 24) || m[17] != (uint8_t) (crc >> 16) || m[18] != (uint8_t) (crc >> 8) ||
            m[19] != (uint8_t) crc)
                return 0;
        *ret_last = get_be64(m + 8);
        a->held_marked = *ret_last;
        return 0;
}

void audit_held_update(Audit *a) {
        uint64_t want = a->backlog_size > 0 ? a->seq : 0;
        int r;

        if (want == a->held_marked)
                return;
        if (a->held_fd < 0) {
                if (want > 0 && !a->held_warned) {
                        a->held_warned = true;
                        log_error("Audit log: records are held in memory and %s/" HELD_FILE " could not be prepared: if "
                                  "the daemon dies now, their sequence numbers are not on record.", a->path);
                }
                return;
        }
        r = write_marker(a, want);
        if (r < 0) {
                if (!a->held_warned) {
                        a->held_warned = true;
                        log_error_errno(r, "Audit log: cannot mark the records held in memory in %s/" HELD_FILE ": %m",
                                        a->path);
                }
                return;
        }
        a->held_marked = want;
}

int audit_held_account(Audit *a, uint64_t held_last) {
        AuditBuilder b;
        uint64_t first = a->seq + 1;

        if (held_last <= a->seq)
                return 0; /* everything held then reached the disk after all */
        log_error("Audit log: records %" PRIu64 "-%" PRIu64 " were held in memory when the daemon stopped (the log "
                  "could not be written) and are lost; a LOST record says so.", first, held_last);
        /* The numbers stay given: the LOST record follows the gap and links to the last record
         * on disk, so `audit verify` finds the gap and what accounts for it. */
        a->seq = held_last;
        audit_builder_init(&b, AUDIT_EVENT_LOST);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, first);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "held in memory when the daemon stopped; the log could not be written");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, held_last - first + 1);
        return audit_append(a, &b, true);
}

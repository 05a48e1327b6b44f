/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recovery at start: where the chain stands, and what a crash or a power cut left at its end.
 * A torn last record (an interrupted append, or zeros where the file system had allocated space)
 * is cut off — what was cut is hashed into the RECOVERY record that follows — while damage of
 * any other kind is left exactly as found and the chain continues in a new file. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/audit-internal.h"
#include "daemon/log.h"

static int read_tail(int dir_fd, const char *name, AuditTail *ret, int *ret_fd) {
        _cleanup_(freep) uint8_t *buf = NULL;
        _cleanup_(closep) int fd = -EBADF;
        size_t size = 0;
        int r;

        fd = openat(dir_fd, name, (ret_fd ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        r = audit_file_read(fd, &buf, &size);
        if (r < 0)
                return r;
        audit_tail_scan(buf, size, ret);
        if (ret_fd)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Files looked back into for the last checkpoint when the last file has none (it began after
 * it): one is nearly always enough (checkpoints come every few minutes, files rotate at MiBs),
 * and looking further would read a token-less appliance's whole log at every start. */
#define CHECKPOINT_LOOKBACK 2

static void find_checkpoint(Audit *a, const AuditFileEntry *list, size_t n) {
        for (size_t i = n - 1, k = 0; a->checkpoint_seq == 0 && i-- > 0 && k < CHECKPOINT_LOOKBACK; k++) {
                AuditTail pt;
                if (read_tail(a->dir_fd, list[i].name, &pt, NULL) < 0)
                        return; /* only AuditHead's checkpoint stays unknown; verify reads the files */
                a->checkpoint_seq = pt.checkpoint_seq;
                memcpy(a->checkpoint_hash, pt.checkpoint_hash, AUDIT_HASH_SIZE);
        }
}

int audit_recover(Audit *a, AuditRecovery *rec) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(closep) int fd = -EBADF;
        size_t n = 0;
        AuditTail t;
        int r;

        *rec = (AuditRecovery) {};
        r = audit_dir_list(a->dir_fd, &list, &n);
        if (r < 0)
                return log_error_errno(r, "Audit log: cannot list %s: %m", a->path);
        if (n == 0) {
                log_info("Audit log: %s is empty; the chain starts at 1.", a->path);
                return 0;
        }

        const char *last = list[n - 1].name;
        r = read_tail(a->dir_fd, last, &t, &fd);
        if (r < 0)
                return log_error_errno(r, "Audit log: cannot read %s/%s: %m", a->path, last);

        if (t.damage_off != UINT64_MAX) {
                /* Not what a crash leaves: keep the file as it is for whoever investigates, and
                 * continue after its last readable record in a new file. */
                log_error("Audit log: %s/%s is damaged at offset %" PRIu64 " (%s); leaving it as it is and continuing "
                          "in a new file. Run `qrgatectl audit verify` on the log.",
                          a->path, last, t.damage_off, audit_parse_to_string(t.damage_why));
                snprintf(rec->file, sizeof(rec->file), "%s", last);
                rec->offset = t.damage_off;
                rec->count = t.size - t.damage_off;
                rec->text = "damaged file left as it is; the chain continues in a new file";
                rec->happened = true;
                closep(&fd);
        } else if (t.torn) {
                /* Said before it is done: a crash between the cut and the RECOVERY record that
                 * follows it leaves this line in the journal. */
                log_warning("Audit log: %s/%s ended in a torn record (%" PRIu64 " bytes at offset %" PRIu64
                            ", a crash during an append); cutting it off.",
                            a->path, last, t.size - t.valid_end, t.valid_end);
                if (ftruncate(fd, (off_t) t.valid_end) < 0 || fdatasync(fd) < 0)
                        return log_error_errno(errno, "Audit log: cannot cut the torn tail of %s/%s: %m", a->path, last);
                snprintf(rec->file, sizeof(rec->file), "%s", last);
                rec->offset = t.valid_end;
                rec->count = t.size - t.valid_end;
                memcpy(rec->hash, t.torn_hash, AUDIT_HASH_SIZE);
                rec->have_hash = true;
                rec->text = "torn tail cut";
                rec->happened = true;
        }

        if (t.n_records > 0) {
                a->seq = t.last_seq;
                memcpy(a->head, t.last_hash, AUDIT_HASH_SIZE);
                a->checkpoint_seq = t.checkpoint_seq;
                memcpy(a->checkpoint_hash, t.checkpoint_hash, AUDIT_HASH_SIZE);
        } else {
                /* The last file holds nothing whole: the chain's head is in the files before. */
                for (size_t i = n - 1; i-- > 0;) {
                        AuditTail pt;
                        r = read_tail(a->dir_fd, list[i].name, &pt, NULL);
                        if (r < 0)
                                return log_error_errno(r, "Audit log: cannot read %s/%s: %m", a->path, list[i].name);
                        if (pt.n_records == 0)
                                continue;
                        a->seq = pt.last_seq;
                        memcpy(a->head, pt.last_hash, AUDIT_HASH_SIZE);
                        a->checkpoint_seq = pt.checkpoint_seq;
                        memcpy(a->checkpoint_hash, pt.checkpoint_hash, AUDIT_HASH_SIZE);
                        break;
                }
                if (a->seq == 0 && list[n - 1].first_seq > 1)
                        log_warning("Audit log: no whole record in %s; the chain starts again at 1.", a->path);
        }

        find_checkpoint(a, list, n);

        if (fd >= 0) {
                if (t.n_records == 0 && list[n - 1].first_seq != a->seq + 1) {
                        /* An empty file named for another sequence number: it holds nothing. */
                        closep(&fd);
                        (void) unlinkat(a->dir_fd, last, 0);
                } else {
                        a->fd = TAKE_FD(fd);
                        a->file_size = t.valid_end;
                        a->file_started_usec = t.n_records > 0 ? t.first_time_usec : audit_realtime_usec();
                        snprintf(a->file_name, sizeof(a->file_name), "%s", last);
                }
        }
        log_info("Audit log: %s continues at record %" PRIu64 "%s.", a->path, a->seq + 1,
                 a->checkpoint_seq ? "" : " (no checkpoint in the last files)");
        return 0;
}


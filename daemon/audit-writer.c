/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's writer: encoding records into the chain, writing them (one write(2) each, on
 * the event loop), rotation, retention, and what happens when the disk refuses: records held in
 * memory, retried, an alarm, a full disk noticed before it bites. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit-rotate.h"
#include "core/fileio.h"
#include "daemon/audit-internal.h"
#include "daemon/clock.h"
#include "daemon/event-util.h"
#include "daemon/log.h"

static uint64_t be(const uint8_t *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

int64_t audit_realtime_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void audit_notify_state(Audit *a) {
        bool failing = audit_is_failing(a);

        if (failing == a->reported_failing)
                return;
        a->reported_failing = failing;
        if (a->state_handler)
                a->state_handler(a, failing, a->state_userdata);
}

static int open_file(Audit *a, uint64_t first_seq, int64_t first_time_usec) {
        char name[AUDIT_FILE_NAME_MAX];
        struct stat st;
        int fd;

        audit_file_name(first_seq, name);
        fd = openat(a->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno == EEXIST) {
                /* An empty file of that name (a crash right after creating it) is ours to fill. */
                fd = openat(a->dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
                if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0)) {
                        closep(&fd);
                        return -EEXIST;
                }
        }
        if (fd < 0)
                return -errno;
        closep(&a->fd); /* the syncer keeps its own descriptor until it has synced it */
        a->fd = fd;
        a->file_size = 0;
        a->file_started_usec = first_time_usec;
        a->new_file = true;
        a->retention_due = true;
        memcpy(a->file_name, name, sizeof(name));
        log_debug("Audit log: new file %s/%s.", a->path, name);
        return 0;
}

/* Writes the backlog, opening new files as rotation requires. On error, nothing of a partly
 * written record stays in the file (it is cut back), and the backlog keeps everything unwritten. */
static int flush_backlog(Audit *a) {
        int r;

        while (a->backlog_size > 0) {
                const uint8_t *p = a->backlog;
                size_t len = (size_t) be(p + 4, 2), n = 0;
                uint64_t last;

                if (a->fd < 0 || audit_rotate_due(&a->conf, a->file_size, len, a->file_started_usec, audit_realtime_usec())) {
                        r = open_file(a, be(p + 8, 8), (int64_t) be(p + 16, 8));
                        if (r < 0)
                                return r;
                }
                /* As many whole records as fit in this file, in one write. */
                for (;;) {
                        size_t l = (size_t) be(p + n + 4, 2);
                        if (n > 0 && a->file_size + n + l > a->conf.max_file_size)
                                break;
                        last = be(p + n + 8, 8);
                        n += l;
                        if (n >= a->backlog_size)
                                break;
                }
                r = pwrite_all(a->fd, p, n, a->file_size);
                if (r < 0) {
                        if (ftruncate(a->fd, (off_t) a->file_size) < 0)
                                /* Then recovery at the next start cuts it: it is a torn tail. */
                                log_debug_errno(errno, "Audit log: cannot cut a partial write back: %m");
                        return r;
                }
                a->file_size += n;
                a->backlog_size -= n;
                memmove(a->backlog, a->backlog + n, a->backlog_size);
                r = audit_syncer_written(a->syncer, a->fd, a->new_file ? a->dir_fd : -EBADF, last);
                if (r < 0)
                        log_warning_errno(r, "Audit log: cannot hand the file to the syncer: %m");
                else
                        a->new_file = false;
        }
        return 0;
}


/* The journal's side of the log's alarms (docs/journal.md): failing and recovered, whatever the
 * cause (a write refused, the disk full, fdatasync failing), so an operator searches for two IDs. */
static const LogFields audit_failing = { .message_id = QRGATE_MESSAGE_AUDIT_FAILING };
static const LogFields audit_recovered = { .message_id = QRGATE_MESSAGE_AUDIT_RECOVERED };

static void recovered(Audit *a) {
        AuditBuilder b;

        a->write_failing = false;
        (void) sd_event_source_set_enabled(a->retry, SD_EVENT_OFF);
        log_struct(LOG_NOTICE, 0, &audit_recovered, "Audit log: %s is writable again; every held record is written.", a->path);
        if (a->lost > 0) {
                audit_builder_init(&b, AUDIT_EVENT_LOST);
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, "the write backlog was full");
                audit_builder_add_u64(&b, AUDIT_TAG_COUNT, a->lost);
                a->lost = 0;
                (void) audit_append(a, &b, true);
        }
        (void) audit_append_alarm(a, "audit", NULL, false, "the audit log is writable again", true);
        audit_notify_state(a);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

static void arm_retry(Audit *a) {
        (void) event_arm_timer_relative(a->event, &a->retry, RETRY_USEC, 0, on_retry, a);
}

static const char *failing_consequence(const Audit *a) {
        return a->conf.grant_when_unwritable ? "doors still open on valid codes (on_write_error = \"grant\")."
                                             : "codes are refused until it can be written.";
}

static void fail(Audit *a, int error) {
        if (a->write_failing)
                return;
        a->write_failing = true;
        log_struct(LOG_ERR, error, &audit_failing, "Audit log: cannot write to %s: %m. Records are held in memory and "
                   "writing is retried every second; %s", a->path, failing_consequence(a));
        arm_retry(a);
        (void) audit_append_alarm(a, "audit", NULL, true, strerror(-error), true);
        audit_notify_state(a);
}

/* Free space on the state file system, checked at most every SPACE_CHECK_USEC unless forced. */
void audit_check_space(Audit *a, bool force) {
        uint64_t now = event_now_usec(a->event);
        struct statvfs sv;
        bool low;

        if (!force && now - a->space_checked_usec < SPACE_CHECK_USEC)
                return;
        a->space_checked_usec = now;
        if (fstatvfs(a->dir_fd, &sv) < 0)
                return;
        /* f_bavail, not f_bfree: the daemon runs as its own user, without root's reserve. */
        low = (uint64_t) sv.f_bavail * sv.f_frsize < SPACE_MIN;
        if (low == a->space_low)
                return;
        a->space_low = low;
        if (low) {
                log_struct(LOG_ERR, 0, &audit_failing, "Audit log: less than %u KiB free for %s; counting it as full: %s",
                           SPACE_MIN / 1024, a->path, failing_consequence(a));
                arm_retry(a);
                (void) audit_append_alarm(a, "audit", NULL, true, "No space left on device", true);
        } else {
                log_struct(LOG_NOTICE, 0, &audit_recovered, "Audit log: space for %s again.", a->path);
                (void) audit_append_alarm(a, "audit", NULL, false, "space on the state file system again", true);
        }
        audit_notify_state(a);
}

static int flush(Audit *a) {
        int r;

        if (a->in_flush)
                return 0;
        a->in_flush = true;
        r = flush_backlog(a);
        a->in_flush = false;
        audit_held_update(a);
        if (r < 0) {
                fail(a, r);
                return r;
        }
        if (a->write_failing)
                recovered(a);
        return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Audit *a = userdata;
        uint64_t ignored;

        /* The marker could not be made while the disk was full at start: try again. */
        if (a->held_fd < 0)
                (void) audit_held_open(a, &ignored);

        (void) flush(a);
        audit_check_space(a, true);
        if (a->write_failing || a->space_low)
                arm_retry(a);
        return 0;
}

void audit_apply_retention(Audit *a) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(freep) AuditRetire *plan = NULL;
        size_t n = 0, k = 0;
        bool held_back = false;
        int r;

        a->retention_due = false;
        if (a->in_retention)
                return;
        a->in_retention = true;
        r = audit_dir_list(a->dir_fd, &list, &n);
        if (r >= 0)
                r = audit_retention_plan(a->dir_fd, list, n, &a->conf, audit_realtime_usec(), &plan, &k, &held_back);
        if (r < 0)
                log_warning_errno(r, "Audit log: cannot apply retention in %s: %m", a->path);
        if (held_back != a->retention_alarm) {
                /* Said once when it starts and once when it ends, not at every rotation. */
                a->retention_alarm = held_back;
                if (held_back)
                        log_warning("Audit log: more than max_files (%u) files in %s, but the oldest is younger than "
                                    "min_age (%u s): kept. The log grows until the free-space check refuses openings.",
                                    a->conf.max_files, a->path, a->conf.min_age);
                (void) audit_append_alarm(a, "retention", NULL, held_back,
                                          held_back ? "more than max_files, all younger than min_age: kept"
                                                    : "within max_files again", true);
        }
        for (size_t i = 0; i < k; i++) {
                AuditBuilder b;

                if (strcmp(plan[i].name, a->file_name) == 0)
                        break;
                /* The record first: a crash between the two leaves a file that is retired again
                 * (a second RETIRE record), never one that vanished without a word. */
                audit_builder_init(&b, AUDIT_EVENT_RETIRE);
                audit_builder_add_u64(&b, AUDIT_TAG_REF, plan[i].first_seq);
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, plan[i].why);
                audit_builder_add_u64(&b, AUDIT_TAG_COUNT, plan[i].n_records);
                audit_builder_add_str(&b, AUDIT_TAG_FILE, plan[i].name);
                if (audit_append(a, &b, true) < 0 || a->write_failing)
                        break;
                if (unlinkat(a->dir_fd, plan[i].name, 0) < 0) {
                        log_warning_errno(errno, "Audit log: cannot delete %s/%s: %m", a->path, plan[i].name);
                        break;
                }
                log_info("Audit log: retired %s (records %" PRIu64 "-%" PRIu64 ", %s).", plan[i].name, plan[i].first_seq,
                         plan[i].first_seq + plan[i].n_records - 1, plan[i].why);
        }
        a->in_retention = false;
}

int audit_append(Audit *a, AuditBuilder *b, bool covers) {
        uint8_t hash[AUDIT_HASH_SIZE];
        int r;

        if (a->backlog_size + AUDIT_RECORD_MAX > BACKLOG_MAX) {
                /* Counted, and said in a LOST record when the log is writable again. */
                a->lost++;
                return -ENOBUFS;
        }
        if (a->backlog_size + AUDIT_RECORD_MAX > a->backlog_allocated) {
                size_t n = MAX(a->backlog_allocated * 2, (size_t) 16 * AUDIT_RECORD_MAX);
                uint8_t *p = realloc(a->backlog, MIN(n, (size_t) BACKLOG_MAX));
                if (!p) {
                        a->lost++;
                        return log_oom();
                }
                a->backlog = p;
                a->backlog_allocated = MIN(n, (size_t) BACKLOG_MAX);
        }
        /* Without it, a record's time is only as good as the RTC — or, on a board without one,
         * as the last shutdown. The kernel's word at this instant (daemon/clock.h). */
        if (clock_kernel_synchronized())
                b->flags |= AUDIT_FLAG_CLOCK_SYNCED;
        r = audit_builder_finish(b, a->seq + 1, audit_realtime_usec(), a->head, hash);
        if (r < 0)
                return log_error_errno(r, "Audit log: cannot encode a %s record: %m", audit_event_to_string(b->event));
        memcpy(a->backlog + a->backlog_size, b->buf, b->size);
        a->backlog_size += b->size;
        a->seq++;
        memcpy(a->head, hash, AUDIT_HASH_SIZE);
        /* While stopping, only the final checkpoint is asked for (see audit_stop()). */
        audit_checkpointer_appended(a->checkpointer, a->seq, a->head, covers && !a->stopping);

        (void) flush(a);
        audit_check_space(a, false);
        if (a->retention_due && !a->write_failing)
                audit_apply_retention(a);
        return 0;
}

int audit_append_alarm(Audit *a, const char *kind, const char *door, bool raised, const char *text, bool covers) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        if (door)
                audit_builder_add_str(&b, AUDIT_TAG_DOOR, door);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, text);
        audit_builder_add_str(&b, AUDIT_TAG_STATE, raised ? "raised" : "cleared");
        audit_builder_add_str(&b, AUDIT_TAG_KIND, kind);
        return audit_append(a, &b, covers);
}

void audit_on_synced(AuditSyncer *s, uint64_t seq, int error, void *userdata) {
        Audit *a = userdata;

        a->durable_seq = MAX(a->durable_seq, seq);
        if (error < 0 && !a->sync_failing) {
                a->sync_failing = true;
                log_struct(LOG_ERR, error, &audit_failing,
                           "Audit log: fdatasync failed: %m. Records after %" PRIu64 " may not be on disk.", a->durable_seq);
                (void) audit_append_alarm(a, "audit", NULL, true, "fdatasync failed", true);
                audit_notify_state(a);
        } else if (error == 0 && a->sync_failing) {
                a->sync_failing = false;
                log_struct(LOG_NOTICE, 0, &audit_recovered, "Audit log: fdatasync works again.");
                (void) audit_append_alarm(a, "audit", NULL, false, "fdatasync works again", true);
                audit_notify_state(a);
        }
}


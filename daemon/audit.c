/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's interface to the daemon: opening and closing it, the record of each kind of
 * event, subject pseudonyms from the token, checkpoint signatures arriving, and a clean stop
 * with its final checkpoint. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/fileio.h"
#include "daemon/audit-internal.h"
#include "daemon/event-util.h"
#include "daemon/log.h"
#include "daemon/private-dir.h"


static void stop_maybe_continue(Audit *a);

static void finish_stop(Audit *a) {
        a->stopped = true;
        (void) sd_event_source_set_enabled(a->stop_timer, SD_EVENT_OFF);
        if (a->stopped_handler)
                a->stopped_handler(a, a->stopped_userdata);
}

static int write_stop(Audit *a) {
        AuditBuilder b;
        int r;

        audit_builder_init(&b, AUDIT_EVENT_STOP);
        r = audit_append(a, &b, true);
        a->stop_written = true;
        a->stop_seq = a->seq;
        return r;
}

static void on_signed(AuditCheckpointer *c, const AuditSignature *sig, int error, const char *reason, void *userdata) {
        Audit *a = userdata;
        AuditBuilder b;

        if (error < 0) {
                if (!a->checkpoint_alarm) {
                        a->checkpoint_alarm = true;
                        log_warning("Audit log: no checkpoint signature (%s); records stay unsigned until the token "
                                    "signs again.", reason);
                        (void) audit_append_alarm(a, "checkpoint", NULL, true, reason, false);
                }
                if (a->stopping && !a->stopped && a->stop_written) {
                        log_warning("Audit log: stopping without a final checkpoint.");
                        finish_stop(a);
                } else
                        stop_maybe_continue(a);
                return;
        }

        audit_builder_init(&b, AUDIT_EVENT_CHECKPOINT);
        b.flags = sig->flags & AUDIT_FLAG_FINAL;
        audit_builder_add_u64(&b, AUDIT_TAG_REF, sig->seq);
        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, sig->hash, AUDIT_HASH_SIZE);
        audit_builder_add_bytes(&b, AUDIT_TAG_SIGNATURE, sig->signature, AUDIT_SIGNATURE_SIZE);
        audit_builder_add_bytes(&b, AUDIT_TAG_PUBKEY, sig->pubkey, sig->pubkey_size);
        if (audit_append(a, &b, false) < 0)
                return;
        a->checkpoint_seq = sig->seq;
        memcpy(a->checkpoint_hash, sig->hash, AUDIT_HASH_SIZE);
        log_debug("Audit log: checkpoint covers %" PRIu64 ".", sig->seq);

        if (a->stopping && !a->stopped && (sig->flags & AUDIT_FLAG_FINAL)) {
                if (sig->seq == a->stop_seq && a->seq == a->stop_seq + 1) {
                        finish_stop(a);
                        return;
                }
                /* Something was recorded after STOP: stop again, so the final checkpoint covers it. */
                (void) write_stop(a);
                if (audit_checkpointer_request(a->checkpointer, AUDIT_FLAG_FINAL) < 0)
                        finish_stop(a);
                return;
        }
        if (a->checkpoint_alarm && !a->stopping) {
                a->checkpoint_alarm = false;
                (void) audit_append_alarm(a, "checkpoint", NULL, false, "the token signs again", false);
        }
        stop_maybe_continue(a);
}

/* Pseudonyms. */

static void pending_release(Audit *a, Pending *p);
static void stop_continue(Audit *a);

/* presenter: whether the decision has a presenter, whose pseudonym (pmac, or NULL) comes too. */
static void write_pseudonym(Audit *a, uint64_t seq, const uint8_t *mac, bool presenter, const uint8_t *pmac,
                            const char *why) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_PSEUDONYM);
        audit_builder_add_u8(&b, AUDIT_TAG_SUBJECT, mac ? AUDIT_SUBJECT_PRESENT : AUDIT_SUBJECT_UNAVAILABLE);
        if (mac)
                audit_builder_add_bytes(&b, AUDIT_TAG_PSEUDONYM, mac, AUDIT_HASH_SIZE);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, seq);
        if (why)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, why);
        if (presenter) {
                audit_builder_add_u8(&b, AUDIT_TAG_PRESENTER, pmac ? AUDIT_SUBJECT_PRESENT : AUDIT_SUBJECT_UNAVAILABLE);
                if (pmac)
                        audit_builder_add_bytes(&b, AUDIT_TAG_PRESENTER_PSEUDONYM, pmac, AUDIT_HASH_SIZE);
        }
        (void) audit_append(a, &b, true);
}

static int on_pending_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Audit *a = userdata;
        uint64_t now = event_now_usec(a->event);

        for (size_t i = 0; i < PENDING_MAX; i++) {
                Pending *p = &a->pending[i];
                if (!p->used || p->deadline > now)
                        continue;
                write_pseudonym(a, p->seq, NULL, p->presenter, NULL, "the token did not answer in time");
                pending_release(a, p);
        }
        return 0;
}

static void pending_rearm(Audit *a) {
        uint64_t next = UINT64_MAX;

        for (size_t i = 0; i < PENDING_MAX; i++)
                if (a->pending[i].used)
                        next = MIN(next, a->pending[i].deadline);
        if (next == UINT64_MAX) {
                (void) sd_event_source_set_enabled(a->pending_timer, SD_EVENT_OFF);
                return;
        }
        (void) event_arm_timer(a->event, &a->pending_timer, next, 1000U, on_pending_timer, a);
}

/* A clean stop writes STOP once no pseudonym is pending and no checkpoint is being signed, so
 * that the final checkpoint follows STOP directly. */
static void stop_maybe_continue(Audit *a) {
        if (a->stopping && !a->stop_written && a->n_pending == 0 && !audit_checkpointer_busy(a->checkpointer))
                stop_continue(a);
}

static void pending_release(Audit *a, Pending *p) {
        p->used = false;
        a->n_pending--;
        pending_rearm(a);
        stop_maybe_continue(a);
}

static Pending *pending_find(Audit *a, uint64_t seq) {
        for (size_t i = 0; i < PENDING_MAX; i++)
                if (a->pending[i].used && a->pending[i].seq == seq && seq > 0)
                        return &a->pending[i];
        return NULL;
}

/* A slot for a pseudonym (its seq is set once the decision has its record), or NULL with why. */
static Pending *pending_add(Audit *a, const char **ret_why) {
        Pending *p = NULL;

        if (a->stopping) {
                *ret_why = "stopping";
                return NULL;
        }
        for (size_t i = 0; i < PENDING_MAX && !p; i++)
                if (!a->pending[i].used)
                        p = &a->pending[i];
        if (!p) {
                *ret_why = "too many pseudonyms pending";
                return NULL;
        }
        *p = (Pending) {
                .used = true,
                .deadline = event_now_usec(a->event) + (uint64_t) a->conf.pseudonym_timeout_ms * 1000U,
        };
        a->n_pending++;
        pending_rearm(a);
        return p;
}

/* Pseudonyms that will not come any more: each decision is told so, by a record of its own. */
static void pending_abandon_all(Audit *a) {
        for (size_t i = 0; i < PENDING_MAX; i++) {
                Pending *p = &a->pending[i];
                if (!p->used)
                        continue;
                p->used = false;
                if (a->opened)
                        write_pseudonym(a, p->seq, NULL, p->presenter, NULL, "the daemon stopped first");
        }
        a->n_pending = 0;
}

int audit_open(sd_event *e, const char *state_directory, const AuditConf *conf, Audit **ret) {
        _cleanup_(audit_freep) Audit *a = NULL;
        _cleanup_(closep) int state_fd = -EBADF;
        AuditRecovery rec;
        uint64_t held_last = 0;
        int r;

        a = calloc(1, sizeof(Audit));
        if (!a)
                return log_oom();
        a->event = sd_event_ref(e);
        a->conf = *conf;
        a->dir_fd = -EBADF;
        a->fd = -EBADF;
        a->held_fd = -EBADF;
        if (asprintf(&a->path, "%s/" AUDIT_DIRECTORY, state_directory) < 0) {
                a->path = NULL;
                return log_oom();
        }
        /* Never through a symlink, and only a directory that is ours alone: a link planted in
         * the state directory would otherwise point the log's writes anywhere. */
        state_fd = private_dir_open(state_directory, 0700, geteuid());
        if (state_fd < 0)
                return log_error_errno(state_fd, "State directory %s cannot be used: %s.", state_directory,
                                       private_dir_strerror(state_fd));
        if (mkdirat(state_fd, AUDIT_DIRECTORY, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Audit log: cannot create %s: %m", a->path);
        a->dir_fd = openat(state_fd, AUDIT_DIRECTORY, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (a->dir_fd < 0)
                return log_error_errno(errno, "Audit log: cannot open %s: %s", a->path,
                                       errno == ENOTDIR || errno == ELOOP ? "not a directory (a symbolic link?)" : strerror(errno));

        r = audit_syncer_new(e, conf->durability == AUDIT_DURABILITY_GROUPED ? (uint64_t) conf->group_ms * 1000U : 0,
                             audit_on_synced, a, &a->syncer);
        if (r < 0)
                return log_error_errno(r, "Audit log: cannot start the syncer: %m");
        r = audit_checkpointer_new(e, conf->checkpoint_records, (uint64_t) conf->checkpoint_seconds * 1000000U, on_signed,
                                   a, &a->checkpointer);
        if (r < 0)
                return log_oom();

        r = audit_recover(a, &rec);
        if (r < 0)
                return r;
        a->durable_seq = a->seq;
        audit_checkpointer_appended(a->checkpointer, a->seq, a->head, false);
        audit_checkpointer_set_covered(a->checkpointer, a->seq);

        /* Before anything else is appended: the records an earlier run held in memory and lost
         * come right after the last one on disk, as a gap a LOST record accounts for. */
        r = audit_held_open(a, &held_last);
        if (r < 0)
                log_warning_errno(r, "Audit log: cannot prepare %s/held (it keeps track of records held in memory "
                                  "while the disk is full): %m", a->path);
        else if (held_last > 0)
                (void) audit_held_account(a, held_last);

        if (rec.happened) {
                AuditBuilder b;
                audit_builder_init(&b, AUDIT_EVENT_RECOVERY);
                if (rec.have_hash)
                        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, rec.hash, AUDIT_HASH_SIZE);
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, rec.text);
                audit_builder_add_u64(&b, AUDIT_TAG_COUNT, rec.count);
                audit_builder_add_str(&b, AUDIT_TAG_FILE, rec.file);
                audit_builder_add_u64(&b, AUDIT_TAG_OFFSET, rec.offset);
                (void) audit_append(a, &b, true);
        }
        /* Files may have aged past max_age while the daemon was not running. */
        audit_apply_retention(a);
        a->opened = true;
        *ret = TAKE_PTR(a);
        return 0;
}

Audit *audit_free(Audit *a) {
        if (!a)
                return NULL;
        pending_abandon_all(a);
        if (a->opened && !a->stop_written)
                (void) write_stop(a);
        if (a->backlog_size > 0)
                log_error("Audit log: %zu bytes of records could not be written before the stop.", a->backlog_size);
        a->checkpointer = audit_checkpointer_free(a->checkpointer);
        a->syncer = audit_syncer_free(a->syncer);
        sd_event_source_disable_unref(a->retry);
        sd_event_source_disable_unref(a->pending_timer);
        sd_event_source_disable_unref(a->stop_timer);
        closep(&a->fd);
        closep(&a->held_fd);
        closep(&a->dir_fd);
        sd_event_unref(a->event);
        free(a->backlog);
        free(a->path);
        free(a);
        return NULL;
}

void audit_set_token(Audit *a, TokenService *token) {
        a->token = token;
        audit_checkpointer_set_token(a->checkpointer, token);
}

void audit_set_state_handler(Audit *a, AuditStateHandler handler, void *userdata) {
        a->state_handler = handler;
        a->state_userdata = userdata;
}

/* The configuration file's digest, when it can be read: START and RELOAD records say which
 * configuration the daemon went by. */
static void add_config_digest(AuditBuilder *b, const char *config_path) {
        _cleanup_(freep) char *buf = NULL;
        uint8_t digest[AUDIT_HASH_SIZE];
        size_t size;

        /* Read as config_load() reads it: a FIFO put in its place between the load and this
         * record must not block the daemon, and a file over the cap was refused anyway. */
        if (!config_path || read_regular_file(AT_FDCWD, config_path, CONFIG_FILE_MAX, 0, &buf, &size) < 0)
                return;
        audit_hash(buf, size, digest);
        audit_builder_add_bytes(b, AUDIT_TAG_HASH, digest, AUDIT_HASH_SIZE);
}

/* The fields every DECISION record starts with, a single decision's or a count of refusals. */
static void add_decision(AuditBuilder *b, const char *door, bool granted, const char *reason, const char *format,
                         const char *origin, AuditSubject subject) {
        audit_builder_init(b, AUDIT_EVENT_DECISION);
        audit_builder_add_str(b, AUDIT_TAG_DOOR, door);
        audit_builder_add_u8(b, AUDIT_TAG_DECISION, granted);
        audit_builder_add_str(b, AUDIT_TAG_REASON, reason);
        audit_builder_add_str(b, AUDIT_TAG_FORMAT, format);
        audit_builder_add_str(b, AUDIT_TAG_ORIGIN, origin);
        audit_builder_add_u8(b, AUDIT_TAG_SUBJECT, subject);
}

int audit_log_start(Audit *a, const char *config_path) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_START);
        add_config_digest(&b, config_path);
        if (config_path)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, config_path);
        audit_builder_add_str(&b, AUDIT_TAG_VERSION, QRGATE_VERSION);
        return audit_append(a, &b, true);
}

int audit_log_decision(Audit *a, const char *door, bool granted, const char *reason, const char *format,
                       const char *origin, AuditSubject subject, AuditSubject presenter, const char *why,
                       uint64_t *ret_seq) {
        Pending *p = NULL;
        AuditBuilder b;
        int r;

        if (ret_seq)
                *ret_seq = 0;
        /* The slot is taken first, so that the record can say whether its pseudonym follows. */
        if (subject == AUDIT_SUBJECT_PENDING && !(p = pending_add(a, &why)))
                subject = AUDIT_SUBJECT_UNAVAILABLE;
        if (presenter == AUDIT_SUBJECT_PENDING && !p)
                presenter = AUDIT_SUBJECT_UNAVAILABLE;
        if (p)
                p->presenter = presenter == AUDIT_SUBJECT_PENDING;
        add_decision(&b, door, granted, reason, format, origin, subject);
        if (why && subject == AUDIT_SUBJECT_UNAVAILABLE)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, why);
        if (presenter != AUDIT_SUBJECT_NONE)
                audit_builder_add_u8(&b, AUDIT_TAG_PRESENTER, presenter);
        r = audit_append(a, &b, true);
        if (p) {
                if (r < 0)
                        pending_release(a, p);
                else {
                        p->seq = a->seq;
                        if (ret_seq)
                                *ret_seq = p->seq;
                }
        }
        return r;
}

int audit_log_repeats(Audit *a, const char *door, const char *reason, const char *format, const char *origin,
                      uint64_t count) {
        AuditBuilder b;

        add_decision(&b, door, false, reason, format, origin, AUDIT_SUBJECT_NONE);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "repeated refusals, counted");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        return audit_append(a, &b, true);
}

void audit_log_pseudonym(Audit *a, uint64_t seq, const uint8_t *mac, const uint8_t *presenter_mac, const char *why) {
        Pending *p = pending_find(a, seq);

        /* Too late (already recorded as unavailable) or not asked for: nothing to add. */
        if (!p)
                return;
        write_pseudonym(a, seq, mac, p->presenter, presenter_mac,
                        mac && (presenter_mac || !p->presenter) ? NULL : why ?: "the token could not compute it");
        pending_release(a, p);
}

int audit_log_unlock(Audit *a, const char *door, uint32_t duration_ms, uid_t uid, int result, const char *why) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_UNLOCK);
        audit_builder_add_str(&b, AUDIT_TAG_DOOR, door);
        audit_builder_add_u8(&b, AUDIT_TAG_DECISION, result >= 0);
        audit_builder_add_u32(&b, AUDIT_TAG_DURATION_MS, duration_ms);
        audit_builder_add_u32(&b, AUDIT_TAG_UID, (uint32_t) uid);
        if (result < 0)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, why ?: strerror(-result));
        return audit_append(a, &b, true);
}

int audit_log_occupancy(Audit *a, const char *area, uint32_t before, uint32_t after, uid_t uid) {
        AuditBuilder b;
        char text[64];

        audit_builder_init(&b, AUDIT_EVENT_OCCUPANCY);
        audit_builder_add_u32(&b, AUDIT_TAG_UID, (uint32_t) uid);
        snprintf(text, sizeof(text), "occupancy was %u", before);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, text);
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, after);
        audit_builder_add_str(&b, AUDIT_TAG_AREA, area);
        return audit_append(a, &b, true);
}

int audit_log_exit_request(Audit *a, const char *door, uint32_t duration_ms, int result, const char *why) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_UNLOCK);
        audit_builder_add_str(&b, AUDIT_TAG_DOOR, door);
        audit_builder_add_u8(&b, AUDIT_TAG_DECISION, result >= 0);
        audit_builder_add_u32(&b, AUDIT_TAG_DURATION_MS, duration_ms);
        /* Fields go in tag order (audit/audit-record.h): the text before the state. */
        if (result < 0)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, why ?: strerror(-result));
        audit_builder_add_str(&b, AUDIT_TAG_STATE, "request-to-exit");
        return audit_append(a, &b, true);
}

int audit_log_alarm(Audit *a, const char *kind, const char *door, bool raised, const char *text) {
        return audit_append_alarm(a, kind, door, raised, text, true);
}

int audit_log_lend(Audit *a, const char *door, const char *kind, const char *item, const char *outcome,
                   const char *detail, const uint8_t *pseudonym) {
        AuditBuilder b;

        /* Fields go in tag order (audit/audit-record.h). */
        audit_builder_init(&b, AUDIT_EVENT_LEND);
        audit_builder_add_str(&b, AUDIT_TAG_DOOR, door);
        if (pseudonym)
                audit_builder_add_bytes(&b, AUDIT_TAG_PSEUDONYM, pseudonym, AUDIT_HASH_SIZE);
        if (detail && *detail)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, detail);
        audit_builder_add_str(&b, AUDIT_TAG_STATE, outcome);
        audit_builder_add_str(&b, AUDIT_TAG_KIND, kind);
        if (item && *item)
                audit_builder_add_str(&b, AUDIT_TAG_ITEM, item);
        return audit_append(a, &b, true);
}

int audit_log_reload(Audit *a, const char *config_path, const char *why) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_RELOAD);
        add_config_digest(&b, config_path);
        if (why)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, why);
        audit_builder_add_str(&b, AUDIT_TAG_STATE, why ? "refused" : "applied");
        return audit_append(a, &b, true);
}

int audit_log_token(Audit *a, const char *state, const char *reason) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_TOKEN);
        if (reason && *reason)
                audit_builder_add_str(&b, AUDIT_TAG_TEXT, reason);
        audit_builder_add_str(&b, AUDIT_TAG_STATE, state);
        return audit_append(a, &b, true);
}

static int on_stop_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Audit *a = userdata;

        log_warning("Audit log: the token did not sign the final checkpoint in time; the log ends unsigned after "
                    "record %" PRIu64 ".", a->checkpoint_seq);
        if (!a->stop_written) {
                pending_abandon_all(a);
                (void) write_stop(a);
        }
        finish_stop(a);
        return 0;
}

static void stop_continue(Audit *a) {
        (void) write_stop(a);
        if (audit_checkpointer_request(a->checkpointer, AUDIT_FLAG_FINAL) < 0)
                finish_stop(a);
}

int audit_stop(Audit *a, AuditStoppedHandler done, void *userdata) {
        int r;

        if (a->stopping)
                return a->stopped ? 0 : 1;
        a->stopping = true;
        a->stopped_handler = done;
        a->stopped_userdata = userdata;
        if (!a->token) {
                /* Nothing to sign with, and so nobody asked it for pseudonyms either. */
                pending_abandon_all(a);
                (void) write_stop(a);
                a->stopped = true;
                return 0;
        }
        r = sd_event_add_time_relative(a->event, &a->stop_timer, CLOCK_MONOTONIC,
                                       (uint64_t) a->conf.pseudonym_timeout_ms * 1000U + STOP_GRACE_USEC, 0, on_stop_timer, a);
        if (r < 0) {
                log_warning_errno(r, "Audit log: cannot wait for the final checkpoint: %m");
                (void) write_stop(a);
                a->stopped = true;
                return 0;
        }
        /* Without a callback now: the caller learns from the return value. */
        a->stopped_handler = NULL;
        stop_maybe_continue(a);
        a->stopped_handler = done;
        return a->stopped ? 0 : 1;
}

bool audit_is_failing(const Audit *a) {
        return a->write_failing || a->sync_failing || a->space_low;
}

bool audit_refuses_openings(Audit *a) {
        /* Asked before every opening: find a full disk before the record of this one fails. */
        audit_check_space(a, true);
        return (a->write_failing || a->space_low) && !a->conf.grant_when_unwritable;
}

void audit_get_head(const Audit *a, AuditHead *ret) {
        *ret = (AuditHead) {
                .seq = a->seq,
                .durable_seq = a->durable_seq,
                .checkpoint_seq = a->checkpoint_seq,
                .state = audit_is_failing(a) ? "failing" : a->token ? "ok" : "unsigned",
        };
        memcpy(ret->hash, a->head, AUDIT_HASH_SIZE);
        memcpy(ret->checkpoint_hash, a->checkpoint_hash, AUDIT_HASH_SIZE);
}

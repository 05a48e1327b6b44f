/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the audit log's files share (daemon/audit.c, audit-writer.c, audit-recover.c): the Audit
 * object and the writer's entry points. Not for use outside daemon/audit*.c. */

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit-file.h"
#include "daemon/audit-checkpoint.h"
#include "daemon/audit-sync.h"
#include "daemon/audit.h"

/* Records held in memory while the log cannot be written: at ~150 bytes a record, several
 * thousand decisions, far more than a gate sees while an operator frees some disk. */
#define BACKLOG_MAX (1024U * 1024U)
#define RETRY_USEC (1000U * 1000U)
/* Below this much free space on the state file system the log counts as full: the gate refuses
 * openings (on_write_error "deny") before a single record could fail, and the records of those
 * refusals still fit. A quarter of a megabyte holds over a thousand records. */
#define SPACE_MIN (256U * 1024U)
#define SPACE_CHECK_USEC (100U * 1000U)
#define PENDING_MAX 256
/* How long a clean stop waits for the token's final signature. */
#define STOP_GRACE_USEC (5U * 1000U * 1000U)

typedef struct Pending {
        bool used;
        bool presenter;    /* the decision's presenter pseudonym comes with the subject's */
        uint64_t seq;      /* the DECISION record the pseudonym belongs to */
        uint64_t deadline; /* CLOCK_MONOTONIC */
} Pending;

struct Audit {
        sd_event *event;
        AuditConf conf;
        TokenService *token;
        char *path; /* the audit directory, for messages */
        int dir_fd;

        int fd; /* current file, -EBADF until the next record opens one */
        char file_name[AUDIT_FILE_NAME_MAX];
        uint64_t file_size; /* end of the last whole record written */
        int64_t file_started_usec;
        bool new_file;      /* its directory entry still needs an fsync */
        bool retention_due;
        bool retention_alarm; /* max_files reached, files kept for min_age */
        bool in_flush, in_retention;
        bool opened; /* recovery done: records may be written */

        uint64_t seq; /* last record appended */
        uint8_t head[AUDIT_HASH_SIZE];
        uint64_t durable_seq;
        uint64_t checkpoint_seq;
        uint8_t checkpoint_hash[AUDIT_HASH_SIZE];

        uint8_t *backlog; /* encoded records not yet written, in order */
        size_t backlog_size, backlog_allocated;
        uint64_t lost;
        int held_fd;           /* the held-records marker (audit-held.c) */
        uint64_t held_marked;  /* the last sequence number it names as possibly only in memory; 0 none */
        bool held_warned;
        bool write_failing, sync_failing, space_low, reported_failing;
        uint64_t space_checked_usec;
        sd_event_source *retry;

        AuditSyncer *syncer;
        AuditCheckpointer *checkpointer;
        bool checkpoint_alarm;

        Pending pending[PENDING_MAX];
        size_t n_pending;
        sd_event_source *pending_timer;

        bool stopping, stop_written, stopped;
        uint64_t stop_seq;
        sd_event_source *stop_timer;
        AuditStoppedHandler stopped_handler;
        void *stopped_userdata;

        AuditStateHandler state_handler;
        void *state_userdata;
};

/* The writer (audit-writer.c). */

/* Completes b with the next sequence number, the link and the time, and writes it (or holds it
 * while the log cannot be written). covers: it counts toward the next checkpoint. Returns 0, or
 * -ENOBUFS when it could not even be held (counted for a LOST record). */
int audit_append(Audit *a, AuditBuilder *b, bool covers);
int audit_append_alarm(Audit *a, const char *kind, const char *door, bool raised, const char *text, bool covers);
/* Free space on the state file system; force: now, else at most every SPACE_CHECK_USEC. */
void audit_check_space(Audit *a, bool force);
/* The syncer's report. */
void audit_on_synced(AuditSyncer *s, uint64_t seq, int error, void *userdata);
void audit_apply_retention(Audit *a);
void audit_notify_state(Audit *a);
int64_t audit_realtime_usec(void);

/* The held-records marker (audit-held.c). */

/* Opens (creating and allocating it while there is room) the marker; *ret_last is what an
 * earlier run marked as held in memory when it ended (0: nothing). */
int audit_held_open(Audit *a, uint64_t *ret_last);
/* Marks a->seq while records are held in memory, clears the mark once none are. Cheap when
 * nothing changed; called after every write attempt. */
void audit_held_update(Audit *a);
/* After recovery: records up to held_last that are not on disk get a LOST record naming them,
 * and their sequence numbers are skipped, never reused. */
int audit_held_account(Audit *a, uint64_t held_last);

/* Recovery at open (audit-recover.c). */

typedef struct AuditRecovery {
        bool happened; /* a RECOVERY record is due */
        char file[AUDIT_FILE_NAME_MAX];
        uint64_t offset, count;
        uint8_t hash[AUDIT_HASH_SIZE];
        bool have_hash;
        const char *text;
} AuditRecovery;

/* Finds the chain's head in a->dir_fd, cuts a torn tail, and sets a->seq, a->head, the
 * checkpoint and the current file (a->fd and friends; -EBADF when a new file must begin).
 * Logs what it does. */
int audit_recover(Audit *a, AuditRecovery *ret);

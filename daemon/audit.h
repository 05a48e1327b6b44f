/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The audit log: every decision, manual unlock, alarm, reload, token event, start and stop,
 * appended to <state_directory>/audit/ as a hash chain, with checkpoints signed by the device key
 * in the token (docs/audit.md describes the format, the guarantees and the settings).
 *
 * Nothing on the unlock path waits for the log. A record is encoded, linked and written with one
 * write(2) on the event loop (microseconds; from then on it survives SIGKILL), made durable by
 * fdatasync() on the syncer's thread, and *acknowledged* once that fdatasync has returned: the
 * acknowledged sequence number is AuditHead.durable_seq (D-Bus: AuditHead). Subject pseudonyms
 * and checkpoint signatures come from the token asynchronously and are appended as records of
 * their own when they arrive.
 *
 * When the log cannot be written (disk full, I/O error) — or its file system is nearly full, which
 * is caught before any write fails — records are held in memory (bounded),
 * writing is retried every second, the audit is "failing" (the manager shows degraded and, unless
 * configured otherwise, refuses openings), and an alarm record marks the gap in time once the log
 * is writable again. A record is never dropped silently: if the memory bound is reached, a LOST
 * record says how many were not kept.
 *
 * The raw subject id handed to audit_log_decision() goes to the token and nowhere else: never to
 * the disk, never to a log line. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "audit/audit-conf.h"
#include "audit/audit-record.h"
#include "core/macro.h"
#include "pkcs11/token.h"

typedef struct Audit Audit;

typedef struct AuditHead {
        uint64_t seq; /* last record appended (0: none yet) */
        uint8_t hash[AUDIT_HASH_SIZE];
        uint64_t durable_seq;    /* acknowledged: written and fdatasync()ed */
        uint64_t checkpoint_seq; /* covered by the last checkpoint in the log (0: none known) */
        uint8_t checkpoint_hash[AUDIT_HASH_SIZE];
        const char *state; /* "ok", "unsigned" (no token to sign with), "failing" (cannot write) */
} AuditHead;

/* failing changed (the manager recomputes its state). */
typedef void (*AuditStateHandler)(Audit *a, bool failing, void *userdata);
typedef void (*AuditStoppedHandler)(Audit *a, void *userdata);

/* Opens <state_directory>/audit (created if missing): finds the last file, cuts a torn tail,
 * continues the chain, applies retention, and starts the syncer. What recovery did is logged and
 * appended as RECOVERY records. Returns 0 and a log that must be freed with audit_free() (after
 * audit_stop() for a clean stop with a final checkpoint), or -errno when the directory cannot be
 * used. */
int audit_open(sd_event *e, const char *state_directory, const AuditConf *conf, Audit **ret);

/* Without a clean audit_stop(), appends an (unsigned) STOP record; then makes everything durable
 * and frees a. Pending pseudonyms are recorded as unavailable. Returns NULL. */
Audit *audit_free(Audit *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(Audit *, audit_free);

/* The token that signs checkpoints (borrowed; NULL: none). */
void audit_set_token(Audit *a, TokenService *token);
void audit_set_state_handler(Audit *a, AuditStateHandler handler, void *userdata);

/* Each returns 0 when the record was written or is held for writing, -ENOBUFS when it could not
 * be kept (it is counted in a LOST record), or -errno for a programming error. Strings are
 * borrowed for the call. */
/* config_path: the configuration in force; its SHA-256 is recorded. */
int audit_log_start(Audit *a, const char *config_path);
/* subject: AUDIT_SUBJECT_NONE (no verified subject: a forged code gets no pseudonym, or the token
 * would be an oracle for any id an attacker names), AUDIT_SUBJECT_UNAVAILABLE with why, or
 * AUDIT_SUBJECT_PENDING: the caller has asked the token for the pseudonym (daemon/pseudonym.h)
 * and hands it over with audit_log_pseudonym(seq) — *ret_seq (may be NULL), the decision's record;
 * 0 when the log cannot wait for it (stopping, too many pending: the record then says so). Only the
 * pseudonym ever reaches the log, in a PSEUDONYM record that follows the decision, or that says it
 * is unavailable when it has not come within pseudonym_timeout_ms. */
/* presenter: the person presenting the code on behalf of the subject (its on-behalf-of claim):
 * AUDIT_SUBJECT_NONE when there is none (no field is written), AUDIT_SUBJECT_PENDING when its
 * pseudonym was asked for together with the subject's (then subject is PENDING too, and both come
 * in the one PSEUDONYM record), AUDIT_SUBJECT_UNAVAILABLE otherwise. */
int audit_log_decision(Audit *a, const char *door, bool granted, const char *reason, const char *format,
                       const char *origin, AuditSubject subject, AuditSubject presenter, const char *why,
                       uint64_t *ret_seq);
/* count refusals of the same kind as the decision recorded before them from this origin (door,
 * reason, format), which identified nobody and were counted rather than recorded one by one
 * (daemon/coalesce.h): one DECISION record with a count field. */
int audit_log_repeats(Audit *a, const char *door, const char *reason, const char *format, const char *origin,
                      uint64_t count);
/* The pseudonyms of decision seq (AUDIT_HASH_SIZE bytes each): the subject's (mac) and, when the
 * decision has a presenter, the presenter's (presenter_mac); NULL for one that could not be made,
 * with why. Ignored when that decision no longer waits for them. */
void audit_log_pseudonym(Audit *a, uint64_t seq, const uint8_t *mac, const uint8_t *presenter_mac, const char *why);
/* result: 0, or the lock's -errno; why: what the record says instead of strerror(result) (a
 * refusal), or NULL. */
int audit_log_unlock(Audit *a, const char *door, uint32_t duration_ms, uid_t uid, int result, const char *why);
/* The exit button of door opened it (result 0) or could not (the lock's -errno; why: what the
 * record says instead of strerror(result)): an UNLOCK record without a uid, state
 * "request-to-exit". */
int audit_log_exit_request(Audit *a, const char *door, uint32_t duration_ms, int result, const char *why);
/* kind: "lock", "token", …; door may be NULL. */
/* An operator set area's occupancy from before to after (SetOccupancy). */
int audit_log_occupancy(Audit *a, const char *area, uint32_t before, uint32_t after, uid_t uid);
int audit_log_alarm(Audit *a, const char *kind, const char *door, bool raised, const char *text);
/* What the lending service did at the station's door (RecordLending, docs/lending.md): kind
 * "checkout", "checkin", "renew" or "refusal", the item's id (may be empty), the outcome, detail
 * (may be empty), and the patron only as the token's pseudonym (AUDIT_HASH_SIZE bytes, or NULL).
 * The caller has checked the lengths; longer text would be cut at AUDIT_TEXT_MAX. */
int audit_log_lend(Audit *a, const char *door, const char *kind, const char *item, const char *outcome,
                   const char *detail, const uint8_t *pseudonym);
/* why: NULL when applied, else the first line of what was wrong. */
int audit_log_reload(Audit *a, const char *config_path, const char *why);
int audit_log_token(Audit *a, const char *state, const char *reason);

/* Clean shutdown: waits (on the loop) for pending pseudonyms, appends STOP and asks the token for
 * the final checkpoint, then calls done. Returns 1 when done will be called, 0 when there is
 * nothing to wait for (no token; the STOP record is written). Bounded: after a few seconds
 * without the token, done is called anyway and the log is left without a final checkpoint. */
int audit_stop(Audit *a, AuditStoppedHandler done, void *userdata);

bool audit_is_failing(const Audit *a);
/* Whether a door may not open now: the log cannot be written, or its file system has less than
 * 256 KiB free (checked at this call), and on_write_error is "deny". */
bool audit_refuses_openings(Audit *a);
void audit_get_head(const Audit *a, AuditHead *ret);

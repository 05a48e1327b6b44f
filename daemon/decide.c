/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/area.h"
#include "daemon/coalesce.h"
#include "daemon/decide.h"
#include "daemon/door-interlock.h"
#include "daemon/door.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/policy.h"
#include "daemon/publish.h"
#include "daemon/rate-limit.h"
#include "daemon/reload.h"
#include "daemon/subject-key.h"

static void decision_init(Decision *d, const char *door) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        *d = (Decision) {
                .timestamp_usec = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u,
        };
        snprintf(d->door, sizeof(d->door), "%s", door);
}

/* The journal line and the published decision; a refusal the source's coalescer counts gets
 * neither its own record nor its own line, only the signal. No line carries the subject, the
 * presenter or any name (docs/audit.md): the bus and the log know people only as pseudonyms.
 * Every line carries the door, reason, format and source as fields (docs/journal.md), so that
 * `journalctl QRGATE_REASON=replayed` finds it. */
static void report(Manager *m, Decision *d, const VerifyResult *res, const char *origin, Coalescer *coalescer) {
        bool verified = res && res->failed > VERIFY_STEP_SIGNATURE;
        bool counted = coalescer && coalescer_absorb(coalescer, d, !verified);
        const LogFields fields = {
                .message_id = d->granted ? QRGATE_MESSAGE_GRANTED : QRGATE_MESSAGE_DENIED,
                .door = d->door,
                .reason = reason_to_string(d->reason),
                .format = code_format_to_string(d->format),
                .source = origin,
        };

        /* An outdated trust list refuses (or, with trust_age_policy = "warn", marks) every HC1
         * code: the cause is said before the first such decision, once per list, not with every
         * scan. */
        if (d->format == CODE_FORMAT_HC1)
                manager_check_dcc_trust_age(m);
        if (counted)
                ;
        else if (d->granted && d->reason != REASON_OK)
                /* Granted, and flagged: soft anti-passback (docs/areas.md). */
                log_struct(LOG_NOTICE, 0, &fields, "%s: door %s: granted (%s code), flagged %s: %s", origin, d->door,
                           code_format_to_string(d->format), reason_to_string(d->reason), d->detail);
        else if (d->granted)
                log_struct(LOG_INFO, 0, &fields, "%s: door %s: granted (%s code).", origin, d->door,
                           code_format_to_string(d->format));
        else
                log_struct(LOG_NOTICE, 0, &fields, "%s: door %s: denied %s: %s", origin, d->door,
                           reason_to_string(d->reason), d->detail);
        publish_decision(m, d, res, origin, counted);
}

void decide_refuse(Manager *m, const char *door, const char *origin, Reason reason, const char *detail,
                   Coalescer *coalescer) {
        Decision d;

        decision_init(&d, door);
        if (manager_find_door(m, door))
                door_feedback_outcome(manager_find_door(m, door), false);
        d.reason = reason;
        snprintf(d.detail, sizeof(d.detail), "%s", detail);
        report(m, &d, NULL, origin, coalescer);
}

int decide(Manager *m, const DecideRequest *req, Decision *d) {
        int64_t now = (int64_t) time(NULL);
        Door *door = manager_find_door(m, req->door);
        VerifyResult res;
        uint8_t subject[SUBJECT_KEY_SIZE];
        const char *subject_iss, *subject_sub;
        bool consumed = false, have_subject = false;
        int r;

        decision_init(d, req->door);

        /* 1. Verify: is the code what it claims — readable, signed by a known issuer, within its
         *    time, not used before? Nothing is recorded or used up yet. */
        (void) verifier_check(&m->verifier, req->text, req->len, now, &res);
        d->format = door ? res.format : CODE_FORMAT_UNKNOWN;
        /* A printed barcode is known by the subject its door's allow-list maps it to. */
        if (door)
                door_map_barcode(door, &res);
        /* The subject as the rules that remember subjects know it: keyed, once. A verified QG1
         * code's (a card's holder too) or a valid barcode's (verify_result_subject()); a code
         * whose signature failed has none, since its sub is whatever its maker wrote. */
        if (m->subject_key && verify_result_subject(&res, &subject_iss, &subject_sub))
                have_subject = subject_key_of(m->subject_key, subject_iss, subject_sub, subject) == 0;

        /* 2. Every refusal rule, in the policy table's order: the door, the code's verdict, the
         *    door's rules for it, no opening without a record, room to remember the code. */
        PolicyInput in = {
                .door_id = req->door,
                .door = door ? door_config(door) : NULL,
                .door_out_of_service = door && !door->lock && !door->no_lock,
                .code = &res,
                .now = now,
                .audit = m->audit,
                .replay = m->replay,
                .clock = &m->config->clock,
                .clock_unsynchronized = !m->clock_synchronized,
                /* Read once: the list a decision is judged by cannot change under it (daemon/denylist.h). */
                .denylist = m->denylist,
                .subject = have_subject ? subject : NULL,
                .subject_rate = m->subject_rate,
                .monotonic_usec = rate_limit_now_usec(),
                .barcode_allow = door ? door->barcode_allow : NULL,
                .area = door ? manager_door_area(m, door_config(door)) : NULL,
                .interlock_busy = door ? door_interlock_busy(door) : NULL,
        };
        d->reason = policy_decide(&in, d->detail, sizeof(d->detail));

        /* 3. Consume, before the lock moves: from this instant the code is refused everywhere
         *    (in memory; its record reaches the disk in step 5). The rules saw room for it, so
         *    this cannot be refused now; if it were, the door stays shut. */
        if (d->reason == REASON_OK) {
                r = verifier_consume(&m->verifier, &res, now);
                consumed = r != -ENOSPC && r != -EEXIST;
                if (!consumed) {
                        d->reason = REASON_INTERNAL_ERROR;
                        snprintf(d->detail, sizeof(d->detail), "the replay cache refused the code: %s", strerror(-r));
                }
                else if (r < 0)
                        /* Held in memory; only the copy on disk is behind. */
                        log_warning_errno(r, "Replay cache: cannot write to disk, keeping the code in memory: %m");
        }

        /* 4. Open. A door without a lock (a lending station's) opens nothing: its grant identifies
         *    a patron, handed to the lending service when the decision is published. */
        if (d->reason == REASON_OK && !door->no_lock) {
                r = door_open(door, door_config(door)->unlock_ms);
                if (r < 0) {
                        d->reason = REASON_INTERNAL_ERROR;
                        snprintf(d->detail, sizeof(d->detail), "lock output failed: %s", strerror(-r));
                }
        }
        d->granted = d->reason == REASON_OK;
        /* The subject's rate counts openings only (daemon/rate-limit.h). */
        if (d->granted)
                subject_rate_opened(m, in.subject);

        /* 4b. Through the door: the area counts the person in or out and remembers the subject,
         *     in memory and appended to its state file (a write(2)) before anything else runs,
         *     so that a crash of the daemon after this grant does not let the same subject in
         *     twice (a power cut may lose the last seconds: docs/areas.md). A soft anti-passback
         *     let a present subject in: granted, and flagged with the reason. */
        if (d->granted && in.area && area_pass(in.area, in.door->side, in.subject, now)) {
                d->reason = REASON_ANTI_PASSBACK;
                snprintf(d->detail, sizeof(d->detail), "let in again (passback soft): already in area %s",
                         in.area->id);
        }
        /* The person at the reader sees the outcome now, in this turn of the loop: before the
         * replay cache's write, the journal and the signal. */
        if (door)
                door_feedback_outcome(door, d->granted);

        /* 5. The used code to disk, after the lock was driven: a slow write never holds the door
         *    (it matters only across a restart, within the code's last seconds). */
        if (consumed) {
                r = replay_cache_sync(m->replay, now);
                if (r < 0)
                        log_warning_errno(r, "Replay cache: cannot write to disk, keeping the code in memory: %m");
        }

        /* 6. Publish: the journal, the audit record (a write(2), its fdatasync on another
         *    thread), and the Decision signal once the token has made the pseudonyms. */
        report(m, d, door ? &res : NULL, req->origin, req->coalescer);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The decision to open a door, in one place. decide() is the whole sequence, read top to
 * bottom: verify the code → apply every refusal rule of the policy table (daemon/policy.c: the
 * door, the code, the door's rules, "no opening without a record", room in the replay cache) →
 * consume the code → open the door → publish the decision (journal, audit log, Decision
 * signal). Its invariants, each pinned by tests/unit/test-decide.c:
 *   - a refusal never consumes a code (it works once what refused it is fixed);
 *   - a code is consumed before the lock moves (no instant in which it could open twice);
 *   - no door opens without its audit record when on_write_error is "deny";
 *   - every rule's reason reaches the Decision. */

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/verifier.h"

typedef struct Manager Manager;
typedef struct Coalescer Coalescer;

/* A decision on one presented code, as the bus and the log report it. */
typedef struct Decision {
        bool granted;
        Reason reason;
        char detail[192];
        CodeFormat format;
        /* The token's pseudonym of the subject (hex), filled in by publish_decision(); empty when
         * the code was unreadable, had no subject, or no pseudonym could be made. */
        char subject[CLAIM_TEXT_MAX + 1];
        /* The same for the person presenting the code on behalf of its subject (on-behalf-of). */
        char presenter[CLAIM_TEXT_MAX + 1];
        char door[CONFIG_ID_MAX + 1];
        uint64_t timestamp_usec;
} Decision;

typedef struct DecideRequest {
        const char *door;     /* the door's id */
        const char *text;     /* what was scanned: len bytes, need not be NUL-terminated */
        size_t len;
        const char *origin;   /* the source's id, or "bus" */
        Coalescer *coalescer; /* the source's (daemon/coalesce.h), or NULL */
} DecideRequest;

/* Decides on req, acts on it, reports it, and fills *ret. Returns 0; a failure to act (the lock
 * output refused) is a refusal with reason internal-error, not an error return. */
int decide(Manager *m, const DecideRequest *req, Decision *ret);

/* Reports a refusal decided without looking at a code (a source over its rate): the journal
 * line, the audit record and the Decision signal, as for any refusal. */
void decide_refuse(Manager *m, const char *door, const char *origin, Reason reason, const char *detail,
                   Coalescer *coalescer);

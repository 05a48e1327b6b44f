/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Door policy: every reason a door may refuse to open, as one ordered table of independent rules
 * (daemon/policy.c). Each rule reads what it needs from PolicyInput and either lets the code
 * through or refuses with its own reason and a detail; the first refusal wins. The table runs
 * from the door (does it exist) over the code (did it verify; format, scope, status at this
 * door; its opening hours now) to the appliance (can the opening be recorded; can the code be remembered against
 * replay). A new rule — a schedule, anti-passback, capacity, a deny-list, clock trust — is one
 * more function and one more entry, with a reason of its own in core/reason.h and
 * docs/reasons.md. Rules do not act: consuming the code and opening the door come after, in
 * daemon/decide.c, and only when every rule let the code through. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/rate-table.h"
#include "core/barcode-allow.h"
#include "core/denylist.h"
#include "core/replay.h"
#include "core/verifier.h"

typedef struct Audit Audit;
typedef struct Area Area;

typedef struct PolicyInput {
        const char *door_id;      /* as presented */
        const DoorConf *door;     /* NULL when no door has that id */
        bool door_out_of_service; /* its lock could not be opened at start */
        const VerifyResult *code; /* the verifier's verdict, whatever it was */
        int64_t now;              /* unix seconds, the verifier's */
        Audit *audit;             /* the audit log, or NULL when there is none */
        ReplayCache *replay;      /* where a consumed code will be remembered, or NULL */
        const ClockConf *clock;   /* what to do while the clock is untrusted; NULL: nothing */
        bool clock_unsynchronized; /* the system clock has not been synchronized (daemon/clock.h) */
        const DenyList *denylist; /* the signed deny-list in force (core/denylist.h), or NULL */
        /* The subject's key (daemon/subject-key.h: SUBJECT_KEY_SIZE bytes), or NULL when the code
         * has no subject. Rules that remember subjects use this, never the code's raw sub. */
        const uint8_t *subject;
        /* The per-subject rate limit (daemon/rate-limit.h), or NULL; and the time it counts by
         * (CLOCK_MONOTONIC µs). */
        const RateTable *subject_rate;
        uint64_t monotonic_usec;
        /* The door's barcode allow-list as loaded (core/barcode-allow.h); NULL when its
         * configuration names none, or names one that could not be read (a fault). */
        const BarcodeAllow *barcode_allow;
        Area *area; /* the door's area (daemon/area.h), or NULL when it belongs to none */
        /* Another door of this door's interlock group that is unlocked or open now, or NULL. */
        const char *interlock_busy;
} PolicyInput;

/* Returns REASON_OK, or the first refusing rule's reason with a human detail in detail[]. */
Reason policy_decide(const PolicyInput *in, char *detail, size_t detail_size);

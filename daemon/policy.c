/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/hc1.h"
#include "daemon/audit.h"
#include "daemon/policy.h"

typedef Reason (*PolicyRule)(const PolicyInput *in, char *detail, size_t n);

/* The door must exist. A scanner source always names a configured door; a UI may not. */
static Reason rule_door(const PolicyInput *in, char *detail, size_t n) {
        if (in->door)
                return REASON_OK;
        snprintf(detail, n, "no door '%s'", in->door_id);
        return REASON_UNKNOWN_DOOR;
}

/* The code must be what it claims: the verifier's verdict (format, encoding, structure, issuer,
 * signature, time, lifetime, replay — core/verifier.h), with its own reason and detail. */
static Reason rule_verified(const PolicyInput *in, char *detail, size_t n) {
        if (in->code->reason == REASON_OK)
                return REASON_OK;
        snprintf(detail, n, "%s", in->code->detail);
        return in->code->reason;
}

/* Which formats a door takes: QG1 always; an EU DCC only of the certificate types the door
 * lists in dcc_types, a printed barcode only of the formats it lists in barcodes (none by
 * default, so no door honours a DCC or a barcode by accident: anyone can print a valid
 * barcode). */
static Reason rule_format(const PolicyInput *in, char *detail, size_t n) {
        if (in->code->format == CODE_FORMAT_QG1)
                return REASON_OK;
        if (code_format_is_barcode(in->code->format)) {
                if (in->door->barcodes & (1u << in->code->format))
                        return REASON_OK;
                snprintf(detail, n, "door %s does not honour %s barcodes (its configuration's 'barcodes' list)",
                         in->door->id, code_format_to_string(in->code->format));
                return REASON_FORMAT;
        }
        if (in->code->format == CODE_FORMAT_HC1 && hc1_type_accepted(in->code, in->door->dcc_types))
                return REASON_OK;
        if (in->code->format == CODE_FORMAT_HC1) {
                char types[64];
                snprintf(detail, n, "door %s accepts EU DCC certificates of type %s only", in->door->id,
                         in->door->dcc_types ? dcc_types_to_string(in->door->dcc_types, types, sizeof(types)) : "(none)");
                return REASON_CERTIFICATE_TYPE;
        }
        snprintf(detail, n, "door %s does not accept %s codes", in->door->id, code_format_to_string(in->code->format));
        return REASON_SCOPE;
}

/* Scopes and status colours are claims of QG1 codes; a DCC has neither. */
static Reason rule_scope(const PolicyInput *in, char *detail, size_t n) {
        const CodeClaims *c = &in->code->claims;

        if (in->code->format != CODE_FORMAT_QG1)
                return REASON_OK;
        for (size_t i = 0; i < c->n_scopes; i++)
                for (size_t j = 0; j < in->door->n_scopes; j++)
                        if (strcmp(c->scopes[i], in->door->scopes[j]) == 0)
                                return REASON_OK;
        snprintf(detail, n, "code grants none of the scopes door %s accepts (%s%s)", in->door->id,
                 in->door->scopes[0], in->door->n_scopes > 1 ? ", ..." : "");
        return REASON_SCOPE;
}

static Reason rule_status(const PolicyInput *in, char *detail, size_t n) {
        int s = in->code->claims.status;

        if (in->code->format != CODE_FORMAT_QG1)
                return REASON_OK;
        if (s > 0 && s < _CODE_STATUS_MAX && (in->door->status_mask & (1u << s)))
                return REASON_OK;
        snprintf(detail, n, "status %s is not accepted at door %s", code_status_to_string(s) ?: "?", in->door->id);
        return REASON_STATUS;
}

/* Opening hours: a door with a schedule opens only within its windows, in the system's time
 * zone, at the verifier's now (core/schedule.h). The code is not used up: it opens the door
 * once the schedule does, while it lives. */
static Reason rule_schedule(const PolicyInput *in, char *detail, size_t n) {
        if (!in->door->schedule || schedule_is_open(in->door->schedule, (time_t) in->now))
                return REASON_OK;
        snprintf(detail, n, "door %s is closed now by schedule %s", in->door->id, in->door->schedule->id);
        return REASON_OUTSIDE_SCHEDULE;
}

/* A door whose lock could not be opened at start is out of service: nothing could open it, and
 * saying so (the code not used up) is better than internal-error after it was. */
static Reason rule_in_service(const PolicyInput *in, char *detail, size_t n) {
        if (!in->door_out_of_service)
                return REASON_OK;
        snprintf(detail, n, "door %s is out of service: its lock %s could not be opened", in->door->id, in->door->lock);
        return REASON_DOOR_OUT_OF_SERVICE;
}

/* An interlock group (an airlock, a ward's two doors) lets at most one of its doors be unlocked
 * or open: the second door waits until the first has closed and locked again. The code is not
 * used up, so the person presents it again then. */
static Reason rule_interlock(const PolicyInput *in, char *detail, size_t n) {
        if (!in->interlock_busy)
                return REASON_OK;
        snprintf(detail, n, "door %s of interlock group %s is unlocked or open", in->interlock_busy,
                 in->door->interlock ?: "?");
        return REASON_INTERLOCK;
}

/* A clock that has not been synchronized since the daemon started may be hours wrong (a
 * Raspberry Pi has no real-time clock), and every code's validity is a question of time: a QG1
 * code's iat and exp, an EU DCC's expiry and its signer's validity. clock.untrusted says what
 * to do then: refuse (the default), accept a QG1 code only when it was issued within
 * narrow_window seconds of the clock as it is — a dynamic code shown from a phone with a good
 * clock matches a good appliance clock, a screenshot from long ago does not — or accept. */
static Reason rule_clock(const PolicyInput *in, char *detail, size_t n) {
        const ClockConf *c = in->clock;

        if (!c || !in->clock_unsynchronized || c->untrusted == CLOCK_UNTRUSTED_ACCEPT)
                return REASON_OK;
        /* A printed barcode carries no time: a wrong clock cannot make it valid or invalid. */
        if (code_format_is_barcode(in->code->format))
                return REASON_OK;
        if (c->untrusted == CLOCK_UNTRUSTED_REFUSE) {
                snprintf(detail, n, "the system clock is not synchronized, and clock.untrusted is \"refuse\"");
                return REASON_CLOCK_UNTRUSTED;
        }
        if (in->code->format != CODE_FORMAT_QG1 || !in->code->have_claims) {
                snprintf(detail, n, "the system clock is not synchronized: only QG1 codes issued within %lld s of it "
                         "are accepted (clock.untrusted = \"narrow\")", (long long) c->narrow_window);
                return REASON_CLOCK_UNTRUSTED;
        }
        int64_t off = in->code->claims.iat - in->now;
        if (off >= -c->narrow_window && off <= c->narrow_window)
                return REASON_OK;
        snprintf(detail, n, "the system clock is not synchronized, and the code was issued %+lld s from it, beyond "
                 "clock.narrow_window (%lld s)", (long long) off, (long long) c->narrow_window);
        return REASON_CLOCK_UNTRUSTED;
}

/* No opening without a record: when the audit log cannot be written (or its disk is nearly
 * full) and on_write_error is "deny". The code is not used up: it works once the log can be
 * written again. */
static Reason rule_audit(const PolicyInput *in, char *detail, size_t n) {
        if (!in->audit || !audit_refuses_openings(in->audit))
                return REASON_OK;
        snprintf(detail, n, "the audit log cannot be written");
        return REASON_AUDIT_UNAVAILABLE;
}

/* A code that will be consumed (one with claims: an EU DCC is shown again at every visit and
 * has no cti) needs room in the replay cache, which refuses rather than forget a live code. */
static Reason rule_replay_room(const PolicyInput *in, char *detail, size_t n) {
        if (!in->replay || !in->code->have_claims || replay_cache_has_room(in->replay, in->now))
                return REASON_OK;
        snprintf(detail, n, "replay cache full (%zu unexpired codes)", replay_cache_count(in->replay, in->now));
        return REASON_REPLAY_CACHE_FULL;
}

/* In order: the door, the code, the door's rules for it, the appliance. */
static const PolicyRule rules[] = {
        rule_door,
        rule_verified,
        rule_format,
        rule_scope,
        rule_status,
        rule_schedule,
        rule_in_service,
        rule_interlock,
        rule_clock,
        rule_audit,
        rule_replay_room,
};

Reason policy_decide(const PolicyInput *in, char *detail, size_t detail_size) {
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                Reason r = rules[i](in, detail, detail_size);
                if (r != REASON_OK)
                        return r;
        }
        return REASON_OK;
}

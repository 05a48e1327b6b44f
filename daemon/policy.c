/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/hc1.h"
#include "daemon/area.h"
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

/* Revocation (docs/denylist.md): a valid code that the signed deny-list in force names — its code
 * id, its subject, or the printed barcode — is refused before any other rule of the door, so
 * that a withdrawn credential is told as such wherever it is shown, and it is not used up. The
 * detail names what matched, never the subject itself (it reaches the journal). The raw iss and
 * sub are read for the lookup alone (hashed under the list's salt, remembered nowhere): the list
 * is the issuer's, which cannot know the appliance's subject key (PolicyInput.subject). */
static Reason rule_revoked(const PolicyInput *in, char *detail, size_t n) {
        const VerifyResult *c = in->code;
        const char *what = NULL;

        if (!in->denylist)
                return REASON_OK;
        if (c->have_claims && denylist_contains(in->denylist, DENY_CTI, c->claims.cti, c->claims.cti_len))
                what = "the code's id (cti)";
        else if (c->have_claims && denylist_contains_pair(in->denylist, DENY_SUBJECT, c->claims.iss, c->claims.sub))
                what = "the code's subject";
        else if (c->have_claims && claims_is_card(&c->claims) &&
                 denylist_contains_pair(in->denylist, DENY_CARD, c->claims.iss, c->claims.card_serial))
                what = "the card's serial";
        else if (code_format_is_barcode(c->format) && denylist_contains_barcode(in->denylist, c->format, c->barcode.id))
                what = "the barcode";
        if (!what)
                return REASON_OK;
        snprintf(detail, n, "the deny-list (version %llu) names %s",
                 (unsigned long long) denylist_info(in->denylist)->version, what);
        return REASON_REVOKED;
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

/* A static card (docs/code-format.md §8) is shown again and again and never used up, so only a
 * door configured with cards = true takes one: at any other door it is no better than a
 * screenshot that never expires. */
static Reason rule_card(const PolicyInput *in, char *detail, size_t n) {
        if (in->code->format != CODE_FORMAT_QG1 || !in->code->have_claims || !claims_is_card(&in->code->claims) ||
            in->door->cards)
                return REASON_OK;
        snprintf(detail, n, "door %s does not accept static cards (its configuration's 'cards' is false)", in->door->id);
        return REASON_CARD_NOT_ACCEPTED;
}

/* A door with a barcode allow-list honours only the barcodes on it (core/barcode-allow.h); one
 * whose list could not be read honours none until it can be (a fault says why). */
static Reason rule_barcode_listed(const PolicyInput *in, char *detail, size_t n) {
        if (!code_format_is_barcode(in->code->format) || !in->door->barcode_allow)
                return REASON_OK;
        if (!in->barcode_allow) {
                snprintf(detail, n, "door %s's barcode allow-list %s could not be read (see the gate's faults)",
                         in->door->id, in->door->barcode_allow);
                return REASON_BARCODE_NOT_LISTED;
        }
        if (barcode_allow_lookup(in->barcode_allow, in->code->barcode.id))
                return REASON_OK;
        snprintf(detail, n, "barcode is not on door %s's allow-list %s", in->door->id, in->door->barcode_allow);
        return REASON_BARCODE_NOT_LISTED;
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

/* One subject may be let in at most policy.subject_rate.max times within its per seconds, at all
 * doors together (daemon/rate-limit.h). Asked here, taken only when the door opens: a refused
 * code spends nothing, so a replayed copy of someone's code cannot use up their openings. The
 * code is not used up either: it opens once the subject's bucket has refilled, while it lives. */
static Reason rule_subject_rate(const PolicyInput *in, char *detail, size_t n) {
        uint64_t wait = 0;

        if (!in->subject_rate || !in->subject || rate_table_allows(in->subject_rate, in->subject, in->monotonic_usec, &wait))
                return REASON_OK;
        snprintf(detail, n, "this code's subject was let in %u time%s within %llu s (policy.subject_rate); the next "
                 "opening in %llu s", rate_table_max(in->subject_rate), rate_table_max(in->subject_rate) == 1 ? "" : "s",
                 (unsigned long long) (rate_table_per_usec(in->subject_rate) / 1000000u),
                 (unsigned long long) ((wait + 999999u) / 1000000u));
        return REASON_RATE_LIMITED;
}

/* Anti-passback: a subject who entered the door's area by an entry door cannot enter again
 * before leaving by an exit door, or before its presence_timeout forgets the entry (hard); soft
 * lets in and flags the decision (daemon/decide.c). Known by the keyed subject only: a printed
 * barcode is held to it by its number, an EU DCC (no subject) is not. The code is not used up. */
static Reason rule_anti_passback(const PolicyInput *in, char *detail, size_t n) {
        const AreaConf *c;

        if (!in->area || in->door->side != AREA_SIDE_ENTRY || !in->subject)
                return REASON_OK;
        c = area_config(in->area);
        if (c->passback != AREA_PASSBACK_HARD)
                return REASON_OK;
        if (area_subject_present(in->area, in->subject, in->now)) {
                snprintf(detail, n, "already in area %s: entered and has not left by an exit door (passback hard, "
                         "forgotten %lld s after the entry)", c->id, (long long) c->presence_timeout);
                return REASON_ANTI_PASSBACK;
        }
        /* A full store refuses rather than forget who is in. */
        if (area_presence_count(in->area->state) >= AREA_PRESENCE_MAX &&
            area_presence_expire(in->area->state, in->now, c->presence_timeout) == 0) {
                snprintf(detail, n, "area %s remembers %u presences, its most", c->id, AREA_PRESENCE_MAX);
                return REASON_ANTI_PASSBACK;
        }
        return REASON_OK;
}

/* Capacity: an area holds at most capacity people; at that count, entries are refused until an
 * exit counts one out. Exits are never refused for it. The code is not used up. */
static Reason rule_capacity(const PolicyInput *in, char *detail, size_t n) {
        const AreaConf *c;
        uint32_t occupancy;

        if (!in->area || in->door->side != AREA_SIDE_ENTRY)
                return REASON_OK;
        c = area_config(in->area);
        occupancy = area_occupancy(in->area->state);
        if (c->capacity == 0 || occupancy < c->capacity)
                return REASON_OK;
        snprintf(detail, n, "area %s is full: %u in, capacity %u", c->id, occupancy, c->capacity);
        return REASON_CAPACITY_FULL;
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
 * has no cti, and so is a card) needs room in the replay cache, which refuses rather than forget a
 * live code. */
static Reason rule_replay_room(const PolicyInput *in, char *detail, size_t n) {
        if (!in->replay || !in->code->have_claims || claims_is_card(&in->code->claims) ||
            replay_cache_has_room(in->replay, in->now))
                return REASON_OK;
        snprintf(detail, n, "replay cache full (%zu unexpired codes)", replay_cache_count(in->replay, in->now));
        return REASON_REPLAY_CACHE_FULL;
}

/* In order: the door, the code, the door's rules for it, the appliance. */
static const PolicyRule rules[] = {
        rule_door,
        rule_verified,
        rule_revoked,
        rule_format,
        rule_card,
        rule_barcode_listed,
        rule_scope,
        rule_status,
        rule_schedule,
        rule_in_service,
        rule_interlock,
        rule_clock,
        rule_subject_rate,
        rule_anti_passback,
        rule_capacity,
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

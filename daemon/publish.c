/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/log.h"
#include "daemon/pseudonym.h"
#include "daemon/publish.h"
#include "daemon/station.h"

/* The signal's pseudonym is the first 16 bytes of the MAC: 128 bits keep collisions among the
 * people one appliance sees out of reach and keep log lines short. */
#define PSEUDONYM_BYTES 16
/* The audit log keeps the whole MAC as its pseudonym field. */
_Static_assert(TOKEN_HMAC_SIZE == AUDIT_HASH_SIZE, "an audit pseudonym is one HMAC-SHA256");

struct PendingDecision {
        PendingDecision *next;
        Manager *manager;
        Decision decision;
        uint64_t audit_seq; /* the audit record waiting for these pseudonyms, or 0 */
        unsigned awaiting;  /* token answers still to come: the subject's, the presenter's */
        bool presenter;     /* the code was presented on behalf of its subject (on-behalf-of) */
        bool have_subject, have_presenter;
        uint8_t subject_mac[TOKEN_HMAC_SIZE], presenter_mac[TOKEN_HMAC_SIZE];
        const char *why;    /* a token error, static */
        /* Granted at a lending station's door: the patron to hand to the lending service with the
         * subject's pseudonym once it is in (daemon/station.h). Wiped with the rest. */
        bool handoff;
        char patron[CLAIM_TEXT_MAX + 1];
};

static void flush(Manager *m) {
        while (m->pending_head && m->pending_head->awaiting == 0) {
                PendingDecision *p = m->pending_head;
                m->pending_head = p->next;
                if (!m->pending_head)
                        m->pending_tail = NULL;
                if (p->handoff)
                        station_hand_patron(m, p->patron, p->have_subject ? p->subject_mac : NULL);
                bus_emit_decision(m, &p->decision);
                explicit_bzero(p, sizeof(*p));
                free(p);
        }
}

static void hex16(const uint8_t *mac, char out[static 2 * PSEUDONYM_BYTES + 1]) {
        for (size_t i = 0; i < PSEUDONYM_BYTES; i++)
                snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* Both answers are in (or timed out): the signal gets the first 16 bytes of each, the audit log
 * all 32, in one PSEUDONYM record. */
static void answered(PendingDecision *p) {
        Manager *m = p->manager;

        if (--p->awaiting > 0)
                return;
        if (p->have_subject)
                hex16(p->subject_mac, p->decision.subject);
        if (p->have_presenter)
                hex16(p->presenter_mac, p->decision.presenter);
        if (!p->have_subject || (p->presenter && !p->have_presenter))
                log_warning("No pseudonym for a decision at door %s (%s); published without it.", p->decision.door,
                            p->why ?: "the token did not answer");
        if (p->audit_seq > 0 && m->audit)
                audit_log_pseudonym(m->audit, p->audit_seq, p->have_subject ? p->subject_mac : NULL,
                                    p->have_presenter ? p->presenter_mac : NULL, p->why);
        flush(m);
}

static bool take(PendingDecision *p, const TokenResult *result, uint8_t mac[static TOKEN_HMAC_SIZE]) {
        if (result->error == 0 && result->size == TOKEN_HMAC_SIZE) {
                memcpy(mac, result->data, TOKEN_HMAC_SIZE);
                return true;
        }
        p->why = p->why ?: result->reason ?: "the token could not compute it";
        return false;
}

static void on_subject_pseudonym(TokenService *s, const TokenResult *result, void *userdata) {
        PendingDecision *p = userdata;
        p->have_subject = take(p, result, p->subject_mac);
        answered(p);
}

static void on_presenter_pseudonym(TokenService *s, const TokenResult *result, void *userdata) {
        PendingDecision *p = userdata;
        p->have_presenter = take(p, result, p->presenter_mac);
        answered(p);
}

void publish_decision(Manager *m, const Decision *d, const VerifyResult *res, const char *origin, bool counted) {
        PendingDecision *p = calloc(1, sizeof(PendingDecision));
        /* Only a subject whose signature verified is pseudonymized: for a forged code the token
         * would otherwise be an oracle, handing out the pseudonym of any id an attacker names.
         * The same holds for the presenter (the code's on-behalf-of claim). */
        bool verified = res && res->have_claims && res->claims.sub[0] && res->failed > VERIFY_STEP_SIGNATURE;
        const char *iss = verified ? res->claims.iss : NULL, *sub = verified ? res->claims.sub : NULL;
        /* A grant at a lending station's door identifies a patron, whom the lending service needs
         * with a pseudonym (its receipts name patrons by nothing else). A barcode card, which has
         * no signature, is pseudonymized too, but only there and only when granted: the door took
         * the barcode itself as the patron, so its pseudonym tells whoever holds it nothing the
         * card does not already give them. */
        bool handoff = res && d->granted && station_is_door(m, d->door) && verify_result_subject(res, &iss, &sub) &&
                       sub[0];
        /* The ILS's patron id: the subject, or the code's patron claim (station.patron_id). */
        const char *patron_id = handoff ? station_patron_id(m, res, sub) : NULL;
        handoff = handoff && patron_id;
        bool presenter = verified && res->claims.obo[0];
        AuditSubject subject = verified || handoff ? AUDIT_SUBJECT_UNAVAILABLE : AUDIT_SUBJECT_NONE;
        AuditSubject presenter_state = presenter ? AUDIT_SUBJECT_UNAVAILABLE : AUDIT_SUBJECT_NONE;
        const char *why = "no token";
        uint64_t timeout = (uint64_t) m->config->audit.pseudonym_timeout_ms * 1000U;
        int r;

        if (!p) {
                log_oom();
                if (m->audit && !counted) /* the record matters more than the signal */
                        (void) audit_log_decision(m->audit, d->door, d->granted, reason_to_string(d->reason),
                                                  code_format_to_string(d->format), origin, subject, presenter_state,
                                                  "out of memory", NULL);
                if (handoff) /* without its pseudonym, rather than not at all */
                        station_hand_patron(m, patron_id, NULL);
                return;
        }
        p->manager = m;
        p->decision = *d;
        p->decision.subject[0] = p->decision.presenter[0] = '\0';
        p->presenter = presenter;
        p->handoff = handoff;
        if (handoff)
                (void) snprintf(p->patron, sizeof(p->patron), "%s", patron_id);
        if (m->pending_tail)
                m->pending_tail->next = p;
        else
                m->pending_head = p;
        m->pending_tail = p;

        if ((verified || handoff) && m->token) {
                /* Counted first: an answer can only come from the loop, after this returns. */
                p->awaiting = 1;
                r = pseudonym_request(m->token, iss, sub, timeout, on_subject_pseudonym, p, NULL);
                if (r >= 0) {
                        subject = AUDIT_SUBJECT_PENDING;
                        /* The presenter is named in the same namespace as subjects: a person who
                         * presents for someone else looks as they do with their own codes. */
                        if (presenter) {
                                p->awaiting++;
                                r = pseudonym_request(m->token, res->claims.iss, res->claims.obo, timeout,
                                                      on_presenter_pseudonym, p, NULL);
                                if (r >= 0)
                                        presenter_state = AUDIT_SUBJECT_PENDING;
                                else {
                                        p->awaiting--;
                                        p->why = why = pseudonym_request_error(r);
                                }
                        }
                } else {
                        p->awaiting = 0;
                        why = pseudonym_request_error(r);
                        if (r != -ENOKEY)
                                log_warning_errno(r, "Cannot ask the token for a pseudonym: %s", why);
                }
        }
        /* After the lock was driven: the record is a write(2), its fdatasync on another thread. */
        if (m->audit && !counted)
                (void) audit_log_decision(m->audit, d->door, d->granted, reason_to_string(d->reason),
                                          code_format_to_string(d->format), origin, subject, presenter_state, why,
                                          &p->audit_seq);
        flush(m);
}

void publish_drop_pending(Manager *m) {
        while (m->pending_head) {
                PendingDecision *p = m->pending_head;
                m->pending_head = p->next;
                free(p);
        }
        m->pending_tail = NULL;
}

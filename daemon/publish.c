/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/log.h"
#include "daemon/pseudonym.h"
#include "daemon/publish.h"

/* The signal's pseudonym is the first 16 bytes of the MAC: 128 bits keep collisions among the
 * people one appliance sees out of reach and keep log lines short. */
#define PSEUDONYM_BYTES 16
/* The audit log keeps the whole MAC as its pseudonym field. */
_Static_assert(TOKEN_HMAC_SIZE == AUDIT_HASH_SIZE, "an audit pseudonym is one HMAC-SHA256");

struct PendingDecision {
        PendingDecision *next;
        Manager *manager;
        Decision decision;
        uint64_t audit_seq; /* the audit record waiting for this pseudonym, or 0 */
        bool ready;
};

static void flush(Manager *m) {
        while (m->pending_head && m->pending_head->ready) {
                PendingDecision *p = m->pending_head;
                m->pending_head = p->next;
                if (!m->pending_head)
                        m->pending_tail = NULL;
                bus_emit_decision(m, &p->decision);
                free(p);
        }
}

static void on_pseudonym(TokenService *s, const TokenResult *result, void *userdata) {
        PendingDecision *p = userdata;
        Manager *m = p->manager;
        bool ok = result->error == 0 && result->size == TOKEN_HMAC_SIZE;

        if (ok) {
                for (size_t i = 0; i < PSEUDONYM_BYTES; i++)
                        snprintf(p->decision.subject + 2 * i, 3, "%02x", result->data[i]);
        } else
                log_warning("No pseudonym for a decision at door %s (%s); published without a subject.",
                            p->decision.door, result->reason ?: strerror(-result->error));
        if (p->audit_seq > 0 && m->audit)
                audit_log_pseudonym(m->audit, p->audit_seq, ok ? result->data : NULL, result->reason);
        p->ready = true;
        flush(m);
}

void publish_decision(Manager *m, const Decision *d, const VerifyResult *res, const char *origin) {
        PendingDecision *p = calloc(1, sizeof(PendingDecision));
        /* Only a subject whose signature verified is pseudonymized: for a forged code the token
         * would otherwise be an oracle, handing out the pseudonym of any id an attacker names. */
        bool verified = res && res->have_claims && res->claims.sub[0] && res->failed > VERIFY_STEP_SIGNATURE;
        AuditSubject subject = verified ? AUDIT_SUBJECT_UNAVAILABLE : AUDIT_SUBJECT_NONE;
        const char *why = "no token";
        int r;

        if (!p) {
                log_oom();
                if (m->audit) /* the record matters more than the signal */
                        (void) audit_log_decision(m->audit, d->door, d->granted, reason_to_string(d->reason),
                                                  code_format_to_string(d->format), origin, subject, "out of memory",
                                                  NULL);
                return;
        }
        p->manager = m;
        p->decision = *d;
        p->decision.subject[0] = '\0';
        p->ready = true;
        if (m->pending_tail)
                m->pending_tail->next = p;
        else
                m->pending_head = p;
        m->pending_tail = p;

        if (verified && m->token) {
                r = pseudonym_request(m->token, res->claims.iss, res->claims.sub,
                                      (uint64_t) m->config->audit.pseudonym_timeout_ms * 1000U, on_pseudonym, p, NULL);
                if (r >= 0) {
                        p->ready = false;
                        subject = AUDIT_SUBJECT_PENDING;
                } else {
                        why = pseudonym_request_error(r);
                        if (r != -ENOKEY)
                                log_warning_errno(r, "Cannot ask the token for a pseudonym: %s", why);
                }
        }
        /* After the lock was driven: the record is a write(2), its fdatasync on another thread. */
        if (m->audit)
                (void) audit_log_decision(m->audit, d->door, d->granted, reason_to_string(d->reason),
                                          code_format_to_string(d->format), origin, subject, why, &p->audit_seq);
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

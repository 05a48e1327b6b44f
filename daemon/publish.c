/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/bus.h"
#include "daemon/log.h"
#include "daemon/publish.h"

/* The pseudonym is the first 16 bytes of the MAC: 128 bits keep collisions among the people one
 * appliance sees out of reach and keep log lines short. */
#define PSEUDONYM_BYTES 16
/* Domain separation: the same HMAC key may serve other purposes later (HSM-keyed codes). */
#define PSEUDONYM_DOMAIN "qrgate-subject-v1"

struct PendingDecision {
        PendingDecision *next;
        Manager *manager;
        Decision decision;
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

        if (result->error == 0 && result->size >= PSEUDONYM_BYTES) {
                for (size_t i = 0; i < PSEUDONYM_BYTES; i++)
                        snprintf(p->decision.subject + 2 * i, 3, "%02x", result->data[i]);
        } else {
                p->decision.subject[0] = '\0';
                log_warning("No pseudonym for a decision at door %s (%s); published without a subject.",
                            p->decision.door, result->reason ?: strerror(-result->error));
        }
        p->ready = true;
        flush(p->manager);
}

void publish_decision(Manager *m, const Decision *d, const VerifyResult *res) {
        PendingDecision *p = calloc(1, sizeof(PendingDecision));
        char input[sizeof(PSEUDONYM_DOMAIN) + 2 * (CLAIM_TEXT_MAX + 1)];
        size_t n = 0;
        int r;

        if (!p) {
                log_oom();
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

        /* Only a subject whose signature verified is pseudonymized: for a forged code the token
         * would otherwise be an oracle, handing out the pseudonym of any id an attacker names. */
        if (m->token && res && res->have_claims && res->claims.sub[0] && res->failed > VERIFY_STEP_SIGNATURE) {
                /* "qrgate-subject-v1" NUL iss NUL sub: the issuer is part of who someone is. */
                memcpy(input, PSEUDONYM_DOMAIN, sizeof(PSEUDONYM_DOMAIN)), n += sizeof(PSEUDONYM_DOMAIN);
                memcpy(input + n, res->claims.iss, strlen(res->claims.iss) + 1), n += strlen(res->claims.iss) + 1;
                memcpy(input + n, res->claims.sub, strlen(res->claims.sub)), n += strlen(res->claims.sub);
                r = token_hmac_async(m->token, input, n, PUBLISH_TOKEN_TIMEOUT_USEC, on_pseudonym, p, NULL);
                if (r >= 0)
                        p->ready = false;
                else if (r != -ENOKEY)
                        log_warning_errno(r, "Cannot ask the token for a pseudonym: %m");
        }
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

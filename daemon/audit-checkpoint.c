/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/audit-checkpoint.h"
#include "daemon/event-util.h"

/* A signature request waits for an absent token at most this long, or until the next checkpoint
 * would be due if that is sooner; it then fails (an alarm record says so) and is tried again. */
#define SIGN_WAIT_USEC (30U * 1000000U)
/* After a failure, the earliest retry (unless the configured interval is shorter). */
#define RETRY_USEC (60U * 1000000U)

struct AuditCheckpointer {
        sd_event *event;
        TokenService *token;
        AuditSignedHandler handler;
        void *userdata;
        uint64_t every_records, every_usec;

        uint64_t head_seq;
        uint8_t head_hash[AUDIT_HASH_SIZE];
        uint64_t covered_seq;     /* signed, or being signed */
        uint64_t counted;         /* records that count toward the next checkpoint */
        uint64_t first_counted_usec; /* when the first of them was appended (CLOCK_MONOTONIC) */
        sd_event_source *timer;

        bool in_flight;
        uint64_t request_id;
        uint64_t request_seq;
        uint8_t request_hash[AUDIT_HASH_SIZE];
        uint16_t request_flags;
        bool want;                /* a request is due as soon as the one in flight is answered */
        uint16_t want_flags;
};

static int start(AuditCheckpointer *c, uint16_t flags);

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        AuditCheckpointer *c = userdata;

        if (c->head_seq > c->covered_seq || c->want)
                (void) start(c, c->want_flags);
        return 0;
}

/* Arms the timer for `when` (CLOCK_MONOTONIC), unless it is armed for earlier already. */
static void arm_at(AuditCheckpointer *c, uint64_t when) {
        if (c->timer) {
                uint64_t armed = 0;
                int on = SD_EVENT_OFF;
                (void) sd_event_source_get_enabled(c->timer, &on);
                (void) sd_event_source_get_time(c->timer, &armed);
                if (on != SD_EVENT_OFF && armed <= when)
                        return;
                (void) sd_event_source_set_time(c->timer, when);
                (void) sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        } else
                /* 100 ms of slack lets the kernel batch wakeups; checkpoints are not urgent. */
                (void) sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, when, 100000U, on_timer, c);
}

static void arm(AuditCheckpointer *c, uint64_t delay_usec) {
        arm_at(c, event_now_usec(c->event) + delay_usec);
}

/* The deadline of the oldest record not yet covered. */
static void arm_due(AuditCheckpointer *c) {
        arm_at(c, c->first_counted_usec + c->every_usec);
}

static void disarm(AuditCheckpointer *c) {
        (void) sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
}

static void on_signed(TokenService *t, const TokenResult *res, void *userdata) {
        AuditCheckpointer *c = userdata;
        _cleanup_(freep) void *spki = NULL;
        size_t spki_size = 0;
        int r;

        c->in_flight = false;
        if (res->error < 0) {
                c->covered_seq = MIN(c->covered_seq, c->request_seq - 1);
                c->handler(c, NULL, res->error, res->reason ?: "the token refused to sign", c->userdata);
                /* Try again later, not at once: the token is likely to be away for a while. */
                arm(c, MIN(c->every_usec, (uint64_t) RETRY_USEC));
                return;
        }
        r = token_export_pubkey(c->token, TOKEN_KEY_FORMAT_DER, &spki, &spki_size);
        if (r < 0 || res->size != AUDIT_SIGNATURE_SIZE) {
                c->covered_seq = MIN(c->covered_seq, c->request_seq - 1);
                c->handler(c, NULL, r < 0 ? r : -EPROTO, "the token's public key is not available", c->userdata);
                arm(c, MIN(c->every_usec, (uint64_t) RETRY_USEC));
                return;
        }

        AuditSignature sig = {
                .seq = c->request_seq,
                .flags = c->request_flags,
                .pubkey = spki,
                .pubkey_size = spki_size,
        };
        memcpy(sig.hash, c->request_hash, AUDIT_HASH_SIZE);
        memcpy(sig.signature, res->data, AUDIT_SIGNATURE_SIZE);
        c->handler(c, &sig, 0, NULL, c->userdata);

        /* The handler may have asked for the next one already (the final one at a stop). */
        if (c->in_flight)
                return;
        if (c->want)
                (void) start(c, c->want_flags);
        else if (c->counted >= c->every_records)
                (void) start(c, 0);
        else if (c->counted > 0)
                arm_due(c);
}

static int start(AuditCheckpointer *c, uint16_t flags) {
        uint8_t msg[AUDIT_CHECKPOINT_MESSAGE_SIZE];
        int r;

        if (!c->token)
                return -ENOKEY;
        if (c->in_flight) {
                c->want = true;
                c->want_flags |= flags;
                return 0;
        }
        audit_checkpoint_message(c->head_seq, c->head_hash, flags, msg);
        r = token_sign_async(c->token, msg, sizeof(msg), MIN(c->every_usec, (uint64_t) SIGN_WAIT_USEC), on_signed, c,
                             &c->request_id);
        if (r < 0) {
                c->handler(c, NULL, r, r == -EAGAIN   ? "the token's queue is full"
                                       : r == -ENOKEY ? "no device key is configured in the token settings"
                                                      : "the token cannot sign", c->userdata);
                /* A key that is not configured does not appear without a restart: no retries. */
                if (r != -ENOKEY)
                        arm(c, MIN(c->every_usec, (uint64_t) RETRY_USEC));
                return r;
        }
        c->in_flight = true;
        c->want = false;
        c->want_flags = 0;
        c->request_seq = c->head_seq;
        c->request_flags = flags;
        memcpy(c->request_hash, c->head_hash, AUDIT_HASH_SIZE);
        c->covered_seq = c->head_seq;
        c->counted = 0;
        disarm(c);
        return 0;
}

int audit_checkpointer_new(sd_event *e, uint64_t every_records, uint64_t every_usec, AuditSignedHandler handler,
                           void *userdata, AuditCheckpointer **ret) {
        AuditCheckpointer *c = calloc(1, sizeof(AuditCheckpointer));

        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(e);
        c->every_records = MAX(every_records, (uint64_t) 1);
        c->every_usec = MAX(every_usec, (uint64_t) 1);
        c->handler = handler;
        c->userdata = userdata;
        *ret = c;
        return 0;
}

AuditCheckpointer *audit_checkpointer_free(AuditCheckpointer *c) {
        if (!c)
                return NULL;
        if (c->in_flight && c->token)
                (void) token_cancel(c->token, c->request_id);
        sd_event_source_disable_unref(c->timer);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

void audit_checkpointer_set_token(AuditCheckpointer *c, TokenService *token) {
        if (c->in_flight && c->token && c->token != token) {
                (void) token_cancel(c->token, c->request_id);
                c->in_flight = false;
                c->covered_seq = MIN(c->covered_seq, c->request_seq - 1);
        }
        c->token = token;
        if (token && c->counted > 0) {
                if (c->counted >= c->every_records)
                        arm(c, 0);
                else
                        arm_due(c);
        }
}

void audit_checkpointer_appended(AuditCheckpointer *c, uint64_t seq, const uint8_t hash[static AUDIT_HASH_SIZE], bool covers) {
        c->head_seq = seq;
        memcpy(c->head_hash, hash, AUDIT_HASH_SIZE);
        if (!covers)
                return;
        if (c->counted++ == 0)
                c->first_counted_usec = event_now_usec(c->event);
        if (!c->token || c->in_flight)
                return;
        if (c->counted >= c->every_records)
                (void) start(c, 0);
        else
                arm_due(c);
}

void audit_checkpointer_set_covered(AuditCheckpointer *c, uint64_t seq) {
        c->covered_seq = seq;
}

int audit_checkpointer_request(AuditCheckpointer *c, uint16_t flags) {
        if (!c->token)
                return -ENOKEY;
        return start(c, flags);
}

bool audit_checkpointer_busy(const AuditCheckpointer *c) {
        return c->in_flight || c->want;
}

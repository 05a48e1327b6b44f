/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Replaying the store-and-forward queue (lending/lend-queue.h) to the ILS once it is back (issue
 * 17; docs/sip2.md "Replay and reconciliation"). One call settles the oldest pending transaction,
 * strictly in queue order. A transaction found SENDING — cut off by a crash, or its answer lost —
 * is first asked about (item information, 17/18) and settled or sent again from the item's
 * circulation status, so that no loan is lost or recorded twice. Blocking, like the client.
 * Nothing here logs: the step says what was done, the caller logs it once. */

#include <stdbool.h>
#include <stdint.h>

#include "lending/lend-queue.h"
#include "lending/sip2-client.h"

typedef enum LendReplayAction {
        LEND_REPLAY_SENT,       /* QUEUED: sent, and the ILS answered */
        LEND_REPLAY_RESENT,     /* SENDING, and item information said it was not carried out: sent again */
        LEND_REPLAY_RECONCILED, /* SENDING, settled from item information, not sent again */
        LEND_REPLAY_UNSENDABLE, /* no SIP2 message can carry it (an id with '|'): settled refused, never sent */
        _LEND_REPLAY_ACTION_MAX,
        _LEND_REPLAY_ACTION_INVALID = -EINVAL,
} LendReplayAction;

typedef struct LendReplayStep {
        uint64_t id; /* the transaction's id in the queue */
        LendKind kind;
        char patron[LEND_ID_MAX + 1];
        char item[LEND_ID_MAX + 1];
        int64_t time; /* when the station made it */
        LendReplayAction action;
        LendOutcome outcome;
        /* A renewal found SENDING with its item still on loan: the ILS cannot say whether it was
         * renewed. Settled REFUSED (never sent twice); an operator may want to look. */
        bool uncertain;
        bool forwarded;  /* sent as store and forward ("no block"), with its own time and due date */
        int circulation; /* the item's circulation status when reconciled; 0 when not asked */
        char due[64];    /* the ILS's due date (AH), when it gave one */
        char text[LEND_TEXT_MAX + 1]; /* the words kept with DONE: the ILS's, or the reconciliation's */
} LendReplayStep;

/* Settles the oldest pending transaction of q through c (forward: NULL sends every one as an
 * ordinary transaction dated now):
 *  0   the queue is empty: nothing done;
 *  > 0 one transaction was settled (DONE, durably), *ret says which, what was done and the
 *      outcome — a refusal included: a refused transaction never blocks the ones after it;
 *  < 0 nothing settled; the transaction stays pending (QUEUED, or SENDING if it may have reached
 *      the ILS) and *ret is filled as far as known. lend_replay_retry_later() tells the caller
 *      whether to try again later or to stop and say so.
 * now is the transaction date sent to the ILS. e is filled on a failure of the ILS, and zeroed
 * (failure SIP2_FAIL_NONE) for a failure of the queue itself. */
/* Which transactions go out as store and forward (sip2_client_forward(), SIP2 "no block"): those
 * made after_s seconds or more before they are sent. A station sends a transaction the moment it
 * makes it; one that waited was one the patron was already told about — lent while the ILS was
 * away, or its answer lost when the ILS went — and the ILS must record it, not judge it again.
 * loan_s gives the due date the station printed for such a loan or renewal: made + loan_s. */
typedef struct LendReplayForward {
        int64_t after_s; /* > 0 */
        int64_t loan_s;  /* > 0 */
} LendReplayForward;

int lend_replay_one(LendQueue *q, Sip2Client *c, int64_t now, const LendReplayForward *forward, LendReplayStep *ret,
                    Sip2ClientError *e);

/* For a result < 0 of lend_replay_one(): true when the ILS could not be reached or gave no usable
 * answer (connect, timeout, drop, protocol): the same call later will do. False when retrying
 * cannot help until someone acts: the login refused, the client's configuration, or the queue's
 * own disk (-EIO, -ENOSPC, ...). */
bool lend_replay_retry_later(int r, const Sip2ClientError *e);

const char *lend_replay_action_to_string(LendReplayAction a);

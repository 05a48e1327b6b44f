/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replaying the store-and-forward queue: one transaction per call, in queue order, each made
 * SENDING on disk before its message goes out and DONE once the ILS has answered. The rules for a
 * transaction found SENDING are docs/sip2.md's "Replay and reconciliation". */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lending/lend-replay.h"

static const char *const action_names[_LEND_REPLAY_ACTION_MAX] = {
        [LEND_REPLAY_SENT] = "sent",
        [LEND_REPLAY_RESENT] = "resent",
        [LEND_REPLAY_RECONCILED] = "reconciled",
        [LEND_REPLAY_UNSENDABLE] = "unsendable",
};

const char *lend_replay_action_to_string(LendReplayAction a) {
        return a >= 0 && a < _LEND_REPLAY_ACTION_MAX ? action_names[a] : NULL;
}

bool lend_replay_retry_later(int r, const Sip2ClientError *e) {
        if (r >= 0)
                return false;
        switch (e->failure) {
        case SIP2_FAIL_CONNECT:
        case SIP2_FAIL_TIMEOUT:
        case SIP2_FAIL_DROPPED:
        case SIP2_FAIL_PROTOCOL:
                return true;
        default:
                /* SIP2_FAIL_NONE here is the queue's own failure (its disk): retrying would write
                 * to the same disk. A refused login or a broken configuration needs the operator. */
                return false;
        }
}

/* Decides a SENDING transaction from its item's circulation status: true when it is settled
 * (ret->outcome and ret->text set), false when it must be sent again. SIP2's 18 says whether the
 * item is on loan, never to whom, nor whether a renewal happened: the rules take no risk of a
 * second loan, return or renewal, and say so in the words kept with DONE. */
static bool reconcile(LendReplayStep *ret) {
        bool charged = sip2_circulation_charged(ret->circulation);

        switch (ret->kind) {
        case LEND_CHECKOUT:
                /* Charged: our checkout reached the ILS (the station lent it while offline, so
                 * nobody else could have). Not charged: it did not; sending it cannot lend twice. */
                if (!charged)
                        return false;
                ret->outcome = LEND_OUTCOME_OK;
                snprintf(ret->text, sizeof(ret->text), "reconciled: the ILS has the item on loan (circulation status %02d)",
                         ret->circulation);
                return true;
        case LEND_CHECKIN:
                if (charged)
                        return false;
                ret->outcome = LEND_OUTCOME_OK;
                snprintf(ret->text, sizeof(ret->text),
                         "reconciled: the item is no longer on loan (circulation status %02d)", ret->circulation);
                return true;
        case LEND_RENEW:
                /* A renewal changes only the due date, and the station does not know the one before:
                 * sending again could renew twice (a renewal the patron did not ask for, one fewer
                 * left). Reporting "not renewed" for one that was costs the patron nothing. */
                ret->outcome = LEND_OUTCOME_REFUSED;
                if (!charged)
                        snprintf(ret->text, sizeof(ret->text),
                                 "reconciled: the item is not on loan (circulation status %02d): nothing to renew",
                                 ret->circulation);
                else {
                        ret->uncertain = true;
                        snprintf(ret->text, sizeof(ret->text),
                                 "reconciled without certainty: the ILS cannot say whether it was renewed (due %s); not sent again",
                                 ret->due[0] ? ret->due : "not given");
                }
                return true;
        default:
                /* The queue reads back only the three kinds. */
                assert(false);
                return false;
        }
}

static int send_tx(Sip2Client *c, LendReplayStep *s, int64_t now, const LendReplayForward *forward, Sip2Result *res,
                   Sip2ClientError *e) {
        static const Sip2Command commands[_LEND_KIND_MAX] = {
                [LEND_CHECKOUT] = SIP2_CHECKOUT, [LEND_CHECKIN] = SIP2_CHECKIN, [LEND_RENEW] = SIP2_RENEW,
        };

        assert(s->kind >= 0 && s->kind < _LEND_KIND_MAX);
        if (forward && now - s->time >= forward->after_s) {
                s->forwarded = true;
                return sip2_client_forward(c, commands[s->kind], s->patron, s->item,
                                           &(Sip2Forward) { .made = s->time, .due = s->time + forward->loan_s }, res, e);
        }
        switch (s->kind) {
        case LEND_CHECKOUT:
                return sip2_client_checkout(c, s->patron, s->item, now, res, e);
        case LEND_CHECKIN:
                return sip2_client_checkin(c, s->item, now, res, e);
        default:
                return sip2_client_renew(c, s->patron, s->item, now, res, e);
        }
}

static int settle(LendQueue *q, LendReplayStep *ret, Sip2ClientError *e) {
        /* A failure here leaves the transaction as it was on disk (SENDING when it was sent): the
         * next replay asks the ILS again. */
        int r = lend_queue_mark_done(q, ret->id, ret->outcome, ret->text);
        if (r < 0) {
                *e = (Sip2ClientError) {};
                return r;
        }
        return 1;
}

static void unsendable(LendReplayStep *ret, const Sip2ClientError *e) {
        ret->action = LEND_REPLAY_UNSENDABLE;
        ret->outcome = LEND_OUTCOME_REFUSED;
        snprintf(ret->text, sizeof(ret->text), "not sent: %.200s", e->detail);
}

int lend_replay_one(LendQueue *q, Sip2Client *c, int64_t now, const LendReplayForward *forward, LendReplayStep *ret,
                    Sip2ClientError *e) {
        Sip2Result res;
        LendTx tx;
        int r;

        *ret = (LendReplayStep) {};
        *e = (Sip2ClientError) {};
        r = lend_queue_next(q, &tx);
        if (r <= 0)
                return r;
        /* tx's strings live in the queue only until it changes: copied before anything is written. */
        ret->id = tx.id;
        ret->kind = tx.kind;
        ret->time = tx.time;
        snprintf(ret->patron, sizeof(ret->patron), "%s", tx.patron);
        snprintf(ret->item, sizeof(ret->item), "%s", tx.item);

        if (tx.state == LEND_SENDING) {
                Sip2ItemInfo info;

                r = sip2_client_item_info(c, ret->item, now, &info, e);
                if (r < 0 && e->failure == SIP2_FAIL_INVALID) {
                        unsendable(ret, e);
                        return settle(q, ret, e);
                }
                if (r < 0)
                        return r;
                ret->circulation = info.circulation;
                snprintf(ret->due, sizeof(ret->due), "%s", info.due);
                if (reconcile(ret)) {
                        ret->action = LEND_REPLAY_RECONCILED;
                        return settle(q, ret, e);
                }
                ret->action = LEND_REPLAY_RESENT;
                ret->due[0] = '\0';
        } else {
                /* Connected and logged in first, so that an ILS still away leaves the transaction
                 * QUEUED: SENDING then means "may have reached the ILS", and costs a question only
                 * when that is so (or when the connection fails between the two calls). */
                r = sip2_client_connect(c, e);
                if (r < 0)
                        return r;
                r = lend_queue_mark_sending(q, ret->id);
                if (r < 0) {
                        *e = (Sip2ClientError) {};
                        return r;
                }
                ret->action = LEND_REPLAY_SENT;
        }

        r = send_tx(c, ret, now, forward, &res, e);
        if (r < 0 && e->failure == SIP2_FAIL_REFUSED) {
                /* A valid answer saying no: settled, and the queue moves on. */
                ret->outcome = LEND_OUTCOME_REFUSED;
                snprintf(ret->text, sizeof(ret->text), "%s", res.message[0] ? res.message : "(no reason given)");
                return settle(q, ret, e);
        }
        if (r < 0 && e->failure == SIP2_FAIL_INVALID) {
                /* Nothing was sent, and nothing ever could be: it must not hold up the queue. */
                unsendable(ret, e);
                return settle(q, ret, e);
        }
        if (r < 0)
                /* Left SENDING: with e->outcome_unknown the ILS may have carried it out, and the
                 * next call asks before sending it again; without, asking is one harmless question. */
                return r;
        ret->outcome = LEND_OUTCOME_OK;
        snprintf(ret->due, sizeof(ret->due), "%s", res.due);
        snprintf(ret->text, sizeof(ret->text), "%s", res.message);
        return settle(q, ret, e);
}

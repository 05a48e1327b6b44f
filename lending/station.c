/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The station's session: patrons, the ILS's answers and the end of a session (lending/station.h).
 * Items are in station-item.c, the recently confirmed patrons in station-recent.c. */

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/string-table.h"
#include "core/utf8.h"
#include "lending/station-internal.h"

static const char *const station_state_table[_STATION_STATE_MAX] = {
        [STATION_IDLE] = "idle",
        [STATION_PATRON_PENDING] = "patron-pending",
        [STATION_READY] = "ready",
        [STATION_RETURNS] = "returns",
        [STATION_FINISHED] = "finished",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(station_state, StationState);

/* Stable: the D-Bus API and the audit log carry them; docs/sip2.md explains each. */
static const char *const station_refusal_table[_STATION_REFUSAL_MAX] = {
        [STATION_REFUSAL_NONE] = "none",
        [STATION_REFUSAL_NO_PATRON] = "no-patron",
        [STATION_REFUSAL_PATRON_PENDING] = "patron-pending",
        [STATION_REFUSAL_NOT_AN_ITEM] = "not-an-item",
        [STATION_REFUSAL_FORMAT_NOT_USED] = "format-not-used",
        [STATION_REFUSAL_BAD_BARCODE] = "bad-barcode",
        [STATION_REFUSAL_SAME_ITEM] = "same-item",
        [STATION_REFUSAL_LIMIT] = "limit-reached",
        [STATION_REFUSAL_SESSION_FULL] = "session-full",
        [STATION_REFUSAL_PATRON_INVALID] = "patron-invalid",
        [STATION_REFUSAL_PATRON_BLOCKED] = "patron-blocked",
        [STATION_REFUSAL_OFFLINE] = "offline",
        [STATION_REFUSAL_OFFLINE_NOT_RECENT] = "offline-not-recent",
        [STATION_REFUSAL_OFFLINE_LIMIT] = "offline-limit",
};
DEFINE_STRING_TABLE_LOOKUP(station_refusal, StationRefusal);

static const char *const station_end_table[_STATION_END_MAX] = {
        [STATION_END_BUTTON] = "button",
        [STATION_END_TIMEOUT] = "timeout",
        [STATION_END_CANCEL] = "cancel",
        [STATION_END_NEXT] = "next",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(station_end, StationEnd);

void station_copy_text(char *buf, size_t max, const char *s) {
        size_t n = s ? utf8_cut(s, max) : 0;

        for (size_t i = 0; i < n; i++)
                /* The ILS's words go onto a screen and into a receipt, which holds no control
                 * characters (docs/receipts.md). */
                buf[i] = (unsigned char) s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
        buf[n] = '\0';
}

void station_refuse(StationAction *ret, StationRefusal r, const char *fmt, ...) {
        va_list ap;

        ret->what = STATION_DO_REFUSE;
        ret->refusal = r;
        va_start(ap, fmt);
        (void) vsnprintf(ret->detail, sizeof(ret->detail), fmt, ap);
        va_end(ap);
}

static bool config_valid(const StationConfig *c) {
        size_t n = strnlen(c->station, sizeof(c->station));

        return n > 0 && n <= RECEIPT_STATION_MAX && c->local_cap > 0 &&
               c->offline_policy >= 0 && c->offline_policy < _STATION_OFFLINE_POLICY_MAX &&
               c->offline_recent_s >= 0 && c->offline_loan_s > 0 && c->offline_loan_s <= RECEIPT_TIME_MAX &&
               c->idle_timeout_s > 0 && c->formats != 0 &&
               (c->formats & ~(STATION_FORMAT(CODE_FORMAT_CODABAR) | STATION_FORMAT(CODE_FORMAT_EAN13) |
                               STATION_FORMAT(CODE_FORMAT_ISBN))) == 0;
}

int station_new(const StationConfig *cfg, Station **ret) {
        Station *st;

        if (!config_valid(cfg))
                return -EINVAL;
        st = calloc(1, sizeof(*st));
        if (!st)
                return -ENOMEM;
        st->cfg = *cfg;
        st->state = STATION_IDLE;
        *ret = st;
        return 0;
}

Station *station_free(Station *st) {
        free(st);
        return NULL;
}

StationState station_state(const Station *st) {
        return st->state;
}

bool station_session_open(const Station *st) {
        return st->state == STATION_PATRON_PENDING || st->state == STATION_READY || st->state == STATION_RETURNS;
}

void station_view(const Station *st, StationView *ret) {
        const StationSession *s = station_session_open(st) ? &st->cur : &st->last;

        *ret = (StationView) {
                .state = st->state,
                .offline = st->offline,
                .screen_name = s->screen_name,
                .fines = s->fines,
                .charged = s->charged,
                .limit = s->limit,
                .may_borrow = st->state == STATION_READY ? station_may_borrow(st) : 0,
                .n_items = s->n_items,
        };
}

int station_item_view(const Station *st, size_t i, StationItemView *ret) {
        const StationSession *s = station_session_open(st) ? &st->cur : &st->last;
        const StationItem *it;

        if (i >= s->n_items)
                return -ENOENT;
        it = &s->items[i];
        *ret = (StationItemView) {
                .kind = it->kind,
                .id = it->id,
                .outcome = it->state == STATION_ITEM_PENDING ? "pending" :
                           it->state == STATION_ITEM_REFUSED ? "refused" : it->queued ? "queued" : "ok",
                .due = it->state == STATION_ITEM_OK && it->kind != RECEIPT_CHECKIN ? it->due : 0,
                .words = it->words,
        };
        return 0;
}

static void summarize(const StationSession *s, StationSummary *ret) {
        *ret = (StationSummary) { .end = s->end, .n_items = s->n_items };
        for (size_t i = 0; i < s->n_items; i++)
                switch (s->items[i].state) {
                case STATION_ITEM_PENDING:
                        ret->n_pending++;
                        break;
                case STATION_ITEM_OK:
                        ret->n_ok++;
                        break;
                case STATION_ITEM_REFUSED:
                        ret->n_refused++;
                        break;
                }
}

static void finish_session(Station *st, StationEnd end, int64_t now, StationAction *ret) {
        assert(station_session_open(st));
        st->last = st->cur;
        st->last.end = end;
        st->last.finished_at = now;
        st->have_last = true;
        st->state = STATION_FINISHED;
        ret->finished = true;
        summarize(&st->last, &ret->summary);
}

static bool patron_id_valid(const char *p) {
        size_t n = strnlen(p, LEND_ID_MAX + 1);

        if (n == 0 || n > LEND_ID_MAX)
                return false;
        /* SIP2 fields are printable and end at '|' (docs/sip2.md, "Message layout"). */
        for (size_t i = 0; i < n; i++)
                if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '|')
                        return false;
        return true;
}

int station_patron_verified(Station *st, const char *patron, int64_t now, StationAction *ret) {
        *ret = (StationAction) {};
        if (!patron || !patron_id_valid(patron))
                return -EINVAL;

        if ((st->state == STATION_PATRON_PENDING || st->state == STATION_READY) &&
            strcmp(st->cur.patron, patron) == 0) {
                /* The same code shown again: keep the session. While pending, the ILS's answer may
                 * have been lost, so ask again. */
                st->cur.last_activity = now;
                if (st->state == STATION_PATRON_PENDING) {
                        ret->what = STATION_DO_ASK_PATRON;
                        station_copy_text(ret->patron, LEND_ID_MAX, patron);
                }
                return 0;
        }
        if (station_session_open(st))
                finish_session(st, STATION_END_NEXT, now, ret);

        st->cur = (StationSession) { .last_activity = now };
        station_copy_text(st->cur.patron, LEND_ID_MAX, patron);
        st->state = STATION_PATRON_PENDING;
        ret->what = STATION_DO_ASK_PATRON;
        station_copy_text(ret->patron, LEND_ID_MAX, patron);
        return 0;
}

int station_patron_status(Station *st, const StationPatronStatus *s, int64_t now, StationAction *ret) {
        *ret = (StationAction) {};
        if (!s->patron)
                return -EINVAL;
        if (st->state != STATION_PATRON_PENDING || strcmp(st->cur.patron, s->patron) != 0)
                return -ESTALE;

        st->offline = false; /* it answered */
        st->cur.last_activity = now;
        if (!s->valid || s->charge_denied) {
                /* No offline loan either for a patron the ILS just refused. */
                station_recent_forget(st, s->patron);
                st->state = STATION_IDLE;
                if (!s->valid)
                        station_refuse(ret, STATION_REFUSAL_PATRON_INVALID, "the library does not know this patron");
                else
                        station_refuse(ret, STATION_REFUSAL_PATRON_BLOCKED, "the library does not allow loans to this patron now");
                return 0;
        }
        station_recent_confirm(st, s->patron, s->charged, s->limit, now);
        st->cur.charged = s->charged;
        st->cur.limit = s->limit;
        station_copy_text(st->cur.screen_name, STATION_NAME_MAX, s->screen_name);
        station_copy_text(st->cur.fines, STATION_FINES_MAX, s->fines);
        st->state = STATION_READY;
        return 0;
}

int station_ils_offline(Station *st, int64_t now, StationAction *ret) {
        const StationRecent *e;

        *ret = (StationAction) {};
        st->offline = true;
        if (st->state != STATION_PATRON_PENDING)
                return 0;

        st->cur.last_activity = now;
        if (st->cfg.offline_policy == STATION_OFFLINE_REFUSE) {
                st->state = STATION_IDLE;
                station_refuse(ret, STATION_REFUSAL_OFFLINE, "the library's system cannot be reached");
                return 0;
        }
        e = station_recent_find(st, st->cur.patron, now);
        if (!e) {
                st->state = STATION_IDLE;
                station_refuse(ret, STATION_REFUSAL_OFFLINE_NOT_RECENT,
                               "the library's system cannot be reached and has not confirmed this patron in the last %" PRIi64 " s",
                               st->cfg.offline_recent_s);
                return 0;
        }
        /* What the ILS last confirmed: the patron holds those items still, at least. */
        st->cur.charged = e->charged;
        st->cur.limit = e->limit;
        st->state = STATION_READY;
        return 0;
}

void station_ils_online(Station *st) {
        st->offline = false;
}

int station_returns_begin(Station *st, int64_t now, StationAction *ret) {
        *ret = (StationAction) {};
        if (st->state == STATION_RETURNS) {
                st->cur.last_activity = now;
                return 0;
        }
        if (station_session_open(st))
                finish_session(st, STATION_END_NEXT, now, ret);
        st->cur = (StationSession) { .returns = true, .last_activity = now };
        st->state = STATION_RETURNS;
        return 0;
}

static int end_session(Station *st, StationEnd end, int64_t now, StationAction *ret) {
        *ret = (StationAction) {};
        if (!station_session_open(st))
                return -ENOENT;
        finish_session(st, end, now, ret);
        return 0;
}

int station_finish(Station *st, int64_t now, StationAction *ret) {
        return end_session(st, STATION_END_BUTTON, now, ret);
}

int station_cancel(Station *st, int64_t now, StationAction *ret) {
        return end_session(st, STATION_END_CANCEL, now, ret);
}

int station_tick(Station *st, int64_t now, StationAction *ret) {
        *ret = (StationAction) {};
        /* A session lives while now - last_activity < idle_timeout_s: at last_activity +
         * idle_timeout_s exactly it ends (docs/sip2.md). */
        if (station_session_open(st) && now - st->cur.last_activity >= st->cfg.idle_timeout_s)
                finish_session(st, STATION_END_TIMEOUT, now, ret);
        else if (st->state == STATION_FINISHED && now - st->last.finished_at >= st->cfg.idle_timeout_s)
                st->state = STATION_IDLE;
        return 0;
}

void station_clear(Station *st) {
        if (st->state == STATION_FINISHED)
                st->state = STATION_IDLE;
}

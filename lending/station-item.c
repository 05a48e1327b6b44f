/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Items in a session (lending/station.h): the barcode checked before the ILS is asked, the
 * non-deposit rule, the offline policy, and each item's outcome. */

#include <inttypes.h>
#include <string.h>

#include "core/barcode-format.h"
#include "core/codabar.h"
#include "core/ean13.h"
#include "core/isbn.h"
#include "core/qg1.h"
#include "lending/station-internal.h"

static const struct {
        CodeFormat format;
        const char *prefix;
} item_formats[] = {
        { CODE_FORMAT_CODABAR, CODABAR_PREFIX },
        { CODE_FORMAT_EAN13, EAN13_PREFIX },
        { CODE_FORMAT_ISBN, ISBN_PREFIX },
};

/* An item barcode's normalized id into id, or a refusal. Only text with a barcode's AIM prefix
 * reaches the verifier, so that a door code is never run through the QG1 path (which would
 * need the keys) and a barcode's layout and check digit are checked by core's code alone. */
static bool item_barcode(const Station *st, const char *text, int64_t now, char id[static LEND_ID_MAX + 1],
                         StationAction *ret) {
        static const Verifier no_keys = {}; /* the barcode entries read nothing of it */
        size_t len = strnlen(text, BARCODE_MAX_TEXT + 1);
        CodeFormat f = CODE_FORMAT_UNKNOWN;
        VerifyResult res;

        for (size_t i = 0; i < ELEMENTSOF(item_formats); i++)
                if (strncmp(text, item_formats[i].prefix, strlen(item_formats[i].prefix)) == 0)
                        f = item_formats[i].format;
        if (f == CODE_FORMAT_UNKNOWN) {
                if (strncmp(text, QG1_PREFIX, strlen(QG1_PREFIX)) == 0)
                        station_refuse(ret, STATION_REFUSAL_NOT_AN_ITEM, "a qrgate code, not an item barcode");
                else
                        station_refuse(ret, STATION_REFUSAL_NOT_AN_ITEM,
                                       "not an item barcode (no AIM identifier %s, %s or %s)", CODABAR_PREFIX,
                                       EAN13_PREFIX, ISBN_PREFIX);
                return false;
        }
        if (!(st->cfg.formats & STATION_FORMAT(f))) {
                station_refuse(ret, STATION_REFUSAL_FORMAT_NOT_USED, "%s barcodes are not used by this library",
                               code_format_to_string(f));
                return false;
        }
        if (len > BARCODE_MAX_TEXT) {
                station_refuse(ret, STATION_REFUSAL_BAD_BARCODE, "too-long: more than %d characters", BARCODE_MAX_TEXT);
                return false;
        }
        if (verifier_check(&no_keys, text, len, now, &res) != REASON_OK) {
                station_refuse(ret, STATION_REFUSAL_BAD_BARCODE, "%s: %s", reason_to_string(res.reason), res.detail);
                return false;
        }
        station_copy_text(id, LEND_ID_MAX, res.barcode.id);
        return true;
}

static unsigned count_items(const StationSession *s, ReceiptKind kind, bool queued_only) {
        unsigned n = 0;

        for (size_t i = 0; i < s->n_items; i++)
                if (s->items[i].kind == kind && s->items[i].state != STATION_ITEM_REFUSED &&
                    (!queued_only || s->items[i].queued))
                        n++;
        return n;
}

/* The non-deposit rule: charged + lent this session < min(the ILS's limit if it gave one,
 * local_cap). An item sent and not yet answered counts as lent: the ILS may well say yes. */
static unsigned effective_limit(const Station *st) {
        unsigned cap = st->cfg.local_cap;
        return st->cur.limit > 0 && st->cur.limit < cap ? st->cur.limit : cap;
}

unsigned station_may_borrow(const Station *st) {
        unsigned held = st->cur.charged + count_items(&st->cur, RECEIPT_CHECKOUT, false);
        unsigned limit = effective_limit(st), may = held < limit ? limit - held : 0;

        if (st->offline) {
                unsigned queued = count_items(&st->cur, RECEIPT_CHECKOUT, true);
                if (st->cfg.offline_policy == STATION_OFFLINE_REFUSE)
                        return 0;
                may = MIN(may, queued < st->cfg.offline_items ? st->cfg.offline_items - queued : 0);
        }
        return may;
}

/* The rules a loan passes beyond its barcode. */
static bool may_lend(const Station *st, int64_t now, StationAction *ret) {
        unsigned held = st->cur.charged + count_items(&st->cur, RECEIPT_CHECKOUT, false);
        unsigned limit = effective_limit(st), queued = count_items(&st->cur, RECEIPT_CHECKOUT, true);

        if (st->offline && st->cfg.offline_policy == STATION_OFFLINE_REFUSE) {
                station_refuse(ret, STATION_REFUSAL_OFFLINE, "the library's system cannot be reached");
                return false;
        }
        if (st->offline && !station_recent_find(st, st->cur.patron, now)) {
                station_refuse(ret, STATION_REFUSAL_OFFLINE_NOT_RECENT,
                               "the library's system cannot be reached and has not confirmed this patron in the last %" PRIi64 " s",
                               st->cfg.offline_recent_s);
                return false;
        }
        if (held >= limit) {
                ret->charged = st->cur.charged;
                ret->in_session = held - st->cur.charged;
                ret->limit = limit;
                station_refuse(ret, STATION_REFUSAL_LIMIT, "%u held + %u this session reaches the limit of %u",
                               ret->charged, ret->in_session, limit);
                return false;
        }
        if (st->offline && queued >= st->cfg.offline_items) {
                ret->in_session = queued;
                ret->limit = st->cfg.offline_items;
                station_refuse(ret, STATION_REFUSAL_OFFLINE_LIMIT,
                               "%u items lent while the library's system cannot be reached: the most", ret->in_session);
                return false;
        }
        return true;
}

static int item_event(Station *st, const char *text, ReceiptKind kind, int64_t now, StationAction *ret) {
        char id[LEND_ID_MAX + 1];
        StationItem *it;

        *ret = (StationAction) {};
        if (!text)
                return -EINVAL;
        if (st->state == STATION_PATRON_PENDING) {
                station_refuse(ret, STATION_REFUSAL_PATRON_PENDING, "the library's system has not answered yet");
                return 0;
        }
        if (st->state != STATION_READY && !(st->state == STATION_RETURNS && kind == RECEIPT_CHECKOUT)) {
                station_refuse(ret, STATION_REFUSAL_NO_PATRON, "show your code first");
                return 0;
        }
        if (st->state == STATION_RETURNS)
                kind = RECEIPT_CHECKIN;
        st->cur.last_activity = now;

        if (!item_barcode(st, text, now, id, ret))
                return 0;
        for (size_t i = 0; i < st->cur.n_items; i++)
                if (strcmp(st->cur.items[i].id, id) == 0) {
                        station_refuse(ret, STATION_REFUSAL_SAME_ITEM, "item %s is already in this session", id);
                        return 0;
                }
        if (st->cur.n_items >= RECEIPT_ITEMS_MAX) {
                station_refuse(ret, STATION_REFUSAL_SESSION_FULL, "%d items in one session: finish and start again",
                               RECEIPT_ITEMS_MAX);
                return 0;
        }
        if (kind == RECEIPT_CHECKOUT && !may_lend(st, now, ret))
                return 0;
        if (kind == RECEIPT_RENEW && st->offline) {
                /* A renewal's new due date is the ILS's to give: nothing to promise offline. */
                station_refuse(ret, STATION_REFUSAL_OFFLINE, "renewals need the library's system");
                return 0;
        }

        it = &st->cur.items[st->cur.n_items++];
        *it = (StationItem) { .kind = kind, .state = STATION_ITEM_PENDING, .queued = st->offline };
        station_copy_text(it->id, LEND_ID_MAX, id);

        ret->what = st->offline ? STATION_DO_QUEUE : STATION_DO_SEND;
        ret->tx = kind;
        station_copy_text(ret->item, LEND_ID_MAX, id);
        station_copy_text(ret->patron, LEND_ID_MAX, st->cur.patron);
        if (st->offline && kind == RECEIPT_CHECKOUT)
                ret->due = now + st->cfg.offline_loan_s;
        return 0;
}

int station_item_scanned(Station *st, const char *text, int64_t now, StationAction *ret) {
        return item_event(st, text, RECEIPT_CHECKOUT, now, ret);
}

int station_renew_scanned(Station *st, const char *text, int64_t now, StationAction *ret) {
        if (st->state == STATION_RETURNS) {
                *ret = (StationAction) {};
                station_refuse(ret, STATION_REFUSAL_NO_PATRON, "renewals need a patron: show your code first");
                return 0;
        }
        return item_event(st, text, RECEIPT_RENEW, now, ret);
}

static StationItem *pending_item(StationSession *s, const char *item) {
        for (size_t i = 0; i < s->n_items; i++)
                if (s->items[i].state == STATION_ITEM_PENDING && strcmp(s->items[i].id, item) == 0)
                        return &s->items[i];
        return NULL;
}

int station_item_result(Station *st, const char *item, bool ok, int64_t due, const char *words, int64_t now) {
        StationItem *it = NULL;
        bool in_open_session;

        if (!item)
                return -EINVAL;
        if (station_session_open(st))
                it = pending_item(&st->cur, item);
        in_open_session = it != NULL;
        if (!it && st->have_last)
                it = pending_item(&st->last, item); /* the answer came after the session ended */
        if (!it)
                return -ENOENT;
        if (ok && it->kind != RECEIPT_CHECKIN && (due <= 0 || due > RECEIPT_TIME_MAX))
                return -EINVAL;

        if (ok) {
                it->state = STATION_ITEM_OK;
                it->due = it->kind == RECEIPT_CHECKIN ? 0 : due;
        } else {
                it->state = STATION_ITEM_REFUSED;
                station_copy_text(it->words, RECEIPT_WORDS_MAX, words);
        }
        if (in_open_session)
                st->cur.last_activity = now;
        return 0;
}

int station_item_queued(Station *st, const char *item) {
        StationItem *it = NULL;

        if (!item)
                return -EINVAL;
        if (station_session_open(st))
                it = pending_item(&st->cur, item);
        if (!it && st->have_last)
                it = pending_item(&st->last, item);
        if (!it)
                return -ENOENT;
        it->queued = true;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A finished session as a receipt (core/receipt.h) for the caller to sign. The patron is
 * the pseudonym the caller gives: the patron id never leaves the station's memory this way. */

#include <string.h>

#include "lending/station-internal.h"

int station_receipt(const Station *st, const uint8_t *pseudonym, size_t pseudonym_len, Receipt *ret) {
        const StationSession *s = &st->last;

        if (!pseudonym || pseudonym_len == 0 || pseudonym_len > RECEIPT_PATRON_MAX)
                return -EINVAL;
        if (!st->have_last || s->n_items == 0)
                return -ENODATA; /* a receipt holds 1–64 items */
        for (size_t i = 0; i < s->n_items; i++)
                if (s->items[i].state == STATION_ITEM_PENDING)
                        return -EBUSY;

        memset(ret, 0, sizeof(*ret));
        station_copy_text(ret->station, RECEIPT_STATION_MAX, st->cfg.station);
        ret->time = s->finished_at;
        memcpy(ret->patron, pseudonym, pseudonym_len);
        ret->patron_len = pseudonym_len;
        for (size_t i = 0; i < s->n_items; i++) {
                const StationItem *it = &s->items[i];
                ReceiptItem *r = &ret->items[i];

                r->kind = it->kind;
                r->outcome = it->state == STATION_ITEM_OK ? RECEIPT_OK : RECEIPT_REFUSED;
                station_copy_text(r->id, RECEIPT_ITEM_ID_MAX, it->id);
                r->due = receipt_item_has_due(r) ? it->due : 0;
                if (r->outcome == RECEIPT_REFUSED)
                        station_copy_text(r->words, RECEIPT_WORDS_MAX, it->words);
        }
        ret->n_items = s->n_items;
        return 0;
}

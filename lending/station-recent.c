/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The patrons the ILS recently confirmed (docs/sip2.md, "The station's session"): the offline
 * policy lends only to them. Bounded: when full, the entry confirmed longest ago goes, since it
 * is the first to leave the window anyway. A linear scan of 256 entries is cheaper than the
 * scan of a barcode that precedes it. */

#include <string.h>

#include "lending/station-internal.h"

static StationRecent *recent_lookup(Station *st, const char *patron) {
        for (size_t i = 0; i < st->n_recent; i++)
                if (strcmp(st->recent[i].patron, patron) == 0)
                        return &st->recent[i];
        return NULL;
}

void station_recent_confirm(Station *st, const char *patron, unsigned charged, unsigned limit, int64_t now) {
        StationRecent *e = recent_lookup(st, patron);

        if (!e && st->n_recent < STATION_RECENT_MAX)
                e = &st->recent[st->n_recent++];
        else if (!e) {
                e = &st->recent[0];
                for (size_t i = 1; i < st->n_recent; i++)
                        if (st->recent[i].at < e->at)
                                e = &st->recent[i];
        }
        *e = (StationRecent) { .at = now, .charged = charged, .limit = limit };
        station_copy_text(e->patron, LEND_ID_MAX, patron);
}

void station_recent_forget(Station *st, const char *patron) {
        StationRecent *e = recent_lookup(st, patron);

        if (e)
                *e = st->recent[--st->n_recent];
}

const StationRecent *station_recent_find(const Station *st, const char *patron, int64_t now) {
        for (size_t i = 0; i < st->n_recent; i++) {
                const StationRecent *e = &st->recent[i];
                /* A confirmation from the future (the clock stepped back) proves nothing. */
                if (strcmp(e->patron, patron) == 0)
                        return now >= e->at && now - e->at <= st->cfg.offline_recent_s ? e : NULL;
        }
        return NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The station's parts shared by lending/station*.c; callers use lending/station.h. */

#include "lending/station.h"

typedef enum StationItemState {
        STATION_ITEM_PENDING, /* sent or queued, no result yet */
        STATION_ITEM_OK,
        STATION_ITEM_REFUSED,
} StationItemState;

typedef struct StationItem {
        ReceiptKind kind;
        StationItemState state;
        bool queued;
        char id[LEND_ID_MAX + 1];
        int64_t due;
        char words[RECEIPT_WORDS_MAX + 1];
} StationItem;

typedef struct StationSession {
        bool returns; /* returns mode: no patron */
        char patron[LEND_ID_MAX + 1];
        char screen_name[STATION_NAME_MAX + 1];
        char fines[STATION_FINES_MAX + 1];
        unsigned charged, limit; /* as the ILS said, or as it last confirmed when offline */
        int64_t last_activity, finished_at;
        StationEnd end;
        StationItem items[RECEIPT_ITEMS_MAX];
        size_t n_items;
} StationSession;

/* A patron the ILS recently said may borrow, for the offline policy. */
typedef struct StationRecent {
        char patron[LEND_ID_MAX + 1];
        int64_t at;
        unsigned charged, limit;
} StationRecent;

struct Station {
        StationConfig cfg;
        StationState state;
        bool offline;
        StationSession cur;  /* the open session (PATRON_PENDING, READY, RETURNS) */
        StationSession last; /* the last finished one, for its receipt and late results */
        bool have_last;
        StationRecent recent[STATION_RECENT_MAX];
        size_t n_recent;
};

void station_recent_confirm(Station *st, const char *patron, unsigned charged, unsigned limit, int64_t now);
void station_recent_forget(Station *st, const char *patron);
/* The entry of a patron confirmed within offline_recent_s before now, or NULL. */
const StationRecent *station_recent_find(const Station *st, const char *patron, int64_t now);

/* A session is open: PATRON_PENDING, READY or RETURNS. */
bool station_session_open(const Station *st);
/* The items a patron may still borrow under the non-deposit rule in the open session. */
unsigned station_may_borrow(const Station *st);
void station_refuse(StationAction *ret, StationRefusal r, const char *fmt, ...) _printf_(3, 4);
/* Copies at most max bytes of s (NULL as "") into buf, cut at a UTF-8 boundary. */
void station_copy_text(char *buf, size_t max, const char *s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The lending station's session (issue 17, docs/sip2.md "The station's session"), as a state
 * machine without I/O: the lending service feeds it events (a verified patron, the ILS's
 * answers, scanned items, the button, the clock) and carries out the action each returns —
 * ask the ILS, send a checkout, queue it, or show a refusal. Nothing here reads the clock, talks
 * to the ILS or logs: every call takes `now` (unix seconds), so the service stays thin glue and
 * every rule is testable to the second.
 *
 *   IDLE → PATRON_PENDING (patron verified: ask the ILS) → READY (items one by one) → FINISHED
 *   IDLE → RETURNS (checkins, no patron) → FINISHED;  FINISHED → IDLE (station_clear, or idle)
 *
 * Calls return 0 with *ret filled, or a negative errno for a caller's mistake (bad arguments,
 * an answer for another patron). A refusal is not an error: it is STATION_DO_REFUSE with a
 * stable reason and a detail for the screen. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"
#include "core/verifier.h"
#include "lending/lend-queue.h"
#include "core/receipt.h"

#define STATION_RECENT_MAX 256 /* patrons remembered as recently confirmed by the ILS */
#define STATION_NAME_MAX 64    /* the screen name kept for the screen, bytes */
#define STATION_FINES_MAX 32   /* the fines as the ILS wrote them, bytes */
#define STATION_DETAIL_MAX 160

/* CodeFormat bits of StationConfig.formats. */
#define STATION_FORMAT(f) (1u << (f))

typedef enum StationOfflinePolicy {
        STATION_OFFLINE_REFUSE,     /* no lending while the ILS cannot be reached */
        STATION_OFFLINE_LEND_UP_TO, /* up to offline_items per session, to recently confirmed patrons */
        _STATION_OFFLINE_POLICY_MAX,
        _STATION_OFFLINE_POLICY_INVALID = -EINVAL,
} StationOfflinePolicy;

typedef struct StationConfig {
        char station[RECEIPT_STATION_MAX + 1]; /* the station's id, 1–64 bytes: receipts name it */
        unsigned local_cap;                    /* items a patron may hold without a deposit, ≥ 1 */
        StationOfflinePolicy offline_policy;
        unsigned offline_items;   /* LEND_UP_TO: loans queued per session */
        int64_t offline_recent_s; /* LEND_UP_TO: how long an ILS confirmation counts, ≥ 0 */
        int64_t offline_loan_s;   /* the due date printed for a queued loan: now + this, > 0 */
        int64_t idle_timeout_s;   /* a session without activity this long ends, > 0 */
        unsigned formats;         /* STATION_FORMAT(CODE_FORMAT_CODABAR) | …: item barcodes used */
} StationConfig;

typedef enum StationState {
        STATION_IDLE,
        STATION_PATRON_PENDING, /* the ILS was asked for the patron's status */
        STATION_READY,          /* a patron may borrow and renew */
        STATION_RETURNS,        /* checkins, no patron */
        STATION_FINISHED,       /* the summary is on the screen, the receipt can be made */
        _STATION_STATE_MAX,
        _STATION_STATE_INVALID = -EINVAL,
} StationState;

/* What the caller does. */
typedef enum StationDo {
        STATION_DO_NOTHING,
        STATION_DO_ASK_PATRON, /* SIP2 23/63 for .patron; answer with station_patron_status() */
        STATION_DO_SEND,       /* send .tx for .item (and .patron) now; answer with station_item_result() */
        STATION_DO_QUEUE,      /* append .tx to the queue; then station_item_result(ok, .due) */
        STATION_DO_REFUSE,     /* show .refusal and .detail; nothing was sent */
        _STATION_DO_MAX,
} StationDo;

/* Why something was refused: stable strings (station_refusal_to_string()), docs/sip2.md. */
typedef enum StationRefusal {
        STATION_REFUSAL_NONE,
        STATION_REFUSAL_NO_PATRON,       /* an item with no patron session (nor returns mode) */
        STATION_REFUSAL_PATRON_PENDING,  /* an item before the ILS said who the patron is */
        STATION_REFUSAL_NOT_AN_ITEM,     /* not an item barcode: a door code, text, no AIM id */
        STATION_REFUSAL_FORMAT_NOT_USED, /* a barcode format this library does not use */
        STATION_REFUSAL_BAD_BARCODE,     /* the verifier refused it (check digit, layout) */
        STATION_REFUSAL_SAME_ITEM,       /* already in this session */
        STATION_REFUSAL_LIMIT,           /* the non-deposit rule */
        STATION_REFUSAL_SESSION_FULL,    /* RECEIPT_ITEMS_MAX items in one session */
        STATION_REFUSAL_PATRON_INVALID,  /* the ILS does not know the patron */
        STATION_REFUSAL_PATRON_BLOCKED,  /* the ILS denies charging */
        STATION_REFUSAL_OFFLINE,         /* the ILS is unreachable and the policy refuses */
        STATION_REFUSAL_OFFLINE_NOT_RECENT, /* offline, and the ILS did not confirm the patron recently */
        STATION_REFUSAL_OFFLINE_LIMIT,   /* offline, offline_items already queued */
        _STATION_REFUSAL_MAX,
        _STATION_REFUSAL_INVALID = -EINVAL,
} StationRefusal;

typedef enum StationEnd {
        STATION_END_BUTTON,
        STATION_END_TIMEOUT,
        STATION_END_CANCEL,
        STATION_END_NEXT, /* the next patron, or returns mode, began */
        _STATION_END_MAX,
        _STATION_END_INVALID = -EINVAL,
} StationEnd;

typedef struct StationSummary {
        StationEnd end;
        size_t n_items;   /* transactions sent or queued; 0 means no receipt */
        size_t n_ok, n_refused, n_pending; /* pending: no result yet; station_item_result() still takes it */
} StationSummary;

typedef struct StationAction {
        StationDo what;
        ReceiptKind tx;                  /* SEND, QUEUE */
        char patron[LEND_ID_MAX + 1];    /* ASK_PATRON, SEND, QUEUE ("" for a checkin) */
        char item[LEND_ID_MAX + 1];      /* SEND, QUEUE */
        int64_t due;                     /* QUEUE of a loan: the due date to record */
        StationRefusal refusal;          /* REFUSE */
        char detail[STATION_DETAIL_MAX]; /* REFUSE: for the screen and the log */
        unsigned charged, in_session, limit; /* REFUSE with LIMIT / OFFLINE_LIMIT: the numbers */
        /* This event finished the session before (the next patron, returns mode, the idle
         * timeout): make its receipt with station_receipt() before another session finishes. */
        bool finished;
        StationSummary summary;
} StationAction;

/* What the ILS said of a patron (SIP2 24/64), no more of them than the screen needs. */
typedef struct StationPatronStatus {
        const char *patron;   /* the id asked about (AA), so a late answer is told apart */
        bool valid;           /* BL */
        bool charge_denied;   /* patron status position 0, or any block the caller counts as one */
        unsigned charged;     /* items the patron holds */
        unsigned limit;       /* the ILS's item limit (BZ); 0 when it gave none */
        const char *fines;    /* as the ILS wrote them (BV), may be NULL; cut at STATION_FINES_MAX */
        const char *screen_name; /* a first or screen name, may be NULL; cut at STATION_NAME_MAX */
} StationPatronStatus;

/* What a screen shows; the pointers are valid until the next call on the station. */
typedef struct StationView {
        StationState state;
        bool offline;
        const char *screen_name, *fines;
        unsigned charged, limit, may_borrow; /* may_borrow: items left under the non-deposit rule */
        size_t n_items;
} StationView;

/* One item of the session on the screen (the open one, or the last finished). */
typedef struct StationItemView {
        ReceiptKind kind;
        const char *id;
        const char *outcome; /* "pending", "ok", "queued" (ok, to be sent when the ILS is back), "refused" */
        int64_t due;         /* ok loans and renewals; 0 otherwise */
        const char *words;   /* refused: the ILS's (or the station's) words */
} StationItemView;

typedef struct Station Station;

/* A new station with a copy of *cfg; -EINVAL for a configuration out of bounds, -ENOMEM. The
 * caller frees it with station_free(). */
int station_new(const StationConfig *cfg, Station **ret);
Station *station_free(Station *st);
DEFINE_TRIVIAL_CLEANUP_FUNC(Station *, station_free);

StationState station_state(const Station *st);
void station_view(const Station *st, StationView *ret);
/* The i-th item of what station_view() shows: 0, or -ENOENT past the end. Valid until the next call. */
int station_item_view(const Station *st, size_t i, StationItemView *ret);

/* qrgated verified a patron's code and mapped it to patron (1–LEND_ID_MAX printable ASCII, no
 * '|'). An open session of another patron, or returns mode, is finished first (ret->finished).
 * The same patron again only counts as activity. -EINVAL. */
int station_patron_verified(Station *st, const char *patron, int64_t now, StationAction *ret);
/* The ILS's answer for the pending patron: READY, or a refusal back to IDLE. -ESTALE when no
 * patron is pending or s->patron is another. */
int station_patron_status(Station *st, const StationPatronStatus *s, int64_t now, StationAction *ret);
/* The ILS cannot be reached. Pending patron: READY offline, or a refusal, by the policy. An
 * open session: later items follow the offline policy. Otherwise only remembered. */
int station_ils_offline(Station *st, int64_t now, StationAction *ret);
/* The ILS answers again: later items are sent, not queued. */
void station_ils_online(Station *st);

/* An item barcode (NUL-terminated, as scanned, its AIM identifier included): a checkout, or a
 * checkin in returns mode. */
int station_item_scanned(Station *st, const char *text, int64_t now, StationAction *ret);
/* The same, for a renewal in a patron session. */
int station_renew_scanned(Station *st, const char *text, int64_t now, StationAction *ret);
/* The outcome of a sent or queued item: ok with its due date (> 0; ignored for a checkin), or
 * refused with the ILS's words (may be NULL; cut at RECEIPT_WORDS_MAX at a UTF-8 boundary).
 * Also for an item of the session just finished. -ENOENT (not awaited), -EINVAL. */
int station_item_result(Station *st, const char *item, bool ok, int64_t due, const char *words, int64_t now);
/* A sent item whose answer the ILS did not give before it went away: it waits in the queue and
 * counts as queued (the screen, the offline limit). Call before its station_item_result().
 * -ENOENT when no such item awaits its result. */
int station_item_queued(Station *st, const char *item);

int station_returns_begin(Station *st, int64_t now, StationAction *ret);
/* The button (finish) and Cancel: FINISHED with ret->summary; -ENOENT when no session is open. */
int station_finish(Station *st, int64_t now, StationAction *ret);
int station_cancel(Station *st, int64_t now, StationAction *ret);
/* Ends a session idle for idle_timeout_s or more (ret->finished), and leaves FINISHED for IDLE
 * after as long. */
int station_tick(Station *st, int64_t now, StationAction *ret);
/* FINISHED → IDLE, once the receipt was made. */
void station_clear(Station *st);

/* The last finished session's receipt, for the caller to sign: the patron as the pseudonym
 * (1–RECEIPT_PATRON_MAX bytes) the caller derived, never the patron id. -ENODATA (no finished
 * session, or no items), -EBUSY (an item still awaits its result), -EINVAL. */
int station_receipt(const Station *st, const uint8_t *pseudonym, size_t pseudonym_len, Receipt *ret);

const char *station_state_to_string(StationState s);
const char *station_refusal_to_string(StationRefusal r);
StationRefusal station_refusal_from_string(const char *s);
const char *station_end_to_string(StationEnd e);

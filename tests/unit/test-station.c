/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lending station's session (lending/station.h, docs/sip2.md "The station's session"): a
 * whole session to its receipt, the non-deposit rule at its boundaries, each refusal with its
 * reason, the offline policy, the idle timeout to the second, returns, and a receipt that
 * never carries the patron id. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lending/station.h"

#define T0 INT64_C(1780000000)
#define ITEM_A "]E09780306406157"
#define ITEM_B "]E04006381333931"
#define ITEM_C "]E00036000291452"
#define ITEM_D "]E09791000000008"
#define CARD_ITEM "]F030234000517861"

static const uint8_t pseudonym[] = { 0x5a, 0x17, 0x42, 0x99, 0x01, 0x02, 0x03, 0x04 };

static StationConfig config(void) {
        return (StationConfig) {
                .station = "branch-1/station-2",
                .local_cap = 5,
                .offline_policy = STATION_OFFLINE_REFUSE,
                .offline_items = 2,
                .offline_recent_s = 3600,
                .offline_loan_s = 14 * 86400,
                .idle_timeout_s = 60,
                .formats = STATION_FORMAT(CODE_FORMAT_EAN13) | STATION_FORMAT(CODE_FORMAT_CODABAR),
        };
}

static Station *new_station(const StationConfig *cfg) {
        Station *st = NULL;

        assert_int_equal(station_new(cfg, &st), 0);
        return st;
}

/* A patron verified and confirmed by the ILS with charged items and limit. */
static void patron_ready(Station *st, const char *patron, unsigned charged, unsigned limit, int64_t now) {
        StationAction a;
        StationPatronStatus s = { .patron = patron, .valid = true, .charged = charged, .limit = limit,
                                  .fines = "0.00", .screen_name = "Ada" };

        assert_int_equal(station_patron_verified(st, patron, now, &a), 0);
        assert_int_equal(a.what, STATION_DO_ASK_PATRON);
        assert_string_equal(a.patron, patron);
        assert_int_equal(station_state(st), STATION_PATRON_PENDING);
        assert_int_equal(station_patron_status(st, &s, now, &a), 0);
        assert_int_equal(a.what, STATION_DO_NOTHING);
        assert_int_equal(station_state(st), STATION_READY);
}

static void scan_sends(Station *st, const char *text, const char *id, int64_t now) {
        StationAction a;

        assert_int_equal(station_item_scanned(st, text, now, &a), 0);
        assert_int_equal(a.what, STATION_DO_SEND);
        assert_int_equal(a.tx, RECEIPT_CHECKOUT);
        assert_string_equal(a.item, id);
}

static StationRefusal scan_refused(Station *st, const char *text, int64_t now, StationAction *a) {
        assert_int_equal(station_item_scanned(st, text, now, a), 0);
        assert_int_equal(a->what, STATION_DO_REFUSE);
        assert_true(a->detail[0] != '\0');
        return a->refusal;
}

static void whole_session_gives_receipt(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        StationView v;
        static Receipt r;

        st = new_station(&cfg);
        patron_ready(st, "P-0001", 1, 10, T0);
        station_view(st, &v);
        assert_string_equal(v.screen_name, "Ada");
        assert_string_equal(v.fines, "0.00");
        assert_int_equal(v.may_borrow, 4);

        scan_sends(st, ITEM_A, "9780306406157", T0 + 1);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 21 * 86400, NULL, T0 + 2), 0);
        scan_sends(st, ITEM_B, "4006381333931", T0 + 3);
        assert_int_equal(station_item_result(st, "4006381333931", false, 0, "On hold for another patron", T0 + 4), 0);
        scan_sends(st, CARD_ITEM, "30234000517861", T0 + 5);
        assert_int_equal(station_item_result(st, "30234000517861", true, T0 + 28 * 86400, NULL, T0 + 6), 0);

        assert_int_equal(station_finish(st, T0 + 7, &a), 0);
        assert_true(a.finished);
        assert_int_equal(a.summary.end, STATION_END_BUTTON);
        assert_int_equal(a.summary.n_items, 3);
        assert_int_equal(a.summary.n_ok, 2);
        assert_int_equal(a.summary.n_refused, 1);
        assert_int_equal(a.summary.n_pending, 0);
        assert_int_equal(station_state(st), STATION_FINISHED);

        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
        assert_int_equal(receipt_check(&r, NULL), 0);
        assert_string_equal(r.station, "branch-1/station-2");
        assert_int_equal(r.time, T0 + 7);
        assert_int_equal(r.patron_len, sizeof(pseudonym));
        assert_memory_equal(r.patron, pseudonym, sizeof(pseudonym));
        assert_int_equal(r.n_items, 3);
        assert_string_equal(r.items[0].id, "9780306406157");
        assert_int_equal(r.items[0].kind, RECEIPT_CHECKOUT);
        assert_int_equal(r.items[0].outcome, RECEIPT_OK);
        assert_int_equal(r.items[0].due, T0 + 21 * 86400);
        assert_int_equal(r.items[1].outcome, RECEIPT_REFUSED);
        assert_int_equal(r.items[1].due, 0);
        assert_string_equal(r.items[1].words, "On hold for another patron");
        assert_int_equal(r.items[2].due, T0 + 28 * 86400);

        station_clear(st);
        assert_int_equal(station_state(st), STATION_IDLE);
}

/* charged + this session < min(ILS limit, local cap): the last item allowed, the next refused. */
static void limit_boundary_is_min_of_ils_and_cap(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        /* ILS limit 10, cap 5: the cap. With 3 held, 3 + 1 = 5 - 1 still lends the second item;
         * at 3 + 2 = 5 the third is refused. */
        patron_ready(st, "P-0002", 3, 10, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        scan_sends(st, ITEM_B, "4006381333931", T0);
        assert_int_equal(scan_refused(st, ITEM_C, T0, &a), STATION_REFUSAL_LIMIT);
        assert_int_equal(a.charged, 3);
        assert_int_equal(a.in_session, 2);
        assert_int_equal(a.limit, 5);
        assert_string_equal(station_refusal_to_string(a.refusal), "limit-reached");
        /* An item the ILS refused no longer counts. */
        assert_int_equal(station_item_result(st, "4006381333931", false, 0, "not for loan", T0), 0);
        scan_sends(st, ITEM_C, "0036000291452", T0);
}

static void limit_zero_means_cap_only(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        /* No limit from the ILS: 4 held + 0 = 5 - 1 lends one, 4 + 1 = 5 refuses the next. */
        patron_ready(st, "P-0003", 4, 0, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        assert_int_equal(scan_refused(st, ITEM_B, T0, &a), STATION_REFUSAL_LIMIT);
        assert_int_equal(a.in_session, 1);
        assert_int_equal(a.limit, 5);
}

static void ils_limit_below_cap_wins(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        StationView v;

        st = new_station(&cfg);
        patron_ready(st, "P-0004", 0, 2, T0);
        station_view(st, &v);
        assert_int_equal(v.may_borrow, 2);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        scan_sends(st, ITEM_B, "4006381333931", T0);
        assert_int_equal(scan_refused(st, ITEM_C, T0, &a), STATION_REFUSAL_LIMIT);
        assert_int_equal(a.charged, 0);
        assert_int_equal(a.in_session, 2);
        assert_int_equal(a.limit, 2);
}

static void blocked_or_unknown_patron_is_refused(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        StationPatronStatus blocked = { .patron = "P-0005", .valid = true, .charge_denied = true };
        StationPatronStatus unknown = { .patron = "P-0006", .valid = false };

        st = new_station(&cfg);
        assert_int_equal(station_patron_verified(st, "P-0005", T0, &a), 0);
        assert_int_equal(station_patron_status(st, &blocked, T0, &a), 0);
        assert_int_equal(a.what, STATION_DO_REFUSE);
        assert_int_equal(a.refusal, STATION_REFUSAL_PATRON_BLOCKED);
        assert_int_equal(station_state(st), STATION_IDLE);
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_NO_PATRON);

        assert_int_equal(station_patron_verified(st, "P-0006", T0, &a), 0);
        assert_int_equal(station_patron_status(st, &unknown, T0, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_PATRON_INVALID);
        /* An answer for someone else, or when nobody is pending. */
        assert_int_equal(station_patron_status(st, &unknown, T0, &a), -ESTALE);
}

static void late_status_for_previous_patron_is_stale(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        StationPatronStatus old = { .patron = "P-A", .valid = true };

        st = new_station(&cfg);
        assert_int_equal(station_patron_verified(st, "P-A", T0, &a), 0);
        assert_int_equal(station_patron_verified(st, "P-B", T0 + 1, &a), 0);
        assert_int_equal(station_patron_status(st, &old, T0 + 2, &a), -ESTALE);
        assert_int_equal(station_state(st), STATION_PATRON_PENDING);
}

static void item_barcode_refusals(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_NO_PATRON);
        assert_int_equal(station_patron_verified(st, "P-0007", T0, &a), 0);
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_PATRON_PENDING);
        patron_ready(st, "P-0008", 0, 0, T0);

        assert_int_equal(scan_refused(st, "]E09780306406158", T0, &a), STATION_REFUSAL_BAD_BARCODE);
        assert_non_null(strstr(a.detail, "bad-check-digit"));
        assert_int_equal(scan_refused(st, "]X09780306406157", T0, &a), STATION_REFUSAL_FORMAT_NOT_USED);
        assert_int_equal(scan_refused(st, "QG1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEMWK4MI6UOS0", T0, &a),
                         STATION_REFUSAL_NOT_AN_ITEM);
        assert_non_null(strstr(a.detail, "qrgate code"));
        assert_int_equal(scan_refused(st, "9780306406157", T0, &a), STATION_REFUSAL_NOT_AN_ITEM);
        assert_int_equal(scan_refused(st, "]F030234000157861", T0, &a), STATION_REFUSAL_BAD_BARCODE);

        scan_sends(st, ITEM_A, "9780306406157", T0);
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_SAME_ITEM);
        /* Refused scans lend nothing: one item in the session. */
        assert_int_equal(station_finish(st, T0, &a), 0);
        assert_int_equal(a.summary.n_items, 1);
        assert_int_equal(a.summary.n_pending, 1);
        /* The receipt waits for the pending answer, which may come after the finish. */
        static Receipt r;
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), -EBUSY);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 86400, NULL, T0 + 1), 0);
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
}

static void offline_refuse_policy(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        patron_ready(st, "P-0009", 0, 0, T0); /* confirmed: still refused under REFUSE */
        assert_int_equal(station_finish(st, T0, &a), 0);
        assert_int_equal(station_patron_verified(st, "P-0009", T0 + 10, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 10, &a), 0);
        assert_int_equal(a.what, STATION_DO_REFUSE);
        assert_int_equal(a.refusal, STATION_REFUSAL_OFFLINE);
        assert_int_equal(station_state(st), STATION_IDLE);

        /* Offline in the middle of a session: the next item is refused. */
        patron_ready(st, "P-0009", 0, 0, T0 + 20);
        assert_int_equal(station_ils_offline(st, T0 + 21, &a), 0);
        assert_int_equal(scan_refused(st, ITEM_A, T0 + 21, &a), STATION_REFUSAL_OFFLINE);
        station_ils_online(st);
        scan_sends(st, ITEM_A, "9780306406157", T0 + 22);
}

static void offline_lend_up_to_recent_patron(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        StationView v;

        cfg.offline_policy = STATION_OFFLINE_LEND_UP_TO;
        st = new_station(&cfg);
        patron_ready(st, "P-0010", 1, 0, T0);
        assert_int_equal(station_finish(st, T0, &a), 0);

        /* Exactly offline_recent_s later still counts as recent. */
        assert_int_equal(station_patron_verified(st, "P-0010", T0 + 3600, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 3600, &a), 0);
        assert_int_equal(a.what, STATION_DO_NOTHING);
        assert_int_equal(station_state(st), STATION_READY);
        station_view(st, &v);
        assert_true(v.offline);
        assert_int_equal(v.charged, 1); /* as last confirmed */
        assert_int_equal(v.may_borrow, 2);

        assert_int_equal(station_item_scanned(st, ITEM_A, T0 + 3600, &a), 0);
        assert_int_equal(a.what, STATION_DO_QUEUE);
        assert_int_equal(a.tx, RECEIPT_CHECKOUT);
        assert_string_equal(a.patron, "P-0010");
        assert_int_equal(a.due, T0 + 3600 + 14 * 86400);
        assert_int_equal(station_item_result(st, a.item, true, a.due, NULL, T0 + 3600), 0);
        assert_int_equal(station_item_scanned(st, ITEM_B, T0 + 3600, &a), 0);
        assert_int_equal(a.what, STATION_DO_QUEUE);
        assert_int_equal(scan_refused(st, ITEM_C, T0 + 3600, &a), STATION_REFUSAL_OFFLINE_LIMIT);
        assert_int_equal(a.in_session, 2);
        assert_int_equal(a.limit, 2);
        /* Renewals need the ILS. */
        assert_int_equal(station_renew_scanned(st, ITEM_D, T0 + 3600, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_OFFLINE);
}

static void offline_lend_up_to_refuses_stale_or_unknown_patron(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        cfg.offline_policy = STATION_OFFLINE_LEND_UP_TO;
        st = new_station(&cfg);
        patron_ready(st, "P-0011", 0, 0, T0);
        assert_int_equal(station_finish(st, T0, &a), 0);

        /* One second past the window. */
        assert_int_equal(station_patron_verified(st, "P-0011", T0 + 3601, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 3601, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_OFFLINE_NOT_RECENT);
        assert_int_equal(station_state(st), STATION_IDLE);

        /* Never confirmed. */
        assert_int_equal(station_patron_verified(st, "P-NEVER", T0 + 5, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 5, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_OFFLINE_NOT_RECENT);
}

static void recent_table_evicts_oldest(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        char id[16];

        cfg.offline_policy = STATION_OFFLINE_LEND_UP_TO;
        st = new_station(&cfg);
        for (int i = 0; i <= STATION_RECENT_MAX; i++) {
                (void) snprintf(id, sizeof(id), "P-%d", i);
                patron_ready(st, id, 0, 0, T0 + i);
        }
        assert_int_equal(station_finish(st, T0 + 300, &a), 0);
        /* P-0, the oldest, was evicted by the 257th; P-1 is still there. */
        assert_int_equal(station_patron_verified(st, "P-0", T0 + 300, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 300, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_OFFLINE_NOT_RECENT);
        assert_int_equal(station_patron_verified(st, "P-1", T0 + 300, &a), 0);
        assert_int_equal(station_ils_offline(st, T0 + 300, &a), 0);
        assert_int_equal(a.what, STATION_DO_NOTHING);
        assert_int_equal(station_state(st), STATION_READY);
}

/* A session lives while now - last activity < idle_timeout_s. */
static void idle_timeout_at_exact_second(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        patron_ready(st, "P-0012", 0, 0, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0 + 10);
        assert_int_equal(station_tick(st, T0 + 69, &a), 0);
        assert_false(a.finished);
        assert_int_equal(station_state(st), STATION_READY);
        assert_int_equal(station_tick(st, T0 + 70, &a), 0);
        assert_true(a.finished);
        assert_int_equal(a.summary.end, STATION_END_TIMEOUT);
        assert_int_equal(station_state(st), STATION_FINISHED);
        /* FINISHED gives way to IDLE after as long. */
        assert_int_equal(station_tick(st, T0 + 129, &a), 0);
        assert_int_equal(station_state(st), STATION_FINISHED);
        assert_int_equal(station_tick(st, T0 + 130, &a), 0);
        assert_false(a.finished);
        assert_int_equal(station_state(st), STATION_IDLE);
}

static void next_patron_finishes_previous_session(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        static Receipt r;

        st = new_station(&cfg);
        patron_ready(st, "P-0013", 0, 0, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0 + 1);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 86400, NULL, T0 + 2), 0);

        /* The same patron again keeps the session. */
        assert_int_equal(station_patron_verified(st, "P-0013", T0 + 3, &a), 0);
        assert_false(a.finished);
        assert_int_equal(station_state(st), STATION_READY);

        assert_int_equal(station_patron_verified(st, "P-0014", T0 + 4, &a), 0);
        assert_true(a.finished);
        assert_int_equal(a.summary.end, STATION_END_NEXT);
        assert_int_equal(a.summary.n_ok, 1);
        assert_int_equal(a.what, STATION_DO_ASK_PATRON);
        assert_string_equal(a.patron, "P-0014");
        assert_int_equal(station_state(st), STATION_PATRON_PENDING);
        /* The previous session's receipt can still be made. */
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
        assert_int_equal(r.n_items, 1);
        assert_int_equal(r.time, T0 + 4);
}

static void returns_mode_checks_in_without_patron(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        static Receipt r;

        st = new_station(&cfg);
        assert_int_equal(station_returns_begin(st, T0, &a), 0);
        assert_int_equal(station_state(st), STATION_RETURNS);
        assert_int_equal(station_item_scanned(st, ITEM_A, T0, &a), 0);
        assert_int_equal(a.what, STATION_DO_SEND);
        assert_int_equal(a.tx, RECEIPT_CHECKIN);
        assert_string_equal(a.patron, "");
        assert_int_equal(station_item_result(st, a.item, true, 0, NULL, T0), 0);
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_SAME_ITEM);
        assert_int_equal(station_renew_scanned(st, ITEM_B, T0, &a), 0);
        assert_int_equal(a.refusal, STATION_REFUSAL_NO_PATRON);
        assert_int_equal(station_finish(st, T0 + 1, &a), 0);
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
        assert_int_equal(r.items[0].kind, RECEIPT_CHECKIN);
        assert_int_equal(r.items[0].due, 0);
        assert_int_equal(receipt_check(&r, NULL), 0);
}

static void renewal_in_patron_session(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;

        st = new_station(&cfg);
        patron_ready(st, "P-0015", 5, 0, T0); /* at the cap: no loan, but a renewal */
        assert_int_equal(scan_refused(st, ITEM_A, T0, &a), STATION_REFUSAL_LIMIT);
        assert_int_equal(station_renew_scanned(st, ITEM_A, T0, &a), 0);
        assert_int_equal(a.what, STATION_DO_SEND);
        assert_int_equal(a.tx, RECEIPT_RENEW);
        assert_int_equal(station_item_result(st, a.item, true, T0 + 86400, NULL, T0), 0);
}

static void refused_result_keeps_ils_words(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        static Receipt r;

        st = new_station(&cfg);
        patron_ready(st, "P-0016", 0, 0, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        assert_int_equal(station_item_result(st, "9780306406157", false, 0, "Item is\rnot for loan", T0), 0);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 1, NULL, T0), -ENOENT);
        assert_int_equal(station_item_result(st, "0000000000000", true, T0 + 1, NULL, T0), -ENOENT);
        assert_int_equal(station_finish(st, T0, &a), 0);
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
        assert_int_equal(r.items[0].outcome, RECEIPT_REFUSED);
        assert_string_equal(r.items[0].words, "Item is not for loan");
}

static void receipt_carries_no_patron_id(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        static Receipt r;
        const char *patron = "PATRON-SECRET-77";

        st = new_station(&cfg);
        patron_ready(st, patron, 0, 0, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 86400, NULL, T0), 0);
        assert_int_equal(station_finish(st, T0, &a), 0);
        assert_int_equal(station_receipt(st, pseudonym, 0, &r), -EINVAL);
        assert_int_equal(station_receipt(st, pseudonym, RECEIPT_PATRON_MAX + 1, &r), -EINVAL);
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), 0);
        assert_null(memmem(&r, sizeof(r), patron, strlen(patron)));
}

static void empty_session_has_no_receipt(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        static Receipt r;

        st = new_station(&cfg);
        assert_int_equal(station_finish(st, T0, &a), -ENOENT);
        assert_int_equal(station_patron_verified(st, "P-0017", T0, &a), 0);
        assert_int_equal(station_cancel(st, T0 + 1, &a), 0);
        assert_int_equal(a.summary.end, STATION_END_CANCEL);
        assert_int_equal(a.summary.n_items, 0);
        assert_int_equal(station_receipt(st, pseudonym, sizeof(pseudonym), &r), -ENODATA);
}

static void bad_arguments_are_refused(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationAction a;
        char long_id[LEND_ID_MAX + 2];

        memset(long_id, 'x', sizeof(long_id) - 1);
        long_id[sizeof(long_id) - 1] = '\0';
        st = new_station(&cfg);
        assert_int_equal(station_patron_verified(st, "", T0, &a), -EINVAL);
        assert_int_equal(station_patron_verified(st, "a|b", T0, &a), -EINVAL);
        assert_int_equal(station_patron_verified(st, long_id, T0, &a), -EINVAL);
        long_id[LEND_ID_MAX] = '\0';
        assert_int_equal(station_patron_verified(st, long_id, T0, &a), 0);

        cfg.local_cap = 0;
        assert_int_equal(station_new(&cfg, &(Station *) { NULL }), -EINVAL);
        cfg = config();
        cfg.formats = STATION_FORMAT(CODE_FORMAT_QG1);
        assert_int_equal(station_new(&cfg, &(Station *) { NULL }), -EINVAL);
}

static void refusal_strings_are_stable(void **state) {
        assert_string_equal(station_refusal_to_string(STATION_REFUSAL_OFFLINE_NOT_RECENT), "offline-not-recent");
        assert_int_equal(station_refusal_from_string("same-item"), STATION_REFUSAL_SAME_ITEM);
        for (int r = 0; r < _STATION_REFUSAL_MAX; r++)
                assert_non_null(station_refusal_to_string(r));
        assert_string_equal(station_state_to_string(STATION_RETURNS), "returns");
        assert_string_equal(station_end_to_string(STATION_END_TIMEOUT), "timeout");
}

/* What the kiosk lists: each item with its outcome as it changes, the finished session's after
 * the end, and nothing past the last. */
static void items_are_listed_for_the_screen(void **state) {
        _cleanup_(station_freep) Station *st = NULL;
        StationConfig cfg = config();
        StationItemView v;
        StationAction a;

        st = new_station(&cfg);
        assert_int_equal(station_item_view(st, 0, &v), -ENOENT);
        patron_ready(st, "P1", 0, 5, T0);
        scan_sends(st, ITEM_A, "9780306406157", T0);
        assert_int_equal(station_item_view(st, 0, &v), 0);
        assert_string_equal(v.outcome, "pending");
        assert_int_equal(v.due, 0);
        assert_int_equal(station_item_result(st, "9780306406157", true, T0 + 86400, NULL, T0), 0);
        scan_sends(st, ITEM_B, "4006381333931", T0);
        assert_int_equal(station_item_result(st, "4006381333931", false, 0, "Item on hold", T0), 0);
        assert_int_equal(station_item_view(st, 0, &v), 0);
        assert_int_equal(v.kind, RECEIPT_CHECKOUT);
        assert_string_equal(v.id, "9780306406157");
        assert_string_equal(v.outcome, "ok");
        assert_int_equal(v.due, T0 + 86400);
        assert_int_equal(station_item_view(st, 1, &v), 0);
        assert_string_equal(v.outcome, "refused");
        assert_string_equal(v.words, "Item on hold");
        assert_int_equal(v.due, 0);
        assert_int_equal(station_item_view(st, 2, &v), -ENOENT);
        /* Sent, and the ILS went away before answering: it waits in the queue. */
        scan_sends(st, ITEM_C, "0036000291452", T0);
        assert_int_equal(station_item_queued(st, "0036000291452"), 0);
        assert_int_equal(station_item_queued(st, "4006381333931"), -ENOENT); /* answered already */
        assert_int_equal(station_item_result(st, "0036000291452", true, T0 + 86400, NULL, T0), 0);
        assert_int_equal(station_item_view(st, 2, &v), 0);
        assert_string_equal(v.outcome, "queued");
        assert_int_equal(station_finish(st, T0 + 5, &a), 0);
        assert_int_equal(station_item_view(st, 1, &v), 0); /* the summary stays on the screen */
        assert_string_equal(v.outcome, "refused");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(whole_session_gives_receipt),
                cmocka_unit_test(limit_boundary_is_min_of_ils_and_cap),
                cmocka_unit_test(limit_zero_means_cap_only),
                cmocka_unit_test(ils_limit_below_cap_wins),
                cmocka_unit_test(blocked_or_unknown_patron_is_refused),
                cmocka_unit_test(late_status_for_previous_patron_is_stale),
                cmocka_unit_test(item_barcode_refusals),
                cmocka_unit_test(offline_refuse_policy),
                cmocka_unit_test(offline_lend_up_to_recent_patron),
                cmocka_unit_test(offline_lend_up_to_refuses_stale_or_unknown_patron),
                cmocka_unit_test(recent_table_evicts_oldest),
                cmocka_unit_test(idle_timeout_at_exact_second),
                cmocka_unit_test(next_patron_finishes_previous_session),
                cmocka_unit_test(returns_mode_checks_in_without_patron),
                cmocka_unit_test(renewal_in_patron_session),
                cmocka_unit_test(refused_result_keeps_ils_words),
                cmocka_unit_test(receipt_carries_no_patron_id),
                cmocka_unit_test(empty_session_has_no_receipt),
                cmocka_unit_test(bad_arguments_are_refused),
                cmocka_unit_test(refusal_strings_are_stable),
                cmocka_unit_test(items_are_listed_for_the_screen),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

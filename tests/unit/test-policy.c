/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy table's rules one by one: the door, the verifier's verdict, formats, scopes,
 * status colours, a door out of service, room in the replay cache. (The audit rule, and the whole sequence around the
 * table, are tests/unit/test-decide.c's.) */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/policy.h"

static DoorConf door(void) {
        return (DoorConf) {
                .id = "main",
                .scopes = { "building.A.enter", "library.lend" },
                .n_scopes = 2,
                .status_mask = 1u << CODE_STATUS_GREEN,
        };
}

static VerifyResult code(const char *scope, int status) {
        VerifyResult r = { .reason = REASON_OK, .format = CODE_FORMAT_QG1, .have_claims = true };
        r.claims.n_scopes = 1;
        strcpy(r.claims.scopes[0], scope);
        r.claims.status = status;
        return r;
}

static Reason decide(const DoorConf *d, const VerifyResult *r) {
        char detail[192] = "";
        PolicyInput in = { .door_id = d->id, .door = d, .code = r, .now = 0 };
        Reason reason = policy_decide(&in, detail, sizeof(detail));
        assert_true(reason == REASON_OK || detail[0] != '\0');
        return reason;
}

static void a_matching_scope_and_green_open_the_door(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_OK);
}

static void any_one_of_several_scopes_is_enough(void **state) {
        DoorConf d = door();
        VerifyResult r = code("pool.enter", CODE_STATUS_GREEN);
        r.claims.n_scopes = 2;
        strcpy(r.claims.scopes[1], "building.A.enter");
        assert_int_equal(decide(&d, &r), REASON_OK);
}

static void a_code_for_another_building_is_scope(void **state) {
        DoorConf d = door();
        VerifyResult r = code("building.B.enter", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
        /* A prefix is not a match. */
        r = code("building.A", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
        r = code("x", CODE_STATUS_GREEN);
        r.claims.n_scopes = 0;
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
}

static void status_colours_follow_the_door(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_YELLOW);
        assert_int_equal(decide(&d, &r), REASON_STATUS);
        d.status_mask |= 1u << CODE_STATUS_YELLOW;
        assert_int_equal(decide(&d, &r), REASON_OK);
        r = code("library.lend", CODE_STATUS_RED);
        assert_int_equal(decide(&d, &r), REASON_STATUS);
}

static void an_unknown_door_refuses_before_anything_else(void **state) {
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        char detail[192] = "";
        PolicyInput in = { .door_id = "side", .door = NULL, .code = &r };

        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_UNKNOWN_DOOR);
        assert_string_equal(detail, "no door 'side'");
        /* Even a code that did not verify: the door is the first question. */
        r.reason = REASON_BAD_SIGNATURE;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_UNKNOWN_DOOR);
}

static void the_verifiers_reason_and_detail_are_the_decisions(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        char detail[192] = "";

        r.reason = REASON_EXPIRED;
        strcpy(r.detail, "expired 31 s ago");
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r };
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_EXPIRED);
        assert_string_equal(detail, "expired 31 s ago");
}

static void a_full_replay_cache_refuses_codes_it_would_have_to_remember(void **state) {
        static const uint8_t cti[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        char detail[192] = "";
        ReplayCache *rc;

        assert_int_equal(replay_cache_new(16, &rc), 0);
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r, .now = 1000, .replay = rc };
        for (int i = 0; i < 16; i++) {
                assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
                uint8_t c[8];
                memcpy(c, cti, 8);
                c[0] = (uint8_t) i;
                assert_int_equal(replay_cache_add(rc, "city", c, 8, 2000, 1000), 0);
        }
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_REPLAY_CACHE_FULL);
        /* An EU DCC is not remembered (no cti): it needs no room. */
        r.have_claims = false;
        r.format = CODE_FORMAT_HC1;
        d.dcc_types = ~0u;
        assert_int_not_equal(policy_decide(&in, detail, sizeof(detail)), REASON_REPLAY_CACHE_FULL);
        /* Once the entries are no longer live, there is room again. */
        r = code("library.lend", CODE_STATUS_GREEN);
        in.now = 2001;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        replay_cache_free(rc);
}

static void other_formats_need_a_door_rule_of_their_own(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        r.format = CODE_FORMAT_UNKNOWN;
        assert_int_not_equal(decide(&d, &r), REASON_OK);
}

/* Anyone can print a valid barcode: a door honours one only of a format its 'barcodes' list
 * names, and refuses every other with a reason of its own. Scopes and status colours are QG1's
 * and do not apply. */
static void a_barcode_opens_only_a_door_that_lists_its_format(void **state) {
        DoorConf d = door();
        VerifyResult r = { .reason = REASON_OK, .format = CODE_FORMAT_CODABAR };
        char detail[192] = "";
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r };

        strcpy(r.barcode.id, "30234000517861");
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_FORMAT);
        assert_string_equal(detail, "door main does not honour Codabar barcodes (its configuration's 'barcodes' list)");
        assert_string_equal(reason_to_string(REASON_FORMAT), "format");
        d.barcodes = 1u << CODE_FORMAT_EAN13;
        assert_int_equal(decide(&d, &r), REASON_FORMAT);
        d.barcodes |= 1u << CODE_FORMAT_CODABAR;
        assert_int_equal(decide(&d, &r), REASON_OK);
        r.format = CODE_FORMAT_EAN13;
        assert_int_equal(decide(&d, &r), REASON_OK);
        r.format = CODE_FORMAT_ISBN;
        assert_int_equal(decide(&d, &r), REASON_FORMAT);
        d.barcodes |= 1u << CODE_FORMAT_ISBN;
        assert_int_equal(decide(&d, &r), REASON_OK);
        /* A wrong check digit is the verifier's reason, at any door. */
        r.reason = REASON_BAD_CHECK_DIGIT;
        strcpy(r.detail, "check digit 2, but the digits before it give 1");
        assert_int_equal(decide(&d, &r), REASON_BAD_CHECK_DIGIT);
        /* Listing barcodes does not open the door to an EU DCC. */
        r = (VerifyResult) { .reason = REASON_OK, .format = CODE_FORMAT_HC1 };
        assert_int_equal(decide(&d, &r), REASON_CERTIFICATE_TYPE);
}

/* A door whose lock could not be opened at start: a code that would open it is refused with a
 * reason of its own, which names the door and the lock, before the replay-cache rule (so that
 * decide() never consumes it: only a code every rule let through is used up). */
/* An interlock group: a valid code is refused while another door of the group is unlocked or
 * open, with the door named, and passes once it is not. */
static void a_busy_interlock_partner_refuses_a_valid_code(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        char detail[192] = "";

        d.interlock = "airlock";
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r, .now = 1000, .interlock_busy = "inner" };
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_INTERLOCK);
        assert_string_equal(detail, "door inner of interlock group airlock is unlocked or open");
        assert_string_equal(reason_to_string(REASON_INTERLOCK), "interlock");
        /* A code the door refuses anyway says why it is refused, not the interlock. */
        VerifyResult other = code("pool.enter", CODE_STATUS_GREEN);
        in.code = &other;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_SCOPE);
        in.code = &r;
        in.interlock_busy = NULL;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
}

static void a_door_out_of_service_refuses_a_valid_code_with_its_reason(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        char detail[192] = "";
        ReplayCache *rc;

        d.lock = "relay";
        assert_int_equal(replay_cache_new(16, &rc), 0);
        PolicyInput in = { .door_id = "main", .door = &d, .door_out_of_service = true, .code = &r, .now = 1000,
                           .replay = rc };
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_DOOR_OUT_OF_SERVICE);
        assert_string_equal(detail, "door main is out of service: its lock relay could not be opened");
        assert_string_equal(reason_to_string(REASON_DOOR_OUT_OF_SERVICE), "door-out-of-service");

        /* Even with no room left to remember a code: the door is the reason, not the appliance. */
        for (uint8_t i = 0; i < 16; i++)
                assert_int_equal(replay_cache_add(rc, "city", &i, 1, 2000, 1000), 0);
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_DOOR_OUT_OF_SERVICE);

        /* What is wrong with the code itself is said first: it is wrong at any door. */
        r.reason = REASON_REPLAYED;
        strcpy(r.detail, "used 3 s ago");
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_REPLAYED);
        r = code("pool.enter", CODE_STATUS_GREEN);
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_SCOPE);

        /* The same door in service lets the code through (to the full cache's rule). */
        r = code("library.lend", CODE_STATUS_GREEN);
        in.door_out_of_service = false;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_REPLAY_CACHE_FULL);
        in.now = 2001;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        replay_cache_free(rc);
}

/* Opening hours are judged at the verifier's now (PolicyInput.now), in the local zone (UTC here):
 * the last second of a window lets the code through, the first after it refuses it. */
static void a_door_outside_its_schedule_refuses_at_the_verifiers_now(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        Schedule office = { .id = "office" };
        const char *why;
        char detail[192] = "";

        setenv("TZ", "UTC", 1);
        tzset();
        assert_int_equal(schedule_window_from_string("mon-fri 07:00-19:00", &office.windows[0], &why), 0);
        office.n_windows = 1;
        d.schedule = &office;
        /* Thursday 2026-12-03. */
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r, .now = 1796324399 /* 18:59:59 */ };
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        in.now++;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OUTSIDE_SCHEDULE);
        assert_string_equal(detail, "door main is closed now by schedule office");
        assert_string_equal(reason_to_string(REASON_OUTSIDE_SCHEDULE), "outside-schedule");
        /* What is wrong with the code is said first. */
        r.reason = REASON_EXPIRED;
        strcpy(r.detail, "expired");
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_EXPIRED);
        /* A door without a schedule is always open. */
        r.reason = REASON_OK;
        d.schedule = NULL;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
}

/* clock.untrusted at its edges: refuse refuses every verified time-bound code; narrow lets a
 * QG1 code through when its iat is within narrow_window of now (either side, the edge included)
 * and refuses it one second beyond, and refuses an EU DCC; a printed barcode, which carries no
 * time, passes either; accept and a synchronized clock let everything through. A code's own
 * fault is said first. */
static void an_unsynchronized_clock_follows_clock_untrusted(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        ClockConf clock = { .untrusted = CLOCK_UNTRUSTED_REFUSE, .narrow_window = 10 };
        char detail[192] = "";
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r, .now = 100000, .clock = &clock,
                           .clock_unsynchronized = true };

        r.claims.iat = in.now;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_CLOCK_UNTRUSTED);
        assert_string_equal(detail, "the system clock is not synchronized, and clock.untrusted is \"refuse\"");
        assert_string_equal(reason_to_string(REASON_CLOCK_UNTRUSTED), "clock-untrusted");

        clock.untrusted = CLOCK_UNTRUSTED_NARROW;
        for (int64_t off = -10; off <= 10; off += 10) {
                r.claims.iat = in.now + off;
                assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        }
        r.claims.iat = in.now - 11;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_CLOCK_UNTRUSTED);
        assert_string_equal(detail, "the system clock is not synchronized, and the code was issued -11 s from it, "
                                    "beyond clock.narrow_window (10 s)");
        r.claims.iat = in.now + 11;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_CLOCK_UNTRUSTED);
        VerifyResult dcc = { .reason = REASON_OK, .format = CODE_FORMAT_HC1 };
        dcc.hc1.have_claims = true;
        dcc.hc1.claims.type = DCC_TYPE_VACCINATION;
        d.dcc_types = ~0u;
        in.code = &dcc;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_CLOCK_UNTRUSTED);
        in.code = &r;

        r.reason = REASON_EXPIRED;
        strcpy(r.detail, "expired");
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_EXPIRED);
        r.reason = REASON_OK;

        /* A printed barcode carries no time: refuse and narrow let it through. */
        VerifyResult card = { .reason = REASON_OK, .format = CODE_FORMAT_CODABAR };
        strcpy(card.barcode.id, "30234000517861");
        d.barcodes = 1u << CODE_FORMAT_CODABAR;
        in.code = &card;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        clock.untrusted = CLOCK_UNTRUSTED_REFUSE;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        in.code = &r;

        clock.untrusted = CLOCK_UNTRUSTED_ACCEPT;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        clock.untrusted = CLOCK_UNTRUSTED_REFUSE;
        in.clock_unsynchronized = false;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
}

/* policy.subject_rate, 5 a minute: the rule asks and takes nothing (the opening takes, in
 * decide()); with 4 taken the fifth passes, with 5 the sixth is refused with its detail, until
 * 12 s later to the microsecond. Another subject, and a code without one, are not limited; the
 * code's own fault is said first. */
static void a_subject_over_its_rate_is_refused_until_its_bucket_refills(void **state) {
        _cleanup_(rate_table_freep) RateTable *t = NULL;
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        uint8_t one[RATE_KEY_SIZE] = { 1 }, two[RATE_KEY_SIZE] = { 2 };
        const uint64_t t0 = 3600ULL * 1000000u;
        char detail[192] = "";
        PolicyInput in = { .door_id = "main", .door = &d, .code = &r, .now = 100000, .subject = one,
                           .monotonic_usec = t0 };

        assert_int_equal(rate_table_new(64, 5, 60 * 1000000ULL, &t), 0);
        in.subject_rate = t;
        for (int i = 0; i < 4; i++) {
                assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
                rate_table_spend(t, one, t0);
        }
        /* max - 1 taken: the rule alone spends nothing, however often it is asked. */
        for (int i = 0; i < 10; i++)
                assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        rate_table_spend(t, one, t0);
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_RATE_LIMITED);
        assert_string_equal(detail, "this code's subject was let in 5 times within 60 s (policy.subject_rate); the "
                                    "next opening in 12 s");
        assert_string_equal(reason_to_string(REASON_RATE_LIMITED), "rate-limited");
        in.monotonic_usec = t0 + 12 * 1000000u - 1;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_RATE_LIMITED);
        assert_non_null(strstr(detail, "the next opening in 1 s"));
        in.monotonic_usec = t0 + 12 * 1000000u;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);

        in.monotonic_usec = t0;
        in.subject = two;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        in.subject = NULL;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
        in.subject = one;
        r.reason = REASON_REPLAYED;
        strcpy(r.detail, "replayed");
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_REPLAYED);
        r.reason = REASON_OK;
        in.subject_rate = NULL;
        assert_int_equal(policy_decide(&in, detail, sizeof(detail)), REASON_OK);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_matching_scope_and_green_open_the_door),
                cmocka_unit_test(any_one_of_several_scopes_is_enough),
                cmocka_unit_test(a_code_for_another_building_is_scope),
                cmocka_unit_test(status_colours_follow_the_door),
                cmocka_unit_test(other_formats_need_a_door_rule_of_their_own),
                cmocka_unit_test(a_barcode_opens_only_a_door_that_lists_its_format),
                cmocka_unit_test(an_unknown_door_refuses_before_anything_else),
                cmocka_unit_test(the_verifiers_reason_and_detail_are_the_decisions),
                cmocka_unit_test(a_full_replay_cache_refuses_codes_it_would_have_to_remember),
                cmocka_unit_test(a_door_out_of_service_refuses_a_valid_code_with_its_reason),
                cmocka_unit_test(a_busy_interlock_partner_refuses_a_valid_code),
                cmocka_unit_test(a_door_outside_its_schedule_refuses_at_the_verifiers_now),
                cmocka_unit_test(an_unsynchronized_clock_follows_clock_untrusted),
                cmocka_unit_test(a_subject_over_its_rate_is_refused_until_its_bucket_refills),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An area's state (core/area.h) at its edges: the count never below 0; a presence live until the
 * last second before its timeout and gone at it; many presences in and out of the hash table
 * with none lost; the state file replayed after a "restart" (with and without the subject key
 * that wrote it), torn, truncated or foreign; the daily reset at the first instant at or after
 * its wall time across both daylight-saving changes of 2026 in Europe/Berlin. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/area.h"

static time_t utc(int y, int mo, int d, int h, int mi, int s) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
        return timegm(&tm);
}

static void key_of(uint32_t n, uint8_t key[AREA_KEY_SIZE]) {
        /* Spread like an HMAC output would be, but reproducible. */
        uint64_t x = n * 0x9E3779B97F4A7C15ull + 1;
        for (int i = 0; i < AREA_KEY_SIZE; i++) {
                x ^= x >> 31;
                x *= 0xBF58476D1CE4E5B9ull;
                key[i] = (uint8_t) (x >> 56);
        }
}

static void count_never_goes_below_zero(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL;

        assert_int_equal(area_state_new(&a), 0);
        assert_int_equal(area_occupancy(a), 0);
        assert_int_equal(area_count_out(a), 0);
        assert_int_equal(area_count_in(a), 1);
        assert_int_equal(area_count_in(a), 2);
        assert_int_equal(area_count_out(a), 1);
        assert_int_equal(area_count_out(a), 0);
        assert_int_equal(area_count_out(a), 0);
        area_set_occupancy(a, 7);
        assert_int_equal(area_occupancy(a), 7);
}

static void presence_is_live_until_its_timeout_to_the_second(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL;
        uint8_t k[AREA_KEY_SIZE], other[AREA_KEY_SIZE];
        int64_t t0 = 1780000000, timeout = 3600;

        key_of(1, k);
        key_of(2, other);
        assert_int_equal(area_state_new(&a), 0);
        assert_false(area_presence_live(a, k, t0, timeout));
        assert_int_equal(area_presence_add(a, k, t0, timeout), 0);
        assert_true(area_presence_live(a, k, t0, timeout));
        assert_true(area_presence_live(a, k, t0 + timeout - 1, timeout));
        assert_false(area_presence_live(a, k, t0 + timeout, timeout));
        assert_false(area_presence_live(a, other, t0, timeout));
        /* Sweeping at the last live second keeps it; at the timeout forgets it. */
        assert_int_equal(area_presence_expire(a, t0 + timeout - 1, timeout), 0);
        assert_int_equal(area_presence_count(a), 1);
        assert_int_equal(area_presence_expire(a, t0 + timeout, timeout), 1);
        assert_int_equal(area_presence_count(a), 0);
        /* An exit forgets; an exit of someone not present forgets nothing. */
        assert_int_equal(area_presence_add(a, k, t0, timeout), 0);
        assert_false(area_presence_remove(a, other));
        assert_true(area_presence_remove(a, k));
        assert_false(area_presence_live(a, k, t0, timeout));
}

/* 100,000 in, every other one out, the rest expired: each lookup right at every step, through
 * the table's growth and backward-shift deletions. */
static void many_presences_in_and_out_lose_none(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL;
        uint8_t k[AREA_KEY_SIZE];
        const uint32_t n = 100000;
        int64_t t0 = 1780000000, timeout = 1000000;

        assert_int_equal(area_state_new(&a), 0);
        for (uint32_t i = 0; i < n; i++) {
                key_of(i, k);
                assert_int_equal(area_presence_add(a, k, t0 + (i & 1), timeout), 0);
        }
        assert_int_equal(area_presence_count(a), n);
        for (uint32_t i = 0; i < n; i += 2) {
                key_of(i, k);
                assert_true(area_presence_remove(a, k));
        }
        for (uint32_t i = 0; i < n; i++) {
                key_of(i, k);
                if (area_presence_live(a, k, t0 + 1, timeout) != (i & 1))
                        fail_msg("presence %u is %s", i, (i & 1) ? "lost" : "still there");
        }
        /* The odd ones entered at t0 + 1: all expire together. */
        assert_int_equal(area_presence_expire(a, t0 + 1 + timeout, timeout), n / 2);
        assert_int_equal(area_presence_count(a), 0);
}

typedef struct Buf {
        uint8_t data[AREA_FILE_HEADER_SIZE + 64 * AREA_RECORD_SIZE];
        size_t size;
} Buf;

static void buf_header(Buf *b, const uint8_t *key_id) {
        area_file_header(key_id, b->data);
        b->size = AREA_FILE_HEADER_SIZE;
}

static void buf_record(Buf *b, AreaRecordType t, uint32_t v, const uint8_t *key) {
        area_record_encode(t, v, key, b->data + b->size);
        b->size += AREA_RECORD_SIZE;
}

/* A restart in the middle: the file written while people came and went gives the same state. */
static void state_file_replays_after_a_restart(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL, *b = NULL;
        uint8_t id[AREA_KEY_SIZE], other_id[AREA_KEY_SIZE], k1[AREA_KEY_SIZE], k2[AREA_KEY_SIZE], k3[AREA_KEY_SIZE];
        int64_t t0 = 1780000000, timeout = 600;
        AreaFileInfo info;
        Buf f;

        memset(id, 0xa5, sizeof(id));
        memset(other_id, 0x5a, sizeof(other_id));
        key_of(1, k1);
        key_of(2, k2);
        key_of(3, k3);
        buf_header(&f, id);
        buf_record(&f, AREA_RECORD_ENTER, (uint32_t) t0, k1);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 1, NULL);
        buf_record(&f, AREA_RECORD_ENTER, (uint32_t) t0 + 10, k2);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 2, NULL);
        buf_record(&f, AREA_RECORD_EXIT, 0, k1);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 1, NULL);
        /* Entered long ago: expired by the time of the restart. */
        buf_record(&f, AREA_RECORD_ENTER, (uint32_t) (t0 - timeout), k3);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 2, NULL);

        assert_int_equal(area_state_new(&a), 0);
        assert_int_equal(area_file_load(a, f.data, f.size, id, t0 + 20, timeout, &info), 0);
        assert_true(info.has_key);
        assert_false(info.torn);
        assert_int_equal(info.records, 8);
        assert_int_equal(area_occupancy(a), 2);
        assert_false(area_presence_live(a, k1, t0 + 20, timeout));
        assert_true(area_presence_live(a, k2, t0 + 20, timeout));
        assert_false(area_presence_live(a, k3, t0 + 20, timeout));
        assert_int_equal(area_presence_count(a), 1);

        /* Under another key (another token): the count is kept, no presence is. */
        assert_int_equal(area_state_new(&b), 0);
        assert_int_equal(area_file_load(b, f.data, f.size, other_id, t0 + 20, timeout, &info), 0);
        assert_int_equal(area_occupancy(b), 2);
        assert_int_equal(area_presence_count(b), 0);
        /* Nor without one (before the token answered). */
        b = area_state_free(b);
        assert_int_equal(area_state_new(&b), 0);
        assert_int_equal(area_file_load(b, f.data, f.size, NULL, t0 + 20, timeout, &info), 0);
        assert_int_equal(area_occupancy(b), 2);
        assert_int_equal(area_presence_count(b), 0);
}

/* A crash in the middle of an append leaves part of a record: dropped, the rest is used. */
static void a_torn_last_record_is_dropped(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL;
        AreaFileInfo info;
        Buf f;

        buf_header(&f, NULL);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 5, NULL);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 6, NULL);
        f.size -= 3;
        assert_int_equal(area_state_new(&a), 0);
        assert_int_equal(area_file_load(a, f.data, f.size, NULL, 0, 60, &info), 0);
        assert_true(info.torn);
        assert_int_equal(info.records, 1);
        assert_int_equal(area_occupancy(a), 5);
}

/* Truncated before the end of the header, another file's magic, an unknown record, a presence in
 * a file without a key, nonzero reserved bytes: not an area file, and the state is untouched. */
static void a_truncated_or_foreign_file_is_refused(void **state) {
        _cleanup_(area_state_freep) AreaState *a = NULL;
        uint8_t id[AREA_KEY_SIZE], k[AREA_KEY_SIZE];
        Buf f;

        memset(id, 1, sizeof(id));
        key_of(9, k);
        assert_int_equal(area_state_new(&a), 0);
        area_set_occupancy(a, 3);

        buf_header(&f, id);
        assert_int_equal(area_file_load(a, f.data, AREA_FILE_HEADER_SIZE - 1, id, 0, 60, NULL), -EBADMSG);
        assert_int_equal(area_file_load(a, f.data, 0, id, 0, 60, NULL), -EBADMSG);

        buf_header(&f, id);
        f.data[0] = 'R';
        assert_int_equal(area_file_load(a, f.data, f.size, id, 0, 60, NULL), -EBADMSG);

        buf_header(&f, id);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 9, NULL);
        buf_record(&f, 'Z', 1, k);
        assert_int_equal(area_file_load(a, f.data, f.size, id, 0, 60, NULL), -EBADMSG);

        buf_header(&f, NULL);
        buf_record(&f, AREA_RECORD_OCCUPANCY, 9, NULL);
        buf_record(&f, AREA_RECORD_ENTER, 100, k);
        assert_int_equal(area_file_load(a, f.data, f.size, NULL, 0, 60, NULL), -EBADMSG);

        buf_header(&f, id);
        f.data[AREA_FILE_HEADER_SIZE - 1] = 1;
        assert_int_equal(area_file_load(a, f.data, f.size, id, 0, 60, NULL), -EBADMSG);

        assert_int_equal(area_occupancy(a), 3);
        assert_int_equal(area_presence_count(a), 0);
}

static int berlin(void **state) {
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

/* 03:00 each day in Berlin: 01:00 UTC in winter, 02:00 UTC in summer. */
static void reset_is_daily_at_local_time(void **state) {
        uint32_t three = 3 * 3600;

        assert_int_equal(area_next_reset(utc(2026, 1, 10, 0, 0, 0), three), utc(2026, 1, 10, 2, 0, 0));
        /* At the very second of a reset, the next is a day later. */
        assert_int_equal(area_next_reset(utc(2026, 1, 10, 2, 0, 0), three), utc(2026, 1, 11, 2, 0, 0));
        assert_int_equal(area_next_reset(utc(2026, 1, 10, 1, 59, 59), three), utc(2026, 1, 10, 2, 0, 0));
        assert_int_equal(area_next_reset(utc(2026, 7, 10, 12, 0, 0), three), utc(2026, 7, 11, 1, 0, 0));
        /* Midnight. */
        assert_int_equal(area_next_reset(utc(2026, 1, 10, 12, 0, 0), 0), utc(2026, 1, 10, 23, 0, 0));
        assert_int_equal(area_next_reset(utc(2026, 7, 10, 12, 0, 0), 0), utc(2026, 7, 10, 22, 0, 0));
}

/* 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC). A reset at 02:30 does not exist that
 * day: it happens at the first instant after the gap, 03:00 CEST. A reset at 03:00 happens at
 * 03:00 CEST, an hour "earlier" in UTC than the day before. */
static void reset_across_the_spring_change(void **state) {
        uint32_t half_past_two = 2 * 3600 + 30 * 60, three = 3 * 3600;

        assert_int_equal(area_next_reset(utc(2026, 3, 28, 12, 0, 0), half_past_two), utc(2026, 3, 29, 1, 0, 0));
        assert_int_equal(area_next_reset(utc(2026, 3, 29, 1, 0, 0), half_past_two), utc(2026, 3, 30, 0, 30, 0));
        assert_int_equal(area_next_reset(utc(2026, 3, 28, 12, 0, 0), three), utc(2026, 3, 29, 1, 0, 0));
        assert_int_equal(area_next_reset(utc(2026, 3, 29, 1, 0, 0), three), utc(2026, 3, 30, 1, 0, 0));
}

/* 25 October 2026: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:30 happens twice. The
 * reset is at the first, 02:30 CEST (00:30 UTC), and not again at the second. */
static void reset_across_the_autumn_change(void **state) {
        uint32_t half_past_two = 2 * 3600 + 30 * 60;

        assert_int_equal(area_next_reset(utc(2026, 10, 24, 12, 0, 0), half_past_two), utc(2026, 10, 25, 0, 30, 0));
        assert_int_equal(area_next_reset(utc(2026, 10, 25, 0, 30, 0), half_past_two), utc(2026, 10, 26, 1, 30, 0));
        assert_int_equal(area_next_reset(utc(2026, 10, 25, 1, 29, 59), half_past_two), utc(2026, 10, 26, 1, 30, 0));
}

static void passback_names(void **state) {
        assert_int_equal(area_passback_from_string("off"), AREA_PASSBACK_OFF);
        assert_int_equal(area_passback_from_string("soft"), AREA_PASSBACK_SOFT);
        assert_int_equal(area_passback_from_string("hard"), AREA_PASSBACK_HARD);
        assert_true(area_passback_from_string("Hard") < 0);
        assert_string_equal(area_passback_to_string(AREA_PASSBACK_HARD), "hard");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(count_never_goes_below_zero),
                cmocka_unit_test(presence_is_live_until_its_timeout_to_the_second),
                cmocka_unit_test(many_presences_in_and_out_lose_none),
                cmocka_unit_test(state_file_replays_after_a_restart),
                cmocka_unit_test(a_torn_last_record_is_dropped),
                cmocka_unit_test(a_truncated_or_foreign_file_is_refused),
                cmocka_unit_test_setup(reset_is_daily_at_local_time, berlin),
                cmocka_unit_test_setup(reset_across_the_spring_change, berlin),
                cmocka_unit_test_setup(reset_across_the_autumn_change, berlin),
                cmocka_unit_test(passback_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

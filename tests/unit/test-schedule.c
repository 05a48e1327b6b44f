/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening hours (core/schedule.h) at their edges: the syntax of windows and holidays, window
 * boundaries to the second (the last second inside, the first outside), both daylight-saving
 * changes of 2026 in Europe/Berlin (TZ set by the test), holidays that close or use another
 * schedule's windows, and the next change across all of these. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"

/* A UTC instant: the tests name instants in UTC and check what Berlin's wall clock makes of them. */
static time_t utc(int y, int mo, int d, int h, int mi, int s) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
        return timegm(&tm);
}

static void add_window(Schedule *s, const char *text) {
        const char *why = NULL;
        assert_int_equal(schedule_window_from_string(text, &s->windows[s->n_windows], &why), 0);
        s->n_windows++;
}

static void add_holiday(Schedule *s, const char *text, const Schedule *instead) {
        const char *why = NULL, *other = NULL;
        assert_int_equal(schedule_holiday_from_string(text, &s->holidays[s->n_holidays], &other, &why), 0);
        assert_true((other != NULL) == (instead != NULL));
        s->holidays[s->n_holidays++].instead = instead;
}

static int berlin(void **state) {
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

static void windows_parse_days_ranges_and_seconds(void **state) {
        ScheduleWindow w;
        const char *why;

        assert_int_equal(schedule_window_from_string("mon-fri 07:00-19:00", &w, &why), 0);
        assert_int_equal(w.days, 0x1f);
        assert_int_equal(w.start, 7 * 3600);
        assert_int_equal(w.end, 19 * 3600);
        assert_int_equal(schedule_window_from_string("sat 09:00-13:00", &w, &why), 0);
        assert_int_equal(w.days, 1 << 5);
        assert_int_equal(schedule_window_from_string("mon,wed,sat-sun 00:00-24:00", &w, &why), 0);
        assert_int_equal(w.days, 1 | 4 | 32 | 64);
        assert_int_equal(w.end, 86400);
        /* Across the week's end. */
        assert_int_equal(schedule_window_from_string("fri-mon 06:30:15-06:30:16", &w, &why), 0);
        assert_int_equal(w.days, 1 | 16 | 32 | 64);
        assert_int_equal(w.start, 6 * 3600 + 30 * 60 + 15);
        assert_int_equal(w.end, w.start + 1);
        assert_int_equal(schedule_window_from_string("daily 08:00-17:00", &w, &why), 0);
        assert_int_equal(w.days, 0x7f);
}

static void malformed_windows_say_what_is_wrong(void **state) {
        static const char *const bad[] = {
                "", "mon-fri", "07:00-19:00", "Mon 07:00-19:00", "monday 07:00-19:00", "mon-fri  07:00-19:00",
                "mon,,fri 07:00-19:00", "mon- 07:00-19:00", "mon 7:00-19:00", "mon 07:00-19:00 ", "mon 07:60-19:00",
                "mon 07:00-24:01", "mon 25:00-26:00", "mon 07:00", "mon 07:00-19:00:60", "mon 07-19",
        };
        ScheduleWindow w;
        const char *why;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                if (schedule_window_from_string(bad[i], &w, &why) != -EINVAL)
                        fail_msg("\"%s\" was accepted", bad[i]);
                assert_non_null(why);
        }
        assert_int_equal(schedule_window_from_string("fri 22:00-02:00", &w, &why), -EINVAL);
        assert_non_null(strstr(why, "across midnight is two windows"));
        assert_int_equal(schedule_window_from_string("fri 10:00-10:00", &w, &why), -EINVAL);
}

static void holidays_parse_a_date_and_an_optional_schedule(void **state) {
        ScheduleHoliday h;
        const char *why, *instead;

        assert_int_equal(schedule_holiday_from_string("2026-12-25", &h, &instead, &why), 0);
        assert_int_equal(h.year, 2026);
        assert_int_equal(h.month, 12);
        assert_int_equal(h.day, 25);
        assert_null(instead);
        assert_int_equal(schedule_holiday_from_string("2026-12-24 short_day", &h, &instead, &why), 0);
        assert_string_equal(instead, "short_day");
        assert_int_equal(schedule_holiday_from_string("2028-02-29", &h, &instead, &why), 0);
        static const char *const bad[] = {
                "2026-12-32", "2027-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "26-12-25",
                "2026-12-25 ", "2026/12/25", "2026-12-25x", "", "1969-12-31",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (schedule_holiday_from_string(bad[i], &h, &instead, &why) != -EINVAL)
                        fail_msg("\"%s\" was accepted", bad[i]);
}

/* Thursday 2026-12-03, CET (UTC+1): 07:00 on the wall is 06:00 UTC. */
static void a_window_holds_from_its_first_second_to_the_last_before_its_end(void **state) {
        Schedule s = { .id = "office" };
        add_window(&s, "mon-fri 07:00-19:00");
        add_window(&s, "sat 09:00-13:00");

        assert_false(schedule_is_open(&s, utc(2026, 12, 3, 5, 59, 59)));
        assert_true(schedule_is_open(&s, utc(2026, 12, 3, 6, 0, 0)));
        assert_true(schedule_is_open(&s, utc(2026, 12, 3, 17, 59, 59)));
        assert_false(schedule_is_open(&s, utc(2026, 12, 3, 18, 0, 0)));
        assert_int_equal(schedule_next_change(&s, utc(2026, 12, 3, 5, 0, 0)), utc(2026, 12, 3, 6, 0, 0));
        assert_int_equal(schedule_next_change(&s, utc(2026, 12, 3, 5, 59, 59)), utc(2026, 12, 3, 6, 0, 0));
        assert_int_equal(schedule_next_change(&s, utc(2026, 12, 3, 6, 0, 0)), utc(2026, 12, 3, 18, 0, 0));
        /* Friday evening to Saturday 09:00, Saturday 13:00 to Monday 07:00. */
        assert_int_equal(schedule_next_change(&s, utc(2026, 12, 4, 18, 0, 0)), utc(2026, 12, 5, 8, 0, 0));
        assert_true(schedule_is_open(&s, utc(2026, 12, 5, 11, 59, 59)));
        assert_false(schedule_is_open(&s, utc(2026, 12, 5, 12, 0, 0)));
        assert_int_equal(schedule_next_change(&s, utc(2026, 12, 5, 12, 0, 0)), utc(2026, 12, 7, 6, 0, 0));
        assert_false(schedule_is_open(&s, utc(2026, 12, 6, 10, 0, 0))); /* Sunday */
}

/* Sunday 2026-03-29: at 01:00 UTC the wall clock jumps from 02:00 CET to 03:00 CEST. */
static void spring_forward_keeps_wall_clock_windows(void **state) {
        Schedule s = { .id = "s" }, w = { .id = "weekend" }, gap = { .id = "gap" };

        /* A window that starts in the hour that does not exist opens when the clock jumps into it. */
        add_window(&s, "daily 02:30-05:00");
        assert_false(schedule_is_open(&s, utc(2026, 3, 29, 0, 59, 59)));
        assert_true(schedule_is_open(&s, utc(2026, 3, 29, 1, 0, 0)));
        assert_int_equal(schedule_next_change(&s, utc(2026, 3, 29, 0, 0, 0)), utc(2026, 3, 29, 1, 0, 0));
        /* 05:00 CEST is 03:00 UTC; the day before, 05:00 CET was 04:00 UTC. */
        assert_int_equal(schedule_next_change(&s, utc(2026, 3, 29, 1, 0, 0)), utc(2026, 3, 29, 3, 0, 0));
        assert_true(schedule_is_open(&s, utc(2026, 3, 29, 2, 59, 59)));
        assert_false(schedule_is_open(&s, utc(2026, 3, 29, 3, 0, 0)));
        assert_int_equal(schedule_next_change(&s, utc(2026, 3, 28, 2, 0, 0)), utc(2026, 3, 28, 4, 0, 0));

        /* Saturday 17:00 CET (16:00 UTC) closes; Sunday 08:00 opens in summer time (06:00 UTC). */
        add_window(&w, "sat-sun 08:00-17:00");
        assert_int_equal(schedule_next_change(&w, utc(2026, 3, 28, 16, 0, 0)), utc(2026, 3, 29, 6, 0, 0));
        assert_true(schedule_is_open(&w, utc(2026, 3, 29, 14, 59, 59)));
        assert_false(schedule_is_open(&w, utc(2026, 3, 29, 15, 0, 0)));

        /* A window wholly inside the missing hour does not happen that day: the next change is a week on. */
        add_window(&gap, "sun 02:15-02:45");
        assert_int_equal(schedule_next_change(&gap, utc(2026, 3, 28, 12, 0, 0)), utc(2026, 4, 5, 0, 15, 0));
}

/* Sunday 2026-10-25: at 01:00 UTC the wall clock goes back from 03:00 CEST to 02:00 CET. */
static void fall_back_keeps_wall_clock_windows(void **state) {
        Schedule s = { .id = "night" }, w = { .id = "day" };

        /* 00:00 CEST (22:00 UTC the day before) to 03:00 CET (02:00 UTC): four hours that night. */
        add_window(&s, "sun 00:00-03:00");
        assert_int_equal(schedule_next_change(&s, utc(2026, 10, 24, 12, 0, 0)), utc(2026, 10, 24, 22, 0, 0));
        assert_int_equal(schedule_next_change(&s, utc(2026, 10, 24, 22, 0, 0)), utc(2026, 10, 25, 2, 0, 0));
        assert_true(schedule_is_open(&s, utc(2026, 10, 25, 0, 59, 59))); /* 02:59:59 CEST */
        assert_true(schedule_is_open(&s, utc(2026, 10, 25, 1, 0, 0)));   /* 02:00:00 CET, again */
        assert_true(schedule_is_open(&s, utc(2026, 10, 25, 1, 59, 59)));
        assert_false(schedule_is_open(&s, utc(2026, 10, 25, 2, 0, 0)));

        /* Saturday 17:00 CEST (15:00 UTC) closes; Sunday 08:00 opens in winter time (07:00 UTC). */
        add_window(&w, "daily 08:00-17:00");
        assert_int_equal(schedule_next_change(&w, utc(2026, 10, 24, 15, 0, 0)), utc(2026, 10, 25, 7, 0, 0));
        assert_false(schedule_is_open(&w, utc(2026, 10, 25, 6, 59, 59)));
        assert_true(schedule_is_open(&w, utc(2026, 10, 25, 7, 0, 0)));
        assert_int_equal(schedule_next_change(&w, utc(2026, 10, 25, 7, 0, 0)), utc(2026, 10, 25, 16, 0, 0));
}

static void a_holiday_closes_or_uses_another_schedule(void **state) {
        Schedule office = { .id = "office" }, short_day = { .id = "short_day" };

        add_window(&office, "mon-fri 07:00-19:00");
        add_window(&short_day, "daily 08:00-12:00");
        add_holiday(&office, "2026-12-24", NULL);
        add_holiday(&office, "2026-12-31 short_day", &short_day);

        assert_true(schedule_is_open(&office, utc(2026, 12, 23, 9, 0, 0)));
        assert_false(schedule_is_open(&office, utc(2026, 12, 24, 9, 0, 0)));
        /* Wednesday 19:00 closes until Friday 07:00: Thursday is a holiday. */
        assert_int_equal(schedule_next_change(&office, utc(2026, 12, 23, 18, 0, 0)), utc(2026, 12, 25, 6, 0, 0));
        /* New Year's Eve, a Thursday, from 08:00 to 12:00 only. */
        assert_false(schedule_is_open(&office, utc(2026, 12, 31, 6, 59, 59)));
        assert_true(schedule_is_open(&office, utc(2026, 12, 31, 7, 0, 0)));
        assert_int_equal(schedule_next_change(&office, utc(2026, 12, 30, 18, 0, 0)), utc(2026, 12, 31, 7, 0, 0));
        assert_true(schedule_is_open(&office, utc(2026, 12, 31, 10, 59, 59)));
        assert_false(schedule_is_open(&office, utc(2026, 12, 31, 11, 0, 0)));
        assert_int_equal(schedule_next_change(&office, utc(2026, 12, 31, 7, 0, 0)), utc(2026, 12, 31, 11, 0, 0));
        /* Back to its own windows the day after. */
        assert_int_equal(schedule_next_change(&office, utc(2026, 12, 31, 11, 0, 0)), utc(2027, 1, 1, 6, 0, 0));
}

static void a_schedule_that_never_changes_has_no_next_change(void **state) {
        Schedule always = { .id = "always" }, never = { .id = "never" };

        add_window(&always, "daily 00:00-24:00");
        assert_true(schedule_is_open(&always, utc(2026, 3, 29, 1, 0, 0)));
        assert_int_equal(schedule_next_change(&always, utc(2026, 3, 1, 0, 0, 0)), 0);
        assert_false(schedule_is_open(&never, utc(2026, 12, 3, 12, 0, 0)));
        assert_int_equal(schedule_next_change(&never, utc(2026, 12, 3, 12, 0, 0)), 0);
        /* A holiday of the always-open schedule is a change, within the year it looks ahead. */
        add_holiday(&always, "2027-06-01", NULL);
        assert_int_equal(schedule_next_change(&always, utc(2026, 12, 3, 12, 0, 0)), utc(2027, 5, 31, 22, 0, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(windows_parse_days_ranges_and_seconds),
                cmocka_unit_test(malformed_windows_say_what_is_wrong),
                cmocka_unit_test(holidays_parse_a_date_and_an_optional_schedule),
                cmocka_unit_test(a_window_holds_from_its_first_second_to_the_last_before_its_end),
                cmocka_unit_test(spring_forward_keeps_wall_clock_windows),
                cmocka_unit_test(fall_back_keeps_wall_clock_windows),
                cmocka_unit_test(a_holiday_closes_or_uses_another_schedule),
                cmocka_unit_test(a_schedule_that_never_changes_has_no_next_change),
        };
        return cmocka_run_group_tests(tests, berlin, NULL);
}

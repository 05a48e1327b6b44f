/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "core/macro.h"
#include "core/schedule.h"

#define DAY_SECONDS 86400u

static const char *const day_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static int day_from(const char *p, const char **end) {
        for (int i = 0; i < 7; i++)
                if (strncmp(p, day_names[i], 3) == 0) {
                        *end = p + 3;
                        return i;
                }
        return -1;
}

/* "mon", "mon-fri", "fri-mon" (across the week's end), joined by commas; or "daily". */
static int parse_days(const char *p, const char *stop, uint8_t *ret) {
        uint8_t days = 0;

        if ((size_t) (stop - p) == 5 && strncmp(p, "daily", 5) == 0) {
                *ret = 0x7f;
                return 0;
        }
        for (;;) {
                int a, b;
                a = day_from(p, &p);
                if (a < 0)
                        return -EINVAL;
                b = a;
                if (*p == '-') {
                        b = day_from(p + 1, &p);
                        if (b < 0)
                                return -EINVAL;
                }
                for (int d = a;; d = (d + 1) % 7) {
                        days |= (uint8_t) (1u << d);
                        if (d == b)
                                break;
                }
                if (p == stop)
                        break;
                if (*p != ',')
                        return -EINVAL;
                p++;
        }
        *ret = days;
        return 0;
}

static int two_digits(const char *p) {
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
                return -1;
        return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "HH:MM" or "HH:MM:SS", up to 24:00 (the end of the day, for an end only). */
static int parse_time(const char *p, const char **end, uint32_t *ret) {
        int h = two_digits(p), m, s = 0;

        if (h < 0 || p[2] != ':' || (m = two_digits(p + 3)) < 0)
                return -EINVAL;
        p += 5;
        if (*p == ':') {
                if ((s = two_digits(p + 1)) < 0)
                        return -EINVAL;
                p += 3;
        }
        if (m > 59 || s > 59 || h > 24 || (h == 24 && (m > 0 || s > 0)))
                return -EINVAL;
        *end = p;
        *ret = (uint32_t) (h * 3600 + m * 60 + s);
        return 0;
}

int schedule_window_from_string(const char *s, ScheduleWindow *ret, const char **ret_why) {
        const char *space = strchr(s, ' '), *p;
        ScheduleWindow w = {};

        if (!space || parse_days(s, space, &w.days) < 0) {
                *ret_why = "must start with days: mon, tue, wed, thu, fri, sat, sun, ranges such as mon-fri, joined "
                           "by commas, or daily, then one space";
                return -EINVAL;
        }
        p = space + 1;
        if (parse_time(p, &p, &w.start) < 0 || *p != '-' || parse_time(p + 1, &p, &w.end) < 0 || *p != '\0') {
                *ret_why = "must end with the times HH:MM-HH:MM (00:00 to 24:00; seconds optional, HH:MM:SS)";
                return -EINVAL;
        }
        if (w.start >= w.end) {
                *ret_why = "starts at or after its end; a window across midnight is two windows "
                           "(\"fri 22:00-24:00\", \"sat 00:00-02:00\")";
                return -EINVAL;
        }
        *ret = w;
        return 0;
}

static bool date_is_valid(int y, int m, int d) {
        static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
                return false;
        return d <= days[m - 1] && !(m == 2 && d == 29 && !leap);
}

int schedule_holiday_from_string(const char *s, ScheduleHoliday *ret, const char **ret_instead, const char **ret_why) {
        int y1 = two_digits(s), y2 = y1 < 0 ? -1 : two_digits(s + 2), m, d;

        if (y2 < 0 || s[4] != '-' || (m = two_digits(s + 5)) < 0 || s[7] != '-' || (d = two_digits(s + 8)) < 0 ||
            (s[10] != '\0' && s[10] != ' ')) {
                *ret_why = "must be a date YYYY-MM-DD, optionally followed by one space and the id of the schedule "
                           "that applies that day";
                return -EINVAL;
        }
        if (!date_is_valid(y1 * 100 + y2, m, d)) {
                *ret_why = "is not a date of the calendar";
                return -EINVAL;
        }
        if (s[10] == ' ' && s[11] == '\0') {
                *ret_why = "has a space after the date but no schedule id";
                return -EINVAL;
        }
        *ret = (ScheduleHoliday) { .year = y1 * 100 + y2, .month = m, .day = d };
        *ret_instead = s[10] == ' ' ? s + 11 : NULL;
        return 0;
}

/* The windows that apply on tm's date: a holiday's (another schedule's, or none), else s's own. */
static const Schedule *windows_of_day(const Schedule *s, const struct tm *tm) {
        for (size_t i = 0; i < s->n_holidays; i++) {
                const ScheduleHoliday *h = &s->holidays[i];
                if (h->year == tm->tm_year + 1900 && h->month == tm->tm_mon + 1 && h->day == tm->tm_mday)
                        return h->instead;
        }
        return s;
}

static uint32_t wall_seconds(const struct tm *tm) {
        /* tm_sec is 60 only in a leap second, which time_t does not count. */
        return (uint32_t) (tm->tm_hour * 3600 + tm->tm_min * 60 + MIN(tm->tm_sec, 59));
}

bool schedule_is_open(const Schedule *s, time_t t) {
        struct tm tm;
        const Schedule *w;

        if (!localtime_r(&t, &tm))
                return false;
        w = windows_of_day(s, &tm);
        if (!w)
                return false;
        int day = (tm.tm_wday + 6) % 7; /* tm_wday counts from Sunday; ours from Monday (ISO 8601) */
        uint32_t sec = wall_seconds(&tm);
        for (size_t i = 0; i < w->n_windows; i++)
                if ((w->windows[i].days & (1u << day)) && w->windows[i].start <= sec && sec < w->windows[i].end)
                        return true;
        return false;
}

/* The first wall-clock second after sec at which some window of s, or of a schedule one of its
 * holidays uses, starts or ends; midnight when none does. A superset of the real boundaries of
 * the day costs a step, never a change missed. */
static uint32_t next_boundary(const Schedule *s, uint32_t sec) {
        uint32_t b = DAY_SECONDS;

        for (size_t h = 0; h <= s->n_holidays; h++) {
                const Schedule *w = h == s->n_holidays ? s : s->holidays[h].instead;
                for (size_t i = 0; w && i < w->n_windows; i++) {
                        if (w->windows[i].start > sec)
                                b = MIN(b, w->windows[i].start);
                        if (w->windows[i].end > sec)
                                b = MIN(b, w->windows[i].end);
                }
        }
        return b;
}

static long gmtoff_at(time_t t) {
        struct tm tm;
        return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

/* Walks the wall clock from boundary to boundary. Between two steps the wall clock runs evenly
 * and crosses no boundary, so the state cannot change there; where the zone's offset changes
 * (daylight saving: the wall clock jumps an hour forward or back) the walk stops at the exact
 * second of the change and goes on from the wall time it jumped to. */
time_t schedule_next_change(const Schedule *s, time_t t) {
        bool open = schedule_is_open(s, t);
        time_t cur = t, limit = t + (time_t) SCHEDULE_HORIZON_DAYS * DAY_SECONDS;

        while (cur < limit) {
                struct tm tm;
                if (!localtime_r(&cur, &tm))
                        return 0;
                uint32_t sec = wall_seconds(&tm);
                time_t next = cur + (time_t) (next_boundary(s, sec) - sec);
                if (gmtoff_at(next) != tm.tm_gmtoff) {
                        /* The offset changes in (cur, next]: find the second it does. */
                        time_t lo = cur, hi = next;
                        while (hi - lo > 1) {
                                time_t mid = lo + (hi - lo) / 2;
                                if (gmtoff_at(mid) == tm.tm_gmtoff)
                                        lo = mid;
                                else
                                        hi = mid;
                        }
                        next = hi;
                }
                if (schedule_is_open(s, next) != open)
                        return next;
                cur = next;
        }
        return 0;
}

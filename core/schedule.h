/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Opening hours: a named set of weekly windows in local wall-clock time, and holiday dates on
 * which the door stays shut or follows another schedule's windows instead. A schedule is plain
 * data, filled in by the configuration (config/config-schedule.c) from strings this module
 * parses; evaluating one reads the system's time zone through localtime_r()/the TZ variable,
 * so a window says "07:00" on the wall clock, on both sides of a daylight-saving change.
 * Nothing here logs or allocates. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SCHEDULE_WINDOWS_MAX 64
/* About ten years of a country's public holidays. */
#define SCHEDULE_HOLIDAYS_MAX 128
/* How far ahead schedule_next_change() looks: beyond a year, so that a schedule closed for a
 * yearly holiday still finds its next change. */
#define SCHEDULE_HORIZON_DAYS 400

typedef struct ScheduleWindow {
        uint8_t days;   /* bit 0 = Monday … bit 6 = Sunday */
        uint32_t start; /* seconds since local midnight, inclusive */
        uint32_t end;   /* seconds since local midnight, exclusive; 86400 = the end of the day */
} ScheduleWindow;

typedef struct Schedule Schedule;

typedef struct ScheduleHoliday {
        int year, month, day;    /* a local calendar date */
        const Schedule *instead; /* whose windows apply that day; NULL: closed all day */
} ScheduleHoliday;

struct Schedule {
        const char *id;
        ScheduleWindow windows[SCHEDULE_WINDOWS_MAX];
        size_t n_windows;
        ScheduleHoliday holidays[SCHEDULE_HOLIDAYS_MAX];
        size_t n_holidays;
};

/* Parses a window, "DAYS HH:MM-HH:MM" (seconds optional: "HH:MM:SS"), DAYS being day names
 * (mon tue wed thu fri sat sun) and ranges of them joined by commas ("mon-fri", "mon,wed,sat-sun"),
 * or "daily". The end is exclusive and may be 24:00; a window across midnight is two windows.
 * Returns 0, or -EINVAL with *ret_why saying what is wrong (a static string). */
int schedule_window_from_string(const char *s, ScheduleWindow *ret, const char **ret_why);

/* Parses a holiday's date, "YYYY-MM-DD", followed by nothing or by one space and the id of the
 * schedule that applies that day (returned in *ret_instead, pointing into s; NULL when none).
 * Returns 0, or -EINVAL with *ret_why. */
int schedule_holiday_from_string(const char *s, ScheduleHoliday *ret, const char **ret_instead, const char **ret_why);

/* Whether the schedule lets the door open at t (unix seconds), in the local time zone. */
bool schedule_is_open(const Schedule *s, time_t t);

/* The first instant after t at which schedule_is_open() changes, or 0 when it does not change
 * within SCHEDULE_HORIZON_DAYS. Exact to the second across daylight-saving changes. */
time_t schedule_next_change(const Schedule *s, time_t t);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <time.h>

#include "daemon/event-util.h"

uint64_t event_now_usec(sd_event *e) {
        struct timespec ts;
        uint64_t now;

        if (sd_event_now(e, CLOCK_MONOTONIC, &now) >= 0)
                return now;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

int event_arm_timer(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy, sd_event_time_handler_t handler,
                    void *userdata) {
        int r;

        if (!*s)
                return sd_event_add_time(e, s, CLOCK_MONOTONIC, usec, accuracy, handler, userdata);
        r = sd_event_source_set_time(*s, usec);
        if (r >= 0)
                r = sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
        if (r < 0)
                (void) sd_event_source_set_enabled(*s, SD_EVENT_OFF);
        return r;
}

int event_arm_timer_relative(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy,
                             sd_event_time_handler_t handler, void *userdata) {
        uint64_t now;
        int r;

        r = sd_event_now(e, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        return event_arm_timer(e, s, now + usec, accuracy, handler, userdata);
}

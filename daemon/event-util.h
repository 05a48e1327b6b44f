/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The event loop's CLOCK_MONOTONIC, and one-shot timers on it that are armed again and again (a
 * retry, a deadline, the end of a quiet spell): created on first use, moved and re-enabled
 * afterwards. */

#include <stdint.h>
#include <systemd/sd-event.h>

/* The loop's time in µs (sd_event_now()), or the clock's own when the loop has none to give. */
uint64_t event_now_usec(sd_event *e);

/* Arms *s to fire once at usec (absolute), creating it on e at the first call; the caller owns
 * *s and frees it with sd_event_source_disable_unref(). accuracy 0 is sd-event's default
 * (250 ms). Returns 0 or -errno (then *s, if it existed, stays disabled). */
int event_arm_timer(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy, sd_event_time_handler_t handler,
                    void *userdata);
/* The same, usec from now. */
int event_arm_timer_relative(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy,
                             sd_event_time_handler_t handler, void *userdata);

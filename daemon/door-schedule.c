/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A door's opening hours on the bus: whether its schedule lets it open now and when that
 * changes (the Door's ScheduleOpen and ScheduleNextChange), with PropertiesChanged at each
 * change. The rule itself is daemon/policy.c's; this only tells watchers. */
#include <time.h>

#include "daemon/door.h"
#include "daemon/log.h"

bool door_schedule_open(const Door *d, time_t now) {
        const DoorConf *dc = door_config(d);
        return !dc->schedule || schedule_is_open(dc->schedule, now);
}

time_t door_schedule_next_change(const Door *d, time_t now) {
        const DoorConf *dc = door_config(d);
        return dc->schedule ? schedule_next_change(dc->schedule, now) : 0;
}

static int on_schedule_change(sd_event_source *s, uint64_t usec, void *userdata) {
        Door *d = userdata;

        /* time() reads a coarse clock that can lag the timer's by a tick: before it reaches
         * the change, the properties would still show the old state (and the next change be
         * this one again). A few milliseconds more. */
        if ((uint64_t) time(NULL) < usec / 1000000u) {
                if (sd_event_source_set_time(s, usec + 10000) >= 0)
                        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        if (d->manager->bus)
                (void) sd_bus_emit_properties_changed(d->manager->bus, d->object_path, BUS_DOOR_IFACE, "ScheduleOpen",
                                                      "ScheduleNextChange", NULL);
        (void) door_schedule_arm(d);
        return 0;
}

int door_schedule_arm(Door *d) {
        time_t next = door_schedule_next_change(d, time(NULL));
        int r;

        if (next == 0) {
                (void) sd_event_source_set_enabled(d->schedule_timer, SD_EVENT_OFF);
                return 0;
        }
        /* CLOCK_REALTIME: the change is a time on the wall, and a clock set forward or back (NTP
         * after a boot with a stale clock) must move the timer with it. */
        uint64_t usec = (uint64_t) next * 1000000u;
        if (!d->schedule_timer)
                r = sd_event_add_time(d->manager->event, &d->schedule_timer, CLOCK_REALTIME, usec, 1000,
                                      on_schedule_change, d);
        else {
                r = sd_event_source_set_time(d->schedule_timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(d->schedule_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                return log_warning_errno(r, "Door %s: cannot arm the timer of its schedule's next change; its "
                                         "ScheduleOpen property is not signalled: %m", d->id);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/timex.h>
#include <unistd.h>

#include "api/bus-locator.h"
#include "daemon/bus.h"
#include "daemon/clock.h"
#include "daemon/event-util.h"
#include "daemon/faults.h"
#include "daemon/log.h"

bool clock_kernel_synchronized(void) {
        struct timex tx = {};
        int r = adjtimex(&tx);

        if (r >= 0)
                return r != TIME_ERROR && !(tx.status & STA_UNSYNC);
        return access("/run/systemd/timesync/synchronized", F_OK) == 0;
}

/* A source answered. The first answer sets the state; after it, only synchronization changes it
 * (daemon/clock.h: synchronized once is trusted for the daemon's life). */
static void clock_answer(Manager *m, bool synchronized, const char *source) {
        bool was = m->clock_synchronized, first = !m->clock_known;

        m->clock_known = true;
        if (first || synchronized)
                m->clock_synchronized = synchronized;
        if (m->clock_synchronized && (!was || first))
                log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_CLOCK_SYNCHRONIZED),
                           "System clock synchronized (%s): codes are judged by it.", source);
        else if (!m->clock_synchronized && !m->clock_unsynchronized_said) {
                m->clock_unsynchronized_said = true;
                log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_CLOCK_UNSYNCHRONIZED),
                           "System clock not synchronized (%s): it may be hours wrong after a power cut; until it is "
                           "synchronized, clock.untrusted = \"%s\" applies.", source,
                           clock_untrusted_to_string(m->config->clock.untrusted));
        }
        if (m->bus && was != m->clock_synchronized)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "ClockSynchronized", NULL);
        if (first || was != m->clock_synchronized)
                manager_update_state(m);
}

void manager_clock_open(Manager *m) {
        /* Not an answer yet: the bus may have a better one. No fault until then. */
        m->clock_synchronized = clock_kernel_synchronized();
}

static int on_timedate_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        int synced = 0, r;

        m->clock_query = sd_bus_slot_unref(m->clock_query);
        if (sd_bus_message_is_method_error(reply, NULL)) {
                /* No timedated (a bus without it, or a system without systemd): the kernel's flag. */
                if (!m->clock_timedated_absent)
                        log_debug("No NTPSynchronized from timedated (%s); using the kernel's flag.",
                                  sd_bus_message_get_error(reply)->message ?: sd_bus_message_get_error(reply)->name);
                m->clock_timedated_absent = true;
                clock_answer(m, clock_kernel_synchronized(), "kernel");
                return 0;
        }
        r = sd_bus_message_read(reply, "v", "b", &synced);
        if (r < 0) {
                log_warning_errno(r, "timedated's NTPSynchronized is not a boolean; using the kernel's flag: %m");
                clock_answer(m, clock_kernel_synchronized(), "kernel");
                return 0;
        }
        m->clock_timedated_absent = false;
        clock_answer(m, synced, "systemd-timedated");
        return 0;
}

static int clock_poll(Manager *m) {
        if (m->clock_known && m->clock_synchronized)
                return 0;
        if (!m->bus) {
                clock_answer(m, clock_kernel_synchronized(), "kernel");
                return 0;
        }
        if (m->clock_query) /* the last question is still out */
                return 0;
        return sd_bus_call_method_async(m->bus, &m->clock_query, bus_timedate->destination, bus_timedate->path,
                                        "org.freedesktop.DBus.Properties", "Get", on_timedate_reply, m, "ss",
                                        bus_timedate->interface, "NTPSynchronized");
}

/* Polled, not watched: systemd-timedated publishes NTPSynchronized without a change signal
 * (its vtable in src/timedate/timedated.c declares the property with flags 0, not EMITS_CHANGE:
 * it reads the kernel's flag with adjtimex() at each Get and cannot know when that changes), so a
 * PropertiesChanged match would never fire. The poll runs only until the first synchronization
 * (CLOCK_POLL_SEC apart, one small D-Bus call), then stops for the daemon's life. */
static int on_clock_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        r = clock_poll(m);
        if (r < 0)
                log_debug_errno(r, "Cannot ask timedated: %m");
        if (!m->clock_known || !m->clock_synchronized)
                (void) event_arm_timer_relative(m->event, &m->clock_timer, CLOCK_POLL_SEC * 1000000ULL, 0, on_clock_timer, m);
        return 0;
}

int manager_clock_start(Manager *m) {
        int r;

        r = clock_poll(m);
        if (r < 0) {
                log_warning_errno(r, "Cannot ask systemd-timedated whether the clock is synchronized; using the "
                                  "kernel's flag: %m");
                clock_answer(m, clock_kernel_synchronized(), "kernel");
        }
        if (m->clock_known && m->clock_synchronized)
                return 0;
        r = event_arm_timer_relative(m->event, &m->clock_timer, CLOCK_POLL_SEC * 1000000ULL, 0, on_clock_timer, m);
        if (r < 0)
                return log_error_errno(r, "Cannot arm the clock's poll timer: %m");
        return 0;
}

void manager_clock_stop(Manager *m) {
        m->clock_timer = sd_event_source_disable_unref(m->clock_timer);
        m->clock_query = sd_bus_slot_unref(m->clock_query);
}

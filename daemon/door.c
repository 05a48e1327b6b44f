/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/audit.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/log.h"

#define USEC_PER_MSEC_DOOR 1000

int door_new(Manager *m, const char *id, Lock *lock, Door **ret) {
        _cleanup_(door_freep) Door *d = calloc(1, sizeof(Door));

        if (!d)
                return -ENOMEM;
        d->manager = m;
        d->lock = lock;
        d->id = strdup(id);
        if (!d->id || asprintf(&d->object_path, "%s/%s", BUS_DOOR_PREFIX, id) < 0) {
                d->object_path = NULL; /* undefined after a failed asprintf() */
                return -ENOMEM;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

Door *door_free(Door *d) {
        if (!d)
                return NULL;
        sd_event_source_disable_unref(d->relock);
        sd_event_source_disable_unref(d->schedule_timer);
        barcode_allow_free(d->barcode_allow);
        door_io_free(d->io);
        (void) door_feedback_close(d); /* after a clean stop the manager has closed it already */
        free(d->object_path);
        free(d->id);
        free(d);
        return NULL;
}

const DoorConf *door_config(const Door *d) {
        return config_find_door(d->manager->config, d->id);
}

const char *door_lock_state(const Door *d) {
        if (d->no_lock)
                return "none";
        if (!d->lock)
                return "out-of-service";
        return lock_is_unlocked(d->lock) ? "unlocked" : "locked";
}

static void emit_lock_state(Door *d) {
        if (d->manager->bus)
                (void) sd_bus_emit_properties_changed(d->manager->bus, d->object_path, BUS_DOOR_IFACE, "LockState", NULL);
}

void door_relock(Door *d) {
        int r;

        (void) sd_event_source_set_enabled(d->relock, SD_EVENT_OFF);
        if (!d->lock || !lock_is_unlocked(d->lock))
                return;
        r = lock_set(d->lock, false);
        if (r < 0) {
                /* The output did not switch: the door may be open. Say so loudly and mark the
                 * appliance degraded; there is no better action for software to take. */
                log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_NOT_SAFE, .door = d->id, .lock = d->lock->id),
                           "Door %s: cannot relock lock %s: %m", d->id, d->lock->id);
                if (d->manager->audit)
                        (void) audit_log_alarm(d->manager->audit, "lock", d->id, true, "cannot relock");
                d->manager->lock_fault = true;
                manager_update_state(d->manager);
                return;
        }
        log_info("Door %s: locked.", d->id);
        emit_lock_state(d);
        door_io_lock_changed(d, false);
}

static int on_relock(sd_event_source *s, uint64_t usec, void *userdata) {
        door_relock(userdata);
        return 0;
}

int door_open(Door *d, uint32_t ms) {
        bool was_unlocked;
        uint64_t now;
        int r;

        if (!d->lock) /* out of service: the callers refuse before, this is the last word */
                return -ENODEV;
        was_unlocked = lock_is_unlocked(d->lock);
        r = sd_event_now(d->manager->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        if (!was_unlocked) {
                r = lock_set(d->lock, true);
                if (r < 0) {
                        if (d->manager->audit)
                                (void) audit_log_alarm(d->manager->audit, "lock", d->id, true, "cannot unlock");
                        d->manager->lock_fault = true;
                        manager_update_state(d->manager);
                        return log_struct(LOG_ERR, r,
                                          LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_FAULT, .door = d->id, .lock = d->lock->id),
                                          "Door %s: cannot unlock lock %s: %m", d->id, d->lock->id);
                }
        }

        uint64_t until = now + (uint64_t) ms * 1000;
        if (d->relock) {
                r = sd_event_source_set_time(d->relock, until);
                if (r >= 0)
                        r = sd_event_source_set_enabled(d->relock, SD_EVENT_ONESHOT);
        } else {
                /* Accuracy 0 would mean sd-event's default of 250 ms, by which a door could stay
                 * open that much longer than configured; 1 ms keeps the pulse what it says. */
                r = sd_event_add_time(d->manager->event, &d->relock, CLOCK_MONOTONIC, until, USEC_PER_MSEC_DOOR, on_relock, d);
                /* The relock comes first whenever it is due: a flooding source or a busy bus must
                 * never keep a door open longer than its pulse (sd-event dispatches the most
                 * important pending source first). */
                if (r >= 0)
                        r = sd_event_source_set_priority(d->relock, SD_EVENT_PRIORITY_IMPORTANT);
        }
        if (r < 0) {
                /* Without a timer the door would stay open: relock at once instead. */
                log_error_errno(r, "Door %s: cannot arm the relock timer, relocking now: %m", d->id);
                door_relock(d);
                return r;
        }
        if (!was_unlocked) {
                log_info("Door %s: unlocked for %u ms.", d->id, ms);
                emit_lock_state(d);
                door_io_lock_changed(d, true);
        }
        return 0;
}

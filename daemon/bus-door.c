/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <time.h>

#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/door.h"
#include "daemon/log.h"

/* Manual openings are for walking someone through, not for holding a door open. */
#define UNLOCK_MAX_MS 60000

static int property_get_lock_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", door_lock_state(userdata));
}

static int property_get_door_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", door_io_state(userdata));
}

static int property_get_alarms(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return door_io_append_alarms(userdata, reply);
}

static int property_get_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Door *d = userdata;
        return sd_bus_message_append(reply, "s", d->id);
}

static int property_get_schedule_open(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", door_schedule_open(userdata, time(NULL)));
}

static int property_get_schedule_next_change(sd_bus *bus, const char *path, const char *interface,
                                             const char *property, sd_bus_message *reply, void *userdata,
                                             sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", (uint64_t) door_schedule_next_change(userdata, time(NULL)));
}

static int method_unlock(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Door *d = userdata;
        uint32_t ms;
        int r;

        r = sd_bus_message_read(msg, "u", &ms);
        if (r < 0)
                return r;
        r = bus_check_caller(d->manager, msg, error);
        if (r < 0)
                return r;
        if (ms == 0)
                ms = door_config(d)->unlock_ms;
        if (ms > UNLOCK_MAX_MS)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "duration %u ms is longer than %u ms", ms, UNLOCK_MAX_MS);
        if (d->no_lock)
                return sd_bus_error_setf(error, BUS_ERROR_NO_LOCK, "door %s has no lock: it is a lending station's door, "
                                         "which identifies patrons and opens nothing", d->id);
        if (!d->lock)
                return sd_bus_error_setf(error, BUS_ERROR_LOCK_FAILED, "door %s is out of service: its lock %s could not "
                                         "be opened at start (qrgatectl status says why)", d->id, door_config(d)->lock);
        /* The same rule as for a code: no opening without a record. The refusal itself is
         * recorded (held in memory until the log can be written). */
        bool refused = manager_openings_refused(d->manager);
        if (refused) {
                log_notice("Door %s: manual unlock refused: the audit log cannot be written.", d->id);
                r = -ENOSPC;
        } else {
                log_notice("Door %s: manual unlock for %u ms by an operator.", d->id, ms);
                r = door_open(d, ms);
        }
        if (d->manager->audit) {
                /* Who opened it is the point of the record: the operator's uid, as the bus vouches for it. */
                uid_t uid = (uid_t) -1;
                (void) bus_caller_uid(msg, &uid);
                (void) audit_log_unlock(d->manager->audit, d->id, ms, uid, r,
                                        refused ? "refused: the audit log cannot be written" : NULL);
        }
        if (refused)
                return sd_bus_error_setf(error, BUS_ERROR_AUDIT_UNAVAILABLE,
                                         "the audit log cannot be written (audit.on_write_error = \"deny\")");
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_LOCK_FAILED, "lock output failed: %s", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable bus_door_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("LockState", "s", property_get_lock_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ScheduleOpen", "b", property_get_schedule_open, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ScheduleNextChange", "t", property_get_schedule_next_change, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Unlock", SD_BUS_ARGS("u", duration_ms), SD_BUS_NO_RESULT, method_unlock,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("DoorState", "s", property_get_door_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Alarms", "as", property_get_alarms, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_SIGNAL_WITH_ARGS("AlarmRaised", SD_BUS_ARGS("s", alarm, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("AlarmCleared", SD_BUS_ARGS("s", alarm, "s", reason), 0),
        SD_BUS_VTABLE_END,
};

int bus_door_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error) {
        const char *id = bus_object_id(path, BUS_DOOR_PREFIX);
        Door *d = id ? manager_find_door(userdata, id) : NULL;

        if (!d)
                return 0;
        *found = d;
        return 1;
}

static const char *door_path(const Manager *m, size_t i) {
        return m->doors[i]->object_path;
}

int bus_door_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_object_paths(m, m->n_doors, door_path, nodes);
}

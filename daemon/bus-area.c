/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.qrgate.Gate1.Area: one object per configured area, with its count (PropertiesChanged at
 * every change) and the operator's correction of it. */
#include <string.h>
#include <time.h>

#include "daemon/area.h"
#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/log.h"

/* No pool or reading room holds more; a larger number is a typo. */
#define OCCUPANCY_MAX 1000000u

static int property_get_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Area *a = userdata;
        return sd_bus_message_append(reply, "s", a->id);
}

static int property_get_capacity(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", area_config(userdata)->capacity);
}

static int property_get_occupancy(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Area *a = userdata;
        return sd_bus_message_append(reply, "u", area_occupancy(a->state));
}

static int property_get_passback(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", area_passback_to_string(area_config(userdata)->passback));
}

/* Only the number: who is present is nobody's business on the bus. Expired presences are swept
 * first (at most once a minute), so the number is of those anti-passback holds. */
static int property_get_present_subjects(sd_bus *bus, const char *path, const char *interface, const char *property,
                                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", area_present_count(userdata, (int64_t) time(NULL)));
}

static int method_set_occupancy(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Area *a = userdata;
        uid_t uid = (uid_t) -1;
        uint32_t n, before;
        int r;

        r = sd_bus_message_read(msg, "u", &n);
        if (r < 0)
                return r;
        r = bus_check_caller(a->manager, msg, error);
        if (r < 0)
                return r;
        if (n > OCCUPANCY_MAX)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "occupancy %u is more than %u", n, OCCUPANCY_MAX);
        (void) bus_caller_uid(msg, &uid);
        before = area_occupancy(a->state);
        area_set_count(a, n);
        log_struct(LOG_NOTICE, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_AREA_OCCUPANCY_SET),
                   "Area %s: occupancy set from %u to %u by uid %u.", a->id, before, n, (unsigned) uid);
        if (a->manager->audit)
                (void) audit_log_occupancy(a->manager->audit, a->id, before, n, uid);
        return sd_bus_reply_method_return(msg, NULL);
}

int bus_property_get_areas(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < m->n_areas; i++)
                r = sd_bus_message_append(reply, "s", m->areas[i]->id);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

const sd_bus_vtable bus_area_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Capacity", "u", property_get_capacity, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Occupancy", "u", property_get_occupancy, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Passback", "s", property_get_passback, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PresentSubjects", "u", property_get_present_subjects, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("SetOccupancy", SD_BUS_ARGS("u", occupancy), SD_BUS_NO_RESULT, method_set_occupancy,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_area_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error) {
        const char *id = bus_object_id(path, BUS_AREA_PREFIX);
        Area *a = id ? manager_find_area(userdata, id) : NULL;

        if (!a)
                return 0;
        *found = a;
        return 1;
}

static const char *area_path(const Manager *m, size_t i) {
        return m->areas[i]->object_path;
}

int bus_area_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_object_paths(m, m->n_areas, area_path, nodes);
}

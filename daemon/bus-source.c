/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.qrgate.Gate1.Source: one object per configured source that could be set up, with whether
 * its scanner is there (Present). A kiosk or monitoring tool watches PropertiesChanged on it to
 * say "scanner unplugged" at once. */
#include <string.h>

#include "daemon/bus.h"
#include "daemon/faults.h"
#include "daemon/source.h"

static Source *find_source(Manager *m, const char *id) {
        for (size_t i = 0; i < m->n_sources; i++)
                if (m->sources[i] && strcmp(m->sources[i]->id, id) == 0)
                        return m->sources[i];
        return NULL;
}

static int property_get_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Source *s = userdata;
        return sd_bus_message_append(reply, "s", s->id);
}

static int property_get_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Source *s = userdata;
        return sd_bus_message_append(reply, "s", scanner_type_to_string(s->conf.type));
}

static int property_get_door(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Source *s = userdata;
        return sd_bus_message_append(reply, "s", s->door);
}

static int property_get_present(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Source *s = userdata;
        return sd_bus_message_append(reply, "b", s->present);
}

const sd_bus_vtable bus_source_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Type", "s", property_get_type, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Door", "s", property_get_door, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Present", "b", property_get_present, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

int bus_source_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                    sd_bus_error *error) {
        const char *id = bus_object_id(path, BUS_SOURCE_PREFIX);
        Source *s = id ? find_source(userdata, id) : NULL;

        if (!s)
                return 0;
        *found = s;
        return 1;
}

int bus_source_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        char **l = calloc(m->n_sources + 1, sizeof(char *));
        size_t k = 0;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_sources; i++) {
                if (!m->sources[i])
                        continue;
                if (asprintf(&l[k], BUS_SOURCE_PREFIX "/%s", m->sources[i]->id) < 0) {
                        while (k > 0)
                                free(l[--k]);
                        free(l);
                        return -ENOMEM;
                }
                k++;
        }
        *nodes = l;
        return 0;
}

void source_present_changed(Source *s) {
        char path[sizeof(BUS_SOURCE_PREFIX) + CONFIG_ID_MAX + 1];

        /* An absent scanner is a fault (daemon/faults.c): State and Faults follow it. */
        manager_update_state(s->manager);
        if (!s->manager->bus)
                return;
        snprintf(path, sizeof(path), BUS_SOURCE_PREFIX "/%s", s->id);
        (void) sd_bus_emit_properties_changed(s->manager->bus, path, BUS_SOURCE_IFACE, "Present", NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where a call to the gate goes — destination, object path, interface — named once per endpoint
 * rather than as three strings at every call (systemd's src/shared/bus-locator.h). The daemon
 * serves these objects under the names of api/gate1.h; qrgatectl and the tests call them through
 * these locators. Each helper is the sd-bus call of the same name with the locator's three
 * strings, and returns what that call returns (0 or more, or a negative errno with ret_error set
 * when the peer sent an error). */

#include <systemd/sd-bus.h>

#include "api/gate1.h"
#include "api/lend1.h"

typedef struct BusLocator {
        const char *destination;
        const char *path;
        const char *interface;
} BusLocator;

/* The Manager object (BUS_PATH). */
extern const BusLocator *const bus_gate_manager;

/* The lending service's interface for qrgated (api/lend1.h): what a station's door hands over. */
extern const BusLocator *const bus_lend_gate;

/* The lending service's kiosk interface (docs/io.qrgate.Lend1.xml): `qrgatectl lend`. */
extern const BusLocator *const bus_lend_station;

/* systemd-timedated (org.freedesktop.timedate1(5)): the daemon reads its NTPSynchronized. */
extern const BusLocator *const bus_timedate;

/* A door's object. path (BUS_DOOR_PREFIX "/" door id) is borrowed: the locator is valid as long
 * as path is. */
static inline BusLocator bus_gate_door(const char *path) {
        return (BusLocator) { .destination = BUS_NAME, .path = path, .interface = BUS_DOOR_IFACE };
}

/* An area's object, as a door's: path (BUS_AREA_PREFIX "/" area id) is borrowed. */
static inline BusLocator bus_gate_area(const char *path) {
        return (BusLocator) { .destination = BUS_NAME, .path = path, .interface = BUS_AREA_IFACE };
}

int bus_call_method(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                    sd_bus_message **ret_reply, const char *types, ...);
int bus_get_property(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                     sd_bus_message **ret_reply, const char *type);
/* *ret is malloc()ed; the caller frees it. */
int bus_get_property_string(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                            char **ret);
/* *ret and each of its strings are malloc()ed; the caller frees them. */
int bus_get_property_strv(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                          char ***ret);
/* Matches the signal member from the locator's object and interface, sent by its destination. */
int bus_match_signal(sd_bus *bus, sd_bus_slot **ret_slot, const BusLocator *locator, const char *member,
                     sd_bus_message_handler_t callback, void *userdata);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "api/bus-locator.h"

const BusLocator *const bus_gate_manager = &(const BusLocator) {
        .destination = BUS_NAME,
        .path = BUS_PATH,
        .interface = BUS_MANAGER_IFACE,
};

const BusLocator *const bus_lend_station = &(const BusLocator) {
        .destination = BUS_LEND_NAME,
        .path = BUS_LEND_PATH,
        .interface = BUS_LEND_STATION_IFACE,
};

const BusLocator *const bus_lend_gate = &(const BusLocator) {
        .destination = BUS_LEND_NAME,
        .path = BUS_LEND_PATH,
        .interface = BUS_LEND_GATE_IFACE,
};

const BusLocator *const bus_timedate = &(const BusLocator) {
        .destination = "org.freedesktop.timedate1",
        .path = "/org/freedesktop/timedate1",
        .interface = "org.freedesktop.timedate1",
};

int bus_call_method(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                    sd_bus_message **ret_reply, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = sd_bus_call_methodv(bus, locator->destination, locator->path, locator->interface, member, ret_error,
                                ret_reply, types, ap);
        va_end(ap);
        return r;
}

int bus_get_property(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                     sd_bus_message **ret_reply, const char *type) {
        return sd_bus_get_property(bus, locator->destination, locator->path, locator->interface, member, ret_error,
                                   ret_reply, type);
}

int bus_get_property_string(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                            char **ret) {
        return sd_bus_get_property_string(bus, locator->destination, locator->path, locator->interface, member,
                                          ret_error, ret);
}

int bus_get_property_strv(sd_bus *bus, const BusLocator *locator, const char *member, sd_bus_error *ret_error,
                          char ***ret) {
        return sd_bus_get_property_strv(bus, locator->destination, locator->path, locator->interface, member,
                                        ret_error, ret);
}

int bus_match_signal(sd_bus *bus, sd_bus_slot **ret_slot, const BusLocator *locator, const char *member,
                     sd_bus_message_handler_t callback, void *userdata) {
        return sd_bus_match_signal(bus, ret_slot, locator->destination, locator->path, locator->interface, member,
                                   callback, userdata);
}

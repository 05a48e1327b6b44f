/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "core/macro.h"
#include "tools/ctl-area.h"
#include "tools/ctl-bus.h"
#include "tools/util.h"

static char *area_path(const char *id) {
        char *p = NULL;
        if (asprintf(&p, BUS_AREA_PREFIX "/%s", id) < 0)
                return NULL;
        return p;
}

static int get_u32(sd_bus *bus, const BusLocator *l, const char *member, uint32_t *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = bus_get_property(bus, l, member, &e, &reply, "u");
        sd_bus_error_free(&e);
        if (r < 0)
                return r;
        return sd_bus_message_read(reply, "u", ret);
}

void ctl_status_areas(sd_bus *bus) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char **areas = NULL;

        /* An older daemon has no areas: nothing to show. */
        if (bus_get_property_strv(bus, bus_gate_manager, "Areas", &e, &areas) < 0) {
                sd_bus_error_free(&e);
                return;
        }
        for (char **a = areas; a && *a; a++) {
                _cleanup_(freep) char *path = area_path(*a), *passback = NULL;
                uint32_t occupancy = 0, capacity = 0, present = 0;
                BusLocator l = bus_gate_area(path);
                int r = path ? 0 : -ENOMEM;

                if (r >= 0)
                        r = get_u32(bus, &l, "Occupancy", &occupancy);
                if (r >= 0)
                        r = get_u32(bus, &l, "Capacity", &capacity);
                if (r >= 0)
                        r = get_u32(bus, &l, "PresentSubjects", &present);
                if (r >= 0)
                        r = bus_get_property_string(bus, &l, "Passback", &e, &passback);
                sd_bus_error_free(&e);
                if (r < 0)
                        printf("area %s: ?\n", *a);
                else if (capacity > 0)
                        printf("area %s: %u of %u in, passback %s, %u present\n", *a, occupancy, capacity, passback, present);
                else
                        printf("area %s: %u in, passback %s, %u present\n", *a, occupancy, passback, present);
                free(*a);
        }
        free(areas);
}

#define SYNOPSIS_SET "qrgatectl area set-occupancy AREA N\n"
const char ctl_area_usage[] = SYNOPSIS_SET
        "Sets the count of people in AREA to N (after people left by a door without a reader).\n"
        "Operators only; the journal and the audit log record who did it (docs/areas.md).\n";

static int run_set_occupancy(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *path = NULL;
        int64_t n;
        int r;

        if (argc != 3 || parse_int64(argv[2], &n) < 0 || n < 0 || n > UINT32_MAX)
                return fprintf(stderr, "usage: %s", SYNOPSIS_SET), 2;
        r = bus_connect(ctl_bus_address, &bus);
        if (r < 0)
                return fprintf(stderr, "qrgatectl: cannot connect to the %s bus: %s\n", ctl_bus_address, strerror(-r)), 1;
        path = area_path(argv[1]);
        if (!path)
                return 1;
        BusLocator l = bus_gate_area(path);
        r = bus_call_method(bus, &l, "SetOccupancy", &e, NULL, "u", (uint32_t) n);
        if (r < 0) {
                fprintf(stderr, "qrgatectl: set-occupancy refused: %s%s%s\n", e.message ?: strerror(-r), e.name ? " " : "",
                        e.name ?: "");
                sd_bus_error_free(&e);
                return 1;
        }
        printf("area %s: occupancy set to %lld\n", argv[1], (long long) n);
        return 0;
}

int ctl_area(int argc, char *argv[]) {
        static const Verb verbs[] = {
                { "set-occupancy", run_set_occupancy, SYNOPSIS_SET "Sets the count of people in AREA to N. Operators only; audited.\n" },
        };
        int r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);

        if (r >= 0)
                return r;
        if (argc >= 2 && arg_is_help_command(argv[1]))
                return fprintf(stdout, "usage: %s", ctl_area_usage), 0;
        if (argc >= 2 && arg_is_version(argv[1]))
                return print_version(), 0;
        fprintf(stderr, "usage: %s", ctl_area_usage);
        return 2;
}

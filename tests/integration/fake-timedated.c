/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test double of systemd-timedated on a private bus: org.freedesktop.timedate1 with the one
 * property qrgated reads, NTPSynchronized, true while STATE_FILE holds "yes". A test changes
 * the clock's state by writing the file; the real timedated would read the kernel's flag
 * (org.freedesktop.timedate1(5)). The daemon has no override of its own: this is how the
 * integration tests drive ClockSynchronized (daemon/clock.h).
 * usage: fake-timedated BUS_ADDRESS STATE_FILE */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "api/bus-connect.h"
#include "tests/bus-serve.h"

static const char *state_file;

static int property_get_ntp_synchronized(sd_bus *bus, const char *path, const char *interface, const char *property,
                                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        char buf[8] = "";
        FILE *f = fopen(state_file, "re");

        if (f) {
                if (!fgets(buf, sizeof(buf), f))
                        buf[0] = '\0';
                fclose(f);
        }
        return sd_bus_message_append(reply, "b", strncmp(buf, "yes", 3) == 0);
}

static const sd_bus_vtable vtable[] = {
        SD_BUS_VTABLE_START(0),
        /* Flags 0, no change signal: as the real timedated declares it, so that a daemon that
         * waited for PropertiesChanged instead of polling would fail these tests as it would fail
         * on an appliance (daemon/clock.c). */
        SD_BUS_PROPERTY("NTPSynchronized", "b", property_get_ntp_synchronized, 0, 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: fake-timedated BUS_ADDRESS STATE_FILE\n");
                return 2;
        }
        state_file = argv[2];
        r = bus_connect(argv[1], &bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/timedate1", "org.freedesktop.timedate1", vtable,
                                             NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.timedate1", 0);
        if (r < 0) {
                fprintf(stderr, "fake-timedated: %s\n", strerror(-r));
                return 1;
        }
        bus_serve(bus);
        return 0;
}

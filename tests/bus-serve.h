/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The loop of the tests' stand-in services on a private bus (fake-timedated, bus-answer): serve
 * the calls that come until the bus closes or fails (the test ends, the bus goes away). */

#include <stdint.h>
#include <systemd/sd-bus.h>

static inline void bus_serve(sd_bus *bus) {
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
        }
        sd_bus_flush_close_unref(bus);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in service for tests of a bus policy alone (tests/package/test-bus-policy.sh): owns
 * NAME on the bus at BUS_ADDRESS and answers every method call, on any object path, with an
 * empty reply, so that whatever a caller gets back other than that is the bus's refusal. It
 * prints "owned" once the name is its own; a name the policy refuses is exit 1 with the error.
 * usage: bus-answer BUS_ADDRESS NAME */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "api/bus-connect.h"
#include "tests/bus-serve.h"

static int method_any(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int r;

        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 0;
        r = sd_bus_reply_method_return(m, NULL);
        return r < 0 ? r : 1;
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: bus-answer BUS_ADDRESS NAME\n");
                return 2;
        }
        r = bus_connect(argv[1], &bus);
        if (r >= 0)
                r = sd_bus_add_fallback(bus, NULL, "/", method_any, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, argv[2], 0);
        if (r < 0) {
                fprintf(stderr, "bus-answer: %s: %s\n", argv[2], strerror(-r));
                return 1;
        }
        printf("owned\n");
        fflush(stdout);
        bus_serve(bus);
        return 0;
}

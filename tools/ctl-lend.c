/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl lend`: what an operator at a lending station asks of qrgate-lendd, in words. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "core/macro.h"
#include "tools/ctl-bus.h"
#include "tools/ctl-lend.h"
#include "tools/util.h"

#define SYNOPSIS_STATUS "qrgatectl lend status\n"
#define SYNOPSIS_REPLAY "qrgatectl lend replay\n"

const char ctl_lend_usage[] = SYNOPSIS_STATUS "       " SYNOPSIS_REPLAY
        "status: the lending station's service (qrgate-lendd): its state and faults, whether the ILS\n"
        "answers, the queue of transactions waiting for it, and the session on the kiosk.\n"
        "replay: send the queue to the ILS now instead of at the next retry (operators).\n";

static int failed(const char *what, sd_bus_error *e, int r) {
        fprintf(stderr, "qrgatectl lend: %s: %s%s%s\n", what, e->message ?: strerror(-r), e->name ? " " : "",
                e->name ?: "");
        sd_bus_error_free(e);
        return 1;
}

static int open_bus(sd_bus **ret) {
        int r = bus_connect(ctl_bus_address, ret);
        if (r < 0)
                fprintf(stderr, "qrgatectl lend: cannot connect to the %s bus: %s\n", ctl_bus_address, strerror(-r));
        return r;
}

static int lend_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *station = NULL, *state = NULL, *service = NULL, *mode = NULL, *receipt = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint32_t queued = 0;
        int64_t oldest = 0;
        char **faults = NULL;
        int online = 0, r;

        if (argc != 1)
                return fprintf(stderr, "usage: %s", SYNOPSIS_STATUS), 2;
        if (open_bus(&bus) < 0)
                return 1;
        r = bus_get_property_string(bus, bus_lend_station, "Station", &e, &station);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_lend_station, "ServiceState", &e, &service);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_lend_station, "State", &e, &state);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_lend_station, "Mode", &e, &mode);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_lend_station, "LastReceipt", &e, &receipt);
        if (r >= 0)
                r = bus_get_property_strv(bus, bus_lend_station, "Faults", &e, &faults);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, BUS_LEND_NAME, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, "Online", &e,
                                                'b', &online);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, BUS_LEND_NAME, BUS_LEND_PATH, BUS_LEND_STATION_IFACE,
                                                "QueueLength", &e, 'u', &queued);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, BUS_LEND_NAME, BUS_LEND_PATH, BUS_LEND_STATION_IFACE,
                                                "QueueOldest", &e, 'x', &oldest);
        if (r < 0)
                return failed("cannot read the lending service's state (is qrgate-lendd running?)", &e, r);

        printf("station %s: %s\n", station, service);
        for (char **f = faults; f && *f; f++) {
                printf("fault: %s\n", *f);
                free(*f);
        }
        free(faults);
        printf("ils: %s\n", online ? "online" : "offline");
        if (queued == 0)
                printf("queue: empty\n");
        else {
                time_t t = (time_t) oldest;
                struct tm tm;
                char when[32] = "?";
                if (gmtime_r(&t, &tm))
                        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
                printf("queue: %" PRIu32 " waiting for the ILS, the oldest made at %s\n", queued, when);
        }
        printf("session: %s%s%s\n", state, mode[0] ? ", " : "", mode);
        printf("last receipt: %s\n", receipt[0] ? "made" : "none yet");
        return 0;
}

static int lend_replay(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (argc != 1)
                return fprintf(stderr, "usage: %s", SYNOPSIS_REPLAY), 2;
        if (open_bus(&bus) < 0)
                return 1;
        r = bus_call_method(bus, bus_lend_station, "ReplayQueue", &e, NULL, "");
        if (r < 0)
                return failed("replay refused", &e, r);
        printf("lend: the queue is being sent to the ILS (qrgatectl lend status shows what is left)\n");
        return 0;
}

static const Verb verbs[] = {
        { "status", lend_status,
          SYNOPSIS_STATUS "The lending station's service (qrgate-lendd): its state and faults, whether the ILS\n"
                          "answers, the queue of transactions waiting for it, and the session on the kiosk.\n" },
        { "replay", lend_replay,
          SYNOPSIS_REPLAY "Sends the lending service's queue to the ILS now instead of at its next retry (operators).\n" },
};

int ctl_lend(int argc, char *argv[]) {
        int r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        if (argc >= 2 && arg_is_help_command(argv[1])) {
                printf("usage: %s", ctl_lend_usage);
                return 0;
        }
        fprintf(stderr, "usage: %s", ctl_lend_usage);
        return 2;
}

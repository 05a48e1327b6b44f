/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test double of the lending service, qrgate-lendd, on a private bus (docs/lending.md): it owns
 * io.qrgate.Lend1 and writes each call qrgated makes to LOG_FILE, one line each —
 *   PatronVerified <patron> <pseudonym in hex, or "-">
 *   ItemScanned <text>
 * With "record", once it owns the name it calls io.qrgate.Gate1.Lending.RecordLending as
 * itself (a checkout of item "39000111", outcome "ok") and writes "RecordLending ok" or
 * "RecordLending <error name>": how a test shows that the owner of the name is let in, whatever
 * its uid. The real service's session logic is lending/station.h; this only listens.
 * usage: fake-lendd BUS_ADDRESS LOG_FILE [record] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "api/gate1.h"
#include "api/lend1.h"

static FILE *out;

static int method_patron_verified(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *patron;
        const void *p;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "s", &patron);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'y', &p, &n);
        if (r < 0)
                return r;
        fprintf(out, "PatronVerified %s ", patron);
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%02x", ((const unsigned char *) p)[i]);
        fprintf(out, "%s\n", n == 0 ? "-" : "");
        fflush(out);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_item_scanned(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *text;
        int r;

        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        fprintf(out, "ItemScanned %s\n", text);
        fflush(out);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("PatronVerified", "say", "", method_patron_verified, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ItemScanned", "s", "", method_item_scanned, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static void record(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_LENDING_IFACE, "RecordLending", &error, &reply, "ssssay",
                               "checkout", "39000111", "ok", "by the owner of the name", (size_t) 0);
        fprintf(out, "RecordLending %s\n", r >= 0 ? "ok" : error.name ?: strerror(-r));
        fflush(out);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        int r;

        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: fake-lendd BUS_ADDRESS LOG_FILE [record]\n");
                return 2;
        }
        out = fopen(argv[2], "ae");
        if (!out) {
                fprintf(stderr, "fake-lendd: %s: %s\n", argv[2], strerror(errno));
                return 1;
        }
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, argv[1]);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, BUS_LEND_PATH, BUS_LEND_GATE_IFACE, vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, BUS_LEND_NAME, 0);
        if (r < 0) {
                fprintf(stderr, "fake-lendd: %s\n", strerror(-r));
                return 1;
        }
        if (argc == 4 && strcmp(argv[3], "record") == 0)
                record(bus);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
        }
        sd_bus_flush_close_unref(bus);
        fclose(out);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lending station's identify step through the real qrgated and qrgate-lendd (scripts/
 * bench-lend sets them up against the test ILS): from a patron's code submitted at the station's
 * door (SubmitCode, as a scanner's line arrives) until the kiosk sees the session "ready" — the
 * code verified, its pseudonym made in the token, the patron handed over on D-Bus, the ILS asked
 * (SIP2 63/64) and the answer on the bus. Beside it, in the same run, alternately: a code of the
 * same kind decided at a door with a lock (SubmitCode's reply: the gate's own path), the floor
 * that the lending path adds its hand-over and the ILS's round trip to.
 *
 * usage: bench-lend BUS-ADDRESS KEYFILE COUNT */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "api/bus-connect.h"
#include "core/qg1-mint.h"
#include "tests/bench/bench-util.h"
#include "tools/keyfile.h"

static bool ready;

static void die(const char *what) {
        fprintf(stderr, "bench-lend: %s\n", what);
        exit(1);
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *iface, *name, *value;

        if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (strcmp(name, "State") == 0 && sd_bus_message_read(m, "v", "s", &value) >= 0)
                        ready = strcmp(value, "ready") == 0;
                else
                        (void) sd_bus_message_skip(m, "v");
                (void) sd_bus_message_exit_container(m);
        }
        return 0;
}

static char *mint(EVP_PKEY *key, int i, const char *scope) {
        CodeClaims c = { .iss = "city", .sub = "P-OK", .iat = (int64_t) time(NULL), .cti_len = 16,
                         .status = CODE_STATUS_GREEN, .n_scopes = 1 };
        char *t;

        snprintf(c.scopes[0], sizeof(c.scopes[0]), "%s", scope);
        c.exp = c.iat + 60;
        memcpy(c.cti, &i, sizeof(i));
        c.cti[15] = scope[0];
        if (qg1_mint(key, (const uint8_t *) "k1", 2, &c, &t) < 0)
                die("mint");
        return t;
}

static int64_t submit(sd_bus *bus, const char *door, const char *code) {
        sd_bus_error err = SD_BUS_ERROR_NULL;
        const char *decision, *reason;
        sd_bus_message *reply = NULL;
        int64_t t0 = bench_now_ns();

        if (sd_bus_call_method(bus, "io.qrgate.Gate1", "/io/qrgate/Gate1", "io.qrgate.Gate1.Manager", "SubmitCode", &err,
                               &reply, "ss", door, code) < 0)
                die(err.message ?: "SubmitCode");
        if (sd_bus_message_read(reply, "ss", &decision, &reason) < 0 || strcmp(decision, "granted") != 0) {
                fprintf(stderr, "bench-lend: door %s: %s %s\n", door, decision, reason);
                exit(1);
        }
        sd_bus_message_unref(reply);
        return t0;
}

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double pct(int64_t *v, int n, int p) {
        return (double) v[(n - 1) * p / 100] / 1000.0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        EVP_PKEY *key = NULL;
        int count;

        if (argc != 4 || (count = atoi(argv[3])) < 10)
                die("usage: bench-lend BUS-ADDRESS KEYFILE COUNT");
        if (bus_connect(argv[1], &bus) < 0)
                die("cannot connect to the bus");
        if (keyfile_load_private(argv[2], &key) < 0)
                die("key");
        if (sd_bus_match_signal(bus, NULL, NULL, "/io/qrgate/Lend1", "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_changed, NULL) < 0)
                die("match");

        int64_t *identify = calloc((size_t) count, sizeof(int64_t)), *decide = calloc((size_t) count, sizeof(int64_t));
        for (int i = 0; i < count; i++) {
                char *lend = mint(key, i, "library.lend"), *door = mint(key, i, "building.A.enter");

                /* The gate's own path first, then the lending one, alternating: a noisy moment of
                 * the machine falls on both. */
                int64_t t0 = submit(bus, "main", door);
                decide[i] = bench_now_ns() - t0;

                ready = false;
                t0 = submit(bus, "lend", lend);
                /* The signal may have come in while SubmitCode waited for its reply: what is
                 * queued is processed before waiting for more. */
                for (;;) {
                        while (sd_bus_process(bus, NULL) > 0)
                                ;
                        if (ready)
                                break;
                        if (sd_bus_wait(bus, 5000000) == 0)
                                die("the session did not become ready within 5 s");
                }
                identify[i] = bench_now_ns() - t0;
                if (sd_bus_call_method(bus, "io.qrgate.Lend1", "/io/qrgate/Lend1", "io.qrgate.Lend1.Station", "Cancel",
                                       NULL, NULL, NULL) < 0)
                        die("Cancel");
                free(lend);
                free(door);
        }
        qsort(identify, (size_t) count, sizeof(int64_t), cmp);
        qsort(decide, (size_t) count, sizeof(int64_t), cmp);
        printf("lend_identify_p50_us=%.1f\n", pct(identify, count, 50));
        printf("lend_identify_p99_us=%.1f\n", pct(identify, count, 99));
        printf("gate_decision_p50_us=%.1f\n", pct(decide, count, 50));
        printf("gate_decision_p99_us=%.1f\n", pct(decide, count, 99));
        printf("lend_identify_vs_decision_p50=%.2f\n", pct(identify, count, 50) / pct(decide, count, 50));
        printf("lend_identify_vs_decision_p99=%.2f\n", pct(identify, count, 99) / pct(decide, count, 99));
        printf("codes=%d\n", count);
        return 0;
}

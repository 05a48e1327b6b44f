/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "config/config.h"
#include "core/macro.h"
#include "core/verifier.h"
#include "tools/ctl-area.h"
#include "tools/ctl-bus.h"
#include "tools/util.h"

const char *ctl_bus_address = "system";

static int bus_open(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = bus_connect(ctl_bus_address, &bus);
        if (r < 0) {
                fprintf(stderr, "qrgatectl: cannot connect to the %s bus: %s\n", ctl_bus_address, strerror(-r));
                return r;
        }
        *ret = bus;
        return 0;
}

static int report_error(const char *what, const sd_bus_error *e, int r) {
        fprintf(stderr, "qrgatectl: %s: %s%s%s\n", what, e && e->message ? e->message : strerror(-r),
                e && e->name ? " " : "", e && e->name ? e->name : "");
        return 1;
}

static char *door_path(const char *door) {
        char *p = NULL;
        if (asprintf(&p, BUS_DOOR_PREFIX "/%s", door) < 0)
                return NULL;
        return p;
}

/* "clock: synchronized", or not and what clock.untrusted does meanwhile (an older daemon without
 * ClockUntrusted: the state alone). */
static void print_clock(sd_bus *bus) {
        _cleanup_(freep) char *untrusted = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int synced = 0;

        if (sd_bus_get_property_trivial(bus, bus_gate_manager->destination, bus_gate_manager->path,
                                        bus_gate_manager->interface, "ClockSynchronized", &e, 'b', &synced) < 0) {
                sd_bus_error_free(&e);
                return;
        }
        (void) bus_get_property_string(bus, bus_gate_manager, "ClockUntrusted", &e, &untrusted);
        sd_bus_error_free(&e);
        if (synced)
                printf("clock: synchronized\n");
        else
                printf("clock: not synchronized%s%s%s\n", untrusted ? " (clock.untrusted = \"" : "", untrusted ?: "",
                       untrusted ? "\")" : "");
}

/* After a door's lock state: whether its schedule has it open now, and until when (in the
 * appliance's time zone, as the schedule is written). Nothing for a door without a schedule
 * (ScheduleNextChange 0). */
static void print_schedule(sd_bus *bus, const BusLocator *door) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t next = 0;
        int open = 0;
        char t[64];
        struct tm tm;

        if (sd_bus_get_property_trivial(bus, door->destination, door->path, door->interface, "ScheduleNextChange", &e,
                                        't', &next) < 0 ||
            sd_bus_get_property_trivial(bus, door->destination, door->path, door->interface, "ScheduleOpen", &e, 'b',
                                        &open) < 0 ||
            next == 0) {
                sd_bus_error_free(&e);
                return;
        }
        time_t when = (time_t) next;
        if (!localtime_r(&when, &tm) || strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(t, sizeof(t), "@%" PRIu64, next);
        printf(", %s by schedule until %s", open ? "open" : "closed", t);
}

/* The signed deny-list in force (docs/denylist.md): "deny-list: version 7, issued ..., N entries". */
static void print_denylist(sd_bus *bus) {
        const BusLocator *l = bus_gate_manager;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t version = 0, issued = 0, entries = 0;
        char t[40];
        int r;

        r = sd_bus_get_property_trivial(bus, l->destination, l->path, l->interface, "DenyListVersion", &e, 't', &version);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, l->destination, l->path, l->interface, "DenyListIssued", &e, 't', &issued);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, l->destination, l->path, l->interface, "DenyListEntries", &e, 't',
                                                &entries);
        sd_bus_error_free(&e);
        if (r < 0)
                printf("deny-list: ?\n");
        else if (version == 0)
                printf("deny-list: none in force\n");
        else
                printf("deny-list: version %" PRIu64 ", issued %s, %" PRIu64 " entries\n", version,
                       format_utc((int64_t) (issued / 1000000u), t, sizeof(t)), entries);
}

int ctl_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *state = NULL, *version = NULL, *token = NULL;
        char **doors = NULL, **faults = NULL;
        int r;

        if (argc != 1)
                return fprintf(stderr, "usage: qrgatectl status\n"), 2;
        if (bus_open(&bus) < 0)
                return 1;
        r = bus_get_property_string(bus, bus_gate_manager, "State", &e, &state);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_gate_manager, "Version", &e, &version);
        if (r >= 0)
                r = bus_get_property_string(bus, bus_gate_manager, "TokenState", &e, &token);
        if (r >= 0)
                r = bus_get_property_strv(bus, bus_gate_manager, "Faults", &e, &faults);
        if (r >= 0)
                r = bus_get_property_strv(bus, bus_gate_manager, "Doors", &e, &doors);
        if (r < 0) {
                report_error("cannot read the gate's state (is qrgated running?)", &e, r);
                sd_bus_error_free(&e);
                return 1;
        }
        printf("qrgated %s: %s\n", version, state);
        for (char **f = faults; f && *f; f++) {
                printf("fault: %s\n", *f);
                free(*f);
        }
        free(faults);
        printf("token: %s\n", token);
        print_clock(bus);
        print_denylist(bus);
        for (char **d = doors; d && *d; d++) {
                _cleanup_(freep) char *path = door_path(*d), *lock = NULL, *door_state = NULL;
                char **alarms = NULL;
                BusLocator door = bus_gate_door(path);
                r = path ? bus_get_property_string(bus, &door, "LockState", &e, &lock) : -ENOMEM;
                printf("door %s: %s", *d, r < 0 ? "?" : lock);
                sd_bus_error_free(&e);
                if (path)
                        print_schedule(bus, &door);
                /* The door as a door: said only when it is open or alarmed, so that a plain door's
                 * line stays what it was. */
                if (path && bus_get_property_string(bus, &door, "DoorState", &e, &door_state) >= 0 && strcmp(door_state, "open") == 0)
                        printf(", open");
                sd_bus_error_free(&e);
                if (path && bus_get_property_strv(bus, &door, "Alarms", &e, &alarms) >= 0)
                        for (char **a = alarms; a && *a; a++) {
                                printf("%s%s", a == alarms ? ", alarm " : " ", *a);
                                free(*a);
                        }
                free(alarms);
                sd_bus_error_free(&e);
                printf("\n");
                free(*d);
        }
        free(doors);
        ctl_status_areas(bus);
        return 0;
}

static int on_decision(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *decision, *reason, *format, *subject, *door, *presenter;
        uint64_t usec;
        char t[40];

        if (sd_bus_message_read(m, "sssssts", &decision, &reason, &format, &subject, &door, &usec, &presenter) < 0)
                return 0;
        printf("%s door=%s %s %s format=%s subject=%s%s%s\n", format_utc((int64_t) (usec / 1000000), t, sizeof(t)), door,
               decision, reason, format, subject[0] ? subject : "-", presenter[0] ? " presenter=" : "", presenter);
        fflush(stdout);
        return 0;
}

static int on_alarm(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *alarm, *reason, *path = sd_bus_message_get_path(m);
        char t[40];

        if (!path || !strrchr(path, '/') || sd_bus_message_read(m, "ss", &alarm, &reason) < 0)
                return 0;
        printf("%s door=%s alarm %s %s (%s)\n", format_utc((int64_t) time(NULL), t, sizeof(t)), strrchr(path, '/') + 1,
               alarm, strcmp(sd_bus_message_get_member(m), "AlarmRaised") == 0 ? "raised" : "cleared", reason);
        fflush(stdout);
        return 0;
}

static int on_properties(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *iface, *prop, *value;
        const char *path = sd_bus_message_get_path(m);
        char t[40];

        if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, BUS_DOOR_IFACE) != 0)
                return 0;
        if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &prop) < 0)
                        return 0;
                if (strcmp(prop, "LockState") == 0 && sd_bus_message_read(m, "v", "s", &value) >= 0)
                        printf("%s door=%s %s\n", format_utc((int64_t) time(NULL), t, sizeof(t)),
                               strrchr(path, '/') + 1, value);
                else
                        (void) sd_bus_message_skip(m, "v");
                (void) sd_bus_message_exit_container(m);
        }
        fflush(stdout);
        return 0;
}

int ctl_watch(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (argc != 1)
                return fprintf(stderr, "usage: qrgatectl watch\n"), 2;
        if (bus_open(&bus) < 0)
                return 1;
        r = bus_match_signal(bus, NULL, bus_gate_manager, "Decision", on_decision, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        on_properties, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, BUS_DOOR_IFACE, "AlarmRaised", on_alarm, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, BUS_DOOR_IFACE, "AlarmCleared", on_alarm, NULL);
        if (r < 0)
                return fprintf(stderr, "qrgatectl: cannot subscribe: %s\n", strerror(-r)), 1;
        /* Tell a script that reads our output that we are subscribed, so it may start scanning. */
        fprintf(stderr, "watching decisions (Ctrl-C to stop)\n");
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fprintf(stderr, "qrgatectl: bus: %s\n", strerror(-r)), 1;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return fprintf(stderr, "qrgatectl: bus: %s\n", strerror(-r)), 1;
        }
}

int ctl_unlock(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *path = NULL;
        int64_t seconds = 0;
        int r;

        if (argc < 2 || argc > 3 || (argc == 3 && (parse_int64(argv[2], &seconds) < 0 || seconds <= 0 || seconds > 60)))
                return fprintf(stderr, "usage: qrgatectl unlock DOOR [SECONDS (1-60)]\n"), 2;
        if (bus_open(&bus) < 0)
                return 1;
        path = door_path(argv[1]);
        if (!path)
                return 1;
        BusLocator door = bus_gate_door(path);
        r = bus_call_method(bus, &door, "Unlock", &e, NULL, "u", (uint32_t) (seconds * 1000));
        if (r < 0) {
                report_error("unlock refused", &e, r);
                sd_bus_error_free(&e);
                return 1;
        }
        printf("door %s unlocked\n", argv[1]);
        return 0;
}

/* An operator's command that is one Manager method without arguments: says done, or why not
 * (exit 1, which is what systemctl reload reports for ExecReload=qrgatectl reload). */
static int call_manager(int argc, const char *command, const char *method, const char *refused, const char *done) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (argc != 1)
                return fprintf(stderr, "usage: qrgatectl %s\n", command), 2;
        if (bus_open(&bus) < 0)
                return 1;
        r = bus_call_method(bus, bus_gate_manager, method, &e, NULL, NULL);
        if (r < 0) {
                report_error(refused, &e, r);
                sd_bus_error_free(&e);
                return 1;
        }
        puts(done);
        return 0;
}

int ctl_reload(int argc, char *argv[]) {
        return call_manager(argc, "reload", "Reload", "reload refused", "configuration reloaded");
}

int ctl_token_retry_login(int argc, char *argv[]) {
        return call_manager(argc, "token retry-login", "RetryTokenLogin", "token login not retried",
                            "token login retried; its outcome shows in the token state (qrgatectl status)");
}

int ctl_submit(int argc, char *argv[]) {
        static const struct option opts[] = { { "door", required_argument, NULL, 'd' }, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        static char buf[CODE_MAX_TEXT + 2];
        const char *door = NULL, *code, *decision, *reason;
        char **doors = NULL;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'd': door = optarg; break;
                default: return 2;
                }
        if (optind + 1 != argc)
                return fprintf(stderr, "usage: qrgatectl submit [--door DOOR] CODE|-\n"), 2;
        code = argv[optind];
        if (strcmp(code, "-") == 0) {
                size_t n = fread(buf, 1, sizeof(buf) - 1, stdin);
                while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                        n--;
                buf[n] = '\0';
                code = buf;
        }
        if (bus_open(&bus) < 0)
                return 1;
        if (!door) {
                /* With one door there is nothing to choose. */
                r = bus_get_property_strv(bus, bus_gate_manager, "Doors", &e, &doors);
                if (r < 0 || !doors || !doors[0] || doors[1]) {
                        if (r < 0)
                                report_error("cannot list the doors", &e, r);
                        else
                                fprintf(stderr, "qrgatectl: more than one door: choose one with --door\n");
                        return 2;
                }
                door = doors[0];
        }
        r = bus_call_method(bus, bus_gate_manager, "SubmitCode", &e, &reply, "ss", door, code);
        if (r < 0) {
                report_error("submit failed", &e, r);
                sd_bus_error_free(&e);
                return 2;
        }
        r = sd_bus_message_read(reply, "ss", &decision, &reason);
        if (r < 0)
                return 2;
        if (strcmp(decision, "granted") == 0 && strcmp(reason, "ok") != 0)
                printf("granted %s\n", reason); /* flagged: soft anti-passback (docs/areas.md) */
        else if (strcmp(decision, "granted") == 0)
                puts("granted");
        else
                printf("denied %s\n", reason);
        return strcmp(decision, "granted") == 0 ? 0 : 1;
}

int ctl_check_config(int argc, char *argv[]) {
        if (argc > 2)
                return fprintf(stderr, "usage: qrgatectl check-config [FILE]\n"), 2;
        return config_check_file(argc > 1 ? argv[1] : CONFIG_DEFAULT_PATH, stdout, stderr);
}

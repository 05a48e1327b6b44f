/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Door latencies through the real qrgated, sim backends (scripts/bench-door):
 *   door_alarm:  from the moment the contact's '1' has been written to its FIFO (the door opens
 *                while locked) until the AlarmRaised signal reaches this client over D-Bus;
 *   door_relock: with the door unlocked (Unlock) and open, from the moment the contact's '0' has
 *                been written (the door closed) until the lock's sim output delivers '0' — the
 *                relay dropping on close, not at the end of its 60 s pulse.
 * The door's debounce_ms is 0 here: what is measured is the daemon's path; a configured
 * debounce_ms adds itself to both by design (an edge counts once it has held that long).
 *
 * usage: bench-door DAEMON CONFIG BUS-ADDRESS DIR COUNT
 * DIR holds contact (the door's input FIFO, the daemon creates it) and lock (the sim lock's
 * output, a FIFO we create and read). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "api/bus-connect.h"
#include "api/gate1.h"
#include "tests/bench/bench-util.h"

#define DOOR_PATH BUS_DOOR_PREFIX "/d0"

static int64_t raised_at, cleared_at;

static int on_alarm(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        if (strcmp(sd_bus_message_get_member(m), "AlarmRaised") == 0)
                raised_at = bench_now_ns();
        else
                cleared_at = bench_now_ns();
        return 0;
}

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double pct(int64_t *v, int n, double p) {
        qsort(v, (size_t) n, sizeof(int64_t), cmp);
        return (double) v[(int) ((n - 1) * p)] / 1000.0;
}

static void die(const char *what) {
        fprintf(stderr, "bench-door: %s\n", what);
        exit(1);
}

/* Processes the bus until *flag is set; dies after 2 s. */
static void wait_signal(sd_bus *bus, int64_t *flag) {
        while (sd_bus_process(bus, NULL) > 0)
                ;
        while (!*flag) {
                struct pollfd p = { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) };
                if (poll(&p, 1, 2000) <= 0)
                        die("no alarm signal within 2 s");
                while (sd_bus_process(bus, NULL) > 0)
                        ;
        }
}

/* Reads the lock output until it delivers want; dies after 2 s. */
static void wait_lock(int fd, char want) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char c = 0;

        while (c != want) {
                if (poll(&p, 1, 2000) <= 0)
                        die("the lock output did not change within 2 s");
                if (read(fd, &c, 1) < 0 && errno != EAGAIN)
                        die("read lock output");
        }
}

static void write_contact(int fd, char c) {
        if (write(fd, &c, 1) != 1)
                die("write contact");
}

static bool door_open(sd_bus *bus) {
        _cleanup_(freep) char *state = NULL;

        if (sd_bus_get_property_string(bus, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "DoorState", NULL, &state) < 0)
                die("DoorState");
        return strcmp(state, "open") == 0;
}

int main(int argc, char *argv[]) {
        if (argc != 6)
                die("usage: bench-door DAEMON CONFIG BUS-ADDRESS DIR COUNT");
        const char *daemon = argv[1], *config = argv[2], *addr = argv[3], *dir = argv[4];
        int count = atoi(argv[5]), lockfd, contactfd;
        char path[4096];
        sd_bus *bus = NULL;

        if (count < 1)
                die("bad COUNT");
        snprintf(path, sizeof(path), "%s/lock", dir);
        if (mkfifo(path, 0600) < 0 && errno != EEXIST)
                die("mkfifo");
        lockfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* before the daemon opens it */
        if (lockfd < 0)
                die("open lock output");

        pid_t pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, STDERR_FILENO);
                execl(daemon, daemon, "--config", config, "--bus", addr, (char *) NULL);
                _exit(127);
        }
        if (bus_connect(addr, &bus) < 0)
                die("cannot connect to the bus");
        for (int i = 0;; i++) {
                if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner", NULL, NULL, "s", BUS_NAME) >= 0)
                        break;
                if (i > 200)
                        die("qrgated did not come up");
                usleep(50000);
        }
        if (sd_bus_match_signal(bus, NULL, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "AlarmRaised", on_alarm, NULL) < 0 ||
            sd_bus_match_signal(bus, NULL, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "AlarmCleared", on_alarm, NULL) < 0)
                die("match");
        snprintf(path, sizeof(path), "%s/contact", dir);
        contactfd = open(path, O_WRONLY | O_CLOEXEC);
        if (contactfd < 0)
                die("open contact FIFO");

        int64_t *alarm_lat = calloc((size_t) count, sizeof(int64_t)), *relock_lat = calloc((size_t) count, sizeof(int64_t));
        char drain[64];
        while (read(lockfd, drain, sizeof(drain)) > 0)
                ;

        /* Forced open: the contact opens while locked; then closes (cleared) before the next. */
        for (int i = 0; i < count; i++) {
                raised_at = cleared_at = 0;
                write_contact(contactfd, '1');
                int64_t t0 = bench_now_ns();
                wait_signal(bus, &raised_at);
                alarm_lat[i] = raised_at - t0;
                write_contact(contactfd, '0');
                wait_signal(bus, &cleared_at);
        }

        /* Relock on close: unlocked by an operator, opened, then closed. */
        for (int i = 0; i < count; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                if (sd_bus_call_method(bus, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "Unlock", &error, NULL, "u", 60000) < 0)
                        die(error.message ?: "Unlock");
                wait_lock(lockfd, '1');
                write_contact(contactfd, '1');
                while (!door_open(bus))
                        ;
                write_contact(contactfd, '0');
                int64_t t0 = bench_now_ns();
                wait_lock(lockfd, '0');
                relock_lat[i] = bench_now_ns() - t0;
        }

        kill(pid, SIGTERM);
        int status;
        waitpid(pid, &status, 0);

        printf("door_events=%d\n", count);
        printf("door_alarm_p50_us=%.0f\n", pct(alarm_lat, count, 0.50));
        printf("door_alarm_p99_us=%.0f\n", pct(alarm_lat, count, 0.99));
        printf("door_relock_p50_us=%.0f\n", pct(relock_lat, count, 0.50));
        printf("door_relock_p99_us=%.0f\n", pct(relock_lat, count, 0.99));
        printf("door_daemon_exit_status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}

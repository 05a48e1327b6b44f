/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `make bench-hw` (tests/hw/perf/): the door's latencies through qrgated on a real kernel, its
 * lines on gpio-sim, measured in the guest. Per round, with door "main" locked and closed:
 *   door_alarm:  the contact opens while locked (its gpio-sim pull set up) until the AlarmRaised
 *                signal reaches this client over D-Bus; then it closes (AlarmCleared);
 *   e2e_lock:    a code written to the door's scanner FIFO until the kernel sets the lock line
 *                active (the gpio_value trace event of qrgated's set);
 *   door_relock: the door, unlocked by that grant, opened and then closed (its pull set down)
 *                until the kernel sets the lock line inactive — relock on close, long before the
 *                end of unlock_ms.
 * Every interval starts before the write that makes the edge (the pull's sysfs write runs
 * gpio-sim's interrupt in the writer's context) and ends at the moment the kernel recorded the
 * set (trace clock "boot", CLOCK_BOOTTIME here) or this process received the signal. The caller
 * sets the trace up (tests/hw/guest/lib.sh gpio_trace_start, filtered to the lock's GPIO).
 *
 * usage: door-bench BUS-ADDRESS KEYFILE CONTACT-PULL SCAN-FIFO LOCK-GPIO COUNT
 * Prints key=value lines. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "api/bus-connect.h"
#include "api/gate1.h"
#include "core/qg1-mint.h"
#include "core/verifier.h"
#include "tools/keyfile.h"

#define DOOR_PATH BUS_DOOR_PREFIX "/main"
#define TRACE_PIPE "/sys/kernel/tracing/trace_pipe"

static int64_t raised_at, cleared_at;

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
        fprintf(stderr, "door-bench: %s\n", what);
        exit(1);
}

static int on_alarm(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        if (strcmp(sd_bus_message_get_member(m), "AlarmRaised") == 0)
                raised_at = now_ns();
        else
                cleared_at = now_ns();
        return 0;
}

/* Processes the bus until *flag is set; dies after 5 s (TCG on a shared machine). */
static void wait_signal(sd_bus *bus, int64_t *flag) {
        while (sd_bus_process(bus, NULL) > 0)
                ;
        while (!*flag) {
                struct pollfd p = { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) };
                if (poll(&p, 1, 5000) <= 0)
                        die("no alarm signal within 5 s");
                while (sd_bus_process(bus, NULL) > 0)
                        ;
        }
}

static void pull(const char *path, const char *how) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, how, strlen(how)) != (ssize_t) strlen(how))
                die("write the contact's pull");
        close(fd);
}

/* The trace pipe, read by lines; a read may end within a line. */
static char tbuf[65536];
static size_t tlen;

static bool trace_line(int fd, char *line, size_t size) {
        for (;;) {
                char *nl = memchr(tbuf, '\n', tlen);
                if (nl) {
                        size_t n = (size_t) (nl - tbuf) + 1;
                        snprintf(line, size, "%.*s", (int) (n - 1), tbuf);
                        memmove(tbuf, tbuf + n, tlen - n);
                        tlen -= n;
                        return true;
                }
                if (tlen == sizeof(tbuf))
                        tlen = 0; /* a line longer than the buffer: not ours */
                ssize_t r = read(fd, tbuf + tlen, sizeof(tbuf) - tlen);
                if (r > 0) {
                        tlen += (size_t) r;
                        continue;
                }
                if (r < 0 && errno != EAGAIN)
                        die("read trace_pipe");
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 5000) <= 0)
                        return false;
        }
}

/* Reads the trace pipe until the kernel records LEVEL set on GPIO; returns that moment in ns. */
static int64_t wait_set(int fd, int gpio, int level) {
        char line[512];

        for (;;) {
                if (!trace_line(fd, line, sizeof(line)))
                        die("no gpio_value set on the lock line within 5 s");
                /* "  qrgated-123  [001] d..1.  42.123456: gpio_value: 516 set 1" */
                char *ev = strstr(line, ": gpio_value: ");
                int g, l;
                char op[8];
                if (!ev || sscanf(ev + 14, "%d %7s %d", &g, op, &l) != 3 || g != gpio || strcmp(op, "set") != 0 ||
                    l != level)
                        continue;
                *ev = '\0';
                char *ts = strrchr(line, ' ');
                long sec, usec;
                if (!ts || sscanf(ts + 1, "%ld.%ld", &sec, &usec) != 2)
                        die("trace timestamp");
                return (int64_t) sec * 1000000000LL + (int64_t) usec * 1000;
        }
}

static bool door_state_is(sd_bus *bus, const char *want) {
        char *state = NULL;
        if (sd_bus_get_property_string(bus, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "DoorState", NULL, &state) < 0)
                die("DoorState");
        bool r = strcmp(state, want) == 0;
        free(state);
        return r;
}

static void wait_state(sd_bus *bus, const char *want) {
        for (int i = 0; !door_state_is(bus, want); i++) {
                if (i > 5000)
                        die("DoorState did not change within 5 s");
                usleep(1000);
        }
}

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double pct(int64_t *v, int n, double p) {
        qsort(v, (size_t) n, sizeof(int64_t), cmp);
        return (double) v[(int) ((n - 1) * p)] / 1000.0;
}

int main(int argc, char *argv[]) {
        if (argc != 7)
                die("usage: door-bench BUS-ADDRESS KEYFILE CONTACT-PULL SCAN-FIFO LOCK-GPIO COUNT");
        const char *addr = argv[1], *keyfile = argv[2], *contact = argv[3], *fifo = argv[4];
        int gpio = atoi(argv[5]), count = atoi(argv[6]);
        sd_bus *bus = NULL;
        EVP_PKEY *key = NULL;

        if (count < 1)
                die("bad COUNT");
        if (bus_connect(addr, &bus) < 0)
                die("cannot connect to the bus");
        if (sd_bus_match_signal(bus, NULL, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "AlarmRaised", on_alarm, NULL) < 0 ||
            sd_bus_match_signal(bus, NULL, BUS_NAME, DOOR_PATH, BUS_DOOR_IFACE, "AlarmCleared", on_alarm, NULL) < 0)
                die("match");
        int scanfd = open(fifo, O_WRONLY | O_CLOEXEC);
        if (scanfd < 0)
                die("open the scanner FIFO");
        int trace = open(TRACE_PIPE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (trace < 0)
                die("open " TRACE_PIPE);

        /* Codes are made before the clock runs. */
        if (keyfile_load_private(keyfile, &key) < 0)
                die("key");
        char **codes = calloc((size_t) count, sizeof(char *));
        for (int i = 0; i < count; i++) {
                CodeClaims c = { .iss = "city", .sub = "p-bench", .iat = (int64_t) time(NULL), .cti_len = 16,
                                 .status = CODE_STATUS_GREEN, .n_scopes = 1, .scopes = { "building.A.enter" } };
                c.exp = c.iat + QG1_DEFAULT_MAX_LIFETIME; /* all used within it: 100 rounds take ~15 s */
                memcpy(c.cti, &i, sizeof(i));
                c.cti[15] = 0x5b;
                char *t;
                if (qg1_mint(key, (const uint8_t *) "k1", 2, &c, &t) < 0)
                        die("mint");
                codes[i] = realloc(t, strlen(t) + 2);
                strcat(codes[i], "\n");
        }

        int64_t *alarm = calloc((size_t) count, sizeof(int64_t)), *e2e = calloc((size_t) count, sizeof(int64_t)),
                *relock = calloc((size_t) count, sizeof(int64_t));
        for (int i = 0; i < count; i++) {
                raised_at = cleared_at = 0;
                int64_t t0 = now_ns();
                pull(contact, "pull-up");
                wait_signal(bus, &raised_at);
                alarm[i] = raised_at - t0;
                pull(contact, "pull-down");
                wait_signal(bus, &cleared_at);

                size_t len = strlen(codes[i]);
                t0 = now_ns();
                if (write(scanfd, codes[i], len) != (ssize_t) len)
                        die("write the scanner FIFO");
                e2e[i] = wait_set(trace, gpio, 1) - t0;

                pull(contact, "pull-up");
                wait_state(bus, "open");
                t0 = now_ns();
                pull(contact, "pull-down");
                relock[i] = wait_set(trace, gpio, 0) - t0;
                wait_state(bus, "locked");
        }

        double a99 = pct(alarm, count, 0.99), r99 = pct(relock, count, 0.99), e99 = pct(e2e, count, 0.99);
        printf("door_hw_events=%d\n", count);
        printf("door_alarm_p50_us=%.0f\n", pct(alarm, count, 0.50));
        printf("door_alarm_p99_us=%.0f\n", a99);
        printf("door_relock_p50_us=%.0f\n", pct(relock, count, 0.50));
        printf("door_relock_p99_us=%.0f\n", r99);
        printf("e2e_lock_p50_us=%.0f\n", pct(e2e, count, 0.50));
        printf("e2e_lock_p99_us=%.0f\n", e99);
        printf("door_alarm_p99_vs_e2e_lock_p99=%.2f\n", a99 / e99);
        printf("door_relock_p99_vs_e2e_lock_p99=%.2f\n", r99 / e99);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `make bench-hw` (tests/hw/perf/test-scan-latencies.sh): a scanner's code to the lock line, in
 * the hardware guest. For each line of stdin (one code, each different: replay), the scanner
 * gadget sends it as a scanner of MODE does, and the figure is
 *
 *   from CLOCK_BOOTTIME taken immediately BEFORE the write() of the last report (kbd: the Enter
 *   key's press; pos: the last scanned-data report) or the last byte (serial: the CR) to the
 *   gadget's node, to the kernel's gpio_value trace event of qrgated setting the lock line
 *   active (trace clock "boot" = CLOCK_BOOTTIME).
 *
 * So it spans the USB transfer (the host's next poll of the gadget's endpoint), the host's
 * driver, the daemon's read, its decision and the gpio set; taking the time before the write
 * makes it an upper bound on what follows the scanner's send, never a smaller one. Then the
 * lock's relock (unlock_ms) is awaited before the next code. Prints p50/p99 in µs, and how many
 * codes did not open the door (refused: the daemon's log says why).
 *
 * Beside it, the daemon's parts, from the kernel's trace of qrgated's main thread: "woken", from
 * its last sched_wakeup before the lock line's set (the scanner's last data arriving), and
 * "daemon", from the return of its last read(2) that delivered data to the set: the line, the
 * verification, the policy and the gpio ioctl (it sleeps nowhere in between). The rest of the
 * total is the USB transfer and the host's drivers (dummy_hcd's emulated frames, under TCG), and
 * the gap between woken and daemon is the scheduler's.
 *
 *   scan-bench kbd|pos|serial DEV LOCK-GPIO NAME < codes */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hal/hidpos-report.h"
#include "hal/keymap.h"

#define TRACE_PIPE "/sys/kernel/tracing/trace_pipe"
#define MAX_ROUNDS 1000

/* HID keyboard usages 0x00-0x67 to Linux key codes (drivers/hid/hid-input.c; as hid-feed.c). */
static const unsigned char hid_keyboard[0x68] = {
          0,  0,  0,  0, 30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38,
         50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44,  2,  3,
          4,  5,  6,  7,  8,  9, 10, 11, 28,  1, 14, 15, 57, 12, 13, 26,
         27, 43, 43, 39, 40, 41, 51, 52, 53, 58, 59, 60, 61, 62, 63, 64,
         65, 66, 67, 68, 87, 88, 99, 70,119,110,102,104,111,107,109,106,
        105,108,103, 69, 98, 55, 74, 78, 96, 79, 80, 81, 75, 76, 77, 71,
         72, 73, 82, 83, 86,127,116,117,
};

static void die(const char *what) {
        fprintf(stderr, "scan-bench: %s (%s)\n", what, strerror(errno));
        exit(1);
}

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_all(int fd, const void *p, size_t n) {
        if (write(fd, p, n) != (ssize_t) n)
                die("write to the gadget");
}

static int find_key(char c, uint8_t *usage, uint8_t *mod) {
        for (int pass = 0; pass < 2; pass++)
                for (unsigned u = pass ? 0x39 : 0x04; u < (pass ? sizeof(hid_keyboard) : 0x39u); u++)
                        for (int m = 0; m < 2; m++)
                                if (hid_keyboard[u] && keymap_char(KEY_LAYOUT_US, hid_keyboard[u], m == 1, false) == c) {
                                        *usage = (uint8_t) u;
                                        *mod = m == 1 ? 0x02 : 0;
                                        return 0;
                                }
        return -1;
}

/* Sends the code; returns the moment right before the write of its last report or byte. */
static int64_t send_code(const char *mode, int fd, const char *code, size_t n) {
        int64_t t0 = 0;

        if (strcmp(mode, "kbd") == 0) {
                for (size_t i = 0; i <= n; i++) {
                        uint8_t down[8] = {}, up[8] = {};
                        if (find_key(i < n ? code[i] : '\r', &down[2], &down[0]) < 0)
                                die("a character without a key");
                        if (i == n)
                                t0 = now_ns();
                        write_all(fd, down, 8);
                        write_all(fd, up, 8);
                }
        } else if (strcmp(mode, "pos") == 0) {
                size_t off = 0;
                do {
                        uint8_t r[HIDPOS_REPORT_SIZE] = { HIDPOS_REPORT_ID };
                        size_t k = n - off > HIDPOS_DATA_MAX ? HIDPOS_DATA_MAX : n - off;
                        r[1] = (uint8_t) k;
                        memcpy(r + 2, "]Q1", 3);
                        memcpy(r + 5, code + off, k);
                        off += k;
                        r[63] = off < n;
                        if (off == n)
                                t0 = now_ns();
                        write_all(fd, r, sizeof(r));
                } while (off < n);
        } else {
                write_all(fd, code, n);
                t0 = now_ns();
                write_all(fd, "\r", 1);
        }
        return t0;
}

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
                        tlen = 0;
                ssize_t r = read(fd, tbuf + tlen, sizeof(tbuf) - tlen);
                if (r > 0) {
                        tlen += (size_t) r;
                        continue;
                }
                if (r < 0 && errno != EAGAIN)
                        die("read trace_pipe");
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 10000) <= 0)
                        return false;
        }
}

/* The trace clock's time of the event that starts at ev (": name: ") in line, in ns. */
static int64_t event_ns(char *line, char *ev) {
        long sec, usec;

        *ev = '\0';
        char *ts = strrchr(line, ' ');
        if (!ts || sscanf(ts + 1, "%ld.%ld", &sec, &usec) != 2)
                die("trace timestamp");
        return (int64_t) sec * 1000000000LL + (int64_t) usec * 1000;
}

/* What the trace said of qrgated's main thread before the lock line's set (the test script
 * enables these events for that thread only): its last wake-up, and the end of its last read(2)
 * that returned data. 0 when none. */
typedef struct Before {
        int64_t wake, read;
} Before;

/* Reads the trace up to the lock line's set to level; returns its time, or -1 when none came
 * within 10 s. */
static int64_t wait_set(int fd, int gpio, int level, Before *before) {
        char line[512];
        unsigned long ret;

        *before = (Before) {};
        for (;;) {
                if (!trace_line(fd, line, sizeof(line)))
                        return -1;
                char *ev = strstr(line, ": sched_wakeup: ");
                if (ev) {
                        before->wake = event_ns(line, ev);
                        continue;
                }
                ev = strstr(line, ": sys_read -> ");
                if (ev) {
                        /* "-> 0x1c"; an error is a huge unsigned number: not data. */
                        if (sscanf(ev + 14, "%lx", &ret) == 1 && ret > 0 && ret < (1UL << 31))
                                before->read = event_ns(line, ev);
                        continue;
                }
                ev = strstr(line, ": gpio_value: ");
                int g, l;
                char op[8];
                if (!ev || sscanf(ev + 14, "%d %7s %d", &g, op, &l) != 3 || g != gpio || strcmp(op, "set") != 0 ||
                    l != level)
                        continue;
                return event_ns(line, ev);
        }
}

/* From the later of t0 and since (0: none) to t1: a moment before the send counts from the send. */
static int64_t from(int64_t t0, int64_t since, int64_t t1) {
        return t1 - (since > t0 ? since : t0);
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
        static char code[8192];
        static int64_t lat[MAX_ROUNDS], woken[MAX_ROUNDS], own[MAX_ROUNDS];
        Before before;
        int n = 0, refused = 0;

        if (argc != 5)
                die("usage: scan-bench kbd|pos|serial DEV LOCK-GPIO NAME < codes");
        int fd = open(argv[2], O_WRONLY | O_CLOEXEC), gpio = atoi(argv[3]);
        int trace = open(TRACE_PIPE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 || trace < 0)
                die("open the gadget or the trace pipe");
        while (n < MAX_ROUNDS && fgets(code, sizeof(code), stdin)) {
                size_t len = strcspn(code, "\r\n");
                if (len == 0)
                        continue;
                int64_t t0 = send_code(argv[1], fd, code, len);
                int64_t t1 = wait_set(trace, gpio, 1, &before);
                if (t1 < 0) {
                        /* Refused: the daemon's log says why (under TCG on a loaded host, key
                         * presses the kernel dropped while the guest's CPUs were away). */
                        refused++;
                        continue;
                }
                if (t1 < t0)
                        die("the lock line was set before the code was sent");
                /* The daemon's parts: from its last wake-up (scheduling included), and from the
                 * end of its last read that returned data (its own work: the line, the
                 * verification, the policy, the gpio ioctl). It sleeps nowhere in between. */
                woken[n] = from(t0, before.wake, t1);
                own[n] = from(t0, before.read, t1);
                lat[n++] = t1 - t0;
                if (wait_set(trace, gpio, 0, &before) < 0)
                        die("the lock line was not set back within 10 s");
        }
        if (n == 0)
                die("no codes");
        printf("scan_%s_rounds=%d\n", argv[4], n);
        printf("scan_%s_refused=%d\n", argv[4], refused);
        printf("scan_%s_p50_us=%.0f\n", argv[4], pct(lat, n, 0.50));
        printf("scan_%s_p99_us=%.0f\n", argv[4], pct(lat, n, 0.99));
        printf("scan_%s_woken_p50_us=%.0f\n", argv[4], pct(woken, n, 0.50));
        printf("scan_%s_woken_p99_us=%.0f\n", argv[4], pct(woken, n, 0.99));
        printf("scan_%s_daemon_p50_us=%.0f\n", argv[4], pct(own, n, 0.50));
        printf("scan_%s_daemon_p99_us=%.0f\n", argv[4], pct(own, n, 0.99));
        return 0;
}

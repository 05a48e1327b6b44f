/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input-watch: opens one input line through hal/input.h and debounces it with hal/debounce.h as
 * the daemon does, so the hardware bench can check an input backend on a real kernel without
 * the daemon around it. Built once per libgpiod API (tests/hw/README.md).
 *
 *   input-watch [--chip CHIP] [--offset N | --line-name NAME] [--active-low] [--debounce-ms N]
 *
 * stdout, one line each: "ready LEVEL" once the line is open (its logical level, 0 or 1);
 * "edge LEVEL" for each raw edge the kernel reports; "level LEVEL" when the debounced level
 * changes; "error WHAT: ERRNO-NAME". EOF on stdin, SIGTERM or SIGINT release the line, print
 * "exit" and end with status 0; a failed open ends with status 1. */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/debounce.h"
#include "hal/input.h"

static void print_error(const char *what, int r) {
        const char *name = strerrorname_np(-r);
        printf("error %s: %s\n", what, name ? name : "unknown");
}

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int parse_int(const char *s, int *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

int main(int argc, char *argv[]) {
        enum { ARG_CHIP = 0x100, ARG_OFFSET, ARG_LINE_NAME, ARG_ACTIVE_LOW, ARG_DEBOUNCE };
        static const struct option options[] = {
                { "chip", required_argument, NULL, ARG_CHIP },
                { "offset", required_argument, NULL, ARG_OFFSET },
                { "line-name", required_argument, NULL, ARG_LINE_NAME },
                { "active-low", no_argument, NULL, ARG_ACTIVE_LOW },
                { "debounce-ms", required_argument, NULL, ARG_DEBOUNCE },
                {}
        };
        InputConfig c = { .id = "hw", .backend = "gpiod", .line_offset = -1 };
        _cleanup_(input_freep) Input *in = NULL;
        _cleanup_(closep) int sfd = -EBADF;
        int debounce_ms = 0, opt, r;
        bool active = false;
        Debounce d;
        sigset_t mask;

        setvbuf(stdout, NULL, _IOLBF, 0);
        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case ARG_CHIP:
                        c.chip = optarg;
                        break;
                case ARG_OFFSET:
                        if (parse_int(optarg, &c.line_offset) < 0)
                                goto usage;
                        break;
                case ARG_LINE_NAME:
                        c.line_name = optarg;
                        break;
                case ARG_ACTIVE_LOW:
                        c.active_low = true;
                        break;
                case ARG_DEBOUNCE:
                        if (parse_int(optarg, &debounce_ms) < 0)
                                goto usage;
                        break;
                default:
                        goto usage;
                }
        if (optind != argc)
                goto usage;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
                print_error("signalfd", -errno);
                return 1;
        }
        r = input_new(&c, &in, &active);
        if (r < 0) {
                print_error("open", r);
                return 1;
        }
        debounce_init(&d, active, (uint64_t) debounce_ms * 1000u);
        printf("ready %d\n", active);

        for (;;) {
                struct pollfd p[3] = {
                        { .fd = STDIN_FILENO, .events = POLLIN },
                        { .fd = sfd, .events = POLLIN },
                        { .fd = input_fd(in), .events = POLLIN },
                };
                uint64_t deadline = debounce_deadline(&d), now = now_usec();
                int timeout = deadline == 0 ? -1 : deadline <= now ? 0 : (int) ((deadline - now + 999) / 1000);
                InputEdge edges[16];
                char buf[64];

                if (poll(p, 3, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        print_error("poll", -errno);
                        break;
                }
                if (p[2].revents) {
                        int n = input_read(in, edges, ELEMENTSOF(edges));
                        if (n < 0) {
                                print_error("read", n);
                                break;
                        }
                        for (int i = 0; i < n; i++) {
                                printf("edge %d\n", edges[i].active);
                                if (debounce_edge(&d, edges[i].active, edges[i].usec))
                                        printf("level %d\n", debounce_level(&d));
                        }
                }
                if (debounce_settle(&d, now_usec()))
                        printf("level %d\n", debounce_level(&d));
                if (p[1].revents)
                        break;
                if (p[0].revents && read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
                        break;
        }
        in = input_free(in);
        printf("exit\n");
        return 0;

usage:
        fprintf(stderr, "usage: %s [--chip CHIP] [--offset N | --line-name NAME] [--active-low] [--debounce-ms N]\n",
                argv[0]);
        return 2;
}

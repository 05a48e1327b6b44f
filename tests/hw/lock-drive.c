/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lock-drive: opens one lock through hal/lock.h and drives it from commands on stdin, so the
 * hardware bench can check a lock backend on a real kernel without the daemon around it. It is
 * built once per libgpiod API (tests/hw/README.md).
 *
 *   lock-drive [--chip CHIP] [--offset N | --line-name NAME] [--active-low]
 *              [--safe locked|unlocked] [--backend NAME] [--id ID]
 *
 * stdin, one command a line:   unlock | lock | pulse MS | state
 * stdout, one answer a line:   "ready STATE" once the lock is open and at its safe state;
 *                              "ok STATE" after each change (a pulse answers at its start and
 *                              again when it ends); "error WHAT: ERRNO-NAME".
 * SIGTERM, SIGINT or EOF frees the lock, which drives the safe state and releases the line,
 * then prints "exit" and ends with status 0. A failed open ends with status 1. */

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
#include "hal/lock.h"

static const char *state_name(bool unlocked) {
        return unlocked ? "unlocked" : "locked";
}

static void print_error(const char *what, int r) {
        const char *name = strerrorname_np(-r);
        printf("error %s: %s\n", what, name ? name : "unknown");
}

static long long now_ms(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_int(const char *s, int min, int *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > INT_MAX)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

static int parse_args(int argc, char *argv[], LockConfig *c) {
        enum { ARG_CHIP = 0x100, ARG_OFFSET, ARG_LINE_NAME, ARG_ACTIVE_LOW, ARG_SAFE, ARG_BACKEND, ARG_ID };
        static const struct option options[] = {
                { "chip", required_argument, NULL, ARG_CHIP },
                { "offset", required_argument, NULL, ARG_OFFSET },
                { "line-name", required_argument, NULL, ARG_LINE_NAME },
                { "active-low", no_argument, NULL, ARG_ACTIVE_LOW },
                { "safe", required_argument, NULL, ARG_SAFE },
                { "backend", required_argument, NULL, ARG_BACKEND },
                { "id", required_argument, NULL, ARG_ID },
                {}
        };
        int opt;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case ARG_CHIP:
                        c->chip = optarg;
                        break;
                case ARG_OFFSET:
                        if (parse_int(optarg, 0, &c->line_offset) < 0)
                                return -EINVAL;
                        break;
                case ARG_LINE_NAME:
                        c->line_name = optarg;
                        break;
                case ARG_ACTIVE_LOW:
                        c->active_low = true;
                        break;
                case ARG_SAFE:
                        c->safe_state = lock_safe_state_from_string(optarg);
                        if (c->safe_state < 0)
                                return -EINVAL;
                        break;
                case ARG_BACKEND:
                        c->backend = optarg;
                        break;
                case ARG_ID:
                        c->id = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        return optind == argc ? 0 : -EINVAL;
}

/* One command line. *pulse_end is the monotonic time (ms) at which a running pulse ends, or 0. */
static int run_command(Lock *l, char *line, long long *pulse_end) {
        int ms, r;

        if (strcmp(line, "unlock") == 0 || strcmp(line, "lock") == 0) {
                *pulse_end = 0; /* an explicit command ends a pulse */
                r = lock_set(l, strcmp(line, "unlock") == 0);
        } else if (strncmp(line, "pulse ", 6) == 0) {
                if (parse_int(line + 6, 1, &ms) < 0)
                        return -EINVAL;
                r = lock_set(l, true);
                if (r >= 0)
                        *pulse_end = now_ms() + ms;
        } else if (strcmp(line, "state") == 0)
                r = 0;
        else
                return -EBADRQC;
        if (r < 0)
                return r;

        printf("ok %s\n", state_name(lock_is_unlocked(l)));
        return 0;
}

int main(int argc, char *argv[]) {
        LockConfig config = {
                .id = "hw",
                .backend = "gpiod",
                .line_offset = -1,
                .safe_state = LOCK_SAFE_LOCKED,
        };
        _cleanup_(lock_freep) Lock *lock = NULL;
        _cleanup_(closep) int sfd = -EBADF;
        long long pulse_end = 0;
        char buf[256];
        size_t used = 0;
        sigset_t mask;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);

        if (parse_args(argc, argv, &config) < 0) {
                fprintf(stderr, "usage: %s [--chip CHIP] [--offset N | --line-name NAME] [--active-low] "
                        "[--safe locked|unlocked] [--backend NAME] [--id ID]\n", argv[0]);
                return 2;
        }

        /* Signals become readable events, so a SIGTERM in the middle of a pulse still reaches
         * lock_free() and the safe state. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
                print_error("signalfd", -errno);
                return 1;
        }

        r = lock_new(&config, &lock);
        if (r < 0) {
                print_error("open", r);
                return 1;
        }
        printf("ready %s\n", state_name(lock_is_unlocked(lock)));

        for (;;) {
                struct pollfd p[2] = {
                        { .fd = STDIN_FILENO, .events = POLLIN },
                        { .fd = sfd, .events = POLLIN },
                };
                int timeout = pulse_end > 0 ? (int) MAX(pulse_end - now_ms(), 0LL) : -1;
                ssize_t n;

                if (poll(p, 2, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        print_error("poll", -errno);
                        break;
                }

                if (pulse_end > 0 && now_ms() >= pulse_end) {
                        pulse_end = 0;
                        r = lock_set(lock, false);
                        if (r < 0)
                                print_error("pulse", r);
                        else
                                printf("ok %s\n", state_name(false));
                }

                if (p[1].revents)
                        break;
                if (!p[0].revents)
                        continue;

                n = read(STDIN_FILENO, buf + used, sizeof(buf) - 1 - used);
                if (n <= 0)
                        break;
                used += (size_t) n;
                buf[used] = '\0';

                for (char *nl; (nl = strchr(buf, '\n')); ) {
                        *nl = '\0';
                        r = run_command(lock, buf, &pulse_end);
                        if (r < 0)
                                print_error(buf, r);
                        used -= (size_t) (nl + 1 - buf);
                        memmove(buf, nl + 1, used + 1);
                }
                if (used == sizeof(buf) - 1) {
                        print_error("line", -E2BIG);
                        used = 0;
                }
        }

        lock = lock_free(lock);
        printf("exit\n");
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod input backend for libgpiod 1.x (Debian bookworm's 1.6): one line requested for edge
 * events on both edges, its event fd watched by the daemon. hal/input-gpiod-v2.c is the same
 * backend for the 2.x API; the build compiles the one the installed library has, and tests/hw
 * runs both against a real kernel.
 *
 * Levels are logical: active_low becomes GPIOHANDLE_REQUEST_ACTIVE_LOW, and the kernel reports
 * the edges of the logical level. The timestamps are the kernel's (CLOCK_MONOTONIC since Linux
 * 5.7). No debouncing here: hal/debounce.h does it for every backend alike. */

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/input.h"
#include "hal/lock-gpiod.h"

typedef struct GpiodInput {
        struct gpiod_chip *chip; /* owns line: closing the chip releases the request */
        struct gpiod_line *line;
} GpiodInput;

static int gpiod_v1_open(Input *in, const InputConfig *c, bool *ret_active) {
        GpiodInput *g = in->priv;
        /* The chip is found as a lock's is (hal/lock-gpiod.c): the same keys mean the same. */
        const LockConfig where = { .id = c->id, .chip = c->chip, .line_offset = c->line_offset, .line_name = c->line_name };
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        struct gpiod_line *line;
        char consumer[32]; /* the kernel keeps 31 characters of it (GPIO_MAX_NAME_SIZE) */
        int r, fd, flags;

        r = lock_gpiod_open_chip(&lock_gpiod_chip_ops, &where, &chip);
        if (r < 0)
                return r;
        errno = 0;
        if (c->line_offset >= 0)
                line = (unsigned) c->line_offset < gpiod_chip_num_lines(chip) ? gpiod_chip_get_line(chip, (unsigned) c->line_offset) : NULL;
        else
                line = gpiod_chip_find_line(chip, c->line_name);
        if (!line)
                return lock_gpiod_error(-ENODEV);

        (void) snprintf(consumer, sizeof(consumer), "qrgate:%s", in->id);
        errno = 0;
        if (gpiod_line_request_both_edges_events_flags(line, consumer,
                                                       c->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) < 0)
                return lock_gpiod_error(-EIO);
        g->chip = TAKE_PTR(chip);
        g->line = line;

        errno = 0;
        r = gpiod_line_get_value(line);
        fd = gpiod_line_event_get_fd(line);
        if (r < 0 || fd < 0)
                return lock_gpiod_error(-EIO);
        /* The event fd blocks; the daemon reads it only when it is readable, but a read must never
         * wait (an edge may be consumed between the wake-up and the read). */
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        in->fd = fd;
        *ret_active = r > 0;
        return 0;
}

static int gpiod_v1_read(Input *in, InputEdge *edges, size_t n) {
        GpiodInput *g = in->priv;
        struct gpiod_line_event events[16];
        int k;

        errno = 0;
        k = gpiod_line_event_read_multiple(g->line, events, (unsigned) MIN(n, ELEMENTSOF(events)));
        if (k < 0)
                return errno == EAGAIN ? 0 : lock_gpiod_error(-EIO);
        for (int i = 0; i < k; i++)
                edges[i] = (InputEdge) {
                        .active = events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
                        .usec = (uint64_t) events[i].ts.tv_sec * 1000000u + (uint64_t) events[i].ts.tv_nsec / 1000u,
                };
        return k;
}

static void gpiod_v1_close(Input *in) {
        GpiodInput *g = in->priv;

        if (g->line)
                gpiod_line_release(g->line);
        if (g->chip)
                gpiod_chip_close(g->chip);
        g->line = NULL;
        g->chip = NULL;
        in->fd = -EBADF; /* the line's, closed with it */
}

const InputOps input_ops_gpiod = {
        .name = "gpiod",
        .priv_size = sizeof(GpiodInput),
        .open = gpiod_v1_open,
        .read = gpiod_v1_read,
        .close = gpiod_v1_close,
};

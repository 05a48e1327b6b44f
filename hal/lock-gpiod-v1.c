/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod lock backend for libgpiod 1.x (Debian bookworm's 1.6): one output line, requested
 * for the lock's lifetime. hal/lock-gpiod-v2.c is the same backend for the 2.x API; the build
 * compiles the one the installed library has, and tests/hw runs both against a real kernel.
 *
 * "Unlocked" is the line's active level; LockConfig.active_low moves the inversion into the
 * kernel (GPIOHANDLE_REQUEST_ACTIVE_LOW), so every value this file passes is logical. The chip
 * is found by hal/lock-gpiod.c, which both backends share. */

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/lock-gpiod.h"

typedef struct GpiodLock {
        struct gpiod_chip *chip; /* owns line: closing the chip releases the request */
        struct gpiod_line *line;
} GpiodLock;

static int find_line(const LockConfig *c, struct gpiod_chip **ret_chip, struct gpiod_line **ret_line) {
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        struct gpiod_line *line;
        int r;

        r = lock_gpiod_open_chip(&lock_gpiod_chip_ops, c, &chip);
        if (r < 0)
                return r;

        if (c->line_offset >= 0) {
                if ((unsigned) c->line_offset >= gpiod_chip_num_lines(chip))
                        return -ENODEV;
                errno = 0;
                line = gpiod_chip_get_line(chip, (unsigned) c->line_offset);
        } else {
                errno = 0;
                line = gpiod_chip_find_line(chip, c->line_name);
        }
        if (!line)
                return lock_gpiod_error(-ENODEV);

        *ret_chip = TAKE_PTR(chip);
        *ret_line = line;
        return 0;
}

static int gpiod_v1_open(Lock *l, const LockConfig *c, bool initial_unlocked) {
        GpiodLock *g = l->priv;
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        struct gpiod_line *line = NULL;
        char consumer[32]; /* the kernel keeps 31 characters of it (GPIO_MAX_NAME_SIZE) */
        int r;

        r = find_line(c, &chip, &line);
        if (r < 0)
                return r;

        /* The consumer shows in gpioinfo, so an operator can tell which lock holds the line. */
        (void) snprintf(consumer, sizeof(consumer), "qrgate:%s", l->id);

        /* Requesting as output with the initial value makes the kernel drive that level from the
         * first instant: no glitch to the default level between request and first set(). */
        errno = 0;
        if (gpiod_line_request_output_flags(line, consumer,
                                            c->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
                                            initial_unlocked) < 0)
                return lock_gpiod_error(-EIO);

        g->chip = TAKE_PTR(chip);
        g->line = line;
        return 0;
}

static int gpiod_v1_set(Lock *l, bool unlocked) {
        GpiodLock *g = l->priv;

        errno = 0;
        if (gpiod_line_set_value(g->line, unlocked) < 0)
                return lock_gpiod_error(-EIO);
        return 0;
}

static void gpiod_v1_close(Lock *l) {
        GpiodLock *g = l->priv;

        if (g->line)
                gpiod_line_release(g->line);
        if (g->chip)
                gpiod_chip_close(g->chip);
        g->line = NULL;
        g->chip = NULL;
}

const LockOps lock_ops_gpiod = {
        .name = "gpiod",
        .priv_size = sizeof(GpiodLock),
        .open = gpiod_v1_open,
        .set = gpiod_v1_set,
        .close = gpiod_v1_close,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod lock backend for libgpiod 1.x (Debian bookworm's 1.6): one output line, requested
 * for the lock's lifetime. hal/lock-gpiod-v2.c is the same backend for the 2.x API; the build
 * compiles the one the installed library has, and tests/hw runs both against a real kernel.
 *
 * "Unlocked" is the line's active level; LockConfig.active_low moves the inversion into the
 * kernel (GPIOHANDLE_REQUEST_ACTIVE_LOW), so every value this file passes is logical. */

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>

#include "core/macro.h"
#include "hal/lock.h"

typedef struct GpiodLock {
        struct gpiod_chip *chip; /* owns line: closing the chip releases the request */
        struct gpiod_line *line;
} GpiodLock;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip *, gpiod_chip_close);

/* libgpiod reports failures as NULL/-1 with errno set. This is the one place its errno becomes
 * ours: "not found" is ENOENT there but -ENODEV in hal/lock.h's contract. */
static int gpiod_error(int fallback) {
        int r = errno_or(fallback);
        return r == -ENOENT ? -ENODEV : r;
}

static int find_line(const LockConfig *c, struct gpiod_chip **ret_chip, struct gpiod_line **ret_line) {
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        struct gpiod_line *line;

        if (!c->chip) {
                /* No chip: the name is looked up on every chip, first match in chip order. */
                if (c->line_offset >= 0 || !c->line_name)
                        return -EINVAL;
                errno = 0;
                line = gpiod_line_find(c->line_name);
                if (!line)
                        return gpiod_error(-ENODEV);
                *ret_chip = gpiod_line_get_chip(line);
                *ret_line = line;
                return 0;
        }

        /* Accepts a path, a chip name ("gpiochip0"), a number or a label. */
        errno = 0;
        chip = gpiod_chip_open_lookup(c->chip);
        if (!chip)
                return gpiod_error(-ENODEV);

        if (c->line_offset >= 0) {
                if ((unsigned) c->line_offset >= gpiod_chip_num_lines(chip))
                        return -ENODEV;
                line = gpiod_chip_get_line(chip, (unsigned) c->line_offset);
        } else {
                if (!c->line_name)
                        return -EINVAL;
                errno = 0;
                line = gpiod_chip_find_line(chip, c->line_name);
        }
        if (!line)
                return gpiod_error(-ENODEV);

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
                return gpiod_error(-EIO);

        g->chip = TAKE_PTR(chip);
        g->line = line;
        return 0;
}

static int gpiod_v1_set(Lock *l, bool unlocked) {
        GpiodLock *g = l->priv;

        errno = 0;
        if (gpiod_line_set_value(g->line, unlocked) < 0)
                return gpiod_error(-EIO);
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

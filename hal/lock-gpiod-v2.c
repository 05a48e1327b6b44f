/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod lock backend for libgpiod 2.x: one output line, held by a gpiod_line_request for the
 * lock's lifetime. hal/lock-gpiod-v1.c is the same backend for the 1.x API; the build compiles
 * the one the installed library has, and tests/hw runs both against a real kernel.
 *
 * "Unlocked" is the line's active level; LockConfig.active_low moves the inversion into the
 * kernel (GPIO_V2_LINE_FLAG_ACTIVE_LOW), so every value this file passes is logical.
 *
 * libgpiod 2 has no lookup by chip label nor by line name across chips: hal/lock-gpiod.c walks
 * /dev for both backends, with this file's way of reading a label and finding a line. */

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "hal/lock-gpiod.h"

typedef struct GpiodLock {
        struct gpiod_line_request *request; /* independent of the chip, which is closed after open */
        unsigned offset;
} GpiodLock;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip_info *, gpiod_chip_info_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_settings *, gpiod_line_settings_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_config *, gpiod_line_config_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_request_config *, gpiod_request_config_free);

static int find_line(const LockConfig *c, struct gpiod_chip **ret_chip, unsigned *ret_offset) {
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        int r;

        r = lock_gpiod_open_chip(&lock_gpiod_chip_ops, c, &chip);
        if (r < 0)
                return r;

        if (c->line_offset >= 0) {
                _cleanup_(gpiod_chip_info_freep) struct gpiod_chip_info *info = NULL;

                errno = 0;
                info = gpiod_chip_get_info(chip);
                if (!info)
                        return lock_gpiod_error(-EIO);
                if ((size_t) c->line_offset >= gpiod_chip_info_get_num_lines(info))
                        return -ENODEV;
                *ret_offset = (unsigned) c->line_offset;
        } else {
                errno = 0;
                r = gpiod_chip_get_line_offset_from_name(chip, c->line_name);
                if (r < 0)
                        return lock_gpiod_error(-ENODEV);
                *ret_offset = (unsigned) r;
        }

        *ret_chip = TAKE_PTR(chip);
        return 0;
}

static enum gpiod_line_value line_value(bool unlocked) {
        return unlocked ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

static int gpiod_v2_open(Lock *l, const LockConfig *c, bool initial_unlocked) {
        GpiodLock *g = l->priv;
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        _cleanup_(gpiod_line_settings_freep) struct gpiod_line_settings *settings = NULL;
        _cleanup_(gpiod_line_config_freep) struct gpiod_line_config *line_config = NULL;
        _cleanup_(gpiod_request_config_freep) struct gpiod_request_config *request_config = NULL;
        struct gpiod_line_request *request;
        char consumer[32]; /* the kernel keeps 31 characters of it (GPIO_MAX_NAME_SIZE) */
        unsigned offset;
        int r;

        r = find_line(c, &chip, &offset);
        if (r < 0)
                return r;

        settings = gpiod_line_settings_new();
        line_config = gpiod_line_config_new();
        request_config = gpiod_request_config_new();
        if (!settings || !line_config || !request_config)
                return -ENOMEM;

        /* Requesting as output with the initial value makes the kernel drive that level from the
         * first instant: no glitch to the default level between request and first set(). */
        errno = 0;
        if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
            gpiod_line_settings_set_output_value(settings, line_value(initial_unlocked)) < 0)
                return lock_gpiod_error(-EINVAL);
        gpiod_line_settings_set_active_low(settings, c->active_low);
        if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0)
                return lock_gpiod_error(-EINVAL);

        /* The consumer shows in gpioinfo, so an operator can tell which lock holds the line. */
        (void) snprintf(consumer, sizeof(consumer), "qrgate:%s", l->id);
        gpiod_request_config_set_consumer(request_config, consumer);

        errno = 0;
        request = gpiod_chip_request_lines(chip, request_config, line_config);
        if (!request)
                return lock_gpiod_error(-EIO);

        g->request = request;
        g->offset = offset;
        return 0;
}

static int gpiod_v2_set(Lock *l, bool unlocked) {
        GpiodLock *g = l->priv;

        errno = 0;
        if (gpiod_line_request_set_value(g->request, g->offset, line_value(unlocked)) < 0)
                return lock_gpiod_error(-EIO);
        return 0;
}

static void gpiod_v2_close(Lock *l) {
        GpiodLock *g = l->priv;

        if (g->request)
                gpiod_line_request_release(g->request);
        g->request = NULL;
}

const LockOps lock_ops_gpiod = {
        .name = "gpiod",
        .priv_size = sizeof(GpiodLock),
        .open = gpiod_v2_open,
        .set = gpiod_v2_set,
        .close = gpiod_v2_close,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How libgpiod 2.x tells hal/lock-gpiod.c about a chip, for every gpiod backend of that API
 * (the lock's hal/lock-gpiod-v2.c, the door inputs' hal/input-gpiod-v2.c). */

#include <errno.h>
#include <gpiod.h>
#include <string.h>

#include "core/macro.h"
#include "hal/lock-gpiod.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip_info *, gpiod_chip_info_free);

static int has_label(struct gpiod_chip *chip, const char *label) {
        _cleanup_(gpiod_chip_info_freep) struct gpiod_chip_info *info = NULL;

        errno = 0;
        info = gpiod_chip_get_info(chip);
        if (!info)
                return lock_gpiod_error(-EIO);
        return strcmp(gpiod_chip_info_get_label(info), label) == 0;
}

static int has_line(struct gpiod_chip *chip, const char *name) {
        errno = 0;
        if (gpiod_chip_get_line_offset_from_name(chip, name) >= 0)
                return 1;
        return errno == ENOENT ? 0 : lock_gpiod_error(-EIO);
}

const LockGpiodOps lock_gpiod_chip_ops = {
        .is_chip = gpiod_is_gpiochip_device,
        .has_label = has_label,
        .has_line = has_line,
};

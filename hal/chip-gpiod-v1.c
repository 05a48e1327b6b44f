/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How libgpiod 1.x tells hal/lock-gpiod.c about a chip, for every gpiod backend of that API
 * (the lock's hal/lock-gpiod-v1.c, the door inputs' hal/input-gpiod-v1.c). */

#include <gpiod.h>
#include <string.h>
#include <unistd.h>

#include "hal/lock-gpiod.h"

/* libgpiod 1.x cannot tell a chip device from another file; gpiod_chip_open() refuses anything
 * else, so being there is enough to try it. */
static bool is_chip(const char *path) {
        return access(path, F_OK) >= 0;
}

static int has_label(struct gpiod_chip *chip, const char *label) {
        return strcmp(gpiod_chip_label(chip), label) == 0;
}

static int has_line(struct gpiod_chip *chip, const char *name) {
        return gpiod_chip_find_line(chip, name) != NULL;
}

const LockGpiodOps lock_gpiod_chip_ops = {
        .is_chip = is_chip,
        .has_label = has_label,
        .has_line = has_line,
};

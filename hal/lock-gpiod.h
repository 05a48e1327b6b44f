/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the two gpiod lock backends share (hal/lock-gpiod-v1.c for libgpiod 1.x, -v2.c for 2.x):
 * finding the chip a lock's configuration names. Both APIs open and close a chip alike
 * (gpiod_chip_open(), gpiod_chip_close()), so lock-gpiod.c builds against either; where they
 * differ (telling a chip device from another file, reading a chip's label, finding a line by
 * name) the backend says how, in a LockGpiodOps. */

#include <gpiod.h>
#include <stdbool.h>

#include "core/macro.h"
#include "hal/lock.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip *, gpiod_chip_close);

/* Returns > 0 when chip is the one searched for, 0 when not, < 0 on error. */
typedef int (*LockGpiodMatch)(struct gpiod_chip *chip, const char *what);

typedef struct LockGpiodOps {
        bool (*is_chip)(const char *path); /* whether path is a GPIO chip device */
        LockGpiodMatch has_label;          /* the chip's label is what */
        LockGpiodMatch has_line;           /* the chip has a line named what */
} LockGpiodOps;

/* The installed API's way (hal/chip-gpiod-v1.c or -v2.c, built like the backends). */
extern const LockGpiodOps lock_gpiod_chip_ops;

/* libgpiod reports failures as NULL/-1 with errno set. This is the one place its errno becomes
 * ours: "not found" is ENOENT there but -ENODEV in hal/lock.h's contract. */
int lock_gpiod_error(int fallback);

/* Opens the chip c names: c->chip as a path, a chip name ("gpiochip0"), a chip number or else a
 * label; without c->chip, the first chip that has a line named c->line_name. -EINVAL when c
 * names no line, or a line offset without its chip; -ENODEV when no chip matches. The chip
 * returned in *ret must be closed by the caller with gpiod_chip_close(). */
int lock_gpiod_open_chip(const LockGpiodOps *ops, const LockConfig *c, struct gpiod_chip **ret);

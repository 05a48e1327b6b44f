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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/gpiochip-list.h"
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

static int chip_open(const char *path, struct gpiod_chip **ret) {
        struct gpiod_chip *chip;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return gpiod_error(-ENODEV);
        *ret = chip;
        return 0;
}

/* Returns > 0 when chip is the one searched for, 0 when not. */
typedef int (*ChipMatch)(struct gpiod_chip *chip, const char *what);

static int match_label(struct gpiod_chip *chip, const char *label) {
        return strcmp(gpiod_chip_label(chip), label) == 0;
}

static int match_line_name(struct gpiod_chip *chip, const char *name) {
        return gpiod_chip_find_line(chip, name) != NULL;
}

/* Opens the first chip in number order (gpiochip2 before gpiochip10) that match() accepts.
 * libgpiod 1.x's own searches (gpiod_chip_open_by_label(), gpiod_line_find()) give up when any
 * chip cannot be opened, so a daemon allowed only its own chip could not find its line by name;
 * this walk skips such a chip, and returns its error instead of -ENODEV when nothing matched:
 * "permission denied" says more than "not found". Same walk as in lock-gpiod-v2.c. */
static int chip_search(ChipMatch match, const char *what, struct gpiod_chip **ret) {
        char **list = NULL;
        int n, r, first_error = 0;

        n = gpiochip_list(&list);
        if (n < 0)
                return n;

        for (int i = 0; i < n; i++) {
                _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
                const char *path = list[i];

                r = chip_open(path, &chip);
                if (r < 0) {
                        if (first_error == 0)
                                first_error = r;
                        continue;
                }
                if (match(chip, what)) {
                        gpiochip_list_free(list);
                        *ret = TAKE_PTR(chip);
                        return 0;
                }
        }

        gpiochip_list_free(list);
        return first_error < 0 ? first_error : -ENODEV;
}

/* A path, a chip name ("gpiochip0"), a chip number, or else a label. */
static int chip_lookup(const char *descr, struct gpiod_chip **ret) {
        char path[300];

        if (descr[0] == '/')
                return chip_open(descr, ret);
        if (descr[0] != '\0' && strspn(descr, "0123456789") == strlen(descr))
                (void) snprintf(path, sizeof(path), "/dev/gpiochip%s", descr);
        else
                (void) snprintf(path, sizeof(path), "/dev/%s", descr);
        if (!strchr(descr, '/') && access(path, F_OK) >= 0)
                return chip_open(path, ret);
        return chip_search(match_label, descr, ret);
}

static int find_line(const LockConfig *c, struct gpiod_chip **ret_chip, struct gpiod_line **ret_line) {
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        struct gpiod_line *line;
        int r;

        if (c->line_offset < 0 && !c->line_name)
                return -EINVAL;

        if (c->chip)
                r = chip_lookup(c->chip, &chip);
        else if (c->line_offset < 0)
                /* No chip: the name is looked up on every chip, first match in chip order. */
                r = chip_search(match_line_name, c->line_name, &chip);
        else
                r = -EINVAL; /* an offset means nothing without its chip */
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

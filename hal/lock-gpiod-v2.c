/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod lock backend for libgpiod 2.x: one output line, held by a gpiod_line_request for the
 * lock's lifetime. hal/lock-gpiod-v1.c is the same backend for the 1.x API; the build compiles
 * the one the installed library has, and tests/hw runs both against a real kernel.
 *
 * "Unlocked" is the line's active level; LockConfig.active_low moves the inversion into the
 * kernel (GPIO_V2_LINE_FLAG_ACTIVE_LOW), so every value this file passes is logical.
 *
 * libgpiod 2 has no lookup by chip label nor by line name across chips: this file walks /dev
 * itself, the same walk as lock-gpiod-v1.c's (which says why it does not use 1.x's own). */

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "hal/gpiochip-list.h"
#include "hal/lock.h"

typedef struct GpiodLock {
        struct gpiod_line_request *request; /* independent of the chip, which is closed after open */
        unsigned offset;
} GpiodLock;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip *, gpiod_chip_close);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip_info *, gpiod_chip_info_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_settings *, gpiod_line_settings_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_config *, gpiod_line_config_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_request_config *, gpiod_request_config_free);

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

/* Returns > 0 when chip is the one searched for, 0 when not, < 0 on error. */
typedef int (*ChipMatch)(struct gpiod_chip *chip, const char *what);

static int match_label(struct gpiod_chip *chip, const char *label) {
        _cleanup_(gpiod_chip_info_freep) struct gpiod_chip_info *info = NULL;

        errno = 0;
        info = gpiod_chip_get_info(chip);
        if (!info)
                return gpiod_error(-EIO);
        return strcmp(gpiod_chip_info_get_label(info), label) == 0;
}

static int match_line_name(struct gpiod_chip *chip, const char *name) {
        errno = 0;
        if (gpiod_chip_get_line_offset_from_name(chip, name) >= 0)
                return 1;
        return errno == ENOENT ? 0 : gpiod_error(-EIO);
}

/* Opens the first chip in number order (gpiochip2 before gpiochip10, as libgpiod 1.x) that
 * match() accepts. A chip that cannot be opened is skipped, but its error is returned instead
 * of -ENODEV when nothing matched: "permission denied" says more than "not found". */
static int chip_search(ChipMatch match, const char *what, struct gpiod_chip **ret) {
        char **list = NULL;
        int n, r, first_error = 0;

        n = gpiochip_list(&list);
        if (n < 0)
                return n;

        for (int i = 0; i < n; i++) {
                _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
                const char *path = list[i];

                if (!gpiod_is_gpiochip_device(path))
                        continue;
                r = chip_open(path, &chip);
                if (r >= 0)
                        r = match(chip, what);
                if (r < 0) {
                        if (first_error == 0)
                                first_error = r;
                        continue;
                }
                if (r > 0) {
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
        if (!strchr(descr, '/') && gpiod_is_gpiochip_device(path))
                return chip_open(path, ret);
        return chip_search(match_label, descr, ret);
}

static int find_line(const LockConfig *c, struct gpiod_chip **ret_chip, unsigned *ret_offset) {
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
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
                _cleanup_(gpiod_chip_info_freep) struct gpiod_chip_info *info = NULL;

                errno = 0;
                info = gpiod_chip_get_info(chip);
                if (!info)
                        return gpiod_error(-EIO);
                if ((size_t) c->line_offset >= gpiod_chip_info_get_num_lines(info))
                        return -ENODEV;
                *ret_offset = (unsigned) c->line_offset;
        } else {
                errno = 0;
                r = gpiod_chip_get_line_offset_from_name(chip, c->line_name);
                if (r < 0)
                        return gpiod_error(-ENODEV);
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
                return gpiod_error(-EINVAL);
        gpiod_line_settings_set_active_low(settings, c->active_low);
        if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0)
                return gpiod_error(-EINVAL);

        /* The consumer shows in gpioinfo, so an operator can tell which lock holds the line. */
        (void) snprintf(consumer, sizeof(consumer), "qrgate:%s", l->id);
        gpiod_request_config_set_consumer(request_config, consumer);

        errno = 0;
        request = gpiod_chip_request_lines(chip, request_config, line_config);
        if (!request)
                return gpiod_error(-EIO);

        g->request = request;
        g->offset = offset;
        return 0;
}

static int gpiod_v2_set(Lock *l, bool unlocked) {
        GpiodLock *g = l->priv;

        errno = 0;
        if (gpiod_line_request_set_value(g->request, g->offset, line_value(unlocked)) < 0)
                return gpiod_error(-EIO);
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/lock-gpiod.h"

int lock_gpiod_error(int fallback) {
        int r = errno_or(fallback);
        return r == -ENOENT ? -ENODEV : r;
}

static int chip_open(const char *path, struct gpiod_chip **ret) {
        struct gpiod_chip *chip;

        errno = 0;
        chip = gpiod_chip_open(path);
        if (!chip)
                return lock_gpiod_error(-ENODEV);
        *ret = chip;
        return 0;
}

static int filter_gpiochip(const struct dirent *de) {
        return strncmp(de->d_name, "gpiochip", 8) == 0;
}

static void chip_list_free(char **list) {
        for (char **p = list; p && *p; p++)
                free(*p);
        free(list);
}

/* Lists /dev/gpiochip* in number order (gpiochip2 before gpiochip10, as libgpiod 1.x does).
 * Returns the count and, in *ret, a NULL-terminated array of paths that chip_list_free()
 * releases; -errno when /dev cannot be read. */
static int chip_list(char ***ret) {
        struct dirent **ents = NULL;
        char **paths;
        int n;

        n = scandir("/dev", &ents, filter_gpiochip, versionsort);
        if (n < 0)
                return -errno;
        paths = calloc((size_t) n + 1, sizeof(char *));
        for (int i = 0; i < n; i++) {
                if (paths && asprintf(&paths[i], "/dev/%s", ents[i]->d_name) < 0) {
                        paths[i] = NULL;
                        chip_list_free(paths);
                        paths = NULL;
                }
                free(ents[i]);
        }
        free(ents);
        if (!paths)
                return -ENOMEM;
        *ret = paths;
        return n;
}

/* Opens the first chip in number order that match() accepts. libgpiod 1.x's own searches
 * (gpiod_chip_open_by_label(), gpiod_line_find()) give up when any chip cannot be opened, so a
 * daemon allowed only its own chip could not find its line by name, and 2.x has no search at
 * all. This walk skips such a chip, and returns its error instead of -ENODEV when nothing
 * matched: "permission denied" says more than "not found". */
static int chip_search(const LockGpiodOps *ops, LockGpiodMatch match, const char *what, struct gpiod_chip **ret) {
        char **list = NULL;
        int n, r, first_error = 0;

        n = chip_list(&list);
        if (n < 0)
                return n;

        for (int i = 0; i < n; i++) {
                _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
                const char *path = list[i];

                if (!ops->is_chip(path))
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
                        chip_list_free(list);
                        *ret = TAKE_PTR(chip);
                        return 0;
                }
        }

        chip_list_free(list);
        return first_error < 0 ? first_error : -ENODEV;
}

/* A path, a chip name ("gpiochip0"), a chip number, or else a label. */
static int chip_lookup(const LockGpiodOps *ops, const char *descr, struct gpiod_chip **ret) {
        char path[300];

        if (descr[0] == '/')
                return chip_open(descr, ret);
        if (descr[0] != '\0' && strspn(descr, "0123456789") == strlen(descr))
                (void) snprintf(path, sizeof(path), "/dev/gpiochip%s", descr);
        else
                (void) snprintf(path, sizeof(path), "/dev/%s", descr);
        if (!strchr(descr, '/') && ops->is_chip(path))
                return chip_open(path, ret);
        return chip_search(ops, ops->has_label, descr, ret);
}

int lock_gpiod_open_chip(const LockGpiodOps *ops, const LockConfig *c, struct gpiod_chip **ret) {
        if (c->line_offset < 0 && !c->line_name)
                return -EINVAL;

        if (c->chip)
                return chip_lookup(ops, c->chip, ret);
        if (c->line_offset < 0)
                /* No chip: the name is looked up on every chip, first match in chip order. */
                return chip_search(ops, ops->has_line, c->line_name, ret);
        return -EINVAL; /* an offset means nothing without its chip */
}

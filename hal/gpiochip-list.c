/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/gpiochip-list.h"

static int filter_gpiochip(const struct dirent *de) {
        return strncmp(de->d_name, "gpiochip", 8) == 0;
}

void gpiochip_list_free(char **list) {
        for (char **p = list; p && *p; p++)
                free(*p);
        free(list);
}

int gpiochip_list(char ***ret) {
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
                        gpiochip_list_free(paths);
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

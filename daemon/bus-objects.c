/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the object kinds below the manager (doors, areas) share on the bus: finding an object by
 * the id in its path, and listing the paths for introspection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus.h"

const char *bus_object_id(const char *path, const char *prefix) {
        size_t n = strlen(prefix);

        /* Ids are [A-Za-z0-9_] (the configuration checks), path elements as they are, with no
         * escaping to undo. */
        if (strncmp(path, prefix, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
                return NULL;
        return path + n + 1;
}

int bus_object_paths(const Manager *m, size_t n, const char *(*path)(const Manager *m, size_t i), char ***ret) {
        char **l = calloc(n + 1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i] = strdup(path(m, i));
                if (!l[i]) {
                        for (size_t j = 0; j < i; j++)
                                free(l[j]);
                        free(l);
                        return -ENOMEM;
                }
        }
        *ret = l;
        return 0;
}

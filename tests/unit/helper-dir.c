/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/helper-dir.h"

void th_dir_new(char path[static TH_DIR_MAX], const char *template) {
        if (strlen(template) >= TH_DIR_MAX)
                abort();
        strcpy(path, template);
        if (!mkdtemp(path))
                abort();
        alarm(10);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path);
}

void th_dir_remove(const char *path) {
        alarm(0);
        /* Depth first, and without following links: a test's links may point anywhere. */
        if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
                abort();
}

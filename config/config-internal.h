/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What config.c (loading) and config-build.c (what is built from a loaded configuration) share.
 * Not for use outside config/. */

#include <stdio.h>

#include "config/config.h"

/* Problems are collected, not returned one at a time: an operator fixing a file wants them all. */
typedef struct Errors {
        const char *file;
        FILE *f;
        char *buf;
        size_t size;
        unsigned count;
} Errors;

/* Closes e->f. Returns 0 when nothing was reported (the text is freed), -EINVAL with the report
 * in *ret_errors (the caller frees it), or -ENOMEM. */
int config_errors_finish(Errors *e, char **ret_errors);

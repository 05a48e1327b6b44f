/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_internal(int level, int error, const char *fmt, ...) {
        int saved = errno;
        va_list ap;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                /* Line-buffered stderr would interleave with other writers; build the line first. */
                char *msg = NULL;
                errno = error;
                va_start(ap, fmt);
                int n = vasprintf(&msg, fmt, ap);
                va_end(ap);
                if (n >= 0) {
                        if (isatty(STDERR_FILENO))
                                fprintf(stderr, "%s\n", msg);
                        else
                                fprintf(stderr, "<%d>%s\n", level, msg);
                        free(msg);
                }
        }
        errno = saved;
        return -error;
}

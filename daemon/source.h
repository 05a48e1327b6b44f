/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A line-based code source: a named pipe the daemon creates, where every line is one scanned
 * code for the source's door. Scanners in keyboard or serial mode deliver exactly that, and a
 * bridge process (or a test) can write to it. */

#include <systemd/sd-event.h>

#include "core/verifier.h"
#include "daemon/manager.h"

struct Source {
        Manager *manager;
        char *id;
        char *door;
        char *path;
        int fd;
        sd_event_source *io;
        /* One line in progress; longer than any code means garbage, which is skipped to the
         * next newline and reported once as too long. */
        char buf[CODE_MAX_TEXT + 1];
        size_t len;
        bool overflow;
};

int source_new(Manager *m, const SourceConf *c, Source **ret);
Source *source_free(Source *s);

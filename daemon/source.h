/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A line-based code source: a scanner (hal/scanner.h: a named pipe the daemon creates, a serial
 * scanner, ...) whose every line is one scanned code for the source's door.
 *
 * A source is hostile input: it may deliver anything, as fast as it can. So each wake-up reads
 * at most one buffer (the loop then serves everything else before the next), lines beyond the
 * source's max_rate are counted rather than decided (a "source" alarm, and one rate-limited
 * decision, say so), and repeated refusals of input that identifies nobody are coalesced
 * (daemon/coalesce.h). */

#include <systemd/sd-event.h>

#include "core/verifier.h"
#include "daemon/coalesce.h"
#include "daemon/line-buffer.h"
#include "daemon/manager.h"
#include "hal/scanner.h"

struct Source {
        Manager *manager;
        char *id;
        char *door;
        Scanner *scanner;
        sd_event_source *io;
        ScanChars chars; /* what the last read delivered */
        char terminator; /* ends a line as '\n' does, or 0 */
        /* One line in progress; it ends at a newline, or after idle_usec without a byte (then
         * the idle timer ends it). Longer than any code means garbage, skipped to the next end
         * and reported once as too long. */
        LineBuffer line;
        uint64_t idle_usec;
        sd_event_source *idle;
        /* Rate limit: a token bucket in thousandths of a line, refilled at max_rate lines a
         * second up to two seconds' worth. */
        uint32_t max_rate;
        uint64_t tokens;
        uint64_t refilled_usec;
        /* A flood: lines over the rate since the alarm was raised; it clears after a quiet spell. */
        bool flooding;
        uint64_t dropped;
        sd_event_source *quiet;
        Coalescer *coalescer;
};

/* Opens the source's scanner (creating its FIFO) and watches it on m's event loop. Returns 0 and a source
 * that must be freed with source_free() (the manager does, at stop), or -errno, logged. */
int source_new(Manager *m, const SourceConf *c, Source **ret);
/* Stops watching, writes what its coalescer still counts, closes the scanner. Returns NULL. */
Source *source_free(Source *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Source *, source_free);

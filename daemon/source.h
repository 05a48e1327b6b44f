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

#include <systemd/sd-device.h>
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
        /* The device: for fifo opened at start; for evdev, hidpos and serial whenever the USB
         * device (serial: the node) the configuration names is there (present), found at start and by
         * the hot-plug monitor afterwards (daemon/source-usb.c). */
        ScannerConfig conf;   /* strings owned (serial, port, path) */
        Scanner *scanner;     /* NULL while absent */
        sd_event_source *io;
        bool present;
        int attach_error;               /* the last open's, said once */
        bool absent_alarm;              /* the "scanner" alarm is raised */
        sd_device_monitor *monitor;     /* udev's, when udev runs */
        sd_event_source *uevent;        /* the kernel's */
        sd_event_source *retry;         /* an open refused for permission, tried again */
        unsigned retries;
        ScanChars chars; /* what the last read delivered */
        char terminator; /* ends a line as '\n' does, or 0 */
        char *prefix;    /* what the scanner sends before every code, stripped; NULL: none */
        /* Keystroke injection through an allowed wedge identity: a line typed slower than
         * min_rate characters a second (or ended by the pause, not the scanner's suffix) is a
         * person, refused as typed-too-slowly; the "typing" alarm clears after a quiet spell. */
        uint32_t min_rate;
        bool typing_alarm;
        sd_event_source *typing_quiet;
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

/* A line of n characters (its end not counted) typed over duration_usec from the first to the
 * last is slower than min_rate characters a second (0: no rule). At least two characters are
 * needed to measure; exactly min_rate is fast enough. */
bool source_typed_too_slowly(size_t n, uint64_t duration_usec, uint32_t min_rate);

/* For daemon/source-usb.c: opens the USB device node of an evdev, hidpos or serial source and starts
 * reading it (present); closes it (absent) with why. */
int source_attach(Source *s);
void source_detach(Source *s, int error);
/* Starts/stops finding the device of an evdev, hidpos or serial source (daemon/source-usb.c). */
int source_usb_start(Source *s);
void source_usb_stop(Source *s);
/* Watches s->scanner's fd on the loop (s->io). */
int source_watch(Source *s);
/* The source's Present property changed: tell the bus (daemon/bus-source.c). */
void source_present_changed(Source *s);

/* Opens the source's scanner (creating its FIFO) and watches it on m's event loop. Returns 0 and a source
 * that must be freed with source_free() (the manager does, at stop), or -errno, logged. */
int source_new(Manager *m, const SourceConf *c, Source **ret);
/* Stops watching, writes what its coalescer still counts, closes the scanner. Returns NULL. */
Source *source_free(Source *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Source *, source_free);

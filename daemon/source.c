/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/decide.h"
#include "daemon/event-util.h"
#include "daemon/line-buffer.h"
#include "daemon/log.h"
#include "daemon/source.h"
#include "daemon/station.h"

/* A flood is over once the source has been within its rate this long. */
#define QUIET_USEC (5U * 1000U * 1000U)
#define TOKEN 1000U /* one line, in the bucket's unit */

static uint64_t now_usec(Source *s) {
        uint64_t t = 0;
        (void) sd_event_now(s->manager->event, CLOCK_MONOTONIC, &t);
        return t;
}

static bool rate_take(Source *s) {
        uint64_t now = now_usec(s), cap = 2ULL * s->max_rate * TOKEN;

        /* max_rate lines a second: max_rate * TOKEN per 10^6 usec. */
        s->tokens = MIN(cap, s->tokens + (now - s->refilled_usec) * s->max_rate / 1000U);
        s->refilled_usec = now;
        if (s->tokens < TOKEN)
                return false;
        s->tokens -= TOKEN;
        return true;
}

static int on_quiet(sd_event_source *es, uint64_t usec, void *userdata) {
        Source *s = userdata;
        char text[128];

        s->flooding = false;
        snprintf(text, sizeof(text), "%" PRIu64 " lines over %u a second were dropped", s->dropped, s->max_rate);
        log_notice("Source %s: within its rate again; %s.", s->id, text);
        if (s->manager->audit)
                (void) audit_log_alarm(s->manager->audit, "source", s->door, false, text);
        s->dropped = 0;
        return 0;
}

/* A line over the rate: counted, not decided. The first of a flood is a decision of its own
 * (rate-limited) and raises the alarm; the alarm clears with the count after a quiet spell. */
static void flood(Source *s) {
        char detail[128];

        s->dropped++;
        if (!s->flooding) {
                s->flooding = true;
                snprintf(detail, sizeof(detail), "source %s delivers more than %u lines a second", s->id, s->max_rate);
                log_warning("Source %s: more than %u lines a second; lines over the rate are dropped until it is quiet.",
                            s->id, s->max_rate);
                if (s->manager->audit)
                        (void) audit_log_alarm(s->manager->audit, "source", s->door, true, detail);
                decide_refuse(s->manager, s->door, s->id, REASON_RATE_LIMITED, detail, s->coalescer);
        }
        if (event_arm_timer_relative(s->manager->event, &s->quiet, QUIET_USEC, 0, on_quiet, s) < 0)
                (void) on_quiet(s->quiet, 0, s); /* no timer: clear now rather than never */
}

static int on_typing_quiet(sd_event_source *es, uint64_t usec, void *userdata) {
        Source *s = userdata;

        s->typing_alarm = false;
        log_notice("Source %s: no line typed at human speed for %u s.", s->id, QUIET_USEC / 1000000U);
        if (s->manager->audit)
                (void) audit_log_alarm(s->manager->audit, "typing", s->door, false, "no more lines typed at human speed");
        return 0;
}

bool source_typed_too_slowly(size_t n, uint64_t duration_usec, uint32_t min_rate) {
        if (min_rate == 0 || n < 2)
                return false;
        /* (n - 1) intervals in duration_usec: slower than min_rate when duration_usec exceeds
         * (n - 1) / min_rate seconds. */
        return duration_usec * min_rate > (uint64_t) (n - 1) * 1000000U;
}

/* A keyboard-wedge line that a person typed rather than the scanner: refused, with an alarm
 * (docs/scanners.md). by_pause: it ended by the idle pause, not by the scanner's suffix, which
 * a scanner always sends right after the code. */
static bool typed_by_a_person(Source *s, size_t n, bool by_pause) {
        uint64_t duration = line_buffer_duration_usec(&s->line);
        char detail[160];

        if (s->min_rate == 0)
                return false;
        if (by_pause && s->terminator != 0)
                snprintf(detail, sizeof(detail), "source %s: a line of %zu characters without the scanner's suffix", s->id, n);
        else if (source_typed_too_slowly(n, duration, s->min_rate))
                snprintf(detail, sizeof(detail), "source %s: %zu characters typed in %" PRIu64 " ms, slower than %u a second",
                         s->id, n, duration / 1000U, s->min_rate);
        else
                return false;
        if (!s->typing_alarm) {
                s->typing_alarm = true;
                log_warning("Source %s: a line was typed at human speed, not scanned; refused (keystroke injection?).", s->id);
                if (s->manager->audit)
                        (void) audit_log_alarm(s->manager->audit, "typing", s->door, true, detail);
        }
        if (event_arm_timer_relative(s->manager->event, &s->typing_quiet, QUIET_USEC, 0, on_typing_quiet, s) < 0)
                (void) on_typing_quiet(s->typing_quiet, 0, s);
        decide_refuse(s->manager, s->door, s->id, REASON_TYPED_TOO_SLOWLY, detail, s->coalescer);
        return true;
}

/* A line without the prefix the scanner is set to send is not the scanner's: refused. The
 * prefix is taken off a line that has it. */
static bool lacks_prefix(Source *s, const char **text, size_t *n) {
        size_t k = s->prefix ? strlen(s->prefix) : 0;
        char detail[96];

        if (*n >= k && memcmp(*text, s->prefix ?: "", k) == 0) {
                *text += k;
                *n -= k;
                return false;
        }
        snprintf(detail, sizeof(detail), "source %s: the line does not begin with the scanner's prefix", s->id);
        decide_refuse(s->manager, s->door, s->id, REASON_MISSING_PREFIX, detail, s->coalescer);
        return true;
}

/* A scanner set to send AIM identifiers (printed barcodes need them) sends a QR code's too:
 * "]Q" and a digit, which is no part of the code (docs/scanners.md). */
static void strip_qr_aim(const char **text, size_t *n) {
        if (*n >= 3 && (*text)[0] == ']' && (*text)[1] == 'Q' && (*text)[2] >= '0' && (*text)[2] <= '9') {
                *text += 3;
                *n -= 3;
        }
}

/* A line the backend marked damaged (hal/keymap.h: KEYMAP_UNMAPPED) is refused with the cause
 * said, not left to the verifier, which could only name a character that is no base45. */
static bool damaged(Source *s, const char *text, size_t n) {
        char detail[sizeof(((Decision *) NULL)->detail)];

        if (!memchr(text, KEYMAP_UNMAPPED, n))
                return false;
        /* At most 170 characters with a 32-character id: the decision's detail holds 191. */
        snprintf(detail, sizeof(detail),
                 "source %s: part of the line was lost (a key without a character in the layout, key presses "
                 "the kernel dropped, or a broken report); scan again", s->id);
        decide_refuse(s->manager, s->door, s->id, REASON_BAD_ENCODING, detail, s->coalescer);
        return true;
}

static void line_done(Source *s, bool by_pause) {
        Decision d;
        size_t n;
        const char *text = line_buffer_text(&s->line, &n);

        if (n == 0)
                ; /* a lone CR left idle: nothing was scanned */
        else if (!rate_take(s))
                flood(s);
        else if (!typed_by_a_person(s, n, by_pause) && !damaged(s, text, n) && !lacks_prefix(s, &text, &n)) {
                strip_qr_aim(&text, &n);
                /* At a lending station's door an item is no code to decide on. */
                if (station_take_line(s->manager, s->door, text, n)) {
                        line_buffer_reset(&s->line);
                        return;
                }
                DecideRequest req = {
                        .door = s->door,
                        .text = text,
                        .len = n,
                        .origin = s->id,
                        .coalescer = s->coalescer,
                };
                (void) decide(s->manager, &req, &d);
        }
        line_buffer_reset(&s->line);
}

static int on_idle(sd_event_source *es, uint64_t usec, void *userdata) {
        Source *s = userdata;

        /* The line's writer stopped without a newline: it is a line of its own, not the start
         * of the next writer's. */
        if (line_buffer_stale(&s->line, now_usec(s), s->idle_usec))
                line_done(s, true);
        return 0;
}

static void arm_idle(Source *s) {
        /* 1 ms accuracy: sd-event's default (250 ms) would be longer than the timeout itself. */
        if (line_buffer_pending(&s->line) &&
            event_arm_timer(s->manager->event, &s->idle, s->line.last_usec + s->idle_usec, 1000, on_idle, s) < 0)
                /* Without the timer the line still ends at its newline, or at the next byte
                 * after the timeout (on_readable() checks). */
                log_debug("Source %s: cannot arm the idle timer.", s->id);
}

/* The configured terminator ends a line as a newline does. */
static char translate(const Source *s, char c) {
        return s->terminator != 0 && c == s->terminator ? '\n' : c;
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Source *s = userdata;
        ScanChars *in = &s->chars;
        uint64_t now = now_usec(s);
        int r;

        /* One read per wake-up, however much is waiting: the device stays readable, and the loop
         * serves the relock timer, the bus and the token's results before it comes back here. */
        r = scanner_read(s->scanner, now, in);
        if (r == -EAGAIN)
                return 0;
        if (r < 0 && (s->conf.type == SCANNER_EVDEV || s->conf.type == SCANNER_HIDPOS || s->conf.type == SCANNER_SERIAL)) {
                /* Unplugged (or failing): closed until the hot-plug monitor sees it again. */
                source_detach(s, r);
                return 0;
        }
        if (r < 0) {
                /* The device is unusable (gone, or an error): stop watching it rather than spin. */
                log_error_errno(r, "Source %s: read failed, disabling: %m", s->id);
                s->present = false;
                source_present_changed(s);
                return sd_event_source_set_enabled(es, SD_EVENT_OFF);
        }
        /* A line left waiting past the timeout ends before these characters, even when the loop
         * serves this read before the idle timer that is due too. */
        if (line_buffer_stale(&s->line, in->n > 0 ? in->usec[0] : now, s->idle_usec))
                line_done(s, true);
        for (size_t i = 0; i < in->n; i++) {
                if (line_buffer_stale(&s->line, in->usec[i], s->idle_usec))
                        line_done(s, true);
                if (line_buffer_put(&s->line, translate(s, in->c[i]), in->usec[i]) == LINE_COMPLETE)
                        line_done(s, false);
        }
        arm_idle(s);
        return 0;
}

/* What the source reads, for messages: its path, or the USB device it accepts. */
static void source_describe(const SourceConf *c, char *buf, size_t size) {
        if (c->path)
                snprintf(buf, size, "%s %s", c->type, c->path);
        else
                snprintf(buf, size, "%s %04x:%04x%s%s%s%s", c->type, c->scanner.usb.vendor, c->scanner.usb.product,
                         c->scanner.usb.serial ? " serial " : "", c->scanner.usb.serial ?: "",
                         c->scanner.usb.port ? " port " : "", c->scanner.usb.port ?: "");
}

int source_new(Manager *m, const SourceConf *c, Source **ret) {
        _cleanup_(source_freep) Source *s = calloc(1, sizeof(Source));
        char what[160];
        int r;

        if (!s)
                return log_oom();
        s->manager = m;
        s->max_rate = c->max_rate;
        s->idle_usec = (uint64_t) c->line_timeout_ms * 1000U;
        s->terminator = c->terminator;
        s->min_rate = c->min_rate;
        s->tokens = 2ULL * c->max_rate * TOKEN;
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &s->refilled_usec);
        s->conf = c->scanner;
        s->conf.path = c->path ? strdup(c->path) : NULL;
        s->conf.usb.serial = c->scanner.usb.serial ? strdup(c->scanner.usb.serial) : NULL;
        s->conf.usb.port = c->scanner.usb.port ? strdup(c->scanner.usb.port) : NULL;
        s->id = strdup(c->id);
        s->door = strdup(c->door);
        s->prefix = c->prefix ? strdup(c->prefix) : NULL;
        if (!s->id || !s->door || (c->prefix && !s->prefix) || (c->path && !s->conf.path) || (c->scanner.usb.serial && !s->conf.usb.serial) ||
            (c->scanner.usb.port && !s->conf.usb.port) || coalescer_new(m, s->id, &s->coalescer) < 0)
                return log_oom();

        source_describe(c, what, sizeof(what));
        if (c->scanner.type == SCANNER_EVDEV || c->scanner.type == SCANNER_HIDPOS || c->scanner.type == SCANNER_SERIAL) {
                /* Absent at start is no error: the scanner may be plugged in later. A serial
                 * path that is there and no terminal is a configuration mistake, said now
                 * (the manager then reads the other sources without this one). */
                r = source_usb_start(s);
                if (r == -ENOTTY)
                        return log_error_errno(r, "Source %s: %s exists and is not a terminal.", c->id, what);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r, "Source %s: cannot watch for %s: %m", c->id, what);
                *ret = TAKE_PTR(s);
                return 0;
        }
        r = scanner_open(&s->conf, &s->scanner);
        if (r == -ENOTTY)
                return log_error_errno(r, "Source %s: %s exists and is not a %s.", c->id, what,
                                       c->scanner.type == SCANNER_FIFO ? "FIFO" : "terminal");
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "Source %s: type %s is not supported by this build.", c->id, c->type);
        if (r < 0)
                return log_error_errno(r, "Source %s: cannot open %s: %m", c->id, what);
        r = sd_event_add_io(m->event, &s->io, s->scanner->fd, EPOLLIN, on_readable, s);
        if (r < 0)
                return log_error_errno(r, "Source %s: cannot watch %s: %m", c->id, what);
        s->present = true;
        log_debug("Source %s: reading codes for door %s from %s.", s->id, s->door, what);
        *ret = TAKE_PTR(s);
        return 0;
}

int source_watch(Source *s) {
        return sd_event_add_io(s->manager->event, &s->io, s->scanner->fd, EPOLLIN, on_readable, s);
}

Source *source_free(Source *s) {
        if (!s)
                return NULL;
        s->io = sd_event_source_disable_unref(s->io);
        sd_event_source_disable_unref(s->quiet);
        sd_event_source_disable_unref(s->idle);
        s->coalescer = coalescer_free(s->coalescer);
        sd_event_source_disable_unref(s->typing_quiet);
        source_usb_stop(s);
        s->scanner = scanner_free(s->scanner);
        free((char *) s->conf.path);
        free((char *) s->conf.usb.serial);
        free((char *) s->conf.usb.port);
        free(s->id);
        free(s->door);
        free(s->prefix);
        free(s);
        return NULL;
}

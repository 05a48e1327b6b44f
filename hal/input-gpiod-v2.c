/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gpiod input backend for libgpiod 2.x: one input line with edge detection on both edges,
 * held by a gpiod_line_request whose fd the daemon watches. hal/input-gpiod-v1.c is the same
 * backend for the 1.x API; the build compiles the one the installed library has, and tests/hw
 * runs both against a real kernel.
 *
 * Levels are logical: active_low becomes GPIO_V2_LINE_FLAG_ACTIVE_LOW, and the kernel reports
 * the edges of the logical level, timed by CLOCK_MONOTONIC (the default event clock). The
 * kernel's debounce period (gpiod_line_settings_set_debounce_period_us()) is left at 0 on
 * purpose: hal/debounce.h debounces every backend alike, 1.6 has no such setting, and one
 * behaviour is what the tests pin. */

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "hal/input.h"
#include "hal/lock-gpiod.h"

#define EVENT_BUFFER 16

typedef struct GpiodInput {
        struct gpiod_line_request *request;
        struct gpiod_edge_event_buffer *buffer;
} GpiodInput;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_chip_info *, gpiod_chip_info_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_settings *, gpiod_line_settings_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_line_config *, gpiod_line_config_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpiod_request_config *, gpiod_request_config_free);

static int find_offset(struct gpiod_chip *chip, const InputConfig *c, unsigned *ret) {
        int r;

        if (c->line_offset >= 0) {
                _cleanup_(gpiod_chip_info_freep) struct gpiod_chip_info *info = NULL;

                errno = 0;
                info = gpiod_chip_get_info(chip);
                if (!info)
                        return lock_gpiod_error(-EIO);
                if ((size_t) c->line_offset >= gpiod_chip_info_get_num_lines(info))
                        return -ENODEV;
                *ret = (unsigned) c->line_offset;
                return 0;
        }
        errno = 0;
        r = gpiod_chip_get_line_offset_from_name(chip, c->line_name);
        if (r < 0)
                return lock_gpiod_error(-ENODEV);
        *ret = (unsigned) r;
        return 0;
}

static int gpiod_v2_open(Input *in, const InputConfig *c, bool *ret_active) {
        GpiodInput *g = in->priv;
        /* The chip is found as a lock's is (hal/lock-gpiod.c): the same keys mean the same. */
        const LockConfig where = { .id = c->id, .chip = c->chip, .line_offset = c->line_offset, .line_name = c->line_name };
        _cleanup_(gpiod_chip_closep) struct gpiod_chip *chip = NULL;
        _cleanup_(gpiod_line_settings_freep) struct gpiod_line_settings *settings = NULL;
        _cleanup_(gpiod_line_config_freep) struct gpiod_line_config *line_config = NULL;
        _cleanup_(gpiod_request_config_freep) struct gpiod_request_config *request_config = NULL;
        char consumer[32]; /* the kernel keeps 31 characters of it (GPIO_MAX_NAME_SIZE) */
        enum gpiod_line_value v;
        unsigned offset;
        int r, fd, flags;

        r = lock_gpiod_open_chip(&lock_gpiod_chip_ops, &where, &chip);
        if (r < 0)
                return r;
        r = find_offset(chip, c, &offset);
        if (r < 0)
                return r;

        settings = gpiod_line_settings_new();
        line_config = gpiod_line_config_new();
        request_config = gpiod_request_config_new();
        g->buffer = gpiod_edge_event_buffer_new(EVENT_BUFFER);
        if (!settings || !line_config || !request_config || !g->buffer)
                return -ENOMEM;
        errno = 0;
        if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
            gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0)
                return lock_gpiod_error(-EINVAL);
        gpiod_line_settings_set_active_low(settings, c->active_low);
        if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0)
                return lock_gpiod_error(-EINVAL);
        (void) snprintf(consumer, sizeof(consumer), "qrgate:%s", in->id);
        gpiod_request_config_set_consumer(request_config, consumer);
        gpiod_request_config_set_event_buffer_size(request_config, EVENT_BUFFER);

        errno = 0;
        g->request = gpiod_chip_request_lines(chip, request_config, line_config);
        if (!g->request)
                return lock_gpiod_error(-EIO);

        errno = 0;
        v = gpiod_line_request_get_value(g->request, offset);
        if (v == GPIOD_LINE_VALUE_ERROR)
                return lock_gpiod_error(-EIO);
        fd = gpiod_line_request_get_fd(g->request);
        /* A read must never wait: the daemon reads only when the fd is readable, but an edge may
         * have been consumed between the wake-up and the read. */
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        in->fd = fd;
        *ret_active = v == GPIOD_LINE_VALUE_ACTIVE;
        return 0;
}

static int gpiod_v2_read(Input *in, InputEdge *edges, size_t n) {
        GpiodInput *g = in->priv;
        int k;

        errno = 0;
        k = gpiod_line_request_read_edge_events(g->request, g->buffer, MIN(n, (size_t) EVENT_BUFFER));
        if (k < 0)
                return errno == EAGAIN ? 0 : lock_gpiod_error(-EIO);
        for (int i = 0; i < k; i++) {
                struct gpiod_edge_event *ev = gpiod_edge_event_buffer_get_event(g->buffer, (unsigned long) i);
                edges[i] = (InputEdge) {
                        .active = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE,
                        .usec = gpiod_edge_event_get_timestamp_ns(ev) / 1000u,
                };
        }
        return k;
}

static void gpiod_v2_close(Input *in) {
        GpiodInput *g = in->priv;

        if (g->request)
                gpiod_line_request_release(g->request);
        if (g->buffer)
                gpiod_edge_event_buffer_free(g->buffer);
        g->request = NULL;
        g->buffer = NULL;
        in->fd = -EBADF; /* the request's, closed with it */
}

const InputOps input_ops_gpiod = {
        .name = "gpiod",
        .priv_size = sizeof(GpiodInput),
        .open = gpiod_v2_open,
        .read = gpiod_v2_read,
        .close = gpiod_v2_close,
};

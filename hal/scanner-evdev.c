/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A keyboard-wedge scanner: its input device (/dev/input/eventN, found by its USB identity in
 * daemon/source-usb.c), read through libevdev and grabbed (EVIOCGRAB), so that no console, kiosk
 * browser or other reader of input sees its keystrokes. Key codes become characters through the
 * source's layout (hal/keymap.h), each stamped with the kernel's time of the key press
 * (CLOCK_MONOTONIC, set with EVIOCSCLOCKID): the daemon measures the typing speed with it. */
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <time.h>
#include <unistd.h>

#include "hal/scanner.h"

/* Events handled per wake-up at most: a key press and release with their SYN_REPORTs are four
 * events a character, so a whole QR code's worth, and then the loop serves everything else. */
#define EVENTS_MAX 4096

typedef struct Evdev {
        struct libevdev *dev;
        KeyLayout layout;
        KeyState keys;
} Evdev;

static int evdev_open(Scanner *s, const ScannerConfig *c) {
        Evdev *e = s->priv;
        int r;

        if (!c->devnode)
                return -ENOENT;
        s->fd = open(c->devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (s->fd < 0)
                return -errno;
        r = libevdev_new_from_fd(s->fd, &e->dev);
        if (r < 0)
                return r;
        /* A scanner's keyboard interface has the keys codes are typed with; a mouse, a consumer
         * control or a power button of the same device has not. */
        if (!libevdev_has_event_code(e->dev, EV_KEY, KEY_1) || !libevdev_has_event_code(e->dev, EV_KEY, KEY_A))
                return -ENOTTY;
        r = libevdev_set_clock_id(e->dev, CLOCK_MONOTONIC);
        if (r < 0)
                return r;
        /* Ours alone: the kernel delivers its events to no other reader while we hold it. */
        r = libevdev_grab(e->dev, LIBEVDEV_GRAB);
        if (r < 0)
                return r;
        e->layout = c->layout;
        return 0;
}

static uint64_t event_usec(const struct input_event *ev) {
        return (uint64_t) ev->input_event_sec * 1000000U + (uint64_t) ev->input_event_usec;
}

static int evdev_read(Scanner *s, uint64_t now_usec, ScanChars *out) {
        Evdev *e = s->priv;
        struct input_event ev;
        unsigned flag = LIBEVDEV_READ_FLAG_NORMAL;

        for (unsigned i = 0; i < EVENTS_MAX && out->n < SCAN_CHARS_MAX; i++) {
                int r = libevdev_next_event(e->dev, flag, &ev);
                if (r == -EAGAIN) {
                        if (flag == LIBEVDEV_READ_FLAG_SYNC) {
                                flag = LIBEVDEV_READ_FLAG_NORMAL; /* resynchronised */
                                continue;
                        }
                        return out->n > 0 ? 0 : -EAGAIN;
                }
                if (r < 0)
                        return r == -ENODEV || r == -EIO ? -ENODEV : r;
                if (r == LIBEVDEV_READ_STATUS_SYNC) {
                        /* The kernel's buffer overflowed (SYN_DROPPED): key presses were lost, so
                         * the line in progress is not the code. Poison it, and take libevdev's
                         * resynchronised state (which keys are held) before going on. */
                        if (flag == LIBEVDEV_READ_FLAG_NORMAL) {
                                out->c[out->n] = KEYMAP_UNMAPPED;
                                out->usec[out->n++] = event_usec(&ev);
                                flag = LIBEVDEV_READ_FLAG_SYNC;
                        }
                        if (ev.type == EV_KEY)
                                (void) keymap_feed(&e->keys, e->layout, ev.code, ev.value); /* modifiers only */
                        continue;
                }
                if (ev.type != EV_KEY)
                        continue;
                char c = keymap_feed(&e->keys, e->layout, ev.code, ev.value);
                if (c != 0) {
                        out->c[out->n] = c;
                        out->usec[out->n++] = event_usec(&ev);
                }
        }
        return 0;
}

static void evdev_close(Scanner *s) {
        Evdev *e = s->priv;

        if (e->dev) {
                (void) libevdev_grab(e->dev, LIBEVDEV_UNGRAB);
                libevdev_free(e->dev);
        }
}

const ScannerOps scanner_ops_evdev = {
        .type = SCANNER_EVDEV,
        .priv_size = sizeof(Evdev),
        .open = evdev_open,
        .read = evdev_read,
        .close = evdev_close,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A HID POS barcode scanner through hidraw (/dev/hidrawN, found by its USB identity in
 * daemon/source-usb.c). hidraw rather than libusb: the kernel's usbhid driver stays bound (no
 * detaching it from the interface, which needs write access to the whole USB device), a udev
 * rule can give the daemon's group exactly this node (docs/scanners.md), and each read(2) is one
 * whole report, watched by the daemon's epoll loop like any fd. */
#include <fcntl.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hal/hidpos-report.h"
#include "hal/scanner.h"

typedef struct Hidpos {
        bool in_symbol; /* a report with "more data" came; the symbol goes on */
} Hidpos;

static int hidpos_open(Scanner *s, const ScannerConfig *c) {
        struct hidraw_report_descriptor desc = {};
        int size = 0;

        if (!c->devnode)
                return -ENOENT;
        s->fd = open(c->devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (s->fd < 0)
                return -errno;
        /* Only the interface that is a POS barcode scanner (usage page 0x8C). */
        if (ioctl(s->fd, HIDIOCGRDESCSIZE, &size) < 0)
                return -errno;
        desc.size = (uint32_t) MIN(MAX(size, 0), HID_MAX_DESCRIPTOR_SIZE);
        if (ioctl(s->fd, HIDIOCGRDESC, &desc) < 0)
                return -errno;
        if (!hidpos_descriptor_is_barcode_scanner(desc.value, desc.size))
                return -ENOTTY;
        return 0;
}

static void put(ScanChars *out, char c, uint64_t usec) {
        if (out->n < SCAN_CHARS_MAX) {
                out->c[out->n] = c;
                out->usec[out->n++] = usec;
        }
}

static int hidpos_read(Scanner *s, uint64_t now_usec, ScanChars *out) {
        Hidpos *h = s->priv;
        uint8_t report[1024]; /* a longer report is cut: it is no scanned-data report */
        HidposReport r;
        ssize_t k;

        /* hidraw: one read, one report. */
        k = read(s->fd, report, sizeof(report));
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? -EAGAIN : errno == EIO ? -ENODEV : -errno;
        if (k == 0)
                return -ENODEV;
        if (hidpos_report_parse(report, (size_t) k, &r) < 0) {
                /* Not a scanned-data report (a status report, or garbage): whatever symbol was
                 * being put together is not to be trusted. */
                if (h->in_symbol) {
                        put(out, KEYMAP_UNMAPPED, now_usec);
                        put(out, '\n', now_usec);
                        h->in_symbol = false;
                }
                return 0;
        }
        if (!h->in_symbol && hidpos_aim_is_kept(r.aim))
                for (int i = 0; i < 3; i++)
                        put(out, r.aim[i], now_usec);
        for (size_t i = 0; i < r.len; i++)
                /* A newline inside the data would end the line early: the symbol is binary
                 * there, which the line's refusal says. */
                put(out, r.data[i] == '\n' ? KEYMAP_UNMAPPED : (char) r.data[i], now_usec);
        h->in_symbol = r.more;
        if (!r.more)
                put(out, '\n', now_usec);
        return 0;
}

const ScannerOps scanner_ops_hidpos = {
        .type = SCANNER_HIDPOS,
        .priv_size = sizeof(Hidpos),
        .open = hidpos_open,
        .read = hidpos_read,
};

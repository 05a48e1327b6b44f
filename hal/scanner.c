/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/string-table.h"
#include "hal/scanner.h"

static const char *const scanner_type_table[_SCANNER_TYPE_MAX] = {
        [SCANNER_FIFO] = "fifo",
        [SCANNER_EVDEV] = "evdev",
        [SCANNER_HIDPOS] = "hidpos",
        [SCANNER_SERIAL] = "serial",
};

DEFINE_STRING_TABLE_LOOKUP(scanner_type, ScannerType);

static const ScannerOps *const backends[] = {
        &scanner_ops_fifo,
        &scanner_ops_serial,
        &scanner_ops_evdev,
        &scanner_ops_hidpos,
};

static int hex4(const char *s, uint16_t *ret) {
        unsigned v = 0;

        for (int i = 0; i < 4; i++) {
                char c = s[i];
                unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0')
                           : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned) ((c | 0x20) - 'a' + 10)
                           : 16;
                if (d == 16)
                        return -EINVAL;
                v = v * 16 + d;
        }
        *ret = (uint16_t) v;
        return 0;
}

int usb_identity_parse(const char *s, uint16_t *ret_vendor, uint16_t *ret_product) {
        uint16_t v, p;

        /* Exactly "vvvv:pppp": lsusb's and udev's spelling; anything looser would let a typo
         * name another device. */
        if (!s || strlen(s) != 9 || s[4] != ':' || hex4(s, &v) < 0 || hex4(s + 5, &p) < 0)
                return -EINVAL;
        *ret_vendor = v;
        *ret_product = p;
        return 0;
}

bool usb_identity_matches(const UsbIdentity *id, uint16_t vendor, uint16_t product, const char *serial,
                          const char *port) {
        if (vendor != id->vendor || product != id->product)
                return false;
        /* A pinned serial or port must be there and equal: a device without one is not it. */
        if (id->serial && (!serial || strcmp(id->serial, serial) != 0))
                return false;
        if (id->port && (!port || strcmp(id->port, port) != 0))
                return false;
        return true;
}

static void scanner_free_unopened(Scanner *s) {
        free(s->priv);
        free(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Scanner *, scanner_free_unopened);

int scanner_open(const ScannerConfig *c, Scanner **ret) {
        const ScannerOps *ops = NULL;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (backends[i]->type == c->type)
                        ops = backends[i];
        if (!ops)
                return -EOPNOTSUPP;

        _cleanup_(scanner_free_unopenedp) Scanner *s = calloc(1, sizeof(Scanner));
        if (!s)
                return -ENOMEM;
        s->ops = ops;
        s->fd = -EBADF;
        s->priv = ops->priv_size > 0 ? calloc(1, ops->priv_size) : NULL;
        if (ops->priv_size > 0 && !s->priv)
                return -ENOMEM;
        r = ops->open(s, c);
        if (r < 0) {
                if (ops->close)
                        ops->close(s);
                if (s->fd >= 0)
                        close(s->fd);
                return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int scanner_read(Scanner *s, uint64_t now_usec, ScanChars *out) {
        out->n = 0;
        return s->ops->read(s, now_usec, out);
}

Scanner *scanner_free(Scanner *s) {
        if (!s)
                return NULL;
        if (s->ops->close)
                s->ops->close(s);
        if (s->fd >= 0)
                close(s->fd);
        free(s->priv);
        free(s);
        return NULL;
}

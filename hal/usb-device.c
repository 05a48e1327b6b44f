/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "hal/usb-device.h"

static bool attr_hex16(sd_device *d, const char *name, uint16_t *ret) {
        const char *v;
        char *end;
        unsigned long x;

        if (sd_device_get_sysattr_value(d, name, &v) < 0)
                return false;
        x = strtoul(v, &end, 16);
        if (end == v || x > 0xffff)
                return false;
        *ret = (uint16_t) x;
        return true;
}

bool usb_device_matches(sd_device *d, const UsbIdentity *id) {
        sd_device *usb;
        uint16_t vendor, product;
        const char *serial = NULL, *port = NULL;

        /* The parent borrowed from d: no reference to drop. */
        if (sd_device_get_parent_with_subsystem_devtype(d, "usb", "usb_device", &usb) < 0)
                return false;
        if (!attr_hex16(usb, "idVendor", &vendor) || !attr_hex16(usb, "idProduct", &product))
                return false;
        (void) sd_device_get_sysattr_value(usb, "serial", &serial);
        (void) sd_device_get_sysname(usb, &port);
        return usb_identity_matches(id, vendor, product, serial, port);
}

int usb_device_find(const UsbIdentity *id, const char *subsystem, const char *sysname_glob,
                    char *ret_nodes[static USB_CANDIDATES_MAX], size_t *ret_n) {
        sd_device_enumerator *e = NULL;
        size_t n = 0;
        int r;

        r = sd_device_enumerator_new(&e);
        if (r < 0)
                return r;
        /* Uninitialized devices too: by default sd-device skips a node udev has not processed
         * yet, and no event tells a sandboxed daemon when udev is done (udev's events do not
         * cross PrivateNetwork=; without udev, none ever is). The daemon retries an open that
         * udev's permissions do not allow yet (daemon/source-usb.c). */
        r = sd_device_enumerator_allow_uninitialized(e);
        if (r >= 0)
                r = sd_device_enumerator_add_match_subsystem(e, subsystem, true);
        if (r >= 0)
                r = sd_device_enumerator_add_match_sysname(e, sysname_glob);
        if (r >= 0)
                for (sd_device *d = sd_device_enumerator_get_device_first(e); d && n < USB_CANDIDATES_MAX;
                     d = sd_device_enumerator_get_device_next(e)) {
                        const char *node;
                        if (!usb_device_matches(d, id) || sd_device_get_devname(d, &node) < 0)
                                continue;
                        ret_nodes[n] = strdup(node);
                        if (!ret_nodes[n]) {
                                r = -ENOMEM;
                                break;
                        }
                        n++;
                }
        sd_device_enumerator_unref(e);
        if (r < 0) {
                while (n > 0)
                        free(ret_nodes[--n]);
                return r;
        }
        *ret_n = n;
        return 0;
}

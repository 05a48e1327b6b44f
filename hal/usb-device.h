/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finding a scanner's device node by the USB device it belongs to, through sd-device (sysfs; no
 * udev database needed). A keyboard-wedge scanner's /dev/input/eventN and a HID POS scanner's
 * /dev/hidrawN are children of a USB device whose idVendor, idProduct, serial and sysfs name
 * (the port path, "1-1.2") say which scanner it is. */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-device.h>

#include "hal/scanner.h"

#define USB_CANDIDATES_MAX 8

/* d (an input or hidraw device) belongs to the USB device id names. */
bool usb_device_matches(sd_device *d, const UsbIdentity *id);

/* The nodes of subsystem ("input" or "hidraw") whose name matches sysname_glob ("event*",
 * "hidraw*") and whose USB device id names: up to USB_CANDIDATES_MAX, in *ret_nodes (each must
 * be freed by the caller), their number in *ret_n. Returns 0 (possibly none found) or -errno. */
int usb_device_find(const UsbIdentity *id, const char *subsystem, const char *sysname_glob,
                    char *ret_nodes[static USB_CANDIDATES_MAX], size_t *ret_n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A code scanner: the device I/O of one source, turned into characters. The daemon
 * (daemon/source.c) watches the scanner's fd, calls scanner_read() when it is readable, and
 * assembles the characters into lines (daemon/line-buffer.h), rate-limits and decides them.
 *
 * Backends are ops tables chosen by the source's type: "fifo" (a named pipe the daemon creates;
 * hal/scanner-fifo.c), "serial" (a CDC-ACM tty through termios; hal/scanner-serial.c), "evdev"
 * (a keyboard-wedge scanner's input device; hal/scanner-evdev.c) and "hidpos" (a HID POS
 * barcode scanner through hidraw; hal/scanner-hidpos.c). Backends do not log: they return
 * -errno, and the daemon says what it means. A backend's read is bounded: one read(2) of the
 * device, however much is waiting, so that the daemon's loop serves everything else in between. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"
#include "hal/keymap.h"

typedef enum ScannerType {
        SCANNER_FIFO,
        SCANNER_EVDEV,
        SCANNER_HIDPOS,
        SCANNER_SERIAL,
        _SCANNER_TYPE_MAX,
        _SCANNER_TYPE_INVALID = -EINVAL,
} ScannerType;

const char *scanner_type_to_string(ScannerType t);
ScannerType scanner_type_from_string(const char *s);

/* Which USB device a source accepts: vendor and product always; the serial number and the port
 * path (sysfs "1-1.2", the physical socket) when the configuration pins them. */
typedef struct UsbIdentity {
        uint16_t vendor, product;
        const char *serial; /* NULL: any */
        const char *port;   /* NULL: any */
} UsbIdentity;

/* Parses "vvvv:pppp" (four hex digits each, as lsusb prints them). Returns 0 or -EINVAL. */
int usb_identity_parse(const char *s, uint16_t *ret_vendor, uint16_t *ret_product);
/* A device with these attributes (serial and port may be NULL: the device has none) is the one
 * id names. */
bool usb_identity_matches(const UsbIdentity *id, uint16_t vendor, uint16_t product, const char *serial,
                          const char *port);

/* Everything a backend needs. Strings are borrowed for the duration of scanner_open() only. */
typedef struct ScannerConfig {
        ScannerType type;
        const char *path;     /* fifo: the pipe; serial: the tty (/dev/ttyACM0, /dev/serial/by-id/...) */
        const char *devnode;  /* evdev, hidpos: the device node found for usb (daemon/source-usb.c) */
        UsbIdentity usb;      /* evdev, hidpos */
        KeyLayout layout;     /* evdev */
        uint32_t speed;       /* serial: bits a second */
} ScannerConfig;

/* What one read delivered: characters, each with the CLOCK_MONOTONIC time (µs) it was sent when
 * the device says (evdev), else when it was read. */
#define SCAN_CHARS_MAX 4096
typedef struct ScanChars {
        char c[SCAN_CHARS_MAX];
        uint64_t usec[SCAN_CHARS_MAX];
        size_t n;
} ScanChars;

typedef struct Scanner Scanner;

typedef struct ScannerOps {
        ScannerType type;
        size_t priv_size; /* bytes of backend state scanner_open() allocates, zeroed, at Scanner.priv */
        /* Opens the device and sets s->fd (non-blocking). */
        int (*open)(Scanner *s, const ScannerConfig *c);
        /* One read(2): appends what it made of it to out (which has room for SCAN_CHARS_MAX).
         * Returns 0 (possibly nothing appended), -EAGAIN when nothing was waiting, -ENODEV
         * when the device is gone, or another -errno. */
        int (*read)(Scanner *s, uint64_t now_usec, ScanChars *out);
        void (*close)(Scanner *s);
} ScannerOps;

struct Scanner {
        const ScannerOps *ops;
        int fd;
        void *priv;
};

extern const ScannerOps scanner_ops_fifo;
extern const ScannerOps scanner_ops_serial;
extern const ScannerOps scanner_ops_evdev;
extern const ScannerOps scanner_ops_hidpos;

/* Opens the backend of c->type. Returns 0 and a scanner that must be freed with scanner_free(),
 * or the backend's -errno (-ENOENT no such device, -EACCES no permission, -ENOTTY not the kind
 * of file the type needs, -EBUSY grabbed by another reader). */
int scanner_open(const ScannerConfig *c, Scanner **ret);
/* See ScannerOps.read; out->n is set to 0 first. */
int scanner_read(Scanner *s, uint64_t now_usec, ScanChars *out);
/* For backends and the configuration: one read(2) of bytes as they are, each stamped now_usec;
 * and whether the serial backend knows a speed (bits a second). */
int scanner_read_bytes(Scanner *s, uint64_t now_usec, ScanChars *out);
bool scanner_serial_speed_is_valid(uint32_t bps);

/* Closes the device and frees s. Returns NULL. */
Scanner *scanner_free(Scanner *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Scanner *, scanner_free);

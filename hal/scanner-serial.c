/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A serial scanner: USB CDC-ACM (/dev/ttyACM*) or a real UART, through termios. The scanner
 * sends each code as bytes ending in its terminator (CR by default on most models); the daemon
 * ends lines at the configured one. */
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "hal/scanner.h"

static speed_t speed_constant(uint32_t bps) {
        switch (bps) {
        case 1200: return B1200;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        default: return 0;
        }
}

bool scanner_serial_speed_is_valid(uint32_t bps) {
        return speed_constant(bps) != 0;
}

static int serial_open(Scanner *s, const ScannerConfig *c) {
        struct termios t;
        speed_t sp = speed_constant(c->speed);

        if (sp == 0)
                return -EINVAL;
        /* O_NOCTTY: a scanner must never become the daemon's controlling terminal (a hang-up
         * would then be a signal to it). */
        s->fd = open(c->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (s->fd < 0)
                return -errno;
        if (!isatty(s->fd))
                return -ENOTTY;
        if (tcgetattr(s->fd, &t) < 0)
                return -errno;
        /* Raw bytes: no echo back to the scanner, no line editing, no CR/LF translation (the
         * terminator is the daemon's), 8N1, no modem control lines. */
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (cfsetispeed(&t, sp) < 0 || cfsetospeed(&t, sp) < 0 || tcsetattr(s->fd, TCSANOW, &t) < 0)
                return -errno;
        /* What arrived before we were configured was read with other settings. */
        (void) tcflush(s->fd, TCIFLUSH);
        return 0;
}

static int serial_read(Scanner *s, uint64_t now_usec, ScanChars *out) {
        int r = scanner_read_bytes(s, now_usec, out);

        /* An unplugged CDC-ACM device reads as an I/O error or a hang-up (EOF). */
        return r == -EIO ? -ENODEV : r;
}

const ScannerOps scanner_ops_serial = {
        .type = SCANNER_SERIAL,
        .open = serial_open,
        .read = serial_read,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signed receipt on the station's ESC/POS printer (lending/escpos.h), when one is configured.
 * The printer is opened for each receipt, not held: a printer unplugged and plugged in again
 * (a paper jam cleared by a librarian) works for the next patron without a restart. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "lendd/lendd.h"
#include "lending/escpos.h"

/* A printer out of paper or with its cover open stops taking bytes; the kiosk's loop waits at
 * most this long for it, then the patron still has the receipt's QR code on the screen. */
#define PRINT_TIMEOUT_MS 1000

void lendd_print_receipt(Lendd *l, const Receipt *rc, const char *text) {
        const StationConf *st = &l->config->station;
        EscposOptions o = { .library = st->library_name, .columns = st->printer_columns };
        _cleanup_(freep) uint8_t *buf = NULL;
        _cleanup_(closep) int fd = -EBADF;
        size_t len = 0;
        const char *what = "format";
        int r;

        if (!st->printer)
                return;
        r = escpos_receipt(rc, text, &o, &buf, &len);
        if (r >= 0) {
                what = "open";
                r = escpos_open(st->printer, &fd);
        }
        if (r >= 0) {
                what = "write";
                r = escpos_write(fd, buf, len, PRINT_TIMEOUT_MS);
        }
        if (r < 0) {
                snprintf(l->printer_fault, sizeof(l->printer_fault), "printer %s: %s: %s%s", st->printer, what,
                         strerror(-r), r == -ETIMEDOUT ? " (out of paper, or the cover open?)" : "");
                log_warning("Receipt not printed: %s", l->printer_fault);
        } else
                l->printer_fault[0] = '\0';
        lendd_bus_changed(l, "ServiceState", "Faults", NULL);
}

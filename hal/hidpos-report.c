/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "hal/hidpos-report.h"

int hidpos_report_parse(const uint8_t *r, size_t n, HidposReport *ret) {
        if (n < HIDPOS_REPORT_SIZE || r[0] != HIDPOS_REPORT_ID || r[1] > HIDPOS_DATA_MAX)
                return -EBADMSG;
        *ret = (HidposReport) {
                .data = r + 5,
                .len = r[1],
                .more = r[63] & 1,
        };
        /* An AIM identifier is ']' and two printable characters; anything else is none. */
        if (r[2] == ']' && r[3] > 0x20 && r[3] < 0x7f && r[4] > 0x20 && r[4] < 0x7f)
                memcpy(ret->aim, r + 2, 3);
        return 0;
}

bool hidpos_aim_is_kept(const char aim[static 4]) {
        return aim[0] == ']' && (aim[1] == 'F' || aim[1] == 'E' || aim[1] == 'X');
}

bool hidpos_descriptor_is_barcode_scanner(const uint8_t *d, size_t n) {
        /* HID 1.11 §6.2.2: short items, prefix byte bSize (bits 0-1: 0, 1, 2 or 4 bytes), bType
         * (bits 2-3), bTag (bits 4-7); a long item is 0xFE, its size in the next byte. */
        for (size_t i = 0; i < n;) {
                uint8_t prefix = d[i];
                size_t size;

                if (prefix == 0xfe) {
                        if (i + 2 >= n)
                                return false;
                        i += 3 + (size_t) d[i + 1];
                        continue;
                }
                size = (size_t[]) { 0, 1, 2, 4 }[prefix & 3];
                if (i + 1 + size > n)
                        return false;
                if ((prefix & 0xfc) == 0x04 && size > 0) { /* Usage Page */
                        uint32_t v = 0;
                        for (size_t k = 0; k < size; k++)
                                v |= (uint32_t) d[i + 1 + k] << (8 * k);
                        if (v == 0x8c)
                                return true;
                }
                i += 1 + size;
        }
        return false;
}

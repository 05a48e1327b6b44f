/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HID POS input: what a USB device claiming to be a barcode scanner sends is hostile. The input
 * is a report descriptor (its first byte says how long) followed by reports of 64 bytes; each is
 * parsed as the backend does, and the symbol put together must stay within its bounds. */
#include <stdint.h>
#include <string.h>

#include "hal/hidpos-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char symbol[4096];
        size_t n = 0, desc;
        HidposReport r;

        if (size == 0)
                return 0;
        desc = data[0] < size - 1 ? data[0] : size - 1;
        (void) hidpos_descriptor_is_barcode_scanner(data + 1, desc);
        for (size_t off = 1 + desc; off < size; off += HIDPOS_REPORT_SIZE) {
                if (hidpos_report_parse(data + off, size - off, &r) < 0) {
                        n = 0;
                        continue;
                }
                if (n == 0 && hidpos_aim_is_kept(r.aim))
                        for (int i = 0; i < 3; i++)
                                symbol[n++] = r.aim[i];
                if (r.len > HIDPOS_DATA_MAX || r.data + r.len > data + size)
                        __builtin_trap();
                if (n + r.len <= sizeof(symbol)) {
                        memcpy(symbol + n, r.data, r.len);
                        n += r.len;
                }
                if (!r.more)
                        n = 0;
        }
        return 0;
}

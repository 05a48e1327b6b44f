/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The input report of a HID POS barcode scanner (USB HID Point of Sale usage tables, usage page
 * 0x8C "Bar Code Scanner", usage 0x12 "Scanned Data Report"), as scanners that implement it send
 * it (Honeywell, Zebra, Datalogic: the same 64-byte layout):
 *
 *   byte 0       report id, 0x02
 *   byte 1       how many bytes of symbol data this report holds, 0-56
 *   bytes 2-4    the AIM symbology identifier ("]Q1" for QR), or zeros
 *   bytes 5-60   symbol data
 *   bytes 61-62  vendor-defined
 *   byte 63      bit 0: more data follows in the next report (a long symbol)
 *
 * No keyboard layout is involved: the data are the symbol's bytes. No I/O here, so that the
 * parser is unit-tested and fuzzed on its own (tests/fuzz/fuzz-hidpos-report.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIDPOS_REPORT_ID 0x02
#define HIDPOS_REPORT_SIZE 64
#define HIDPOS_DATA_MAX 56

typedef struct HidposReport {
        const uint8_t *data; /* inside the report given */
        size_t len;
        char aim[4];         /* "]Q1", or "" when the scanner sends none */
        bool more;           /* the symbol goes on in the next report */
} HidposReport;

/* Parses one report of size n. Returns 0, -EBADMSG for a report that is not a scanned-data
 * report of this layout (another report id, a length beyond the report, a short report). */
int hidpos_report_parse(const uint8_t *r, size_t n, HidposReport *ret);

/* Whether the AIM identifier's symbology is one whose codes carry it in our formats (a printed
 * barcode: ]F Codabar, ]E EAN/UPC, ]X other; docs/code-format.md §7), so it is kept in front of
 * the data, as a wedge scanner set to send AIM identifiers types it. A QR code's (]Q) and others
 * are dropped: QG1: and HC1: say what the code is. */
bool hidpos_aim_is_kept(const char aim[static 4]);

/* Whether a HID report descriptor declares the POS barcode scanner usage page (0x8C): a Usage
 * Page item (global, tag 0x04) with that value. The scanner's other interfaces (a keyboard) do
 * not, and are not opened as HID POS. */
bool hidpos_descriptor_is_barcode_scanner(const uint8_t *d, size_t n);

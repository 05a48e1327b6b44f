/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HID POS scanned-data reports (hal/hidpos-report.c): one report, a symbol across several, the
 * data length at 55/56/57, short reports, AIM identifiers kept or dropped, and the report
 * descriptor test that tells the POS interface from a keyboard. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "core/macro.h"
#include "hal/hidpos-report.h"

static void make(uint8_t r[HIDPOS_REPORT_SIZE], const char *aim, const char *data, size_t len, bool more) {
        memset(r, 0, HIDPOS_REPORT_SIZE);
        r[0] = HIDPOS_REPORT_ID;
        r[1] = (uint8_t) len;
        if (aim)
                memcpy(r + 2, aim, 3);
        memcpy(r + 5, data, MIN(len, (size_t) HIDPOS_DATA_MAX));
        r[63] = more ? 1 : 0;
}

static void one_report_holds_a_short_symbol(void **state) {
        uint8_t r[HIDPOS_REPORT_SIZE];
        HidposReport p;

        make(r, "]Q1", "QG1:ABC", 7, false);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_int_equal(p.len, 7);
        assert_memory_equal(p.data, "QG1:ABC", 7);
        assert_string_equal(p.aim, "]Q1");
        assert_false(p.more);
        assert_false(hidpos_aim_is_kept(p.aim));
}

static void a_long_symbol_spans_reports(void **state) {
        uint8_t r[HIDPOS_REPORT_SIZE];
        HidposReport p;

        make(r, "]Q1", "0123456789012345678901234567890123456789012345678901234", 56, true);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_int_equal(p.len, 56);
        assert_true(p.more);
        make(r, "]Q1", "tail", 4, false);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_false(p.more);
}

static void lengths_at_the_limit(void **state) {
        uint8_t r[HIDPOS_REPORT_SIZE + 1];
        char data[HIDPOS_DATA_MAX];
        HidposReport p;

        memset(data, 'x', sizeof(data));
        make(r, NULL, data, 55, false);
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE, &p), 0);
        r[1] = 56;
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE, &p), 0);
        r[1] = 57;
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE, &p), -EBADMSG);
        r[1] = 0xff;
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE, &p), -EBADMSG);
        /* 63 bytes: short; 65: a longer report of the same layout is read. */
        r[1] = 3;
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE - 1, &p), -EBADMSG);
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE + 1, &p), 0);
        assert_int_equal(hidpos_report_parse(r, 0, &p), -EBADMSG);
        /* Another report id (a status report, a keyboard report). */
        r[0] = 0x01;
        assert_int_equal(hidpos_report_parse(r, HIDPOS_REPORT_SIZE, &p), -EBADMSG);
}

static void aim_identifiers(void **state) {
        uint8_t r[HIDPOS_REPORT_SIZE];
        HidposReport p;

        make(r, "]F0", "A1234B", 6, false);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_string_equal(p.aim, "]F0");
        assert_true(hidpos_aim_is_kept(p.aim));
        assert_true(hidpos_aim_is_kept("]E0"));
        assert_true(hidpos_aim_is_kept("]X0"));
        assert_false(hidpos_aim_is_kept("]d2"));
        assert_false(hidpos_aim_is_kept((char[4]) {}));
        /* Zeros, or bytes that are no identifier: none. */
        make(r, NULL, "x", 1, false);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_string_equal(p.aim, "");
        make(r, "]\n0", "x", 1, false);
        assert_int_equal(hidpos_report_parse(r, sizeof(r), &p), 0);
        assert_string_equal(p.aim, "");
}

static void descriptors(void **state) {
        /* Usage Page (POS Barcode Scanner) as a 2-byte and a 1-byte item. */
        const uint8_t pos2[] = { 0x06, 0x8c, 0x00, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0xc0 };
        const uint8_t pos1[] = { 0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0xc0 };
        /* A boot keyboard: Usage Page (Generic Desktop), (Keyboard/Keypad 0x07), no 0x8C. */
        const uint8_t kbd[] = { 0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0xc0 };
        /* 0x8C as a Usage (local, tag 0x08), not a Usage Page: not it. */
        const uint8_t usage[] = { 0x05, 0x01, 0x09, 0x8c, 0xc0 };
        /* A long item before the page; a truncated item. */
        const uint8_t longitem[] = { 0xfe, 0x02, 0x10, 0xaa, 0xbb, 0x05, 0x8c };
        const uint8_t truncated[] = { 0x06, 0x8c };

        assert_true(hidpos_descriptor_is_barcode_scanner(pos2, sizeof(pos2)));
        assert_true(hidpos_descriptor_is_barcode_scanner(pos1, sizeof(pos1)));
        assert_false(hidpos_descriptor_is_barcode_scanner(kbd, sizeof(kbd)));
        assert_false(hidpos_descriptor_is_barcode_scanner(usage, sizeof(usage)));
        assert_true(hidpos_descriptor_is_barcode_scanner(longitem, sizeof(longitem)));
        assert_false(hidpos_descriptor_is_barcode_scanner(truncated, sizeof(truncated)));
        assert_false(hidpos_descriptor_is_barcode_scanner(NULL, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(one_report_holds_a_short_symbol),
                cmocka_unit_test(a_long_symbol_spans_reports),
                cmocka_unit_test(lengths_at_the_limit),
                cmocka_unit_test(aim_identifiers),
                cmocka_unit_test(descriptors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

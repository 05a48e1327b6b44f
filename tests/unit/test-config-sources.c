/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `sources` list of the configuration: each type's keys and limits, every problem reported
 * by check-config with its line (config_check_file()). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-dir.h"

typedef struct Fixture {
        char dir[TH_DIR_MAX], conf[128], out[8192], err[8192];
        int status;
} Fixture;

static int set_up(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        th_dir_new(f->dir, "/tmp/qrgate-sources-XXXXXX");
        snprintf(f->conf, sizeof(f->conf), "%s/qrgate.conf", f->dir);
        *state = f;
        return 0;
}

static int tear_down(void **state) {
        Fixture *f = *state;

        th_dir_remove(f->dir);
        free(f);
        return 0;
}

#define DOOR \
        "locks = ( { id = \"main\"; backend = \"sim\"; } );\n" \
        "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n"

/* Checks DOOR followed by text: the sources start on line 3. */
static void check(Fixture *f, const char *text) {
        FILE *conf = fopen(f->conf, "we"), *out, *err;
        char *o = NULL, *e = NULL;
        size_t on = 0, en = 0;

        assert_non_null(conf);
        fputs(DOOR, conf);
        fputs(text, conf);
        assert_int_equal(fclose(conf), 0);
        out = open_memstream(&o, &on);
        err = open_memstream(&e, &en);
        assert_true(out && err);
        f->status = config_check_file(f->conf, out, err);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(err), 0);
        snprintf(f->out, sizeof(f->out), "%s", o);
        snprintf(f->err, sizeof(f->err), "%s", e);
        free(o);
        free(e);
}

static void assert_reported(const Fixture *f, const char *line_and_message) {
        char want[512];

        snprintf(want, sizeof(want), "%s:%s", f->conf, line_and_message);
        if (!strstr(f->err, want))
                fail_msg("want \"%s\" in:\n%s", want, f->err);
}

static void assert_ok(const Fixture *f) {
        if (f->status != 0)
                fail_msg("want no problem, got:\n%s", f->err);
}

static void line_timeout_has_its_bounds(void **state) {
        Fixture *f = *state;
        char text[256];

        /* 9, 10, 10000, 10001 ms. */
        static const struct { int ms; bool ok; } cases[] = { { 9, false }, { 10, true }, { 10000, true }, { 10001, false } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                snprintf(text, sizeof(text),
                         "sources = (\n { id = \"s\"; type = \"fifo\"; path = \"/run/x\"; door = \"main\";\n"
                         "   line_timeout_ms = %d; } );\n", cases[i].ms);
                check(f, text);
                if (cases[i].ok)
                        assert_ok(f);
                else {
                        snprintf(text, sizeof(text), "5: 'line_timeout_ms' is %d, must be between 10 and 10000", cases[i].ms);
                        assert_reported(f, text);
                }
        }
}

static void each_type_is_accepted_with_its_keys(void **state) {
        Fixture *f = *state;

        check(f, "sources = (\n"
                 " { id = \"f\"; type = \"fifo\"; path = \"/run/qrgate/f\"; door = \"main\"; },\n"
                 " { id = \"w\"; type = \"evdev\"; usb = \"05e0:1200\"; serial_number = \"S1\"; port = \"1-1.2\";\n"
                 "   layout = \"de\"; terminator = \"tab\"; min_rate = 60; door = \"main\"; },\n"
                 " { id = \"h\"; type = \"hidpos\"; usb = \"0c2e:0b61\"; door = \"main\"; },\n"
                 " { id = \"s\"; type = \"serial\"; path = \"/dev/ttyACM0\"; speed = 115200; terminator = \"crlf\"; door = \"main\"; } );\n");
        assert_ok(f);
        assert_non_null(strstr(f->out, "4 sources"));
}

static void an_unknown_type_is_reported_with_its_line(void **state) {
        Fixture *f = *state;

        check(f, "sources = (\n { id = \"s\";\n type = \"usb\"; path = \"/x\"; door = \"main\"; } );\n");
        assert_reported(f, "5: source type is \"usb\", must be \"fifo\", \"evdev\", \"hidpos\" or \"serial\"");
}

/* A key of another type is said, not ignored; a key the type needs is said missing. */
static void keys_of_another_type_and_missing_keys_are_reported(void **state) {
        Fixture *f = *state;

        check(f, "sources = (\n { id = \"s\"; type = \"serial\"; door = \"main\";\n layout = \"de\"; } );\n");
        assert_reported(f, "5: 'layout' does not apply to a source of type \"serial\" (only to \"evdev\")");
        assert_reported(f, "4: a source of type \"serial\" is missing required key 'path'");
        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\";\n path = \"/dev/input/event3\"; } );\n");
        assert_reported(f, "5: 'path' does not apply to a source of type \"evdev\" (only to \"fifo\", \"serial\")");
        assert_reported(f, "4: a source of type \"evdev\" is missing required key 'usb'");
        check(f, "sources = (\n { id = \"h\"; type = \"hidpos\"; door = \"main\"; usb = \"0c2e:0b61\";\n speed = 9600; } );\n");
        assert_reported(f, "5: 'speed' does not apply to a source of type \"hidpos\" (only to \"serial\")");
        check(f, "sources = (\n { id = \"f\"; type = \"fifo\"; door = \"main\"; path = \"/run/f\";\n usb = \"0c2e:0b61\"; } );\n");
        assert_reported(f, "5: 'usb' does not apply to a source of type \"fifo\" (only to \"evdev\", \"hidpos\")");
}

static void bad_values_are_reported_with_their_lines(void **state) {
        Fixture *f = *state;

        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\";\n usb = \"5e0:1200\";\n layout = \"uk\";\n"
                 " terminator = \"space\";\n port = \"usb-0:1.2\"; },\n"
                 " { id = \"s\"; type = \"serial\"; door = \"main\"; path = \"/dev/ttyACM0\";\n speed = 9601; },\n"
                 " { id = \"s\"; type = \"fifo\"; door = \"main\"; path = \"/run/f\"; } );\n");
        assert_reported(f, "5: 'usb' is \"5e0:1200\", must be the vendor:product id as lsusb prints it");
        assert_reported(f, "6: 'layout' is \"uk\", must be \"us\", \"de\" or \"fr\"");
        assert_reported(f, "7: 'terminator' is \"space\", must be");
        assert_reported(f, "8: 'port' is \"usb-0:1.2\", must be a USB port path like \"1-1.2\"");
        assert_reported(f, "10: 'speed' is 9601, must be one of 1200,");
        assert_reported(f, "11: source id 's' is used twice");
}

static void min_rate_has_its_bounds(void **state) {
        Fixture *f = *state;

        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\"; usb = \"05e0:1200\";\n min_rate = 0; } );\n");
        assert_ok(f);
        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\"; usb = \"05e0:1200\";\n min_rate = 10000; } );\n");
        assert_ok(f);
        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\"; usb = \"05e0:1200\";\n min_rate = 10001; } );\n");
        assert_reported(f, "5: 'min_rate' is 10001, must be between 0 and 10000");
        check(f, "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\"; usb = \"05e0:1200\";\n min_rate = -1; } );\n");
        assert_reported(f, "5: 'min_rate' is -1, must be between 0 and 10000");
}

/* What a serial or wedge scanner sends before each code: printable, 1-16 characters, no spaces;
 * not a key of the other types. */
static void prefix_is_printable_and_short(void **state) {
        Fixture *f = *state;
        char text[256];

        static const struct { const char *prefix; bool ok; } cases[] = {
                { "]Q1", true }, { "#", true }, { "0123456789abcdef", true }, { "", false },
                { "0123456789abcdefg", false }, { "a b", false }, { "\t", false }, { "\001", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                snprintf(text, sizeof(text),
                         "sources = (\n { id = \"w\"; type = \"evdev\"; door = \"main\"; usb = \"05e0:1200\";\n"
                         "   prefix = \"%s\"; },\n { id = \"s\"; type = \"serial\"; path = \"/dev/ttyACM0\"; door = \"main\";\n"
                         "   prefix = \"%s\"; } );\n", cases[i].prefix, cases[i].prefix);
                check(f, text);
                if (cases[i].ok)
                        assert_ok(f);
                else {
                        assert_reported(f, "5: 'prefix' is \"");
                        assert_reported(f, "7: 'prefix' is \"");
                        assert_non_null(strstr(f->err, "must be 1-16 printable ASCII characters without spaces"));
                }
        }
        check(f, "sources = (\n { id = \"h\"; type = \"hidpos\"; door = \"main\"; usb = \"0c2e:0b61\";\n prefix = \"#\"; },\n"
                 " { id = \"f\"; type = \"fifo\"; door = \"main\"; path = \"/run/f\";\n prefix = \"#\"; } );\n");
        assert_reported(f, "5: 'prefix' does not apply to a source of type \"hidpos\" (only to \"evdev\", \"serial\")");
        assert_reported(f, "7: 'prefix' does not apply to a source of type \"fifo\"");
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(line_timeout_has_its_bounds),
                cmocka_unit_test(each_type_is_accepted_with_its_keys),
                cmocka_unit_test(an_unknown_type_is_reported_with_its_line),
                cmocka_unit_test(keys_of_another_type_and_missing_keys_are_reported),
                cmocka_unit_test(bad_values_are_reported_with_their_lines),
                cmocka_unit_test(min_rate_has_its_bounds),
                cmocka_unit_test(prefix_is_printable_and_short),
        };
        return th_run_tests_with_fixture(tests, set_up, tear_down);
}

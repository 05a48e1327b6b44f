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

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(line_timeout_has_its_bounds),
        };
        return th_run_tests_with_fixture(tests, set_up, tear_down);
}

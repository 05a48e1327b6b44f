/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Configuration validation: every mistake an operator can make is reported with file:line. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

static char path[64];

static char *load_errors(const char *text, Config **ret) {
        strcpy(path, "/tmp/qrgate-conf-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        char *errors = NULL;
        Config *c = NULL;
        int r = config_load(path, &c, &errors);
        unlink(path);
        if (ret)
                *ret = c;
        else
                config_free(c);
        assert_true(r == 0 ? errors == NULL : errors != NULL);
        return errors;
}

#define MINIMAL \
        "locks = ( { id = \"main\"; backend = \"sim\"; } );\n" \
        "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"library.lend\" ]; } );\n"

static void assert_error(const char *text, const char *line_and_message) {
        char *e = load_errors(text, NULL);
        char want[256];
        snprintf(want, sizeof(want), "%s:%s", path, line_and_message);
        if (!e || !strstr(e, want))
                fail_msg("want \"%s\" in:\n%s", want, e ?: "(no errors)");
        free(e);
}

static void minimal_configuration_has_safe_defaults(void **state) {
        Config *c;
        assert_null(load_errors(MINIMAL, &c));
        assert_int_equal(c->max_lifetime, 120);
        assert_int_equal(c->clock_skew, 30);
        assert_int_equal(c->doors[0].unlock_ms, 3000);
        assert_int_equal(c->doors[0].status_mask, 1u << CODE_STATUS_GREEN);
        assert_int_equal(c->locks[0].hal.safe_state, LOCK_SAFE_LOCKED);
        config_free(c);
}

static void shipped_example_is_valid(void **state) {
        Config *c = NULL;
        char *errors = NULL;
        assert_int_equal(config_load("etc/qrgate.conf", &c, &errors), 0);
        assert_int_equal(c->n_doors, 1);
        config_free(c);
}

static void syntax_error_has_its_line(void **state) {
        assert_error(MINIMAL "verifier: {\n clock_skew == 5; };\n", "4: syntax error");
}

static void unknown_keys_are_errors(void **state) {
        assert_error(MINIMAL "verifer: { };\n", "3: unknown key 'verifer' in the top level");
        assert_error("locks = ( { id = \"main\"; backend = \"sim\"; activ_low = true; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: unknown key 'activ_low' in a lock");
}

static void wrong_types_and_ranges_are_errors(void **state) {
        assert_error(MINIMAL "verifier: { max_lifetime = \"60\"; };\n", "3: 'max_lifetime' in verifier must be an integer");
        assert_error(MINIMAL "verifier: { max_lifetime = 86400; };\n", "3: 'max_lifetime' is 86400, must be between 10 and 3600");
        assert_error("locks = ( { id = \"main\"; backend = \"relay\"; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: backend must be \"sim\" or \"gpiod\"");
}

static void dangling_references_are_errors(void **state) {
        assert_error("locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                     "doors = ( { id = \"front\"; lock = \"back\"; scopes = [ \"a\" ]; } );\n",
                     "2: door 'front' names lock 'back', which is not defined in 'locks'");
        assert_error(MINIMAL "sources = ( { id = \"s\"; type = \"fifo\"; path = \"/run/x\"; door = \"side\"; } );\n",
                     "3: source 's' names door 'side', which is not defined in 'doors'");
}

static void gpiod_lock_needs_a_line(void **state) {
        assert_error("locks = ( { id = \"main\"; backend = \"gpiod\"; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: a gpiod lock needs exactly one of 'line'");
}

static void missing_file_is_reported(void **state) {
        Config *c = NULL;
        char *errors = NULL;
        assert_int_equal(config_load("/nonexistent/qrgate.conf", &c, &errors), -EINVAL);
        assert_non_null(strstr(errors, "/nonexistent/qrgate.conf: cannot read the file"));
        free(errors);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(minimal_configuration_has_safe_defaults),
                cmocka_unit_test(shipped_example_is_valid),
                cmocka_unit_test(syntax_error_has_its_line),
                cmocka_unit_test(unknown_keys_are_errors),
                cmocka_unit_test(wrong_types_and_ranges_are_errors),
                cmocka_unit_test(dangling_references_are_errors),
                cmocka_unit_test(gpiod_lock_needs_a_line),
                cmocka_unit_test(missing_file_is_reported),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

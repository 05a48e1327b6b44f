/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl udev-rules` (tools/ctl-udev.c): one rule per configured USB or serial scanner, giving
 * the daemon's group exactly that device's node, and nothing for a FIFO or anything else. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tests/unit/helper-dir.h"
#include "tools/ctl-udev.h"

static char dir[TH_DIR_MAX];

static int rules_for(const char *sources, char **ret) {
        char path[TH_DIR_MAX + 32], *errors = NULL;
        Config *c = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        snprintf(path, sizeof(path), "%s/qrgate.conf", dir);
        f = fopen(path, "we");
        assert_non_null(f);
        fprintf(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                   "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n"
                   "sources = ( %s );\n", sources);
        assert_int_equal(fclose(f), 0);
        r = config_load(path, &c, &errors);
        if (r < 0)
                fail_msg("config: %s", errors ?: "?");
        f = open_memstream(ret, &size);
        assert_non_null(f);
        r = udev_rules_write(c, "qrgate", f);
        assert_int_equal(fclose(f), 0);
        config_free(c);
        return r;
}

static void each_usb_scanner_gets_its_own_rule(void **state) {
        char *out = NULL;

        assert_int_equal(rules_for("{ id = \"w\"; type = \"evdev\"; usb = \"05e0:1200\"; serial_number = \"S1\"; "
                                   "port = \"1-1.2\"; door = \"main\"; },"
                                   "{ id = \"h\"; type = \"hidpos\"; usb = \"0C2E:0B61\"; door = \"main\"; },"
                                   "{ id = \"f\"; type = \"fifo\"; path = \"/run/qrgate/f\"; door = \"main\"; }", &out), 2);
        assert_non_null(strstr(out, "# source w (evdev)\nSUBSYSTEM==\"input\", KERNEL==\"event*\", ATTRS{idVendor}==\"05e0\", "
                                    "ATTRS{idProduct}==\"1200\", ATTRS{serial}==\"S1\", KERNELS==\"1-1.2\", GROUP=\"qrgate\", MODE=\"0640\"\n"));
        /* Lower case, as sysfs writes ids. */
        assert_non_null(strstr(out, "# source h (hidpos)\nSUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"0c2e\", ATTRS{idProduct}==\"0b61\", "
                                    "GROUP=\"qrgate\", MODE=\"0640\"\n"));
        /* The FIFO is the daemon's own: no rule. */
        assert_null(strstr(out, "source f"));
        free(out);
}

static void serial_scanners_by_node_or_by_id(void **state) {
        char *out = NULL;

        assert_int_equal(rules_for("{ id = \"a\"; type = \"serial\"; path = \"/dev/ttyACM0\"; door = \"main\"; },"
                                   "{ id = \"b\"; type = \"serial\"; path = \"/dev/serial/by-id/usb-Acme_Scan_42-if00\"; door = \"main\"; },"
                                   "{ id = \"c\"; type = \"serial\"; path = \"/srv/tty\"; door = \"main\"; }", &out), 2);
        assert_non_null(strstr(out, "SUBSYSTEM==\"tty\", KERNEL==\"ttyACM0\", GROUP=\"qrgate\", MODE=\"0660\"\n"));
        assert_non_null(strstr(out, "SUBSYSTEM==\"tty\", SYMLINK==\"serial/by-id/usb-Acme_Scan_42-if00\", GROUP=\"qrgate\", MODE=\"0660\"\n"));
        assert_non_null(strstr(out, "# /srv/tty is not a device node udev names"));
        free(out);
}

/* A serial number udev would read as a pattern, or that would end the string, is refused. */
static void what_a_rule_cannot_match_literally_is_refused(void **state) {
        char *out = NULL;

        assert_int_equal(rules_for("{ id = \"w\"; type = \"evdev\"; usb = \"05e0:1200\"; serial_number = \"S*\"; door = \"main\"; }", &out),
                         -EINVAL);
        free(out);
        out = NULL;
        assert_int_equal(rules_for("{ id = \"w\"; type = \"evdev\"; usb = \"05e0:1200\"; serial_number = \"a\\\"b\"; door = \"main\"; }", &out),
                         -EINVAL);
        free(out);
}

static void no_scanner_no_rule(void **state) {
        char *out = NULL;

        assert_int_equal(rules_for("{ id = \"f\"; type = \"fifo\"; path = \"/run/qrgate/f\"; door = \"main\"; }", &out), 0);
        assert_null(strstr(out, "SUBSYSTEM"));
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(each_usb_scanner_gets_its_own_rule),
                cmocka_unit_test(serial_scanners_by_node_or_by_id),
                cmocka_unit_test(what_a_rule_cannot_match_literally_is_refused),
                cmocka_unit_test(no_scanner_no_rule),
        };
        int r;

        th_dir_new(dir, "/tmp/qrgate-udev-XXXXXX");
        r = cmocka_run_group_tests(tests, NULL, NULL);
        th_dir_remove(dir);
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A lending station's door in the configuration (docs/lending.md): the one door that may have no
 * lock, and then nothing of a door that opens. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/barcode-format.h"

static char path[64];

static char *load(const char *text, Config **ret) {
        char *errors = NULL;
        Config *c = NULL;
        int fd, r;

        strcpy(path, "/tmp/qrgate-station-XXXXXX");
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        r = config_load(path, &c, &errors);
        unlink(path);
        assert_true(r == 0 ? errors == NULL : errors != NULL);
        if (ret)
                *ret = c;
        else
                config_free(c);
        return errors;
}

#define LOCKS "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
#define ILS "ils: { host = \"ils.example.org\"; port = 6001; institution = \"MAIN\"; credential = \"sip2-login\"; };\n"
#define STATION(door) "station: { id = \"desk-1\"; door = \"" door "\"; item_formats = [ \"codabar\" ]; };\n"
/* A gate's door and the station's, with what the test adds to the station's door. */
#define DOORS(lend_keys) \
        "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"building.enter\" ]; },\n" \
        "          { id = \"lend\"; scopes = [ \"library.lend\" ]; " lend_keys " } );\n"

static void assert_refused(const char *text, const char *message) {
        char *e = load(text, NULL);

        if (!e || !strstr(e, message))
                fail_msg("want \"%s\" in:\n%s", message, e ?: "(no errors)");
        free(e);
}

static void the_station_door_has_no_lock(void **state) {
        Config *c = NULL;

        assert_null(load(LOCKS DOORS("") ILS STATION("lend"), &c));
        const DoorConf *lend = config_find_door(c, "lend");
        assert_non_null(lend);
        assert_null(lend->lock);
        assert_int_equal(lend->lock_index, SIZE_MAX);
        assert_true(c->station.enabled);
        assert_ptr_equal(c->station.door, lend);
        assert_string_equal(c->station.id, "desk-1");
        assert_int_equal(c->station.item_formats, 1u << CODE_FORMAT_CODABAR);
        /* The gate's door keeps its lock. */
        assert_string_equal(config_find_door(c, "main")->lock, "main");
        assert_int_equal(config_find_door(c, "main")->lock_index, 0);
        config_free(c);
}

static void a_door_without_lock_is_only_the_stations(void **state) {
        assert_refused(LOCKS DOORS(""), "door 'lend' has no 'lock': only the door a 'station' names may be without one");
        /* A station naming the other door: that one has a lock, and this one still has none. */
        assert_refused(LOCKS DOORS("") ILS STATION("main"), "station door 'main' has a lock");
        assert_refused(LOCKS DOORS("") ILS STATION("main"), "door 'lend' has no 'lock'");
}

static void the_station_door_has_nothing_of_a_door_that_opens(void **state) {
        static const char *const keys[] = {
                "rex = { backend = \"sim\"; };",
                "contact = { backend = \"sim\"; };",
                "interlock = \"airlock\";",
        };

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char text[1024];
                snprintf(text, sizeof(text), "%s"
                         "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"building.enter\" ]; },\n"
                         "          { id = \"lend\"; scopes = [ \"library.lend\" ]; %s } );\n%s%s",
                         LOCKS, keys[i], ILS, STATION("lend"));
                assert_refused(text, "a station's door opens nothing, so it has none of them");
        }
        assert_refused("areas = ( { id = \"hall\"; } );\n" LOCKS DOORS("area = \"hall\"; side = \"entry\";") ILS
                       STATION("lend"), "a station's door opens nothing");
}

static void its_patrons_cards_and_its_items_are_told_apart(void **state) {
        /* Codabar cards honoured as people and Codabar items, with nothing to tell them apart. */
        assert_refused(LOCKS DOORS("barcodes = [ \"codabar\" ];") ILS STATION("lend"),
                       "honours barcodes of a format listed in item_formats");
        /* People by EAN-13, items by Codabar: no overlap. */
        assert_null(load(LOCKS DOORS("barcodes = [ \"ean13\" ];") ILS STATION("lend"), NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(the_station_door_has_no_lock),
                cmocka_unit_test(a_door_without_lock_is_only_the_stations),
                cmocka_unit_test(the_station_door_has_nothing_of_a_door_that_opens),
                cmocka_unit_test(its_patrons_cards_and_its_items_are_told_apart),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A lending station's door (daemon/station.h, docs/lending.md): which of its lines are items and
 * which are people, and a grant there that opens no lock and is handed over instead. */

#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/barcode-format.h"
#include "daemon/decide.h"
#include "daemon/door.h"
#include "daemon/manager.h"
#include "daemon/station.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-gate.h"

#define CODABAR (1u << CODE_FORMAT_CODABAR)
#define CARD "]F020234000000019"       /* valid, and on the list below */
#define OTHER_CARD "]F020234000000027" /* valid, not on it */
#define MISREAD "]F020234000000018"    /* a wrong check digit */

static bool is_item(unsigned formats, const BarcodeAllow *allow, const char *text) {
        static const Verifier v = {}; /* a barcode needs no key, no replay cache, no time */
        return station_line_is_item(&v, formats, allow, text, strlen(text));
}

static void an_item_format_barcode_is_an_item(void **state) {
        assert_true(is_item(CODABAR, NULL, CARD));
        assert_true(is_item(CODABAR, NULL, MISREAD)); /* the lending service says what is wrong with it */
        assert_true(is_item(CODABAR, NULL, "]F0A39000123456780B"));
        assert_true(is_item(CODABAR | (1u << CODE_FORMAT_ISBN), NULL, "]X0978316148410X"));
}

static void anything_else_is_for_a_decision(void **state) {
        assert_false(is_item(CODABAR, NULL, "]E04006381333931")); /* EAN-13 is no item format here */
        assert_false(is_item(1u << CODE_FORMAT_EAN13, NULL, "]F020234000000019"));
        assert_false(is_item(CODABAR, NULL, "QG1:NCFOXN%TSMAHN-H"));
        assert_false(is_item(CODABAR, NULL, "]F"));    /* shorter than the identifier */
        assert_false(is_item(CODABAR, NULL, ""));
        assert_false(is_item(CODABAR, NULL, "x]F0123"));
        assert_false(is_item(0, NULL, CARD));
}

static void with_an_allow_list_its_cards_are_people(void **state) {
        static const char list[] = "20234000000019 patron-0001\n";
        BarcodeAllow *allow = NULL;
        char *errors = NULL;

        assert_int_equal(barcode_allow_parse(list, strlen(list), "cards", &allow, &errors), 0);
        assert_false(is_item(CODABAR, allow, CARD));
        assert_false(is_item(CODABAR, allow, "]F0A20234000000019B")); /* the same card with start/stop characters */
        assert_true(is_item(CODABAR, allow, OTHER_CARD));
        assert_true(is_item(CODABAR, allow, MISREAD));
        barcode_allow_free(allow);
}

static EVP_PKEY *key;
static char dir[64];

static int setup(void **state) {
        strcpy(dir, "/tmp/qrgate-station-XXXXXX");
        assert_non_null(mkdtemp(dir));
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        manager_free(*state);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) !system(cmd);
        return 0;
}

static void a_grant_at_the_station_door_opens_no_lock(void **state) {
        static const char body[] =
                "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"library.lend\" ]; },\n"
                "          { id = \"lend\"; scopes = [ \"library.lend\" ]; } );\n"
                "clock: { untrusted = \"accept\"; };\n"
                "ils: { host = \"ils.example.org\"; port = 6001; institution = \"MAIN\"; credential = \"sip2-login\"; };\n"
                "station: { id = \"desk-1\"; door = \"lend\"; item_formats = [ \"codabar\" ]; };\n";
        Manager *m = NULL;
        CodeClaims c = th_claims();
        Decision d;
        char *text;

        assert_int_equal(th_gate_open(dir, key, body, &m), 0);
        *state = m;
        Door *lend = manager_find_door(m, "lend");
        assert_non_null(lend);
        assert_true(lend->no_lock);
        assert_null(lend->lock);
        assert_string_equal(door_lock_state(lend), "none");
        assert_false(manager_find_door(m, "main")->no_lock);

        c.iat = (int64_t) time(NULL);
        c.exp = c.iat + 60;
        text = th_mint(key, "k1", &c);
        assert_int_equal(decide(m, &(DecideRequest) { .door = "lend", .text = text, .len = strlen(text), .origin = "test" },
                                &d),
                         0);
        free(text);
        /* Granted (not out of service), and no lock moved: the gate's lock stays locked. */
        assert_true(d.granted);
        assert_string_equal(reason_to_string(d.reason), "ok");
        assert_false(lock_is_unlocked(m->locks[0]));
        assert_string_equal(door_lock_state(lend), "none");
        /* Handed over at once (no token: no pseudonym to wait for); without a bus that failed,
         * and the failure is remembered so that it is said once. */
        assert_non_null(m->lend_failure);

        /* Lines at the station's door: an item is taken, a person's code is not; at another door
         * nothing is an item. */
        assert_true(station_take_line(m, "lend", "]F0A39000123456780B", 19));
        assert_false(station_take_line(m, "lend", "QG1:X", 5));
        assert_false(station_take_line(m, "main", "]F0A39000123456780B", 19));
        assert_true(station_is_door(m, "lend"));
        assert_false(station_is_door(m, "main"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(an_item_format_barcode_is_an_item),
                cmocka_unit_test(anything_else_is_for_a_decision),
                cmocka_unit_test(with_an_allow_list_its_cards_are_people),
                cmocka_unit_test_setup_teardown(a_grant_at_the_station_door_opens_no_lock, setup, teardown),
        };
        int r;

        key = th_key("es256");
        r = cmocka_run_group_tests(tests, NULL, NULL);
        EVP_PKEY_free(key);
        return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Areas through the decision (daemon/decide.c, daemon/policy.c, daemon/area.c) on the daemon's
 * real pieces opened by manager_open(), without a bus or a token; an area "pool" with an entry
 * door "in" and an exit door "out":
 *   - capacity: granted at N-1, refused with capacity-full at N (the code not used up), one
 *     exit lets one in; exits are never refused and never count below 0;
 *   - hard anti-passback refuses a second entry until an exit; soft lets it in, flagged;
 *     an exit without an entry is let through and clears nothing; codes without a subject
 *     (a printed barcode) are not held to it; the presence is forgotten at presence_timeout;
 *   - a restart in the middle keeps occupancy and (under the token's key) presences; under
 *     another key only the occupancy; a state file that is not one is moved aside. */

#include <fcntl.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/area.h"
#include "daemon/decide.h"
#include "daemon/door.h"
#include "daemon/manager.h"
#include "daemon/subject-key.h"
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-gate.h"

static EVP_PKEY *key;
static char dir[64];
static Manager *m;
static unsigned next_cti = 1;

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

/* A gate with the area as area_keys describes it (inside its { }), doors in and out. */
static Manager *open_gate(const char *area_keys) {
        char body[2048];

        snprintf(body, sizeof(body),
                 "locks = ( { id = \"a\"; backend = \"sim\"; }, { id = \"b\"; backend = \"sim\"; } );\n"
                 "areas = ( { id = \"pool\"; %s } );\n"
                 "doors = ( { id = \"in\"; lock = \"a\"; scopes = [ \"pool\" ]; area = \"pool\"; side = \"entry\"; "
                 "barcodes = [ \"codabar\" ]; },\n"
                 "          { id = \"out\"; lock = \"b\"; scopes = [ \"pool\" ]; area = \"pool\"; side = \"exit\"; } );\n"
                 "clock: { untrusted = \"accept\"; };\n",
                 area_keys);
        assert_int_equal(th_gate_open(dir, key, body, &m), 0);
        assert_int_equal(m->n_areas, 1);
        return m;
}

/* What the token's answer does at start: the same secret every time, so the same key id. */
static void token_answers(void) {
        uint8_t secret[SUBJECT_KEY_SECRET_SIZE];
        memset(secret, 0x42, sizeof(secret));
        assert_int_equal(subject_key_set_secret(m->subject_key, secret, sizeof(secret)), 0);
        manager_subject_key_changed(m);
}

static void restart(const char *area_keys) {
        m = manager_free(m);
        open_gate(area_keys);
}

static int setup(void **state) {
        strcpy(dir, "/tmp/qrgate-area-XXXXXX");
        assert_non_null(mkdtemp(dir));
        return 0;
}

static int teardown(void **state) {
        char cmd[128];
        m = manager_free(m);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) system(cmd);
        return 0;
}

/* A fresh code of subject sub, shown at door. */
static Decision show(const char *door, const char *sub) {
        CodeClaims c = th_claims();
        Decision d;

        c.iat = (int64_t) time(NULL);
        c.exp = c.iat + 60;
        c.cti[0] = (uint8_t) next_cti;
        c.cti[1] = (uint8_t) (next_cti++ >> 8);
        snprintf(c.sub, sizeof(c.sub), "%s", sub);
        snprintf(c.scopes[0], sizeof(c.scopes[0]), "pool");
        c.n_scopes = 1;
        char *text = th_mint(key, "k1", &c);
        assert_int_equal(decide(m, &(DecideRequest) { .door = door, .text = text, .len = strlen(text), .origin = "test" }, &d),
                         0);
        free(text);
        return d;
}

static Area *pool(void) {
        return m->areas[0];
}

static void assert_granted(Decision d) {
        if (!d.granted || d.reason != REASON_OK)
                fail_msg("expected granted/ok, got %s/%s: %s", d.granted ? "granted" : "denied", reason_to_string(d.reason),
                         d.detail);
}

static void assert_denied(Decision d, Reason r) {
        if (d.granted || d.reason != r)
                fail_msg("expected denied/%s, got %s/%s: %s", reason_to_string(r), d.granted ? "granted" : "denied",
                         reason_to_string(d.reason), d.detail);
}

static void capacity_refuses_at_n_and_an_exit_lets_one_in(void **state) {
        open_gate("capacity = 3;");
        assert_granted(show("in", "p1"));
        assert_granted(show("in", "p2"));
        assert_int_equal(area_occupancy(pool()->state), 2);
        /* N-1 in: the Nth is let in. */
        assert_granted(show("in", "p3"));
        assert_int_equal(area_occupancy(pool()->state), 3);
        /* N in: refused, the door stays shut, the count stays. */
        Decision d = show("in", "p4");
        assert_denied(d, REASON_CAPACITY_FULL);
        assert_string_equal(d.detail, "area pool is full: 3 in, capacity 3");
        assert_int_equal(area_occupancy(pool()->state), 3);
        /* An exit counts one out, and one more is let in. */
        assert_granted(show("out", "p1"));
        assert_int_equal(area_occupancy(pool()->state), 2);
        assert_granted(show("in", "p4"));
        assert_int_equal(area_occupancy(pool()->state), 3);
        assert_denied(show("in", "p5"), REASON_CAPACITY_FULL);
        /* N+1 (an operator's count above capacity): still refused; exits go on. */
        area_set_count(pool(), 4);
        assert_denied(show("in", "p5"), REASON_CAPACITY_FULL);
        assert_granted(show("out", "p2"));
        assert_int_equal(area_occupancy(pool()->state), 3);
        assert_denied(show("in", "p5"), REASON_CAPACITY_FULL);
        assert_granted(show("out", "p3"));
        assert_granted(show("in", "p5"));
}

static void exits_never_count_below_zero(void **state) {
        open_gate("capacity = 1;");
        assert_granted(show("out", "p1"));
        assert_granted(show("out", "p2"));
        assert_int_equal(area_occupancy(pool()->state), 0);
        area_count_exit(pool());
        assert_int_equal(area_occupancy(pool()->state), 0);
        assert_granted(show("in", "p1"));
        assert_denied(show("in", "p2"), REASON_CAPACITY_FULL);
        /* The REX/turnstile pulse of issue 14 counts out too. */
        area_count_exit(pool());
        assert_granted(show("in", "p2"));
}

static void hard_passback_refuses_a_second_entry_until_an_exit(void **state) {
        open_gate("passback = \"hard\";");
        assert_granted(show("in", "anna"));
        Decision d = show("in", "anna");
        assert_denied(d, REASON_ANTI_PASSBACK);
        assert_non_null(strstr(d.detail, "already in area pool"));
        /* Another subject is not held to anna's entry. */
        assert_granted(show("in", "ben"));
        assert_int_equal(area_occupancy(pool()->state), 2);
        assert_granted(show("out", "anna"));
        assert_granted(show("in", "anna"));
        /* A refusal counts nothing in. */
        assert_denied(show("in", "anna"), REASON_ANTI_PASSBACK);
        assert_int_equal(area_occupancy(pool()->state), 2);
}

static void soft_passback_lets_in_and_flags(void **state) {
        open_gate("passback = \"soft\";");
        assert_granted(show("in", "anna"));
        Decision d = show("in", "anna");
        assert_true(d.granted);
        assert_int_equal(d.reason, REASON_ANTI_PASSBACK);
        assert_non_null(strstr(d.detail, "passback soft"));
        assert_true(lock_is_unlocked(m->locks[0]));
        assert_int_equal(area_occupancy(pool()->state), 2);
        assert_granted(show("out", "anna"));
        assert_granted(show("in", "anna"));
}

static void exit_without_entry_is_let_through_and_clears_nothing(void **state) {
        open_gate("passback = \"hard\";");
        assert_granted(show("out", "carl"));
        assert_granted(show("in", "carl"));
        assert_granted(show("out", "dora")); /* someone else's exit */
        assert_denied(show("in", "carl"), REASON_ANTI_PASSBACK);
}

/* A printed barcode is known by its number (or the subject its door's allow-list gives it):
 * one library card does not let two people in. */
static void a_barcode_is_held_to_passback_by_its_number(void **state) {
        const char *card = "]F0A30234000517861B";
        Decision d;

        open_gate("passback = \"hard\";");
        assert_int_equal(decide(m, &(DecideRequest) { .door = "in", .text = card, .len = strlen(card), .origin = "test" },
                                &d),
                         0);
        assert_granted(d);
        assert_int_equal(decide(m, &(DecideRequest) { .door = "in", .text = card, .len = strlen(card), .origin = "test" },
                                &d),
                         0);
        assert_denied(d, REASON_ANTI_PASSBACK);
        assert_int_equal(area_occupancy(pool()->state), 1);
        assert_int_equal(area_presence_count(pool()->state), 1);
}

static void presence_is_forgotten_at_its_timeout(void **state) {
        uint8_t k[SUBJECT_KEY_SIZE];
        int64_t now = (int64_t) time(NULL);

        open_gate("passback = \"hard\"; presence_timeout = 60;");
        assert_granted(show("in", "anna"));
        assert_int_equal(subject_key_of(m->subject_key, "city", "anna", k), 0);
        assert_true(area_subject_present(pool(), k, now + 59));
        assert_false(area_subject_present(pool(), k, now + 61));
}

static void a_restart_keeps_occupancy_and_presences(void **state) {
        open_gate("passback = \"hard\"; capacity = 10;");
        token_answers();
        assert_granted(show("in", "anna"));
        assert_granted(show("in", "ben"));
        assert_granted(show("out", "ben"));
        assert_granted(show("in", "carl"));
        assert_int_equal(area_occupancy(pool()->state), 2);

        restart("passback = \"hard\"; capacity = 10;");
        /* The count at once; presences once the token's key is there. */
        assert_int_equal(area_occupancy(pool()->state), 2);
        assert_int_equal(area_presence_count(pool()->state), 0);
        assert_granted(show("in", "dora")); /* counted while waiting for the token */
        token_answers();
        assert_int_equal(area_occupancy(pool()->state), 3);
        assert_int_equal(area_presence_count(pool()->state), 2);
        assert_denied(show("in", "anna"), REASON_ANTI_PASSBACK);
        assert_denied(show("in", "carl"), REASON_ANTI_PASSBACK);
        assert_granted(show("in", "ben"));

        /* And again, many changes later (the file compacted on the way). */
        for (int i = 0; i < 200; i++) {
                assert_granted(show("out", "ben"));
                assert_granted(show("in", "ben"));
        }
        restart("passback = \"hard\"; capacity = 10;");
        token_answers();
        assert_int_equal(area_occupancy(pool()->state), 4);
        assert_denied(show("in", "ben"), REASON_ANTI_PASSBACK);
        assert_granted(show("in", "dora")); /* her presence was made under the random key: not kept */
}

/* Without the token's key (no token) presences are not written: the count is. */
static void without_a_persistent_key_only_the_count_survives(void **state) {
        open_gate("passback = \"hard\";");
        assert_granted(show("in", "anna"));
        restart("passback = \"hard\";");
        assert_int_equal(area_occupancy(pool()->state), 1);
        assert_granted(show("in", "anna"));
}

/* Another token's key: the count is kept, the presences are not used. */
static void presences_of_another_key_are_not_used(void **state) {
        uint8_t other[SUBJECT_KEY_SECRET_SIZE];

        open_gate("passback = \"hard\";");
        memset(other, 0x17, sizeof(other));
        assert_int_equal(subject_key_set_secret(m->subject_key, other, sizeof(other)), 0);
        manager_subject_key_changed(m);
        assert_granted(show("in", "anna"));
        restart("passback = \"hard\";");
        token_answers();
        assert_int_equal(area_occupancy(pool()->state), 1);
        assert_int_equal(area_presence_count(pool()->state), 0);
        assert_granted(show("in", "anna"));
}

static void a_corrupted_state_file_is_moved_aside(void **state) {
        char path[128], aside[128];
        struct stat st;

        open_gate("capacity = 5;");
        assert_granted(show("in", "anna"));
        m = manager_free(m);
        snprintf(path, sizeof(path), "%s/state/area-pool", dir);
        write_file(path, "this is not an area state file, it is long enough to have a header\n");
        open_gate("capacity = 5;");
        assert_int_equal(area_occupancy(pool()->state), 0);
        snprintf(aside, sizeof(aside), "%s/state/area-pool.corrupt", dir);
        assert_int_equal(stat(aside, &st), 0);
        /* A new file is written and used. */
        assert_granted(show("in", "ben"));
        restart("capacity = 5;");
        assert_int_equal(area_occupancy(pool()->state), 1);

        /* A symbolic link in its place is not followed. */
        m = manager_free(m);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("/etc/passwd", path), 0);
        open_gate("capacity = 5;");
        assert_int_equal(area_occupancy(pool()->state), 0);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(capacity_refuses_at_n_and_an_exit_lets_one_in),
                cmocka_unit_test(exits_never_count_below_zero),
                cmocka_unit_test(hard_passback_refuses_a_second_entry_until_an_exit),
                cmocka_unit_test(soft_passback_lets_in_and_flags),
                cmocka_unit_test(exit_without_entry_is_let_through_and_clears_nothing),
                cmocka_unit_test(a_barcode_is_held_to_passback_by_its_number),
                cmocka_unit_test(presence_is_forgotten_at_its_timeout),
                cmocka_unit_test(a_restart_keeps_occupancy_and_presences),
                cmocka_unit_test(without_a_persistent_key_only_the_count_survives),
                cmocka_unit_test(presences_of_another_key_are_not_used),
                cmocka_unit_test(a_corrupted_state_file_is_moved_aside),
        };
        key = th_key("es256");
        int r = th_run_tests_with_fixture(tests, setup, teardown);
        EVP_PKEY_free(key);
        return r;
}

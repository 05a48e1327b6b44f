/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fault list (daemon/faults.c) on a gate opened by manager_new() and manager_open(), without
 * a bus or a token: what the gate started without is one sentence each, in a fixed order
 * (locks, keys, trust-list paths), naming the file, the line or the doors an operator has to
 * look at; it makes State degraded and is the STATUS= line; a gate with nothing missing has
 * none and is running. And faults_join(), which makes the one line of them. */

#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/manager.h"
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-dir.h"

static EVP_PKEY *key;

typedef struct Fixture {
        char dir[TH_DIR_MAX];
        char conf[TH_DIR_MAX + 16];
        char more_issuers[256]; /* ", { id = ...; }" after city's, or "" */
        Manager *m;
} Fixture;

/* A gate in f->dir with issuer "city" (key k1 in city.pub, which exists) and the given locks and
 * doors; extra: more configuration. manager_new() and manager_open() must succeed. */
static Manager *open_gate(Fixture *f, const char *locks, const char *doors, const char *extra) {
        char pub[TH_DIR_MAX + 16], run[TH_DIR_MAX + 16];
        FILE *p;

        snprintf(pub, sizeof(pub), "%s/city.pub", f->dir);
        p = fopen(pub, "we");
        assert_non_null(p);
        assert_int_equal(PEM_write_PUBKEY(p, key), 1);
        assert_int_equal(fclose(p), 0);
        snprintf(f->conf, sizeof(f->conf), "%s/qrgate.conf", f->dir);
        p = fopen(f->conf, "we");
        assert_non_null(p);
        fprintf(p,
                "state_directory = \"%s/state\";\n"
                "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; } ); }%s );\n"
                "locks = ( %s );\n"
                "doors = ( %s );\n"
                "%s\n",
                f->dir, pub, f->more_issuers, locks, doors, extra ?: "");
        assert_int_equal(fclose(p), 0);
        snprintf(run, sizeof(run), "%s/run", f->dir);
        setenv("RUNTIME_DIRECTORY", run, 1);
        assert_int_equal(manager_new(f->conf, "none", &f->m), 0);
        assert_int_equal(manager_open(f->m), 0);
        /* As manager_start() does, without the bus and the sources. */
        f->m->state = MANAGER_RUNNING;
        manager_update_state(f->m);
        return f->m;
}

static size_t count(char **faults) {
        size_t n = 0;
        while (faults[n])
                n++;
        return n;
}

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        assert_non_null(f);
        th_dir_new(f->dir, "/tmp/qrgate-faults-XXXXXX");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        manager_free(f->m);
        th_dir_remove(f->dir);
        free(f);
        return 0;
}

static void a_gate_with_everything_has_no_fault_and_runs(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "{ id = \"main\"; backend = \"sim\"; }",
                               "{ id = \"main\"; lock = \"main\"; scopes = [ \"x\" ]; }", NULL);
        _cleanup_(faults_freep) char **faults = manager_faults(m);

        assert_non_null(faults);
        assert_int_equal(count(faults), 0);
        assert_int_equal(m->state, MANAGER_RUNNING);
        assert_string_equal(m->status, "Running: 1 doors, 1 issuer keys");
}

/* Two doors on a GPIO line that is not there, one on a chip that is not there, one on a lock
 * that works; a trust-list path that is missing. */
static void what_the_gate_started_without_is_one_fault_each(void **state) {
        Fixture *f = *state;
        char want[256];
        Manager *m = open_gate(f,
                               "{ id = \"relay\"; backend = \"gpiod\"; line_name = \"qrgate-test-no-such-line\"; },"
                               "{ id = \"side\"; backend = \"sim\"; },"
                               "{ id = \"west\"; backend = \"gpiod\"; chip = \"qrgate-test-no-such-chip\"; line = 4; }",
                               "{ id = \"north\"; lock = \"relay\"; scopes = [ \"x\" ]; },"
                               "{ id = \"side\"; lock = \"side\"; scopes = [ \"x\" ]; },"
                               "{ id = \"south\"; lock = \"relay\"; scopes = [ \"x\" ]; },"
                               "{ id = \"west\"; lock = \"west\"; scopes = [ \"x\" ]; }",
                               "dcc: { trust_list = [ \"/nonexistent/qrgate-dcc\" ]; };\n");
        _cleanup_(faults_freep) char **faults = manager_faults(m);

        assert_non_null(faults);
        assert_int_equal(count(faults), 3);
        assert_true(starts_with(faults[0], "lock relay: cannot open its gpiod output line qrgate-test-no-such-line: "));
        assert_true(ends_with(faults[0], "; doors north, south are out of service"));
        assert_true(starts_with(faults[1], "lock west: cannot open its gpiod output line 4 of qrgate-test-no-such-chip: "));
        assert_true(ends_with(faults[1], "; door west is out of service"));
        snprintf(want, sizeof(want), "%s:", f->conf);
        assert_true(starts_with(faults[2], want));
        assert_true(ends_with(faults[2], "dcc trust list /nonexistent/qrgate-dcc: No such file or directory"));
        /* The door on the lock that works is in service, the others are not. */
        assert_string_equal(door_lock_state(manager_find_door(m, "side")), "locked");
        assert_string_equal(door_lock_state(manager_find_door(m, "north")), "out-of-service");
        assert_string_equal(door_lock_state(manager_find_door(m, "south")), "out-of-service");

        assert_int_equal(m->state, MANAGER_DEGRADED);
        assert_true(starts_with(m->status, "Degraded: lock relay: cannot open its gpiod output line "));
        assert_non_null(strstr(m->status, "out of service; "));
        assert_true(ends_with(m->status, "/nonexistent/qrgate-dcc: No such file or directory"));
}

/* A door whose contact line and red light are not there: it works (in service) without them,
 * each is a fault of its own, and the gate is degraded; its exit button on a sim FIFO works. */
static void a_door_input_or_light_that_cannot_be_opened_is_a_fault(void **state) {
        Fixture *f = *state;
        char doors[512];

        snprintf(doors, sizeof(doors),
                 "{ id = \"main\"; lock = \"main\"; scopes = [ \"x\" ];"
                 "  contact = { backend = \"gpiod\"; line_name = \"qrgate-test-no-such-contact\"; };"
                 "  rex = { backend = \"sim\"; input = \"%s/rex\"; };"
                 "  feedback = { red = { backend = \"gpiod\"; line_name = \"qrgate-test-no-such-led\"; }; }; }",
                 f->dir);
        Manager *m = open_gate(f, "{ id = \"main\"; backend = \"sim\"; }", doors, NULL);
        _cleanup_(faults_freep) char **faults = manager_faults(m);

        assert_non_null(faults);
        assert_int_equal(count(faults), 2);
        assert_true(starts_with(faults[0], "door main: its contact cannot be used: "));
        assert_true(ends_with(faults[0], "; the door works without it (no alarm or exit from it) until qrgated is "
                                         "restarted with the line there"));
        assert_true(starts_with(faults[1], "door main: its red output cannot be opened: "));
        assert_string_equal(door_lock_state(manager_find_door(m, "main")), "locked");
        assert_int_equal(m->state, MANAGER_DEGRADED);
}

/* A second issuer whose key file is not there: its codes are unknown, city's still work. */
static void a_missing_key_file_is_a_fault_that_names_it(void **state) {
        Fixture *f = *state;
        char want[256];

        snprintf(f->more_issuers, sizeof(f->more_issuers),
                 ", { id = \"town\"; keys = ( { kid = \"t1\"; file = \"%s/town.pub\"; } ); }", f->dir);
        Manager *m = open_gate(f, "{ id = \"main\"; backend = \"sim\"; }",
                               "{ id = \"main\"; lock = \"main\"; scopes = [ \"x\" ]; }", NULL);
        _cleanup_(faults_freep) char **faults = manager_faults(m);

        assert_non_null(faults);
        assert_int_equal(count(faults), 1);
        snprintf(want, sizeof(want), "%s:", f->conf);
        assert_true(starts_with(faults[0], want));
        snprintf(want, sizeof(want), ": issuer 'town' key 't1' in %s/town.pub: No such file or directory", f->dir);
        assert_true(ends_with(faults[0], want));
        assert_int_equal(keystore_size(m->keys), 1);
        assert_int_equal(m->state, MANAGER_DEGRADED);
        assert_true(starts_with(m->status, "Degraded: "));
        assert_true(ends_with(m->status, want));
}

/* An EU DCC trust list older than dcc.trust_max_age is a fault with either policy — "warn"
 * must warn, and "deny" must not refuse every EU DCC while State says running — and one of
 * exactly the limit's age is not. */
static void an_outdated_trust_list_is_a_fault_with_either_policy(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "{ id = \"main\"; backend = \"sim\"; }",
                               "{ id = \"main\"; lock = \"main\"; scopes = [ \"x\" ]; }", NULL);
        int64_t now = (int64_t) time(NULL);

        assert_int_equal(trustlist_new(&m->dcc_trust), 0);
        m->config->dcc.trust_max_age = 3600;
        trustlist_set_updated_at(m->dcc_trust, now - 3600);
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_RUNNING);

        trustlist_set_updated_at(m->dcc_trust, now - 3602);
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_DEGRADED);
        _cleanup_(faults_freep) char **deny = manager_faults(m);
        assert_int_equal(count(deny), 1);
        assert_true(starts_with(deny[0], "dcc trust list: outdated, updated 360"));
        assert_true(ends_with(deny[0], " s ago (dcc.trust_max_age is 3600 s): every EU DCC is refused "
                                       "(trust-list-too-old); check the list's updater, then reload"));

        m->config->dcc.trust_age_policy = TRUST_LIST_AGE_WARN;
        _cleanup_(faults_freep) char **warn = manager_faults(m);
        assert_int_equal(count(warn), 1);
        assert_non_null(strstr(warn[0], "EU DCCs are still accepted (trust_age_policy = \"warn\")"));

        trustlist_set_updated_at(m->dcc_trust, 0); /* unknown age */
        _cleanup_(faults_freep) char **unknown = manager_faults(m);
        assert_int_equal(count(unknown), 1);
        assert_true(starts_with(unknown[0], "dcc trust list: its age is unknown"));

        m->config->dcc.trust_max_age = 0; /* no limit: no fault */
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_RUNNING);
}

/* A clock not synchronized is a fault once a source has said so, with what clock.untrusted does
 * about it; not before any source answered, and not with "accept". */
static void an_unsynchronized_clock_is_a_fault_unless_accepted(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "{ id = \"main\"; backend = \"sim\"; }",
                               "{ id = \"main\"; lock = \"main\"; scopes = [ \"x\" ]; }", NULL);

        m->clock_synchronized = false;
        m->clock_known = false;
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_RUNNING);

        m->clock_known = true;
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_DEGRADED);
        _cleanup_(faults_freep) char **refuse = manager_faults(m);
        assert_int_equal(count(refuse), 1);
        assert_string_equal(refuse[0], "clock: not synchronized since qrgated started: every code is refused "
                                       "(clock-untrusted) until it is; give the appliance a time server "
                                       "(timedatectl timesync-status)");
        m->config->clock.untrusted = CLOCK_UNTRUSTED_NARROW;
        _cleanup_(faults_freep) char **narrow = manager_faults(m);
        assert_non_null(strstr(narrow[0], "only QG1 codes issued within clock.narrow_window of the clock are accepted"));
        m->config->clock.untrusted = CLOCK_UNTRUSTED_ACCEPT;
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_RUNNING);
        m->config->clock.untrusted = CLOCK_UNTRUSTED_REFUSE;
        m->clock_synchronized = true;
        manager_update_state(m);
        assert_int_equal(m->state, MANAGER_RUNNING);
}

static void faults_join_into_one_line(void **state) {
        char *none[] = { NULL }, *one[] = { (char *) "a", NULL }, *two[] = { (char *) "a b", (char *) "c", NULL };
        _cleanup_(freep) char *j0 = faults_join(none), *j1 = faults_join(one), *j2 = faults_join(two);

        assert_string_equal(j0, "");
        assert_string_equal(j1, "a");
        assert_string_equal(j2, "a b; c");
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(a_gate_with_everything_has_no_fault_and_runs),
                cmocka_unit_test(what_the_gate_started_without_is_one_fault_each),
                cmocka_unit_test(a_door_input_or_light_that_cannot_be_opened_is_a_fault),
                cmocka_unit_test(a_missing_key_file_is_a_fault_that_names_it),
                cmocka_unit_test(an_outdated_trust_list_is_a_fault_with_either_policy),
                cmocka_unit_test(an_unsynchronized_clock_is_a_fault_unless_accepted),
                cmocka_unit_test(faults_join_into_one_line),
        };
        key = th_key("es256");
        int r = th_run_tests_with_fixture(tests, setup, teardown);
        EVP_PKEY_free(key);
        return r;
}

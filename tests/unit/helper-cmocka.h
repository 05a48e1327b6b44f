/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* For the test files whose tests all build the same fixture: the fixture is named once, where
 * the tests are run, and the list says only which behaviours are tested. Header-only, because
 * the benchmarks link the other helpers without cmocka; include it after <cmocka.h>. */

#include "core/macro.h"

/* Gives each of the n tests the fixture set_up()/tear_down(), run before and after that test
 * alone (as cmocka_unit_test_setup_teardown() does), so that no test sees another's state. */
static inline void th_each_with_fixture(struct CMUnitTest *tests, size_t n, CMFixtureFunction set_up,
                                        CMFixtureFunction tear_down) {
        for (size_t i = 0; i < n; i++) {
                tests[i].setup_func = set_up;
                tests[i].teardown_func = tear_down;
        }
}

/* cmocka_run_group_tests(tests, NULL, NULL), each test with that fixture of its own. */
#define th_run_tests_with_fixture(tests, set_up, tear_down) \
        (th_each_with_fixture(tests, ELEMENTSOF(tests), set_up, tear_down), cmocka_run_group_tests(tests, NULL, NULL))

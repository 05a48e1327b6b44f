/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The software debouncer every input backend shares (hal/debounce.h), on a fake clock: a level
 * counts once it has held a whole period without another edge — not one microsecond before, and
 * from the last edge of a burst, not the first; a burst that ends where it began changes
 * nothing; a period of 0 passes each edge through at once. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hal/debounce.h"

#define MS 1000u
#define T0 1000000u

static void level_counts_after_exactly_the_period(void **state) {
        Debounce d;

        debounce_init(&d, false, 50 * MS);
        assert_false(debounce_edge(&d, true, T0));
        assert_int_equal(debounce_deadline(&d), T0 + 50 * MS);
        assert_false(debounce_settle(&d, T0 + 50 * MS - 1));
        assert_false(debounce_level(&d));
        assert_true(debounce_settle(&d, T0 + 50 * MS));
        assert_true(debounce_level(&d));
        assert_int_equal(debounce_deadline(&d), 0);
        assert_false(debounce_settle(&d, T0 + 51 * MS)); /* once */
}

static void burst_that_ends_where_it_began_changes_nothing(void **state) {
        Debounce d;

        debounce_init(&d, false, 50 * MS);
        for (unsigned i = 0; i < 10; i++) /* 10 edges 2 ms apart: open, closed, open, ... closed */
                assert_false(debounce_edge(&d, i % 2 == 0, T0 + i * 2 * MS));
        assert_int_equal(debounce_deadline(&d), 0);
        assert_false(debounce_settle(&d, T0 + 500 * MS));
        assert_false(debounce_level(&d));
}

static void burst_counts_from_its_last_edge(void **state) {
        Debounce d;

        debounce_init(&d, false, 50 * MS);
        for (unsigned i = 0; i < 9; i++) /* ends on "open" at 16 ms */
                (void) debounce_edge(&d, i % 2 == 0, T0 + i * 2 * MS);
        assert_int_equal(debounce_deadline(&d), T0 + 16 * MS + 50 * MS);
        assert_false(debounce_settle(&d, T0 + 50 * MS)); /* 50 ms after the first edge: not yet */
        assert_false(debounce_settle(&d, T0 + 66 * MS - 1));
        assert_true(debounce_settle(&d, T0 + 66 * MS));
        assert_true(debounce_level(&d));
}

static void repeated_level_is_one_edge(void **state) {
        Debounce d;

        debounce_init(&d, false, 50 * MS);
        (void) debounce_edge(&d, true, T0);
        (void) debounce_edge(&d, true, T0 + 40 * MS); /* a lost edge between: not a new start */
        assert_true(debounce_settle(&d, T0 + 50 * MS));
}

static void period_zero_passes_edges_through(void **state) {
        Debounce d;

        debounce_init(&d, true, 0);
        assert_true(debounce_edge(&d, false, T0));
        assert_false(debounce_level(&d));
        assert_false(debounce_edge(&d, false, T0 + 1));
        assert_true(debounce_edge(&d, true, T0 + 2));
        assert_int_equal(debounce_deadline(&d), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(level_counts_after_exactly_the_period),
                cmocka_unit_test(burst_that_ends_where_it_began_changes_nothing),
                cmocka_unit_test(burst_counts_from_its_last_edge),
                cmocka_unit_test(repeated_level_is_one_edge),
                cmocka_unit_test(period_zero_passes_edges_through),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

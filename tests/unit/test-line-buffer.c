/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lines from a source's bytes (daemon/line-buffer.c): a newline ends one, a pause of the idle
 * timeout ends one too (at N-1, N and N+1 microseconds), CR/LF endings, over-long lines. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/line-buffer.h"

#define T0 1000000U
#define TIMEOUT 150000U

static LineStatus put_all(LineBuffer *b, const char *s, uint64_t now) {
        LineStatus st = LINE_PARTIAL;
        for (; *s; s++)
                st = line_buffer_put(b, *s, now);
        return st;
}

static void assert_line(LineBuffer *b, const char *want) {
        size_t n;
        const char *t = line_buffer_text(b, &n);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(t, want, n);
}

static void newline_ends_a_line_and_cr_is_dropped(void **state) {
        LineBuffer b = {};

        assert_int_equal(put_all(&b, "abc", T0), LINE_PARTIAL);
        assert_true(line_buffer_pending(&b));
        assert_int_equal(put_all(&b, "\r\n", T0), LINE_COMPLETE);
        assert_line(&b, "abc");
        line_buffer_reset(&b);
        assert_false(line_buffer_pending(&b));
        assert_int_equal(put_all(&b, "def\n", T0), LINE_COMPLETE);
        assert_line(&b, "def");
}

static void bare_terminators_are_not_lines(void **state) {
        LineBuffer b = {};

        assert_int_equal(put_all(&b, "\n", T0), LINE_PARTIAL);
        assert_int_equal(put_all(&b, "\r\n", T0), LINE_PARTIAL);
        assert_int_equal(put_all(&b, "\r\r\n", T0), LINE_PARTIAL);
        assert_false(line_buffer_pending(&b));
}

static void a_partial_line_goes_stale_at_exactly_the_timeout(void **state) {
        LineBuffer b = {};

        assert_false(line_buffer_stale(&b, T0 + 10 * TIMEOUT, TIMEOUT)); /* nothing waiting */
        put_all(&b, "abc", T0);
        assert_false(line_buffer_stale(&b, T0, TIMEOUT));
        assert_false(line_buffer_stale(&b, T0 + TIMEOUT - 1, TIMEOUT));
        assert_true(line_buffer_stale(&b, T0 + TIMEOUT, TIMEOUT));
        assert_true(line_buffer_stale(&b, T0 + TIMEOUT + 1, TIMEOUT));
        assert_line(&b, "abc");
}

static void the_timeout_counts_from_the_last_byte(void **state) {
        LineBuffer b = {};

        put_all(&b, "ab", T0);
        put_all(&b, "c", T0 + TIMEOUT - 1); /* just in time: the same line */
        assert_false(line_buffer_stale(&b, T0 + TIMEOUT, TIMEOUT));
        assert_true(line_buffer_stale(&b, T0 + 2 * TIMEOUT - 1, TIMEOUT));
        assert_line(&b, "abc");
        assert_int_equal(line_buffer_duration_usec(&b), TIMEOUT - 1);
}

static void a_stale_line_loses_its_trailing_cr(void **state) {
        LineBuffer b = {};

        put_all(&b, "abc\r", T0);
        assert_true(line_buffer_stale(&b, T0 + TIMEOUT, TIMEOUT));
        assert_line(&b, "abc");
}

static void the_duration_runs_from_first_to_last_byte(void **state) {
        LineBuffer b = {};

        line_buffer_put(&b, 'a', T0);
        line_buffer_put(&b, 'b', T0 + 7);
        line_buffer_put(&b, 'c', T0 + 30);
        assert_int_equal(line_buffer_duration_usec(&b), 30);
        line_buffer_put(&b, '\n', T0 + 1000000);
        line_buffer_reset(&b);
        line_buffer_put(&b, 'x', T0 + 2000000);
        assert_int_equal(line_buffer_duration_usec(&b), 0);
}

static void lengths_at_the_limit(void **state) {
        static LineBuffer b;
        size_t n;

        /* N-1, N: kept whole; N+1: over-long, reported with the length the verifier refuses. */
        for (size_t want = CODE_MAX_TEXT - 1; want <= CODE_MAX_TEXT + 2; want++) {
                line_buffer_reset(&b);
                for (size_t i = 0; i < want; i++)
                        assert_int_equal(line_buffer_put(&b, 'A', T0), LINE_PARTIAL);
                assert_int_equal(line_buffer_put(&b, '\n', T0), LINE_COMPLETE);
                (void) line_buffer_text(&b, &n);
                assert_int_equal(n, want <= CODE_MAX_TEXT + 1 ? want : CODE_MAX_TEXT + 1);
        }
        /* Far over, CRs included: still one over-long line, then the next one intact. */
        line_buffer_reset(&b);
        for (size_t i = 0; i < 3 * CODE_MAX_TEXT; i++)
                line_buffer_put(&b, i % 2 ? '\r' : 'A', T0);
        assert_int_equal(line_buffer_put(&b, '\n', T0), LINE_COMPLETE);
        (void) line_buffer_text(&b, &n);
        assert_int_equal(n, CODE_MAX_TEXT + 1);
        line_buffer_reset(&b);
        assert_int_equal(put_all(&b, "ok\n", T0), LINE_COMPLETE);
        assert_line(&b, "ok");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(newline_ends_a_line_and_cr_is_dropped),
                cmocka_unit_test(bare_terminators_are_not_lines),
                cmocka_unit_test(a_partial_line_goes_stale_at_exactly_the_timeout),
                cmocka_unit_test(the_timeout_counts_from_the_last_byte),
                cmocka_unit_test(a_stale_line_loses_its_trailing_cr),
                cmocka_unit_test(the_duration_runs_from_first_to_last_byte),
                cmocka_unit_test(lengths_at_the_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The light and buzzer patterns' syntax (core/feedback-pattern.c): steps OUTPUTS:MS, outputs
 * g, r, b in any combination or "-", 1-60000 ms (0, 60000 and 60001 at the edge), at most 16
 * steps (16 and 17), and every malformed step refused with what is wrong. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/feedback-pattern.h"

#define G (1u << FEEDBACK_GREEN)
#define R (1u << FEEDBACK_RED)
#define BZ (1u << FEEDBACK_BUZZER)

static void steps_are_read_in_order(void **state) {
        FeedbackPattern p;
        const char *e = NULL;

        assert_int_equal(feedback_pattern_parse("  gb:150 g:1850 -:1 rbg:60000 ", &p, &e), 0);
        assert_int_equal(p.n_steps, 4);
        assert_int_equal(p.steps[0].on, G | BZ);
        assert_int_equal(p.steps[0].ms, 150);
        assert_int_equal(p.steps[1].on, G);
        assert_int_equal(p.steps[2].on, 0);
        assert_int_equal(p.steps[2].ms, 1);
        assert_int_equal(p.steps[3].on, G | R | BZ);
        assert_int_equal(p.steps[3].ms, 60000);
        assert_int_equal(feedback_pattern_outputs(&p), G | R | BZ);

        assert_int_equal(feedback_pattern_parse("", &p, &e), 0);
        assert_int_equal(p.n_steps, 0);
        assert_int_equal(feedback_pattern_outputs(&p), 0);
}

static void at_most_sixteen_steps(void **state) {
        char text[256] = "";
        FeedbackPattern p;
        const char *e = NULL;

        for (int i = 0; i < 16; i++)
                strcat(text, "r:1 ");
        assert_int_equal(feedback_pattern_parse(text, &p, &e), 0);
        assert_int_equal(p.n_steps, 16);
        strcat(text, "g:1");
        assert_int_equal(feedback_pattern_parse(text, &p, &e), -EINVAL);
        assert_string_equal(e, "a pattern has at most 16 steps");
}

static void malformed_steps_are_refused(void **state) {
        static const struct {
                const char *text, *error;
        } cases[] = {
                { "g", "a step is OUTPUTS:MS (outputs g, r, b or -)" },
                { ":100", "a step is OUTPUTS:MS (outputs g, r, b or -)" },
                { "x:100", "outputs are g (green), r (red), b (buzzer), or - for none" },
                { "g-:100", "outputs are g (green), r (red), b (buzzer), or - for none" },
                { "gg:100", "an output is named twice in one step" },
                { "g:", "a step needs its milliseconds after ':'" },
                { "g:1x", "milliseconds are digits" },
                { "g:-1", "milliseconds are digits" },
                { "g:0", "a step lasts at least 1 ms" },
                { "g:60001", "a step lasts at most 60000 ms" },
                { "g:99999999999999999999", "a step lasts at most 60000 ms" },
                { "g:100\tr:100", "milliseconds are digits" },
        };
        FeedbackPattern p;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const char *e = NULL;
                if (feedback_pattern_parse(cases[i].text, &p, &e) != -EINVAL)
                        fail_msg("\"%s\" was accepted", cases[i].text);
                if (!e || strcmp(e, cases[i].error) != 0)
                        fail_msg("\"%s\": want \"%s\", got \"%s\"", cases[i].text, cases[i].error, e ?: "(null)");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(steps_are_read_in_order),
                cmocka_unit_test(at_most_sixteen_steps),
                cmocka_unit_test(malformed_steps_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

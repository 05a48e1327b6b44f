/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every reason a decision can carry is a stable interface an operator looks up in
 * docs/reasons.md (what it means, what to do). A reason added to core/reason.c without its row
 * there fails here; so does a row for a reason the daemon does not have (a renamed one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/reason.h"

#define DOC "docs/reasons.md"

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* The reason of a table row "| `name` | ...", or NULL for another line. */
static const char *row_reason(char *line) {
        char *end;

        if (strncmp(line, "| `", 3) != 0)
                return NULL;
        end = strchr(line + 3, '`');
        if (!end)
                return NULL;
        *end = '\0';
        return line + 3;
}

static void every_reason_has_a_row(void **state) {
        for (Reason r = 0; r < _REASON_MAX; r++) {
                _cleanup_(fclosep) FILE *f = fopen(DOC, "re");
                char line[4096];
                bool found = false;

                assert_non_null(f);
                while (!found && fgets(line, sizeof(line), f)) {
                        const char *name = row_reason(line);
                        found = name && strcmp(name, reason_to_string(r)) == 0;
                }
                if (!found)
                        fail_msg("reason %s has no row in " DOC, reason_to_string(r));
        }
}

static void every_row_is_a_reason(void **state) {
        _cleanup_(fclosep) FILE *f = fopen(DOC, "re");
        char line[4096];
        unsigned rows = 0;

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                const char *name = row_reason(line);
                if (!name)
                        continue;
                rows++;
                if (reason_from_string(name) < 0)
                        fail_msg(DOC " has a row for '%s', which is no reason of core/reason.c", name);
        }
        assert_int_equal(rows, _REASON_MAX);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_reason_has_a_row),
                cmocka_unit_test(every_row_is_a_reason),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

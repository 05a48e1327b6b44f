/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The light and buzzer patterns of the configuration (core/feedback-pattern.c): any text is
 * either refused with a message or gives at most 16 steps, each of 1-60000 ms and known outputs. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/feedback-pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        const char *error = NULL;
        FeedbackPattern p;

        memcpy(text, data, size);
        text[size] = '\0'; /* a configuration string: NUL-terminated, as libconfig gives it */
        if (feedback_pattern_parse(text, &p, &error) == 0) {
                assert(p.n_steps <= FEEDBACK_PATTERN_MAX_STEPS);
                for (size_t i = 0; i < p.n_steps; i++) {
                        assert(p.steps[i].ms >= 1 && p.steps[i].ms <= FEEDBACK_PATTERN_STEP_MAX_MS);
                        assert((p.steps[i].on & ~7u) == 0);
                }
        } else
                assert(error && *error);
        free(text);
        return 0;
}

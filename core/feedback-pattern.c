/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "core/feedback-pattern.h"

static int parse_step(const char *s, size_t len, FeedbackStep *ret, const char **ret_error) {
        const char *colon = memchr(s, ':', len);
        uint32_t ms = 0;
        unsigned on = 0;

        if (!colon || colon == s) {
                *ret_error = "a step is OUTPUTS:MS (outputs g, r, b or -)";
                return -EINVAL;
        }
        if (colon - s == 1 && s[0] == '-')
                on = 0;
        else
                for (const char *p = s; p < colon; p++) {
                        unsigned bit = *p == 'g' ? 1u << FEEDBACK_GREEN : *p == 'r' ? 1u << FEEDBACK_RED :
                                       *p == 'b' ? 1u << FEEDBACK_BUZZER : 0;
                        if (bit == 0) {
                                *ret_error = "outputs are g (green), r (red), b (buzzer), or - for none";
                                return -EINVAL;
                        }
                        if (on & bit) {
                                *ret_error = "an output is named twice in one step";
                                return -EINVAL;
                        }
                        on |= bit;
                }
        const char *end = s + len;
        if (colon + 1 == end) {
                *ret_error = "a step needs its milliseconds after ':'";
                return -EINVAL;
        }
        for (const char *p = colon + 1; p < end; p++) {
                if (*p < '0' || *p > '9') {
                        *ret_error = "milliseconds are digits";
                        return -EINVAL;
                }
                ms = ms * 10 + (uint32_t) (*p - '0');
                if (ms > FEEDBACK_PATTERN_STEP_MAX_MS) {
                        *ret_error = "a step lasts at most 60000 ms";
                        return -EINVAL;
                }
        }
        if (ms == 0) {
                *ret_error = "a step lasts at least 1 ms";
                return -EINVAL;
        }
        *ret = (FeedbackStep) { .on = on, .ms = ms };
        return 0;
}

int feedback_pattern_parse(const char *text, FeedbackPattern *ret, const char **ret_error) {
        const char *p = text;
        int r;

        *ret = (FeedbackPattern) {};
        for (;;) {
                size_t len;

                p += strspn(p, " ");
                if (*p == '\0')
                        return 0;
                len = strcspn(p, " ");
                if (ret->n_steps >= FEEDBACK_PATTERN_MAX_STEPS) {
                        *ret_error = "a pattern has at most 16 steps";
                        return -EINVAL;
                }
                r = parse_step(p, len, &ret->steps[ret->n_steps], ret_error);
                if (r < 0)
                        return r;
                ret->n_steps++;
                p += len;
        }
}

unsigned feedback_pattern_outputs(const FeedbackPattern *p) {
        unsigned on = 0;

        for (size_t i = 0; i < p->n_steps; i++)
                on |= p->steps[i].on;
        return on;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A pattern for the lights and buzzer of a door's reader: what the person at the gate sees and
 * hears. Written in the configuration as steps separated by spaces, each OUTPUTS:MS — the outputs
 * on during that step ("g" green, "r" red, "b" buzzer, any combination such as "rb", or "-" for
 * none) and for how many milliseconds (1-60000):
 *     "gb:150 g:1850"               green with a short beep, green alone for the rest of 2 s
 *     "rb:150 -:100 rb:150 -:100 r:500"
 * At most FEEDBACK_PATTERN_MAX_STEPS steps; an empty pattern ("") shows nothing. Pure parsing,
 * no logging. */

#include <stddef.h>
#include <stdint.h>

#define FEEDBACK_PATTERN_MAX_STEPS 16
#define FEEDBACK_PATTERN_STEP_MAX_MS 60000

typedef enum FeedbackOutput {
        FEEDBACK_GREEN,
        FEEDBACK_RED,
        FEEDBACK_BUZZER,
        _FEEDBACK_OUTPUT_MAX,
} FeedbackOutput;

typedef struct FeedbackStep {
        unsigned on;  /* bit (1 << FeedbackOutput) for each output on */
        uint32_t ms;
} FeedbackStep;

typedef struct FeedbackPattern {
        FeedbackStep steps[FEEDBACK_PATTERN_MAX_STEPS];
        size_t n_steps;
} FeedbackPattern;

/* Parses text. Returns 0, or -EINVAL with *ret_error a static text saying what is wrong (ret
 * is then unspecified). */
int feedback_pattern_parse(const char *text, FeedbackPattern *ret, const char **ret_error);

/* The outputs a pattern uses at all (bit (1 << FeedbackOutput) each). */
unsigned feedback_pattern_outputs(const FeedbackPattern *p);

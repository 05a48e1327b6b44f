/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A door's lights and buzzer for the person at the reader, and what they show:
 *     feedback = {
 *             green = { backend = "gpiod"; line_name = "led-green"; };
 *             red = { backend = "gpiod"; line_name = "led-red"; };
 *             buzzer = { backend = "sim"; output = "/run/qrgate-demo/buzzer"; };
 *             denied = "rb:150 -:100 rb:150 -:100 r:500";
 *     };
 * Each output is a line like a lock's (its off level is its safe state, driven at start, at
 * stop and after a crash); each pattern is core/feedback-pattern.h's syntax. */
#include <stdio.h>
#include <string.h>

#include "config/config-internal.h"

/* What a person should see by default: green for a grant, red (and beeps) for a refusal, both
 * flashing while an alarm is raised, a slow red blink while the door is out of service. */
#define DEFAULT_GRANTED "gb:150 g:1850"
#define DEFAULT_DENIED "rb:150 -:100 rb:150 -:100 r:500"
#define DEFAULT_ALARM "rb:500 -:500"
#define DEFAULT_OUT_OF_SERVICE "r:200 -:1800"

static const char *const output_keys[_FEEDBACK_OUTPUT_MAX] = {
        [FEEDBACK_GREEN] = "green",
        [FEEDBACK_RED] = "red",
        [FEEDBACK_BUZZER] = "buzzer",
};

static void parse_output(Errors *e, DoorConf *d, const config_setting_t *fb, FeedbackOutput o) {
        static const Key keys[] = {
                { "backend", K_STRING, true }, { "chip", K_STRING }, { "line", K_INT }, { "line_name", K_STRING },
                { "active_low", K_BOOL }, { "output", K_STRING },
        };
        const config_setting_t *g = config_setting_get_member(fb, output_keys[o]), *s;
        LockConfig *l = &d->feedback_out[o];
        char what[64];
        int64_t line = -1;

        if (!g)
                return;
        snprintf(what, sizeof(what), "a door's feedback %s", output_keys[o]);
        if (!schema_check_group(e, g, what, keys, ELEMENTSOF(keys)))
                return;
        snprintf(d->feedback_id[o], sizeof(d->feedback_id[o]), "%s.%s", d->id, output_keys[o]);
        *l = (LockConfig) {
                .id = d->feedback_id[o],
                .backend = schema_get_string(g, "backend", NULL),
                .chip = schema_get_string(g, "chip", NULL),
                .line_name = schema_get_string(g, "line_name", NULL),
                .active_low = (s = config_setting_get_member(g, "active_low")) && config_setting_get_bool(s),
                .sim_output = schema_get_string(g, "output", NULL),
                .line_offset = -1,
                .safe_state = LOCK_SAFE_LOCKED, /* off */
        };
        if (schema_get_int(e, g, "line", -1, -1, 1023, &line))
                l->line_offset = (int) line;
        config_check_path(e, config_setting_get_member(g, "output"), "output", l->sim_output);
        if (strcmp(l->backend, "sim") == 0) {
                if (l->chip || l->line_offset >= 0 || l->line_name || config_setting_get_member(g, "active_low"))
                        config_error(e, g, "door '%s' feedback %s: 'chip', 'line', 'line_name' and 'active_low' are "
                                     "for the gpiod backend; a sim output takes 'output'", d->id, output_keys[o]);
        } else if (strcmp(l->backend, "gpiod") == 0) {
                if ((l->line_offset < 0) == !l->line_name)
                        config_error(e, g, "door '%s' feedback %s: a gpiod output needs exactly one of 'line' (offset "
                                     "on 'chip') and 'line_name'", d->id, output_keys[o]);
                else if (l->line_offset >= 0 && !l->chip)
                        config_error(e, g, "door '%s' feedback %s: a gpiod output given by 'line' offset needs 'chip'",
                                     d->id, output_keys[o]);
                if (l->sim_output)
                        config_error(e, config_setting_get_member(g, "output"), "door '%s' feedback %s: 'output' is "
                                     "for the sim backend only", d->id, output_keys[o]);
        } else
                config_error(e, config_setting_get_member(g, "backend"), "door '%s' feedback %s: backend must be "
                             "\"sim\" or \"gpiod\"", d->id, output_keys[o]);
        d->has_feedback_out[o] = true;
}

static void parse_pattern(Errors *e, const DoorConf *d, const config_setting_t *fb, const char *key, const char *def,
                          FeedbackPattern *ret) {
        const config_setting_t *s = fb ? config_setting_get_member(fb, key) : NULL;
        const char *text = s ? config_setting_get_string(s) : def, *why = NULL;

        if (feedback_pattern_parse(text, ret, &why) < 0) {
                config_error(e, s, "door '%s' feedback %s \"%s\": %s", d->id, key, text, why);
                *ret = (FeedbackPattern) {};
        }
}

void config_parse_door_feedback(Errors *e, DoorConf *d, const config_setting_t *g) {
        static const Key keys[] = {
                { "green", K_GROUP }, { "red", K_GROUP }, { "buzzer", K_GROUP }, { "granted", K_STRING },
                { "denied", K_STRING }, { "alarm", K_STRING }, { "out_of_service", K_STRING },
        };
        const config_setting_t *fb = config_setting_get_member(g, "feedback");

        if (fb && !schema_check_group(e, fb, "a door's feedback", keys, ELEMENTSOF(keys)))
                fb = NULL;
        for (FeedbackOutput o = 0; fb && o < _FEEDBACK_OUTPUT_MAX; o++)
                parse_output(e, d, fb, o);
        parse_pattern(e, d, fb, "granted", DEFAULT_GRANTED, &d->pattern_granted);
        parse_pattern(e, d, fb, "denied", DEFAULT_DENIED, &d->pattern_denied);
        parse_pattern(e, d, fb, "alarm", DEFAULT_ALARM, &d->pattern_alarm);
        parse_pattern(e, d, fb, "out_of_service", DEFAULT_OUT_OF_SERVICE, &d->pattern_out_of_service);
}

bool config_door_feedback_equal(const DoorConf *a, const DoorConf *b) {
        for (FeedbackOutput o = 0; o < _FEEDBACK_OUTPUT_MAX; o++) {
                const LockConfig *x = &a->feedback_out[o], *y = &b->feedback_out[o];
                if (a->has_feedback_out[o] != b->has_feedback_out[o])
                        return false;
                if (a->has_feedback_out[o] &&
                    (strcmp(x->backend, y->backend) != 0 || strcmp(x->chip ?: "", y->chip ?: "") != 0 ||
                     x->line_offset != y->line_offset || strcmp(x->line_name ?: "", y->line_name ?: "") != 0 ||
                     x->active_low != y->active_low || strcmp(x->sim_output ?: "", y->sim_output ?: "") != 0))
                        return false;
        }
        return true;
}

size_t config_output_lines(const Config *c, LockConfig *ret) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_locks; i++)
                ret[n++] = c->locks[i].hal;
        for (size_t i = 0; i < c->n_doors; i++)
                for (FeedbackOutput o = 0; o < _FEEDBACK_OUTPUT_MAX; o++)
                        if (c->doors[i].has_feedback_out[o])
                                ret[n++] = c->doors[i].feedback_out[o];
        return n;
}

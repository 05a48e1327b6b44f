/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A door's inputs — contact, request-to-exit button, lock feedback — and their timings. Each
 * input is a group like a lock's line:
 *     contact = { backend = "gpiod"; line_name = "door-contact"; active_low = true; };
 *     rex = { backend = "sim"; input = "/run/qrgate-demo/rex"; };
 * Only what a backend uses may be given, so that a key meant for another backend is an error,
 * not silently ignored. */
#include <string.h>

#include "config/config-internal.h"

static void parse_input(Errors *e, const DoorConf *d, const config_setting_t *door, const char *key, InputConfig *in,
                        bool *ret_has) {
        static const Key keys[] = {
                { "backend", K_STRING, true }, { "chip", K_STRING }, { "line", K_INT }, { "line_name", K_STRING },
                { "active_low", K_BOOL }, { "input", K_STRING },
        };
        const config_setting_t *g = config_setting_get_member(door, key), *s;
        char what[64];
        int64_t line = -1;

        *ret_has = false;
        if (!g)
                return;
        snprintf(what, sizeof(what), "a door's %s", key);
        if (!schema_check_group(e, g, what, keys, ELEMENTSOF(keys)))
                return;
        *in = (InputConfig) {
                .backend = schema_get_string(g, "backend", NULL),
                .chip = schema_get_string(g, "chip", NULL),
                .line_name = schema_get_string(g, "line_name", NULL),
                .active_low = (s = config_setting_get_member(g, "active_low")) && config_setting_get_bool(s),
                .sim_input = schema_get_string(g, "input", NULL),
                .line_offset = -1,
        };
        if (schema_get_int(e, g, "line", -1, -1, 1023, &line))
                in->line_offset = (int) line;
        config_check_path(e, config_setting_get_member(g, "input"), "input", in->sim_input);
        if (strcmp(in->backend, "sim") == 0) {
                if (in->chip || in->line_offset >= 0 || in->line_name || config_setting_get_member(g, "active_low"))
                        config_error(e, g, "door '%s' %s: 'chip', 'line', 'line_name' and 'active_low' are for the gpiod "
                                     "backend; a sim input takes 'input' (a FIFO)", d->id, key);
        } else if (strcmp(in->backend, "gpiod") == 0) {
                if ((in->line_offset < 0) == !in->line_name)
                        config_error(e, g, "door '%s' %s: a gpiod input needs exactly one of 'line' (offset on 'chip') "
                                     "and 'line_name'", d->id, key);
                else if (in->line_offset >= 0 && !in->chip)
                        config_error(e, g, "door '%s' %s: a gpiod input given by 'line' offset needs 'chip'", d->id, key);
                if (in->sim_input)
                        config_error(e, config_setting_get_member(g, "input"), "door '%s' %s: 'input' is for the sim "
                                     "backend only", d->id, key);
        } else
                config_error(e, config_setting_get_member(g, "backend"), "door '%s' %s: backend must be \"sim\" or "
                             "\"gpiod\"", d->id, key);
        *ret_has = true;
}

/* Two inputs of one door on one line or FIFO would read one signal as two. */
static bool same_line(const InputConfig *a, const InputConfig *b) {
        if (strcmp(a->backend, b->backend) != 0)
                return false;
        if (strcmp(a->backend, "sim") == 0)
                return a->sim_input && b->sim_input && strcmp(a->sim_input, b->sim_input) == 0;
        if (a->line_name && b->line_name)
                return strcmp(a->line_name, b->line_name) == 0 &&
                       (!a->chip || !b->chip || strcmp(a->chip, b->chip) == 0);
        return a->line_offset >= 0 && a->line_offset == b->line_offset && a->chip && b->chip &&
               strcmp(a->chip, b->chip) == 0;
}

void config_parse_door_io(Errors *e, DoorConf *d, const config_setting_t *g) {
        const struct {
                const char *key;
                InputConfig *in;
                bool *has;
        } inputs[] = {
                { "contact", &d->contact, &d->has_contact },
                { "rex", &d->rex, &d->has_rex },
                { "lock_feedback", &d->lock_feedback, &d->has_lock_feedback },
                { "contact_nc", &d->contact_nc, &d->has_contact_nc },
                { "exit_pulse", &d->exit_pulse, &d->has_exit_pulse },
        };
        int64_t v;

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++)
                parse_input(e, d, g, inputs[i].key, inputs[i].in, inputs[i].has);
        for (size_t i = 0; i < ELEMENTSOF(inputs); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(inputs); j++)
                        if (*inputs[i].has && *inputs[j].has && same_line(inputs[i].in, inputs[j].in))
                                config_error(e, config_setting_get_member(g, inputs[j].key),
                                             "door '%s': %s is on the same line as its %s", d->id, inputs[j].key,
                                             inputs[i].key);

        if (d->has_contact_nc && !d->has_contact)
                config_error(e, config_setting_get_member(g, "contact_nc"),
                             "door '%s': contact_nc is the contact's second line; it needs contact", d->id);

        /* Long enough for a wheelchair or a trolley; an hour is no longer "held", it is open. */
        if (schema_get_int(e, g, "held_open_s", 30, 0, 3600, &v))
                d->held_open_s = (uint32_t) v;
        /* Contacts and buttons settle within tens of milliseconds; a second would delay every
         * alarm and exit by as much. */
        if (schema_get_int(e, g, "debounce_ms", 50, 0, 1000, &v))
                d->debounce_ms = (uint32_t) v;
        if (schema_get_int(e, g, "lock_feedback_grace_ms", 1000, 10, 60000, &v))
                d->lock_feedback_grace_ms = (uint32_t) v;
        if (config_setting_get_member(g, "lock_feedback_grace_ms") && !d->has_lock_feedback)
                config_error(e, config_setting_get_member(g, "lock_feedback_grace_ms"),
                             "door '%s': lock_feedback_grace_ms without lock_feedback", d->id);
}

static bool input_equal(bool has_a, const InputConfig *a, bool has_b, const InputConfig *b) {
        if (has_a != has_b)
                return false;
        return !has_a || (strcmp(a->backend, b->backend) == 0 && strcmp(a->chip ?: "", b->chip ?: "") == 0 &&
                          a->line_offset == b->line_offset && strcmp(a->line_name ?: "", b->line_name ?: "") == 0 &&
                          a->active_low == b->active_low && strcmp(a->sim_input ?: "", b->sim_input ?: "") == 0);
}

bool config_door_io_equal(const DoorConf *a, const DoorConf *b) {
        return input_equal(a->has_contact, &a->contact, b->has_contact, &b->contact) &&
               input_equal(a->has_rex, &a->rex, b->has_rex, &b->rex) &&
               input_equal(a->has_lock_feedback, &a->lock_feedback, b->has_lock_feedback, &b->lock_feedback) &&
               input_equal(a->has_contact_nc, &a->contact_nc, b->has_contact_nc, &b->contact_nc) &&
               input_equal(a->has_exit_pulse, &a->exit_pulse, b->has_exit_pulse, &b->exit_pulse) &&
               a->held_open_s == b->held_open_s && a->debounce_ms == b->debounce_ms &&
               a->lock_feedback_grace_ms == b->lock_feedback_grace_ms;
}

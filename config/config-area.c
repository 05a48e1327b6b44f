/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "areas" list and the doors' "area" and "side" keys (docs/areas.md): a pool or a reading
 * room that doors lead into (entry) or out of (exit). Every value is checked here, with its
 * file:line. */
#include <stdio.h>
#include <string.h>

#include "config/config-internal.h"

/* A presence outlives no visit by more than a week: beyond that anti-passback would lock out
 * anyone whose exit was missed for good. */
#define PRESENCE_TIMEOUT_MAX (7 * 86400)
#define CAPACITY_MAX 1000000

static const AreaConf *find_area(const Config *c, const char *id) {
        for (size_t i = 0; i < c->n_areas; i++)
                if (c->areas[i].id && strcmp(c->areas[i].id, id) == 0)
                        return &c->areas[i];
        return NULL;
}

/* "HH:MM" or "HH:MM:SS" local time, 00:00 to 23:59:59: the start of a window that runs to the
 * end of the day, so that core/schedule.c parses it as it parses opening hours. */
static int parse_reset(const char *s, int64_t *ret) {
        char window[32];
        ScheduleWindow w;
        const char *why;

        if (strlen(s) > 8 || strpbrk(s, " -"))
                return -EINVAL;
        snprintf(window, sizeof(window), "daily %s-24:00", s);
        if (schedule_window_from_string(window, &w, &why) < 0)
                return -EINVAL;
        *ret = w.start;
        return 0;
}

void config_parse_areas(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "capacity", K_INT }, { "passback", K_STRING },
                { "presence_timeout", K_INT }, { "capacity_reset", K_STRING },
        };
        const config_setting_t *list, *s;

        if (!schema_check_list(e, root, "areas", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                AreaConf *a = &c->areas[c->n_areas++];
                int64_t v;

                *a = (AreaConf) { .presence_timeout = 4 * 3600, .capacity_reset = -1 };
                if (!schema_check_group(e, g, "an area", keys, ELEMENTSOF(keys))) {
                        const config_setting_t *id = config_setting_get_member(g, "id");
                        /* Still named, so that a door naming it is not reported a second time. */
                        if (id && config_setting_type(id) == CONFIG_TYPE_STRING)
                                a->id = config_setting_get_string(id);
                        continue;
                }
                a->id = schema_get_string(g, "id", NULL);
                if (!config_id_is_valid(a->id))
                        config_error(e, g, "area id '%s' must be 1-32 letters, digits or '_' (it names a D-Bus object)", a->id);
                for (size_t j = 0; j + 1 < c->n_areas; j++)
                        if (c->areas[j].id && strcmp(c->areas[j].id, a->id) == 0)
                                config_error(e, g, "area '%s' is defined twice", a->id);
                if (schema_get_int(e, g, "capacity", 0, 0, CAPACITY_MAX, &v))
                        a->capacity = (uint32_t) v;
                if ((s = config_setting_get_member(g, "passback"))) {
                        a->passback = area_passback_from_string(config_setting_get_string(s));
                        if (a->passback < 0) {
                                config_error(e, s, "passback of area '%s' must be \"off\", \"soft\" or \"hard\"", a->id);
                                a->passback = AREA_PASSBACK_OFF;
                        }
                }
                (void) schema_get_int(e, g, "presence_timeout", a->presence_timeout, 60, PRESENCE_TIMEOUT_MAX,
                                      &a->presence_timeout);
                if ((s = config_setting_get_member(g, "capacity_reset")) &&
                    parse_reset(config_setting_get_string(s), &a->capacity_reset) < 0)
                        config_error(e, s, "capacity_reset \"%s\" of area '%s' must be a local time HH:MM (00:00 to 23:59)",
                                     config_setting_get_string(s), a->id);
        }
}

void config_parse_door_area(Errors *e, const Config *c, DoorConf *d, const config_setting_t *g) {
        const config_setting_t *area = config_setting_get_member(g, "area"), *side = config_setting_get_member(g, "side");
        const char *sv = side ? config_setting_get_string(side) : NULL;

        /* The door_io keys are read before: an exit pulse counts people out of an area. */
        if (!area && d->has_exit_pulse)
                config_error(e, config_setting_get_member(g, "exit_pulse"),
                             "door '%s': exit_pulse counts people out of the door's area; it needs area", d->id);
        if (!area && !side)
                return;
        if (!area) {
                config_error(e, side, "door '%s' has a side but no area", d->id);
                return;
        }
        d->area = find_area(c, config_setting_get_string(area));
        if (!d->area) {
                config_error(e, area, "door '%s' names area '%s', which is not defined in 'areas'", d->id,
                             config_setting_get_string(area));
                return;
        }
        d->area_index = (size_t) (d->area - c->areas);
        if (!sv)
                config_error(e, g, "door '%s' names area '%s' but no side: add side = \"entry\" or \"exit\"", d->id, d->area->id);
        else if (strcmp(sv, "entry") == 0)
                d->side = AREA_SIDE_ENTRY;
        else if (strcmp(sv, "exit") == 0)
                d->side = AREA_SIDE_EXIT;
        else
                config_error(e, side, "side of door '%s' must be \"entry\" or \"exit\"", d->id);
        if (d->side == AREA_SIDE_NONE)
                d->area = NULL;
}
